"""Bundled fonts: files and licences as the manifest says, coverage of GB 2312 and the CJK blocks, and
warnings (or errors in strict mode) for characters no bundled face has."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fontTools.ttLib import TTFont

import publisher
from publisher.fonts import FontRegistry
from helpers import ROOT, gb2312_chars

FONTS = ROOT / "fonts"
MANIFEST = yaml.safe_load((FONTS / "manifest.yaml").read_text(encoding="utf-8"))

EMOJI = "\N{GRINNING FACE}"  # U+1F600
PRIVATE_USE = "\ue000"


@pytest.fixture(scope="module")
def registry() -> FontRegistry:
    return FontRegistry()


@pytest.fixture(scope="module")
def bundled_cmap() -> set[int]:
    """Every code point some bundled face maps, read straight from the font files listed in the manifest."""
    covered: set[int] = set()
    for spec in MANIFEST["faces"].values():
        font = TTFont(FONTS / spec["file"], lazy=True)
        covered.update(font.getBestCmap())
        font.close()
    return covered


@pytest.mark.parametrize("key", sorted(MANIFEST["faces"]))
def test_every_manifest_face_exists_with_a_licence_beside_it(key: str) -> None:
    spec = MANIFEST["faces"][key]
    face = FONTS / spec["file"]
    licence = FONTS / spec["licence"]
    assert face.is_file() and face.stat().st_size > 0, face
    assert licence.is_file(), licence
    assert licence.parent == face.parent, "the licence lies in the same folder as the face"
    assert len(licence.read_text(encoding="utf-8", errors="replace").strip()) > 200
    assert spec["licence_name"]
    TTFont(face, lazy=True).close()  # a real font program


def test_every_font_file_in_the_folder_is_in_the_manifest() -> None:
    listed = {(FONTS / spec["file"]).resolve() for spec in MANIFEST["faces"].values()}
    on_disk = {path.resolve() for path in FONTS.rglob("*") if path.suffix.lower() in (".otf", ".ttf", ".ttc")}
    assert on_disk == listed


def test_registry_loads_every_face_of_the_manifest(registry: FontRegistry) -> None:
    assert set(registry.faces) == set(MANIFEST["faces"])
    for key, face in registry.faces.items():
        assert face.path.resolve() == (FONTS / MANIFEST["faces"][key]["file"]).resolve()
        assert face.licence.is_file()


def test_every_role_chain_ends_with_every_fallback_face(registry: FontRegistry) -> None:
    for role in registry.roles.values():
        chained = [link.face.key for link in role.chain if link.unicode_range is None]
        assert set(MANIFEST["fallback"]) <= set(chained), role.key


def test_registry_without_its_font_files_is_a_font_error(tmp_path: Path) -> None:
    (tmp_path / "manifest.yaml").write_text((FONTS / "manifest.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(publisher.FontError):
        FontRegistry(tmp_path)


# ------------------------------------------------------------------------------------------------
# Coverage


def test_gb2312_decodes_to_its_full_repertoire() -> None:
    characters = gb2312_chars()
    assert len(characters) == len(set(characters)) == 7445  # 6763 hanzi + 682 other characters
    assert sum("\u4e00" <= c <= "\u9fff" for c in characters) == 6763


def test_every_gb2312_character_is_covered(registry: FontRegistry, bundled_cmap: set[int]) -> None:
    characters = gb2312_chars()
    assert [c for c in characters if ord(c) not in bundled_cmap] == []
    assert registry.missing_characters("".join(characters)) == []


@pytest.mark.parametrize(
    ("first", "last"), [(0x4E00, 0x9FFF), (0x3400, 0x4DBF)], ids=["URO U+4E00-9FFF", "Ext-A U+3400-4DBF"]
)
def test_every_cjk_ideograph_of_the_block_is_covered(
    registry: FontRegistry, bundled_cmap: set[int], first: int, last: int
) -> None:
    block = "".join(chr(code) for code in range(first, last + 1))
    assert [f"U+{ord(c):04X}" for c in block if ord(c) not in bundled_cmap] == []
    assert registry.missing_characters(block) == []


def test_rare_name_characters_are_covered(registry: FontRegistry) -> None:
    assert registry.missing_characters("堃喆镕赟彧䶮") == []


def test_missing_characters_names_emoji_and_private_use_once_in_order(registry: FontRegistry) -> None:
    text = f"中文{EMOJI}文字{PRIVATE_USE}{EMOJI} \n\t\u200b"
    assert registry.missing_characters(text) == [EMOJI, PRIVATE_USE]


# ------------------------------------------------------------------------------------------------
# Warnings and strict mode


@pytest.fixture(scope="module")
def uncovered_article() -> dict:
    return {"title": f"表情{EMOJI}", "body": [f"私用区字符{PRIVATE_USE}。"]}


@pytest.fixture(scope="module")
def uncovered_result(engine: publisher.Publisher, uncovered_article: dict) -> publisher.RenderResult:
    return engine.render(uncovered_article)


def test_render_warnings_name_characters_no_bundled_font_has(uncovered_result: publisher.RenderResult) -> None:
    text = " ".join(uncovered_result.warnings)
    assert "U+1F600" in text and EMOJI in text
    assert "U+E000" in text
    assert uncovered_result.data.startswith(b"%PDF-"), "a warning, not a failure, unless strict"


def test_covered_text_gives_no_glyph_warning(example_result: publisher.RenderResult) -> None:
    assert not [w for w in example_result.warnings if "U+" in w], example_result.warnings


def test_strict_mode_turns_missing_glyphs_into_a_render_error(uncovered_article: dict) -> None:
    strict = publisher.Publisher(publisher.RenderOptions(strict=True))
    with pytest.raises(publisher.RenderError) as caught:
        strict.render(uncovered_article)
    assert "U+1F600" in str(caught.value) and "U+E000" in str(caught.value)
    assert caught.value.exit_code == 4


def test_strict_mode_renders_text_the_bundled_fonts_cover() -> None:
    strict = publisher.Publisher(publisher.RenderOptions(strict=True))
    result = strict.render({"title": "人名用字", "body": ["王堃、李喆、张镕、赵赟、孙彧、刘䶮。"]})
    assert result.data.startswith(b"%PDF-")
    assert not [w for w in result.warnings if "U+" in w]
