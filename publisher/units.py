"""Length units and their conversions: millimetres, points, twips, half-points, EMU."""

from __future__ import annotations

MM_PER_PT = 25.4 / 72


def mm_to_pt(mm: float) -> float:
    return mm / MM_PER_PT


def pt_to_twips(points: float) -> int:
    """Twentieths of a point, the unit of most OOXML lengths."""
    return round(points * 20)


def pt_to_half_points(points: float) -> int:
    """OOXML font sizes (w:sz) are in half-points."""
    return round(points * 2)


def pt_to_eighths(points: float) -> int:
    """OOXML border widths (w:sz of a border) are in eighths of a point."""
    return round(points * 8)


def mm_to_emu(mm: float) -> int:
    """English Metric Units (drawing sizes): 36,000 per millimetre."""
    return round(mm * 36_000)
