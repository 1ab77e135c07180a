"""Read JSON, YAML, Markdown with YAML front matter, or standard input into a plain mapping."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

from publisher.errors import ArticleError, Problem

MAX_INPUT_BYTES = 8 * 1024 * 1024
STDIN = "-"
_MARKDOWN_SUFFIXES = {".md", ".markdown"}
_YAML_SUFFIXES = {".yaml", ".yml"}


class _PlainLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as the strings they were written as, so the schema checks them."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _fail(source: str, expected: str, found: str, path: str = "") -> ArticleError:
    return ArticleError(source, [Problem(path, expected, found)])


def _read_bytes(path: str) -> bytes:
    if path == STDIN:
        return sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    file = Path(path)
    if not file.is_file():
        raise _fail(path, "an existing file", "no such file" if not file.exists() else "not a file")
    with file.open("rb") as stream:
        return stream.read(MAX_INPUT_BYTES + 1)


def _decode(source: str, raw: bytes) -> str:
    if len(raw) > MAX_INPUT_BYTES:
        raise _fail(source, f"an input of at most {MAX_INPUT_BYTES // (1024 * 1024)} MB", "a larger file")
    if not raw.strip():
        raise _fail(source, "an article (title, body, …)", "an empty file")
    if b"\x00" in raw[:8192] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _fail(source, "UTF-8 text", "binary data")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _fail(source, "UTF-8 text", f"byte 0x{raw[error.start]:02x} at offset {error.start}") from None


def _sniff(text: str) -> str:
    """Guess the kind of standard input: JSON, Markdown with front matter, or YAML."""
    head = text.lstrip()
    if head.startswith(("{", "[")):
        return "json"
    lines = [line.strip() for line in head.splitlines()]
    if lines and lines[0] == "---" and "---" in lines[1:]:
        return "markdown"
    return "yaml"


def _kind(source: str, text: str) -> str:
    suffix = Path(source).suffix.lower() if source != STDIN else ""
    if suffix == ".json":
        return "json"
    if suffix in _YAML_SUFFIXES:
        return "yaml"
    if suffix in _MARKDOWN_SUFFIXES:
        return "markdown"
    return _sniff(text)


def _parse_yaml(source: str, text: str) -> Any:
    try:
        return yaml.load(text, Loader=_PlainLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise _fail(source, "valid YAML", f"{where}{problem}") from None


def _parse_json(source: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise _fail(source, "valid JSON", f"line {error.lineno}, column {error.colno}: {error.msg}") from None


def _parse_markdown(source: str, text: str) -> Any:
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise _fail(source, "Markdown starting with a YAML front-matter block (--- … ---)", "no front matter")
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            front = _parse_yaml(source, "".join(lines[1:index])) or {}
            body = "".join(lines[index + 1 :]).strip("\n")
            break
    else:
        raise _fail(source, "a front-matter block closed by ---", "no closing ---")
    if not isinstance(front, dict):
        return front
    if "body" in front and body.strip():
        raise _fail(source, "the body either in the front matter or after it, not both", "both", "body")
    if body.strip():
        front["body"] = body
    return front


_PARSERS = {"json": _parse_json, "yaml": _parse_yaml, "markdown": _parse_markdown}


def parse_text(source: str, text: str, kind: str | None = None) -> dict[str, Any]:
    """Parse article text of the given kind (json, yaml, markdown; sniffed when None)."""
    data = _PARSERS[kind or _kind(source, text)](source, text)
    if not isinstance(data, dict):
        raise _fail(source, "a mapping of article fields at the top level", type(data).__name__)
    return data


def parse_bytes(source: str, raw: bytes, kind: str | None = None) -> dict[str, Any]:
    """Decode (UTF-8, size and emptiness checked) and parse the bytes of one input."""
    return parse_text(source, _decode(source, raw), kind)


def load_mapping(path: str) -> dict[str, Any]:
    """Read one input file (or '-' for standard input) into a plain, unvalidated mapping."""
    return parse_bytes(path, _read_bytes(path))
