"""The submitting side: send one task per document to the queue, collect each result into the manifest."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from publisher.batch import BatchConfig, BatchInput, BatchSummary, Finish
from publisher.distributed.settings import CelerySettings, hard_limit
from publisher.distributed.tasks import TASK_NAME, make_app, task_message
from publisher.errors import RenderError

logger = logging.getLogger("publisher")
POLL_SECONDS = 0.1       # how often the result backend is asked for finished tasks
MANIFEST_EVERY = 2.0     # seconds between manifest writes while the batch runs


class CeleryDispatch:
    """A publisher.batch Dispatch that renders on Celery workers: at most settings.in_flight tasks queued
    at once, each result recorded once (a task delivered twice has one result, under its one task id).
    time_limit, when given, is each task's soft time limit in seconds instead of the worker's own."""

    def __init__(self, settings: CelerySettings, time_limit: float | None = None):
        self.settings = settings
        self.limits = {} if time_limit is None else {"soft_time_limit": time_limit, "time_limit": hard_limit(time_limit)}

    def __call__(self, todo: deque[BatchInput], config: BatchConfig, finish: Finish,
                 write_manifest: Callable[[], None], summary: BatchSummary) -> None:
        from kombu.exceptions import OperationalError

        app = make_app(self.settings)
        try:
            self._check_broker(app)
            self._run(app, todo, config, finish, write_manifest)
        except (OperationalError, *app.backend.connection_errors) as error:
            raise RenderError(f"lost the broker or result backend ({self.settings.describe()}): {error}; the "
                              f"manifest has what finished, run the batch again to go on") from error
        finally:
            app.close()

    def _check_broker(self, app: Any) -> None:
        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=2, interval_start=0.5)
        except Exception as error:  # kombu raises the transport's own errors
            raise RenderError(f"cannot reach the broker ({self.settings.describe()}): {error}") from error
        if not app.control.ping(timeout=1.0):
            logger.warning("no worker answered; the tasks wait in queue %r until `publisher worker` runs",
                           self.settings.queue)

    def _run(self, app: Any, todo: deque[BatchInput], config: BatchConfig, finish: Finish,
             write_manifest: Callable[[], None]) -> None:
        pending: dict[str, BatchInput] = {}
        last_write = time.monotonic()
        while todo or pending:
            while todo and len(pending) < self.settings.in_flight:
                item = todo.popleft()
                pending[app.send_task(TASK_NAME, args=[task_message(item, config)], **self.limits).id] = item
            for task_id, meta in app.backend.get_many(list(pending), interval=POLL_SECONDS, max_iterations=1):
                item = pending.pop(task_id)
                finish(item, result_of(meta))
                app.backend.forget(task_id)
            if time.monotonic() - last_write > MANIFEST_EVERY:
                write_manifest()
                last_write = time.monotonic()


def result_of(meta: dict[str, Any]) -> dict[str, Any]:
    """The result part of a manifest record from a finished task's metadata: what the task returned, or
    a failure naming the exception (the hard time limit, or an error outside the document's rendering)."""
    if meta["status"] == "SUCCESS" and isinstance(meta.get("result"), dict):
        return meta["result"]
    error = meta.get("result")
    name = type(error).__name__ if isinstance(error, BaseException) else meta["status"]
    return {"status": "failed", "outputs": [], "warnings": [], "duration": 0.0,
            "error": {"class": name, "message": str(error)}}
