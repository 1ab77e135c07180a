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
PAGE_ONE_ANCHOR = "page-one"  # the element whose first page is printed as page 1
BLOCK_ID_PREFIXES = ("blk-", HEADING_ID_PREFIX)  # ids of body blocks (templates/_base/blocks.html)
NOTE_PREFIXES = ("call-", "note-")  # a footnote's call and the note itself
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
        laid_out = self.lay_out(document, template)
        try:
            data = laid_out.write_pdf(**self._variant_options(source))
        except Exception as error:  # WeasyPrint raises many kinds; report one, keep the cause
            raise RenderError(f"PDF writing failed: {error}") from error
        return PdfOutput(data=data, pages=len(laid_out.pages))

    def heading_pages(self, document: Document, template: TemplateInfo) -> dict[str, str]:
        """The printed page number of every heading (anchor → number), counted from the page holding the
        element with id page-one (the report's body), as the PDF prints them."""
        pages = self.lay_out(document, template).pages
        first_page: dict[str, int] = {}
        for index, page in enumerate(pages):
            for name in page.anchors:
                first_page.setdefault(name, index)
        start = first_page.get(PAGE_ONE_ANCHOR, 0)
        return {name: str(index - start + 1) for name, index in first_page.items()
                if name.startswith(HEADING_ID_PREFIX)}

    def lay_out(self, document: Document, template: TemplateInfo) -> Any:
        """The final layout: again with a block moved to a new page while a footnote would leave its call's
        page, and again with the 版记 on an even page when asked."""
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
        return laid_out

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
    """The block to start on a new page so that every footnote sits on its call's page, or None.

    When a line does not fit at the foot of a page, WeasyPrint 70 first moves the page's footnotes to the
    next page to make room for it, leaving their calls behind (and does not move them back when the line
    ends up on the next page after all). A forced break before that line's block keeps every note with
    its call: the block split over the two pages, or else the first block of the next page.
    """
    pages = [[key for key in page.anchors if key.startswith(BLOCK_ID_PREFIXES) or key.startswith(NOTE_PREFIXES)]
             for page in laid_out.pages]
    first_page: dict[str, int] = {}
    for index, keys in enumerate(pages):
        for key in keys:
            first_page.setdefault(key, index)
    for key, index in first_page.items():
        note = key.replace("call-", "note-", 1)
        if not key.startswith("call-") or first_page.get(note, index) <= index or index + 1 >= len(pages):
            continue
        here = [name for name in pages[index] if name.startswith(BLOCK_ID_PREFIXES)]
        following = [name for name in pages[index + 1] if name.startswith(BLOCK_ID_PREFIXES)]
        if here and here[-1] in following:  # split over the two pages: move it whole
            while len(here) > 1 and here[-2].startswith(HEADING_ID_PREFIX):  # with the headings it follows
                here.pop()
            return here[-1]
        return next((name for name in following if first_page[name] == index + 1), None)
    return None


def _page_of(laid_out: Any, anchor: str) -> int:
    """The 1-based number of the page holding an element id, or 0 when there is none."""
    for number, page in enumerate(laid_out.pages, start=1):
        if anchor in page.anchors:
            return number
    return 0
