"""How to reach the broker and how workers behave: one record, filled from options or environment variables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from publisher.batch import BatchUsageError

DEFAULT_QUEUE = "publisher"
#: Environment variables read when the matching option is not given.
ENVIRONMENT = {
    "broker": "PUBLISHER_BROKER_URL",
    "result_backend": "PUBLISHER_RESULT_BACKEND",
    "queue": "PUBLISHER_QUEUE",
    "concurrency": "PUBLISHER_CONCURRENCY",
    "max_tasks_per_child": "PUBLISHER_MAX_TASKS_PER_CHILD",
    "max_memory_per_child": "PUBLISHER_MAX_MEMORY_PER_CHILD",
    "time_limit": "PUBLISHER_TIME_LIMIT",
    "visibility_timeout": "PUBLISHER_VISIBILITY_TIMEOUT",
}


@dataclass(frozen=True)
class CelerySettings:
    """Broker and worker settings. The submitter uses broker, result_backend, queue and visibility_timeout;
    the rest are the worker's. time_limit is the soft limit per document (the document fails, the worker
    goes on); the hard limit, which kills the worker's child process, comes a grace period later."""

    broker: str
    result_backend: str | None = None     # default: the broker's Redis
    queue: str = DEFAULT_QUEUE
    concurrency: int = 0                  # worker processes per worker; 0: one per core
    max_tasks_per_child: int = 200        # a worker process is replaced after this many documents
    max_memory_per_child: float = 1024.0  # ... or once its resident memory passes this many MB
    time_limit: float = 300.0             # seconds per document (all its formats)
    visibility_timeout: float = 3600.0    # seconds before Redis hands an unacknowledged task to another worker
    in_flight: int = 1000                 # tasks the submitter keeps queued at once (bounds Redis memory)

    def __post_init__(self) -> None:
        if not self.broker:
            raise BatchUsageError(f"the Celery engine needs a broker URL: give --broker or set "
                                  f"{ENVIRONMENT['broker']} (for example redis://HOST:6379/0)")

    @property
    def backend(self) -> str:
        return self.result_backend or self.broker

    @property
    def hard_time_limit(self) -> float:
        return hard_limit(self.time_limit)

    def transport_options(self) -> dict[str, Any]:
        """Redis: how long a task may stay unacknowledged (its worker died) before it is delivered again,
        and how often workers look for such tasks (a tenth of that, between 1 and 60 seconds)."""
        return {"visibility_timeout": self.visibility_timeout,
                "unacked_restore_interval": min(60.0, max(1.0, self.visibility_timeout / 10)),
                "unacked_restore_throttle": 1}

    def describe(self) -> str:
        """One line for people: the URLs with any password hidden."""
        from kombu.utils.url import maybe_sanitize_url

        backend = maybe_sanitize_url(self.result_backend) if self.result_backend else "the broker"
        return (f"broker {maybe_sanitize_url(self.broker)}, result backend {backend}, queue {self.queue!r}, "
                f"visibility timeout {self.visibility_timeout:g} s")


def hard_limit(soft: float) -> float:
    """The hard time limit for a soft one: a tenth later, at least 5 s, so the soft one can end cleanly."""
    return soft + max(5.0, soft / 10)


def require_celery() -> None:
    """Fail with an instruction when the optional Celery dependency is missing."""
    try:
        import celery  # noqa: F401
    except ImportError:
        raise BatchUsageError("the Celery engine needs Celery: pip install 'publisher[celery]'") from None
