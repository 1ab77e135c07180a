"""Distributed batch on Celery with Redis: a redis-server of the tests' own on 127.0.0.1 and real
`publisher worker` processes. 50 documents byte-identical to the local batch; kill -9 of a whole worker in
the middle; invalid input fails once, without retries; transient I/O errors are retried; --dry-run."""

from __future__ import annotations

import collections
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml
from click.testing import CliRunner

import publisher.distributed.tasks as tasks
from publisher.batch import BatchConfig, collect_inputs, read_manifest, run_batch
from publisher.cli import cli
from publisher.distributed.settings import CelerySettings
from publisher.errors import EXIT_BATCH_FAILURES, EXIT_OK
from helpers import RARE_NAMES, ROOT

COUNT = 50
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def small_article(number: int) -> dict[str, Any]:
    """A one-page article of mixed Chinese and Latin text, so 50 renders stay quick."""
    body = [f"第{number}篇 段落{p}：生态环境保护工作会议召开，{RARE_NAMES} attended the meeting." * 3 for p in range(3)]
    return {"title": f"分布式测试 {number} Celery", "date": "2024-03-08", "author": f"编辑{RARE_NAMES[number % 6]}",
            "body": body}


def write_corpus(folder: Path, count: int = COUNT) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        text = yaml.safe_dump(small_article(number), allow_unicode=True)
        (folder / f"doc{number:02d}.yaml").write_text(text, encoding="utf-8")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ------------------------------------------------------------------------------------------------
