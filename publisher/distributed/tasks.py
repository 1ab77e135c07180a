"""The Celery app and its one task: render one document into the shared output folder.

Fault handling: a task is acknowledged only when it has finished (acks_late), and one whose worker process
died is put back on the queue (reject-on-worker-lost), as is one held by a worker that vanished altogether
(Redis hands it out again after the visibility timeout). Running a task twice is harmless: the same input
and options give the same bytes, written under a temporary name and renamed, and the submitter keeps one
record per input. An I/O error (OSError, such as shared storage that hiccups) is retried with exponential
backoff; invalid input, and every other failure of the document itself, is recorded at once, without retry.
"""

from __future__ import annotations

import base64
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from celery import Celery, Task
from celery.exceptions import SoftTimeLimitExceeded
from celery.utils.time import get_exponential_backoff_interval

from publisher.batch import BatchConfig, BatchInput, new_engine, render_item
from publisher.distributed.settings import CelerySettings
from publisher.options import RenderOptions

TASK_NAME = "publisher.render_document"
MESSAGE_VERSION = 1
MAX_RETRIES = 3           # after the first attempt, for I/O errors only
BACKOFF_SECONDS = 2       # first retry after up to 2 s, then 4, 8 (full jitter), never more than:
BACKOFF_MAX_SECONDS = 60


def make_app(settings: CelerySettings) -> Celery:
    """A Celery app for these settings, with the render task registered (submitter and worker alike)."""
    app = Celery("publisher", broker=settings.broker, backend=settings.backend, set_as_current=False)
    app.conf.update(
        task_serializer="json", result_serializer="json", accept_content=["json"],
        result_accept_content=["json"],
        task_default_queue=settings.queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_cancel_long_running_tasks_on_connection_loss=True,  # their messages are delivered again
        worker_prefetch_multiplier=1,
        task_soft_time_limit=settings.time_limit,
        task_time_limit=settings.hard_time_limit,
        worker_concurrency=settings.concurrency or None,
        worker_max_tasks_per_child=settings.max_tasks_per_child,
        worker_max_memory_per_child=int(settings.max_memory_per_child * 1024),  # KiB
        broker_transport_options=settings.transport_options(),
        broker_connection_retry_on_startup=True,
        worker_send_task_events=False,
    )
    app.task(name=TASK_NAME, bind=True, max_retries=MAX_RETRIES)(render_document)
    return app


# ------------------------------------------------------------------------------------------------
# the message: everything a worker needs, in JSON


def _options_to_json(options: RenderOptions) -> dict[str, Any]:
    values = asdict(options)
    values["template_dirs"] = [str(Path(folder).resolve()) for folder in options.template_dirs]
    return values


def task_message(item: BatchInput, config: BatchConfig) -> dict[str, Any]:
    """One document's task: its source bytes (base64), output stem, and where and how to render it.
    Paths are absolute: the output folder, template folders and image folders must be the same
    shared paths on every worker."""
    from publisher import __version__

    message = item.message()
    message["data"] = base64.b64encode(item.data).decode("ascii")
    return {"version": MESSAGE_VERSION, "publisher": __version__, "item": message,
            "outdir": str(config.outdir.resolve()), "formats": list(config.formats), "template": config.template,
            "options": _options_to_json(config.options)}


def _config_from_message(message: dict[str, Any]) -> BatchConfig:
    values = dict(message["options"])
    values["template_dirs"] = tuple(Path(folder) for folder in values["template_dirs"])
    return BatchConfig(outdir=Path(message["outdir"]), formats=tuple(message["formats"]),
                       template=message["template"], options=RenderOptions(**values))


# ------------------------------------------------------------------------------------------------
# the task


_engines: dict[RenderOptions, Any] = {}  # one Publisher per options, for the life of the worker process


def _engine_for(config: BatchConfig) -> Any:
    if config.options not in _engines:
        _engines[config.options] = new_engine(config)
    return _engines[config.options]


def _failed(error_class: str, message: str, started: float) -> dict[str, Any]:
    return {"status": "failed", "outputs": [], "warnings": [], "duration": round(time.perf_counter() - started, 3),
            "error": {"class": error_class, "message": message}}


def render_document(task: Task, message: dict[str, Any]) -> dict[str, Any]:
    """Render one document (a task_message) and return the result part of its manifest record, plus how
    it ran: attempts (1 + retries), whether the broker delivered it again, and the worker's name."""
    from publisher import __version__

    started = time.perf_counter()
    request = task.request
    ran = {"attempts": request.retries + 1, "redelivered": bool((request.delivery_info or {}).get("redelivered")),
           "worker": request.hostname}
    if message.get("version") != MESSAGE_VERSION or message.get("publisher") != __version__:
        return {**_failed("VersionMismatch", f"this worker runs publisher {__version__} (message version "
                          f"{MESSAGE_VERSION}); the task came from publisher {message.get('publisher')} (message "
                          f"version {message.get('version')}); run the same version everywhere", started), **ran}
    config = _config_from_message(message)
    item = {**message["item"], "data": base64.b64decode(message["item"]["data"])}
    try:
        result = render_item(_engine_for(config), item, config, reraise=(OSError, SoftTimeLimitExceeded))
    except SoftTimeLimitExceeded:
        limit = (request.timelimit or (None, None))[1] or task.app.conf.task_soft_time_limit
        result = _failed("DocumentTimeout", f"rendering took longer than {limit:g} s", started)
    except OSError as error:
        if request.retries < task.max_retries:
            countdown = get_exponential_backoff_interval(BACKOFF_SECONDS, request.retries, BACKOFF_MAX_SECONDS,
                                                         full_jitter=True)
            raise task.retry(exc=error, countdown=countdown) from error
        result = _failed(type(error).__name__, f"{error} (after {request.retries + 1} attempts)", started)
    return {**result, **ran}
