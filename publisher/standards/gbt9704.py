"""GB/T 9704-2012 《党政机关公文格式》 as numbers (see shared/spec/gbt9704.md for sources and confidence).

Read by the official and letter templates (through the renderer's template context) and by
`publisher check`, which measures PDFs against them. Lengths are millimetres, sizes points.
"""

from __future__ import annotations

PT_PER_MM = 72 / 25.4

PAGE_WIDTH = 210.0
PAGE_HEIGHT = 297.0
MARGIN_TOP = 37.0  # 天头
MARGIN_LEFT = 28.0  # 订口
BLOCK_WIDTH = 156.0  # 版心
BLOCK_HEIGHT = 225.0
MARGIN_RIGHT = PAGE_WIDTH - MARGIN_LEFT - BLOCK_WIDTH  # 26
MARGIN_BOTTOM = PAGE_HEIGHT - MARGIN_TOP - BLOCK_HEIGHT  # 35
BLOCK_BOTTOM = MARGIN_TOP + BLOCK_HEIGHT  # 262 from the paper top
BLOCK_CENTRE_X = MARGIN_LEFT + BLOCK_WIDTH / 2  # 106

LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
CHAR_PITCH = BLOCK_WIDTH / CHARS_PER_LINE  # 5.571 mm
LINE_PITCH_GRID = BLOCK_HEIGHT / LINES_PER_PAGE  # 10.227 mm = 28.99 pt, Word's 22-line grid
LINE_PITCH_COMPAT_PT = 28.0  # the fixed 28 pt some offices use

BODY_PT = 16.0  # 三号
TITLE_PT = 22.0  # 二号
SMALL_PT = 14.0  # 四号: page numbers, 抄送, 印发
MARK_MAX_PT = 36.0  # 发文机关标志: the standard fixes no size; shrunk to fit the block when long

MARK_TOP_BELOW_BLOCK = 35.0  # 发文机关标志 top edge below the text-block top (72 mm from the paper top)
RULE_BELOW_NUMBER = 4.0  # 版头分隔线 below the 发文字号
HEADER_RULE_WIDTH_PT = 1.0  # thickness not fixed by the standard; practice 0.35-0.5 mm
BANJI_THICK = 0.35  # 版记 first and last rules
BANJI_THIN = 0.25  # 版记 rules between
PAGE_NUMBER_BELOW_BLOCK = 7.0  # the 一字线 line of the page number below the text block
SEAL_DIAMETER = 42.0

LETTER_MARK_TOP = 30.0  # 信函 mark top edge from the paper top
LETTER_RULE_LENGTH = 170.0
LETTER_BOTTOM_RULE_ABOVE_EDGE = 20.0
LETTER_GAP = 16 / PT_PER_MM * 7 / 8  # 7/8 of a 三号 character: 4.94 mm
LETTER_MARK_MAX_PT = 26.0  # size left to the issuer; practice quotes 22-26 pt
LETTER_RULE_THICK_PT = 1.5  # the double rules' weights are practice, not the standard
LETTER_RULE_THIN_PT = 0.75
LETTER_RULE_GAP = 0.5

RED_CMYK = (0.0, 1.0, 1.0, 0.0)  # Y and M at least 80 % (clause 5.5)
RED_MIN_MY = 0.8

