"""Rebuild the bundled fonts in fonts/ from Debian's font packages.

Provenance record and regeneration tool, run by maintainers only (never at
install or render time). Needs the Debian packages fonts-noto-cjk,
fonts-noto-cjk-extra, fonts-lxgw-wenkai, fonts-babelstone-han and the
texlive-lang-chinese .deb (for the Fandol fonts), plus fontTools.

    python scripts/build_fonts.py PATH/TO/EXTRACTED/texlive-lang-chinese
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

from publisher.font_outlines import to_truetype_outlines

FONTS = Path(__file__).resolve().parent.parent / "fonts"
SYSTEM = Path("/usr/share/fonts")
NOTO_SC_INDEX = 2  # Noto CJK collections hold JP, KR, SC, TC, HK in that order

CJK_RANGES = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)]

# Every bundled face gets the ideographic em box as its line metrics (ascent 0.88 em, descent 0.12 em,
# no line gap) and loses its BASE table, which Pango uses to shift runs of different faces against each
# other. With a fixed line height, a line mixing faces (a fallback glyph such as 堃 inside 仿宋 text)
# would otherwise grow taller and break the 22-line grid of GB/T 9704.
EM_ASCENT, EM_DESCENT = 0.88, 0.12


def normalise_line_metrics(font: TTFont) -> None:
    """Give a face the ideographic em box as hhea and typo ascent/descent, no line gap, no BASE table."""
    upm = font["head"].unitsPerEm
    ascent, descent = round(EM_ASCENT * upm), -round(EM_DESCENT * upm)
    font["hhea"].ascent, font["hhea"].descent, font["hhea"].lineGap = ascent, descent, 0
    os2 = font["OS/2"]
    os2.sTypoAscender, os2.sTypoDescender, os2.sTypoLineGap = ascent, descent, 0
    if "BASE" in font:
        del font["BASE"]


def extract_noto(collection: str, target: str) -> set[int]:
    """Save the Simplified Chinese member of a Noto CJK collection as one OTF."""
    font = TTCollection(SYSTEM / "opentype/noto" / collection).fonts[NOTO_SC_INDEX]
    assert "SC" in font["name"].getDebugName(1), font["name"].getDebugName(1)
    normalise_line_metrics(font)
    font.save(FONTS / "noto-cjk" / target)
    return set(font.getBestCmap())


def build_gap_font(covered: set[int]) -> None:
    """Keep only the Han characters of BabelStone Han that Noto CJK SC lacks."""
    source = TTFont(SYSTEM / "truetype/babelstone/BabelStoneHan.ttf")
    wanted = [
        cp for cp in source.getBestCmap()
        if cp not in covered and any(lo <= cp <= hi for lo, hi in CJK_RANGES)
    ]
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(source)
    name = source["name"]
    for record in name.names:
        if record.nameID in (1, 3, 4, 16):
            record.string = "BabelStone Han Gap"
        elif record.nameID == 6:
            record.string = "BabelStoneHanGap"
    normalise_line_metrics(source)
    source.save(FONTS / "babelstone-han" / "BabelStoneHanGap.ttf")


def main(texlive_root: str) -> None:
    fandol = Path(texlive_root) / "usr/share/texlive/texmf-dist/fonts/opentype/public/fandol"
    for folder in ("noto-cjk", "fandol", "lxgw-wenkai", "babelstone-han"):
        (FONTS / folder).mkdir(parents=True, exist_ok=True)
    covered = extract_noto("NotoSerifCJK-Regular.ttc", "NotoSerifCJKsc-Regular.otf")
    extract_noto("NotoSerifCJK-Bold.ttc", "NotoSerifCJKsc-Bold.otf")
    covered &= extract_noto("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf")
    fang = TTFont(fandol / "FandolFang-Regular.otf")
    normalise_line_metrics(fang)
    # FandolFang is CID-keyed (Adobe-GB1): its CIDs differ from its glyph ids for 1,469 glyphs, so a PDF
    # embedding it as CFF can show wrong glyphs in viewers that follow the CIDs. As TrueType it is
    # embedded with an explicit CIDToGIDMap, and PDF/A-1 accepts it.
    to_truetype_outlines(fang)
    fang.save(FONTS / "fandol" / "FandolFang-Regular.ttf")
    wenkai = TTFont(SYSTEM / "truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf")
    normalise_line_metrics(wenkai)
    wenkai.save(FONTS / "lxgw-wenkai" / "LXGWWenKai-Regular.ttf")
    build_gap_font(covered)


if __name__ == "__main__":
    main(sys.argv[1])
