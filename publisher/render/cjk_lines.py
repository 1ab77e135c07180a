"""Chinese line filling for WeasyPrint: inter-character justification and hanging punctuation.

WeasyPrint 70 justifies a line only by widening its spaces, so a justified Chinese line (which has no
spaces) stays ragged whenever digits, Latin letters or a character that may not start a line leave it
short. CSS Text 3 says that with `text-justify: auto` such lines are justified between characters: this
module replaces WeasyPrint's `justify_line` so that a line holding CJK characters spreads its free width
evenly after every character but the last, by giving each text box a larger letter spacing.

Second, when a full line is followed by closing punctuation (，。、 …), which may not start a line, the
line breaker pushes the line's last character down with it and leaves the line one character short.
Chinese typesetting (and Word's default 允许标点溢出边界) lets that punctuation hang past the right edge
instead, so a full line keeps its 28 (or N) characters. `split_first_line` is wrapped to do that.

Lines with no CJK characters keep WeasyPrint's own behaviour.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline as weasy_inline
from weasyprint.text.line_break import create_layout

_weasyprint_justify_line = weasy_inline.justify_line
_weasyprint_split_first_line = weasy_inline.split_first_line

HANGING_PUNCTUATION = frozenset("，。、；：？！）》」』”’")


def has_cjk(text: str) -> bool:
    """Whether text holds a wide (East Asian) character."""
    return any(unicodedata.east_asian_width(char) in ("W", "F") for char in text)


def _in_flow_children(box: Any) -> Iterator[Any]:
    children = box.children[::-1] if box.style["direction"] == "rtl" else box.children
    for child in children:
        if child.is_in_normal_flow():
            yield child


def _text_boxes(box: Any) -> Iterator[Any]:
    if isinstance(box, boxes.TextBox):
        yield box
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        for child in _in_flow_children(box):
            yield from _text_boxes(child)


def _spread(context: Any, box: Any, spacing: float, x_advance: float, last: Any) -> float:
    """Move box by x_advance and widen its text by spacing after each character (not after `last`)."""
    if isinstance(box, boxes.TextBox):
        box.position_x += x_advance
        style = box.style.copy()
        base = 0 if style["letter_spacing"] == "normal" else style["letter_spacing"]
        style["letter_spacing"] = base + spacing
        layout = create_layout(box.text, style, context, max_width=None,
                               justification_spacing=box.justification_spacing)
        layout.deactivate()
        box.style = style
        box.pango_layout = layout
        gaps = len(box.text) - (1 if box is last else 0)
        box.width += spacing * gaps
        return x_advance + spacing * gaps
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        before = x_advance
        for child in _in_flow_children(box):
            x_advance = _spread(context, child, spacing, x_advance, last)
        box.width += x_advance - before
        return x_advance
    box.translate(x_advance, 0)
    return x_advance


def justify_line(context: Any, line: Any, extra_width: float) -> None:
    """Justify a line between characters when it holds CJK text, else as WeasyPrint does."""
    texts = [box for box in _text_boxes(line) if box.text]
    if not texts or not has_cjk("".join(box.text for box in texts)):
        _weasyprint_justify_line(context, line, extra_width)
        return
    gaps = sum(len(box.text) for box in texts) - 1
    if gaps > 0:
        _spread(context, line, extra_width / gaps, 0, texts[-1])


def split_first_line(text: str, style: Any, context: Any, max_width: float | None, justification_spacing: float,
                     is_line_start: bool = True, minimum: bool = False) -> tuple:
    """WeasyPrint's first-line split, letting closing punctuation hang past the end of a full CJK line."""
    result = _weasyprint_split_first_line(text, style, context, max_width, justification_spacing,
                                          is_line_start=is_line_start, minimum=minimum)
    resume_index = result[2]
    if minimum or max_width is None or resume_index is None:
        return result
    encoded = text.encode()
    rest = encoded[resume_index:].decode(errors="ignore")
    if not HANGING_PUNCTUATION.intersection(rest[:2]) or not has_cjk(rest[:2]):
        return result
    size = style["font_size"]
    spacing = 0 if style["letter_spacing"] == "normal" else style["letter_spacing"]
    wider = _weasyprint_split_first_line(text, style, context, max_width + size, justification_spacing,
                                         is_line_start=is_line_start, minimum=minimum)
    end = wider[2] if wider[2] is not None else len(encoded)
    line = encoded[:end].decode(errors="ignore").rstrip()
    if line and line[-1] in HANGING_PUNCTUATION and wider[3] - (size + spacing) <= max_width + 0.01:
        return wider
    return result


def install() -> None:
    """Make WeasyPrint fill CJK lines: inter-character justification and hanging punctuation."""
    weasy_inline.justify_line = justify_line
    weasy_inline.split_first_line = split_first_line
