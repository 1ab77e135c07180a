"""DOCX renderer: builds the same Document model as the PDF into OOXML with python-docx.

Chinese is set right: explicit East Asian font names on every style and run (theme fonts removed),
East Asian language from the article, A4, first-line indents in character units. Official documents
get the GB/T 9704 document grid (22 lines × 28 characters), headings numbered through Word numbering,
odd/even `— n —` footers with PAGE fields and the 版记 floated to the bottom of the last page.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import docx
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph

from publisher.document.official import text_width_chars
from publisher.document.nodes import (
    Block,
    Document,
    Heading,
    Image,
    Inline,
    ListBlock,
    PageBreak,
    Paragraph,
    Quote,
    Table,
)
from publisher.fonts import ROLES, FontRegistry
from publisher.options import RenderOptions
from publisher.render import font_embed, ooxml
from publisher.standards import gbt9704 as std
from publisher.templates import TemplateInfo
from publisher.units import mm_to_emu, mm_to_pt, pt_to_eighths, pt_to_half_points, pt_to_twips

STANDARD_FACES = {
    "fangsong": ("仿宋_GB2312", False),
    "kaiti": ("楷体_GB2312", False),
    "heiti": ("黑体", False),
    "songti": ("宋体", False),
    "xiaobiaosong": ("方正小标宋简体", False),
}
STANDARD_LATIN = "Times New Roman"
# characters the layouts print that are not in the document's own text (with all of printable ASCII)
PRINTED_BY_TEMPLATES = "第页共— 一二三四五六七八九十、（）：。【】导读来源整理声明附件抄送印发联系电话发布时间文章分类编辑作者阅读次数•" + "".join(
    chr(code) for code in range(0x20, 0x7F))
RED = RGBColor(0xE6, 0x00, 0x12)
RED_HEX = "E60012"
HEADING_ROLES = {1: "heiti", 2: "kaiti", 3: "fangsong", 4: "fangsong"}
OFFICIAL_ORDINALS = {1: ("chineseCounting", "%1、"), 2: ("chineseCounting", "（%2）"), 3: ("decimal", "%3."),
                     4: ("decimal", "（%4）")}
NUMBERING_ID = 90
EXACT_LINE_TEXT_TOP = 0.7
NAMESPACE = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


@dataclass(frozen=True)
class Face:
    """The font names written for one role: East Asian, Latin, and whether it is set bold."""

    east_asian: str
    latin: str
    bold: bool


def font_mode(options: RenderOptions) -> str:
    """standard (the names offices have installed) unless bundled (names and embedded faces) is asked."""
    return options.docx_fonts or "standard"


class DocxRenderer:
    """Renders Documents to DOCX bytes; one per Publisher."""

    def __init__(self, fonts: FontRegistry, options: RenderOptions):
        self.fonts = fonts
        self.options = options

    def faces(self, mode: str) -> dict[str, Face]:
        if mode == "standard":
            return {role: Face(name, STANDARD_LATIN, bold) for role, (name, bold) in STANDARD_FACES.items()}
        faces = {}
        for role in ROLES:
            name, bold = self.fonts.office_face(role)
            faces[role] = Face(name, name, bold)
        return faces

    def embedded_faces(self) -> list[font_embed.EmbeddedFace]:
        """The first bundled face of every role, once each, as the font table names them."""
        seen: dict[tuple[str, bool], font_embed.EmbeddedFace] = {}
        for role in ROLES:
            name, bold = self.fonts.office_face(role)
            seen.setdefault((name, bold), font_embed.EmbeddedFace(name, bold, self.fonts.primary_face(role).path))
        return list(seen.values())

    def render(self, document: Document, template: TemplateInfo, page_labels: Mapping[str, str] | None = None) -> bytes:
        """The DOCX package of a document, byte-identical for identical input. page_labels (heading anchor →
        printed page number, from the PDF layout) fill a report's contents."""
        mode = font_mode(self.options)
        faces = self.faces(mode)
        package = docx.Document()
        builder: Builder
        if template.docx_layout == "report":
            from publisher.render.docx_report import ReportBuilder

            builder = ReportBuilder(package, document, template, faces, self.fonts, self.options,
                                    page_labels=page_labels)
        else:
            builder_class = ArticleBuilder if template.docx_layout == "article" else GongwenBuilder
            builder = builder_class(package, document, template, faces, self.fonts, self.options)
        builder.build()
        _set_properties(package, document)
        if mode == "bundled":
            font_embed.embed(package, self.embedded_faces(), document.all_text() + PRINTED_BY_TEMPLATES)
        buffer = io.BytesIO()
        package.save(buffer)
        return ooxml.deterministic_package(buffer.getvalue())


def caption_text(label: str | None, caption: str) -> str:
    """表1　caption: the decided number, an ideographic space, the caption (as the PDF prints it)."""
    return f"{label}\u3000{caption}" if label else caption


