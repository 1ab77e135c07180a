"""DOCX from the same document model: Chinese-correct OOXML, GB/T 9704 layout, determinism, and
LibreOffice's rendering of it paginating like our PDF."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pdfplumber
import pytest
from lxml import etree

import publisher
from helpers import EXAMPLES

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
EXAMPLE_NAMES = ["article", "notice", "rich", "official-notice", "official-upward", "official-joint", "letter", "report"]
OFFICIAL = ["official-notice", "official-upward", "official-joint", "letter"]


def example_file(name: str) -> Path:
    return next(path for path in EXAMPLES.iterdir() if path.stem == name and path.suffix in (".yaml", ".md"))


def part(data: bytes, name: str) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(name))


def w(name: str) -> str:
    return f"{{{W}}}{name}"


@pytest.fixture(scope="module")
def bundled() -> dict[str, bytes]:
    engine = publisher.Publisher(publisher.RenderOptions(docx_fonts="bundled"))
    return {name: engine.render(publisher.load_article(example_file(name)), "docx").data for name in EXAMPLE_NAMES}


@pytest.fixture(scope="module")
def default_docx() -> dict[str, bytes]:
    engine = publisher.Publisher()
    return {name: engine.render(publisher.load_article(example_file(name)), "docx").data for name in EXAMPLE_NAMES}


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    engine = publisher.Publisher()
    return {name: engine.render(publisher.load_article(example_file(name))).data for name in EXAMPLE_NAMES}


# --- package ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_python_docx_reopens_every_output(default_docx: dict[str, bytes], name: str) -> None:
    document = docx.Document(io.BytesIO(default_docx[name]))
    text = "".join(p.text for p in document.paragraphs)
    title = publisher.load_article(example_file(name)).title
    assert title.replace(" ", "")[:8] in text.replace("\n", "")


def test_render_twice_gives_identical_bytes_with_fixed_zip_dates() -> None:
    article = publisher.load_article(example_file("official-notice"))
    first = publisher.Publisher().render(article, "docx").data
    second = publisher.Publisher().render(article, "docx").data
    assert first == second
    package = zipfile.ZipFile(io.BytesIO(first))
    assert package.namelist()[0] == "[Content_Types].xml"
    assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_core_properties_come_from_the_article(default_docx: dict[str, bytes]) -> None:
    properties = docx.Document(io.BytesIO(default_docx["article"])).core_properties
    assert properties.title == "广东省生态环境保护工作会议召开"
    assert properties.author == "资料室编辑部"
    assert properties.created.date().isoformat() == "2023-02-23"
    assert properties.modified == properties.created
    assert properties.keywords == "行业动态"


def test_cli_writes_docx_from_the_extension(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from publisher.cli import cli

    target = tmp_path / "notice.docx"
    result = CliRunner().invoke(cli, ["render", str(example_file("official-upward")), "-o", str(target),
                                      "--docx-fonts", "standard"])
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(target)


# --- Chinese correctness ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_no_theme_fonts_and_every_font_slot_names_an_east_asian_face(default_docx: dict[str, bytes], name: str) -> None:
    data = default_docx[name]
    for part_name in ("word/styles.xml", "word/document.xml"):
        root = part(data, part_name)
        for fonts in root.iter(w("rFonts")):
            assert not [a for a in fonts.attrib if a.endswith("Theme") or a.endswith("theme")], part_name
        body_runs = [r for r in root.iter(w("r")) if r.find(w("t")) is not None]
        assert part_name == "word/styles.xml" or body_runs
    styles = part(data, "word/styles.xml")
    default = styles.find("w:docDefaults/w:rPrDefault/w:rPr", NS)
    assert default.find("w:rFonts", NS).get(w("eastAsia"))
    assert default.find("w:lang", NS).get(w("eastAsia")) == "zh-CN"
    normal = styles.find("w:style[@w:styleId='Normal']/w:rPr/w:rFonts", NS)
    assert normal.get(w("eastAsia")) and normal.get(w("ascii"))


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_a4_and_first_line_indents_in_characters(default_docx: dict[str, bytes], name: str) -> None:
    document = part(default_docx[name], "word/document.xml")
    size = document.find(".//w:sectPr/w:pgSz", NS)
    assert (size.get(w("w")), size.get(w("h"))) == ("11906", "16838")
    indents = [ind for ind in document.iter(w("ind")) if ind.get(w("firstLineChars"))]
    assert indents and {ind.get(w("firstLineChars")) for ind in indents} == {"200"}


def test_font_modes_write_office_or_bundled_names(default_docx, bundled) -> None:
    def normal_font(data: bytes) -> str:
        return part(data, "word/styles.xml").find("w:style[@w:styleId='Normal']/w:rPr/w:rFonts", NS).get(w("eastAsia"))

    assert normal_font(default_docx["official-notice"]) == "仿宋_GB2312"
    assert normal_font(bundled["official-notice"]) == "FandolFang R"
    assert normal_font(default_docx["article"]) == "宋体"
    assert normal_font(bundled["article"]) == "Noto Serif CJK SC"


def test_bundled_mode_embeds_every_face_subset_and_obfuscated(bundled: dict[str, bytes]) -> None:
    from fontTools.ttLib import TTFont

    data = bundled["official-notice"]
    package = zipfile.ZipFile(io.BytesIO(data))
    assert part(data, "word/settings.xml").find("w:embedTrueTypeFonts", NS) is not None
    table = part(data, "word/fontTable.xml")
    rels = etree.fromstring(package.read("word/_rels/fontTable.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    text = "".join(t.text for t in part(data, "word/document.xml").iter(w("t")))
    embedded = {}
    for font in table.findall("w:font", NS):
        for kind in ("embedRegular", "embedBold"):
            entry = font.find(f"w:{kind}", NS)
            if entry is None:
                continue
            key = entry.get(w("fontKey")).strip("{}").replace("-", "")
            raw = package.read("word/" + targets[entry.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")])
            # ECMA-376 §17.8.1: the first 32 bytes are XORed with the key read backwards, byte by byte
            mask = bytes.fromhex(key)[::-1]
            program = bytes(b ^ mask[i % 16] for i, b in enumerate(raw[:32])) + raw[32:]
            face = TTFont(io.BytesIO(program))
            assert "glyf" in face  # TrueType outlines, as Word embeds
            embedded[(font.get(w("name")), kind)] = face
    assert set(embedded) == {("FandolFang R", "embedRegular"), ("LXGW WenKai", "embedRegular"),
                             ("Noto Sans CJK SC", "embedRegular"), ("Noto Serif CJK SC", "embedRegular"),
                             ("Noto Serif CJK SC", "embedBold")}
    from publisher.fonts import FontRegistry

    registry = FontRegistry()
    for (name, kind), face in embedded.items():  # dates come from the bundled faces, never from the clock
        role = {"FandolFang R": "fangsong", "LXGW WenKai": "kaiti", "Noto Sans CJK SC": "heiti"}.get(
            name, "xiaobiaosong" if kind == "embedBold" else "songti")
        with TTFont(registry.primary_face(role).path, lazy=True) as source:
            assert face["head"].modified == source["head"].modified, name
    fang = embedded[("FandolFang R", "embedRegular")]
    assert len(fang.getGlyphOrder()) < 1000  # subset, not the whole face
    cmap = fang.getBestCmap()
    missing = {c for c in text if "\u4e00" <= c <= "\u9fff" and ord(c) not in cmap}
    assert missing <= set("堃喆镕")  # the face has no glyph for these; the fallback faces draw them


# --- GB/T 9704 layout ------------------------------------------------------------------------------

def test_official_margins_grid_and_condensed_characters(default_docx: dict[str, bytes]) -> None:
    document = part(default_docx["official-notice"], "word/document.xml")
    margins = document.find(".//w:sectPr/w:pgMar", NS)
    twips = {side: int(margins.get(w(side))) for side in ("top", "bottom", "left", "right")}
    assert twips == {"top": 2098, "bottom": 1984, "left": 1587, "right": 1474}  # 37, 35, 28, 26 mm
    assert document.find(".//w:sectPr/w:docGrid", NS).get(w("linePitch")) == "580"  # 225 mm / 22
    normal = part(default_docx["official-notice"], "word/styles.xml").find("w:style[@w:styleId='Normal']", NS)
    spacing = normal.find("w:pPr/w:spacing", NS)
    assert (spacing.get(w("line")), spacing.get(w("lineRule"))) == ("580", "exact")
    assert normal.find("w:rPr/w:sz", NS).get(w("val")) == "32"  # 三号 16 pt
    pitch = 156 / 28 * 72 / 25.4
    assert int(normal.find("w:rPr/w:spacing", NS).get(w("val"))) / 20 == pytest.approx(pitch - 16, abs=0.06)


def test_headings_numbered_by_word_numbering(default_docx: dict[str, bytes]) -> None:
    data = default_docx["official-notice"]
    numbering = part(data, "word/numbering.xml")
    levels = numbering.findall("w:abstractNum[@w:abstractNumId='90']/w:lvl", NS)
    assert [(lvl.find("w:numFmt", NS).get(w("val")), lvl.find("w:lvlText", NS).get(w("val"))) for lvl in levels] == [
        ("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3."), ("decimal", "（%4）")]
    document = part(data, "word/document.xml")
    headings = [p for p in document.iter(w("p"))
                if (style := p.find("w:pPr/w:pStyle", NS)) is not None and style.get(w("val")).startswith("Heading")]
    assert len(headings) >= 10
    texts = ["".join(t.text for t in p.iter(w("t"))) for p in headings]
    assert "总体要求" in texts and not [t for t in texts if t.startswith(("一、", "（一）"))]  # numbers come from Word
    number_of = {text: p.find("w:pPr/w:numPr/w:numId", NS).get(w("val")) for text, p in zip(texts, headings)}
    # the appended attachment's headings restart at 一、: they use their own numbering instance
    assert number_of["检查目标"] == number_of["组织方式"] != number_of["总体要求"]
    styles = part(data, "word/styles.xml")
    heading1 = styles.find("w:style[@w:styleId='Heading1']", NS)
    assert heading1.find("w:rPr/w:rFonts", NS).get(w("eastAsia")) == "黑体"
    assert heading1.find("w:rPr/w:b", NS).get(w("val")) in ("0", "false")


def test_red_mark_and_red_rule(default_docx: dict[str, bytes]) -> None:
    document = part(default_docx["official-notice"], "word/document.xml")
    mark = next(r for r in document.iter(w("r")) if "".join(t.text for t in r.iter(w("t"))) == "广东省生态环境厅文件")
    assert mark.find("w:rPr/w:color", NS).get(w("val")) == "E60012"
    assert mark.find("w:rPr/w:rFonts", NS).get(w("eastAsia")) == "方正小标宋简体"
    number = next(p for p in document.iter(w("p")) if "粤环〔2024〕12号" in "".join(t.text for t in p.iter(w("t"))))
    rule = number.find("w:pPr/w:pBdr/w:bottom", NS)
    assert rule.get(w("color")) == "E60012" and rule.get(w("val")) == "single"


def test_page_number_footers_odd_right_even_left_with_page_fields(default_docx: dict[str, bytes]) -> None:
    data = default_docx["official-notice"]
    settings = part(data, "word/settings.xml")
    assert settings.find("w:evenAndOddHeaders", NS) is not None
    document = part(data, "word/document.xml")
    references = {ref.get(w("type")) for ref in document.iter(w("footerReference"))}
    assert references == {"default", "even"}
    package = zipfile.ZipFile(io.BytesIO(data))
    footers = [etree.fromstring(package.read(n)) for n in package.namelist() if n.startswith("word/footer")]
    aligned = set()
    for footer in footers:
        instructions = "".join(t.text for t in footer.iter(w("instrText")))
        if "PAGE" in instructions:
            text = "".join(t.text for t in footer.iter(w("t")))
            assert text.startswith("— ") and text.endswith(" —")
            aligned.add(footer.find(".//w:jc", NS).get(w("val")))
    assert aligned == {"right", "left"}


def test_letter_has_no_number_on_its_first_page(default_docx: dict[str, bytes]) -> None:
    data = default_docx["letter"]
    document = part(data, "word/document.xml")
    assert document.find(".//w:sectPr/w:titlePg", NS) is not None
    first = next(ref for ref in document.iter(w("footerReference")) if ref.get(w("type")) == "first")
    rels = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/_rels/document.xml.rels"))
    target = next(r.get("Target") for r in rels if r.get("Id") == first.get(
        "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"))
    footer = part(data, f"word/{target}")
    assert "PAGE" not in "".join(t.text or "" for t in footer.iter(w("instrText")))


def test_banji_frames_sit_on_the_text_block_foot_with_their_rules(default_docx: dict[str, bytes]) -> None:
    document = part(default_docx["official-notice"], "word/document.xml")
    framed = [p for p in document.iter(w("p")) if p.find("w:pPr/w:framePr", NS) is not None]
    assert len(framed) == 3  # 抄送, 印发, the closing rule
    frames = [p.find("w:pPr/w:framePr", NS) for p in framed]
    assert {(f.get(w("hAnchor")), f.get(w("vAnchor")), f.get(w("x")), f.get(w("w"))) for f in frames} == {
        ("page", "page", "1587", "8844")}  # 28 mm from the left, 156 mm wide
    tops = [int(f.get(w("y"))) for f in frames]
    assert tops == sorted(tops) and tops[-1] == pytest.approx((262 - 0.35) / 25.4 * 1440, abs=2)
    rules = [p.find("w:pPr/w:pBdr/w:top", NS).get(w("sz")) for p in framed]
    assert rules == ["8", "6", "8"]  # 0.35, 0.25, 0.35 mm in eighths of a point
    text = "".join(t.text for p in framed for t in p.iter(w("t")))
    assert text.startswith("抄送：") and text.endswith("2024年3月8日印发")


def test_tables_repeat_their_header_row_and_images_are_embedded(default_docx: dict[str, bytes]) -> None:
    data = default_docx["rich"]
    document = part(data, "word/document.xml")
    assert document.find(".//w:tbl/w:tr/w:trPr/w:tblHeader", NS) is not None
    assert [n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.startswith("word/media/")]


# --- LibreOffice's rendering -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def libreoffice_pdfs(bundled: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Every example DOCX (bundled, embedded fonts) converted by LibreOffice headless, with its own profile."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is required (Debian package libreoffice-writer-nogui)"
    folder = tmp_path_factory.mktemp("libreoffice")
    for name, data in bundled.items():
        (folder / f"{name}.docx").write_bytes(data)
    # No font of ours is installed: LibreOffice has only the faces embedded in each DOCX. Each file gets
    # its own process and profile (LibreOffice keeps the first embedded subset it saw under a name).
    env = {**os.environ, "HOME": str(folder)}
    for name in bundled:
        subprocess.run([soffice, f"-env:UserInstallation={(folder / f'profile-{name}').as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(folder), str(folder / f"{name}.docx")],
                       check=True, capture_output=True, env=env, timeout=300)
    return {name: (folder / f"{name}.pdf").read_bytes() for name in bundled}


def page_count(data: bytes) -> int:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


@pytest.mark.slow
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_libreoffice_paginates_the_docx_like_our_pdf(libreoffice_pdfs, pdfs, name: str) -> None:
    assert page_count(libreoffice_pdfs[name]) == page_count(pdfs[name])


@pytest.mark.slow
@pytest.mark.parametrize("name", OFFICIAL)
def test_libreoffice_rendering_passes_every_row_of_publisher_check(libreoffice_pdfs, tmp_path: Path, name: str) -> None:
    from publisher.check import check

    path = tmp_path / f"{name}.pdf"
    path.write_bytes(libreoffice_pdfs[name])
    rows = check(path, "letter" if name == "letter" else "official")
    assert len(rows) >= 20
    assert [(row.item, row.measured) for row in rows if not row.passed] == []


@pytest.mark.slow
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_libreoffice_draws_every_character_with_a_bundled_face(libreoffice_pdfs, bundled, name: str) -> None:
    import pikepdf

    bundled_names = ("FandolFang", "LXGWWenKai", "NotoSansCJK", "NotoSerifCJK")
    with pikepdf.open(io.BytesIO(libreoffice_pdfs[name])) as pdf:
        fonts = {str(font.BaseFont).split("+")[-1] for page in pdf.pages
                 for font in (page.Resources.get("/Font") or {}).values()}
    assert fonts and all(font.startswith(bundled_names) for font in fonts), fonts
    with pdfplumber.open(io.BytesIO(libreoffice_pdfs[name])) as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages).replace("\n", "").replace(" ", "")
    article = publisher.load_article(example_file(name))
    assert article.title.replace(" ", "")[:10] in text
