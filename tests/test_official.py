"""GB/T 9704-2012 official documents and letters, measured on the rendered PDFs (pdfplumber geometry).

Numbers come from shared/spec/gbt9704.md; positions are em boxes read from each character's baseline.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import docx as python_docx
import pytest
from click.testing import CliRunner

import publisher
from helpers import EXAMPLES, GLine, GRule, check_glyphs, find_line, geometry, is_print_red
from publisher.cli import cli
from publisher.fonts import FontRegistry

A4 = (210.0, 297.0)
LEFT, TOP, WIDTH, HEIGHT = 28.0, 37.0, 156.0, 225.0
RIGHT, BOTTOM, CENTRE = LEFT + WIDTH, TOP + HEIGHT, LEFT + WIDTH / 2
PITCH = HEIGHT / 22  # mm, the default line pitch
CHAR = WIDTH / 28  # mm, the character pitch
PT = 25.4 / 72  # mm per point
SMALL_CHAR = 14 * PT  # one 四号 character

FANGSONG, KAITI, HEITI, SONGTI, XIAOBIAOSONG = (
    "publisher-fandol-fang", "publisher-lxgw-wenkai", "publisher-noto-sans-sc", "publisher-noto-serif-sc",
    "publisher-noto-serif-sc-bold-Bold")
EXAMPLE_KINDS = {"official-notice": "official", "official-upward": "official", "official-joint": "official",
                 "letter": "letter"}


@pytest.fixture(scope="module")
def rendered(engine: publisher.Publisher) -> dict[str, bytes]:
    return {name: engine.render(publisher.load_article(EXAMPLES / f"{name}.yaml")).data for name in EXAMPLE_KINDS}


@pytest.fixture(scope="module")
def notice(rendered: dict[str, bytes]) -> tuple[list[GLine], list[GRule], int]:
    return geometry(rendered["official-notice"])


@pytest.fixture(scope="module")
def letter(rendered: dict[str, bytes]) -> tuple[list[GLine], list[GRule], int]:
    return geometry(rendered["letter"])


def body_lines(lines: list[GLine], page: int) -> list[GLine]:
    return [line for line in lines if line.page == page and line.size == 16 and line.top < BOTTOM]


# --- page and grid ---------------------------------------------------------------------------------

def test_every_page_is_a4(rendered: dict[str, bytes]) -> None:
    import pdfplumber, io

    for data in rendered.values():
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                assert (round(page.width * PT, 1), round(page.height * PT, 1)) == A4


def test_notice_has_at_least_three_pages(notice) -> None:
    assert notice[2] >= 3


def test_every_full_page_holds_22_lines_on_the_grid(notice) -> None:
    lines, rules, pages = notice
    banji_pages = {rule.page for rule in rules if not is_print_red(rule.color)}
    full = [page for page in range(2, pages) if page not in banji_pages
            and max(line.bottom for line in body_lines(lines, page)) > BOTTOM - PITCH]
    assert full, "the notice has no full page"
    for page in full:
        tops = sorted(line.top for line in body_lines(lines, page))
        assert len(tops) == 22, (page, len(tops))
        assert tops[0] == pytest.approx(TOP + (PITCH - 16 * PT) / 2, abs=0.3)
        steps = [b - a for a, b in zip(tops, tops[1:])]
        assert max(steps) == pytest.approx(PITCH, abs=0.05) and min(steps) == pytest.approx(PITCH, abs=0.05)
        assert max(line.bottom for line in body_lines(lines, page)) <= BOTTOM


def test_full_lines_hold_28_characters_on_the_character_pitch(notice) -> None:
    lines = notice[0]
    full = [line for line in lines if line.size == 16 and abs(line.x0 - LEFT) < 0.3 and len(line.text) >= 28
            and re.fullmatch(r"[\u4e00-\u9fff，。、；：“”（）《》]+", line.text)]
    assert len(full) >= 8
    for line in full:
        body = line.text.rstrip("，。、；：”）》") if len(line.text) > 28 else line.text
        assert len(body) == 28, line.text
        # the 28th character ends on the right edge of the text block; punctuation may hang past it
        assert (line.x0 + 28 * CHAR) == pytest.approx(RIGHT, abs=0.3)


def test_body_is_16pt_fangsong_indented_two_characters(notice) -> None:
    lines = notice[0]
    paragraph = find_line(lines, "各地要把专项检查作为推动高质量发展")
    assert paragraph.size == 16
    assert paragraph.fonts == {FANGSONG}
    assert paragraph.x0 == pytest.approx(LEFT + 2 * CHAR, abs=0.3)


# --- 版头 ------------------------------------------------------------------------------------------

def test_copy_number_secrecy_and_urgency_lines_in_order_flush_left(notice) -> None:
    lines = notice[0]
    copy, secrecy, urgency = (find_line(lines, text, 1) for text in ("000123", "秘密★1年", "特急"))
    assert copy.top < secrecy.top < urgency.top
    assert secrecy.top - copy.top == pytest.approx(PITCH, abs=0.1)
    for line in (copy, secrecy, urgency):
        assert line.x0 == pytest.approx(LEFT, abs=0.2)
    assert secrecy.fonts == {HEITI} and urgency.fonts == {HEITI}


def test_red_mark_35mm_below_the_block_top_centred_in_xiaobiaosong(notice) -> None:
    mark = find_line(notice[0], "广东省生态环境厅文件", 1)
    assert mark.top == pytest.approx(TOP + 35, abs=0.5)
    assert mark.centre_x == pytest.approx(CENTRE, abs=0.5)
    assert mark.fonts == {XIAOBIAOSONG}
    assert all(is_print_red(color) for color in mark.colors)
    assert mark.x1 - mark.x0 <= WIDTH


def test_document_number_two_lines_below_the_mark_centred(notice) -> None:
    lines = notice[0]
    mark = find_line(lines, "广东省生态环境厅文件", 1)
    number = find_line(lines, "粤环〔2024〕12号", 1)
    assert re.fullmatch(r".+〔\d{4}〕[1-9]\d*号", number.text)
    assert number.centre_x == pytest.approx(CENTRE, abs=0.5)
    # two empty grid lines between the mark's last line and the number's line
    assert number.top - mark.bottom == pytest.approx(2 * PITCH + (PITCH - 16 * PT) / 2, abs=0.5)
    assert all(color in {(0,), (0, 0, 0), (0, 0, 0, 1)} or max(color) == 0 for color in number.colors)


def test_red_separator_156mm_4mm_below_the_number(notice) -> None:
    lines, rules, _ = notice
    number = find_line(lines, "粤环〔2024〕12号", 1)
    red = [rule for rule in rules if rule.page == 1 and is_print_red(rule.color)]
    assert len(red) == 1
    rule = red[0]
    assert (rule.x0, rule.x1) == (pytest.approx(LEFT, abs=0.2), pytest.approx(RIGHT, abs=0.2))
    assert rule.top - number.bottom == pytest.approx(4, abs=0.5)


def test_title_22pt_centred_two_lines_below_the_rule_in_balanced_lines(notice) -> None:
    lines, rules, _ = notice
    rule = next(rule for rule in rules if rule.page == 1 and is_print_red(rule.color))
    title = [line for line in lines if line.page == 1 and line.size == 22]
    assert len(title) == 2
    assert "".join(line.text for line in title) == "广东省生态环境厅关于开展2024年度生态环境保护专项检查工作的通知"
    for line in title:
        assert line.centre_x == pytest.approx(CENTRE, abs=0.5)
        assert line.fonts == {XIAOBIAOSONG}
    assert abs(len(title[0].text) - len(title[1].text)) <= 4  # balanced, not one full line and a stub
    assert (title[0].top - rule.top) / PITCH == pytest.approx(2.2, abs=0.3)


def test_recipients_flush_left_one_empty_line_below_the_title(notice) -> None:
    lines = notice[0]
    title_last = [line for line in lines if line.page == 1 and line.size == 22][-1]
    recipients = find_line(lines, "各地级以上市生态环境局", 1)
    assert recipients.x0 == pytest.approx(LEFT, abs=0.2)
    assert recipients.text.endswith("：")
    assert recipients.top - title_last.bottom == pytest.approx(PITCH, abs=PITCH / 2)


# --- 主体 ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "font"), [
    ("一、总体要求", HEITI), ("（一）污染防治攻坚任务落实情况", KAITI),
    ("1.大气污染防治", FANGSONG), ("（1）臭氧污染防治", FANGSONG),
])
def test_headings_numbered_by_level_in_their_faces_not_bold(notice, text: str, font: str) -> None:
    line = find_line(notice[0], text)
    assert line.text == text
    assert line.fonts == {font}
    assert line.size == 16
    assert line.x0 == pytest.approx(LEFT + 2 * CHAR, abs=0.3)


def test_attachment_note_numbered_and_aligned(notice) -> None:
    lines = notice[0]
    first = find_line(lines, "附件：1.")
    second = find_line(lines, "2.专项检查情况统计表")
    assert first.x0 == pytest.approx(LEFT + 2 * CHAR, abs=0.3)
    ordinal_x = first.x0 + 3 * CHAR  # after 附件：
    assert second.x0 == pytest.approx(ordinal_x, abs=0.4)
    assert second.top - first.top == pytest.approx(PITCH, abs=0.1)


def test_sealed_signature_date_right_indented_four_with_the_seal_over_both(rendered, notice) -> None:
    import io
    import pdfplumber

    lines = notice[0]
    date = find_line(lines, "2024年3月8日")
    signatory = next(line for line in lines if line.text == "广东省生态环境厅" and line.size == 16)
    assert re.fullmatch(r"\d{4}年[1-9]\d?月[1-9]\d?日", date.text)
    assert date.x1 == pytest.approx(RIGHT - 4 * CHAR, abs=0.6)
    assert signatory.centre_x == pytest.approx(date.centre_x, abs=0.6)
    assert date.top - signatory.top == pytest.approx(PITCH, abs=0.1)
    with pdfplumber.open(io.BytesIO(rendered["official-notice"])) as pdf:
        images = pdf.pages[date.page - 1].images
    assert len(images) == 1
    seal = images[0]
    top, bottom = seal["top"] * PT, seal["bottom"] * PT
    left, right = seal["x0"] * PT, seal["x1"] * PT
    assert bottom - top == pytest.approx(42, abs=0.5)
    assert left < date.x0 and right > date.x1 and left < signatory.centre_x < right
    assert (left + right) / 2 == pytest.approx(date.centre_x, abs=0.6)
    assert top < signatory.top and bottom > date.bottom
    assert (top + bottom) / 2 < signatory.top + 8 * PT  # 署名 and date sit below the seal's centre


def test_unsealed_signature_two_characters_in_and_date_two_characters_right(rendered) -> None:
    lines = geometry(rendered["official-joint"])[0]
    date = find_line(lines, "2024年5月20日")
    signatory = find_line(lines, "广东省生态环境厅")
    signatory = next(line for line in lines if line.text.startswith("广东省生态环境厅") and line.size == 16
                     and line.top > 200 - 150 and line.text.endswith("广东省财政厅"))
    # the date is shorter than the 署名: 署名 right-indented 2, date starting 2 characters right of it
    assert signatory.x1 == pytest.approx(RIGHT - 2 * CHAR, abs=0.6)
    assert date.x0 == pytest.approx(signatory.x0 + 2 * CHAR, abs=0.6)


def test_note_in_parentheses_indented_two_characters(notice) -> None:
    note = find_line(notice[0], "（此件公开发布）")
    assert note.x0 == pytest.approx(LEFT + 2 * CHAR, abs=0.3)


def test_attachments_each_on_a_new_page_label_line_one_title_line_three(notice) -> None:
    lines = notice[0]
    for number, title in ((1, "2024年度生态环境保护专项检查工作方案"), (2, "专项检查情况统计表")):
        label = find_line(lines, f"附件{number}")
        assert label.text == f"附件{number}"
        assert label.fonts == {HEITI}
        assert label.x0 == pytest.approx(LEFT, abs=0.2)
        assert label.top == pytest.approx(TOP + (PITCH - 16 * PT) / 2, abs=0.3)  # line 1
        heading = find_line(lines, title, label.page)
        assert heading.size == 22 and heading.centre_x == pytest.approx(CENTRE, abs=0.5)
        assert (heading.top - label.top) / PITCH == pytest.approx(2, abs=0.3)  # line 3
        assert not [line for line in lines if line.page == label.page and line.top < label.top]


def test_rare_names_are_drawn_with_real_glyphs(rendered) -> None:
    report = check_glyphs(rendered["official-notice"])
    assert not report.problems, report.problems[:5]
    assert "王堃、李喆、张镕" in "".join(line.text for line in geometry(rendered["official-notice"])[0])


# --- 版记 and page numbers -------------------------------------------------------------------------

def test_banji_rules_weights_and_bottom_on_the_last_page(notice) -> None:
    lines, rules, pages = notice
    black = [rule for rule in rules if rule.page == pages and not is_print_red(rule.color)]
    assert [round(rule.height, 2) for rule in black] == [0.35, 0.25, 0.35]
    for rule in black:
        assert (rule.x0, rule.x1) == (pytest.approx(LEFT, abs=0.2), pytest.approx(RIGHT, abs=0.2))
    assert black[-1].top + black[-1].height == pytest.approx(BOTTOM, abs=0.5)
    cc = find_line(lines, "抄送：", pages)
    printed = find_line(lines, "印发", pages)
    cc_lines = [line for line in lines if line.page == pages and cc.top <= line.top < printed.top]
    assert cc.size == 14 and printed.size == 14 and all(line.size == 14 for line in cc_lines)
    assert cc.x0 == pytest.approx(LEFT + SMALL_CHAR, abs=0.3)
    assert cc_lines[-1].text.endswith("。")
    for wrapped in cc_lines[1:]:  # wrapped lines align after 抄送：
        assert wrapped.x0 == pytest.approx(LEFT + 4 * SMALL_CHAR, abs=0.3)
    assert printed.x0 == pytest.approx(LEFT + SMALL_CHAR, abs=0.3)
    assert printed.x1 == pytest.approx(RIGHT - SMALL_CHAR, abs=0.6)
    assert printed.text.endswith("2024年3月8日印发")
    assert black[0].top < cc.top < black[1].top < printed.top < black[2].top


def test_page_numbers_dashes_14pt_odd_right_even_left_7mm_below(notice) -> None:
    lines, _, pages = notice
    for page in range(1, pages + 1):
        number = [line for line in lines if line.page == page and line.top > BOTTOM + 3]
        assert len(number) == 1, page
        line = number[0]
        assert re.fullmatch(rf"—\s*{page}\s*—", line.text)
        assert line.size == 14 and line.fonts == {SONGTI}
        assert line.top - BOTTOM == pytest.approx(7, abs=0.5)
        if page % 2:
            assert line.x1 == pytest.approx(RIGHT - SMALL_CHAR, abs=0.6)
        else:
            assert line.x0 == pytest.approx(LEFT + SMALL_CHAR, abs=0.6)


def test_centred_page_numbers_option(engine) -> None:
    options = publisher.RenderOptions(page_numbers="centre")
    data = publisher.Publisher(options).render(publisher.load_article(EXAMPLES / "official-upward.yaml")).data
    numbers = [line for line in geometry(data)[0] if line.top > BOTTOM + 3]
    assert numbers and all(line.centre_x == pytest.approx(CENTRE, abs=0.6) for line in numbers)


def test_banji_on_an_even_page_with_a_blank_page_unnumbered(tmp_path: Path) -> None:
    article = {"title": "关于召开工作会议的通知", "date": "2024-03-08", "template": "official",
               "official": {"issuer": "广东省生态环境厅文件", "number": "粤环〔2024〕2号", "signatory": "广东省生态环境厅",
                            "cc": ["省政府办公厅"], "printer": "广东省生态环境厅办公室", "print_date": "2024-03-08"},
               "body": ["定于3月12日召开全厅工作会议，请各处室主要负责同志参加。"]}
    plain = geometry(publisher.Publisher().render(article).data)
    even = geometry(publisher.Publisher(publisher.RenderOptions(banji_even_page=True)).render(article).data)
    assert plain[2] == 1 and find_line(plain[0], "抄送").page == 1
    assert even[2] == 2 and find_line(even[0], "抄送").page == 2
    assert not [line for line in even[0] if line.page == 2 and line.top > BOTTOM + 3]  # no number on it


def test_28pt_line_pitch_option() -> None:
    paragraph = "全省生态环境系统要深入学习贯彻党的二十大精神，持续改善生态环境质量。" * 5
    article = {"title": "关于行距的通知", "template": "official", "official": {"issuer": "广东省生态环境厅文件"},
               "body": [paragraph] * 12}
    data = publisher.Publisher(publisher.RenderOptions(line_pitch="28pt")).render(article).data
    lines, _, pages = geometry(data)
    assert pages >= 3
    tops = sorted(line.top for line in body_lines(lines, 2))
    assert len(tops) == 22
    assert {round(b - a, 2) for a, b in zip(tops, tops[1:])} == {round(28 * PT, 2)}


# --- 上行文, joint issuance, letter ---------------------------------------------------------------

def test_upward_number_left_and_signers_right_on_one_line(rendered) -> None:
    lines = geometry(rendered["official-upward"])[0]
    line = find_line(lines, "签发人", 1)
    assert line.text.startswith("粤环〔2024〕31号")
    assert line.x0 == pytest.approx(LEFT + CHAR, abs=0.5)
    assert line.x1 == pytest.approx(RIGHT - CHAR, abs=0.8)
    assert KAITI in line.fonts and "鲁修禄" in line.text and "徐晓霞" in line.text


def test_joint_issuance_organs_stacked_with_wenjian_vertically_centred(rendered) -> None:
    lines = geometry(rendered["official-joint"])[0]
    red = [line for line in lines if line.page == 1 and all(is_print_red(c) for c in line.colors)]
    organs = [line for line in red if "广东省" in line.text]
    wenjian = find_line(red, "文件")
    assert len(organs) == 2 and organs[0].top < organs[1].top
    assert organs[0].top == pytest.approx(TOP + 35, abs=0.5)
    assert organs[0].x0 == pytest.approx(organs[1].x0, abs=0.3) and organs[0].x1 == pytest.approx(organs[1].x1, abs=0.5)
    middle = (organs[0].top + organs[1].bottom) / 2
    assert (wenjian.top + wenjian.bottom) / 2 == pytest.approx(middle, abs=1)
    assert wenjian.x0 > organs[0].x1
    assert (min(l.x0 for l in red) + max(l.x1 for l in red)) / 2 == pytest.approx(CENTRE, abs=0.6)


def test_letter_mark_30mm_red_double_rules_and_fields(letter) -> None:
    lines, rules, pages = letter
    mark = find_line(lines, "广东省生态环境厅", 1)
    assert mark.top == pytest.approx(30, abs=0.5)
    assert all(is_print_red(color) for color in mark.colors)
    red = sorted((rule for rule in rules if rule.page == 1 and is_print_red(rule.color)), key=lambda r: r.top)
    assert len(red) == 4
    for rule in red:
        assert rule.x1 - rule.x0 == pytest.approx(170, abs=0.3)
        assert (rule.x0 + rule.x1) / 2 == pytest.approx(CENTRE, abs=0.3)
    upper_thick, upper_thin, lower_thin, lower_thick = red
    assert upper_thick.height > upper_thin.height and lower_thick.height > lower_thin.height
    assert upper_thick.top - mark.bottom == pytest.approx(4, abs=0.5)
    assert lower_thick.top + lower_thick.height == pytest.approx(297 - 20, abs=0.5)
    fields = find_line(lines, "000017", 1)
    assert fields.x0 == pytest.approx(LEFT, abs=0.2)
    assert fields.text.endswith("粤环函〔2024〕88号") and fields.x1 == pytest.approx(RIGHT, abs=0.3)
    assert fields.top - (upper_thin.top + upper_thin.height) == pytest.approx(4.94, abs=0.5)


def test_letter_has_no_number_on_page_one_and_no_banji_rules(letter) -> None:
    lines, rules, pages = letter
    assert pages >= 2
    assert not [line for line in lines if line.page == 1 and line.top > BOTTOM + 3 and "—" in line.text]
    assert [line.text for line in lines if line.page == 2 and line.top > BOTTOM + 3] == ["—2—"] or \
        re.fullmatch(r"—\s*2\s*—", next(line.text for line in lines if line.page == 2 and line.top > BOTTOM + 3))
    assert not [rule for rule in rules if not is_print_red(rule.color)]
    assert find_line(lines, "抄送：").page == pages


# --- publisher check ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(EXAMPLE_KINDS))
def test_check_passes_every_row_on_every_official_example(rendered, tmp_path: Path, name: str) -> None:
    from publisher.check import check

    path = tmp_path / f"{name}.pdf"
    path.write_bytes(rendered[name])
    rows = check(path, EXAMPLE_KINDS[name])
    assert len(rows) >= 20
    assert [row for row in rows if not row.passed] == []


def test_check_cli_prints_rows_and_json(rendered, tmp_path: Path) -> None:
    path = tmp_path / "notice.pdf"
    path.write_bytes(rendered["official-notice"])
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "passed, 0 failed" in result.output
    data = json.loads(CliRunner().invoke(cli, ["check", "--json", str(path)]).output)
    assert data["passed"] is True and {row["item"] for row in data["rows"]} >= {
        "paper size", "body size", "lines per full page", "characters per full line", "title size",
        "issuing mark top edge", "red separator width", "版记 rule weights", "page number style"}


VIOLATING_HTML = """<!DOCTYPE html><html lang="zh-CN"><head><style>
{font_faces}
html { font-family: "publisher-fandol-fang", "publisher-noto-serif-sc"; }
@page { size: A4; margin: 30mm 20mm 30mm 20mm;
  @bottom-center { content: "- " counter(page) " -"; font-size: 10pt; } }
