"""Draw the pictures of examples/report.yaml: a bar chart of good-air-day rates by quarter, a line chart
of the monthly PM2.5 mean (labels in a bundled font) and a cover logo (a green ring with hills and
water). Same bytes on every run.

    python scripts/draw_report_figures.py examples
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONT = ROOT / "fonts" / "noto-cjk" / "NotoSansCJKsc-Regular.otf"
WIDTH, HEIGHT = 1800, 900  # 150 mm × 75 mm at 300 dpi
DPI = (300, 300)
INK, GRID, BAR, LINE = (0, 0, 0), (200, 200, 200), (70, 110, 170), (200, 40, 40)
LEFT, RIGHT, TOP, BOTTOM = 170, 60, 110, 140


def _frame(pen: ImageDraw.ImageDraw, font: ImageFont.FreeTypeFont, low: float, high: float, step: float,
           unit: str) -> None:
    """Axes, horizontal grid lines and value labels from low to high."""
    value = low
    while value <= high + 1e-9:
        y = _y(value, low, high)
        pen.line([(LEFT, y), (WIDTH - RIGHT, y)], fill=GRID, width=2)
        pen.text((LEFT - 20, y), f"{value:g}", font=font, fill=INK, anchor="rm")
        value += step
    pen.line([(LEFT, TOP), (LEFT, HEIGHT - BOTTOM)], fill=INK, width=3)
    pen.line([(LEFT, HEIGHT - BOTTOM), (WIDTH - RIGHT, HEIGHT - BOTTOM)], fill=INK, width=3)
    pen.text((LEFT - 20, TOP - 40), unit, font=font, fill=INK, anchor="rd")


def _y(value: float, low: float, high: float) -> float:
    return HEIGHT - BOTTOM - (value - low) / (high - low) * (HEIGHT - BOTTOM - TOP)


def bar_chart(target: Path) -> None:
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    pen = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 40)
    quarters = ["第一季度", "第二季度", "第三季度", "第四季度"]
    values = {"2023年": [88.6, 91.2, 95.4, 90.1], "2024年": [90.3, 93.5, 96.8, 92.7]}
    _frame(pen, font, 80, 100, 5, "%")
    slot = (WIDTH - LEFT - RIGHT) / len(quarters)
    for index, quarter in enumerate(quarters):
        for series, (name, numbers) in enumerate(values.items()):
            x = LEFT + slot * index + slot * (0.2 + 0.3 * series)
            shade = BAR if series else GRID
            pen.rectangle([x, _y(numbers[index], 80, 100), x + slot * 0.28, HEIGHT - BOTTOM], fill=shade, outline=INK)
            pen.text((x + slot * 0.14, _y(numbers[index], 80, 100) - 10), f"{numbers[index]:.1f}", font=font,
                     fill=INK, anchor="md")
        pen.text((LEFT + slot * (index + 0.5), HEIGHT - BOTTOM + 30), quarter, font=font, fill=INK, anchor="ma")
    for series, name in enumerate(values):
        x = WIDTH - RIGHT - 420 + series * 210
        pen.rectangle([x, 20, x + 40, 50], fill=BAR if series else GRID, outline=INK)
        pen.text((x + 55, 35), name, font=font, fill=INK, anchor="lm")
    image.save(target, dpi=DPI, optimize=True)


def line_chart(target: Path) -> None:
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    pen = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 40)
    values = [31, 29, 24, 21, 18, 15, 13, 14, 17, 20, 25, 28]
    _frame(pen, font, 0, 40, 10, "微克/立方米")
    slot = (WIDTH - LEFT - RIGHT) / len(values)
    points = [(LEFT + slot * (index + 0.5), _y(value, 0, 40)) for index, value in enumerate(values)]
    pen.line(points, fill=LINE, width=6, joint="curve")
    for index, (x, y) in enumerate(points):
        pen.ellipse([x - 10, y - 10, x + 10, y + 10], fill=LINE)
        pen.text((x, y - 20), str(values[index]), font=font, fill=INK, anchor="md")
        pen.text((x, HEIGHT - BOTTOM + 30), f"{index + 1}月", font=font, fill=INK, anchor="ma")
    image.save(target, dpi=DPI, optimize=True)


def logo(target: Path) -> None:
    size = 600
    green, blue = (34, 139, 84), (40, 110, 180)
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.ellipse([20, 20, size - 20, size - 20], outline=green, width=36)
    pen.polygon([(110, 380), (230, 190), (310, 300), (380, 220), (490, 380)], fill=green)
    for offset in (0, 60):
        pen.arc([110, 360 + offset, 300, 460 + offset], 200, 340, fill=blue, width=22)
        pen.arc([300, 360 + offset, 490, 460 + offset], 200, 340, fill=blue, width=22)
    image.save(target, dpi=DPI, optimize=True)


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "examples")
    bar_chart(folder / "report-air-days.png")
    line_chart(folder / "report-pm25.png")
    logo(folder / "report-logo.png")
