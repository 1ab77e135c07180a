"""Batch throughput and memory: `publisher batch` at -j 1 and -j 2 against a naive WeasyPrint loop.

Generates a deterministic corpus (articles of 1 to 15 pages, mixed Chinese and Latin, rare name
characters) in a temporary folder, renders it with the batch at each job count, then renders the same
HTML with a plain `weasyprint.HTML(string=...).write_pdf()` loop in this process, and prints documents/s,
pages/s, peak RSS per worker and RSS growth, all measured in the same run.

    python benchmarks/batch.py [--count 1000] [--jobs 1 2] [--naive-count N] [--max-docs N]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HAN = ("生态环境保护工作会议召开总结全省安排部署重点深入打好污染防治攻坚战协同推进降碳减污扩绿增长坚持守正创新"
       "着力打造人与自然和谐共生美丽中国广东样板学习贯彻精神思想系列重要讲话指示发展规划建设管理服务质量水平")
RARE = "堃喆镕赟彧䶮"
LATIN = ("archive", "office", "PM2.5", "GB/T 9704", "report", "Guangdong", "policy", "2023", "ISO 19005", "data")


def paragraph(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(6, 10)):
        parts.append("".join(rng.choice(HAN) for _ in range(rng.randint(8, 20))))
        if rng.random() < 0.4:
            parts.append(f" {rng.choice(LATIN)} ")
        if rng.random() < 0.15:
            parts.append(rng.choice(RARE))
        parts.append(rng.choice("，，，；、"))
    return "".join(parts).rstrip("，；、") + "。"


def make_corpus(folder: Path, count: int) -> list[Path]:
    """count articles; the i-th aims at 1 + i % 15 pages (about six and a half paragraphs a page)."""
    rng = random.Random(20240308)
    paths = []
    for number in range(count):
        pages = 1 + number % 15
        body: list[object] = []
        for index in range(max(1, round(pages * 6.5) - 3)):
            if index and index % 6 == 0:
                body.append({"type": "heading", "level": 2, "text": f"第{index // 6}部分 Part {index // 6}"})
            body.append(paragraph(rng))
        data = {"title": f"档案文章第{number + 1}号 {rng.choice(RARE)}{rng.choice(LATIN)}", "date": "2024-03-08",
                "category": "行业动态", "author": f"编辑{rng.choice(RARE)}", "lead": paragraph(rng), "body": body,
                "source": "资料室"}
        path = folder / f"article-{number:04d}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def run_batch_at(corpus: Path, outdir: Path, jobs: int, max_docs: int) -> dict[str, float]:
    from publisher.batch import BatchConfig, run_batch

    start = time.perf_counter()
    summary = run_batch([str(corpus)], BatchConfig(outdir=outdir, jobs=jobs, force=True, max_docs=max_docs,
                                                   max_rss_mb=100_000, timeout=600))
    seconds = time.perf_counter() - start
    if summary.failed:
        raise SystemExit(f"{summary.failed} documents failed: see {summary.manifest}")
    by_worker: dict[int, list[float]] = {}
    for pid, rss in summary.worker_rss_mb:
        by_worker.setdefault(pid, []).append(rss)
    # growth: RSS after a worker's last document against the highest RSS over its first tenth of documents
    # (by then documents of every size have passed, so what remains is growth, not a bigger document)
    def growth_of(series: list[float]) -> float:
        settled = max(series[: max(1, len(series) // 10)])
        return (series[-1] - settled) / settled * 100

    growth = max((growth_of(series) for series in by_worker.values() if len(series) > 1), default=0.0)
    return {"docs": summary.ok, "pages": summary.pages, "seconds": seconds,
            "peak_rss_mb": max(summary.worker_peak_rss_mb, default=0.0), "growth_pct": growth,
            "workers": len(by_worker)}


def run_naive(paths: list[Path]) -> dict[str, float]:
    """The same HTML as the batch renders, through a bare weasyprint.HTML(string=...).write_pdf() loop."""
    import publisher
    import weasyprint

    engine = publisher.Publisher()
    renderer = engine._pdf_renderer()
    jobs = []
    for path in paths:
        article = publisher.load_article(path)
        info = engine.template_for(article, None)
        document = engine.document(article, info)
        jobs.append((renderer.html(document, info), info.folder.resolve().as_uri() + "/"))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pages = 0
    start = time.perf_counter()
    for html, base_url in jobs:
        laid_out = weasyprint.HTML(string=html, base_url=base_url).render()
        laid_out.write_pdf()
        pages += len(laid_out.pages)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"docs": len(jobs), "pages": pages, "seconds": seconds, "peak_rss_mb": peak,
            "growth_pct": (peak - rss_before) / rss_before * 100, "workers": 1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000, help="articles in the corpus")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="job counts to measure")
    parser.add_argument("--naive-count", type=int, default=None, help="articles for the naive loop (default: all)")
    parser.add_argument("--max-docs", type=int, default=1_000_000,
                        help="recycle workers after this many documents (default: never, to measure growth)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="publisher-bench-") as temporary:
        folder = Path(temporary)
        corpus = folder / "corpus"
        corpus.mkdir()
        paths = make_corpus(corpus, args.count)
        rows = {}
        for jobs in args.jobs:
            rows[f"batch -j {jobs}"] = run_batch_at(corpus, folder / f"out-j{jobs}", jobs, args.max_docs)
        rows["naive loop"] = run_naive(paths[: args.naive_count or args.count])

    naive_rate = rows["naive loop"]["docs"] / rows["naive loop"]["seconds"]
    print(f"corpus: {args.count} articles (1-15 pages, mixed Chinese/Latin, rare characters {RARE})")
    print(f"{'run':<12} {'docs':>5} {'pages':>6} {'seconds':>8} {'docs/s':>7} {'pages/s':>8} {'vs naive':>8} "
          f"{'peak RSS/worker MB':>19} {'RSS growth %':>13}")
    for name, row in rows.items():
        rate = row["docs"] / row["seconds"]
        print(f"{name:<12} {row['docs']:>5.0f} {row['pages']:>6.0f} {row['seconds']:>8.1f} {rate:>7.2f} "
              f"{row['pages'] / row['seconds']:>8.2f} {rate / naive_rate:>7.2f}x {row['peak_rss_mb']:>19.0f} "
              f"{row['growth_pct']:>13.1f}")
    print("RSS growth: batch, a worker's RSS after its last document against its highest over its first tenth (largest over "
          "workers); naive, peak RSS over the loop against before it.")


if __name__ == "__main__":
    main()
