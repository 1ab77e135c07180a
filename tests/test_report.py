"""The report template: cover, contents whose numbers come from the layout, running heads, numbered
sections, captioned tables and figures, footnotes — read back from the PDF and the DOCX."""

from __future__ import annotations

import io
import re
import zipfile

import pdfplumber
import pikepdf
import pytest
from lxml import etree

import publisher
from helpers import EXAMPLES, MM, GLine, geometry, pdf_text

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
HEAD_BAND_MM = 35  # the text block starts 35 mm down; running heads lie above, page numbers below 267 mm
FOOT_BAND_MM = 267
ENTRY = re.compile(r"^(?P<text>.+?)\.{3,}(?P<page>\d+)$")


@pytest.fixture(scope="module")
def article() -> publisher.Article:
    return publisher.load_article(EXAMPLES / "report.yaml")


@pytest.fixture(scope="module")
def pdf(article) -> bytes:
    return publisher.Publisher().render(article).data


@pytest.fixture(scope="module")
def layout(pdf) -> tuple[list[GLine], int]:
    lines, _, count = geometry(pdf)
    return lines, count


@pytest.fixture(scope="module")
def docx_data(article) -> bytes:
    return publisher.Publisher().render(article, "docx").data


def headings(article: publisher.Article, numbering: str | None = None) -> list[tuple[int, str]]:
    """(level, label + text) of every heading, as the document model decides them."""
    engine = publisher.Publisher(publisher.RenderOptions(heading_numbering=numbering))
    document = engine.document(article, engine.templates.get("report"))
    return [(block.level, f"{block.label or ''}{''.join(span.text for span in block.spans)}")
            for block in document.blocks if block.kind == "heading"]


def body_lines(lines: list[GLine], page: int) -> list[GLine]:
    return [line for line in lines if line.page == page and HEAD_BAND_MM < line.top < FOOT_BAND_MM]


def printed_number(lines: list[GLine], page: int) -> str | None:
    """The page number printed at the foot of a page (— n —), or None."""
    for line in lines:
        if line.page == page and line.top > FOOT_BAND_MM:
            match = re.fullmatch(r"—(\w+)—", line.text)
            if match:
                return match.group(1)
    return None


def running_head(lines: list[GLine], page: int) -> str | None:
    heads = [line.text for line in lines if line.page == page and line.top < HEAD_BAND_MM - 5]
    return heads[0] if heads else None


def contents_entries(lines: list[GLine]) -> list[tuple[str, str]]:
    entries = []
    for line in lines:
        if line.page == 2 and (match := ENTRY.match(line.text)):
            entries.append((match.group("text"), match.group("page")))
    return entries


# --- cover, contents, page numbers -------------------------------------------------------------------

def test_cover_has_title_subtitle_publisher_date_secrecy_and_logo_and_no_page_number(pdf, layout) -> None:
    lines, _ = layout
    cover = [line.text for line in lines if line.page == 1]
    assert cover[0] == "内部资料"
    assert "".join(cover).startswith("内部资料广东省2024年度生态环境保护工作报告（送审稿）")
    assert cover[-2:] == ["广东省生态环境厅", "2025年1月20日"]
    assert printed_number(lines, 1) is None and running_head(lines, 1) is None
    title_lines = [line for line in lines if line.page == 1 and "报告" in line.text or "广东省2024" in line.text]
    assert all(line.size == 26 for line in title_lines[:2])
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        assert len(document.pages[0].images) == 1  # the logo


def test_contents_page_numbers_are_the_pages_where_the_headings_are(article, layout) -> None:
    lines, count = layout
    entries = contents_entries(lines)
    wanted = [text for level, text in headings(article) if level <= 3]
    assert [text for text, _ in entries] == wanted
    assert printed_number(lines, 2) == "I"
    found = {}
    for page in range(3, count + 1):
        number = printed_number(lines, page)
        for line in body_lines(lines, page):
            found.setdefault(line.text, number)
    for text, number in entries:
        assert found.get(text) == number, (text, number, found.get(text))


def test_body_pages_are_numbered_from_one_after_the_contents(layout) -> None:
    lines, count = layout
    assert [printed_number(lines, page) for page in range(3, count + 1)] == [str(n) for n in range(1, count - 1)]


def test_running_heads_title_on_even_pages_and_current_chapter_on_odd_pages(article, layout) -> None:
    lines, count = layout
    chapters = [text for level, text in headings(article) if level == 1]
    current = None
    for page in range(3, count + 1):
        starting = [line.text for line in body_lines(lines, page) if line.text in chapters]
        number = int(printed_number(lines, page) or 0)
        expected = article.title if number % 2 == 0 else (starting[0] if starting else current)
        assert running_head(lines, page) == expected, page
        current = starting[-1] if starting else current
    assert running_head(lines, 2) is None  # no head on the contents


