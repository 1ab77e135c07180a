"""Where the bundled templates and fonts live: installed package data first, checkout second."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled {name}/ folder not found beside the publisher package")


@cache
def templates_dir() -> Path:
    """Folder of the bundled templates."""
    return _data_dir("templates")


@cache
def fonts_dir() -> Path:
    """Folder of the bundled fonts and their manifest."""
    return _data_dir("fonts")
