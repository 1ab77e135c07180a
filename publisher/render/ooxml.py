"""The OOXML that python-docx has no API for: East Asian fonts and language, the document grid, fields,
borders, numbering, floating tables and anchored pictures, and a deterministic package."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

THEME_FONT_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")

# Child order of the property elements (ECMA-376 Part 1 §17.3.1.26, §17.3.2.28, §17.4.70): Word and
# LibreOffice ignore, or refuse, children out of order.
SEQUENCES = {
    "w:pPr": ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
              "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
              "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
              "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
              "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
              "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"),
    "w:rPr": ("w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
              "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid",
              "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs",
              "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs",
              "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath"),
    "w:tcPr": ("w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders", "w:shd", "w:noWrap",
               "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark"),
    "w:pBdr": ("w:top", "w:left", "w:bottom", "w:right", "w:between", "w:bar"),
    "w:tblPr": ("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
                "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd",
                "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription"),
    "w:sectPr": ("w:headerReference", "w:footerReference", "w:footnotePr", "w:endnotePr", "w:type", "w:pgSz",
                 "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType", "w:pgNumType", "w:cols", "w:formProt",
                 "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid",
                 "w:printerSettings"),
    "w:settings": ("w:writeProtection", "w:view", "w:zoom", "w:removePersonalInformation", "w:removeDateAndTime",
                   "w:doNotDisplayPageBoundaries", "w:displayBackgroundShape", "w:printPostScriptOverText",
                   "w:printFractionalCharacterWidth", "w:printFormsData", "w:embedTrueTypeFonts",
                   "w:embedSystemFonts", "w:saveSubsetFonts", "w:saveFormsData", "w:mirrorMargins",
                   "w:alignBordersAndEdges", "w:bordersDoNotSurroundHeader", "w:bordersDoNotSurroundFooter",
                   "w:gutterAtTop", "w:hideSpellingErrors", "w:hideGrammaticalErrors", "w:activeWritingStyle",
                   "w:proofState", "w:formsDesign", "w:attachedTemplate", "w:linkStyles",
                   "w:stylePaneFormatFilter", "w:stylePaneSortMethod", "w:documentType", "w:mailMerge",
                   "w:revisionView", "w:trackRevisions", "w:doNotTrackMoves", "w:doNotTrackFormatting",
                   "w:documentProtection", "w:autoFormatOverride", "w:styleLockTheme", "w:styleLockQFSet",
                   "w:defaultTabStop", "w:autoHyphenation", "w:consecutiveHyphenLimit", "w:hyphenationZone",
                   "w:doNotHyphenateCaps", "w:showEnvelope", "w:summaryLength", "w:clickAndTypeStyle",
                   "w:defaultTableStyle", "w:evenAndOddHeaders", "w:bookFoldRevPrinting", "w:bookFoldPrinting",
                   "w:bookFoldPrintingSheets", "w:drawingGridHorizontalSpacing", "w:drawingGridVerticalSpacing",
                   "w:displayHorizontalDrawingGridEvery", "w:displayVerticalDrawingGridEvery",
                   "w:doNotUseMarginsForDrawingGridOrigin", "w:drawingGridHorizontalOrigin",
                   "w:drawingGridVerticalOrigin", "w:doNotShadeFormData", "w:noPunctuationKerning",
                   "w:characterSpacingControl", "w:printTwoOnOne", "w:strictFirstAndLastChars",
                   "w:noLineBreaksAfter", "w:noLineBreaksBefore", "w:savePreviewPicture",
                   "w:doNotValidateAgainstSchema", "w:saveInvalidXml", "w:ignoreMixedContent",
                   "w:alwaysShowPlaceholderText", "w:doNotDemarcateInvalidXml", "w:saveXmlDataOnly",
                   "w:useXSLTWhenSaving", "w:saveThroughXslt", "w:showXMLTags", "w:alwaysMergeEmptyNamespace",
                   "w:updateFields", "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars",
                   "w:rsids", "m:mathPr", "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping",
                   "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions",
                   "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary", "w:shapeDefaults",
                   "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator"),
    "w:tblCellMar": ("w:top", "w:start", "w:left", "w:bottom", "w:end", "w:right"),
    "w:tcBorders": ("w:top", "w:start", "w:left", "w:bottom", "w:end", "w:right", "w:insideH", "w:insideV",
                    "w:tl2br", "w:tr2bl"),
}


def insert_in_order(parent: BaseOxmlElement, element: BaseOxmlElement) -> BaseOxmlElement:
    """Insert element among parent's children where the schema's sequence puts it."""
    sequence = next((order for tag, order in SEQUENCES.items() if parent.tag == qn(tag)), None)
    tag = element.tag
    if sequence is None or not any(qn(name) == tag for name in sequence):
        parent.append(element)
        return element
    later = {qn(name) for name in sequence[[qn(name) for name in sequence].index(tag) + 1:]}
    for existing in parent:
        if existing.tag in later:
            existing.addprevious(element)
            return element
    parent.append(element)
    return element
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def child(parent: BaseOxmlElement, tag: str, **attributes: str | int) -> BaseOxmlElement:
    """The first child with tag, created (at the end) when missing; attributes set on it."""
    element = parent.find(qn(tag))
    if element is None:
        element = insert_in_order(parent, OxmlElement(tag))
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), str(value))
    return element


def set_fonts(rpr: BaseOxmlElement, latin: str, east_asian: str) -> None:
    """Explicit font names for every script slot; theme-font attributes (which would win) removed."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = insert_in_order(rpr, OxmlElement("w:rFonts"))
    for attribute in THEME_FONT_ATTRIBUTES:
        fonts.attrib.pop(qn(attribute), None)
    for slot, name in (("ascii", latin), ("hAnsi", latin), ("eastAsia", east_asian), ("cs", latin)):
        fonts.set(qn(f"w:{slot}"), name)
    # characters of ambiguous width (“ ” — … ★) take the East Asian face: full width, as in the PDF
    fonts.set(qn("w:hint"), "eastAsia")


