"""Bundled fonts by typeface role, with per-glyph fallback chains and a coverage report."""

from __future__ import annotations

import unicodedata
import zlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml
from fontTools.ttLib import TTFont

from publisher.errors import FontError
from publisher.resources import fonts_dir

ROLES = ("fangsong", "kaiti", "heiti", "songti", "xiaobiaosong")


@dataclass(frozen=True)
class Face:
    """One bundled font file."""

    key: str
    path: Path
    licence: Path
    licence_name: str

    @property
    def family(self) -> str:
        """The unique CSS family name under which this face is registered."""
        return f"publisher-{self.key}"


@dataclass(frozen=True)
class ChainLink:
    """One face in a role's chain, optionally limited to some characters (CSS unicode-range)."""

    face: Face
    unicode_range: str | None = None

    @property
    def family(self) -> str:
        if self.unicode_range is None:
            return self.face.family
        return f"{self.face.family}-ranged-{zlib.crc32(self.unicode_range.encode()):08x}"


@dataclass(frozen=True)
class Role:
    """A typeface class of the standard (仿宋, 楷体 …): installed names and the bundled chain."""

    key: str
    label: str
    installed: tuple[str, ...]
    chain: tuple[ChainLink, ...]


def _visible(char: str) -> bool:
    return not (char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"))


class FontRegistry:
    """The bundled faces and role chains from fonts/manifest.yaml; load once, use for many documents."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder or fonts_dir()
        manifest_path = self.folder / "manifest.yaml"
        try:
            manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
        except OSError as error:
            raise FontError(f"font manifest unreadable: {manifest_path.name}: {error}") from None
        self.faces = {
            key: Face(key, self.folder / spec["file"], self.folder / spec["licence"], spec["licence_name"])
            for key, spec in manifest["faces"].items()
        }
        missing = [face.path.name for face in self.faces.values() if not face.path.is_file()]
        if missing:
            raise FontError("bundled font files missing: " + ", ".join(missing))
        fallback = [ChainLink(self.faces[key]) for key in manifest["fallback"]]
        self.roles = {key: self._role(key, spec, fallback) for key, spec in manifest["roles"].items()}
        self._metrics: dict[str, tuple[float, float, float]] = {}
        self._office_names: dict[str, tuple[str, bool]] = {}

    def _role(self, key: str, spec: dict, fallback: list[ChainLink]) -> Role:
        links = []
        for entry in spec["chain"]:
            if isinstance(entry, str):
                links.append(ChainLink(self.faces[entry]))
            else:
                links.append(ChainLink(self.faces[entry["face"]], entry.get("unicode_range")))
        own = {link.face.key for link in links if link.unicode_range is None}
        links += [link for link in fallback if link.face.key not in own]
        return Role(key, spec["label"], tuple(spec.get("installed", ())), tuple(links))

    @cached_property
    def coverage(self) -> frozenset[int]:
        """Every code point that some bundled face draws (every chain ends with all faces)."""
        covered: set[int] = set()
        for face in self.faces.values():
            font = TTFont(face.path, lazy=True)
            covered.update(font.getBestCmap())
            font.close()
        return frozenset(covered)

    def missing_characters(self, text: str) -> list[str]:
        """Visible characters of text that no bundled face has, each once, in order of appearance."""
        seen: dict[str, None] = {}
        for char in text:
            if char not in seen and _visible(char) and ord(char) not in self.coverage:
                seen[char] = None
        return list(seen)

    def primary_face(self, role: str) -> Face:
        """The role's own face: the first of its chain that is not limited to some characters."""
        return next(link.face for link in self.roles[role].chain if link.unicode_range is None)

    def vertical_metrics(self, role: str) -> tuple[float, float, float]:
        """Ascent, descent (positive) and ideographic em-box top of the role's first face, in em.

        These are the metrics the layout engine uses to place a line's baseline (hhea), and the
        top of the ideographic em box (BASE 'ideo' baseline + 1 em; 0.88 em when the font has none).
        """
        face = self.primary_face(role)
        if face.key not in self._metrics:
            font = TTFont(face.path, lazy=True)
            upm = font["head"].unitsPerEm
            ideo = -0.12 * upm
            if "BASE" in font:
                axis = font["BASE"].table.HorizAxis
                tags = [str(tag) for tag in axis.BaseTagList.BaselineTag]
                if "ideo" in tags:
                    script = axis.BaseScriptList.BaseScriptRecord[0].BaseScript.BaseValues
                    ideo = script.BaseCoord[tags.index("ideo")].Coordinate
            hhea = font["hhea"]
            self._metrics[face.key] = (hhea.ascent / upm, -hhea.descent / upm, (ideo + upm) / upm)
            font.close()
        return self._metrics[face.key]

    def office_face(self, role: str) -> tuple[str, bool]:
        """The family name and boldness of the role's first bundled face, as word processors name it."""
        face = self.primary_face(role)
        if face.key not in self._office_names:
            font = TTFont(face.path, lazy=True)
            self._office_names[face.key] = (font["name"].getDebugName(1) or face.key,
                                            font["OS/2"].usWeightClass >= 600)
            font.close()
        return self._office_names[face.key]

    def em_box_top(self, role: str, line_height_pt: float, size_pt: float) -> float:
        """Distance in points from the top of a line box to the top of its characters' em box."""
        ascent, descent, em_top = self.vertical_metrics(role)
        return line_height_pt / 2 + size_pt * (ascent - descent) / 2 - size_pt * em_top

    def font_face_css(self) -> str:
        """@font-face rules registering every chain link under its unique family name."""
        rules: dict[str, str] = {}
        for role in self.roles.values():
            for link in role.chain:
                limit = f" unicode-range: {link.unicode_range};" if link.unicode_range else ""
                rules[link.family] = (
                    f'@font-face {{ font-family: "{link.family}"; '
                    f'src: url("{link.face.path.resolve().as_uri()}");{limit} }}'
                )
        return "\n".join(rules[name] for name in sorted(rules))

    def family_list(self, role: str, prefer_installed: bool = False) -> str:
        """The CSS font-family value for a role: installed office faces first if asked, then bundled."""
        chosen = self.roles[role]
        names = list(chosen.installed) if prefer_installed else []
        names += [link.family for link in chosen.chain]
        return ", ".join(f'"{name}"' for name in names)
