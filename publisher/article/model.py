"""The validated article: typed fields exactly as shared/spec/article.md names them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from publisher.article import schema
from publisher.article.loaders import load_mapping
from publisher.errors import ArticleError, Problem

Block = str | Mapping[str, Any]


@dataclass(frozen=True)
class SourceRef:
    """Where the article was first published (来源)."""

    name: str
    url: str | None = None


@dataclass(frozen=True)
class PublisherInfo:
    """The organisation issuing the document (发布单位), shown in the page header."""

    name: str | None = None
    phone: str | None = None
    address: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Official:
    """GB/T 9704 fields of an official document."""

    copy_number: str | None = None
    secrecy: str | None = None
    secrecy_period: str | None = None
    urgency: str | None = None
    issuer: str | tuple[str, ...] | None = None
    issuer_suffix: str | None = None
    number: str | None = None
    signers: tuple[str, ...] = ()
    recipients: str | None = None
    attachments: tuple[str | Mapping[str, Any], ...] = ()
    signature_style: str | None = None
    signatory: str | None = None
    seal: str | None = None
    note: str | None = None
    cc: tuple[str, ...] = ()
    printer: str | None = None
    print_date: dt.date | None = None


@dataclass(frozen=True)
class Report:
    """Cover fields of a report (the `report` template): logo image, 密级, heading numbering."""

    logo: str | None = None
    secrecy: str | None = None
    numbering: str | None = None


@dataclass(frozen=True)
class Article:
    """One validated article. `origin` names the input in messages; `base_dir` anchors image paths."""

    title: str
    subtitle: str | None = None
    date: dt.date | None = None
    category: str | None = None
    author: str | None = None
    views: int | None = None
    lead: str | None = None
    body: str | tuple[Block, ...] = ""
    source: SourceRef | None = None
    compiled_by: str | None = None
    disclaimer: str | None = None
    publisher: PublisherInfo | None = None
    keywords: tuple[str, ...] = ()
    lang: str = "zh-CN"
    template: str | None = None
    official: Official | None = None
    report: Report | None = None
    origin: str = "<article>"
    base_dir: Path | None = field(default=None, compare=False)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _official(data: Mapping[str, Any]) -> Official:
    values = dict(data)
    for name in ("signers", "attachments", "cc"):
        values[name] = tuple(values.get(name, ()))
    values["print_date"] = _date(values.get("print_date"))
    if isinstance(values.get("issuer"), list):
        values["issuer"] = tuple(values["issuer"])
    return Official(**values)


def _block_images(blocks: Any, path: str) -> list[tuple[str, Any]]:
    """(field path, src) of the image blocks in a list of blocks, or in a Markdown body."""
    if isinstance(blocks, str):
        return [(path, src) for src in markdown_image_sources(blocks)]
    if not isinstance(blocks, list):
        return []
    return [
        (f"{path}[{index}].src", block.get("src"))
        for index, block in enumerate(blocks)
        if isinstance(block, Mapping) and block.get("type") == "image"
    ]


def _local_image_problems(data: Mapping[str, Any], base_dir: Path | None) -> list[Problem]:
    """Image paths must name existing files inside the input's folder."""
    candidates = _block_images(data.get("body"), "body")
    official = data.get("official")
    if isinstance(official, Mapping):
        attachments = official.get("attachments")
        for number, attachment in enumerate(attachments if isinstance(attachments, list) else ()):
            if isinstance(attachment, Mapping):
                candidates += _block_images(attachment.get("body"), f"official.attachments[{number}].body")
        if isinstance(official.get("seal"), str):
            candidates.append(("official.seal", official["seal"]))
    report = data.get("report")
    if isinstance(report, Mapping) and isinstance(report.get("logo"), str):
        candidates.append(("report.logo", report["logo"]))
    return [
        problem
        for path, src in candidates
        if isinstance(src, str) and (problem := image_problem(path, src, base_dir)) is not None
    ]


def markdown_image_sources(text: str) -> list[str]:
    """The src of every image in a Markdown text."""
    sources: list[str] = []
    for token in markdown_parser().parse(text):
        for child in token.children or []:
            if child.type == "image":
                sources.append(str(child.attrs.get("src", "")))
    return sources


def markdown_parser() -> MarkdownIt:
    """The Markdown dialect of bodies: CommonMark, pipe tables, footnotes; raw HTML stays text."""
    return MarkdownIt("commonmark", {"html": False}).enable("table").use(footnote_plugin)


def image_problem(path: str, src: str, base_dir: Path | None) -> Problem | None:
    """Why src is not an acceptable local image (or None when it is)."""
    expected = "a path to an existing image inside the input file's folder"
    if "://" in src or src.startswith(("/", "\\", "data:")):
        return Problem(path, expected, repr(src))
    if base_dir is None:
        return Problem(path, expected + " (the article was not read from a file)", repr(src))
    root = base_dir.resolve()
    target = (root / src).resolve()
    if not target.is_relative_to(root):
        return Problem(path, expected, f"{src!r}, which leaves that folder")
    if not target.is_file():
        return Problem(path, expected, f"{src!r}, which does not exist")
    return None


def article_from_mapping(data: Mapping[str, Any], origin: str = "<article>", base_dir: Path | None = None) -> Article:
    """Validate a mapping against the schema and build the Article; raise ArticleError with every problem."""
    found = schema.problems(data)
    if isinstance(data, Mapping):
        found += _local_image_problems(data, base_dir)
    if found:
        raise ArticleError(origin, found)
    values = dict(data)
    values["date"] = _date(values.get("date"))
    if isinstance(values.get("body"), list):
        values["body"] = tuple(values["body"])
    source = values.get("source")
    if source is not None:
        values["source"] = SourceRef(source) if isinstance(source, str) else SourceRef(**source)
    if values.get("publisher") is not None:
        values["publisher"] = PublisherInfo(**values["publisher"])
    if values.get("official") is not None:
        values["official"] = _official(values["official"])
    if values.get("report") is not None:
        values["report"] = Report(**values["report"])
    values["keywords"] = tuple(values.get("keywords", ()))
    return Article(**values, origin=origin, base_dir=base_dir)


def load_article(source: str | Path | Mapping[str, Any], *, base_dir: str | Path | None = None) -> Article:
    """Load and validate an article from a file path, '-' (standard input) or a mapping.

    Image paths resolve against the input file's folder (or base_dir for mappings and stdin).
    """
    if isinstance(source, Mapping):
        folder = Path(base_dir) if base_dir is not None else None
        return article_from_mapping(source, "<article>", folder)
    name = str(source)
    if name == "-":
        folder = Path(base_dir) if base_dir is not None else Path.cwd()
    else:
        folder = Path(base_dir) if base_dir is not None else Path(name).resolve().parent
    return article_from_mapping(load_mapping(name), name, folder)
