"""The render worker process: holds a Publisher (one per PDF variant), renders the jobs sent over its pipe.

A job is a plain dict: kind ("render" or "preview"), the article mapping (already validated by the
server; validated again here, which is cheap), template, format, pdf_variant, source (file name and
bytes, embedded in PDF/A-3b) and, for a preview, dpi and max_pages. The reply is a dict with ok, and
either the result or the error's class, message and problems. After each job the worker reports its
memory and whether it is due to be replaced.
"""

from __future__ import annotations

import logging
import os
import signal
from dataclasses import asdict
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from publisher.processes import die_with_parent, rss_mb
from publisher.errors import ArticleError

ORIGIN = "request"


class _Engines:
    """One Publisher per PDF variant, each created on first use (fonts and templates load once)."""

    def __init__(self) -> None:
        self._by_variant: dict[str | None, Any] = {}

    def get(self, variant: str | None) -> Any:
        if variant not in self._by_variant:
            from publisher.api import Publisher
            from publisher.options import RenderOptions

            self._by_variant[variant] = Publisher(RenderOptions(pdf_variant=variant))
        return self._by_variant[variant]


def run_job(engines: _Engines, job: dict[str, Any], assets_dir: Path | None) -> dict[str, Any]:
    """Render one job; every failure becomes an error reply, never an exception."""
    from publisher.article.model import article_from_mapping

    try:
        article = article_from_mapping(job["article"], ORIGIN, assets_dir)
        if job["kind"] == "preview":
            from publisher.serve.preview import pdf_to_pngs

            result = engines.get(None).render(article, "pdf", job["template"])
            images = pdf_to_pngs(result.data, job["dpi"], job["max_pages"])
            return {"ok": True, "pages": result.pages, "images": images, "warnings": list(result.warnings)}
        result = engines.get(job["pdf_variant"]).render(article, job["format"], job["template"], source=job["source"])
        return {"ok": True, "data": result.data, "pages": result.pages, "warnings": list(result.warnings)}
    except Exception as failure:  # one request's failure of any kind is answered, never fatal
        problems = [asdict(p) for p in failure.problems] if isinstance(failure, ArticleError) else []
        return {"ok": False, "class": type(failure).__name__, "message": str(failure), "problems": problems}


def worker_main(conn: Connection, assets_dir: str | None, max_jobs: int, max_rss_mb: float) -> None:
    """Load the library, say ready, then answer jobs until told to stop or due for replacement."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    logging.getLogger("publisher").setLevel(logging.ERROR)  # warnings travel in the reply instead
    logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
    folder = Path(assets_dir) if assets_dir else None
    engines = _Engines()
    try:
        engines.get(None)._pdf_renderer()  # WeasyPrint and the font configuration, before the first request
    except Exception as failure:  # noqa: BLE001 - reported to the server, which refuses to start
        conn.send(("fatal", f"{type(failure).__name__}: {failure}"))
        return
    conn.send(("ready", os.getpid()))
    done = 0
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        reply = run_job(engines, job, folder)
        done += 1
        rss = rss_mb()
        recycle = done >= max_jobs or rss > max_rss_mb
        conn.send((reply, {"pid": os.getpid(), "rss_mb": round(rss, 1), "recycle": recycle}))
        if recycle:
            return
