"""Footnotes for DOCX (python-docx has no API for them): the footnotes part with its separators, and
references in the text. Word and LibreOffice number them; the mark reads `1. ` as in the PDF."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml

from publisher.render import ooxml

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_SEPARATORS = (
    '<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    '</w:footnotes>'
)


class Footnotes:
    """Adds footnotes to a python-docx document; the part is created with the first note."""

    def __init__(self, package: Any, note_rpr: Any, note_line_twips: int):
        self.package = package
        self.note_rpr = note_rpr
        self.note_line_twips = note_line_twips
        self.root: Any = None
        self.count = 0

    def _part(self) -> Any:
        if self.root is None:
            document_part = self.package.part
            part = XmlPart(PackURI("/word/footnotes.xml"), CONTENT_TYPE, parse_xml(_SEPARATORS),
                           document_part.package)
            document_part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)
            settings = self.package.settings.element
            properties = ooxml.child(settings, "w:footnotePr")
            for identifier in ("-1", "0"):
                reference = OxmlElement("w:footnote")
                reference.set(qn("w:id"), identifier)
                properties.append(reference)
            self.root = part.element
        return self.root

    def add(self, paragraph: Any, text: str, call_rpr: Any) -> None:
        """A superscript reference at the end of paragraph, and its note `N. text`."""
        root = self._part()
        self.count += 1
        identifier = str(self.count)
        run = paragraph.add_run()._r
        rpr = run.get_or_add_rPr()
        for element in call_rpr:
            rpr.append(deepcopy(element))
        ooxml.child(rpr, "w:vertAlign", val="superscript")
        reference = OxmlElement("w:footnoteReference")
        reference.set(qn("w:id"), identifier)
        run.append(reference)

        note = OxmlElement("w:footnote")
        note.set(qn("w:id"), identifier)
        body = OxmlElement("w:p")
        ppr = OxmlElement("w:pPr")
        ooxml.child(ppr, "w:spacing", before=0, after=0, line=self.note_line_twips, lineRule="exact")
        ooxml.child(ppr, "w:jc", val="both")
        body.append(ppr)
        for child_tag, value in (("w:footnoteRef", None), ("w:t", ". "), ("w:t", text)):
            note_run = OxmlElement("w:r")
            note_run.append(deepcopy(self.note_rpr))
            element = OxmlElement(child_tag)
            if value is not None:
                element.text = value
                element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            note_run.append(element)
            body.append(note_run)
        note.append(body)
        root.append(note)
