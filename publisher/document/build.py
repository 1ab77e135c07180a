"""Article → Document: parse the body (Markdown or blocks), number headings, decide dates."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from markdown_it.token import Token

from publisher.article.model import Article, image_problem, markdown_parser
from publisher.document import official
from publisher.document.official import Appendix, OfficialParts
from publisher.document.nodes import (
    Block,
    ContentsEntry,
    Document,
    Heading,
    Image,
    Inline,
    ListBlock,
    Masthead,
    Meta,
    PageBreak,
    Paragraph,
    Quote,
    ReportParts,
    Source,
    Span,
    Table,
    inline_text,
    plain,
)
from publisher.errors import ArticleError
from publisher.standards import gbt9704
from publisher.units import mm_to_pt

_LEADING_SPACE = re.compile(r"^[\s\u3000]+")
_TABLE_CAPTION = re.compile(r"^(?:表|Table)\s*[:：]\s*")
_NUMBER = re.compile(r"^[\s+\-−]?[\d,，.．%％]+[\s%％]*$")
_DIGITS = "〇一二三四五六七八九"
CONTENTS_DEPTH = 3
REPORT_TITLE_CHARS = 16  # a report's cover title: 26 pt characters on a 158 mm line, with room to spare


def chinese_date(day: dt.date) -> str:
    """2023年2月23日 — full year, no zero padding (GB/T 9704 成文日期 form)."""
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_number(value: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一 (enough for heading ordinals, up to 99)."""
    tens, ones = divmod(value, 10)
    if value < 10:
        return _DIGITS[value]
    return (_DIGITS[tens] if tens > 1 else "") + "十" + (_DIGITS[ones] if ones else "")


def official_label(level: int, ordinal: int) -> str:
    """The GB/T 9704 heading ordinal for a level: 一、 （一） 1. （1）."""
    return {
        1: f"{chinese_number(ordinal)}、",
        2: f"（{chinese_number(ordinal)}）",
        3: f"{ordinal}.",
        4: f"（{ordinal}）",
    }[level]


def decimal_label(counts: list[int], level: int) -> str:
    """1 / 1.1 / 1.1.1 / 1.1.1.1, followed by a space before the heading text."""
    return ".".join(str(count) for count in counts[:level]) + " "


class HeadingCounter:
    """Numbers headings level by level (official 一、（一）1.（1） or decimal 1 / 1.1 / 1.1.1); a higher
    level restarts the lower ones. Every heading also gets an anchor id."""

    def __init__(self, style: str, anchors: list[int] | None = None):
        self.style = style
        self.counts = [0, 0, 0, 0]
        self.anchors = anchors if anchors is not None else [0]

    def heading(self, level: int, spans: Inline, numbered: bool = True) -> Heading:
        self.anchors[0] += 1
        return Heading(level, spans, self.label(level, numbered), f"sec-{self.anchors[0]}")

    def label(self, level: int, numbered: bool) -> str | None:
        if self.style == "none" or not numbered:
            return None
        self.counts[level - 1] += 1
        self.counts[level:] = [0] * (4 - level)
        if self.style == "decimal":
            return decimal_label(self.counts, level)
        return official_label(level, self.counts[level - 1])


def clean_paragraph(text: str) -> str:
    """Drop the indentation that scraped text carries; the template indents."""
    return _LEADING_SPACE.sub("", text).rstrip()


