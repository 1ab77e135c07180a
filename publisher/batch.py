"""Batch export: many inputs to OUTDIR with a pool of worker processes, a manifest, resume and shards.

The parent process collects the inputs, decides output names, skips what an earlier run already did,
hands one input at a time to a worker process and writes the manifest (JSON Lines, one record per
input, replaced atomically). Each worker builds one Publisher (fonts and templates load once), renders
the formats asked for and writes each output with `atomic_write`. A worker exits after `max_docs`
documents or when its resident memory passes `max_rss_mb`, and a new one takes its place. A document
that takes longer than `timeout` seconds, or whose worker dies, fails alone: that worker is killed and
replaced, and the batch goes on.

Planning (plan_batch), the manifest records and the rendering of one input (render_item) are shared with
the other engine, publisher.distributed, which run_batch takes as its `dispatch`.
"""

from __future__ import annotations

import glob
import hashlib
import json
import multiprocessing
import os
import re
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, TextIO

from publisher.errors import EXIT_USAGE, RenderError
from publisher.options import RenderOptions
from publisher.output import atomic_write
from publisher.processes import die_with_parent, rss_mb

ARTICLE_SUFFIXES = (".yaml", ".yml", ".json", ".md")
JSONL_SUFFIX = ".jsonl"
MANIFEST_NAME = "manifest.jsonl"
MANIFEST_VERSION = 1
MAX_NAME_CHARS = 120
_GLOB_CHARACTERS = re.compile(r"[*?\[]")
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


class BatchUsageError(RenderError):
    """The batch was asked for something it cannot do (no inputs, bad shard); maps to the usage exit code."""

    exit_code = EXIT_USAGE


# ------------------------------------------------------------------------------------------------
# inputs and names


@dataclass(frozen=True)
class BatchInput:
    """One article to render: where it came from, its bytes, and the stem of its output names."""

    identity: str          # how the manifest names it: the path as given (POSIX), plus ":LINE" for JSONL
    path: Path             # the file it was read from
    line: int | None       # 1-based line of a JSON Lines file, else None
    data: bytes            # the article's source bytes (the whole file, or the one line)
    stem: str = ""         # output file name without extension; set by assign_names

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def base_dir(self) -> Path:
        """Image paths resolve against the folder of the input file (the JSONL file for its lines)."""
        return self.path.resolve().parent

    def message(self) -> dict[str, Any]:
        """What a worker needs to render this input (see render_item): plain values only."""
        return {"identity": self.identity, "path": str(self.path), "line": self.line, "data": self.data,
                "stem": self.stem, "base_dir": str(self.base_dir)}


def _posix(path: Path) -> str:
    try:
        relative = os.path.relpath(path.resolve(), Path.cwd().resolve())
    except ValueError:  # another drive on Windows
        relative = str(path.resolve())
    if relative.startswith(".."):
        relative = str(path.resolve())
    return Path(relative).as_posix()


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""  # the worker reports the unreadable file as an invalid input, with the rest going on


def _expand_file(path: Path) -> list[BatchInput]:
    if path.suffix.lower() != JSONL_SUFFIX:
        return [BatchInput(_posix(path), path, None, _read(path))]
    inputs = []
    for number, line in enumerate(_read(path).splitlines(), start=1):
        if line.strip():
            inputs.append(BatchInput(f"{_posix(path)}:{number}", path, number, line))
    return inputs


def _expand_folder(folder: Path) -> list[Path]:
    return sorted((p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
                   and not any(part.startswith(".") for part in p.relative_to(folder).parts)),
                  key=lambda p: p.as_posix())


