"""Convert a font's CFF outlines to TrueType ones (quadratic), for consumers that want TrueType."""

from __future__ import annotations

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

MAXP_FIELDS = ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
               "maxStackElements", "maxSizeOfInstructions", "maxComponentElements")


def to_truetype_outlines(font: TTFont, max_error: float = 1.0) -> None:
    """Replace a CFF font's outlines with quadratic TrueType ones, in place (glyph order kept)."""
    order = font.getGlyphOrder()
    outlines = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(outlines)
        outlines[name].draw(Cu2QuPen(pen, max_err=max_error, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in MAXP_FIELDS:
        setattr(maxp, field, 1 if field == "maxZones" else 0)
    font["maxp"] = maxp
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0  # no glyph names: CID names mean nothing in a TrueType font
    font.sfntVersion = "\x00\x01\x00\x00"
