"""The Starlette application: routes, the render pool's life cycle, and errors as JSON."""

from __future__ import annotations

import base64
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from importlib.resources import files
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from publisher import __version__
from publisher.article.schema import ARTICLE_SCHEMA
from publisher.errors import Problem
from publisher.resources import fonts_dir
from publisher.serve import inputs
from publisher.serve.config import ServeConfig
from publisher.serve.openapi import build_openapi
from publisher.serve.pool import Busy, RenderPool, RenderTimeout, WorkerCrashed
from publisher.serve.responses import MEDIA_TYPES, ApiError, content_disposition
from publisher.templates import TemplateLibrary

logger = logging.getLogger("publisher.serve")

STATIC = Path(str(files("publisher.serve") / "static"))
UI_FONT = Path("noto-cjk") / "NotoSansCJKsc-Regular.otf"  # the page's font where the browser has no Chinese face
# The page loads nothing from elsewhere: scripts, styles, fonts and requests stay on this origin.
PAGE_POLICY = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
               "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
_ERROR_STATUS = {"ArticleError": (422, "invalid_article"), "TemplateError": (422, "template_error")}


class SecurityHeaders:
    """ASGI middleware: nosniff on every response, and the content policy on HTML pages."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                if any(k == b"content-type" and v.startswith(b"text/html") for k, v in headers):
                    headers.append((b"content-security-policy", PAGE_POLICY.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Service:
    """The routes, over one template library and one render pool."""

    def __init__(self, config: ServeConfig):
        self.config = config
        self.library = TemplateLibrary()
        self.pool = RenderPool(config)
        self.openapi = build_openapi(self.library.all(), config)

    async def _job(self, request: Request, kind: str) -> tuple[dict[str, Any], dict[str, Any], inputs.ArticleBody]:
        """Read, check and run one render or preview request on the pool: the job, the worker's reply, the body."""
        body = await inputs.read_article(request, self.config.max_body_bytes)
        template = inputs.choose_template(request, body.mapping, self.library)
        job: dict[str, Any] = {"kind": kind, "template": template.name}
        if kind == "render":
            job["format"], job["pdf_variant"] = inputs.render_format(request, template)
            job["source"] = body.source if job["pdf_variant"] == "pdf/a-3b" else None
        else:
            job["dpi"], job["max_pages"] = inputs.dpi(request, self.config.preview_max_dpi), self.config.preview_pages
        inputs.require_valid(body.mapping, self.config.assets_dir)
        job["article"] = body.mapping
        try:
            reply = await self.pool.run(job)
        except Busy as busy:
            raise ApiError(503, "busy", str(busy), headers={"Retry-After": str(busy.retry_after)}) from None
        except RenderTimeout as timeout:
            raise ApiError(504, "render_timeout", str(timeout)) from None
        except WorkerCrashed as crash:
            raise ApiError(500, "render_failed", str(crash)) from None
        if not reply["ok"]:
            status, code = _ERROR_STATUS.get(reply["class"], (500, "render_failed"))
            problems = [Problem(**problem) for problem in reply["problems"]]
            raise ApiError(status, code, reply["message"], problems)
        return job, reply, body

    async def render(self, request: Request) -> Response:
        job, reply, body = await self._job(request, "render")
        fmt = job["format"]
        headers = {"Content-Disposition": content_disposition(str(body.mapping["title"]), fmt)}
        if reply["pages"] is not None:
            headers["X-Page-Count"] = str(reply["pages"])
        return Response(reply["data"], media_type=MEDIA_TYPES[fmt], headers=headers)

    async def preview(self, request: Request) -> JSONResponse:
        _, reply, _ = await self._job(request, "preview")
        images = ["data:image/png;base64," + base64.b64encode(png).decode("ascii") for png in reply["images"]]
        return JSONResponse({"pages": reply["pages"], "images": images, "warnings": reply["warnings"]})

    async def validate(self, request: Request) -> JSONResponse:
        body = await inputs.read_article(request, self.config.max_body_bytes)
        template = inputs.choose_template(request, body.mapping, self.library)
        _, problems = inputs.validate(body.mapping, self.config.assets_dir)
        return JSONResponse({"valid": not problems, "template": template.name,
                             "problems": [asdict(problem) for problem in problems]})

    async def templates(self, request: Request) -> JSONResponse:
        return JSONResponse([{"name": info.name, "description": info.description, "formats": list(info.formats)}
                             for info in self.library.all()])

    async def schema(self, request: Request) -> JSONResponse:
        return JSONResponse(ARTICLE_SCHEMA)

    async def health(self, request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "version": __version__, **asdict(self.pool.snapshot())})

    async def openapi_document(self, request: Request) -> JSONResponse:
        return JSONResponse(self.openapi)

    async def page(self, request: Request) -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    async def ui_font(self, request: Request) -> FileResponse:
        return FileResponse(fonts_dir() / UI_FONT, media_type="font/otf",
                            headers={"Cache-Control": "public, max-age=86400"})


async def _api_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ApiError)
    return error.response()


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    return ApiError(error.status_code, "http_error", str(error.detail), headers=error.headers).response()


async def _server_error(request: Request, error: Exception) -> Response:
    logger.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return ApiError(500, "internal_error", f"{type(error).__name__}: the server failed on this request").response()


def create_app(config: ServeConfig) -> Starlette:
    """The application for config; the render pool starts with it and stops with it."""
    service = Service(config)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await service.pool.start()
        try:
            yield
        finally:
            await service.pool.close()

    routes = [
        Route("/", service.page, methods=["GET"]),
        Route("/render", service.render, methods=["POST"]),
        Route("/preview", service.preview, methods=["POST"]),
        Route("/validate", service.validate, methods=["POST"]),
        Route("/templates", service.templates, methods=["GET"]),
        Route("/schema", service.schema, methods=["GET"]),
        Route("/health", service.health, methods=["GET"]),
        Route("/openapi.json", service.openapi_document, methods=["GET"]),
        Route("/fonts/ui-sans.otf", service.ui_font, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    handlers = {ApiError: _api_error, HTTPException: _http_error, Exception: _server_error}
    app = Starlette(routes=routes, exception_handlers=handlers, lifespan=lifespan)
    app.add_middleware(SecurityHeaders)
    return app


def run(config: ServeConfig) -> None:
    """Serve until interrupted (uvicorn, one event loop; the renders run in the pool's processes)."""
    import uvicorn

    uvicorn.run(create_app(config), host=config.host, port=config.port, log_level=config.log_level,
                proxy_headers=True, timeout_graceful_shutdown=10)
