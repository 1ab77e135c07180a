"""PDF renderer: fills the template's Jinja HTML/CSS with a Document and lays it out with WeasyPrint."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import Any

with warnings.catch_warnings():
    # WeasyPrint warns at import when HarfBuzz-Subset is missing; we report that ourselves, once, clearly.
    warnings.simplefilter("ignore", UserWarning)
    import weasyprint
    from weasyprint.text import ffi as weasy_ffi
    from weasyprint.text.fonts import FontConfiguration

from markupsafe import Markup

from publisher.document.nodes import Document
from publisher.standards import gbt9704
from publisher.errors import RenderError
from publisher.fonts import ROLES, FontRegistry
from publisher.options import RenderOptions
from publisher.render import cjk_lines
from publisher.render.fetch import LocalOnlyFetcher
from publisher.templates import TemplateInfo, TemplateLibrary

logger = logging.getLogger("publisher")
cjk_lines.install()

BANJI_ANCHOR = "banji"
HEADING_ID_PREFIX = "sec-"
BLOCK_ID_PREFIXES = ("blk-", HEADING_ID_PREFIX)  # ids of body blocks (templates/_base/blocks.html)
MAX_LAYOUT_PASSES = 6
STANDARD = {name: value for name, value in vars(gbt9704).items() if name.isupper()}

HARFBUZZ_SUBSET_MISSING = (
    "the HarfBuzz subsetter (libharfbuzz-subset, Debian package libharfbuzz-subset0) is not installed: "
    "WeasyPrint falls back to fontTools and CJK documents render about ten times slower; "
    "install it with 'apt-get install libharfbuzz-subset0'"
)


def harfbuzz_subset_available() -> bool:
    """Whether WeasyPrint found the system HarfBuzz subsetter it uses for fast font subsetting."""
    return weasy_ffi.harfbuzz_subset is not None


@dataclass(frozen=True)
class SourceFile:
    """An article's source data to embed in a PDF/A-3b file: file name, bytes, and the date to stamp it with."""

    name: str
    data: bytes
    date: datetime


@dataclass(frozen=True)
class PdfOutput:
    """A rendered PDF and what can be read off it without parsing."""

    data: bytes
    pages: int


