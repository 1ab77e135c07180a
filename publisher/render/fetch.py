"""The only way the PDF renderer may load a resource: local files inside allowed folders, nothing else."""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger("publisher")


class RefusedResource(ValueError):
    """A resource outside the allowed folders, or on the network."""


def local_path(url: str, roots: Iterable[Path]) -> Path:
    """The file a file: URL names, if it lies inside one of roots; otherwise RefusedResource."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise RefusedResource(f"refused to fetch {url[:80]!r}: only local files are allowed")
    path = Path(unquote(parts.path)).resolve()
    if not any(path.is_relative_to(root) for root in roots):
        raise RefusedResource(f"refused to read {path.name!r}: outside the allowed folders")
    if not path.is_file():
        raise RefusedResource(f"refused to read {path.name!r}: no such file")
    return path


class LocalOnlyFetcher(URLFetcher):
    """A WeasyPrint fetcher that serves files under the allowed roots and refuses everything else."""

    def __init__(self, roots: Iterable[Path]):
        super().__init__(allowed_protocols=["file"])
        self.roots = tuple(root.resolve() for root in roots)

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        try:
            path = local_path(url, self.roots)
        except RefusedResource as refusal:
            logger.warning("%s", refusal)
            raise
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})