def collect_inputs(arguments: Iterable[str]) -> list[BatchInput]:
    """Files, folders (recursively: .yaml .yml .json .md), glob patterns and JSON Lines files, in a stable order."""
    files: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            files += _expand_folder(path)
        elif path.is_file():
            files.append(path)
        elif _GLOB_CHARACTERS.search(argument):
            matches = sorted(glob.glob(argument, recursive=True))
            if not matches:
                raise BatchUsageError(f"no input matches {argument!r}")
            for match in map(Path, matches):
                if match.is_dir():
                    files += _expand_folder(match)
                elif match.suffix.lower() in (*ARTICLE_SUFFIXES, JSONL_SUFFIX):
                    files.append(match)
        else:
            raise BatchUsageError(f"no such input file or folder: {argument!r}")
    seen: set[Path] = set()
    inputs: list[BatchInput] = []
    for file in files:
        resolved = file.resolve()
        if resolved not in seen:
            seen.add(resolved)
            inputs += _expand_file(file)
    if not inputs:
        raise BatchUsageError("no inputs found")
    return assign_names(inputs)


def safe_name(text: str) -> str:
    """A file name stem that every common file system accepts (Windows included)."""
    name = _UNSAFE.sub("_", text).strip().rstrip(". ")
    name = name[:MAX_NAME_CHARS].rstrip(". ") or "_"
    if name.split(".")[0].upper() in _RESERVED:
        name = f"_{name}"
    return name


def assign_names(inputs: Sequence[BatchInput]) -> list[BatchInput]:
    """Give each input an output stem: its file name's stem (plus -L<line> for JSON Lines), with a short
    hash of its identity appended when that stem occurs more than once (compared without case)."""
    bases = []
    for item in inputs:
        base = safe_name(item.path.stem if item.line is None else f"{item.path.stem}-L{item.line}")
        bases.append(base)
    counts: dict[str, int] = {}
    for base in bases:
        counts[base.casefold()] = counts.get(base.casefold(), 0) + 1
    named, used = [], set()
    for item, base in zip(inputs, bases):
        stem = base
        if counts[base.casefold()] > 1:
            stem = f"{base}-{hashlib.sha256(item.identity.encode()).hexdigest()[:8]}"
        suffix = 2
        while stem.casefold() in used or stem.casefold() == Path(MANIFEST_NAME).stem:
            stem = f"{base}-{hashlib.sha256(item.identity.encode()).hexdigest()[:8]}-{suffix}"
            suffix += 1
        used.add(stem.casefold())
        named.append(BatchInput(item.identity, item.path, item.line, item.data, stem))
    return named


def parse_shard(text: str) -> tuple[int, int]:
    """'K/N' → (K, N) with 1 <= K <= N."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise BatchUsageError(f"--shard must be K/N with 1 <= K <= N, not {text!r}")
    return int(match[1]), int(match[2])


def in_shard(item: BatchInput, shard: tuple[int, int]) -> bool:
    """Whether an input belongs to shard K of N: a hash of its identity, the same on every machine."""
    k, n = shard
    return int(hashlib.sha256(item.identity.encode("utf-8")).hexdigest()[:16], 16) % n == k - 1


# ------------------------------------------------------------------------------------------------
# manifest


def read_manifest(path: str | Path) -> list[dict[str, Any]]:
    """The records of a manifest; a line that is not a whole JSON object (cut short by a kill) is skipped."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    records = []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and isinstance(record.get("input"), str):
            records.append(record)
    return records


