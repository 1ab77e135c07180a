"""The rendered PDF read like a reader reads it: text in order, A4 pages, header and footer on every
page, fonts embedded and subset, metadata from the article, identical bytes on every render, and no
missing glyphs."""

from __future__ import annotations

import io
import re
from typing import Any

import pikepdf
import pytest

import publisher
from helpers import (
    A4_PT,
    RARE_NAMES,
    EmbeddedFont,
    Page,
    check_glyphs,
    descriptor_of,
    embedded_program,
    font_resources,
    gb2312_row1,
    glyph_problem,
    normalise,
    pdf_text,
    read_pages,
)

FOOTER = re.compile(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页")


@pytest.fixture(scope="module")
def pages(example_pdf: bytes) -> list[Page]:
    return read_pages(example_pdf)


@pytest.fixture(scope="module")
def body_text(pages: list[Page]) -> str:
    """The text of every page without its first (header) and last (footer) line, normalised."""
    return normalise("".join("".join(line.text for line in page.lines[1:-1]) for page in pages))


def _expected_in_order(data: dict[str, Any]) -> list[tuple[str, str]]:
    items = [("title", data["title"]), ("lead", data["lead"])]
    items += [(f"body[{index}]", paragraph) for index, paragraph in enumerate(data["body"])]
    items += [("source", data["source"]["name"]), ("compiled_by", data["compiled_by"]),
              ("disclaimer", data["disclaimer"])]
    return items


def test_every_paragraph_comes_back_as_text_in_order(body_text: str, example_data: dict[str, Any]) -> None:
    position = 0
    for where, expected in _expected_in_order(example_data):
        wanted = normalise(expected)
        found = body_text.find(wanted, position)
        assert found >= 0, f"{where} not found (in order) in the PDF text: {wanted[:30]}…"
        position = found + len(wanted)


def test_meta_line_shows_the_chinese_date_and_the_facts(pages: list[Page], example_data: dict[str, Any]) -> None:
    first = normalise(pages[0].text)
    assert "2023年2月23日" in first
    assert example_data["category"] in first and example_data["author"] in first
    assert "1,305" in first or "1305" in first


def test_every_page_is_a4(pages: list[Page], example_pdf: bytes) -> None:
    for page in pages:
        assert page.width == pytest.approx(A4_PT[0], abs=0.5)
        assert page.height == pytest.approx(A4_PT[1], abs=0.5)
    with pikepdf.open(io.BytesIO(example_pdf)) as pdf:
        for page in pdf.pages:
            x0, y0, x1, y1 = (float(value) for value in page.mediabox)
            assert (x1 - x0, y1 - y0) == (pytest.approx(A4_PT[0], abs=0.5), pytest.approx(A4_PT[1], abs=0.5))


def test_page_count_matches_the_result(pages: list[Page], example_result: publisher.RenderResult) -> None:
    assert len(pages) == example_result.pages > 1


def test_footer_numbers_every_page_of_the_total(pages: list[Page]) -> None:
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        footer = page.lines[-1]
        match = FOOTER.fullmatch(footer.text.strip())
        assert match, f"page {number}: last line is {footer.text!r}"
        assert (int(match[1]), int(match[2])) == (number, total)
        assert footer.top > page.height * 0.9, "the footer sits in the bottom margin"
        assert all(line.bottom < footer.top for line in page.lines[:-1])


def test_publisher_name_heads_every_page(pages: list[Page], example_data: dict[str, Any]) -> None:
    name = example_data["publisher"]["name"]
    for number, page in enumerate(pages, start=1):
        header = page.lines[0]
        assert name in header.text, f"page {number}: first line is {header.text!r}"
        assert example_data["publisher"]["phone"] in header.text
        assert header.bottom < page.height * 0.1, "the header sits in the top margin"
        assert all(line.top > header.bottom for line in page.lines[1:])


def test_title_is_on_the_first_page_only(pages: list[Page], example_data: dict[str, Any]) -> None:
    title = normalise(example_data["title"])
    assert normalise(pages[0].lines[1].text) == title
    assert all(title not in normalise(page.text) for page in pages[1:])


def test_every_font_is_embedded_and_subset(example_pdf: bytes, rare_result: publisher.RenderResult) -> None:
    for data in (example_pdf, rare_result.data):
        with pikepdf.open(io.BytesIO(data)) as pdf:
            fonts = font_resources(pdf)
            assert fonts
            for font in fonts:
                base = str(font.BaseFont)
                assert re.fullmatch(r"/[A-Z]{6}\+.+", base), f"{base} is not marked as a subset"
                assert embedded_program(font) is not None, f"{base} is not embedded"
                assert str(descriptor_of(font).FontName) == base
                if font.Subtype == "/Type0":
                    assert str(font.DescendantFonts[0].BaseFont) == base


def test_embedded_fonts_are_bundled_ones(example_pdf: bytes) -> None:
    with pikepdf.open(io.BytesIO(example_pdf)) as pdf:
        names = {str(font.BaseFont).split("+", 1)[1] for font in font_resources(pdf)}
    assert names and all(name.startswith("publisher-") for name in names), names


def test_metadata_comes_from_the_article(example_pdf: bytes, example_data: dict[str, Any]) -> None:
    with pikepdf.open(io.BytesIO(example_pdf)) as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]) == example_data["title"]
        assert str(info["/Author"]) == example_data["author"]
        assert str(info["/CreationDate"]).startswith("D:20230223")
        if "/ModDate" in info:
            assert str(info["/ModDate"]).startswith("D:20230223")
        assert str(pdf.Root.Lang) == "zh-CN"