def strip_theme_fonts(root: BaseOxmlElement) -> None:
    """Remove theme-font attributes everywhere below root (they override explicit names)."""
    for fonts in root.iter(qn("w:rFonts")):
        for attribute in THEME_FONT_ATTRIBUTES:
            fonts.attrib.pop(qn(attribute), None)


def set_language(rpr: BaseOxmlElement, latin: str, east_asian: str) -> None:
    child(rpr, "w:lang", val=latin, eastAsia=east_asian, bidi="ar-SA")


def set_doc_grid(sect_pr: BaseOxmlElement, line_pitch_twips: int, char_space: int | None, typed: bool = True) -> None:
    """w:docGrid: linesAndChars with a character pitch (charSpace), lines only, or (typed=False) just
    the pitch, recorded for Word's page setup without snapping text to a grid."""
    grid = child(sect_pr, "w:docGrid")
    grid.attrib.clear()
    if typed:
        grid.set(qn("w:type"), "linesAndChars" if char_space is not None else "lines")
    grid.set(qn("w:linePitch"), str(line_pitch_twips))
    if char_space is not None:
        grid.set(qn("w:charSpace"), str(char_space))


def border(ppr_or_tcpr: BaseOxmlElement, container: str, side: str, eighths: int, color: str,
           space_pt: int = 0, line: str = "single") -> None:
    """A line on one side of a paragraph (w:pBdr) or table cell (w:tcBorders); line "nil" removes it."""
    borders = child(ppr_or_tcpr, container)
    edge = child(borders, f"w:{side}")
    edge.set(qn("w:val"), line)
    if line == "nil":
        return
    edge.set(qn("w:sz"), str(eighths))
    edge.set(qn("w:space"), str(space_pt))
    edge.set(qn("w:color"), color)


def add_field(paragraph: BaseOxmlElement, instruction: str, cached: str, rpr: BaseOxmlElement | None = None) -> None:
    """A complex field (PAGE, NUMPAGES, TOC …) whose result already reads `cached`."""
    def run(*children: BaseOxmlElement) -> BaseOxmlElement:
        element = OxmlElement("w:r")
        if rpr is not None:
            from copy import deepcopy

            element.append(deepcopy(rpr))
        for item in children:
            element.append(item)
        paragraph.append(element)
        return element

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    code = OxmlElement("w:instrText")
    code.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    code.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    result = OxmlElement("w:t")
    result.text = cached
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run(begin)
    run(code)
    run(separate)
    run(result)
    run(end)