def _set_properties(package: Any, document: Document) -> None:
    meta = document.meta
    core = package.core_properties
    core.title = meta.title
    core.author = meta.author or ""
    core.subject = meta.subtitle or meta.category or ""
    core.keywords = ", ".join(meta.keywords or ([meta.category] if meta.category else []))
    core.comments = ""
    core.last_modified_by = ""
    core.revision = 1
    stamp = dt.datetime.combine(meta.date or dt.date(2000, 1, 1), dt.time(0, 0))
    core.created = stamp
    core.modified = stamp
    core.last_printed = stamp
    core.language = meta.lang


class Builder:
    """What every layout shares: styles, runs in the right faces, and the body blocks."""

    body_role = "songti"
    body_pt = 12.0
    table_pt = 10.5

    def __init__(self, package: Any, document: Document, template: TemplateInfo, faces: dict[str, Face],
                 fonts: FontRegistry, options: RenderOptions):
        self.package = package
        self.document = document
        self.template = template
        self.faces = faces
        self.fonts = fonts
        self.options = options
        self.text_width_mm = 0.0
        self.char_pitch_pt = self.body_pt

    # -- styles and runs ------------------------------------------------------------------------
    def setup_styles(self) -> None:
        styles = self.package.styles
        ooxml.strip_theme_fonts(styles.element)
        defaults = styles.element.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        face = self.faces[self.body_role]
        ooxml.set_fonts(rpr, face.latin, face.east_asian)
        ooxml.set_language(rpr, "en-US", self.document.meta.lang)
        # the document grid's character pitch is measured from the default size, so it must be the body's
        ooxml.child(rpr, "w:sz", val=pt_to_half_points(self.body_pt))
        ooxml.child(rpr, "w:szCs", val=pt_to_half_points(self.body_pt))
        normal = styles["Normal"]
        normal.font.size = Pt(self.body_pt)
        ooxml.set_fonts(normal.element.get_or_add_rPr(), face.latin, face.east_asian)
        normal.font.color.rgb = RGBColor(0, 0, 0)
        for level in range(1, 5):
            style = styles[f"Heading {level}"]
            style.font.color.rgb = RGBColor(0, 0, 0)
            style.font.bold = False
            style.font.italic = False

    def style_font(self, style: Any, role: str, size: float) -> None:
        face = self.faces[role]
        ooxml.set_fonts(style.element.get_or_add_rPr(), face.latin, face.east_asian)
        style.font.size = Pt(size)
        style.font.bold = face.bold

    def heading_style(self, level: int, role: str, size: float, line_pt: float) -> Any:
        """Heading N in a role's face, on an exact line pitch, no spacing, kept with the next paragraph."""
        style = self.package.styles[f"Heading {level}"]
        self.style_font(style, role, size)
        fmt = style.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(line_pt)
        fmt.keep_with_next = True
        return style

    def run(self, paragraph: DocxParagraph, text: str, role: str | None = None, size: float | None = None,
            color: RGBColor | None = None, bold: bool | None = None) -> Any:
        run = paragraph.add_run(text)
        if role:
            face = self.faces[role]
            ooxml.set_fonts(run._r.get_or_add_rPr(), face.latin, face.east_asian)
            if face.bold:
                run.bold = True
        if size:
            run.font.size = Pt(size)
        if color is not None:
            run.font.color.rgb = color
        if bold is not None:
            run.bold = bold
        return run

    def run_properties(self, role: str, size: float) -> Any:
        """A w:rPr in a role's face and size, for runs python-docx does not make (field codes)."""
        rpr = OxmlElement("w:rPr")
        face = self.faces[role]
        ooxml.set_fonts(rpr, face.latin, face.east_asian)
        ooxml.child(rpr, "w:sz", val=pt_to_half_points(size))
        return rpr

    def spans(self, paragraph: DocxParagraph, spans: Inline, role: str | None = None, size: float | None = None) -> None:
        for span in spans:
            span_role = "heiti" if span.bold else "kaiti" if span.italic else role
            if span.note is not None:
                self.note(paragraph, span.note, span_role, size)
            else:
                self.run(paragraph, span.text, span_role, size)

    def note(self, paragraph: DocxParagraph, text: str, role: str | None, size: float | None) -> None:
        """A footnote; layouts without footnotes (GB/T 9704) print it inline, in parentheses."""
        self.run(paragraph, f"（{text}）", role, size)

    def indent_chars(self, paragraph: DocxParagraph, first_line: int = 0, left: int = 0, right: int = 0,
                     hanging: int = 0) -> None:
        """Indents in hundredths of a character (w:firstLineChars …, which Word uses), with the same
        lengths in twips for applications that read only those (LibreOffice)."""
        ind = ooxml.child(paragraph._p.get_or_add_pPr(), "w:ind")
        for name, value in (("firstLine", first_line), ("left", left), ("right", right), ("hanging", hanging)):
            if value:
                ind.set(qn(f"w:{name}Chars"), str(value))
                ind.set(qn(f"w:{name}"), str(pt_to_twips(value / 100 * self.char_pitch_pt)))

    def paragraph(self, text: str = "", role: str | None = None, size: float | None = None,
                  align: Any = None, style: str | None = None) -> DocxParagraph:
        paragraph = self.package.add_paragraph(style=style)
        if text:
            self.run(paragraph, text, role, size)
        if align is not None:
            paragraph.alignment = align
        return paragraph

    # -- blocks ------------------------------------------------------------------------------------
    def blocks(self, blocks: tuple[Block, ...]) -> None:
        for block in blocks:
            if isinstance(block, Paragraph):
                paragraph = self.package.add_paragraph()
                self.spans(paragraph, block.spans)
                self.body_paragraph(paragraph)
            elif isinstance(block, Heading):
                self.heading(block)
            elif isinstance(block, ListBlock):
                for number, item in enumerate(block.items, start=1):
                    paragraph = self.package.add_paragraph()
                    self.run(paragraph, f"{number}." if block.ordered else "•")
                    self.run(paragraph, " ")
                    self.spans(paragraph, item)
                    self.indent_chars(paragraph, left=350, hanging=150)
            elif isinstance(block, Table):
                self.table(block)
            elif isinstance(block, Quote):
                for part in block.paragraphs:
                    paragraph = self.package.add_paragraph()
                    self.spans(paragraph, part, "kaiti")
                    self.indent_chars(paragraph, left=200, right=200)
            elif isinstance(block, Image):
                self.image(block)
            elif isinstance(block, PageBreak):
                self.package.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def body_paragraph(self, paragraph: DocxParagraph) -> None:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        self.indent_chars(paragraph, first_line=200)

    def heading(self, block: Heading) -> None:
        paragraph = self.package.add_paragraph(style=f"Heading {block.level}")
        if block.label:
            self.run(paragraph, block.label)
        self.spans(paragraph, block.spans)

    def table(self, block: Table) -> None:
        size = self.table_pt
        if block.caption:
            self.paragraph(caption_text(block.label, block.caption), "heiti", size, WD_ALIGN_PARAGRAPH.CENTER)
        self.table_grid(block, size)

    def table_grid(self, block: Table, size: float, cell_role: str | None = None) -> Any:
        """The table itself: columns at the model's widths, a repeating header row (黑体), rows that never
        split, numeric columns right-aligned; other cells in cell_role's face (default: the body's)."""
        columns = max([len(block.header), *(len(row) for row in block.rows)], default=1)
        rows = [block.header, *block.rows] if block.header else list(block.rows)
        table = self.package.add_table(rows=len(rows), cols=columns)
        table.style = self.package.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        if len(block.widths) == columns:
            ooxml.child(table._tbl.tblPr, "w:tblLayout", type="fixed")
            for column, share in zip(table.columns, block.widths):
                column.width = Mm(self.text_width_mm * share / 100)
                for cell in column.cells:
                    cell.width = Mm(self.text_width_mm * share / 100)
        for row_index, cells in enumerate(rows):
            row = table.rows[row_index]
            header = bool(block.header) and row_index == 0
            if header:
                ooxml.child(row._tr.get_or_add_trPr(), "w:tblHeader")
            ooxml.child(row._tr.get_or_add_trPr(), "w:cantSplit")
            for column, spans in enumerate(cells):
                paragraph = row.cells[column].paragraphs[0]
                self.spans(paragraph, spans, "heiti" if header else cell_role, size)
                if column < len(block.numeric) and block.numeric[column]:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        return table

    def image_width_mm(self, block: Image) -> float:
        """The model's width (given, or the image's natural one), never wider than the text block."""
        return min(block.width_mm or self.text_width_mm, self.text_width_mm)

    def image(self, block: Image) -> None:
        width = self.image_width_mm(block)
        paragraph = self.package.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # an exact pitch would clip it
        paragraph.add_run().add_picture(str(block.path), width=Mm(width))
        if block.caption:
            self.paragraph(caption_text(block.label, block.caption), None, 10.5, WD_ALIGN_PARAGRAPH.CENTER)

    def page_setup(self, top: float, bottom: float, left: float, right: float, header: float, footer: float) -> Any:
        section = self.package.sections[0]
        section.page_width, section.page_height = Mm(std.PAGE_WIDTH), Mm(std.PAGE_HEIGHT)
        section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
        section.left_margin, section.right_margin = Mm(left), Mm(right)
        section.header_distance, section.footer_distance = Mm(header), Mm(footer)
        self.text_width_mm = std.PAGE_WIDTH - left - right
        return section


