"""The report layout of templates/report in DOCX, from the same profile numbers as the PDF.

Three sections, each starting on a new page as in the PDF: the cover (no header or footer), the
contents (a TOC field whose entries already carry the page numbers of our PDF pagination, numbered
— I —), and the body (numbered — 1 — from 1, the report title as the even-page head and the current
level-1 heading, a STYLEREF field, as the odd-page head).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph as DocxParagraph

from publisher.document.nodes import ContentsEntry, Heading, Image, ReportParts, Table
from publisher.render import ooxml
from publisher.render.docx import HEADING_ROLES, Builder, caption_text
from publisher.render.docx_notes import Footnotes
from publisher.standards import gbt9704 as std
from publisher.units import mm_to_pt, pt_to_twips

CONTENTS_INSTRUCTION = 'TOC \\o "1-3" \\h \\z \\u'
COVER_FOOT_ABOVE_BLOCK_END_MM = 10.0


def bookmark_name(anchor: str) -> str:
    """A hidden Word bookmark name for a heading anchor (sec-3 → _Toc_sec_3)."""
    return "_Toc_" + anchor.replace("-", "_")


class ReportBuilder(Builder):
    """Builds the report: cover, contents, body with running heads and footnotes."""

    def __init__(self, *args: Any, page_labels: Mapping[str, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.page_labels = page_labels or {}
        self.profile = self.template.profile
        self.bookmarks = 0

    @property
    def report(self) -> ReportParts:
        assert self.document.report is not None
        return self.document.report

    def build(self) -> None:
        p = self.profile
        self.body_pt, self.body_role, self.table_pt = float(p["body_pt"]), p["body_role"], float(p["table_pt"])
        self.line_pt = float(p["line_pt"])
        self.char_pitch_pt = self.body_pt
        head_mm = p["margin_top_mm"] - p["head_above_block_mm"] - p["head_pt"] / std.PT_PER_MM
        foot_mm = p["margin_bottom_mm"] - p["number_below_block_mm"] - p["number_pt"] * 1.2 / std.PT_PER_MM
        section = self.page_setup(p["margin_top_mm"], p["margin_bottom_mm"], p["margin_left_mm"],
                                  p["margin_right_mm"], head_mm, foot_mm)
        settings = self.package.settings
        settings.odd_and_even_pages_header_footer = True
        self.setup_styles()
        normal = self.package.styles["Normal"].paragraph_format
        normal.line_spacing_rule, normal.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(self.line_pt)
        normal.space_before = normal.space_after = Pt(0)
        normal.widow_control = False
        self.heading_styles()
        self.footnotes = Footnotes(self.package, self.run_properties("songti", float(p["note_pt"])),
                                   pt_to_twips(float(p["note_line_pt"])))
        self.cover()
        self.empty_heads(section)
        if self.report.contents:
            contents = self.new_section(fold=False)  # LibreOffice gives the cover the next section's footer otherwise
            self.contents()
            self.page_numbers(contents, "upperRoman")
            self.empty_heads(contents, footers=False)
        body = self.new_section(fold=bool(self.report.contents))
        self.blocks(self.document.blocks)
        self.credits()
        self.page_numbers(body, "decimal")
        self.running_heads(body)

    def new_section(self, fold: bool) -> Any:
        """A section starting on a new page; with fold, the break goes into the last paragraph written
        (no empty paragraph that could spill onto a page of its own, as after a full contents page)."""
        section = self.package.add_section(WD_SECTION.NEW_PAGE)
        if fold:
            ooxml.fold_section_break(self.package.element.body)
        return section

    # -- styles ------------------------------------------------------------------------------------
    def heading_styles(self) -> None:
        for level in range(1, 5):
            style = self.heading_style(level, HEADING_ROLES[level], self.body_pt, self.line_pt)
            style.paragraph_format.first_line_indent = Pt(2 * self.body_pt)
        for level in range(1, 4):
            style = self.package.styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = self.package.styles["Normal"]
            self.style_font(style, "heiti" if level == 1 else self.body_role, self.body_pt)
            fmt = style.paragraph_format
            fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(float(self.profile["contents_line_pt"]))
            fmt.left_indent = Pt(2 * self.body_pt * (level - 1))
            fmt.tab_stops.add_tab_stop(Mm(self.text_width_mm), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)

    def exact(self, paragraph: DocxParagraph, line_pt: float, before_pt: float = 0) -> DocxParagraph:
        fmt = paragraph.paragraph_format
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(line_pt)
        fmt.space_before = Pt(before_pt)
        return paragraph

    # -- cover -------------------------------------------------------------------------------------
    def cover(self) -> None:
        p, report, meta = self.profile, self.report, self.document.meta
        cover_pt = float(p["cover_pt"])
        if report.secrecy:
            self.paragraph(report.secrecy, "heiti", cover_pt)
        # the organisation and date sit in frames at the foot of the page; written first, so that the
        # section break can end the flowing text
        foot = [(report.organisation, "kaiti"), (report.date_text, self.body_role)]
        lines = [(text, role) for text, role in foot if text]
        top_mm = (std.PAGE_HEIGHT - p["margin_bottom_mm"] - 1 - COVER_FOOT_ABOVE_BLOCK_END_MM
                  - len(lines) * self.line_pt / std.PT_PER_MM)
        for text, role in lines:
            paragraph = self.paragraph(text, role, cover_pt, WD_ALIGN_PARAGRAPH.CENTER)
            ooxml.frame(paragraph._p.get_or_add_pPr(), pt_to_twips(mm_to_pt(p["margin_left_mm"])),
                        pt_to_twips(mm_to_pt(top_mm)), pt_to_twips(mm_to_pt(self.text_width_mm)))
        if report.logo:
            logo = self.package.add_paragraph()
            logo.alignment = WD_ALIGN_PARAGRAPH.CENTER
            logo.paragraph_format.space_before = Mm(18)
            logo.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            logo.add_run().add_picture(str(report.logo), width=Mm(32))
        title_pt = float(p["title_pt"])
        for index, line in enumerate(report.title_lines):
            paragraph = self.paragraph(line, "xiaobiaosong", title_pt, WD_ALIGN_PARAGRAPH.CENTER)
            self.exact(paragraph, title_pt * 1.5, mm_to_pt(30) if index == 0 else 0)
        if meta.subtitle:
            subtitle_pt = float(p["subtitle_pt"])
            paragraph = self.paragraph(meta.subtitle, "kaiti", subtitle_pt, WD_ALIGN_PARAGRAPH.CENTER)
            self.exact(paragraph, subtitle_pt * 1.6, mm_to_pt(6))

    # -- contents ----------------------------------------------------------------------------------
    def contents(self) -> None:
        title_pt = float(self.profile["contents_title_pt"])
        title = self.paragraph("目\u3000录", "heiti", title_pt, WD_ALIGN_PARAGRAPH.CENTER)
        self.exact(title, self.line_pt * 2)
        entries = self.report.contents
        for index, entry in enumerate(entries):
            paragraph = self.package.add_paragraph(style=f"toc {entry.level}")
            if index == 0:
                ooxml.field_begin(paragraph._p, CONTENTS_INSTRUCTION)
            self.contents_entry(paragraph, entry)
            if index == len(entries) - 1:
                ooxml.field_end(paragraph._p)

    def contents_entry(self, paragraph: DocxParagraph, entry: ContentsEntry) -> None:
        """label text, a dot-leader tab and the page number, linked to the heading's bookmark."""
        link = OxmlElement("w:hyperlink")
        link.set(qn("w:anchor"), bookmark_name(entry.anchor))
        link.set(qn("w:history"), "1")
        paragraph._p.append(link)
        for text in (f"{entry.label or ''}{entry.text}", "\t", self.page_labels.get(entry.anchor, "")):
            run = OxmlElement("w:r")
            element = OxmlElement("w:tab") if text == "\t" else OxmlElement("w:t")
            if text != "\t":
                element.text = text
            run.append(element)
            link.append(run)

    # -- body --------------------------------------------------------------------------------------
    def heading(self, block: Heading) -> None:
        """The model's label as text (so the contents and the running head read it), inside a bookmark
        the contents link to."""
        paragraph = self.package.add_paragraph(style=f"Heading {block.level}")
        self.bookmarks += 1
        if block.anchor:
            ooxml.bookmark_start(paragraph._p, self.bookmarks, bookmark_name(block.anchor))
        if block.label:
            self.run(paragraph, block.label)
        self.spans(paragraph, block.spans)
        if block.anchor:
            ooxml.bookmark_end(paragraph._p, self.bookmarks)

    def body_paragraph(self, paragraph: DocxParagraph) -> None:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        self.indent_chars(paragraph, first_line=200)

    def note(self, paragraph: DocxParagraph, text: str, role: str | None, size: float | None) -> None:
        self.footnotes.add(paragraph, text, self.run_properties(role or self.body_role, float(self.profile["note_pt"])))

    def caption(self, text: str, keep_with_next: bool) -> DocxParagraph:
        p = self.profile
        paragraph = self.paragraph(text, "heiti", float(p["caption_pt"]), WD_ALIGN_PARAGRAPH.CENTER)
        self.exact(paragraph, float(p["caption_line_pt"]))
        paragraph.paragraph_format.keep_with_next = keep_with_next
        return paragraph

    def gap(self) -> None:
        """The half line the PDF leaves below a table or figure."""
        self.exact(self.package.add_paragraph(), self.line_pt / 2)

    def table(self, block: Table) -> None:
        p = self.profile
        if block.caption:
            self.caption(caption_text(block.label, block.caption), keep_with_next=True)
        table = self.table_grid(block, self.table_pt, "songti")
        margins = ooxml.child(table._tbl.tblPr, "w:tblCellMar")
        padding = pt_to_twips(float(p["cell_padding_pt"]))
        for side, value in (("top", padding), ("left", pt_to_twips(4)), ("bottom", padding), ("right", pt_to_twips(4))):
            ooxml.child(margins, f"w:{side}", w=value, type="dxa")
        for row_index, row in enumerate(table.rows):
            header = bool(block.header) and row_index == 0
            for column, cell in enumerate(row.cells):
                ooxml.child(cell._tc.get_or_add_tcPr(), "w:vAlign", val="center")
                for paragraph in cell.paragraphs:
                    self.exact(paragraph, float(p["table_line_pt"]))
                    paragraph.paragraph_format.first_line_indent = Pt(0)
                    numeric = column < len(block.numeric) and block.numeric[column]
                    if header:
                        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    elif not numeric:
                        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        self.gap()

    def image(self, block: Image) -> None:
        paragraph = self.package.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        paragraph.paragraph_format.keep_with_next = bool(block.caption)
        paragraph.add_run().add_picture(str(block.path), width=Mm(self.image_width_mm(block)))
        if block.caption:
            self.caption(caption_text(block.label, block.caption), keep_with_next=False)
        self.gap()

    def credits(self) -> None:
        meta = self.document.meta
        lines = []
        if meta.source:
            lines.append((f"来源：{meta.source.name}" + (f"（{meta.source.url}）" if meta.source.url else ""), None))
        if meta.compiled_by:
            lines.append((f"整理：{meta.compiled_by}", None))
        if meta.disclaimer:
            lines.append((f"声明：{meta.disclaimer}", "kaiti"))
        for text, role in lines:
            self.body_paragraph(self.paragraph(text, role))

    # -- heads and page numbers -----------------------------------------------------------------------
    def head_paragraph(self, paragraph: DocxParagraph) -> DocxParagraph:
        p = self.profile
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.exact(paragraph, float(p["head_pt"]) * 1.2)
        paragraph.paragraph_format.first_line_indent = Pt(0)
        ooxml.border(paragraph._p.get_or_add_pPr(), "w:pBdr", "bottom", 4, "000000",
                     round(mm_to_pt(p["head_above_block_mm"] - 3)))
        return paragraph

    def running_heads(self, section: Any) -> None:
        head_pt = float(self.profile["head_pt"])
        for header in (section.header, section.even_page_header):
            header.is_linked_to_previous = False
        first_chapter = next((f"{entry.label or ''}{entry.text}" for entry in self.report.contents
                              if entry.level == 1), "")
        odd = self.head_paragraph(section.header.paragraphs[0])
        ooxml.add_field(odd._p, 'STYLEREF "Heading 1"', first_chapter, self.run_properties("songti", head_pt))
        even = self.head_paragraph(section.even_page_header.paragraphs[0])
        self.run(even, self.document.meta.title, "songti", head_pt)

    def empty_heads(self, section: Any, footers: bool = True) -> None:
        """No head (and, on the cover, no page number) in a section."""
        parts = [section.header, section.even_page_header]
        if footers:
            parts += [section.footer, section.even_page_footer]
        for part in parts:
            part.is_linked_to_previous = False

    def page_numbers(self, section: Any, number_format: str) -> None:
        number_pt = float(self.profile["number_pt"])
        ooxml.child(section._sectPr, "w:pgNumType", fmt=number_format, start=1)
        for footer in (section.footer, section.even_page_footer):
            footer.is_linked_to_previous = False
            paragraph = footer.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.first_line_indent = Pt(0)
            self.exact(paragraph, number_pt * 1.2)
            self.run(paragraph, "— ", "songti", number_pt)
            ooxml.add_field(paragraph._p, "PAGE", "1" if number_format == "decimal" else "I",
                            self.run_properties("songti", number_pt))
            self.run(paragraph, " —", "songti", number_pt)

