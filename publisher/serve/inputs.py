"""Read and check a request: body size, content type, article text, query parameters, template.

Each check raises ApiError with the fitting status: 413 too large, 415 an unknown content type, 400 a
body that is not JSON/YAML/Markdown or a bad parameter, 404 an unknown template, 422 an article that
breaks the contract (every problem with its field path).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from starlette.requests import Request

from publisher.article.loaders import parse_bytes
from publisher.article.model import Article, article_from_mapping
from publisher.errors import ArticleError, Problem, TemplateError
from publisher.options import PDF_VARIANTS
from publisher.render import FORMATS
from publisher.serve.responses import ApiError
from publisher.templates import TemplateInfo, TemplateLibrary

# Content type → the loader's kind. JSON is the API's; YAML and Markdown (with front matter) are for
# people pasting text, as on the clerk's page.
BODY_KINDS = {
    "application/json": "json",
    "application/yaml": "yaml",
    "application/x-yaml": "yaml",
    "text/yaml": "yaml",
    "text/x-yaml": "yaml",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
}
SOURCE_NAMES = {"json": "article.json", "yaml": "article.yaml", "markdown": "article.md"}
DEFAULT_TEMPLATE = "article"
DEFAULT_DPI = 96
MIN_DPI = 36
_IMAGE_EXPECTED = "a path to an existing image inside the input file's folder"


@dataclass(frozen=True)
class ArticleBody:
    """A request's article: the parsed mapping, the raw bytes and the loader kind they were read as."""

    mapping: dict[str, Any]
    raw: bytes
    kind: str

    @property
    def source(self) -> tuple[str, bytes]:
        """(file name, bytes) to embed in a PDF/A-3b file."""
        return SOURCE_NAMES[self.kind], self.raw


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to pass limit bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ApiError(400, "bad_request", "Content-Length is not a number")
        if int(declared) > limit:
            raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "too_large", f"the request body is larger than {limit:,} bytes",
                    [Problem("", f"a body of at most {limit:,} bytes", "a larger body")])


def body_kind(request: Request) -> str:
    """The loader kind of the request's content type (JSON when none is given)."""
    media_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if media_type not in BODY_KINDS:
        known = ", ".join(BODY_KINDS)
        raise ApiError(415, "unsupported_media_type", f"cannot read a body of type {media_type!r}; send one of: {known}",
                       [Problem("", f"Content-Type one of {known}", repr(media_type))])
    return BODY_KINDS[media_type]


async def read_article(request: Request, limit: int) -> ArticleBody:
    """The article of a request, parsed but not yet validated; 400 when it cannot be read at all."""
    kind = body_kind(request)
    raw = await read_body(request, limit)
    try:
        mapping = parse_bytes(f"request body ({kind})", raw, kind)
    except ArticleError as error:
        raise ApiError(400, "unreadable_body", f"the request body is not a readable {kind} article",
                       error.problems) from None
    return ArticleBody(mapping, raw, kind)


def _service_problem(problem: Problem, assets_dir: Path | None) -> Problem:
    """Image problems worded for the service: images come only from its assets folder, if it has one."""
    if not problem.expected.startswith(_IMAGE_EXPECTED):
        return problem
    if assets_dir is None:
        return replace(problem, expected="no image: this service accepts none (it runs without --assets-dir)")
    return replace(problem, expected="a path to an existing image inside the service's assets folder")


def validate(mapping: Mapping[str, Any], assets_dir: Path | None) -> tuple[Article | None, list[Problem]]:
    """The validated article, or None and every problem with its field path."""
    try:
        return article_from_mapping(mapping, "request", assets_dir), []
    except ArticleError as error:
        return None, [_service_problem(problem, assets_dir) for problem in error.problems]


def require_valid(mapping: Mapping[str, Any], assets_dir: Path | None) -> Article:
    """The validated article, or 422 with every problem."""
    article, problems = validate(mapping, assets_dir)
    if article is None:
        raise ApiError(422, "invalid_article", "the article breaks the contract; see problems", problems)
    return article


def choose_template(request: Request, mapping: Mapping[str, Any], library: TemplateLibrary) -> TemplateInfo:
    """The template named by the query, else the article's own, else the default; 404 when unknown."""
    asked = request.query_params.get("template")
    name = asked or (mapping.get("template") if isinstance(mapping.get("template"), str) else None)
    try:
        return library.get(name or DEFAULT_TEMPLATE)
    except TemplateError as error:
        path = "query.template" if asked else "template"
        known = ", ".join(info.name for info in library.all())
        raise ApiError(404, "unknown_template", str(error), [Problem(path, f"one of {known}", repr(name))]) from None


def choice(request: Request, name: str, allowed: tuple[str, ...], default: str | None) -> str | None:
    """A query parameter that must be one of allowed; 400 otherwise."""
    value = request.query_params.get(name)
    if value is None or value == "":
        return default
    if value not in allowed:
        raise ApiError(400, "bad_parameter", f"{name} must be one of {', '.join(allowed)}",
                       [Problem(f"query.{name}", f"one of {', '.join(allowed)}", repr(value))])
    return value


def render_format(request: Request, template: TemplateInfo) -> tuple[str, str | None]:
    """(format, pdf_variant) of a render request, checked against each other and the template."""
    fmt = choice(request, "format", FORMATS, "pdf")
    assert fmt is not None
    variant = choice(request, "pdf_variant", PDF_VARIANTS, None)
    if variant and fmt != "pdf":
        raise ApiError(400, "bad_parameter", "pdf_variant applies to PDF output only",
                       [Problem("query.pdf_variant", "no variant with format=" + fmt, repr(variant))])
    if fmt not in template.formats:
        raise ApiError(400, "bad_parameter", f"template {template.name!r} cannot produce {fmt}",
                       [Problem("query.format", "one of " + ", ".join(template.formats), repr(fmt))])
    return fmt, variant


def dpi(request: Request, maximum: int) -> int:
    """The preview resolution, a whole number from MIN_DPI to maximum; 400 otherwise."""
    value = request.query_params.get("dpi")
    if value is None or value == "":
        return min(DEFAULT_DPI, maximum)
    if not value.isdigit() or not MIN_DPI <= int(value) <= maximum:
        raise ApiError(400, "bad_parameter", f"dpi must be a whole number from {MIN_DPI} to {maximum}",
                       [Problem("query.dpi", f"a whole number from {MIN_DPI} to {maximum}", repr(value))])
    return int(value)