def test_bookmarks_match_the_headings(article, pdf) -> None:
    def walk(items, depth: int, out: list) -> list:
        for item in items:
            out.append((depth, item.title))
            walk(item.children, depth + 1, out)
        return out

    with pikepdf.open(io.BytesIO(pdf)) as document, document.open_outline() as outline:
        marks = walk(outline.root, 1, [])
    assert marks == [(level, text) for level, text in headings(article) if level <= 3]


# --- numbering ------------------------------------------------------------------------------------------

def test_official_numbering_by_default_and_decimal_with_an_option(article) -> None:
    official = headings(article)
    assert [text for _, text in official[:3]] == ["一、总体情况", "（一）主要指标完成情况", "（二）年度目标考核情况"]
    assert "1.工业源深度治理" in [text for _, text in official]
    decimal = publisher.Publisher(publisher.RenderOptions(heading_numbering="decimal")).render(article)
    lines, _, _ = geometry(decimal.data)
    entries = [text for text, _ in contents_entries(lines)]
    # (geometry joins the characters of a line; the space after the number is not a character)
    assert entries[:4] == ["1总体情况", "1.1主要指标完成情况", "1.2年度目标考核情况", "2重点工作进展"]
    assert "2.1.1工业源深度治理" in entries
    assert any(line.text == "2.1.1工业源深度治理" for line in lines if line.page > 2)
    assert "2.1.1 工业源深度治理" in pdf_text(decimal.data)


# --- tables, figures, footnotes ------------------------------------------------------------------------

STATION_ROW = re.compile(r"^(\d+)\D+?(城区站|郊区站)")


def test_long_table_repeats_its_header_on_every_page_and_never_cuts_a_row(layout) -> None:
    lines, _ = layout
    rows: dict[int, list[int]] = {}
    for line in lines:
        if match := STATION_ROW.match(line.text):
            rows.setdefault(line.page, []).append(int(match.group(1)))
    assert len(rows) >= 3, rows  # longer than a page
    numbers = [number for page in sorted(rows) for number in rows[page]]
    assert numbers == list(range(1, 43))  # every row once, in order: none cut in two
    for page in rows:
        header = [line for line in body_lines(lines, page) if "监测站点" in line.text and not line.text.startswith("表")]
        first_row = min(line.top for line in body_lines(lines, page) if STATION_ROW.match(line.text))
        assert header and header[0].top < first_row, page


def test_captions_above_tables_and_below_figures_numbered_in_order(pdf, layout) -> None:
    lines, _ = layout
    text = pdf_text(pdf).replace(" ", "")
    assert text.index("表1") < text.index("表2") and text.index("图1") < text.index("图2")
    caption = next(line for line in lines if line.text.startswith("表1"))
    header = next(line for line in lines if "监测站点" in line.text and line.page == caption.page
                  and not line.text.startswith("表"))
    assert caption.top < header.top
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for label in ("图1", "图2"):
            line = next(line for line in lines if line.text.startswith(label))
            images = document.pages[line.page - 1].images
            assert len(images) == 1
            image = images[0]
            assert line.top * MM > image["bottom"] > image["top"]


def test_numeric_columns_are_right_aligned(layout) -> None:
    lines, _ = layout
    rows = [line for line in lines if STATION_ROW.match(line.text)]
    assert rows and all(abs(line.x1 - rows[0].x1) < 0.5 for line in rows)  # the last (numeric) column's right edge


def test_every_footnote_sits_on_its_calls_page_below_the_text(pdf) -> None:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        pages = [(page.extract_text() or "").replace("\n", "") for page in document.pages]
    notes = {"年均浓度为21微克/立方米": "按《环境空气质量标准》", "重要依据": "考核办法见",
             "集中收集率提高到72.4%": "城市生活污水集中收集率按", "社会投资": "投资额为计划数"}
    for call, note in notes.items():
        call_page = next(index for index, text in enumerate(pages) if call in text)
        note_page = next(index for index, text in enumerate(pages) if note in text)
        assert call_page == note_page, (call, call_page, note_page)


