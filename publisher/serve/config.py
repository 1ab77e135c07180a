"""The one record of the service's settings: where it listens and the limits it enforces."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ServeConfig:
    """Settings of `publisher serve`.

    workers: render processes, each holding one Publisher. queue_size: requests that may wait for a
    busy pool; one more is refused with 503. render_timeout: seconds one render may take before its
    worker is killed (504). max_body_bytes: the largest request body (413). assets_dir: the only
    folder article images (and seals) may be read from; None refuses every image. preview_pages and
    preview_max_dpi bound the PNG preview. A worker is replaced after max_jobs renders or once its
    memory passes max_worker_rss_mb, so a long-running service does not grow.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    queue_size: int = 16
    render_timeout: float = 60.0
    max_body_bytes: int = 5 * 1024 * 1024
    assets_dir: Path | None = None
    preview_pages: int = 12
    preview_max_dpi: int = 150
    max_jobs: int = 200
    max_worker_rss_mb: float = 1024.0
    log_level: str = "info"
