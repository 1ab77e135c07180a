"""A bounded pool of render worker processes for the asyncio server.

Each worker is a process holding one Publisher (worker.py). A request takes an idle worker or waits
for one; when queue_size requests are already waiting, the next is refused at once (Busy → 503), so a
burst queues up to a limit instead of piling up in memory. A render that passes the time limit has its
worker killed and replaced (RenderTimeout → 504); a worker that dies is replaced too (WorkerCrashed).
Workers are also replaced after max_jobs renders or once their memory passes a limit, as in batch.
The blocking pipe calls run on a thread per worker, so the event loop never waits on a render.
"""

from __future__ import annotations

import asyncio
import logging
import math
import multiprocessing
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from publisher.serve.config import ServeConfig
from publisher.serve.worker import worker_main

logger = logging.getLogger("publisher.serve")

STARTUP_SECONDS = 120.0


class Busy(Exception):
    """Every worker is busy and the queue is full; retry_after is a hint in seconds."""

    def __init__(self, retry_after: int):
        super().__init__("every render worker is busy and the queue is full")
        self.retry_after = retry_after


class RenderTimeout(Exception):
    """A render took longer than the limit; its worker was killed."""


class WorkerCrashed(Exception):
    """The worker process died during a render."""


@dataclass(eq=False)  # compared and hashed by identity, kept in a set
class _Worker:
    process: Any
    conn: Connection
    pid: int


@dataclass
class PoolStats:
    """What /health reports about the pool."""

    workers: int
    idle: int
    waiting: int
    queue_size: int
    renders: int = 0
    timeouts: int = 0
    crashes: int = 0
    replaced: int = 0
    worker_pids: list[int] = field(default_factory=list)


def _call(worker: _Worker, job: dict[str, Any], timeout: float) -> tuple[dict[str, Any], bool]:
    """Send one job and wait for its reply (on a pool thread): (reply, whether the worker retires)."""
    try:
        worker.conn.send(job)
    except OSError as error:
        raise WorkerCrashed(f"the render worker is gone ({error})") from None
    if not worker.conn.poll(timeout):
        raise RenderTimeout(f"rendering took longer than {timeout:g} s")
    try:
        reply, stats = worker.conn.recv()
    except (EOFError, OSError):
        worker.process.join(timeout=5)
        raise WorkerCrashed(f"the render worker died (exit code {worker.process.exitcode})") from None
    return reply, bool(stats["recycle"])


