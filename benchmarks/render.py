"""Render speed of the example article: cold (a new process per document) and warm (one Publisher).

Prints seconds per document and pages per second for both, and the warm/cold ratio measured in the
same run. Later issues (batch, DOCX) compare their figures against these.

    python benchmarks/render.py [--input examples/article.yaml] [--warm 20] [--cold 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLD_SNIPPET = (
    "import sys, publisher; "
    "r = publisher.Publisher().render(publisher.load_article(sys.argv[1])); "
    "sys.stdout.write(str(r.pages))"
)


def cold(input_path: Path, runs: int) -> tuple[float, int]:
    """Median wall time of rendering in a fresh interpreter (imports, fonts and templates included)."""
    times, pages = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", COLD_SNIPPET, str(input_path)],
                              check=True, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        pages = int(done.stdout)
    return statistics.median(times), pages


def warm(input_path: Path, documents: int) -> tuple[float, int]:
    """Mean wall time per document when one Publisher renders many (after one untimed warm-up)."""
    import publisher

    engine = publisher.Publisher()
    article = publisher.load_article(input_path)
    pages = engine.render(article).pages
    start = time.perf_counter()
    for _ in range(documents):
        engine.render(article)
    return (time.perf_counter() - start) / documents, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", type=Path, default=ROOT / "examples" / "article.yaml")
    parser.add_argument("--warm", type=int, default=20, help="documents rendered in-process")
    parser.add_argument("--cold", type=int, default=3, help="fresh processes started")
    args = parser.parse_args()

    cold_seconds, pages = cold(args.input, args.cold)
    warm_seconds, _ = warm(args.input, args.warm)
    print(f"input: {args.input.name} ({pages} pages)")
    print(f"cold  (new process, median of {args.cold}): {cold_seconds:.3f} s/document, "
          f"{pages / cold_seconds:.1f} pages/s")
    print(f"warm  (one Publisher, {args.warm} documents): {warm_seconds:.3f} s/document, "
          f"{pages / warm_seconds:.1f} pages/s")
    print(f"ratio cold/warm: {cold_seconds / warm_seconds:.1f}x")


if __name__ == "__main__":
    main()
