"""The published JSON Schema of an article, and validation that reports every problem with its path."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from publisher.errors import Problem

MAX_BODY_CHARS = 2_000_000
HEADING_LEVELS = (1, 4)

_TEXT = {"type": "string", "maxLength": 100_000, "x-expected": "a string"}
_LINE = {"type": "string", "maxLength": 2_000, "x-expected": "a string of at most 2000 characters"}
_DATE = {"type": "string", "format": "date", "x-expected": "an ISO date YYYY-MM-DD that exists"}
_STRINGS = {"type": "array", "items": _LINE, "x-expected": "a list of strings"}


def _block(kind: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "if": {"type": "object", "properties": {"type": {"const": kind}}, "required": ["type"]},
        "then": {
            "properties": {"type": {"const": kind}, **properties},
            "required": ["type", *required],
            "additionalProperties": False,
        },
    }


_BLOCK_TYPES = ["paragraph", "heading", "list", "table", "quote", "image", "pagebreak"]
_BLOCK = {
    "type": ["string", "object"],
    "x-expected": "a paragraph string or a block mapping with a type",
    "if": {"type": "object"},
    "then": {
        "required": ["type"],
        "properties": {"type": {"enum": _BLOCK_TYPES, "x-expected": "one of " + ", ".join(_BLOCK_TYPES)}},
        "allOf": [
            _block("paragraph", {"text": _TEXT}, ["text"]),
            _block(
                "heading",
                {
                    "level": {
                        "type": "integer",
                        "minimum": HEADING_LEVELS[0],
                        "maximum": HEADING_LEVELS[1],
                        "x-expected": "a heading level from 1 to 4",
                    },
                    "text": {**_LINE, "minLength": 1, "x-expected": "a non-empty string"},
                    "numbered": {"type": "boolean", "x-expected": "true or false"},
                },
                ["level", "text"],
            ),
            _block("list", {"items": {**_STRINGS, "minItems": 1}, "ordered": {"type": "boolean"}}, ["items"]),
            _block(
                "table",
                {
                    "rows": {
                        "type": "array",
                        "items": _STRINGS,
                        "x-expected": "a list of rows, each a list of strings",
                    },
                    "header": _STRINGS,
                    "caption": _LINE,
                },
                ["rows"],
            ),
            _block("quote", {"text": _TEXT}, ["text"]),
            _block(
                "image",
                {
                    "src": {**_LINE, "minLength": 1, "x-expected": "a relative path to a local image"},
                    "caption": _LINE,
                    "width_mm": {
                        "type": "number",
                        "exclusiveMinimum": 0,
                        "maximum": 500,
                        "x-expected": "a width in millimetres above 0 and at most 500",
                    },
                },
                ["src"],
            ),
            _block("pagebreak", {}, []),
        ],
    },
}

_OFFICIAL = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "copy_number": {"type": "string", "pattern": "^[0-9]{1,6}$", "x-expected": "a string of 1 to 6 digits"},
        "secrecy": _LINE,
        "secrecy_period": _LINE,
        "urgency": {"enum": ["特急", "加急"], "x-expected": "特急 or 加急"},
        "issuer": {
            "x-expected": "an organ name, or a list of organ names for a joint issuance",
            "anyOf": [_LINE, {**_STRINGS, "minItems": 1}],
        },
        "issuer_suffix": {**_LINE, "x-expected": "the word beside joint organ names, such as 文件"},
        "number": _LINE,
        "signers": _STRINGS,
        "recipients": _LINE,
        "attachments": {
            "type": "array",
            "x-expected": "a list of attachment titles, or of {title, body} to append them",
            "items": {
                "x-expected": "an attachment title, or a mapping {title, body}",
                "anyOf": [
                    _LINE,
                    {
                        "type": "object",
                        "required": ["title"],
                        "additionalProperties": False,
                        "properties": {"title": _LINE, "body": {"$ref": "#/properties/body"}},
                    },
                ],
            },
        },
        "signature_style": {
            "enum": ["seal", "plain", "signature-seal"],
            "x-expected": "seal, plain or signature-seal",
        },
        "signatory": _LINE,
        "seal": {**_LINE, "x-expected": "a relative path to a local image"},
        "note": _LINE,
        "cc": _STRINGS,
        "printer": _LINE,
        "print_date": _DATE,
    },
}

_REPORT = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "logo": {**_LINE, "x-expected": "a relative path to a local image"},
        "secrecy": _LINE,
        "numbering": {"enum": ["official", "decimal", "none"], "x-expected": "official, decimal or none"},
    },
}

ARTICLE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "urn:publisher:article:1",
    "title": "publisher article",
    "description": "One article to render (shared/spec/article.md). Unknown fields are errors.",
    "type": "object",
    "x-expected": "a mapping of article fields",
    "required": ["title"],
    "additionalProperties": False,
    "properties": {
        "title": {**_LINE, "minLength": 1, "pattern": r"\S", "x-expected": "a non-empty string"},
        "subtitle": _LINE,
        "date": _DATE,
        "category": _LINE,
        "author": _LINE,
        "views": {"type": "integer", "minimum": 0, "x-expected": "a whole number ≥ 0"},
        "lead": _TEXT,
        "body": {
            "x-expected": "a Markdown string or a list of blocks",
            "anyOf": [
                {"type": "string", "maxLength": MAX_BODY_CHARS},
                {"type": "array", "items": _BLOCK, "maxItems": 20_000},
            ],
        },
        "source": {
            "x-expected": "a string or a mapping {name, url}",
            "anyOf": [
                _LINE,
                {
                    "type": "object",
                    "required": ["name"],
                    "additionalProperties": False,
                    "properties": {"name": _LINE, "url": _LINE},
                },
            ],
        },
        "compiled_by": _LINE,
        "disclaimer": _TEXT,
        "publisher": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"name": _LINE, "phone": _LINE, "address": _LINE, "url": _LINE},
        },
        "keywords": _STRINGS,
        "lang": {
            "type": "string",
            "pattern": "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$",
            "x-expected": "a BCP 47 language tag such as zh-CN",
        },
        "template": {**_LINE, "pattern": "^[a-z][a-z0-9_-]*$", "x-expected": "a template name"},
        "official": _OFFICIAL,
        "report": _REPORT,
    },
}


def field_path(parts: Any) -> str:
    """Render a jsonschema path such as deque(['body', 3, 'level']) as body[3].level."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "…"
        return f"{shown!r}" if len(value) <= 1000 else f"a string of {len(value):,} characters"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return f"a list of {len(value)} item(s)"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _branch_meant(error: ValidationError) -> list[ValidationError]:
    """The errors of the one alternative whose type matches the value, if exactly one does."""
    branches: dict[Any, list[ValidationError]] = {}
    for inner in error.context or []:
        branches.setdefault(inner.relative_schema_path[0], []).append(inner)
    matching = [
        errors
        for errors in branches.values()
        if not any(e.validator == "type" and e.absolute_path == error.absolute_path for e in errors)
    ]
    return matching[0] if len(matching) == 1 else []


