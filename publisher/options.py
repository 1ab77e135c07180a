"""The one typed record of rendering options, shared by the API, the CLI and the renderers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from publisher.errors import RenderError

LINE_PITCHES = ("grid", "28pt")
DOCX_FONT_MODES = ("standard", "bundled")
PAGE_NUMBER_STYLES = ("outer", "centre")
PDF_VARIANTS = ("pdf/a-2b", "pdf/a-3b", "pdf/a-2u", "pdf/ua-1")
HEADING_NUMBERINGS = ("official", "decimal", "none")


@dataclass(frozen=True)
class RenderOptions:
    """Everything that changes output, shared by the API and the CLI.

    prefer_installed_fonts puts the office faces (仿宋_GB2312 …) before the bundled ones; the output
    then depends on the machine. strict turns warnings (such as characters without a glyph) into errors.
    For official documents: line_pitch "grid" (22 lines fill the text block) or "28pt"; page_numbers
    "outer" (odd right, even left) or "centre"; banji_even_page puts the 版记 on an even page.
    docx_fonts: "standard" (the default) writes the face names offices have installed (仿宋_GB2312 …);
    "bundled" writes the bundled faces' names and embeds them, subset, in the DOCX.
    pdf_variant: None (plain PDF) or an archival variant WeasyPrint writes: pdf/a-2b, pdf/a-3b, pdf/a-2u, pdf/ua-1.
    heading_numbering: None (the article's report.numbering, else the template's) or official (一、（一）1.),
    decimal (1 / 1.1 / 1.1.1) or none.
    """

    prefer_installed_fonts: bool = False
    strict: bool = False
    template_dirs: tuple[Path, ...] = ()
    line_pitch: str = "grid"
    page_numbers: str = "outer"
    banji_even_page: bool = False
    docx_fonts: str | None = None
    pdf_variant: str | None = None
    heading_numbering: str | None = None

    def __post_init__(self) -> None:
        if self.line_pitch not in LINE_PITCHES:
            raise RenderError(f"line_pitch must be one of {', '.join(LINE_PITCHES)}, not {self.line_pitch!r}")
        if self.docx_fonts is not None and self.docx_fonts not in DOCX_FONT_MODES:
            raise RenderError(f"docx_fonts must be one of {', '.join(DOCX_FONT_MODES)}, not {self.docx_fonts!r}")
        if self.pdf_variant is not None and self.pdf_variant not in PDF_VARIANTS:
            raise RenderError(f"pdf_variant must be one of {', '.join(PDF_VARIANTS)}, not {self.pdf_variant!r}")
        if self.heading_numbering is not None and self.heading_numbering not in HEADING_NUMBERINGS:
            raise RenderError(f"heading_numbering must be one of {', '.join(HEADING_NUMBERINGS)}, "
                              f"not {self.heading_numbering!r}")
        if self.page_numbers not in PAGE_NUMBER_STYLES:
            raise RenderError(
                f"page_numbers must be one of {', '.join(PAGE_NUMBER_STYLES)}, not {self.page_numbers!r}")