class RenderPool:
    """Worker processes, an idle queue and the waiting count; see the module docstring."""

    def __init__(self, config: ServeConfig):
        self.config = config
        self.size = max(1, config.workers)
        self._context = multiprocessing.get_context("spawn")  # no fork of a process running threads
        self._threads = ThreadPoolExecutor(max_workers=self.size, thread_name_prefix="render")
        self._idle: asyncio.Queue[_Worker] | None = None
        self._workers: set[_Worker] = set()
        self._waiting = 0
        self._seconds = 2.0  # running mean of a render's duration, for Retry-After
        self._closing = False
        self._replacements: set[asyncio.Task[None]] = set()
        self.stats = PoolStats(self.size, 0, 0, config.queue_size)

    # -- life cycle --------------------------------------------------------------------------

    def _spawn(self) -> _Worker:
        """Start a worker process and wait until it has loaded the library (blocking)."""
        parent_end, child_end = self._context.Pipe()
        assets = str(self.config.assets_dir) if self.config.assets_dir else None
        process = self._context.Process(
            target=worker_main, args=(child_end, assets, self.config.max_jobs, self.config.max_worker_rss_mb),
            daemon=True, name="publisher-render")
        process.start()
        child_end.close()
        if not parent_end.poll(STARTUP_SECONDS):
            process.kill()
            raise RuntimeError(f"a render worker did not start within {STARTUP_SECONDS:g} s")
        try:
            message = parent_end.recv()
        except EOFError:
            process.join(5)
            message = ("fatal", f"it exited with code {process.exitcode}")
        if message[0] != "ready":
            process.kill()
            raise RuntimeError(f"a render worker could not start: {message[1]}")
        worker = _Worker(process, parent_end, message[1])
        self._workers.add(worker)
        return worker

    async def start(self) -> None:
        """Start every worker; returns when all are ready."""
        self._idle = asyncio.Queue()
        workers = await asyncio.gather(*(asyncio.to_thread(self._spawn) for _ in range(self.size)))
        for worker in workers:
            self._idle.put_nowait(worker)

    def _retire(self, worker: _Worker, kill: bool) -> None:
        """End a worker: kill it, or let it exit by itself (it does after its last reply)."""
        if kill and worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=10)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(timeout=5)
        worker.conn.close()
        self._workers.discard(worker)

    async def _replace(self, worker: _Worker, kill: bool) -> None:
        """Retire a worker and put a fresh one in the idle queue (retrying while the spawn fails)."""
        await asyncio.to_thread(self._retire, worker, kill)
        self.stats.replaced += 1
        while not self._closing:
            try:
                fresh = await asyncio.to_thread(self._spawn)
            except RuntimeError as error:
                logger.error("%s; trying again", error)
                await asyncio.sleep(1.0)
                continue
            if self._closing:
                await asyncio.to_thread(self._retire, fresh, True)
                return
            assert self._idle is not None
            self._idle.put_nowait(fresh)
            return

    async def close(self) -> None:
        """Stop every worker (idle ones are asked to exit; busy ones are killed)."""
        self._closing = True
        for task in list(self._replacements):
            task.cancel()
        for worker in list(self._workers):
            try:
                worker.conn.send(None)
            except OSError:
                pass
        await asyncio.gather(*(asyncio.to_thread(self._retire, w, False) for w in list(self._workers)))
        self._threads.shutdown(wait=False, cancel_futures=True)

    # -- rendering ---------------------------------------------------------------------------

    def _settle(self, worker: _Worker, started: float, future: Future[Any] | asyncio.Future[Any]) -> None:
        """After a job (even one whose request was cancelled): reuse, recycle or replace the worker."""
        error = None if future.cancelled() else future.exception()
        retire = True
        if error is None and not future.cancelled():
            _, retire = future.result()
            self._seconds = 0.8 * self._seconds + 0.2 * (time.monotonic() - started)
            self.stats.renders += 1
        elif isinstance(error, RenderTimeout):
            self.stats.timeouts += 1
        else:
            self.stats.crashes += 1
        if not retire and not self._closing:
            assert self._idle is not None
            self._idle.put_nowait(worker)
            return
        task = asyncio.get_running_loop().create_task(self._replace(worker, kill=error is not None))
        self._replacements.add(task)
        task.add_done_callback(self._replacements.discard)

    def retry_after(self) -> int:
        """Seconds after which a refused request may well find room: the queue's expected drain time."""
        return max(1, min(60, math.ceil(self._seconds * (self._waiting + 1) / self.size)))

    async def run(self, job: dict[str, Any]) -> dict[str, Any]:
        """Run one job on a worker, waiting for one if the queue has room; raise Busy, RenderTimeout
        or WorkerCrashed."""
        assert self._idle is not None, "the pool was not started"
        if self._idle.empty() and self._waiting >= self.config.queue_size:
            raise Busy(self.retry_after())
        self._waiting += 1
        try:
            worker = await self._idle.get()
        finally:
            self._waiting -= 1
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        future = loop.run_in_executor(self._threads, _call, worker, job, self.config.render_timeout)
        future.add_done_callback(lambda done: self._settle(worker, started, done))
        reply, _ = await asyncio.shield(future)
        return reply

    def snapshot(self) -> PoolStats:
        """The pool's figures now."""
        self.stats.idle = self._idle.qsize() if self._idle is not None else 0
        self.stats.waiting = self._waiting
        self.stats.worker_pids = sorted(w.pid for w in self._workers)
        return self.stats
