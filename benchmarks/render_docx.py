"""DOCX: seconds per document warm in-process, and page-count agreement with our PDF over all examples.

The page counts of LibreOffice's rendering of each example DOCX (bundled fonts embedded, converted headless)
are compared with the page counts of our WeasyPrint PDFs of the same inputs.

    python benchmarks/render_docx.py [--warm 50]
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pdfplumber

import publisher

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if p.suffix in (".yaml", ".md"))


def warm_seconds(documents: int) -> tuple[float, float]:
    """Mean seconds per DOCX and per PDF of the example article, one Publisher, after a warm-up."""
    engine = publisher.Publisher()
    article = publisher.load_article(ROOT / "examples" / "article.yaml")
    results = []
    for fmt in ("docx", "pdf"):
        engine.render(article, fmt)
        start = time.perf_counter()
        for _ in range(documents):
            engine.render(article, fmt)
        results.append((time.perf_counter() - start) / documents)
    return results[0], results[1]


def pages(data: bytes) -> int:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def agreement() -> list[tuple[str, int, int]]:
    """(example, our PDF's pages, LibreOffice's pages for our DOCX) for every example."""
    engine = publisher.Publisher(publisher.RenderOptions(docx_fonts="bundled"))
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        ours = {}
        for path in EXAMPLES:
            article = publisher.load_article(path)
            ours[path.stem] = pages(engine.render(article).data)
            (work / f"{path.stem}.docx").write_bytes(engine.render(article, "docx").data)
        for name in ours:  # a process and profile per file: LibreOffice keeps the first embedded subset of a name
            subprocess.run([soffice, f"-env:UserInstallation={(work / f'profile-{name}').as_uri()}", "--headless",
                            "--convert-to", "pdf", "--outdir", str(work), str(work / f"{name}.docx")],
                           check=True, capture_output=True)
        return [(name, count, pages((work / f"{name}.pdf").read_bytes())) for name, count in ours.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warm", type=int, default=50)
    args = parser.parse_args()
    docx_s, pdf_s = warm_seconds(args.warm)
    print(f"article.yaml warm, one Publisher, {args.warm} documents: DOCX {docx_s * 1000:.1f} ms/document, "
          f"PDF {pdf_s * 1000:.1f} ms/document (DOCX/PDF {docx_s / pdf_s:.2f})")
    rows = agreement()
    for name, ours, theirs in rows:
        print(f"  {name:<16} PDF {ours} pages, LibreOffice DOCX {theirs} pages {'ok' if ours == theirs else 'DIFFERENT'}")
    same = sum(ours == theirs for _, ours, theirs in rows)
    print(f"page-count agreement: {same}/{len(rows)} examples")


if __name__ == "__main__":
    main()