def manifest_bytes(records: Iterable[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records).encode("utf-8")


def merge_manifests(paths: Iterable[str | Path], output: str | Path) -> list[dict[str, Any]]:
    """Join manifests (of shards) into one, a record per input; for an input in several, a successful
    record wins over a failed one, and among equals the later file wins."""
    rank = {"ok": 2, "skipped": 2, "failed": 1}
    merged: dict[str, dict[str, Any]] = {}
    for path in paths:
        for record in read_manifest(path):
            key = record["input"]
            old = merged.get(key)
            if old is None or rank.get(record.get("status"), 0) >= rank.get(old.get("status"), 0):
                merged[key] = record
    records = [merged[key] for key in sorted(merged)]
    atomic_write(output, manifest_bytes(records))
    return records


# ------------------------------------------------------------------------------------------------
# configuration


@dataclass(frozen=True)
class BatchConfig:
    """What a batch renders and how; everything here but the pool settings changes the fingerprint."""

    outdir: Path
    formats: tuple[str, ...] = ("pdf",)
    template: str | None = None
    options: RenderOptions = field(default_factory=RenderOptions)
    jobs: int = 0                      # 0: the number of cores
    timeout: float = 300.0             # seconds per input (all its formats)
    max_docs: int = 200                # a worker is replaced after this many inputs
    max_rss_mb: float = 1024.0         # ... or once its resident memory passes this
    force: bool = False
    shard: tuple[int, int] | None = None
    manifest_name: str | None = None   # default: manifest.jsonl, or manifest-K-of-N.jsonl for a shard

    @property
    def manifest_path(self) -> Path:
        if self.manifest_name:
            return self.outdir / self.manifest_name
        if self.shard:
            return self.outdir / f"manifest-{self.shard[0]}-of-{self.shard[1]}.jsonl"
        return self.outdir / MANIFEST_NAME

    def fingerprint(self) -> str:
        """A hash of everything that changes the output bytes: formats, template, options, version."""
        from publisher import __version__

        options = {key: [str(v) for v in value] if isinstance(value, tuple) else value
                   for key, value in asdict(self.options).items()}
        described = {"version": __version__, "formats": list(self.formats), "template": self.template,
                     "options": options}
        return hashlib.sha256(json.dumps(described, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _file_sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def _up_to_date(record: dict[str, Any] | None, item: BatchInput, config: BatchConfig, fingerprint: str) -> bool:
    if not record or record.get("status") not in ("ok", "skipped"):
        return False
    if record.get("input_sha256") != item.sha256 or record.get("options") != fingerprint:
        return False
    outputs = record.get("outputs") or []
    if sorted(o.get("format") for o in outputs) != sorted(config.formats):
        return False
    return all(_file_sha256(config.outdir / o["path"]) == o.get("sha256") for o in outputs)


# ------------------------------------------------------------------------------------------------
# archival checks


_DECLARED = {"pdf/a-2b": ("pdfaid", "2", "B"), "pdf/a-3b": ("pdfaid", "3", "B"), "pdf/a-2u": ("pdfaid", "2", "U"),
             "pdf/ua-1": ("pdfuaid", "1", None)}
_XMP_NAMESPACES = {"pdfaid": "http://www.aiim.org/pdfa/ns/id/", "pdfuaid": "http://www.aiim.org/pdfua/ns/id/"}


def _xmp_value(xmp: bytes, prefix: str, name: str) -> str | None:
    """A pdfaid/pdfuaid property of XMP, written as an attribute or as an element."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(xmp)
    except ET.ParseError:
        return None
    qualified = f"{{{_XMP_NAMESPACES[prefix]}}}{name}"
    for element in root.iter():
        if qualified in element.attrib:
            return element.attrib[qualified].strip()
        if element.tag == qualified and element.text:
            return element.text.strip()
    return None


def archival_verdict(data: bytes, variant: str) -> dict[str, Any]:
    """What can be checked offline of a PDF/A or PDF/UA file: declared part and conformance in XMP, an
    output intent, every font embedded, no encryption, XMP present, a structure tree (PDF/UA), and for
    PDF/A-3b the source attached with relationship Source. Not a full validator (such as veraPDF)."""
    try:
        import pikepdf
    except ImportError:
        return {"variant": variant, "checked": False, "passed": None, "reason": "pikepdf is not installed"}
    import io

    checks: dict[str, Any] = {}
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        checks["not_encrypted"] = not pdf.is_encrypted
        metadata = root.get("/Metadata")
        xmp = metadata.read_bytes() if metadata is not None else b""
        checks["xmp_present"] = bool(xmp)
        prefix, part, conformance = _DECLARED[variant]
        declared_part = _xmp_value(xmp, prefix, "part")
        declared_conformance = _xmp_value(xmp, prefix, "conformance") if conformance else None
        checks["declared"] = f"{prefix}:part={declared_part}" + (
            f" conformance={declared_conformance}" if conformance else "")
        checks["declared_matches"] = declared_part == part and (conformance is None or
                                                                (declared_conformance or "").upper() == conformance)
        intents = root.get("/OutputIntents") or []
        checks["output_intent"] = any(intent.get("/DestOutputProfile") is not None for intent in intents)
        fonts, unembedded = 0, []
        for obj in pdf.objects:
            if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != pikepdf.Name.Font:
                continue
            if obj.get("/Subtype") in (pikepdf.Name.Type0, pikepdf.Name.Type3):
                continue  # a Type0 font's descendant is checked on its own; Type3 glyphs are content streams
            fonts += 1
            descriptor = obj.get("/FontDescriptor")
            if descriptor is None or not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                unembedded.append(str(obj.get("/BaseFont", "?")))
        checks["fonts"] = fonts
        checks["fonts_embedded"] = not unembedded
        checks["tagged"] = "/StructTreeRoot" in root
        if variant == "pdf/a-3b":
            relationships = [str(spec.get("/AFRelationship")) for spec in (root.get("/AF") or [])]
            checks["source_attached"] = "/Source" in relationships
    required = ["not_encrypted", "xmp_present", "declared_matches", "fonts_embedded"]
    if variant.startswith("pdf/a"):
        required.append("output_intent")
    if variant == "pdf/ua-1":
        required.append("tagged")
    if variant == "pdf/a-3b":
        required.append("source_attached")
    failed = [name for name in required if not checks[name]]
    return {"variant": variant, "checked": True, "passed": not failed, "failed": failed, **checks}


# ------------------------------------------------------------------------------------------------
# the worker process


def _decode_article(item: dict[str, Any]) -> Any:
    from publisher.article.loaders import parse_bytes
    from publisher.article.model import article_from_mapping

    origin = item["identity"]
    kind = "json" if item["line"] is not None else None
    name = item["path"] if item["line"] is None else origin
    mapping = parse_bytes(name, item["data"], kind)
    return article_from_mapping(mapping, origin, Path(item["base_dir"]))


def _source_name(item: dict[str, Any]) -> str:
    """The file name under which an input's bytes are embedded in a PDF/A-3b file."""
    path = Path(item["path"])
    return path.name if item["line"] is None else f"{path.stem}-L{item['line']}.json"


def new_engine(config: BatchConfig) -> Any:
    """The Publisher a worker keeps for its life: fonts, templates and (for PDF) WeasyPrint loaded once.
    Its warnings are not logged: they go into each document's manifest record."""
    import logging

    from publisher.api import Publisher

    logging.getLogger("publisher").setLevel(logging.CRITICAL)
    logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
    engine = Publisher(config.options)
    if "pdf" in config.formats:
        engine._pdf_renderer()  # load WeasyPrint and the font configuration before the first document
    return engine


def render_item(engine: Any, item: dict[str, Any], config: BatchConfig,
                reraise: tuple[type[BaseException], ...] = ()) -> dict[str, Any]:
    """Render one input (a BatchInput.message()) in every format into config.outdir, each file written
    atomically, and return the result part of its manifest record. Any failure is recorded as the
    document's, except those of the `reraise` classes (a caller that retries them), which propagate."""
    started = time.perf_counter()
    outputs, warnings = [], []
    variant = config.options.pdf_variant
    try:
        article = _decode_article(item)
        for fmt in config.formats:
            source = (_source_name(item), item["data"]) if fmt == "pdf" and variant == "pdf/a-3b" else None
            result = engine.render(article, fmt, config.template, source=source)
            name = f"{item['stem']}.{fmt}"
            atomic_write(config.outdir / name, result.data)
            output = {"format": fmt, "path": name, "sha256": hashlib.sha256(result.data).hexdigest(),
                      "bytes": len(result.data), "pages": result.pages}
            if fmt == "pdf" and variant:
                output["archival"] = archival_verdict(result.data, variant)
            outputs.append(output)
            warnings += [w for w in result.warnings if w not in warnings]
        status, error = "ok", None
    except reraise:
        raise
    except Exception as failure:  # one document's failure of any kind is recorded, never fatal
        status, error = "failed", {"class": type(failure).__name__, "message": str(failure)}
    return {"status": status, "outputs": outputs if status == "ok" else [], "error": error,
            "warnings": warnings, "duration": round(time.perf_counter() - started, 3)}


def _worker_main(conn: Connection, config: BatchConfig) -> None:
    """Build one Publisher, then render inputs sent over conn until told to stop or due for recycling."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        engine = new_engine(config)
        conn.send(("ready", os.getpid()))
    except Exception as failure:  # noqa: BLE001 - reported to the parent, which stops the batch
        conn.send(("fatal", f"{type(failure).__name__}: {failure}"))
        return
    done = 0
    peak = rss_mb()
    while True:
        try:
            item = conn.recv()
        except (EOFError, OSError):
            return
        if item is None:
            conn.send(("bye", {"pid": os.getpid(), "peak_rss_mb": round(max(peak, rss_mb()), 1)}))
            return
        result = render_item(engine, item, config)
        done += 1
        rss = rss_mb()
        peak = max(peak, rss)
        recycle = done >= config.max_docs or rss > config.max_rss_mb
        conn.send(("done", result, {"pid": os.getpid(), "rss_mb": round(rss, 1), "peak_rss_mb": round(peak, 1), "recycle": recycle}))
        if recycle:
            return


def _context() -> Any:
    # fork: the worker needs no re-import of __main__ (which would rerun the command line); elsewhere spawn.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


@dataclass
class _Worker:
    process: Any
    conn: Connection
    ready: bool = False
    item: BatchInput | None = None
    started: float = 0.0
    spawned: float = 0.0


# ------------------------------------------------------------------------------------------------
# the batch


@dataclass
class BatchSummary:
    """What a batch did: counts, the manifest's records, and the workers' memory figures."""

    total: int = 0
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    pages: int = 0
    records: list[dict[str, Any]] = field(default_factory=list)
    worker_peak_rss_mb: list[float] = field(default_factory=list)
    worker_rss_mb: list[tuple[int, float]] = field(default_factory=list)  # (worker pid, RSS after a document)
    manifest: Path | None = None

    @property
    def line(self) -> str:
        rate = (self.ok + self.failed) / self.seconds if self.seconds else 0.0
        return (f"batch: {self.total} inputs, {self.ok} ok, {self.failed} failed, {self.skipped} skipped "
                f"in {self.seconds:.1f} s ({rate:.2f} documents/s); manifest {self.manifest}")


class _Progress:
    def __init__(self, stream: TextIO | None, total: int):
        self.stream, self.total, self.done, self.start, self.width = stream, total, 0, time.perf_counter(), 0

    def update(self, current: str) -> None:
        self.done += 1
        if self.stream is None:
            return
        elapsed = time.perf_counter() - self.start
        rate = self.done / elapsed if elapsed else 0.0
        left = (self.total - self.done) / rate if rate else 0.0
        text = (f"[{self.done}/{self.total}] {rate:.2f}/s ETA {int(left) // 60}:{int(left) % 60:02d} "
                f"{current}")[:100]
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = len(text)

    def close(self) -> None:
        if self.stream is not None and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()


def remove_stale_temporaries(outdir: Path, names: Iterable[str]) -> int:
    """Delete temporary files atomic_write left for these output names when a process was killed."""
    wanted = set(names)
    removed = 0
    for temporary in outdir.glob(".*.part"):
        stem = temporary.name[1:].rsplit(".", 2)[0]
        if stem in wanted:
            temporary.unlink(missing_ok=True)
            removed += 1
    return removed


@dataclass
class BatchPlan:
    """What a batch will do, decided before anything is written: every input, and those still to render."""

    inputs: list[BatchInput]
    todo: list[BatchInput]
    done: dict[str, dict[str, Any]]  # identity -> the earlier run's record, now "skipped"
    fingerprint: str


def plan_batch(arguments: Sequence[str], config: BatchConfig) -> BatchPlan:
    """Collect the inputs (of the shard) and split them by the manifest into done and to-do; reads only."""
    inputs = collect_inputs(arguments)
    if config.shard:
        inputs = [item for item in inputs if in_shard(item, config.shard)]
    fingerprint = config.fingerprint()
    previous = {} if config.force else {r["input"]: r for r in read_manifest(config.manifest_path)}
    todo, done = [], {}
    for item in inputs:
        old = previous.get(item.identity)
        if _up_to_date(old, item, config, fingerprint):
            assert old is not None
            done[item.identity] = {**old, "status": "skipped", "duration": 0.0}
        else:
            todo.append(item)
    return BatchPlan(inputs, todo, done, fingerprint)


def describe_plan(plan: BatchPlan, config: BatchConfig, engine: str = "local") -> Iterator[str]:
    """What a batch would do, for --dry-run: nothing is rendered, written or sent."""
    verb = "submit" if engine == "celery" else "render"
    what = f"{len(plan.todo)} tasks, one per document" if engine == "celery" else f"{len(plan.todo)} documents"
    yield (f"dry run: engine {engine}; outdir {config.outdir.resolve()}, manifest {config.manifest_path.name}, "
           f"formats {', '.join(config.formats)}, template {config.template or '(each article its own)'}, "
           f"options {plan.fingerprint}")
    yield f"would {verb} {what}; {len(plan.done)} up to date (skipped)"
    for item in plan.todo:
        outputs = ", ".join(f"{item.stem}.{fmt}" for fmt in config.formats)
        yield f"{verb}\t{item.identity}\t-> {outputs}\t({len(item.data)} bytes)"
    for identity in plan.done:
        yield f"skip\t{identity}"


Finish = Callable[[BatchInput, dict[str, Any]], None]
#: Renders the to-do inputs somewhere, calling finish(item, result) once per input and write_manifest()
#: now and then: the local process pool (_run_pool) or another engine (publisher.distributed).
Dispatch = Callable[[deque[BatchInput], BatchConfig, Finish, Callable[[], None], "BatchSummary"], None]


def run_batch(arguments: Sequence[str], config: BatchConfig, progress: TextIO | None = None,
              on_record: Callable[[dict[str, Any]], None] | None = None,
              dispatch: Dispatch | None = None) -> BatchSummary:
    """Render every input named by arguments into config.outdir; see the module docstring. dispatch
    chooses the engine that renders (default: the local process pool)."""
    started = time.perf_counter()
    plan = plan_batch(arguments, config)
    inputs, fingerprint = plan.inputs, plan.fingerprint
    config.outdir.mkdir(parents=True, exist_ok=True)
    manifest = config.manifest_path
    output_names = [f"{item.stem}.{fmt}" for item in inputs for fmt in config.formats]
    remove_stale_temporaries(config.outdir, [*output_names, manifest.name])

    records: dict[str, dict[str, Any]] = dict(plan.done)
    todo: deque[BatchInput] = deque(plan.todo)
    summary = BatchSummary(total=len(inputs), skipped=len(plan.done), manifest=manifest)

    def write_manifest() -> None:
        atomic_write(manifest, manifest_bytes(records[i.identity] for i in inputs if i.identity in records))

    bar = _Progress(progress, len(todo))

    def finish(item: BatchInput, result: dict[str, Any]) -> None:
        record = {"input": item.identity, "line": item.line, "input_sha256": item.sha256, "options": fingerprint,
                  "manifest_version": MANIFEST_VERSION, **result}
        records[item.identity] = record
        if result["status"] == "ok":
            summary.ok += 1
            summary.pages += sum(o["pages"] or 0 for o in result["outputs"])
        else:
            summary.failed += 1
        bar.update(item.identity)
        if on_record is not None:
            on_record(record)

    try:
        if todo:
            (dispatch or _run_pool)(todo, config, finish, write_manifest, summary)
    finally:
        bar.close()
        write_manifest()
        remove_stale_temporaries(config.outdir, [*output_names, manifest.name])
    summary.records = [records[i.identity] for i in inputs if i.identity in records]
    summary.seconds = time.perf_counter() - started
    return summary


def _run_pool(todo: deque[BatchInput], config: BatchConfig, finish: Finish, write_manifest: Callable[[], None],
              summary: BatchSummary) -> None:
    context = _context()
    size = max(1, min(config.jobs or os.cpu_count() or 1, len(todo)))
    workers: list[_Worker] = []
    last_write = time.monotonic()
    startup_limit = max(60.0, config.timeout)

    def spawn() -> _Worker:
        parent_end, child_end = context.Pipe()
        process = context.Process(target=_worker_main, args=(child_end, config), daemon=True)
        process.start()
        child_end.close()
        worker = _Worker(process, parent_end, spawned=time.monotonic())
        workers.append(worker)
        return worker

    def retire(worker: _Worker, kill: bool) -> None:
        if kill and worker.process.is_alive():
            worker.process.kill()
        worker.conn.close()
        worker.process.join(timeout=5)
        workers.remove(worker)

    def fail(worker: _Worker, error_class: str, message: str) -> None:
        assert worker.item is not None
        duration = round(time.monotonic() - worker.started, 3)
        finish(worker.item, {"status": "failed", "outputs": [], "warnings": [], "duration": duration,
                             "error": {"class": error_class, "message": message}})
        worker.item = None

    try:
        for _ in range(size):
            spawn()
        while todo or any(w.item is not None for w in workers):
            # hand work to ready, idle workers; keep the pool full while work remains
            for worker in list(workers):
                if worker.ready and worker.item is None and todo:
                    item = todo.popleft()
                    worker.item, worker.started = item, time.monotonic()
                    worker.conn.send(item.message())
            busy = sum(1 for w in workers if w.item is not None)
            while todo and len(workers) < size and len(workers) - busy < len(todo):
                spawn()
            now = time.monotonic()
            deadlines = [w.started + config.timeout if w.item is not None else w.spawned + startup_limit
                         for w in workers if w.item is not None or not w.ready]
            wait_for = max(0.0, min(deadlines) - now) if deadlines else 1.0
            ready = wait([w.conn for w in workers] + [w.process.sentinel for w in workers], timeout=min(wait_for, 1.0))
            for worker in list(workers):
                if worker.conn in ready:
                    try:
                        message = worker.conn.recv()
                    except (EOFError, OSError):
                        message = None
                    if message is None:  # the worker died: fail its document only, replace the worker
                        worker.process.join(timeout=5)
                        if worker.item is not None:
                            fail(worker, "WorkerCrashed", f"the worker process died (exit code "
                                                          f"{worker.process.exitcode}) on this document")
                        elif not worker.ready:
                            raise RenderError(f"a batch worker died while starting (exit code "
                                              f"{worker.process.exitcode})")
                        retire(worker, kill=True)
                        continue
                    if message[0] == "fatal":
                        raise RenderError(f"a batch worker could not start: {message[1]}")
                    if message[0] == "ready":
                        worker.ready = True
                        continue
                    _, result, stats = message
                    item = worker.item
                    worker.item = None
                    assert item is not None
                    finish(item, result)
                    summary.worker_rss_mb.append((stats["pid"], stats["rss_mb"]))
                    if stats["recycle"]:
                        summary.worker_peak_rss_mb.append(stats["peak_rss_mb"])
                        retire(worker, kill=False)
                elif worker.process.sentinel in ready and not worker.conn.poll():
                    worker.process.join(timeout=5)
                    if worker.item is not None:
                        fail(worker, "WorkerCrashed",
                             f"the worker process died (exit code {worker.process.exitcode}) on this document")
                    retire(worker, kill=True)
            now = time.monotonic()
            for worker in list(workers):
                if worker.item is not None and now - worker.started > config.timeout:
                    fail(worker, "DocumentTimeout", f"rendering took longer than {config.timeout:g} s")
                    retire(worker, kill=True)
                elif not worker.ready and now - worker.spawned > startup_limit:
                    raise RenderError(f"a batch worker did not start within {startup_limit:g} s")
            if now - last_write > 2.0:
                write_manifest()
                last_write = now
        # stop the idle workers, asking each for its memory peak on the way out
        for worker in list(workers):
            try:
                worker.conn.send(None)
                if worker.ready and worker.conn.poll(5):
                    message = worker.conn.recv()
                    if message[0] == "bye":
                        summary.worker_peak_rss_mb.append(message[1]["peak_rss_mb"])
            except (OSError, EOFError):
                pass
    finally:
        for worker in list(workers):
            worker.process.join(timeout=2)
            retire(worker, kill=True)
