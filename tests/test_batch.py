"""`publisher batch`: one failure fails alone, kill -9 then rerun, identical bytes across -j, resume and
--force, shards and manifest merge, JSON Lines input, safe output names, time limit and worker crash,
archival PDF variants."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pikepdf
import pytest
import yaml
from click.testing import CliRunner

import publisher.batch as batch
from publisher.batch import BatchConfig, collect_inputs, in_shard, read_manifest, run_batch
from publisher.cli import cli
from publisher.errors import EXIT_BATCH_FAILURES, EXIT_OK
from publisher.options import RenderOptions
from helpers import EXAMPLES, RARE_NAMES, ROOT

WINDOWS_FORBIDDEN = set('<>:"/\\|?*')
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def article(number: int, paragraphs: int = 2) -> dict[str, Any]:
    """A small article of mixed Chinese and Latin text with rare name characters."""
    body = [f"第{number}篇 paragraph {p}：生态环境保护工作会议召开，{RARE_NAMES} attended the meeting." * 3
            for p in range(paragraphs)]
    return {"title": f"测试文章 {number} Test", "date": "2024-03-08", "author": f"编辑{RARE_NAMES[number % 6]}",
            "body": body}


def write_article(path: Path, number: int, paragraphs: int = 2) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = article(number, paragraphs)
    text = json.dumps(data, ensure_ascii=False) if path.suffix == ".json" else yaml.safe_dump(data, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def by_input(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {record["input"]: record for record in records}


def assert_valid_pdf(path: Path, pages: int | None = None) -> None:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), path
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) >= 1
        if pages is not None:
            assert len(pdf.pages) == pages


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in tmp_path, so input identities in manifests are short relative paths."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ------------------------------------------------------------------------------------------------
# failures stay local


def test_one_broken_input_fails_alone_with_exit_code_and_manifest(cwd: Path) -> None:
    for number in range(3):
        write_article(cwd / "in" / f"good{number}.yaml", number)
    (cwd / "in" / "bad-level.yaml").write_text("title: 标题\nbody:\n  - {type: heading, level: 7, text: 七级}\n",
                                               encoding="utf-8")
    (cwd / "in" / "bad-yaml.yaml").write_text("title: [unclosed\n", encoding="utf-8")

    result = CliRunner().invoke(cli, ["batch", "in", "-o", "out", "-j", "2", "--quiet"])

    assert result.exit_code == EXIT_BATCH_FAILURES == 5, result.output
    assert "failed: in/bad-level.yaml" in result.stderr and "body[0].level" in result.stderr
    assert "5 inputs, 3 ok, 2 failed" in result.stderr
    records = by_input(read_manifest(cwd / "out" / "manifest.jsonl"))
    assert sorted(records) == ["in/bad-level.yaml", "in/bad-yaml.yaml", "in/good0.yaml", "in/good1.yaml",
                               "in/good2.yaml"]
    for name in ("bad-level", "bad-yaml"):
        record = records[f"in/{name}.yaml"]
        assert record["status"] == "failed" and record["outputs"] == []
        assert record["error"]["class"] == "ArticleError" and record["error"]["message"]
        assert not (cwd / "out" / f"{name}.pdf").exists()
    for number in range(3):
        record = records[f"in/good{number}.yaml"]
        assert record["status"] == "ok" and record["error"] is None
        assert record["input_sha256"] == sha256(cwd / "in" / f"good{number}.yaml")
        [output] = record["outputs"]
        assert output["path"] == f"good{number}.pdf" and output["format"] == "pdf"
        assert output["sha256"] == sha256(cwd / "out" / output["path"])
        assert output["bytes"] == (cwd / "out" / output["path"]).stat().st_size
        assert_valid_pdf(cwd / "out" / output["path"], output["pages"])
        assert record["duration"] > 0


def test_all_good_exits_0_and_progress_goes_to_the_stream(cwd: Path) -> None:
    write_article(cwd / "one.yaml", 1)
    result = CliRunner().invoke(cli, ["batch", "one.yaml", "-o", "out", "-f", "docx"])
    assert result.exit_code == EXIT_OK, result.output
    assert "1 inputs, 1 ok, 0 failed" in result.stderr
    assert "ETA" not in result.stderr  # not a terminal: no progress display, only the summary

    progress = io.StringIO()
    summary = run_batch(["one.yaml"], BatchConfig(outdir=cwd / "out2", formats=("docx",), jobs=1), progress=progress)
    assert summary.ok == 1
    assert "[1/1]" in progress.getvalue() and "ETA" in progress.getvalue() and "one.yaml" in progress.getvalue()


def test_hung_and_crashing_documents_fail_alone(cwd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = batch.render_item

    def misbehaving(engine: Any, item: dict[str, Any], config: BatchConfig) -> dict[str, Any]:
        if "hang" in item["identity"]:
            time.sleep(600)
        if "crash" in item["identity"]:
            os._exit(9)
        return original(engine, item, config)

    monkeypatch.setattr(batch, "render_item", misbehaving)  # the forked workers inherit it
    for name in ("a-ok", "hang", "crash", "z-ok"):
        write_article(cwd / "in" / f"{name}.yaml", 1)
    started = time.monotonic()
    summary = run_batch(["in"], BatchConfig(outdir=cwd / "out", formats=("docx",), jobs=2, timeout=3))
    assert time.monotonic() - started < 30
    records = by_input(summary.records)
    assert records["in/hang.yaml"]["error"]["class"] == "DocumentTimeout"
    assert records["in/crash.yaml"]["error"]["class"] == "WorkerCrashed"
    assert records["in/a-ok.yaml"]["status"] == records["in/z-ok.yaml"]["status"] == "ok"
    assert (summary.ok, summary.failed) == (2, 2)
    assert sorted(p.name for p in (cwd / "out").iterdir()) == ["a-ok.docx", "manifest.jsonl", "z-ok.docx"]


# ------------------------------------------------------------------------------------------------
# kill -9 and rerun


def _complete_pdfs_only(out: Path) -> list[Path]:
    """Every visible output is a whole PDF; temporary files are hidden (.name.XXXX.part)."""
    pdfs = []
    for path in out.iterdir():
        if path.name.startswith("."):
            assert path.name.endswith(".part")
            continue
        assert path.suffix in (".pdf", ".jsonl"), path
        if path.suffix == ".pdf":
            data = path.read_bytes()
            assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), path
            pdfs.append(path)
    return pdfs


def test_kill_9_mid_batch_then_rerun_completes(cwd: Path) -> None:
    count = 24
    for number in range(count):
        write_article(cwd / "in" / f"doc{number:02d}.yaml", number, paragraphs=6)
    out = cwd / "out"
    command = [sys.executable, "-m", "publisher", "batch", "in", "-o", "out", "-j", "2", "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    seen = 0
    while time.monotonic() < deadline and process.poll() is None:
        if out.is_dir():
            seen = len(_complete_pdfs_only(out))
            if seen >= 3:
                break
        time.sleep(0.02)
    assert process.poll() is None, "the batch finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    time.sleep(0.5)  # the workers die with the parent
    assert 3 <= len(_complete_pdfs_only(out)) < count
    before = read_manifest(out / "manifest.jsonl")  # never corrupt, possibly behind
    assert all(record["status"] == "ok" for record in before)

    rerun = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)

    assert rerun.returncode == EXIT_OK, rerun.stderr
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "temporary files left behind"
    assert len(_complete_pdfs_only(out)) == count
    lines = (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert sorted(r["input"] for r in records) == [f"in/doc{n:02d}.yaml" for n in range(count)]
    assert {r["status"] for r in records} <= {"ok", "skipped"}
    assert sum(r["status"] == "skipped" for r in records) == len(before)
    for record in records:
        [output] = record["outputs"]
        assert output["sha256"] == sha256(out / output["path"])
        assert_valid_pdf(out / output["path"], output["pages"])


def test_truncated_last_manifest_line_is_skipped(tmp_path: Path) -> None:
    good = {"input": "a.yaml", "status": "ok"}
    (tmp_path / "m.jsonl").write_text(json.dumps(good) + '\n{"input": "b.yaml", "sta', encoding="utf-8")
    assert read_manifest(tmp_path / "m.jsonl") == [good]


# ------------------------------------------------------------------------------------------------
# determinism, resume


def test_identical_bytes_across_job_counts_and_worker_recycling(cwd: Path) -> None:
    for number in range(4):
        write_article(cwd / "in" / f"doc{number}.yaml", number, paragraphs=3)
    shutil.copy(EXAMPLES / "rich.yaml", cwd / "in" / "rich.yaml")
    shutil.copy(EXAMPLES / "chart.png", cwd / "in" / "chart.png")
    one = run_batch(["in"], BatchConfig(outdir=cwd / "j1", formats=("pdf", "docx"), jobs=1))
    two = run_batch(["in"], BatchConfig(outdir=cwd / "j2", formats=("pdf", "docx"), jobs=2, max_docs=1))
    assert one.ok == two.ok == 5 and one.failed == two.failed == 0
    assert len(two.worker_peak_rss_mb) == 5  # every worker was replaced after one document
    names = sorted(p.name for p in (cwd / "j1").iterdir() if p.suffix in (".pdf", ".docx"))
    assert len(names) == 10
    assert names == sorted(p.name for p in (cwd / "j2").iterdir() if p.suffix in (".pdf", ".docx"))
    for name in names:
        assert (cwd / "j1" / name).read_bytes() == (cwd / "j2" / name).read_bytes(), name
    strip = [{k: v for k, v in r.items() if k != "duration"} for r in one.records]
    assert strip == [{k: v for k, v in r.items() if k != "duration"} for r in two.records]


def test_resume_skips_unchanged_and_force_redoes(cwd: Path) -> None:
    for number in range(3):
        write_article(cwd / "in" / f"doc{number}.yaml", number)
    config = BatchConfig(outdir=cwd / "out", formats=("docx",), jobs=2)
    first = run_batch(["in"], config)
    assert (first.ok, first.skipped) == (3, 0)
    times = {p.name: p.stat().st_mtime_ns for p in (cwd / "out").glob("*.docx")}

    again = run_batch(["in"], config)
    assert (again.ok, again.skipped) == (0, 3)
    assert {p.name: p.stat().st_mtime_ns for p in (cwd / "out").glob("*.docx")} == times
    assert [r["status"] for r in read_manifest(cwd / "out" / "manifest.jsonl")] == ["skipped"] * 3

    write_article(cwd / "in" / "doc0.yaml", 99)             # changed input
    (cwd / "out" / "doc1.docx").write_bytes(b"tampered")    # output no longer has its recorded hash
    changed = run_batch(["in"], config)
    assert (changed.ok, changed.skipped) == (2, 1)
    assert by_input(changed.records)["in/doc2.yaml"]["status"] == "skipped"

    other_options = run_batch(["in"], BatchConfig(outdir=cwd / "out", formats=("docx",), jobs=2,
                                                  options=RenderOptions(docx_fonts="bundled")))
    assert (other_options.ok, other_options.skipped) == (3, 0)

    forced = run_batch(["in"], BatchConfig(outdir=cwd / "out", formats=("docx",), jobs=2, force=True,
                                           options=RenderOptions(docx_fonts="bundled")))
    assert (forced.ok, forced.skipped) == (3, 0)


# ------------------------------------------------------------------------------------------------
# shards and merge


def test_shards_cover_every_input_exactly_once(cwd: Path) -> None:
    for number in range(40):
        write_article(cwd / "in" / f"sub{number % 3}" / f"doc{number}.yaml", number)
    everything = collect_inputs(["in"])
    first = {i.identity for i in everything if in_shard(i, (1, 2))}
    second = {i.identity for i in everything if in_shard(i, (2, 2))}
    assert first and second and not first & second
    assert first | second == {i.identity for i in everything}
    thirds = [{i.identity for i in everything if in_shard(i, (k, 3))} for k in (1, 2, 3)]
    assert sum(map(len, thirds)) == 40 and set().union(*thirds) == first | second


def test_shard_runs_and_manifest_merge(cwd: Path) -> None:
    for number in range(6):
        write_article(cwd / "in" / f"doc{number}.yaml", number)
    runner = CliRunner()
    for shard in ("1/2", "2/2"):
        result = runner.invoke(cli, ["batch", "in", "-o", "out", "-f", "docx", "-j", "1", "--shard", shard, "-q"])
        assert result.exit_code == EXIT_OK, result.output
    one = read_manifest(cwd / "out" / "manifest-1-of-2.jsonl")
    two = read_manifest(cwd / "out" / "manifest-2-of-2.jsonl")
    assert one and two and len(one) + len(two) == 6
    assert not {r["input"] for r in one} & {r["input"] for r in two}

    merged = runner.invoke(cli, ["manifest", "merge", "out/manifest-1-of-2.jsonl", "out/manifest-2-of-2.jsonl",
                                 "-o", "out/manifest.jsonl"])
    assert merged.exit_code == 0, merged.output
    records = read_manifest(cwd / "out" / "manifest.jsonl")
    assert [r["input"] for r in records] == [f"in/doc{n}.yaml" for n in range(6)]
    assert len(list((cwd / "out").glob("*.docx"))) == 6
    bad = runner.invoke(cli, ["batch", "in", "-o", "out", "--shard", "3/2"])
    assert bad.exit_code == 2


# ------------------------------------------------------------------------------------------------
# inputs and names


def test_jsonl_input_one_article_per_line_with_images_beside_the_file(cwd: Path) -> None:
    folder = cwd / "feeds"
    folder.mkdir()
    shutil.copy(EXAMPLES / "chart.png", folder / "chart.png")
    with_image = {**article(2), "body": ["图片：", {"type": "image", "src": "chart.png", "caption": "图表"}]}
    lines = [json.dumps(article(1), ensure_ascii=False), "", json.dumps(with_image, ensure_ascii=False),
             '{"title": "broken', json.dumps({"body": ["no title"]})]
    (folder / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    summary = run_batch(["feeds/feed.jsonl"], BatchConfig(outdir=cwd / "out", jobs=2))

    records = by_input(summary.records)
    assert sorted(records) == ["feeds/feed.jsonl:1", "feeds/feed.jsonl:3", "feeds/feed.jsonl:4",
                               "feeds/feed.jsonl:5"]
    assert records["feeds/feed.jsonl:1"]["outputs"][0]["path"] == "feed-L1.pdf"
    assert records["feeds/feed.jsonl:3"]["status"] == "ok"
    assert records["feeds/feed.jsonl:3"]["line"] == 3
    assert records["feeds/feed.jsonl:3"]["input_sha256"] == hashlib.sha256(lines[2].encode()).hexdigest()
    with pikepdf.open(cwd / "out" / "feed-L3.pdf") as pdf:
        assert len(pdf.pages[0].get_images()) >= 1  # the chart, found beside the JSONL file, was drawn
    assert records["feeds/feed.jsonl:4"]["status"] == "failed"
    assert records["feeds/feed.jsonl:5"]["error"]["class"] == "ArticleError"
    assert "title" in records["feeds/feed.jsonl:5"]["error"]["message"]
    assert_valid_pdf(cwd / "out" / "feed-L1.pdf")


def test_output_names_are_collision_free_stable_and_windows_safe(cwd: Path) -> None:
    names = ["a/report.yaml", "b/report.yaml", "c/REPORT.yaml", "CON.yaml", "lpt1.yaml", "what?<is>|this.yaml",
             'quote"colon:.json', "trailing dot..yaml", "manifest.yaml", "deep/er/report.yml"]
    for number, name in enumerate(names):
        write_article(cwd / "in" / name, number)
    inputs = collect_inputs(["in"])
    again = collect_inputs([str(cwd / "in" / "*"), "in"])  # globs and folders, duplicates dropped
    assert [i.stem for i in inputs] == [i.stem for i in collect_inputs(["in"])]  # stable
    assert sorted(i.stem for i in again) == sorted(i.stem for i in inputs)
    stems = [i.stem for i in inputs]
    assert len(stems) == len(names)
    assert len({s.casefold() for s in stems}) == len(stems)  # distinct even on case-insensitive systems
    for stem in stems:
        assert not set(stem) & WINDOWS_FORBIDDEN, stem
        assert stem == stem.strip() and not stem.endswith((".", " ")), stem
        assert stem.split(".")[0].upper() not in WINDOWS_RESERVED, stem
        assert stem.casefold() != "manifest"
    reports = [i.stem for i in inputs if i.path.stem.lower() == "report"]
    assert len(reports) == 4 and all(s.lower().startswith("report-") for s in reports)

    summary = run_batch(["in"], BatchConfig(outdir=cwd / "out", formats=("docx",), jobs=2))
    assert summary.ok == len(names)
    assert len(list((cwd / "out").glob("*.docx"))) == len(names)


# ------------------------------------------------------------------------------------------------
# archival PDF


def test_pdf_a3b_embeds_the_source_and_records_the_verdict(cwd: Path) -> None:
    source = write_article(cwd / "in" / "archive.yaml", 5)
    summary = run_batch(["in/archive.yaml"], BatchConfig(outdir=cwd / "out", jobs=1,
                                                         options=RenderOptions(pdf_variant="pdf/a-3b")))
    [record] = summary.records
    [output] = record["outputs"]
    verdict = output["archival"]
    assert verdict["passed"] is True and verdict["failed"] == []
    assert verdict["declared"] == "pdfaid:part=3 conformance=B"
    with pikepdf.open(cwd / "out" / "archive.pdf") as pdf:
        xmp = pdf.Root.Metadata.read_bytes()
        assert b"pdfaid" in xmp
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"
        assert pdf.Root.OutputIntents[0].DestOutputProfile.read_bytes()[36:40] == b"acsp"  # an ICC profile
        specs = list(pdf.Root.AF)  # WeasyPrint 70 lists the one file spec twice
        assert specs
        for spec in specs:
            assert spec.AFRelationship == "/Source"
            assert spec.EF.F.read_bytes() == source.read_bytes()
            assert str(spec.F) == "archive.yaml"
        assert list(pdf.attachments) == ["archive.yaml"]


@pytest.mark.parametrize("variant, declared", [("pdf/a-2b", "pdfaid:part=2 conformance=B"),
                                               ("pdf/ua-1", "pdfuaid:part=1")])
def test_other_variants_declare_themselves(cwd: Path, variant: str, declared: str) -> None:
    write_article(cwd / "doc.yaml", 1)
    summary = run_batch(["doc.yaml"], BatchConfig(outdir=cwd / "out", jobs=1, options=RenderOptions(pdf_variant=variant)))
    verdict = summary.records[0]["outputs"][0]["archival"]
    assert verdict["passed"] is True and verdict["declared"] == declared and verdict["fonts_embedded"]
    assert verdict["tagged"] is (variant == "pdf/ua-1")