def _is_cjk(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _join_soft_break(before: str, after: str) -> str:
    """A line break inside a paragraph is a space between Latin words, nothing between CJK characters."""
    if before and after and (_is_cjk(before[-1]) or _is_cjk(after[0])):
        return ""
    return " "


def _inline(tokens: list[Token], notes: Mapping[int, str] | None = None) -> Inline:
    spans: list[Span] = []
    bold = italic = False
    for token in tokens:
        if token.type == "strong_open":
            bold = True
        elif token.type == "strong_close":
            bold = False
        elif token.type == "em_open":
            italic = True
        elif token.type == "em_close":
            italic = False
        elif token.type in ("text", "code_inline", "html_inline"):
            spans.append(Span(token.content, bold, italic))
        elif token.type == "image":
            spans.append(Span(token.content, bold, italic))
        elif token.type in ("softbreak", "hardbreak"):
            spans.append(Span("\n" if token.type == "hardbreak" else "\x00", bold, italic))
        elif token.type == "footnote_ref" and notes is not None:
            spans.append(Span("", bold, italic, note=notes.get(token.meta["id"], "")))
    return _merge_spans(spans)


def _merge_spans(spans: list[Span]) -> Inline:
    merged: list[Span] = []
    for index, span in enumerate(spans):
        text = span.text
        if span.note is not None:
            merged.append(span)
            continue
        if text == "\x00":
            before = merged[-1].text if merged else ""
            after = spans[index + 1].text if index + 1 < len(spans) else ""
            text = _join_soft_break(before, after)
        if merged and merged[-1].note is None and (merged[-1].bold, merged[-1].italic) == (span.bold, span.italic):
            merged[-1] = Span(merged[-1].text + text, span.bold, span.italic)
        elif text:
            merged.append(Span(text, span.bold, span.italic))
    if merged and merged[0].note is None:
        first = merged[0]
        merged[0] = Span(_LEADING_SPACE.sub("", first.text), first.bold, first.italic)
    if merged and merged[-1].note is None:
        last = merged[-1]
        merged[-1] = Span(last.text.rstrip(), last.bold, last.italic)
    return tuple(span for span in merged if span.text or span.note)


def _numeric_columns(header: tuple[Inline, ...], rows: tuple[tuple[Inline, ...], ...]) -> tuple[bool, ...]:
    width = max([len(header), *(len(row) for row in rows)], default=0)
    numeric = []
    for column in range(width):
        cells = [inline_text(row[column]) for row in rows if column < len(row) and inline_text(row[column])]
        numeric.append(bool(cells) and all(_NUMBER.match(cell) for cell in cells))
    return tuple(numeric)


def natural_width_mm(path: Path) -> float | None:
    """An image's printed width at the resolution it records (96 dpi when it records none, as CSS
    pixels are), or None when the file is no readable image."""
    from PIL import Image as PillowImage, UnidentifiedImageError

    try:
        with PillowImage.open(path) as picture:
            dpi = picture.info.get("dpi", (96, 96))[0] or 96
            return round(picture.width / float(dpi) * 25.4, 2)
    except (OSError, UnidentifiedImageError):
        return None


def _text_width(text: str) -> float:
    """Width of text in em: wide (CJK) characters 1, others about half."""
    return sum(1.0 if _is_cjk(char) else 0.55 for char in text)


def column_widths(header: tuple[Inline, ...], rows: tuple[tuple[Inline, ...], ...]) -> tuple[float, ...]:
    """Each column's share (per cent) of the table width: its widest cell, or half its header (which may
    wrap to two lines) when that is wider, plus one em of padding."""
    count = max([len(header), *(len(row) for row in rows)], default=0)
    needs = []
    for column in range(count):
        cells = [_text_width(inline_text(row[column])) for row in rows if column < len(row)]
        head = _text_width(inline_text(header[column])) if column < len(header) else 0.0
        needs.append(max([*cells, math.ceil(head / 2)]) + 1)
    total = sum(needs)
    return tuple(round(need / total * 100, 2) for need in needs)


class CaptionCounter:
    """Numbers captioned tables (表1 …) and figures (图1 …) through a document, when the template asks."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.counts = {"表": 0, "图": 0}

    def label(self, prefix: str, caption: str | None) -> str | None:
        if not (self.enabled and caption):
            return None
        self.counts[prefix] += 1
        return f"{prefix}{self.counts[prefix]}"


class _BlockBuilder:
    """Turns body input into blocks, checking image paths against the input's folder."""

    def __init__(self, article: Article, headings: HeadingCounter, captions: CaptionCounter, path: str = "body",
                 note_count: list[int] | None = None):
        self.article = article
        self.headings = headings
        self.captions = captions
        self.path = path
        self.notes: dict[int, str] = {}
        self.note_count = note_count if note_count is not None else [0]

    def table(self, header: tuple[Inline, ...], rows: tuple[tuple[Inline, ...], ...], caption: str | None) -> Table:
        return Table(rows=rows, header=header, caption=caption, numeric=_numeric_columns(header, rows),
                     label=self.captions.label("表", caption), widths=column_widths(header, rows))

    def image(self, path: str, src: str, caption: str | None, width_mm: float | None) -> Image:
        problem = image_problem(path, src, self.article.base_dir)
        if problem is not None:
            raise ArticleError(self.article.origin, [problem])
        assert self.article.base_dir is not None
        target = (self.article.base_dir / src).resolve()
        return Image(target, caption or None, width_mm or natural_width_mm(target),
                     self.captions.label("图", caption or None))

    def from_blocks(self, items: tuple[Any, ...]) -> list[Block]:
        blocks: list[Block] = []
        for index, item in enumerate(items):
            if isinstance(item, str):
                blocks.append(Paragraph(plain(clean_paragraph(item))))
                continue
            blocks.append(self._from_mapping(index, item))
        return blocks

    def _from_mapping(self, index: int, item: Mapping[str, Any]) -> Block:
        kind = item["type"]
        if kind == "paragraph":
            return Paragraph(plain(clean_paragraph(item["text"])))
        if kind == "heading":
            return self.headings.heading(item["level"], plain(item["text"].strip()), item.get("numbered", True))
        if kind == "list":
            return ListBlock(tuple(plain(text.strip()) for text in item["items"]), item.get("ordered", False))
        if kind == "table":
            header = tuple(plain(cell) for cell in item.get("header", ()))
            rows = tuple(tuple(plain(cell) for cell in row) for row in item["rows"])
            return self.table(header, rows, item.get("caption"))
        if kind == "quote":
            return Quote(tuple(plain(clean_paragraph(part)) for part in item["text"].split("\n") if part.strip()))
        if kind == "image":
            return self.image(f"{self.path}[{index}].src", item["src"], item.get("caption"), item.get("width_mm"))
        return PageBreak()

    def body(self, body: str | tuple[Any, ...]) -> tuple[Block, ...]:
        """Blocks of a body given as Markdown or as a list of blocks."""
        return tuple(self.from_markdown(body) if isinstance(body, str) else self.from_blocks(body))

    def from_markdown(self, text: str) -> list[Block]:
        tokens = markdown_parser().parse(text)
        self.notes = self._footnotes(tokens)
        return self._walk(tokens, 0, len(tokens))

    def _footnotes(self, tokens: list[Token]) -> dict[int, str]:
        """Footnote id → its text (paragraphs joined), from the footnote definitions of a Markdown body."""
        notes: dict[int, list[str]] = {}
        current: int | None = None
        for token in tokens:
            if token.type == "footnote_open":
                current = token.meta["id"]
                notes[current] = []
            elif token.type == "footnote_close":
                current = None
            elif token.type == "inline" and current is not None:
                notes[current].append(inline_text(_inline(token.children or [])))
        return {key: " ".join(part for part in parts if part) for key, parts in notes.items()}

    def inline(self, token: Token) -> Inline:
        """Inline content of a token, its footnote references numbered through the document."""
        spans = []
        for span in _inline(token.children or [], self.notes):
            if span.note is not None:
                self.note_count[0] += 1
                span = replace(span, note_id=self.note_count[0])
            spans.append(span)
        return tuple(spans)

    def _walk(self, tokens: list[Token], start: int, stop: int) -> list[Block]:
        blocks: list[Block] = []
        caption: str | None = None
        index = start
        while index < stop:
            token = tokens[index]
            close = self._close_of(tokens, index)
            following = tokens[close + 1].type if close + 1 < stop else None
            if token.type == "heading_open":
                level = min(int(token.tag[1]), 4)
                blocks.append(self.headings.heading(level, self.inline(tokens[index + 1])))
            elif token.type == "paragraph_open" and following == "table_open" and \
                    _TABLE_CAPTION.match(tokens[index + 1].content):
                caption = _TABLE_CAPTION.sub("", tokens[index + 1].content).strip()
            elif token.type == "paragraph_open":
                blocks.append(self._paragraph(tokens[index + 1]))
            elif token.type in ("bullet_list_open", "ordered_list_open"):
                items = tuple(self.inline(t) for t in tokens[index:close] if t.type == "inline")
                blocks.append(ListBlock(items, token.type == "ordered_list_open"))
            elif token.type == "blockquote_open":
                paragraphs = tuple(self.inline(t) for t in tokens[index:close] if t.type == "inline")
                blocks.append(Quote(paragraphs))
            elif token.type == "table_open":
                blocks.append(self._markdown_table(tokens[index:close], caption))
                caption = None
            elif token.type in ("fence", "code_block"):
                blocks += [Paragraph(plain(line)) for line in token.content.splitlines() if line.strip()]
            elif token.type == "hr":
                blocks.append(PageBreak())
            index = close + 1
        return blocks

    @staticmethod
    def _close_of(tokens: list[Token], index: int) -> int:
        if tokens[index].nesting != 1:
            return index
        depth = 0
        for position in range(index, len(tokens)):
            depth += tokens[position].nesting
            if depth == 0:
                return position
        return len(tokens) - 1

    def _paragraph(self, inline: Token) -> Block:
        children = [t for t in inline.children or [] if not (t.type == "text" and not t.content.strip())]
        if len(children) == 1 and children[0].type == "image":
            image = children[0]
            return self.image(self.path, str(image.attrs.get("src", "")), image.content or None, None)
        return Paragraph(self.inline(inline))

    def _markdown_table(self, tokens: list[Token], caption: str | None) -> Table:
        header: list[Inline] = []
        rows: list[list[Inline]] = []
        in_head = False
        for token in tokens:
            if token.type == "thead_open":
                in_head = True
            elif token.type == "thead_close":
                in_head = False
            elif token.type == "tr_open" and not in_head:
                rows.append([])
            elif token.type == "inline":
                (header if in_head else rows[-1]).append(self.inline(token))
        return self.table(tuple(header), tuple(tuple(row) for row in rows), caption)


@dataclass
class _Numbering:
    """How a document numbers headings and captions; anchors run through the whole document."""

    headings: str
    captions: bool
    anchors: list[int] = field(default_factory=lambda: [0])
    notes: list[int] = field(default_factory=lambda: [0])

    def builder(self, article: Article, path: str = "body") -> _BlockBuilder:
        return _BlockBuilder(article, HeadingCounter(self.headings, self.anchors), CaptionCounter(self.captions), path,
                             self.notes)


def _official_parts(article: Article, numbering: _Numbering) -> OfficialParts | None:
    data = article.official
    if data is None:
        return None
    titles: list[str] = []
    appendices: list[Appendix] = []
    for index, attachment in enumerate(data.attachments):
        title = attachment if isinstance(attachment, str) else attachment["title"]
        titles.append(title)
        if not isinstance(attachment, str):
            path = f"official.attachments[{index}].body"
            blocks = numbering.builder(article, path).body(attachment.get("body", ()))
            label = f"附件{index + 1}" if len(data.attachments) > 1 else "附件"
            appendices.append(Appendix(label, title, blocks))
    seal = None
    if data.seal:
        problem = image_problem("official.seal", data.seal, article.base_dir)
        if problem is not None:
            raise ArticleError(article.origin, [problem])
        assert article.base_dir is not None
        seal = (article.base_dir / data.seal).resolve()
    date_text = chinese_date(article.date) if article.date else None
    signature = None
    if data.signatory:
        style = data.signature_style or ("seal" if seal else "plain")
        signature = official.signature(style, data.signatory, date_text, seal)
    lines, suffix = official.issuer_parts(data.issuer, data.issuer_suffix)
    title_chars = int(mm_to_pt(gbt9704.BLOCK_WIDTH) // gbt9704.TITLE_PT)
    return OfficialParts(
        title_lines=official.balanced_lines(article.title.strip(), title_chars),
        copy_number=data.copy_number.zfill(6) if data.copy_number else None,
        secrecy_line=official.secrecy_line(data.secrecy, data.secrecy_period),
        urgency=data.urgency,
        issuer_lines=lines,
        issuer_suffix=suffix,
        mark_pt=official.mark_size(lines, suffix),
        number=data.number,
        signers=data.signers,
        recipients=data.recipients,
        attachment_titles=tuple(titles),
        appendices=tuple(appendices),
        signature=signature,
        note=data.note,
        cc="、".join(data.cc) if data.cc else None,
        printer=data.printer,
        print_date_text=chinese_date(data.print_date) if data.print_date else None,
    )


def _report_parts(article: Article, blocks: tuple[Block, ...]) -> ReportParts:
    report = article.report
    logo = None
    if report and report.logo:
        problem = image_problem("report.logo", report.logo, article.base_dir)
        if problem is not None:
            raise ArticleError(article.origin, [problem])
        assert article.base_dir is not None
        logo = (article.base_dir / report.logo).resolve()
    contents = tuple(
        ContentsEntry(block.level, block.label, inline_text(block.spans), block.anchor or "")
        for block in blocks if isinstance(block, Heading) and block.level <= CONTENTS_DEPTH
    )
    return ReportParts(
        title_lines=official.balanced_lines(article.title.strip(), REPORT_TITLE_CHARS),
        organisation=article.publisher.name if article.publisher else None,
        date_text=chinese_date(article.date) if article.date else None,
        secrecy=report.secrecy if report else None,
        logo=logo,
        contents=contents,
    )


def build_document(article: Article, numbering: str = "none", captions: bool = False, report: bool = False) -> Document:
    """Decide everything both renderers must agree on. numbering: official, decimal or none; captions:
    number captioned tables and figures; report: add the cover fields and contents entries."""
    plan = _Numbering(numbering, captions)
    blocks = plan.builder(article).body(article.body)
    source = Source(article.source.name, article.source.url) if article.source else None
    masthead = None
    if article.publisher:
        info = article.publisher
        masthead = Masthead(info.name, info.phone, info.address, info.url)
    meta = Meta(
        title=article.title.strip(),
        subtitle=article.subtitle,
        date=article.date,
        date_text=chinese_date(article.date) if article.date else None,
        category=article.category,
        author=article.author,
        views=article.views,
        lead=clean_paragraph(article.lead) if article.lead else None,
        source=source,
        compiled_by=article.compiled_by,
        disclaimer=article.disclaimer.strip() if article.disclaimer else None,
        masthead=masthead,
        keywords=article.keywords,
        lang=article.lang,
    )
    return Document(meta=meta, blocks=blocks, base_dir=article.base_dir,
                    official=_official_parts(article, plan),
                    report=_report_parts(article, blocks) if report else None)
