"""Distributed batch throughput: Celery with one and with two workers against the local `-j 2` batch.

Generates the corpus of benchmarks/batch.py (articles of 1 to 15 pages) in a temporary folder, starts a
redis-server of its own on a free port of 127.0.0.1, and in the same run measures documents/s of
`publisher batch -j 2` (local), then of `publisher batch --engine celery` with one `publisher worker`
(--concurrency 1, then 2) and with two (--concurrency 1 each), then the local batch again, all on this
machine; the ratios are against the mean rate of the two local runs. Workers are started, and have
each rendered one warm-up document, before the clock starts, as long-running services would have. Also
checks that every Celery output is byte-identical to the local batch's.

    python benchmarks/distributed.py [--count 120]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from batch import make_corpus  # noqa: E402  (benchmarks/batch.py: the same corpus)

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
PUBLISHER = [sys.executable, "-m", "publisher"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_redis(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    server = shutil.which("redis-server")
    if not server:
        raise SystemExit("redis-server is missing (scripts/install-system-deps.sh installs it)")
    port = free_port()
    process = subprocess.Popen([server, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                                "--appendonly", "no", "--dir", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(port=port)
    for _ in range(200):
        try:
            client.ping()
            return process, f"redis://127.0.0.1:{port}/0"
        except redis.ConnectionError:
            time.sleep(0.05)
    raise SystemExit("redis-server did not start")


def start_workers(broker: str, queue: str, concurrencies: list[int], logs: Path) -> list[subprocess.Popen[bytes]]:
    workers = []
    for number, concurrency in enumerate(concurrencies):
        log = logs / f"{queue}-{number}.log"
        with log.open("wb") as stream:
            workers.append(subprocess.Popen([*PUBLISHER, "worker", "--broker", broker, "--queue", queue,
                                             "--concurrency", str(concurrency), "--hostname", f"{queue}{number}@%h",
                                             "--loglevel", "WARNING"], env=ENV, stdout=stream,
                                            stderr=subprocess.STDOUT, start_new_session=True))
    return workers


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        process.wait(timeout=30)


def run(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    return seconds


def celery_run(folder: Path, broker: str, queue: str, concurrencies: list[int], warmups: int) -> float:
    workers = start_workers(broker, queue, concurrencies, folder)
    try:
        # warm-up: a few small documents, so that every worker process has loaded fonts and WeasyPrint
        warm = folder / f"warm-{queue}"
        (warm / "in").mkdir(parents=True)
        make_corpus(warm / "in", warmups)
        celery = ["batch", "in", "--engine", "celery", "--broker", broker, "--queue", queue, "--quiet"]
        run([*PUBLISHER, *celery, "-o", "out", "--force"], warm)
        return run([*PUBLISHER, *celery[:1], str(folder / "corpus"), *celery[2:], "-o", f"out-{queue}"], folder)
    finally:
        stop(workers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=120, help="articles in the corpus")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="publisher-bench-") as temporary:
        folder = Path(temporary)
        (folder / "corpus").mkdir()
        make_corpus(folder / "corpus", args.count)
        redis_server, broker = start_redis(folder)
        try:
            local = [*PUBLISHER, "batch", "corpus", "-o", "out-local", "-j", "2", "--quiet", "--force"]
            seconds = {"local batch -j 2 (first)": run(local, folder)}
            seconds["celery, 1 worker -c 1"] = celery_run(folder, broker, "single", [1], warmups=2)
            seconds["celery, 1 worker -c 2"] = celery_run(folder, broker, "one", [2], warmups=4)
            seconds["celery, 2 workers -c 1 each"] = celery_run(folder, broker, "two", [1, 1], warmups=4)
            seconds["local batch -j 2 (last)"] = run(local, folder)
        finally:
            redis_server.terminate()
            redis_server.wait(timeout=10)
        local = {p.name: p.read_bytes() for p in (folder / "out-local").glob("*.pdf")}
        for queue in ("single", "one", "two"):
            outputs = {p.name: p.read_bytes() for p in (folder / f"out-{queue}").glob("*.pdf")}
            if outputs != local:
                raise SystemExit(f"celery outputs ({queue}) differ from the local batch's")

    # the baseline: the local batch measured before and after the Celery runs (other load on the machine
    # shows as a difference between the two)
    base = 2 * args.count / (seconds["local batch -j 2 (first)"] + seconds["local batch -j 2 (last)"])
    print(f"corpus: {args.count} articles of 1-15 pages; {os.cpu_count()} cores; outputs byte-identical across runs")
    print(f"{'run':<32} {'seconds':>8} {'docs/s':>7} {'vs local -j 2':>14}  (baseline: mean of both local runs, "
          f"{base:.2f} docs/s)")
    for name, value in seconds.items():
        rate = args.count / value
        print(f"{name:<32} {value:>8.1f} {rate:>7.2f} {rate / base:>13.2f}x")
    print("each run: wall time of the `publisher batch` command (plan, submit or render, manifest); the local "
          "batch's time includes starting its worker processes, the Celery workers were already warm")


if __name__ == "__main__":
    main()
