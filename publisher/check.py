"""Measure any PDF against GB/T 9704-2012: one row per clause, what was measured, what is wanted.

Reads the PDF only (pdfplumber): it shares the standard's numbers with the renderer but none of its
code, so it cannot agree with it by construction. Positions use the em box of each character, found
from its baseline and size (an ideographic em box runs from 0.12 em below to 0.88 em above the
baseline), so they mean the same for every font and every producer.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from publisher.errors import EXIT_INVALID_INPUT, PublisherError
from publisher.standards import gbt9704 as std

KINDS = ("official", "letter")
EM_TOP, EM_BOTTOM = 0.88, 0.12
DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
GOOD_DATE = re.compile(r"^\d{4}年[1-9]\d?月[1-9]\d?日$")
DOC_NUMBER = re.compile(r"^.+〔\d{4}〕[1-9]\d*号$")
PAGE_NUMBER = re.compile(r"^—\s*(\d+)\s*—$")
HANGING = frozenset("，。、；：？！）》」』”’")  # closing punctuation that may hang past the line end


class CheckError(PublisherError):
    """The file could not be read as a PDF."""

    exit_code = EXIT_INVALID_INPUT


@dataclass(frozen=True)
class Line:
    """A run of characters on one baseline, in millimetres from the paper's top-left corner.

    x1 is the end of the last character that does not hang: closing punctuation past the end of a
    full line (允许标点溢出边界) is not counted in the measure.
    """

    page: int
    text: str
    size: float
    top: float
    bottom: float
    x0: float
    x1: float
    red: bool
    fonts: tuple[str, ...]
    hanging: str = ""

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class Rule:
    """A horizontal rule (a thin filled rectangle or a stroked line)."""

    page: int
    top: float
    thickness: float
    x0: float
    x1: float
    red: bool

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@dataclass
class Row:
    """One checked clause."""

    clause: str
    item: str
    measured: str
    wanted: str
    passed: bool


@dataclass
class Measured:
    """What was read off the PDF."""

    sizes: list[tuple[float, float]] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)


def _mm(points: float) -> float:
    return points / std.PT_PER_MM


def is_red(color: Any) -> bool:
    """Red enough for the standard: magenta and yellow at least 80 % (RGB converted naively)."""
    if not isinstance(color, (tuple, list)):
        return False
    if len(color) == 4:
        c, m, y, k = (float(v) for v in color)
    elif len(color) == 3:
        r, g, b = (float(v) for v in color)
        k = 1 - max(r, g, b)
        if k >= 1:
            return False
        c, m, y = ((1 - v - k) / (1 - k) for v in (r, g, b))
    else:
        return False
    return m >= std.RED_MIN_MY and y >= std.RED_MIN_MY and c <= 0.2 and k <= 0.2


def _lines(page_number: int, page: Any) -> list[Line]:
    height = float(page.height)
    groups: dict[tuple[float, float], list[dict]] = {}
    for char in page.chars:
        if not char["text"].strip():
            continue
        baseline = height - float(char["matrix"][5])
        groups.setdefault((round(baseline, 1), round(char["size"], 1)), []).append(char)
    lines = []
    right_edge = std.PT_PER_MM * (std.MARGIN_LEFT + std.BLOCK_WIDTH)
    for (baseline, size), chars in sorted(groups.items()):
        chars.sort(key=lambda c: c["x0"])
        hanging = chars[-1]["text"] if chars[-1]["text"] in HANGING and chars[-1]["x1"] > right_edge + 1 else ""
        kept = chars[:-1] if hanging and len(chars) > 1 else chars
        lines.append(Line(
            page=page_number,
            text="".join(c["text"] for c in kept),
            size=size,
            top=_mm(baseline - EM_TOP * size),
            bottom=_mm(baseline + EM_BOTTOM * size),
            x0=_mm(kept[0]["x0"]),
            x1=_mm(kept[-1]["x1"]),
            red=all(is_red(c.get("non_stroking_color")) for c in chars),
            fonts=tuple(sorted({c["fontname"].split("+")[-1] for c in chars})),
            hanging=hanging,
        ))
    return _merge_same_baseline(lines)


def _merge_same_baseline(lines: list[Line]) -> list[Line]:
    """Characters of one line in several sizes (a fallback face) count as one line of the larger size."""
    merged: list[Line] = []
    for line in lines:
        previous = merged[-1] if merged else None
        if previous and previous.page == line.page and abs(previous.bottom - line.bottom) < 0.3:
            big = previous if previous.size >= line.size else line
            text = "".join(sorted([previous, line], key=lambda item: item.x0)[i].text for i in range(2))
            merged[-1] = Line(line.page, text, big.size, min(previous.top, line.top), big.bottom,
                              min(previous.x0, line.x0), max(previous.x1, line.x1), previous.red and line.red,
                              tuple(sorted(set(previous.fonts) | set(line.fonts))), previous.hanging or line.hanging)
        else:
            merged.append(line)
    return merged


def _rules(page_number: int, page: Any) -> list[Rule]:
    found = []
    for rect in page.rects:
        if rect.get("fill") and _mm(rect["height"]) <= 1.5 and _mm(rect["width"]) >= 50:
            found.append(Rule(page_number, _mm(rect["top"]), _mm(rect["height"]), _mm(rect["x0"]),
                              _mm(rect["x1"]), is_red(rect.get("non_stroking_color"))))
    for line in page.lines:
        if abs(line["top"] - line["bottom"]) < 0.5 and _mm(line["width"]) >= 50:
            width = float(line.get("linewidth") or 0)
            found.append(Rule(page_number, _mm(line["top"] - width / 2), _mm(width), _mm(line["x0"]),
                              _mm(line["x1"]), is_red(line.get("stroking_color"))))
    return sorted(found, key=lambda rule: rule.top)


def measure(path: str | Path) -> Measured:
    """Read sizes, lines and rules of every page."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    measured = Measured()
    try:
        with pdfplumber.open(path) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                measured.sizes.append((_mm(float(page.width)), _mm(float(page.height))))
                measured.lines += _lines(number, page)
                measured.rules += _rules(number, page)
    except (OSError, PDFSyntaxError, PdfminerException, ValueError) as error:
        raise CheckError(f"{path}: not a readable PDF: {error}") from None
    if not measured.sizes:
        raise CheckError(f"{path}: the PDF has no pages")
    return measured


