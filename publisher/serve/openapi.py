"""The OpenAPI 3.1 document of the service, written out by hand from the same constants the routes use.

OpenAPI 3.1 schemas are JSON Schema 2020-12, so the article's published schema is embedded as it is
(its one internal reference re-pointed into components).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from publisher import __version__
from publisher.article.schema import ARTICLE_SCHEMA
from publisher.options import PDF_VARIANTS
from publisher.render import FORMATS
from publisher.serve.config import ServeConfig
from publisher.serve.inputs import BODY_KINDS, MIN_DPI
from publisher.serve.responses import MEDIA_TYPES
from publisher.templates import TemplateInfo

_REF = "#/components/schemas/"


def _article_schema() -> dict[str, Any]:
    schema = copy.deepcopy(ARTICLE_SCHEMA)
    for key in ("$schema", "$id"):
        schema.pop(key)
    text = json.dumps(schema, ensure_ascii=False).replace('"#/properties/', f'"{_REF}Article/properties/')
    return json.loads(text)


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": _REF + "Error"}}}}


_BUSY = {**_error("Every render worker is busy and the queue is full; retry after the given seconds"),
         "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer", "minimum": 1}}}}


def _body() -> dict[str, Any]:
    content: dict[str, Any] = {}
    for media_type, kind in BODY_KINDS.items():
        if kind == "json":
            content[media_type] = {"schema": {"$ref": _REF + "Article"}}
        else:
            content[media_type] = {"schema": {"type": "string", "maxLength": 20_000,
                                              "description": f"an article as {kind} text"}}
    return {"required": True, "description": "The article: JSON, or YAML / Markdown with front matter as text",
            "content": content}


def _template_parameter(names: list[str]) -> dict[str, Any]:
    return {"name": "template", "in": "query", "required": False,
            "description": "template name (default: the article's own, else article)",
            "schema": {"type": "string", "enum": names}}


def _post(summary: str, parameters: list[dict[str, Any]], ok: dict[str, Any], *, slow: bool) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": ok,
        "400": _error("The body is not readable JSON/YAML/Markdown, or a parameter is wrong"),
        "404": _error("Unknown template"),
        "413": _error("The body is larger than the limit"),
        "415": _error("Unknown Content-Type"),
    }
    if slow:
        responses |= {"422": _error("The article breaks the contract; problems name each field path"),
                      "500": _error("Rendering failed after the article was accepted"),
                      "503": _BUSY,
                      "504": _error("The render took longer than the time limit and was stopped")}
    return {"summary": summary, "parameters": parameters, "requestBody": _body(), "responses": responses}


def _get(summary: str, content: dict[str, Any]) -> dict[str, Any]:
    return {"summary": summary, "responses": {"200": {"description": summary, "content": content}}}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def build_openapi(templates: list[TemplateInfo], config: ServeConfig) -> dict[str, Any]:
    """The OpenAPI document for this service's templates and limits."""
    names = [info.name for info in templates]
    problem = {"type": "object", "required": ["path", "expected", "found"], "properties": {
        "path": {"type": "string", "description": "field path such as body[3].level, or query.format"},
        "expected": {"type": "string"}, "found": {"type": "string"}}}
    schemas = {
        "Article": _article_schema(),
        "Problem": problem,
        "Error": {"type": "object", "required": ["error", "message", "problems"], "properties": {
            "error": {"type": "string"}, "message": {"type": "string"},
            "problems": {"type": "array", "items": {"$ref": _REF + "Problem"}}}},
        "Validation": {"type": "object", "required": ["valid", "template", "problems"], "properties": {
            "valid": {"type": "boolean"}, "template": {"type": "string"},
            "problems": {"type": "array", "items": {"$ref": _REF + "Problem"}}}},
        "Preview": {"type": "object", "required": ["pages", "images", "warnings"], "properties": {
            "pages": {"type": "integer", "description": "pages of the whole document"},
            "images": {"type": "array", "items": {"type": "string", "description": "a data: URL of a PNG page"},
                       "description": f"the first pages, at most {config.preview_pages}"},
            "warnings": {"type": "array", "items": {"type": "string"}}}},
        "Template": {"type": "object", "required": ["name", "description", "formats"], "properties": {
            "name": {"type": "string"}, "description": {"type": "string"},
            "formats": {"type": "array", "items": {"enum": list(FORMATS)}}}},
        "Health": {"type": "object", "required": ["status", "version", "workers", "idle", "waiting", "queue_size"],
                   "properties": {"status": {"const": "ok"}, "version": {"type": "string"},
                                  "workers": {"type": "integer"}, "idle": {"type": "integer"},
                                  "waiting": {"type": "integer"}, "queue_size": {"type": "integer"},
                                  "renders": {"type": "integer"}, "timeouts": {"type": "integer"},
                                  "crashes": {"type": "integer"}, "replaced": {"type": "integer"},
                                  "worker_pids": {"type": "array", "items": {"type": "integer"}}}},
    }
    template = _template_parameter(names)
    file_content = {media: {"schema": {"type": "string", "format": "binary"}} for media in MEDIA_TYPES.values()}
    render_ok = {"description": "The document, named after its title in Content-Disposition", "content": file_content,
                 "headers": {"Content-Disposition": {"schema": {"type": "string"}},
                             "X-Page-Count": {"description": "pages of a PDF", "schema": {"type": "integer"}}}}
    render_parameters = [
        template,
        {"name": "format", "in": "query", "required": False, "schema": {"enum": list(FORMATS), "default": "pdf"}},
        {"name": "pdf_variant", "in": "query", "required": False,
         "description": "archival PDF (PDF only); pdf/a-3b embeds the request body as the source",
         "schema": {"enum": list(PDF_VARIANTS)}},
    ]
    dpi = {"name": "dpi", "in": "query", "required": False,
           "schema": {"type": "integer", "minimum": MIN_DPI, "maximum": config.preview_max_dpi, "default": 96}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "publisher", "version": __version__,
                 "description": "Article data to print-ready Chinese PDF and DOCX. Errors are JSON with field paths."},
        "paths": {
            "/render": {"post": _post("Render an article to PDF or DOCX", render_parameters, render_ok, slow=True)},
            "/validate": {"post": _post("Every problem of an article, with its field path", [template],
                                        {"description": "valid, or the problems",
                                         "content": _json({"$ref": _REF + "Validation"})}, slow=False)},
            "/preview": {"post": _post("The first pages of the PDF as PNG images", [template, dpi],
                                       {"description": "page images",
                                        "content": _json({"$ref": _REF + "Preview"})}, slow=True)},
            "/templates": {"get": _get("The templates", _json({"type": "array", "items": {"$ref": _REF + "Template"}}))},
            "/schema": {"get": _get("The JSON Schema of an article", _json({"type": "object"}))},
            "/health": {"get": _get("The service and its render pool", _json({"$ref": _REF + "Health"}))},
        },
        "components": {"schemas": schemas},
    }