def field_begin(paragraph: BaseOxmlElement, instruction: str) -> None:
    """Open a complex field whose result (the runs that follow, up to field_end) is already written."""
    for kind, text in (("begin", None), (None, instruction), ("separate", None)):
        run = OxmlElement("w:r")
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            element.text = f" {text} "
        run.append(element)
        paragraph.append(run)


def field_end(paragraph: BaseOxmlElement) -> None:
    """Close the field opened by field_begin."""
    run = OxmlElement("w:r")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run.append(end)
    paragraph.append(run)


def bookmark_start(paragraph: BaseOxmlElement, identifier: int, name: str) -> None:
    element = OxmlElement("w:bookmarkStart")
    element.set(qn("w:id"), str(identifier))
    element.set(qn("w:name"), name)
    paragraph.append(element)


def bookmark_end(paragraph: BaseOxmlElement, identifier: int) -> None:
    element = OxmlElement("w:bookmarkEnd")
    element.set(qn("w:id"), str(identifier))
    paragraph.append(element)


def fold_section_break(body: BaseOxmlElement) -> None:
    """Move the section break python-docx put in an empty paragraph of its own into the paragraph before
    it, and drop the empty one (when that is a paragraph in the flow: not a table, not a frame)."""
    breaks = body.findall(f"{qn('w:p')}/{qn('w:pPr')}/{qn('w:sectPr')}")
    if not breaks:
        return
    sect_pr = breaks[-1]
    holder = sect_pr.getparent().getparent()
    previous = holder.getprevious()
    if previous is None or previous.tag != qn("w:p") or len(holder.findall(qn("w:r"))) or \
            previous.find(f"{qn('w:pPr')}/{qn('w:framePr')}") is not None:
        return
    ppr = previous.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        previous.insert(0, ppr)
    insert_in_order(ppr, sect_pr)
    body.remove(holder)


def frame(ppr: BaseOxmlElement, x_twips: int, y_twips: int, width_twips: int) -> None:
    """Put a paragraph in a frame at a fixed place on its page (w:framePr, anchored to the page)."""
    properties = OxmlElement("w:framePr")
    for name, value in (("w", width_twips), ("wrap", "around"), ("hAnchor", "page"), ("vAnchor", "page"),
                        ("x", x_twips), ("y", y_twips)):
        properties.set(qn(f"w:{name}"), str(value))
    insert_in_order(ppr, properties)


def anchor_picture(inline: BaseOxmlElement, offset_x_emu: int, offset_y_emu: int, drawing_id: int) -> None:
    """Turn an inline picture into one anchored to its paragraph, in front of the text, not wrapping it."""
    from docx.oxml.parser import parse_xml

    extent = inline.find(qn("wp:extent"))
    graphic = inline.find(qn("a:graphic"))
    anchor = parse_xml(
        '<wp:anchor xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="251659264" behindDoc="0" '
        'locked="0" layoutInCell="1" allowOverlap="1">'
        '<wp:simplePos x="0" y="0"/>'
        f'<wp:positionH relativeFrom="margin"><wp:posOffset>{offset_x_emu}</wp:posOffset></wp:positionH>'
        f'<wp:positionV relativeFrom="paragraph"><wp:posOffset>{offset_y_emu}</wp:posOffset></wp:positionV>'
        f'<wp:extent cx="{extent.get("cx")}" cy="{extent.get("cy")}"/>'
        '<wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
        f'<wp:docPr id="{drawing_id}" name="Seal {drawing_id}"/><wp:cNvGraphicFramePr/></wp:anchor>'
    )
    anchor.append(graphic)
    inline.getparent().replace(inline, anchor)


def deterministic_package(data: bytes, first: Iterable[str] = ("[Content_Types].xml", "_rels/.rels")) -> bytes:
    """Rewrite a package zip with fixed member dates and a stable member order."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    ordered = [name for name in first if name in names] + sorted(n for n in names if n not in first)
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
        for name in ordered:
            info = zipfile.ZipInfo(name, FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            package.writestr(info, source.read(name))
    return target.getvalue()