def _problems_from(error: ValidationError) -> list[Problem]:
    if error.context and error.validator in ("anyOf", "oneOf"):
        branch = _branch_meant(error)
        if branch:
            return [problem for inner in branch for problem in _problems_from(inner)]
    path = list(error.absolute_path)
    if error.validator == "required":
        missing = error.message.split("'")[1]
        return [Problem(field_path([*path, missing]), "a value (required field)", "nothing")]
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extras = sorted(set(error.instance) - set(allowed))
        return [
            Problem(field_path([*path, name]), "a known field (" + ", ".join(allowed) + ")", "unknown field")
            for name in extras
        ]
    expected = error.schema.get("x-expected") if isinstance(error.schema, dict) else None
    if error.validator == "maxLength":
        expected = f"at most {error.validator_value:,} characters"
    elif error.validator == "maxItems":
        expected = f"at most {error.validator_value:,} items"
    return [Problem(field_path(path), expected or error.message, _describe(error.instance))]


def _order(error: ValidationError) -> list[str]:
    return [f"{part:09d}" if isinstance(part, int) else str(part) for part in error.absolute_path]


def problems(data: Any) -> list[Problem]:
    """Every way in which data breaks the schema, in document order."""
    validator = Draft202012Validator(ARTICLE_SCHEMA, format_checker=FormatChecker())
    found: list[Problem] = []
    for error in sorted(validator.iter_errors(data), key=_order):
        for problem in _problems_from(error):
            if problem not in found:
                found.append(problem)
    return found