class PdfRenderer:
    """Holds one WeasyPrint font configuration, so fonts load once for many documents."""

    def __init__(self, fonts: FontRegistry, templates: TemplateLibrary, options: RenderOptions):
        self.fonts = fonts
        self.templates = templates
        self.options = options
        self.font_config = FontConfiguration()
        # Trusted CSS from the font manifest, marked safe so autoescaping leaves its quotes alone.
        self.font_faces = Markup(fonts.font_face_css())
        self.families = {role: Markup(fonts.family_list(role, options.prefer_installed_fonts)) for role in ROLES}
        self.warnings: list[str] = [] if harfbuzz_subset_available() else [HARFBUZZ_SUBSET_MISSING]
        for warning in self.warnings:
            logger.warning("%s", warning)

    def html(self, document: Document, template: TemplateInfo, banji_on_even_page: bool = False,
             pushed: frozenset[str] = frozenset()) -> str:
        """The filled HTML (with its CSS inlined) for a document; pushed: ids of blocks to start on a new page."""
        meta = document.meta
        context: dict[str, Any] = {
            "meta": meta,
            "blocks": document.blocks,
            "official": document.official,
            "report": document.report,
            "std": STANDARD,
            "em_top": self.fonts.em_box_top,
            "options": self.options,
            "banji_on_even_page": banji_on_even_page,
            "pushed": pushed,
            "profile": template.profile,
            "fonts": self.families,
            "font_faces": self.font_faces,
            "subject": meta.subtitle or meta.category or "",
            "keywords": ", ".join(meta.keywords or ([meta.category] if meta.category else [])),
        }
        environment = self.templates.environment(template)
        return environment.get_template("document.html").render(context)

    def render(self, document: Document, template: TemplateInfo, source: SourceFile | None = None) -> PdfOutput:
        """Lay out and write the PDF; every resource goes through the allow-list fetcher. With the pdf/a-3b
        variant, source (the article's data, when given) is embedded as an associated file."""
        roots = [*self.templates.allowed_roots(template), self.fonts.folder.resolve()]
        if document.base_dir is not None:
            roots.append(document.base_dir.resolve())
        base_url = (document.base_dir or template.folder).resolve().as_uri() + "/"

        fetcher = LocalOnlyFetcher(roots)
        banji_on_even_page = False
        pushed: frozenset[str] = frozenset()
        for _ in range(MAX_LAYOUT_PASSES):
            laid_out = self._lay_out(document, template, base_url, fetcher, banji_on_even_page, pushed)
            block = _block_to_push(laid_out)
            if block is not None and block not in pushed:
                pushed |= {block}
            elif self.options.banji_even_page and not banji_on_even_page and \
                    _page_of(laid_out, BANJI_ANCHOR) % 2 == 1:
                banji_on_even_page = True
            else:
                break
        try:
            data = laid_out.write_pdf(**self._variant_options(source))
        except Exception as error:  # WeasyPrint raises many kinds; report one, keep the cause
            raise RenderError(f"PDF writing failed: {error}") from error
        return PdfOutput(data=data, pages=len(laid_out.pages))

    def _variant_options(self, source: SourceFile | None) -> dict[str, Any]:
        """write_pdf options for the archival variant: the variant, and for PDF/A-3b the article's source
        data (when the document carries it) embedded as an associated file with relationship Source."""
        variant = self.options.pdf_variant
        if not variant:
            return {}
        options: dict[str, Any] = {"pdf_variant": variant}
        if variant == "pdf/a-3b" and source is not None:
            # fixed dates (the article's), so the same input gives the same bytes
            options["attachments"] = [weasyprint.Attachment(
                string=source.data, name=source.name, description="Source data of this document",
                relationship="Source", created=source.date, modified=source.date)]
        return options

    def _lay_out(self, document: Document, template: TemplateInfo, base_url: str, fetcher: LocalOnlyFetcher,
                 banji_on_even_page: bool, pushed: frozenset[str]) -> Any:
        html = weasyprint.HTML(string=self.html(document, template, banji_on_even_page, pushed), base_url=base_url,
                               url_fetcher=fetcher)
        try:
            return html.render(font_config=self.font_config)
        except Exception as error:  # WeasyPrint raises many kinds; report one, keep the cause
            raise RenderError(f"PDF layout failed: {error}") from error


def _block_to_push(laid_out: Any) -> str | None:
    """The block to start on a new page so that a footnote sits on its call's page, or None.

    When the first line of a paragraph does not fit at the foot of a page, WeasyPrint 70 moves the page's
    footnotes to the next page to make room for that line, leaving their calls behind. Starting that
    paragraph (the last block on the call's page) on the next page instead keeps every note with its call.
    """
    first_page: dict[str, int] = {}
    for index, page in enumerate(laid_out.pages):
        for name in page.anchors:
            first_page.setdefault(name, index)
    for name, index in first_page.items():
        if name.startswith("call-") and first_page.get("note-" + name.removeprefix("call-"), index) > index:
            blocks = [key for key in laid_out.pages[index].anchors if key.startswith(BLOCK_ID_PREFIXES)]
            # headings right before it go with it (they keep with the next block)
            while len(blocks) > 1 and blocks[-2].startswith(HEADING_ID_PREFIX):
                blocks.pop()
            return blocks[-1] if blocks else None
    return None


def _page_of(laid_out: Any, anchor: str) -> int:
    """The 1-based number of the page holding an element id, or 0 when there is none."""
    for number, page in enumerate(laid_out.pages, start=1):
        if anchor in page.anchors:
            return number
    return 0