body { font-size: 15pt; line-height: 26pt; }
.mark { color: rgb(230, 0, 18); font-size: 30pt; text-align: left; margin-top: 10mm; }
.rule { height: 1pt; background: rgb(230, 0, 18); width: 120mm; margin-top: 8mm; }
h1 { font-size: 18pt; text-align: left; }
</style></head><body>
<div class="mark">广东省生态环境厅文件</div>
<p>粤环〔2024〕01号</p><div class="rule"></div><h1>标题偏左</h1>
{paragraphs}
</body></html>"""


def test_check_fails_the_right_rows_on_a_pdf_that_breaks_the_standard(tmp_path: Path) -> None:
    import weasyprint

    paragraph = "<p>" + "全省生态环境系统要深入学习贯彻党的二十大精神" * 6 + "</p>"
    path = tmp_path / "bad.pdf"
    html = VIOLATING_HTML.replace("{paragraphs}", paragraph * 12).replace("{font_faces}", FontRegistry().font_face_css())
    weasyprint.HTML(string=html).write_pdf(path)
    from publisher.check import check

    failed = {row.item for row in check(path) if not row.passed}
    for item in ("text block left edge", "body size", "characters per full line", "title size", "title centred",
                 "issuing mark top edge", "red separator width", "发文字号 form", "版记 rules",
                 "page number style"):
        assert item in failed, item
    assert "paper size" not in failed
    result = subprocess.run([sys.executable, "-m", "publisher", "check", str(path)], capture_output=True, text=True)
    assert result.returncode == 1


def short_official(count: int) -> publisher.Article:
    return publisher.load_article({
        "title": "关于做好有关工作的通知", "date": "2024-03-08", "template": "official",
        "official": {"issuer": "广东省生态环境厅文件", "number": "粤环〔2024〕1号", "recipients": "各地级以上市生态环境局：",
                     "signatory": "广东省生态环境厅"},
        "body": [f"第{n:02d}行正文。" for n in range(count)],
    })


def test_signatory_and_date_never_part_at_a_page_break(engine: publisher.Publisher) -> None:
    """Bodies of every length around a full first page: 署名 and 成文日期 always land on one page."""
    pages = []
    for count in range(6, 18):
        lines, _, _ = geometry(engine.render(short_official(count)).data)
        signatory = next(line for line in lines if line.text == "广东省生态环境厅")
        date = next(line for line in lines if line.text == "2024年3月8日")
        pages.append((count, signatory.page, date.page))
    assert all(first == second for _, first, second in pages), pages
    assert {first for _, first, _ in pages} == {1, 2}, pages  # the lengths cross the page break


def test_docx_keeps_the_signatory_with_the_date(engine: publisher.Publisher) -> None:
    paragraphs = python_docx.Document(io.BytesIO(engine.render(short_official(8), "docx").data)).paragraphs
    signatory = next(paragraph for paragraph in paragraphs if paragraph.text == "广东省生态环境厅")
    assert signatory.paragraph_format.keep_with_next