class ArticleBuilder(Builder):
    """The reprinted-article layout of templates/article, from the same profile numbers."""

    def build(self) -> None:
        profile = self.template.profile
        self.body_pt = float(profile["body_pt"])
        self.body_role = profile["body_role"]
        side = (std.PAGE_WIDTH - profile["chars_per_line"] * profile["body_pt"] / std.PT_PER_MM) / 2
        section = self.page_setup(profile["margin_top_mm"], profile["margin_bottom_mm"], side, side, 12, 12)
        self.setup_styles()
        line = Pt(self.body_pt * profile["line_height"])
        normal = self.package.styles["Normal"].paragraph_format
        normal.line_spacing_rule, normal.line_spacing = WD_LINE_SPACING.EXACTLY, line
        normal.space_before = normal.space_after = Pt(0)
        for level, size in zip(range(1, 5), (15, 13, self.body_pt, self.body_pt)):
            style = self.package.styles[f"Heading {level}"]
            self.style_font(style, "kaiti" if level == 4 else "heiti", size)
            style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(8), Pt(4)
            style.paragraph_format.keep_with_next = True
        self.masthead(section)
        self.footer(section)
        meta = self.document.meta
        title = self.paragraph(meta.title, "xiaobiaosong", float(profile["title_pt"]), WD_ALIGN_PARAGRAPH.CENTER)
        title.paragraph_format.line_spacing = Pt(float(profile["title_pt"]) * 1.45)
        if meta.subtitle:
            self.paragraph(meta.subtitle, "kaiti", 15, WD_ALIGN_PARAGRAPH.CENTER)
        facts = [f"发布时间：{meta.date_text}" if meta.date_text else "", f"文章分类：{meta.category}" if meta.category else "",
                 f"编辑作者：{meta.author}" if meta.author else "", f"阅读次数：{meta.views:,} 次" if meta.views is not None else ""]
        if any(facts):
            paragraph = self.paragraph("　　".join(fact for fact in facts if fact), None, 9, WD_ALIGN_PARAGRAPH.CENTER)
            ooxml.border(paragraph._p.get_or_add_pPr(), "w:pBdr", "bottom", 4, "999999", 4)
            paragraph.paragraph_format.space_after = Pt(12)
        if meta.lead:
            paragraph = self.package.add_paragraph()
            self.run(paragraph, "【导读】", "heiti")
            self.run(paragraph, meta.lead, "kaiti")
            ppr = paragraph._p.get_or_add_pPr()
            ooxml.border(ppr, "w:pBdr", "left", 16, "555555", 6)
            ooxml.child(ppr, "w:shd", val="clear", color="auto", fill="F2F2F2")
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            paragraph.paragraph_format.space_after = Pt(12)
        self.blocks(self.document.blocks)
        self.credits()

    def masthead(self, section: Any) -> None:
        masthead = self.document.meta.masthead
        if not masthead:
            return
        paragraph = section.header.paragraphs[0]
        paragraph.paragraph_format.tab_stops.add_tab_stop(Mm(self.text_width_mm), WD_TAB_ALIGNMENT.RIGHT)
        self.run(paragraph, masthead.name or "", "heiti", 9)
        if masthead.phone:
            self.run(paragraph, "\t联系电话：" + masthead.phone, "songti", 9)
        ooxml.border(paragraph._p.get_or_add_pPr(), "w:pBdr", "bottom", 6, "000000", 1)

    def footer(self, section: Any) -> None:
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        rpr = self.run_properties("songti", 9)
        self.run(paragraph, "第 ", "songti", 9)
        ooxml.add_field(paragraph._p, "PAGE", "1", rpr)
        self.run(paragraph, " 页 共 ", "songti", 9)
        ooxml.add_field(paragraph._p, "NUMPAGES", "1", rpr)
        self.run(paragraph, " 页", "songti", 9)

    def credits(self) -> None:
        meta = self.document.meta
        first = True
        if meta.source:
            url = f"（{meta.source.url}）" if meta.source.url else ""
            paragraph = self.paragraph(f"来源：{meta.source.name}{url}")
            self.indent_chars(paragraph, first_line=200)
            paragraph.paragraph_format.space_before = Pt(14)
            first = False
        if meta.compiled_by:
            paragraph = self.paragraph(f"整理：{meta.compiled_by}")
            self.indent_chars(paragraph, first_line=200)
            if first:
                paragraph.paragraph_format.space_before = Pt(14)
        if meta.disclaimer:
            paragraph = self.package.add_paragraph()
            self.run(paragraph, "声明：", "heiti", 10)
            self.run(paragraph, meta.disclaimer, "kaiti", 10)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            paragraph.paragraph_format.space_before = Pt(14)
            paragraph.paragraph_format.line_spacing = Pt(16)
            ooxml.border(paragraph._p.get_or_add_pPr(), "w:pBdr", "top", 4, "000000", 4)