def _near(value: float, wanted: float, tolerance: float) -> bool:
    return abs(value - wanted) <= tolerance


def _wide(text: str) -> bool:
    return all(unicodedata.east_asian_width(char) in ("W", "F") for char in text)


class Checker:
    """Builds the rows for one measured PDF."""

    def __init__(self, measured: Measured, kind: str):
        self.m = measured
        self.kind = kind
        self.pages = len(measured.sizes)
        self.rows: list[Row] = []
        self.body_size = self._body_size()
        in_block = [line for line in measured.lines if line.top < std.BLOCK_BOTTOM + 3]
        self.block_lines = in_block
        self.footer_lines = [line for line in measured.lines if line.top >= std.BLOCK_BOTTOM + 3]
        self.body_lines = [l for l in in_block if _near(l.size, self.body_size, 0.3) and not l.red]

    def row(self, clause: str, item: str, measured: str, wanted: str, passed: bool) -> None:
        self.rows.append(Row(clause, item, measured, wanted, bool(passed)))

    def _body_size(self) -> float:
        counts: Counter[float] = Counter()
        for line in self.m.lines:
            counts[line.size] += len(line.text)
        return counts.most_common(1)[0][0] if counts else 0.0

    def run(self) -> list[Row]:
        for check in (self.paper, self.text_block, self.body, self.grid, self.header, self.title,
                      self.dates, self.banji, self.page_numbers):
            check()
        return self.rows

    def paper(self) -> None:
        bad = [i + 1 for i, (w, h) in enumerate(self.m.sizes) if not (_near(w, 210, 1) and _near(h, 297, 1))]
        w, h = self.m.sizes[0]
        self.row("5.2.1", "paper size", f"{w:.1f} × {h:.1f} mm" + (f" (pages {bad} differ)" if bad else ""),
                 "A4 210 × 297 mm ± 1", not bad)

    def text_block(self) -> None:
        lines = self.body_lines
        if not lines:
            self.row("5.2.2", "text block", "no body text found", "text inside 28-184 × 37-262 mm", False)
            return
        left, right = min(l.x0 for l in lines), max(l.x1 for l in lines)
        top, bottom = min(l.top for l in lines), max(l.bottom for l in lines)
        self.row("5.2.2", "text block left edge", f"{left:.2f} mm", f"{std.MARGIN_LEFT:g} ± 1 mm",
                 _near(left, std.MARGIN_LEFT, 1))
        right_edge = std.MARGIN_LEFT + std.BLOCK_WIDTH
        self.row("5.2.2", "text block right edge", f"{right:.2f} mm", f"≤ {right_edge:g} + 1 mm", right <= right_edge + 1)
        first_line = std.MARGIN_TOP + std.LINE_PITCH_GRID - std.BODY_PT / std.PT_PER_MM
        self.row("5.2.2", "text block top", f"{top:.2f} mm",
                 f"{std.MARGIN_TOP:g} - 1 mm to {first_line:.1f} mm (the first line inside the block)",
                 std.MARGIN_TOP - 1 <= top <= first_line)
        self.row("5.2.2", "text block bottom", f"{bottom:.2f} mm", f"≤ {std.BLOCK_BOTTOM:g} + 1 mm",
                 bottom <= std.BLOCK_BOTTOM + 1)

    def body(self) -> None:
        self.row("5.2.3", "body size", f"{self.body_size:.1f} pt", f"{std.BODY_PT:g} pt (三号)",
                 _near(self.body_size, std.BODY_PT, 0.3))

    def _full_pages(self) -> list[int]:
        last_lines: dict[int, float] = {}
        for line in self.body_lines:
            last_lines[line.page] = max(last_lines.get(line.page, 0), line.bottom)
        banji_pages = {rule.page for rule in self.m.rules if not rule.red}
        pitch = std.LINE_PITCH_GRID
        return [page for page, bottom in sorted(last_lines.items())
                if page not in (1, self.pages) and page not in banji_pages
                and bottom >= std.BLOCK_BOTTOM - pitch]

    def grid(self) -> None:
        full = self._full_pages()
        if not full:
            self.row("5.2.3", "lines per full page", "no full page (fewer than three pages)",
                     f"{std.LINES_PER_PAGE}", True)
        else:
            counts = {page: len({round(l.bottom, 1) for l in self.body_lines if l.page == page}) for page in full}
            shown = ", ".join(f"p{page}: {count}" for page, count in counts.items())
            self.row("5.2.3", "lines per full page", shown, f"{std.LINES_PER_PAGE}",
                     all(count == std.LINES_PER_PAGE for count in counts.values()))
        right_edge = std.MARGIN_LEFT + std.BLOCK_WIDTH
        full_lines = [l for l in self.body_lines if _near(l.x0, std.MARGIN_LEFT, 1) and _near(l.x1, right_edge, 1.5)
                      and _wide(l.text) and len(l.text) > 1]
        if not full_lines:
            self.row("5.2.3", "characters per full line", "no full line of Chinese characters",
                     f"{std.CHARS_PER_LINE}", False)
            return
        # A line spread wider than the grid's pitch (the next word, a number, did not fit) is not a measure
        # of the grid; it is reported but not counted.
        pitch = std.BLOCK_WIDTH / std.CHARS_PER_LINE
        on_grid = [l for l in full_lines if (l.x1 - l.x0) / len(l.text) <= pitch * 1.02]
        counts = sorted({len(l.text) for l in on_grid})
        spread = len(full_lines) - len(on_grid)
        self.row("5.2.3", "characters per full line",
                 f"{'/'.join(map(str, counts)) or 'none'} on {len(on_grid)} lines"
                 + (f" ({spread} spread by an unbreakable word)" if spread else ""),
                 f"{std.CHARS_PER_LINE}", counts == [std.CHARS_PER_LINE])

    def _red_mark(self) -> Line | None:
        """The red issuing mark on page 1, its lines joined (stacked organs of a joint issuance)."""
        marks = [l for l in self.m.lines if l.page == 1 and l.red and l.size >= 18]
        if not marks:
            return None
        return Line(1, "".join(l.text for l in marks), max(l.size for l in marks), min(l.top for l in marks),
                    max(l.bottom for l in marks), min(l.x0 for l in marks), max(l.x1 for l in marks), True,
                    tuple(sorted({font for l in marks for font in l.fonts})))

    def header(self) -> None:
        mark = self._red_mark()
        if mark is None:
            self.row("7.2.3", "issuing mark", "no red mark on page 1", "red 发文机关标志", False)
            return
        self.row("5.5", "issuing mark colour", "red (M, Y ≥ 80 %)", "red (M, Y ≥ 80 %)", True)
        wanted_top = std.LETTER_MARK_TOP if self.kind == "letter" else std.MARGIN_TOP + std.MARK_TOP_BELOW_BLOCK
        self.row("7.2.3" if self.kind == "official" else "10.1", "issuing mark top edge", f"{mark.top:.2f} mm",
                 f"{wanted_top:g} ± 1 mm from the paper top", _near(mark.top, wanted_top, 1))
        self.row("7.2.3", "issuing mark centred", f"centre {mark.centre:.2f} mm",
                 f"{std.BLOCK_CENTRE_X:g} ± 1 mm", _near(mark.centre, std.BLOCK_CENTRE_X, 1))
        red_rules = [r for r in self.m.rules if r.page == 1 and r.red and r.top > mark.bottom]
        if not red_rules:
            self.row("7.2.5", "red separator", "none found", "a red rule below the 发文字号", False)
            return
        rule = red_rules[0]
        if self.kind == "letter":
            self.row("10.1", "double rule length", f"{rule.width:.2f} mm", f"{std.LETTER_RULE_LENGTH:g} ± 1 mm",
                     _near(rule.width, std.LETTER_RULE_LENGTH, 1))
            gap = rule.top - mark.bottom
            self.row("10.1", "double rule below the mark", f"{gap:.2f} mm", f"{std.RULE_BELOW_NUMBER:g} ± 0.5 mm",
                     _near(gap, std.RULE_BELOW_NUMBER, 0.5))
            bottom = [r for r in self.m.rules if r.page == 1 and r.red and r.top > std.BLOCK_BOTTOM]
            low = max((r.top + r.thickness for r in bottom), default=0.0)
            wanted = std.PAGE_HEIGHT - std.LETTER_BOTTOM_RULE_ABOVE_EDGE
            self.row("10.1", "lower double rule", f"lower edge {low:.2f} mm" if bottom else "none found",
                     f"{wanted:g} ± 0.5 mm, {std.LETTER_RULE_LENGTH:g} mm long",
                     bool(bottom) and _near(low, wanted, 0.5)
                     and all(_near(r.width, std.LETTER_RULE_LENGTH, 1) for r in bottom))
            return
        self.row("7.2.5", "red separator width", f"{rule.width:.2f} mm ({rule.x0:.1f}-{rule.x1:.1f})",
                 f"{std.BLOCK_WIDTH:g} ± 1 mm, on the text block",
                 _near(rule.width, std.BLOCK_WIDTH, 1) and _near(rule.x0, std.MARGIN_LEFT, 1))
        above = [l for l in self.block_lines if l.page == 1 and l.bottom < rule.top and not l.red]
        number = max(above, key=lambda l: l.bottom) if above else None
        if number is None:
            self.row("7.2.4", "发文字号", "none found above the red rule", "a 发文字号 line", False)
            return
        gap = rule.top - number.bottom
        self.row("7.2.5", "red separator below the 发文字号", f"{gap:.2f} mm", f"{std.RULE_BELOW_NUMBER:g} ± 0.5 mm",
                 _near(gap, std.RULE_BELOW_NUMBER, 0.5))
        text = number.text.split("签发人")[0].strip()
        self.row("7.2.4", "发文字号 form", text, "…〔YYYY〕N号, no leading zeros", bool(DOC_NUMBER.match(text)))
        lines_between = (number.top - mark.bottom) / std.LINE_PITCH_GRID
        self.row("7.2.4", "发文字号 below the mark", f"{lines_between:.2f} line pitches",
                 "2 empty lines: 1.75-2.75 pitches from the mark's foot to the number's top",
                 1.75 <= lines_between <= 2.75)

    def title(self) -> None:
        rules = [r for r in self.m.rules if r.page == 1 and r.red]
        below = max((r.top for r in rules if r.top < 150), default=0.0)
        titles = [l for l in self.block_lines if l.page == 1 and not l.red and l.top > below
                  and l.size > self.body_size + 2]
        if not titles:
            self.row("7.3.1", "title", "none found", f"{std.TITLE_PT:g} pt, centred", False)
            return
        size = max(l.size for l in titles)
        off = max(abs(l.centre - std.BLOCK_CENTRE_X) for l in titles)
        self.row("7.3.1", "title size", f"{size:.1f} pt", f"{std.TITLE_PT:g} pt (二号)", _near(size, std.TITLE_PT, 0.5))
        self.row("7.3.1", "title centred", f"off centre by {off:.2f} mm", "≤ 1 mm", off <= 1)

    def dates(self) -> None:
        found = [l.text for l in self.block_lines if DATE.match(l.text)]
        if found:
            bad = [text for text in found if not GOOD_DATE.match(text)]
            self.row("7.3.5", "成文日期 form", ", ".join(found), "YYYY年M月D日, no zero padding", not bad)

    def banji(self) -> None:
        last = self.pages
        # 版记 rules are 0.25 mm and heavier; a table's hairlines are not 版记 rules
        rules = [r for r in self.m.rules if r.page == last and not r.red and r.width >= std.BLOCK_WIDTH - 1
                 and r.thickness >= std.BANJI_THIN - 0.05]
        if self.kind == "letter":
            self.row("10.1", "no 版记 rules in a letter", f"{len(rules)} rule(s)", "none", not rules)
            return
        if len(rules) < 2:
            self.row("7.4", "版记 rules", f"{len(rules)} rule(s) on the last page", "thick first and last", False)
            return
        first, last_rule, middle = rules[0], rules[-1], rules[1:-1]
        thick_ok = all(_near(r.thickness, std.BANJI_THICK, 0.05) for r in (first, last_rule))
        thin_ok = all(_near(r.thickness, std.BANJI_THIN, 0.05) for r in middle)
        shown = ", ".join(f"{r.thickness:.2f}" for r in rules)
        self.row("7.4.1", "版记 rule weights", f"{shown} mm",
                 f"first and last {std.BANJI_THICK}, between {std.BANJI_THIN} (± 0.05) mm", thick_ok and thin_ok)
        bottom = last_rule.top + last_rule.thickness
        self.row("7.4.1", "版记 last rule on the text-block bottom", f"{bottom:.2f} mm",
                 f"{std.BLOCK_BOTTOM:g} ± 0.5 mm", _near(bottom, std.BLOCK_BOTTOM, 0.5))
        texts = [l for l in self.block_lines if l.page == last and first.top < l.top < bottom]
        sizes = sorted({l.size for l in texts})
        self.row("7.4.2", "版记 text size", "/".join(f"{s:g}" for s in sizes) + " pt" if sizes else "no text",
                 f"{std.SMALL_PT:g} pt (四号)", bool(sizes) and all(_near(s, std.SMALL_PT, 0.3) for s in sizes))

    def page_numbers(self) -> None:
        numbers = {l.page: l for l in self.footer_lines if PAGE_NUMBER.match(l.text.replace(" ", ""))}
        expected = [p for p in range(1, self.pages + 1) if not (self.kind == "letter" and p == 1)]
        unnumbered = [p for p in expected if p not in numbers and self._has_body(p)]
        self.row("7.5", "page number style", f"{len(numbers)} of {len(expected)} pages as — n —"
                 + (f", missing on {unnumbered}" if unnumbered else ""), "— n — (em dashes)", not unnumbered and bool(numbers))
        if self.kind == "letter":
            self.row("10.1", "no page number on page 1", "none" if 1 not in numbers else numbers[1].text, "none",
                     1 not in numbers)
        if not numbers:
            return
        wrong = [p for p, l in numbers.items() if int(PAGE_NUMBER.match(l.text.replace(" ", "")).group(1)) != p]
        sizes = sorted({l.size for l in numbers.values()})
        self.row("7.5", "page number size", "/".join(f"{s:g}" for s in sizes) + " pt", f"{std.SMALL_PT:g} pt (四号)",
                 all(_near(s, std.SMALL_PT, 0.3) for s in sizes) and not wrong)
        one_char = std.SMALL_PT / std.PT_PER_MM
        right_edge = std.MARGIN_LEFT + std.BLOCK_WIDTH - one_char
        left_edge = std.MARGIN_LEFT + one_char
        sides = []
        for page, line in sorted(numbers.items()):
            ok = _near(line.x1, right_edge, 1) if page % 2 else _near(line.x0, left_edge, 1)
            sides.append((page, "right" if line.centre > std.BLOCK_CENTRE_X else "left", ok))
        self.row("7.5", "page number side", ", ".join(f"p{p}: {side}" for p, side, _ in sides),
                 "odd right, even left, one character in (± 1 mm)", all(ok for *_, ok in sides))
        offsets = [l.top - std.BLOCK_BOTTOM for l in numbers.values()]
        self.row("7.5", "page number below the text block", f"{min(offsets):.2f}-{max(offsets):.2f} mm",
                 f"{std.PAGE_NUMBER_BELOW_BLOCK:g} ± 1 mm",
                 all(_near(offset, std.PAGE_NUMBER_BELOW_BLOCK, 1) for offset in offsets))

    def _has_body(self, page: int) -> bool:
        return any(l.page == page for l in self.body_lines)


def check(path: str | Path, kind: str = "official") -> list[Row]:
    """Check a PDF against GB/T 9704-2012 as an official document or a letter."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    return Checker(measure(path), kind).run()


def as_dicts(rows: Iterable[Row]) -> list[dict[str, Any]]:
    return [asdict(row) for row in rows]
