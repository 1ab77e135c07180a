"""Embed subset, obfuscated fonts in a DOCX (ECMA-376 Part 1 §17.8.1), so it looks the same where the
fonts are not installed.

Each face is cut down to the characters the document uses (HarfBuzz's subsetter, through uharfbuzz),
given TrueType outlines when it has CFF ones (Word embeds TrueType), obfuscated with a font key derived
from its bytes (so identical input gives identical files), and listed in the font table.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uharfbuzz
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from fontTools.ttLib import TTFont
from lxml import etree

from publisher.font_outlines import to_truetype_outlines

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
FONT_TABLE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable"
FONT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/font"
OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
OBFUSCATED_BYTES = 32


@dataclass(frozen=True)
class EmbeddedFace:
    """One face to embed under a font-table name, regular or bold."""

    name: str
    bold: bool
    path: Path


def subset(path: Path, text: str) -> bytes:
    """The face cut down to the characters of text, with TrueType outlines."""
    face = uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(path)))
    request = uharfbuzz.SubsetInput()
    for code in sorted({ord(char) for char in text}):
        request.unicode_set.add(code)
    data = uharfbuzz.subset(face, request).blob.data
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)  # keep the face's own date: no clock in the output
    if "CFF " in font:
        to_truetype_outlines(font)
        buffer = io.BytesIO()
        font.save(buffer)
        data = buffer.getvalue()
    return bytes(data)


def font_key(data: bytes) -> str:
    """A GUID for the font key, derived from the font's bytes (no randomness)."""
    return "{" + str(uuid.UUID(bytes=hashlib.sha256(data).digest()[:16])).upper() + "}"


def obfuscate(data: bytes, key: str) -> bytes:
    """XOR the first 32 bytes with the key's 16 bytes, read from the GUID's last hex pair to its first."""
    digits = key.strip("{}").replace("-", "")
    mask = bytes(int(digits[index:index + 2], 16) for index in range(len(digits) - 2, -1, -2))
    head = bytes(byte ^ mask[index % len(mask)] for index, byte in enumerate(data[:OBFUSCATED_BYTES]))
    return head + data[OBFUSCATED_BYTES:]


def embed(package: Any, faces: list[EmbeddedFace], text: str) -> None:
    """Add the faces, subset to text, to a python-docx package's font table and settings."""
    document_part = package.part
    table_part = document_part.part_related_by(FONT_TABLE)
    table = etree.fromstring(table_part.blob)
    entries: dict[str, etree._Element] = {}
    for number, face in enumerate(faces, start=1):
        data = subset(face.path, text)
        key = font_key(data)
        part = Part(PackURI(f"/word/fonts/font{number}.odttf"), OBFUSCATED_FONT, obfuscate(data, key),
                    document_part.package)
        relationship = table_part.relate_to(part, FONT)
        entry = entries.get(face.name)
        if entry is None:
            entry = next((font for font in table.findall(f"{{{W}}}font") if font.get(f"{{{W}}}name") == face.name), None)
        if entry is None:
            entry = etree.SubElement(table, f"{{{W}}}font")
            entry.set(f"{{{W}}}name", face.name)
            for tag, value in (("charset", "86"), ("family", "auto"), ("pitch", "variable")):
                etree.SubElement(entry, f"{{{W}}}{tag}").set(f"{{{W}}}val", value)
        entries[face.name] = entry
        embedded = etree.SubElement(entry, f"{{{W}}}{'embedBold' if face.bold else 'embedRegular'}")
        embedded.set(f"{{{R}}}id", relationship)
        embedded.set(f"{{{W}}}fontKey", key)
    table_part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)
    settings = package.settings.element
    zoom = settings.find(f"{{{W}}}zoom")
    for tag in ("saveSubsetFonts", "embedTrueTypeFonts"):
        if settings.find(f"{{{W}}}{tag}") is None:
            element = etree.Element(f"{{{W}}}{tag}")
            if zoom is not None:
                zoom.addnext(element)
            else:
                settings.insert(0, element)