def test_render_is_byte_identical_on_every_call(
    engine: publisher.Publisher, example_article: publisher.Article, example_pdf: bytes
) -> None:
    assert engine.render(example_article).data == example_pdf


def test_render_is_byte_identical_across_publishers(example_article: publisher.Article, example_pdf: bytes) -> None:
    assert publisher.Publisher().render(example_article).data == example_pdf


def test_render_to_writes_the_same_bytes(tmp_path, engine, example_article, example_pdf: bytes) -> None:
    target = tmp_path / "article.pdf"
    engine.render_to(example_article, target)
    assert target.read_bytes() == example_pdf
    assert [path.name for path in tmp_path.iterdir()] == ["article.pdf"], "no temporary file is left behind"


# ------------------------------------------------------------------------------------------------
# No missing glyphs


def test_example_has_no_missing_glyphs(example_pdf: bytes) -> None:
    report = check_glyphs(example_pdf)
    assert report.used, "the checker saw the text"
    assert report.problems == []


def test_rare_characters_and_gb2312_punctuation_have_real_glyphs(rare_result: publisher.RenderResult) -> None:
    report = check_glyphs(rare_result.data)
    assert report.problems == []
    shown = set("".join(report.texts))
    assert set(RARE_NAMES) <= shown
    assert set(normalise(gb2312_row1())) <= shown


def test_rare_characters_and_gb2312_punctuation_are_extracted_as_text(
    rare_result: publisher.RenderResult, rare_article_data: dict[str, Any]
) -> None:
    text = normalise(pdf_text(rare_result.data))
    for field in ("title", "subtitle", "lead", "source", "compiled_by", "disclaimer"):
        assert normalise(rare_article_data[field]) in text, field
    assert normalise(rare_article_data["publisher"]["name"]) in text
    assert normalise(gb2312_row1()) in text
    assert text.count(RARE_NAMES) >= 10


# Negative controls: the checker must be able to fail.


@pytest.fixture(scope="module")
def serif_font(example_pdf: bytes) -> EmbeddedFont:
    with pikepdf.open(io.BytesIO(example_pdf)) as pdf:
        for font in font_resources(pdf):
            if str(font.BaseFont).endswith("+publisher-noto-serif-sc"):
                return EmbeddedFont.from_pdf(font)
    raise AssertionError("the body font is not in the example PDF")


def test_checker_flags_notdef_out_of_range_and_empty_glyphs(serif_font: EmbeddedFont) -> None:
    program = serif_font.program
    codes = {text: code for code, text in serif_font.to_unicode.items()}
    real = serif_font.glyph_id(codes["会"])
    space = serif_font.glyph_id(codes[" "])
    assert glyph_problem(program, real, "会") is None
    assert glyph_problem(program, space, " ") is None
    assert ".notdef" in glyph_problem(program, 0, "会")
    assert "beyond" in glyph_problem(program, len(program.getGlyphOrder()), "会")
    assert "empty outline" in glyph_problem(program, space, "会")
    assert glyph_problem(program, None, "会") is not None


def test_checker_flags_a_pdf_whose_text_draws_notdef(example_pdf: bytes) -> None:
    with pikepdf.open(io.BytesIO(example_pdf)) as pdf:
        page = pdf.pages[0]
        instructions = list(pikepdf.parse_content_stream(page))
        for index, (operands, operator) in enumerate(instructions):
            if str(operator) == "TJ":
                array = list(operands[0])
                first = next(i for i, item in enumerate(array) if isinstance(item, pikepdf.String))
                array[first] = pikepdf.String(b"\x00\x00" + bytes(array[first])[2:])
                instructions[index] = pikepdf.ContentStreamInstruction([pikepdf.Array(array)], operator)
                break
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))
        broken = io.BytesIO()
        pdf.save(broken)
    report = check_glyphs(broken.getvalue())
    assert any(".notdef" in problem for problem in report.problems), report.problems
