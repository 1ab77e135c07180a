"""One small error tree; each error knows the process exit code it maps to."""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_NONCONFORMING = 1
EXIT_USAGE = 2
EXIT_INVALID_INPUT = 3
EXIT_RENDER_FAILED = 4
EXIT_BATCH_FAILURES = 5  # `batch`: some inputs failed (the others were rendered; the manifest says which)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where, what was expected, what was found."""

    path: str
    expected: str
    found: str = ""

    def __str__(self) -> str:
        where = self.path or "(document)"
        found = f", got {self.found}" if self.found else ""
        return f"{where}: expected {self.expected}{found}"


class PublisherError(Exception):
    """Base of every error the library raises on purpose."""

    exit_code = EXIT_RENDER_FAILED


class ArticleError(PublisherError):
    """The input is not a valid article; carries every problem found, with its field path."""

    exit_code = EXIT_INVALID_INPUT

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"{source}: {problem}" for problem in self.problems)
        super().__init__(lines)


class TemplateError(PublisherError):
    """A template is unknown, malformed, or tried something it may not do."""

    exit_code = EXIT_INVALID_INPUT


class FontError(PublisherError):
    """The bundled fonts are missing or broken."""


class RenderError(PublisherError):
    """Rendering failed after the input was accepted."""
