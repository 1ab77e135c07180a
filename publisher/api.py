"""The library's entry points: load an article, render it to bytes, or to a file atomically."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from publisher.article import Article, load_article
from publisher.document import Document, build_document
from publisher.errors import RenderError, TemplateError
from publisher.fonts import FontRegistry
from publisher.options import RenderOptions
from publisher.output import atomic_write
from publisher.render import FORMATS
from publisher.templates import TemplateInfo, TemplateLibrary

logger = logging.getLogger("publisher")

DEFAULT_TEMPLATE = "article"


@dataclass(frozen=True)
class RenderResult:
    """The bytes of one rendered document, its page count (None for DOCX, which the word processor
    paginates) and any warnings."""

    data: bytes
    format: str
    template: str
    pages: int | None
    warnings: tuple[str, ...] = field(default=())


class Publisher:
    """Loads fonts and templates once; renders many documents.

    >>> publisher = Publisher()
    >>> pdf = publisher.render(load_article("examples/article.yaml")).data
    """

    def __init__(self, options: RenderOptions | None = None):
        self.options = options or RenderOptions()
        self.fonts = FontRegistry()
        self.templates = TemplateLibrary(self.options.template_dirs)
        self._pdf: Any = None
        self._docx: Any = None

    def _pdf_renderer(self) -> Any:
        if self._pdf is None:
            from publisher.render.pdf import PdfRenderer  # WeasyPrint loads only when a PDF is wanted

            self._pdf = PdfRenderer(self.fonts, self.templates, self.options)
        return self._pdf

    def _docx_renderer(self) -> Any:
        if self._docx is None:
            from publisher.render.docx import DocxRenderer  # python-docx loads only when a DOCX is wanted

            self._docx = DocxRenderer(self.fonts, self.options)
        return self._docx

    def template_for(self, article: Article, template: str | None) -> TemplateInfo:
        """The template named on the call, else the article's own, else the default."""
        return self.templates.get(template or article.template or DEFAULT_TEMPLATE)

    def document(self, article: Article, template: TemplateInfo) -> Document:
        """The internal document model of an article for a template. Heading numbers: the option, else
        the article's report.numbering, else the template's."""
        numbering = (self.options.heading_numbering or (article.report.numbering if article.report else None)
                     or template.heading_numbering)
        return build_document(article, numbering, captions=template.numbered_captions,
                              report=template.docx_layout == "report")

    def glyph_warnings(self, document: Document) -> list[str]:
        """A warning naming the characters no bundled font can draw, if any."""
        missing = self.fonts.missing_characters(document.all_text())
        if not missing:
            return []
        named = " ".join(f"{char} (U+{ord(char):04X})" for char in missing[:20])
        more = f" and {len(missing) - 20} more" if len(missing) > 20 else ""
        return [f"characters without a glyph in the bundled fonts: {named}{more}"]

    def render(
        self, article: Article | Mapping[str, Any], format: str = "pdf", template: str | None = None,
        source: tuple[str, bytes] | None = None,
    ) -> RenderResult:
        """Render an article (or a mapping, validated first) to bytes in the given format.

        source, (file name, bytes) of the article's input, is embedded in the PDF when the pdf/a-3b
        variant is chosen, so the archive keeps the data with the print.
        """
        if not isinstance(article, Article):
            article = load_article(article)
        if format not in FORMATS:
            raise RenderError(f"unknown format {format!r}; known formats: {', '.join(FORMATS)}")
        info = self.template_for(article, template)
        if format not in info.formats:
            raise TemplateError(f"template {info.name!r} cannot produce {format}")
        document = self.document(article, info)
        warnings = self.glyph_warnings(document)
        for warning in warnings:
            logger.warning("%s: %s", article.origin, warning)
        if warnings and self.options.strict:
            raise RenderError(f"{article.origin}: " + "; ".join(warnings))
        if format == "docx":
            # a report's contents carry the page numbers of our own (PDF) pagination
            labels = self._pdf_renderer().heading_pages(document, info) if document.report else None
            data = self._docx_renderer().render(document, info, labels)
            return RenderResult(data, format, info.name, None, tuple(warnings))
        renderer = self._pdf_renderer()
        attachment = None
        if source is not None:
            from publisher.render.pdf import SourceFile

            day = article.date or dt.date(2000, 1, 1)
            stamp = dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)  # the article's, never the clock
            attachment = SourceFile(source[0], source[1], stamp)
        output = renderer.render(document, info, attachment)
        return RenderResult(output.data, format, info.name, output.pages, (*renderer.warnings, *warnings))

    def render_to(
        self, article: Article | Mapping[str, Any], path: str | Path, format: str | None = None,
        template: str | None = None,
    ) -> RenderResult:
        """Render and write atomically: the target is either left as it was or replaced whole."""
        chosen = format or format_from_path(path)
        result = self.render(article, chosen, template)
        atomic_write(path, result.data)
        return result


def format_from_path(path: str | Path) -> str:
    """The output format an extension names (.pdf → pdf)."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise RenderError(f"cannot tell the format from {Path(path).name!r}; use one of: {', '.join(FORMATS)}")
    return suffix


@cache
def default_publisher() -> Publisher:
    """The Publisher behind the module-level render(), created on first use."""
    return Publisher()


def render(article: Article | Mapping[str, Any] | str | Path, format: str = "pdf", template: str | None = None) -> bytes:
    """Render an article (Article, mapping, or path to a file) to bytes with the default Publisher."""
    if isinstance(article, (str, Path)):
        article = load_article(article)
    return default_publisher().render(article, format, template).data
