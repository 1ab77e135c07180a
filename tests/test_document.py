"""The document model: Markdown and block bodies become the right blocks, headings get the GB/T 9704
ordinals, dates the Chinese form. No rendering."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

import publisher
from publisher.document import build_document
from publisher.document.nodes import (
    Heading,
    Image,
    ListBlock,
    PageBreak,
    Paragraph,
    Quote,
    Table,
    inline_text,
)
from helpers import EXAMPLES


def document(body: Any, numbering: str = "none", base_dir: Path | None = None, **fields: Any):
    article = publisher.load_article({"title": "标题", "body": body, **fields}, base_dir=base_dir)
    return build_document(article, numbering)


def texts(block: Any) -> str:
    return inline_text(block.spans)


RICH_MARKDOWN = """\
# 总体情况

一季度，全省环境空气质量**总体稳定**，水质*持续*改善。

## 主要指标

- 空气质量优良天数比例
- 地表水水质优良比例

1. 第一项
2. 第二项

| 区域 | 比例（%） |
|---|---:|
| 珠三角 | 91.2 |
| 粤东 | 95.6 |

> 以更大的减排力度推进工作。
>
> 持续改善生态环境质量。

![图1 示意图](chart.png)

---

附：数据说明
"""


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("markdown")
    shutil.copy(EXAMPLES / "chart.png", folder / "chart.png")
    return document(RICH_MARKDOWN, base_dir=folder), folder


def test_markdown_becomes_blocks_of_the_right_kinds(rich) -> None:
    doc, _ = rich
    kinds = [type(block) for block in doc.blocks]
    assert kinds == [Heading, Paragraph, Heading, ListBlock, ListBlock, Table, Quote, Image, PageBreak, Paragraph]


def test_markdown_headings_keep_level_and_text(rich) -> None:
    doc, _ = rich
    headings = [block for block in doc.blocks if isinstance(block, Heading)]
    assert [(h.level, texts(h)) for h in headings] == [(1, "总体情况"), (2, "主要指标")]
    assert all(h.label is None for h in headings), "the article template numbers nothing"


def test_markdown_bold_and_emphasis_are_kept_as_styled_spans(rich) -> None:
    paragraph = rich[0].blocks[1]
    assert texts(paragraph) == "一季度，全省环境空气质量总体稳定，水质持续改善。"
    styled = {(span.text, span.bold, span.italic) for span in paragraph.spans}
    assert ("总体稳定", True, False) in styled
    assert ("持续", False, True) in styled
    assert all(not span.bold and not span.italic for span in paragraph.spans if span.text.startswith("一季度"))


def test_markdown_lists_keep_items_and_order(rich) -> None:
    bullets, numbers = rich[0].blocks[3], rich[0].blocks[4]
    assert not bullets.ordered and [inline_text(i) for i in bullets.items] == ["空气质量优良天数比例", "地表水水质优良比例"]
    assert numbers.ordered and [inline_text(i) for i in numbers.items] == ["第一项", "第二项"]


def test_markdown_table_keeps_header_rows_and_numeric_columns(rich) -> None:
    table = rich[0].blocks[5]
    assert [inline_text(cell) for cell in table.header] == ["区域", "比例（%）"]
    assert [[inline_text(cell) for cell in row] for row in table.rows] == [["珠三角", "91.2"], ["粤东", "95.6"]]
    assert table.numeric == (False, True)


def test_markdown_quote_keeps_its_paragraphs(rich) -> None:
    quote = rich[0].blocks[6]
    assert [inline_text(p) for p in quote.paragraphs] == ["以更大的减排力度推进工作。", "持续改善生态环境质量。"]


def test_markdown_image_is_the_local_file_with_its_caption(rich) -> None:
    doc, folder = rich
    image = doc.blocks[7]
    assert image.path == (folder / "chart.png").resolve()
    assert image.path.read_bytes() == (EXAMPLES / "chart.png").read_bytes()
    assert image.caption == "图1 示意图"


def test_block_body_becomes_the_same_kinds_of_blocks(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "chart.png", tmp_path / "chart.png")
    doc = document(
        [
            "　　缩进的段落",
            {"type": "paragraph", "text": "段落"},
            {"type": "heading", "level": 2, "text": " 小标题 "},
            {"type": "list", "items": ["甲", "乙"], "ordered": True},
            {"type": "table", "header": ["项目", "数值"], "rows": [["甲", "1,200"], ["乙", "-3.5%"]], "caption": "表1"},
            {"type": "quote", "text": "第一段\n第二段"},
            {"type": "image", "src": "chart.png", "caption": "图1", "width_mm": 80},
            {"type": "pagebreak"},
        ],
        base_dir=tmp_path,
    )
    first, paragraph, heading, items, table, quote, image, pagebreak = doc.blocks
    assert texts(first) == "缩进的段落", "scraped indentation (U+3000) is dropped; the template indents"
    assert texts(paragraph) == "段落"
    assert (heading.level, texts(heading)) == (2, "小标题")
    assert items.ordered and [inline_text(i) for i in items.items] == ["甲", "乙"]
    assert table.caption == "表1" and table.numeric == (False, True)
    assert [inline_text(p) for p in quote.paragraphs] == ["第一段", "第二段"]
    assert (image.path, image.caption, image.width_mm) == ((tmp_path / "chart.png").resolve(), "图1", 80)
    assert isinstance(pagebreak, PageBreak)


# ------------------------------------------------------------------------------------------------
# Official numbering


def _headings(levels: list[int | tuple[int, bool]]) -> list[dict[str, Any]]:
    blocks = []
    for index, entry in enumerate(levels):
        level, numbered = entry if isinstance(entry, tuple) else (entry, True)
        blocks.append({"type": "heading", "level": level, "text": f"标题{index}", "numbered": numbered})
    return blocks


def test_official_numbering_labels_each_level_and_restarts_lower_levels() -> None:
    doc = document(_headings([1, 2, 2, 3, 4, 4, 3, 4, 2, 3, 1, 2, 3, 4, 1, 3]), numbering="official")
    assert [block.label for block in doc.blocks] == [
        "一、", "（一）", "（二）", "1.", "（1）", "（2）", "2.", "（1）", "（三）", "1.",
        "二、", "（一）", "1.", "（1）",
        "三、", "1.",
    ]


def test_unnumbered_headings_get_no_label_and_take_no_number() -> None:
    doc = document(_headings([1, (1, False), 1, 2, (2, False), 2]), numbering="official")
    assert [block.label for block in doc.blocks] == ["一、", None, "二、", "（一）", None, "（二）"]


def test_markdown_headings_are_numbered_in_the_official_style() -> None:
    doc = document("# 甲\n\n## 乙\n\n### 丙\n\n#### 丁\n\n## 戊\n\n# 己\n", numbering="official")
    assert [(block.label, texts(block)) for block in doc.blocks] == [
        ("一、", "甲"), ("（一）", "乙"), ("1.", "丙"), ("（1）", "丁"), ("（二）", "戊"), ("二、", "己"),
    ]


@pytest.mark.parametrize(
    ("ordinal", "level_1", "level_2", "level_3"),
    [(1, "一、", "（一）", "1."), (9, "九、", "（九）", "9."), (10, "十、", "（十）", "10."),
     (11, "十一、", "（十一）", "11."), (20, "二十、", "（二十）", "20."), (23, "二十三、", "（二十三）", "23.")],
)
def test_chinese_ordinals_beyond_ten(ordinal: int, level_1: str, level_2: str, level_3: str) -> None:
    for level, expected in ((1, level_1), (2, level_2), (3, level_3)):
        doc = document(_headings([level] * ordinal), numbering="official")
        assert doc.blocks[-1].label == expected


def test_without_official_numbering_headings_have_no_labels() -> None:
    doc = document(_headings([1, 2, 3, 4]))
    assert [block.label for block in doc.blocks] == [None, None, None, None]


# ------------------------------------------------------------------------------------------------
# Dates, raw HTML, line breaks


@pytest.mark.parametrize(
    ("iso", "chinese"),
    [("2023-02-03", "2023年2月3日"), ("2023-02-23", "2023年2月23日"), ("2023-10-01", "2023年10月1日"),
     ("2024-12-31", "2024年12月31日")],
)
def test_chinese_date_has_no_zero_padding(iso: str, chinese: str) -> None:
    doc = document("正文", date=iso)
    assert doc.meta.date == dt.date.fromisoformat(iso)
    assert doc.meta.date_text == chinese


def test_no_date_gives_no_date_text() -> None:
    assert document("正文").meta.date_text is None


@pytest.mark.parametrize(
    "html",
    ["<script>alert(1)</script>", '<img src="http://127.0.0.1:9/x.png">', "<b>粗</b>", "<!-- 注释 -->",
     '<a href="file:///etc/passwd">链接</a>'],
    ids=["script", "img", "bold-tag", "comment", "file-link"],
)
def test_raw_html_in_markdown_stays_text(html: str) -> None:
    block_doc = document(f"{html}\n\n前文{html}后文\n")
    assert [texts(block) for block in block_doc.blocks] == [html, f"前文{html}后文"]


def test_raw_html_in_blocks_and_fields_stays_text() -> None:
    doc = document(["<p>段落</p>", {"type": "list", "items": ["<li>项</li>"]}], lead="<em>导读</em>")
    assert texts(doc.blocks[0]) == "<p>段落</p>"
    assert inline_text(doc.blocks[1].items[0]) == "<li>项</li>"
    assert doc.meta.lead == "<em>导读</em>"


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        pytest.param("第一行\n第二行", "第一行第二行", id="cjk-cjk"),
        pytest.param("会议强调，\n要坚持守正创新。", "会议强调，要坚持守正创新。", id="cjk-punctuation"),
        pytest.param("打好“蓝天”\n保卫战", "打好“蓝天”保卫战", id="cjk-quote"),
        pytest.param("**重点**\n内容", "重点内容", id="cjk-after-bold"),
        pytest.param("plain\nEnglish words", "plain English words", id="latin-latin"),
    ],
)
def test_soft_line_breaks_join_cjk_without_space_and_latin_with_one(markdown: str, expected: str) -> None:
    doc = document(markdown)
    assert len(doc.blocks) == 1
    assert texts(doc.blocks[0]) == expected


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        pytest.param("Hello **world**", "Hello world", id="bold-at-end"),
        pytest.param("The *quick* fox", "The quick fox", id="emphasis-inside"),
        pytest.param("PM2.5 **down** 4%", "PM2.5 down 4%", id="bold-inside"),
    ],
)
def test_spaces_around_bold_and_emphasis_are_kept(markdown: str, expected: str) -> None:
    doc = document(markdown)
    assert texts(doc.blocks[0]) == expected


def test_all_text_holds_every_printed_string() -> None:
    doc = document(
        _headings([1]) + ["正文段落"], numbering="official", subtitle="副标题", lead="导读",
        source={"name": "来源"}, compiled_by="整理", disclaimer="声明", date="2023-02-03",
        publisher={"name": "发布单位"},
    )
    text = doc.all_text()
    for expected in ("标题", "副标题", "导读", "来源", "整理", "声明", "2023年2月3日", "发布单位", "一、", "标题0", "正文段落"):
        assert expected in text


def test_example_document_has_one_paragraph_per_body_entry(example_article, example_data) -> None:
    doc = build_document(example_article)
    assert [texts(block) for block in doc.blocks] == [entry.strip() for entry in example_data["body"]]
    assert doc.meta.date_text == "2023年2月23日"
    assert doc.meta.source is not None and doc.meta.source.name == "广东省生态环境厅公众网"
