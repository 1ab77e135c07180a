"""Errors as JSON with field paths, and the headers of a downloaded file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any
from urllib.parse import quote

from starlette.responses import JSONResponse

from publisher.batch import safe_name
from publisher.errors import Problem

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
MAX_NAME_CHARS = 80


class ApiError(Exception):
    """An answer other than success: HTTP status, a short code, a message, and the problems with their paths."""

    def __init__(self, status: int, code: str, message: str, problems: Iterable[Problem] = (),
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.problems = list(problems)
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        """The JSON body every error has: error (code), message, problems [{path, expected, found}]."""
        body: dict[str, Any] = {"error": self.code, "message": self.message,
                                "problems": [asdict(problem) for problem in self.problems]}
        return JSONResponse(body, status_code=self.status, headers=self.headers)


def content_disposition(title: str, extension: str) -> str:
    """attachment with a file name from the title: an ASCII fallback and the UTF-8 name (RFC 5987/6266)."""
    stem = safe_name(title)[:MAX_NAME_CHARS].rstrip(". ") or "document"
    fallback = stem if stem.isascii() and stem.isprintable() else "document"
    name = f"{stem}.{extension}"
    return f"attachment; filename=\"{fallback}.{extension}\"; filename*=UTF-8''{quote(name, safe='')}"