class GongwenBuilder(Builder):
    """The GB/T 9704 layouts (official, letter) on the 22 × 28 document grid."""

    body_role = "fangsong"
    body_pt = std.BODY_PT
    table_pt = std.SMALL_PT

    @property
    def letter(self) -> bool:
        return self.template.docx_layout == "letter"

    def build(self) -> None:
        official = self.document.official
        self.line_pt = std.LINE_PITCH_COMPAT_PT if self.options.line_pitch == "28pt" else mm_to_pt(std.LINE_PITCH_GRID)
        # the page number's line ends this far above the paper's foot (measured: its em box then starts 7 mm
        # below the text block); a letter's footers sit lower, on its lower double rule, and lift the number
        number_foot_mm = std.PAGE_HEIGHT - std.BLOCK_BOTTOM - std.PAGE_NUMBER_BELOW_BLOCK - std.SMALL_PT * 1.3 / std.PT_PER_MM + 1.5
        footer_mm = std.LETTER_BOTTOM_RULE_ABOVE_EDGE if self.letter else number_foot_mm
        self.number_lift_mm = number_foot_mm - footer_mm
        section = self.page_setup(std.MARGIN_TOP, std.MARGIN_BOTTOM, std.MARGIN_LEFT, std.MARGIN_RIGHT,
                                  std.LETTER_MARK_TOP if self.letter else 15, footer_mm)
        pitch_pt = mm_to_pt(std.BLOCK_WIDTH) / std.CHARS_PER_LINE
        self.char_pitch_pt = pitch_pt
        # 22 lines as an exact line pitch and 28 characters by condensing them to just under the pitch.
        # (A linesAndChars grid gives 22 × 28 in Word, but LibreOffice gives each 16 pt character two
        # cells of the 15.79 pt character grid, 14 a line, and sets a line grid's text 5 mm low.)
        ooxml.set_doc_grid(section._sectPr, pt_to_twips(self.line_pt), None, typed=False)
        self.setup_styles()
        condensed = ooxml.child(self.package.styles["Normal"].element.get_or_add_rPr(), "w:spacing")
        condensed.set(qn("w:val"), str(math.floor((pitch_pt - std.BODY_PT) * 20)))
        normal = self.package.styles["Normal"].paragraph_format
        normal.line_spacing_rule, normal.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(self.line_pt)
        normal.space_before = normal.space_after = Pt(0)
        normal.widow_control = False
        self.heading_styles()
        self.page_numbers(section)
        if official:
            self.letter_head(section) if self.letter else self.official_head()
        self.title()
        if official and official.recipients:
            paragraph = self.paragraph(official.recipients)
            paragraph.paragraph_format.space_before = Pt(self.line_pt)
        self.blocks(self.document.blocks)
        if official:
            self.attachment_note()
            self.signature()
            self.appendices()
            self.banji()

    def lines(self, count: float) -> Pt:
        return Pt(self.line_pt * count)

    # -- styles ------------------------------------------------------------------------------------
    def heading_styles(self) -> None:
        numbering = self.package.part.numbering_part.element
        levels = "".join(
            f'<w:lvl w:ilvl="{level - 1}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/><w:suff w:val="nothing"/>'
            f'<w:pPr><w:ind w:left="0" w:firstLineChars="200" w:firstLine="{pt_to_twips(2 * std.BODY_PT)}"/></w:pPr>'
            f'<w:rPr><w:rFonts w:ascii="{self.faces[HEADING_ROLES[level]].latin}" '
            f'w:hAnsi="{self.faces[HEADING_ROLES[level]].latin}" '
            f'w:eastAsia="{self.faces[HEADING_ROLES[level]].east_asian}"/></w:rPr></w:lvl>'
            for level, (fmt, text) in OFFICIAL_ORDINALS.items()
        )
        abstract = parse_xml(f'<w:abstractNum {NAMESPACE} w:abstractNumId="{NUMBERING_ID}">'
                             f'<w:multiLevelType w:val="multilevel"/>{levels}</w:abstractNum>')
        first_num = numbering.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            numbering.append(abstract)
        self.numbering = numbering
        self.num_id = self.new_numbering()
        for level in range(1, 5):
            style = self.heading_style(level, HEADING_ROLES[level], std.BODY_PT, self.line_pt)
            ppr = style.element.get_or_add_pPr()
            num_pr = ooxml.child(ppr, "w:numPr")
            ooxml.child(num_pr, "w:ilvl", val=level - 1)
            ooxml.child(num_pr, "w:numId", val=self.num_id)

    def new_numbering(self) -> int:
        """A numbering instance of the heading ordinals that starts again at 一、 (one per attachment)."""
        number = NUMBERING_ID + len(self.numbering.findall(qn("w:num"))) + 1
        overrides = "".join(f'<w:lvlOverride w:ilvl="{level}"><w:startOverride w:val="1"/></w:lvlOverride>'
                            for level in range(4))
        self.numbering.append(parse_xml(f'<w:num {NAMESPACE} w:numId="{number}">'
                                        f'<w:abstractNumId w:val="{NUMBERING_ID}"/>{overrides}</w:num>'))
        return number

    def heading(self, block: Heading) -> None:
        """Numbered through Word numbering (the label is the model's, so both formats agree)."""
        paragraph = self.package.add_paragraph(style=f"Heading {block.level}")
        num_pr = ooxml.child(paragraph._p.get_or_add_pPr(), "w:numPr")
        ooxml.child(num_pr, "w:ilvl", val=block.level - 1)
        ooxml.child(num_pr, "w:numId", val=self.num_id if block.label else 0)
        self.spans(paragraph, block.spans)

    def page_numbers(self, section: Any) -> None:
        if self.options.page_numbers == "outer":
            self.package.settings.odd_and_even_pages_header_footer = True
            section.even_page_footer.is_linked_to_previous = False
        if self.letter:
            section.different_first_page_header_footer = True
        footers = [(section.footer, "right" if self.options.page_numbers == "outer" else "centre")]
        if self.options.page_numbers == "outer":
            footers.append((section.even_page_footer, "left"))
        for footer, side in footers:
            paragraph = footer.paragraphs[0]
            paragraph.alignment = {"right": WD_ALIGN_PARAGRAPH.RIGHT, "left": WD_ALIGN_PARAGRAPH.LEFT,
                                   "centre": WD_ALIGN_PARAGRAPH.CENTER}[side]
            ooxml.child(paragraph._p.get_or_add_pPr(), "w:snapToGrid", val=0)
            if side == "right":
                paragraph.paragraph_format.right_indent = Pt(std.SMALL_PT)
            elif side == "left":
                paragraph.paragraph_format.left_indent = Pt(std.SMALL_PT)
            rpr = self.run_properties("songti", std.SMALL_PT)
            paragraph.paragraph_format.space_after = Mm(self.number_lift_mm)
            self.run(paragraph, "— ", "songti", std.SMALL_PT)
            ooxml.add_field(paragraph._p, "PAGE", "1", rpr)
            self.run(paragraph, " —", "songti", std.SMALL_PT)

    # -- 版头 --------------------------------------------------------------------------------------
    def official_head(self) -> None:
        official = self.document.official
        assert official is not None
        fields = [(official.copy_number or "", None)]
        if official.secrecy_line:
            fields.append((official.secrecy_line, "heiti"))
        if official.urgency:
            fields.append((official.urgency, "heiti"))
        used = 0
        if official.copy_number or official.secrecy_line or official.urgency:
            for text, role in fields:
                self.paragraph(text, role)
            used = len(fields)
        mark_pt = official.mark_pt
        space_before = Pt(max(0.0, mm_to_pt(std.MARK_TOP_BELOW_BLOCK) - used * self.line_pt - mark_pt * 0.1))
        lines = official.issuer_lines or ()
        if len(lines) > 1:
            self.joint_mark(lines, official.issuer_suffix, mark_pt, space_before)
        for organ in lines[:1] if len(lines) == 1 else ():
            paragraph = self.mark_paragraph(self.package.add_paragraph(), organ, mark_pt)
            paragraph.paragraph_format.space_before = space_before
        if official.upward:
            # number one character in, 签发人 one character from the right, by tab stops: the paragraph
            # itself spans the block so that its bottom border (the red rule) is 156 mm long
            paragraph = self.package.add_paragraph()
            tabs = paragraph.paragraph_format.tab_stops
            tabs.add_tab_stop(Pt(self.char_pitch_pt), WD_TAB_ALIGNMENT.LEFT)
            tabs.add_tab_stop(Mm(std.BLOCK_WIDTH) - Pt(self.char_pitch_pt), WD_TAB_ALIGNMENT.RIGHT)
            self.run(paragraph, "\t" + (official.number or "") + "\t签发人：")
            self.run(paragraph, "　".join(official.signers), "kaiti")
        else:
            paragraph = self.paragraph(official.number or "", None, None, WD_ALIGN_PARAGRAPH.CENTER)
        paragraph.paragraph_format.space_before = self.lines(2)
        # the rule's distance is counted from the line's foot; an exact line sets its text about 0.7 of the
        # leading below its top (measured in LibreOffice 7.4), so the foot is that much below the glyphs
        below_text = (1 - EXACT_LINE_TEXT_TOP) * (self.line_pt - std.BODY_PT)
        ooxml.border(paragraph._p.get_or_add_pPr(), "w:pBdr", "bottom", pt_to_eighths(std.HEADER_RULE_WIDTH_PT),
                     RED_HEX, round(mm_to_pt(std.RULE_BELOW_NUMBER) - below_text))

    def mark_paragraph(self, paragraph: DocxParagraph, text: str, mark_pt: float) -> DocxParagraph:
        """A line of the red issuing mark, centred, off the line grid."""
        self.run(paragraph, text, "xiaobiaosong", mark_pt, RED)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        ooxml.child(paragraph._p.get_or_add_pPr(), "w:snapToGrid", val=0)
        fmt = paragraph.paragraph_format
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(mark_pt * 1.2)
        return paragraph

    def joint_mark(self, organs: tuple[str, ...], suffix: str | None, mark_pt: float, space_before: Any) -> None:
        """Organs stacked, justified to one width, and the suffix (文件) beside them, vertically centred."""
        spacer = self.package.add_paragraph()
        spacer.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        spacer.paragraph_format.line_spacing = space_before if space_before.pt > 1 else Pt(1)
        widest = max(text_width_chars(organ) for organ in organs) * mark_pt
        table = self.package.add_table(rows=1, cols=2 if suffix else 1)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        suffix_width = (text_width_chars(suffix) + 1) * mark_pt if suffix else 0
        ooxml.child(table._tbl.tblPr, "w:tblW", w=pt_to_twips(widest + 4 + suffix_width), type="dxa")
        margins = ooxml.child(table._tbl.tblPr, "w:tblCellMar")
        for side in ("left", "right"):
            ooxml.child(margins, f"w:{side}", w=0, type="dxa")
        columns = [widest + 4, suffix_width] if suffix else [widest + 4]
        for grid_column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), columns, strict=True):
            grid_column.set(qn("w:w"), str(pt_to_twips(width)))
        organ_cell = table.rows[0].cells[0]
        organ_cell.width = Pt(widest + 4)
        for index, organ in enumerate(organs):
            paragraph = organ_cell.paragraphs[0] if index == 0 else organ_cell.add_paragraph()
            self.mark_paragraph(paragraph, organ, mark_pt)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.DISTRIBUTE
        if suffix:
            suffix_cell = table.rows[0].cells[1]
            suffix_cell.width = Pt(suffix_width)
            suffix_cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paragraph = self.mark_paragraph(suffix_cell.paragraphs[0], suffix, mark_pt)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def letter_head(self, section: Any) -> None:
        official = self.document.official
        assert official is not None
        header = section.first_page_header
        paragraph = header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        mark_pt = min(official.mark_pt, std.LETTER_MARK_MAX_PT)
        self.run(paragraph, "".join(official.issuer_lines) + (official.issuer_suffix or ""), "xiaobiaosong", mark_pt, RED)
        ppr = paragraph._p.get_or_add_pPr()
        ooxml.child(ppr, "w:snapToGrid", val=0)
        borders = ooxml.child(ppr, "w:pBdr")
        rule = ooxml.child(borders, "w:bottom")
        for name, value in (("val", "thickThinSmallGap"), ("sz", "24"), ("space", str(round(mm_to_pt(std.RULE_BELOW_NUMBER)))),
                            ("color", RED_HEX)):
            rule.set(qn(f"w:{name}"), value)
        paragraph.paragraph_format.left_indent = Mm(-(std.LETTER_RULE_LENGTH - std.BLOCK_WIDTH) / 2)
        paragraph.paragraph_format.right_indent = Mm(-(std.LETTER_RULE_LENGTH - std.BLOCK_WIDTH) / 2)
        bottom = section.first_page_footer.paragraphs[0]
        bottom.paragraph_format.line_spacing_rule, bottom.paragraph_format.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(1)
        fborders = ooxml.child(ooxml.child(bottom._p.get_or_add_pPr(), "w:pBdr"), "w:bottom")
        for name, value in (("val", "thinThickSmallGap"), ("sz", "24"), ("space", "0"), ("color", RED_HEX)):
            fborders.set(qn(f"w:{name}"), value)
        bottom.paragraph_format.left_indent = Mm(-(std.LETTER_RULE_LENGTH - std.BLOCK_WIDTH) / 2)
        bottom.paragraph_format.right_indent = Mm(-(std.LETTER_RULE_LENGTH - std.BLOCK_WIDTH) / 2)
        fields = self.package.add_paragraph()
        fields.paragraph_format.tab_stops.add_tab_stop(Mm(std.BLOCK_WIDTH), WD_TAB_ALIGNMENT.RIGHT)
        self.run(fields, official.copy_number or "")
        self.run(fields, "\t" + (official.number or ""))
        fields.paragraph_format.space_before = Mm(std.LETTER_GAP)
        for text in (official.secrecy_line, official.urgency):
            if text:
                self.paragraph(text, "heiti")

    def title(self) -> None:
        official = self.document.official
        lines = official.title_lines if official else (self.document.meta.title,)
        paragraph = self.package.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for index, line in enumerate(lines):
            run = self.run(paragraph, line, "xiaobiaosong", std.TITLE_PT)
            if index < len(lines) - 1:
                run.add_break()
        fmt = paragraph.paragraph_format
        ooxml.child(paragraph._p.get_or_add_pPr(), "w:snapToGrid", val=0)
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(std.TITLE_PT * 1.45)
        fmt.space_before = self.lines(2) if official else Pt(0)

    # -- 主体 and 版记 ------------------------------------------------------------------------------
    def attachment_note(self) -> None:
        official = self.document.official
        titles = official.attachment_titles if official else ()
        for number, name in enumerate(titles, start=1):
            ordinal = f"{number}." if len(titles) > 1 else ""
            paragraph = self.package.add_paragraph()
            if number == 1:
                self.run(paragraph, "附件：" + ordinal + name)
                paragraph.paragraph_format.space_before = self.lines(1)
                self.indent_chars(paragraph, left=500 + (100 if ordinal else 0), hanging=300 + (100 if ordinal else 0))
            else:
                self.run(paragraph, ordinal + name)
                self.indent_chars(paragraph, left=600, hanging=100)

    def signature(self) -> None:
        official = self.document.official
        sig = official.signature if official else None
        if sig:
            gap = 1 if sig.style == "plain" else 2
            paragraph = self.paragraph(sig.signatory, None, None, WD_ALIGN_PARAGRAPH.RIGHT)
            paragraph.paragraph_format.space_before = self.lines(gap)
            paragraph.paragraph_format.keep_with_next = bool(sig.date_text)  # 署名 and 成文日期 stay together
            self.indent_chars(paragraph, right=round(sig.signatory_right_chars * 100))
            if sig.seal is not None:
                paragraph.add_run().add_picture(str(sig.seal), width=Mm(std.SEAL_DIAMETER))
                inline = paragraph._p.findall(".//" + qn("wp:inline"))[-1]
                pitch = std.BLOCK_WIDTH / std.CHARS_PER_LINE
                centre = std.BLOCK_WIDTH - (sig.date_right_chars + sig.date_width_chars / 2) * pitch
                ooxml.anchor_picture(inline, mm_to_emu(centre - std.SEAL_DIAMETER / 2),
                                     mm_to_emu(-0.8 * self.line_pt / std.PT_PER_MM * 2), 900)
            if sig.date_text:
                date = self.paragraph(sig.date_text, None, None, WD_ALIGN_PARAGRAPH.RIGHT)
                self.indent_chars(date, right=round(sig.date_right_chars * 100))
                if sig.style == "signature-seal":
                    date.paragraph_format.space_before = self.lines(1)
        if official and official.note:
            paragraph = self.paragraph(f"（{official.note}）")
            self.indent_chars(paragraph, first_line=200)

    def appendices(self) -> None:
        official = self.document.official
        for appendix in official.appendices if official else ():
            self.num_id = self.new_numbering()
            label = self.paragraph(appendix.label, "heiti")
            label.paragraph_format.page_break_before = True
            title = self.paragraph(appendix.title, "xiaobiaosong", std.TITLE_PT, WD_ALIGN_PARAGRAPH.CENTER)
            title.paragraph_format.space_before = self.lines(1)
            title.paragraph_format.space_after = self.lines(1)
            self.blocks(appendix.blocks)

    def banji(self) -> None:
        """抄送 and 印发 between their rules at the foot of the text block of the last page.

        Each row (and the closing rule) is a paragraph in a frame of its own, placed on the page from the
        standard's numbers: Word and LibreOffice both honour such frames, while LibreOffice drops a frame
        whose paragraphs differ in borders and keeps page-anchored floating tables in the flow.
        """
        official = self.document.official
        if not official or not (official.cc if self.letter else official.has_banji):
            return
        rows: list[tuple[str, str]] = []
        if official.cc:
            rows.append(("cc", f"抄送：{official.cc}。"))
        if not self.letter and (official.printer or official.print_date_text):
            date = f"{official.print_date_text}印发" if official.print_date_text else ""
            rows.append(("printed", f"{official.printer or ''}\t{date}"))
        per_line = (mm_to_pt(std.BLOCK_WIDTH) - 5 * std.SMALL_PT) / std.SMALL_PT
        heights = [math.ceil(text_width_chars(text) / per_line) * self.line_pt if kind == "cc" else self.line_pt
                   for kind, text in rows]
        thick, thin = pt_to_eighths(mm_to_pt(std.BANJI_THICK)), pt_to_eighths(mm_to_pt(std.BANJI_THIN))
        rule_pt = 0 if self.letter else mm_to_pt(std.BANJI_THICK)
        top_pt = mm_to_pt(std.BLOCK_BOTTOM) - rule_pt - sum(heights)
        left, width = pt_to_twips(mm_to_pt(std.MARGIN_LEFT)), pt_to_twips(mm_to_pt(std.BLOCK_WIDTH))
        for index, ((kind, text), height) in enumerate(zip(rows, heights, strict=True)):
            paragraph = self.package.add_paragraph()
            ppr = paragraph._p.get_or_add_pPr()
            ooxml.frame(ppr, left, pt_to_twips(top_pt), width)
            top_pt += height
            paragraph.paragraph_format.left_indent = Pt(std.SMALL_PT * (4 if kind == "cc" else 1))
            paragraph.paragraph_format.right_indent = Pt(std.SMALL_PT)
            if kind == "cc":
                paragraph.paragraph_format.first_line_indent = Pt(-3 * std.SMALL_PT)
            else:
                paragraph.paragraph_format.tab_stops.add_tab_stop(Mm(std.BLOCK_WIDTH) - Pt(2 * std.SMALL_PT),
                                                                  WD_TAB_ALIGNMENT.RIGHT)
            self.run(paragraph, text, None, std.SMALL_PT)
            if not self.letter:
                ooxml.border(ppr, "w:pBdr", "top", thick if index == 0 else thin, "000000")
        if not self.letter:
            closing = self.package.add_paragraph()
            ppr = closing._p.get_or_add_pPr()
            ooxml.frame(ppr, left, pt_to_twips(top_pt), width)
            closing.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            closing.paragraph_format.line_spacing = Pt(1)
            ooxml.border(ppr, "w:pBdr", "top", thick, "000000")
        self.package.add_paragraph()  # a frame is anchored to the paragraph after it
