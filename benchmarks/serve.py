"""`publisher serve` under load: N requests from C concurrent clients rendering the example article.

Starts the server on a free port of 127.0.0.1, warms it up, then sends the requests (the article as
JSON, POST /render) and prints requests per second, p50/p95 latency, errors (must be 0), and the
server's resident memory (the whole process tree: uvicorn and its render workers) before and after,
which should stay within 20 %. The baseline, measured in the same run, is the library rendering the
same article directly in one process (renders per second, times the worker count for the ideal pool).

    python benchmarks/serve.py [--requests 200] [--clients 8] [--workers 2] [--input examples/article.yaml]
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
BASELINE_RENDERS = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            continue
    return total


def baseline(article: dict) -> float:
    """Renders per second of the library in this process (one Publisher, after one warm-up render)."""
    import publisher

    engine = publisher.Publisher()
    engine.render(article)
    start = time.perf_counter()
    for _ in range(BASELINE_RENDERS):
        engine.render(article)
    return BASELINE_RENDERS / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--input", type=Path, default=ROOT / "examples" / "article.yaml")
    args = parser.parse_args()
    article = json.loads(json.dumps(yaml.safe_load(args.input.read_text(encoding="utf-8")), default=str))
    body = json.dumps(article, ensure_ascii=False).encode("utf-8")

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "publisher", "serve", "--port", str(port), "--workers",
                               str(args.workers), "--queue-size", str(args.clients), "--log-level", "warning"],
                              cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit("the server did not start")
            time.sleep(0.2)

        def send(client: httpx.Client) -> tuple[float, int]:
            start = time.perf_counter()
            response = client.post("/render", content=body, headers={"Content-Type": "application/json"})
            ok = response.status_code == 200 and response.content.startswith(b"%PDF")
            return time.perf_counter() - start, 0 if ok else 1

        with httpx.Client(base_url=url, timeout=300, limits=httpx.Limits(max_connections=args.clients)) as client:
            with ThreadPoolExecutor(args.clients) as pool:  # warm-up: every worker renders a few times
                list(pool.map(lambda _: send(client), range(args.workers * 3)))
            rss_before = tree_rss_mb(server.pid)
            start = time.perf_counter()
            with ThreadPoolExecutor(args.clients) as pool:
                results = list(pool.map(lambda _: send(client), range(args.requests)))
            elapsed = time.perf_counter() - start
            rss_after = tree_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)

    latencies = sorted(seconds for seconds, _ in results)
    errors = sum(failed for _, failed in results)
    rate = len(results) / elapsed
    p50 = statistics.median(latencies)
    p95 = latencies[max(0, int(round(0.95 * len(latencies))) - 1)]
    direct = baseline(article)
    growth = (rss_after - rss_before) / rss_before * 100
    print(f"serve: {len(results)} requests from {args.clients} clients, {args.workers} render workers, "
          f"{args.input.name}")
    print(f"  requests/s        {rate:.2f}")
    print(f"  latency p50/p95   {p50 * 1000:.0f} ms / {p95 * 1000:.0f} ms")
    print(f"  errors            {errors}")
    print(f"  server RSS        {rss_before:.0f} MB before, {rss_after:.0f} MB after ({growth:+.1f} %; "
          f"{'flat' if abs(growth) <= 20 else 'NOT flat'} within 20 %)")
    print(f"  baseline          {direct:.2f} renders/s direct in one process; ideal pool {direct * args.workers:.2f}/s")
    print(f"  ratio             {rate / direct:.2f} × one process, {rate / (direct * args.workers):.2f} of the ideal pool")
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
