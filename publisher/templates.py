"""Templates: found along a search path (user folders, then bundled), with metadata and a safe Jinja environment."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from publisher.errors import TemplateError
from publisher.resources import templates_dir

METADATA_FILE = "template.yaml"
SHARED_FOLDER = "_base"


@dataclass(frozen=True)
class TemplateInfo:
    """A template's metadata (template.yaml) and its folder."""

    name: str
    description: str
    folder: Path
    formats: tuple[str, ...]
    heading_numbering: str = "none"
    docx_layout: str = "article"
    numbered_captions: bool = False
    profile: dict[str, Any] = field(default_factory=dict, compare=False)


def _read_info(folder: Path) -> TemplateInfo:
    try:
        data = yaml.safe_load((folder / METADATA_FILE).read_text(encoding="utf-8"))
        return TemplateInfo(
            name=folder.name,
            description=str(data["description"]),
            folder=folder,
            formats=tuple(data.get("formats", ("pdf",))),
            heading_numbering=data.get("heading_numbering", "none"),
            docx_layout=data.get("docx_layout", "article"),
            numbered_captions=bool(data.get("numbered_captions", False)),
            profile=dict(data.get("profile", {})),
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        raise TemplateError(f"template {folder.name!r}: unreadable {METADATA_FILE}: {error}") from None


class TemplateLibrary:
    """Every template on the search path: user folders first, then the bundled ones."""

    def __init__(self, extra_dirs: tuple[Path, ...] = ()):
        self.search_path = (*(Path(d) for d in extra_dirs), templates_dir())
        self.shared = templates_dir() / SHARED_FOLDER
        self._environments: dict[str, ImmutableSandboxedEnvironment] = {}

    def all(self) -> list[TemplateInfo]:
        """One entry per template name, the first on the search path winning."""
        found: dict[str, TemplateInfo] = {}
        for root in self.search_path:
            if not root.is_dir():
                continue
            for folder in sorted(root.iterdir()):
                if folder.name not in found and (folder / METADATA_FILE).is_file():
                    found[folder.name] = _read_info(folder)
        return sorted(found.values(), key=lambda info: info.name)

    def get(self, name: str) -> TemplateInfo:
        """The template of that name, or a TemplateError listing the known ones."""
        for info in self.all():
            if info.name == name:
                return info
        known = ", ".join(info.name for info in self.all())
        raise TemplateError(f"unknown template {name!r}; known templates: {known}")

    def environment(self, info: TemplateInfo) -> ImmutableSandboxedEnvironment:
        """A sandboxed, autoescaping Jinja environment that can read only the template's and shared folders."""
        if info.name not in self._environments:
            self._environments[info.name] = ImmutableSandboxedEnvironment(
                loader=FileSystemLoader([str(info.folder), str(self.shared)]),
                autoescape=True,
                undefined=StrictUndefined,
                trim_blocks=True,
                lstrip_blocks=True,
            )
        return self._environments[info.name]

    def allowed_roots(self, info: TemplateInfo) -> tuple[Path, ...]:
        """Folders a template may load files (CSS, images) from."""
        return (info.folder.resolve(), self.shared.resolve())
