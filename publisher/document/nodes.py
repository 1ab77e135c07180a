"""The document model: blocks of inline spans plus decided metadata. No HTML, no OOXML."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from publisher.document.official import OfficialParts


@dataclass(frozen=True)
class Span:
    """A run of text with the emphasis Markdown allows. A span with a note is a footnote reference:
    its text is empty, note holds the footnote's text and note_id numbers it through the document."""

    text: str
    bold: bool = False
    italic: bool = False
    note: str | None = None
    note_id: int | None = None


Inline = tuple[Span, ...]


def plain(text: str) -> Inline:
    """Inline content of one unstyled span."""
    return (Span(text),) if text else ()


def inline_text(spans: Inline) -> str:
    """The characters of an inline sequence, without styling or footnotes."""
    return "".join(span.text for span in spans)


def inline_notes(spans: Inline) -> list[str]:
    """The footnote texts referenced in an inline sequence."""
    return [span.note for span in spans if span.note]


@dataclass(frozen=True)
class Paragraph:
    kind: ClassVar[str] = "paragraph"
    spans: Inline


@dataclass(frozen=True)
class Heading:
    """A heading; label is the decided ordinal (一、 （一） 1.1 …) or None when unnumbered; anchor is the
    id the contents and bookmarks point to."""

    kind: ClassVar[str] = "heading"
    level: int
    spans: Inline
    label: str | None = None
    anchor: str | None = None


@dataclass(frozen=True)
class ListBlock:
    kind: ClassVar[str] = "list"
    items: tuple[Inline, ...]
    ordered: bool = False


@dataclass(frozen=True)
class Table:
    """A table; numeric[i] tells whether column i holds numbers (right-aligned); label is its decided
    number (表1) when the template numbers captions; widths are the columns' shares of the table width in
    per cent, decided once so both renderers wrap cells alike."""

    kind: ClassVar[str] = "table"
    rows: tuple[tuple[Inline, ...], ...]
    header: tuple[Inline, ...] = ()
    caption: str | None = None
    numeric: tuple[bool, ...] = ()
    label: str | None = None
    widths: tuple[float, ...] = ()


@dataclass(frozen=True)
class Quote:
    kind: ClassVar[str] = "quote"
    paragraphs: tuple[Inline, ...]


@dataclass(frozen=True)
class Image:
    """A local image, already checked to lie inside the input's folder."""

    kind: ClassVar[str] = "image"
    path: Path
    caption: str | None = None
    width_mm: float | None = None
    label: str | None = None


@dataclass(frozen=True)
class PageBreak:
    kind: ClassVar[str] = "pagebreak"


Block = Paragraph | Heading | ListBlock | Table | Quote | Image | PageBreak


@dataclass(frozen=True)
class Source:
    name: str
    url: str | None = None


@dataclass(frozen=True)
class Masthead:
    """The issuing organisation shown in the running header."""

    name: str | None = None
    phone: str | None = None
    address: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Meta:
    """Everything about the document that is not body text, already decided (dates in Chinese form …)."""

    title: str
    subtitle: str | None = None
    date: dt.date | None = None
    date_text: str | None = None
    category: str | None = None
    author: str | None = None
    views: int | None = None
    lead: str | None = None
    source: Source | None = None
    compiled_by: str | None = None
    disclaimer: str | None = None
    masthead: Masthead | None = None
    keywords: tuple[str, ...] = ()
    lang: str = "zh-CN"


@dataclass(frozen=True)
class ContentsEntry:
    """One line of a table of contents: a heading of level 1–3 and the anchor it points to."""

    level: int
    label: str | None
    text: str
    anchor: str


@dataclass(frozen=True)
class ReportParts:
    """What a report adds around its body: cover fields and the contents entries."""

    title_lines: tuple[str, ...]
    organisation: str | None
    date_text: str | None
    secrecy: str | None
    logo: Path | None
    contents: tuple[ContentsEntry, ...]

    def texts(self) -> list[str]:
        return [self.organisation or "", self.secrecy or "", "目录",
                *(f"{entry.label or ''}{entry.text}" for entry in self.contents)]


def _inlines(block: Block) -> list[Inline]:
    if isinstance(block, (Paragraph, Heading)):
        return [block.spans]
    if isinstance(block, ListBlock):
        return list(block.items)
    if isinstance(block, Table):
        return [*block.header, *(cell for row in block.rows for cell in row)]
    if isinstance(block, Quote):
        return list(block.paragraphs)
    return []


def _block_text(block: Block) -> list[str]:
    inlines = _inlines(block)
    parts = [inline_text(spans) for spans in inlines] + [note for spans in inlines for note in inline_notes(spans)]
    if isinstance(block, Heading):
        parts.append(block.label or "")
    if isinstance(block, (Table, Image)):
        parts += [block.label or "", block.caption or ""]
    return parts


@dataclass(frozen=True)
class Document:
    """What both renderers consume: metadata, body blocks, and where the input lives."""

    meta: Meta
    blocks: tuple[Block, ...]
    base_dir: Path | None = None
    official: OfficialParts | None = None
    report: ReportParts | None = None

    def all_text(self) -> str:
        """Every character that will be printed, for glyph-coverage checks."""
        meta = self.meta
        parts = [meta.title, meta.subtitle, meta.date_text, meta.category, meta.author, meta.lead,
                 meta.compiled_by, meta.disclaimer]
        if meta.source:
            parts += [meta.source.name, meta.source.url]
        if meta.masthead:
            parts += [meta.masthead.name, meta.masthead.phone, meta.masthead.address, meta.masthead.url]
        blocks = list(self.blocks)
        if self.official:
            parts += self.official.texts()
            for appendix in self.official.appendices:
                blocks += appendix.blocks
        if self.report:
            parts += self.report.texts()
        for block in blocks:
            parts += _block_text(block)
        return "\n".join(part for part in parts if part)
