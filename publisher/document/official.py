"""The parts of a GB/T 9704 official document, decided once for every renderer."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publisher.document.nodes import Block
from publisher.standards import gbt9704
from publisher.units import mm_to_pt

@dataclass(frozen=True)
class Appendix:
    """An attachment printed after the document: 附件N label, its title, its own blocks."""

    label: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Signature:
    """署名 and 成文日期 with their right indents in characters (spec §4.2, clauses 7.3.5.1-3)."""

    style: str
    signatory: str
    date_text: str | None
    seal: Path | None
    signatory_right_chars: float
    date_right_chars: float

    @property
    def date_width_chars(self) -> float:
        return text_width_chars(self.date_text or "")


@dataclass(frozen=True)
class OfficialParts:
    """版头, 主体 and 版记 elements that exist, in printable form."""

    title_lines: tuple[str, ...]
    copy_number: str | None
    secrecy_line: str | None
    urgency: str | None
    issuer_lines: tuple[str, ...]
    issuer_suffix: str | None
    mark_pt: float
    number: str | None
    signers: tuple[str, ...]
    recipients: str | None
    attachment_titles: tuple[str, ...]
    appendices: tuple[Appendix, ...]
    signature: Signature | None
    note: str | None
    cc: str | None
    printer: str | None
    print_date_text: str | None

    @property
    def upward(self) -> bool:
        """A document sent upward (上行文) prints 签发人 beside the 发文字号."""
        return bool(self.signers)

    @property
    def has_banji(self) -> bool:
        return bool(self.cc or self.printer or self.print_date_text)

    def texts(self) -> list[str]:
        """Every printed string of these parts, for glyph-coverage checks."""
        found = [*self.title_lines, self.copy_number, self.secrecy_line, self.urgency, *self.issuer_lines, self.issuer_suffix,
                 self.number, *self.signers, self.recipients, *self.attachment_titles, self.note, self.cc,
                 self.printer, self.print_date_text, "签发人：附件：抄送：印发（）—"]
        found += [text for appendix in self.appendices for text in (appendix.label, appendix.title)]
        if self.signature:
            found += [self.signature.signatory, self.signature.date_text]
        return [text for text in found if text]


def text_width_chars(text: str) -> float:
    """Width in character units: a Chinese character is 1, a half-width digit or letter ½."""
    return sum(1.0 if unicodedata.east_asian_width(c) in ("W", "F") else 0.5 for c in text)


_GOOD_BREAK_AFTER = set("，、；：。）》」』”")
_GOOD_BREAK_BEFORE = set("《（「『“")
_NO_BREAK_BEFORE = set("，、；：。？！）》」』”")
_NO_BREAK_AFTER = set("（《「『“")


def _break_allowed(text: str, index: int) -> bool:
    before, after = text[index - 1], text[index]
    if before.isascii() and before.isalnum() and after.isascii() and after.isalnum():
        return False
    return after not in _NO_BREAK_BEFORE and before not in _NO_BREAK_AFTER


def balanced_lines(text: str, max_width: float) -> tuple[str, ...]:
    """Break a title into the fewest lines no wider than max_width (in character units), as equal as
    possible, preferring breaks at punctuation (GB/T 9704: lines symmetric or trapezoid)."""
    if text_width_chars(text) <= max_width:
        return (text,)
    count = int(-(-text_width_chars(text) // max_width))
    lines: list[str] = []
    rest = text
    for remaining in range(count, 1, -1):
        ideal = text_width_chars(rest) / remaining
        options = [
            i for i in range(1, len(rest))
            if _break_allowed(rest, i) and text_width_chars(rest[:i]) <= max_width
        ]
        if not options:
            break

        def cost(i: int) -> tuple[float, int]:
            good = rest[i - 1] in _GOOD_BREAK_AFTER or rest[i] in _GOOD_BREAK_BEFORE
            return abs(text_width_chars(rest[:i]) - ideal) - (1.5 if good else 0), -i

        cut = min(options, key=cost)
        lines.append(rest[:cut])
        rest = rest[cut:]
    lines.append(rest)
    return tuple(lines)


def mark_size(lines: tuple[str, ...], suffix: str | None) -> float:
    """The issuing mark's size: at most MARK_MAX_PT, shrunk so the widest line fits the text block."""
    widest = max((text_width_chars(line) for line in lines), default=1.0)
    if suffix and len(lines) > 1:
        widest += text_width_chars(suffix) + 1  # 文件 beside the stacked organs, a character apart
    return round(min(gbt9704.MARK_MAX_PT, mm_to_pt(gbt9704.BLOCK_WIDTH) / max(widest, 1.0)), 2)


def signature(style: str, signatory: str, date_text: str | None, seal: Path | None) -> Signature:
    """Right indents of 署名 and 成文日期 per the signing mode."""
    date_width = text_width_chars(date_text or "")
    sign_width = text_width_chars(signatory)
    if style == "plain":
        # 署名 right-indented 2; date starts 2 characters right of the 署名's first character,
        # unless it is too long: then the date is right-indented 2 and the 署名 moves left.
        date_right = sign_width - date_width
        if date_right < 2:
            return Signature(style, signatory, date_text, seal, 4 + date_width - sign_width, 2)
        return Signature(style, signatory, date_text, seal, 2, date_right)
    if style == "seal":
        # Date right-indented 4; 署名 centred over the date.
        return Signature(style, signatory, date_text, seal, 4 + (date_width - sign_width) / 2, 4)
    return Signature(style, signatory, date_text, seal, 4, 4)


def secrecy_line(secrecy: str | None, period: str | None) -> str | None:
    """密级 and 保密期限 joined by ★, as printed."""
    if not secrecy:
        return None
    return f"{secrecy}★{period}" if period else secrecy


def issuer_parts(issuer: Any, suffix: str | None) -> tuple[tuple[str, ...], str | None]:
    """Organ names (stacked when joint) and the word printed beside them (文件)."""
    if isinstance(issuer, (list, tuple)):
        return tuple(issuer), suffix
    if not issuer:
        return (), None
    return (issuer + (suffix or ""),), None