# the broker and the workers


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server (Debian's, installed by scripts/install-system-deps.sh) on a free port of 127.0.0.1."""
    server = shutil.which("redis-server")
    assert server, "redis-server is missing: scripts/install-system-deps.sh installs it"
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen([server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly",
                                "no", "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline and process.poll() is None, "redis-server did not start"
            time.sleep(0.05)
    client.close()
    yield url
    process.terminate()
    process.wait(timeout=10)


class Workers:
    """`publisher worker` processes, each in its own session so kill -9 reaches its pool processes too."""

    def __init__(self, broker: str, queue: str, logs: Path):
        self.broker, self.queue, self.logs = broker, queue, logs
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *options: str) -> None:
        log = self.logs / f"{name}.log"
        command = [sys.executable, "-m", "publisher", "worker", "--broker", self.broker, "--queue", self.queue,
                   "--concurrency", "1", "--hostname", f"{name}@%h", *options]
        with log.open("wb") as stream:
            self.processes[name] = subprocess.Popen(command, env=ENV, stdout=stream, stderr=subprocess.STDOUT,
                                                    start_new_session=True)
        deadline = time.monotonic() + 60
        while " ready." not in log.read_text(errors="replace"):
            assert self.processes[name].poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, f"worker {name} did not start: {log.read_text(errors='replace')}"
            time.sleep(0.1)

    def kill(self, name: str) -> None:
        """kill -9 the worker and its pool processes, as when its machine dies."""
        os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait(timeout=10)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture
def workers(broker: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Workers]:
    """A queue of this test's own, and the workers it starts on it (stopped after the test)."""
    pool = Workers(broker, f"test-{request.node.name}", tmp_path)
    yield pool
    pool.stop()


@pytest.fixture(scope="module")
def local_reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The local batch (-j 2) of the corpus: output name -> bytes."""
    folder = tmp_path_factory.mktemp("local")
    write_corpus(folder / "in")
    summary = run_batch([str(folder / "in")], BatchConfig(outdir=folder / "out", jobs=2))
    assert (summary.ok, summary.failed) == (COUNT, 0)
    return {path.name: path.read_bytes() for path in (folder / "out").glob("*.pdf")}


def submit(cwd: Path, workers: Workers, *options: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "publisher", "batch", "in", "-o", "out", "--engine", "celery", "--quiet",
               *options]
    env = {**ENV, "PUBLISHER_BROKER_URL": workers.broker, "PUBLISHER_QUEUE": workers.queue}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def manifest_lines(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]


def assert_complete_and_identical(out: Path, reference: dict[str, bytes]) -> list[dict[str, Any]]:
    """One record per input, each ok, each output's recorded hash matches the file, the file matches the
    local batch's, and no temporary file is left."""
    records = manifest_lines(out)
    assert sorted(r["input"] for r in records) == [f"in/doc{n:02d}.yaml" for n in range(COUNT)]
    assert {r["status"] for r in records} == {"ok"}
    for record in records:
        [output] = record["outputs"]
        assert output["sha256"] == hashlib.sha256((out / output["path"]).read_bytes()).hexdigest()
        assert (out / output["path"]).read_bytes() == reference[output["path"]], output["path"]
    assert sorted(p.name for p in out.iterdir()) == sorted([*reference, "manifest.jsonl"])
    return records


# ------------------------------------------------------------------------------------------------
# real workers


def test_two_workers_render_50_byte_identical_to_the_local_batch(tmp_path: Path, workers: Workers,
                                                                 local_reference: dict[str, bytes]) -> None:
    write_corpus(tmp_path / "in")
    workers.start("one")
    workers.start("two")

    result = submit(tmp_path, workers)

    assert result.returncode == EXIT_OK, result.stderr
    assert f"{COUNT} inputs, {COUNT} ok, 0 failed" in result.stderr
    records = assert_complete_and_identical(tmp_path / "out", local_reference)
    by_worker = collections.Counter(record["worker"].split("@")[0] for record in records)
    assert set(by_worker) == {"one", "two"}, by_worker  # both workers rendered
    assert all(record["attempts"] == 1 and not record["redelivered"] for record in records)

    again = submit(tmp_path, workers)  # resume: everything is up to date
    assert again.returncode == EXIT_OK and f"0 ok, 0 failed, {COUNT} skipped" in again.stderr


def test_kill_9_of_a_worker_mid_batch_still_renders_each_document_exactly_once(
        tmp_path: Path, workers: Workers, local_reference: dict[str, bytes]) -> None:
    write_corpus(tmp_path / "in")
    fast_recovery = ("--visibility-timeout", "5")  # the killed worker's task goes to the other after 5 s
    workers.start("victim", *fast_recovery)
    workers.start("survivor", *fast_recovery)
    command = [sys.executable, "-m", "publisher", "batch", "in", "-o", "out", "--engine", "celery", "--quiet",
               "--broker", workers.broker, "--queue", workers.queue, *fast_recovery]
    batch = subprocess.Popen(command, cwd=tmp_path, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    out = tmp_path / "out"
    app = tasks.make_app(CelerySettings(broker=workers.broker, queue=workers.queue))
    try:
        deadline = time.monotonic() + 120
        while not out.is_dir() or len(list(out.glob("*.pdf"))) < 10:  # the middle of the batch
            assert batch.poll() is None and time.monotonic() < deadline, "the batch ended before the kill"
            time.sleep(0.05)
        victim = next(name for reply in app.control.ping(timeout=2) for name in reply if name.startswith("victim@"))
        while not app.control.inspect([victim], timeout=2).active()[victim]:  # kill it while it renders
            time.sleep(0.01)
        workers.kill("victim")
        done = len(list(out.glob("*.pdf")))
        assert done < COUNT
        stdout, stderr = batch.communicate(timeout=90)
    finally:
        app.close()
        if batch.poll() is None:
            batch.kill()

    assert batch.returncode == EXIT_OK, stderr
    assert f"{COUNT} inputs, {COUNT} ok, 0 failed" in stderr
    records = assert_complete_and_identical(out, local_reference)  # no partial or temporary file either
    assert len(records) == COUNT  # exactly one record per document, though one ran twice
    redelivered = [record for record in records if record["redelivered"]]
    assert redelivered, "the task the victim held was not delivered again"
    assert all(record["worker"].startswith("survivor@") for record in redelivered)


def test_invalid_article_fails_at_once_without_retries(tmp_path: Path, workers: Workers) -> None:
    write_corpus(tmp_path / "in", count=2)
    (tmp_path / "in" / "bad.yaml").write_text("title: 标题\nbody:\n  - {type: heading, level: 7, text: 七级}\n",
                                              encoding="utf-8")
    workers.start("one")

    result = submit(tmp_path, workers)

    assert result.returncode == EXIT_BATCH_FAILURES, result.stderr
    assert "failed: in/bad.yaml: ArticleError" in result.stderr and "body[0].level" in result.stderr
    records = {record["input"]: record for record in read_manifest(tmp_path / "out" / "manifest.jsonl")}
    bad = records["in/bad.yaml"]
    assert bad["status"] == "failed" and bad["outputs"] == [] and bad["error"]["class"] == "ArticleError"
    assert bad["attempts"] == 1 and not bad["redelivered"]  # recorded on the first attempt, never retried
    assert bad["duration"] < records["in/doc00.yaml"]["duration"]  # it failed before any rendering
    assert not (tmp_path / "out" / "bad.pdf").exists()
    log = (tmp_path / "one.log").read_text(errors="replace")
    assert "Retry in" not in log and log.count("succeeded in") == 3


def test_dry_run_lists_the_tasks_and_contacts_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      workers: Workers) -> None:
    monkeypatch.chdir(tmp_path)
    write_corpus(tmp_path / "in", count=3)
    unreachable = f"redis://:secret@127.0.0.1:{free_port()}/0"
    arguments = ["batch", "in", "-o", "out", "--engine", "celery", "--broker", unreachable, "--queue", "archive",
                 "--dry-run"]

    result = CliRunner().invoke(cli, arguments)

    assert result.exit_code == EXIT_OK, result.output
    lines = result.stdout.splitlines()
    assert "queue 'archive'" in lines[0] and "secret" not in result.stdout  # the password is hidden
    assert "would submit 3 tasks, one per document; 0 up to date (skipped)" in result.stdout
    assert [line.split("\t")[:3] for line in lines if line.startswith("submit\t")] == [
        ["submit", f"in/doc{n:02d}.yaml", f"-> doc{n:02d}.pdf"] for n in range(3)]
    assert not (tmp_path / "out").exists()  # nothing written

    workers.start("one")
    assert submit(tmp_path, workers).returncode == EXIT_OK
    (tmp_path / "in" / "doc01.yaml").write_text(yaml.safe_dump(small_article(99), allow_unicode=True),
                                                encoding="utf-8")
    again = CliRunner().invoke(cli, arguments)
    assert "would submit 1 tasks, one per document; 2 up to date (skipped)" in again.stdout
    assert "submit\tin/doc01.yaml\t-> doc01.pdf" in again.stdout
    assert "skip\tin/doc00.yaml" in again.stdout and "skip\tin/doc02.yaml" in again.stdout


def test_the_command_line_loads_celery_only_for_the_celery_engine() -> None:
    probe = ("import sys; from click.testing import CliRunner; from publisher.cli import cli; "
             "CliRunner().invoke(cli, ['validate', sys.argv[1]]); print(sorted({m.split('.')[0] for m in sys.modules} "
             "& {'celery', 'kombu', 'redis'}))")
    result = subprocess.run([sys.executable, "-c", probe, str(ROOT / "examples" / "article.yaml")], env=ENV,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_engine_options_are_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_corpus(tmp_path / "in", count=1)
    monkeypatch.delenv("PUBLISHER_BROKER_URL", raising=False)
    no_broker = CliRunner().invoke(cli, ["batch", "in", "-o", "out", "--engine", "celery"])
    assert no_broker.exit_code == 2 and "PUBLISHER_BROKER_URL" in no_broker.stderr
    local_only = CliRunner().invoke(cli, ["batch", "in", "-o", "out", "--engine", "celery", "-j", "4",
                                          "--broker", "redis://127.0.0.1:1/0"])
    assert local_only.exit_code == 2 and "--jobs" in local_only.stderr
    down = CliRunner().invoke(cli, ["batch", "in", "-o", "out", "--engine", "celery",
                                    "--broker", f"redis://127.0.0.1:{free_port()}/0"])
    assert down.exit_code == 4 and "cannot reach the broker" in down.stderr


# ------------------------------------------------------------------------------------------------
# the task itself (run eagerly, in this process)


def _message(tmp_path: Path, text: str) -> dict[str, Any]:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "doc.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "out").mkdir()
    [item] = collect_inputs([str(tmp_path / "in" / "doc.yaml")])
    return tasks.task_message(item, BatchConfig(outdir=tmp_path / "out", formats=("docx",)))


def _run_eagerly(message: dict[str, Any]) -> dict[str, Any]:
    app = tasks.make_app(CelerySettings(broker="memory://", result_backend="cache+memory://"))
    try:
        return app.tasks[tasks.TASK_NAME].apply(args=[message]).get()
    finally:
        app.close()


def _flaky(failures: int) -> Callable[..., dict[str, Any]]:
    original = tasks.render_item
    calls = []

    def render_item(*arguments: Any, **keywords: Any) -> dict[str, Any]:
        calls.append(1)
        if len(calls) <= failures:
            raise OSError(5, "Input/output error", "/shared/out")
        return original(*arguments, **keywords)

    return render_item


def test_transient_io_errors_are_retried_then_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    message = _message(tmp_path, yaml.safe_dump(small_article(1), allow_unicode=True))
    monkeypatch.setattr(tasks, "render_item", _flaky(failures=2))
    recovered = _run_eagerly(message)
    assert recovered["status"] == "ok" and recovered["attempts"] == 3
    assert (tmp_path / "out" / "doc.docx").read_bytes()[:2] == b"PK"

    monkeypatch.setattr(tasks, "render_item", _flaky(failures=99))
    exhausted = _run_eagerly(message)
    assert exhausted["status"] == "failed" and exhausted["attempts"] == tasks.MAX_RETRIES + 1
    assert exhausted["error"]["class"] == "OSError" and "after 4 attempts" in exhausted["error"]["message"]


def test_a_worker_of_another_version_refuses_the_task(tmp_path: Path) -> None:
    message = _message(tmp_path, yaml.safe_dump(small_article(1), allow_unicode=True))
    result = _run_eagerly({**message, "publisher": "0.0.1"})
    assert result["status"] == "failed" and result["error"]["class"] == "VersionMismatch"
    assert "0.0.1" in result["error"]["message"] and not (tmp_path / "out" / "doc.docx").exists()