def test_notes_stay_with_their_calls_when_pages_fill_up() -> None:
    """Many paragraphs with notes, so that lines keep meeting the foot of a page with notes on it."""
    paragraphs = [f"第{n}段正文，说明有关情况和数据来源[^n{n}]。" + "这一段落用来填满页面的文字内容。" * (n % 5 + 2)
                  for n in range(1, 41)]
    notes = [f"[^n{n}]: 第{n}号注释的内容。" for n in range(1, 41)]
    article = publisher.load_article({"title": "脚注压力测试", "template": "report",
                                      "body": "# 情况\n\n" + "\n\n".join(paragraphs + notes)})
    data = publisher.Publisher().render(article).data
    with pdfplumber.open(io.BytesIO(data)) as document:
        pages = [(page.extract_text() or "").replace("\n", "") for page in document.pages]
    for n in range(1, 41):
        call_page = next(index for index, text in enumerate(pages) if f"第{n}段正文" in text)
        note_page = next(index for index, text in enumerate(pages) if f"第{n}号注释" in text)
        assert call_page == note_page, n


# --- DOCX -----------------------------------------------------------------------------------------------

def xml(data: bytes, name: str) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(name))


def test_docx_contents_is_a_toc_field_filled_with_our_page_numbers(docx_data, layout) -> None:
    lines, _ = layout
    document = xml(docx_data, "word/document.xml")
    codes = [node.text for node in document.iter(f"{{{W}}}instrText")]
    assert any(code.strip().startswith('TOC \\o "1-3"') for code in codes)
    entries = []
    for paragraph in document.iter(f"{{{W}}}p"):
        style = paragraph.find("w:pPr/w:pStyle", NS)
        if style is not None and style.get(f"{{{W}}}val").startswith("toc"):
            texts = [node.text for node in paragraph.iter(f"{{{W}}}t")]
            entries.append((texts[0], texts[-1]))
            assert paragraph.find("w:hyperlink", NS) is not None
    assert entries == contents_entries(lines)
    bookmarks = {node.get(f"{{{W}}}name") for node in document.iter(f"{{{W}}}bookmarkStart")}
    links = {node.get(f"{{{W}}}anchor") for node in document.iter(f"{{{W}}}hyperlink")}
    assert links and links <= bookmarks


def test_docx_sections_heads_page_numbers_and_footnotes(article, docx_data) -> None:
    document = xml(docx_data, "word/document.xml")
    sections = document.findall(".//w:sectPr", NS)
    assert len(sections) == 3  # cover, contents, body
    formats = [(s.find("w:pgNumType", NS).get(f"{{{W}}}fmt") if s.find("w:pgNumType", NS) is not None else None)
               for s in sections]
    assert formats == [None, "upperRoman", "decimal"]
    assert xml(docx_data, "word/settings.xml").find("w:evenAndOddHeaders", NS) is not None
    package = zipfile.ZipFile(io.BytesIO(docx_data))
    rels = etree.fromstring(package.read("word/_rels/document.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") for rel in rels}
    body = sections[-1]
    heads = {ref.get(f"{{{W}}}type"): etree.fromstring(package.read("word/" + targets[ref.get(
        "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")]))
        for ref in body.findall("w:headerReference", NS)}
    odd_codes = "".join(node.text for node in heads["default"].iter(f"{{{W}}}instrText"))
    assert 'STYLEREF "Heading 1"' in odd_codes
    assert "".join(node.text for node in heads["even"].iter(f"{{{W}}}t")) == article.title
    footnotes = xml(docx_data, "word/footnotes.xml")
    texts = ["".join(t.text for t in note.iter(f"{{{W}}}t")) for note in footnotes.findall("w:footnote", NS)
             if int(note.get(f"{{{W}}}id")) > 0]
    assert len(texts) == 4 and texts[0].startswith(". 按《环境空气质量标准》")
    assert len(document.findall(".//w:footnoteReference", NS)) == 4


def test_docx_tables_captions_headers_and_unsplittable_rows(docx_data) -> None:
    document = xml(docx_data, "word/document.xml")
    tables = document.findall(".//w:tbl", NS)
    assert len(tables) == 2
    for table in tables:
        rows = table.findall("w:tr", NS)
        assert rows[0].find("w:trPr/w:tblHeader", NS) is not None
        assert all(row.find("w:trPr/w:cantSplit", NS) is not None for row in rows)
        assert table.find("w:tblPr/w:tblLayout", NS).get(f"{{{W}}}type") == "fixed"
        caption = table.getprevious()
        assert "".join(t.text for t in caption.iter(f"{{{W}}}t")).startswith(("表1\u3000", "表2\u3000"))
    paragraphs = ["".join(t.text for t in p.iter(f"{{{W}}}t")) for p in document.iter(f"{{{W}}}p")]
    assert any(text.startswith("图1\u30002023年与2024年") for text in paragraphs)
