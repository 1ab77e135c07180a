"""Pages of a PDF as PNG images, for the clerk's preview (PDFium through pypdfium2)."""

from __future__ import annotations

import io

import pypdfium2


def pdf_to_pngs(data: bytes, dpi: int, max_pages: int) -> list[bytes]:
    """The first max_pages pages of a PDF rasterised at dpi, each as PNG bytes."""
    document = pypdfium2.PdfDocument(data)
    images: list[bytes] = []
    try:
        for index in range(min(len(document), max_pages)):
            page = document[index]
            bitmap = page.render(scale=dpi / 72)
            buffer = io.BytesIO()
            bitmap.to_pil().save(buffer, format="PNG")
            images.append(buffer.getvalue())
            bitmap.close()
            page.close()
    finally:
        document.close()
    return images
