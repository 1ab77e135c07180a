"""Draw the example seal (examples/seal.png): a red ring, a star, and the organ's name on an arc.

    python scripts/draw_seal.py 广东省生态环境厅 examples/seal.png
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONT = ROOT / "fonts" / "noto-cjk" / "NotoSerifCJKsc-Bold.otf"
SIZE = 840  # pixels for 42 mm: about 500 dpi
RED = (230, 0, 18, 215)


def star(centre: tuple[float, float], radius: float) -> list[tuple[float, float]]:
    points = []
    for index in range(10):
        r = radius if index % 2 == 0 else radius * 0.382
        angle = math.pi / 2 + index * math.pi / 5
        points.append((centre[0] + r * math.cos(angle), centre[1] - r * math.sin(angle)))
    return points


def draw(name: str, target: Path) -> None:
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    middle = SIZE / 2
    pen.ellipse([24, 24, SIZE - 24, SIZE - 24], outline=RED, width=34)
    pen.polygon(star((middle, middle), SIZE * 0.16), fill=RED)
    font = ImageFont.truetype(str(FONT), int(SIZE * 0.12))
    spread = math.radians(240)
    radius = SIZE * 0.34
    for index, char in enumerate(name):
        angle = math.pi / 2 + spread / 2 - spread * index / max(len(name) - 1, 1)
        glyph = Image.new("RGBA", (int(SIZE * 0.16), int(SIZE * 0.16)), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), char, font=font, fill=RED, anchor="mm")
        glyph = glyph.rotate(math.degrees(angle - math.pi / 2), resample=Image.BICUBIC)
        x = middle + radius * math.cos(angle) - glyph.width / 2
        y = middle - radius * math.sin(angle) - glyph.height / 2
        image.alpha_composite(glyph, (int(x), int(y)))
    image.save(target, optimize=True)


if __name__ == "__main__":
    draw(sys.argv[1], Path(sys.argv[2]))
