"""The `publisher` command: a thin Click layer over the library that maps errors to exit codes."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from publisher import __version__
from publisher.api import Publisher
from publisher.options import (DOCX_FONT_MODES, HEADING_NUMBERINGS, LINE_PITCHES, PAGE_NUMBER_STYLES, PDF_VARIANTS,
                               RenderOptions)
from publisher.check import KINDS
from publisher.article import load_article
from publisher.article.schema import ARTICLE_SCHEMA
from publisher.errors import (EXIT_BATCH_FAILURES, EXIT_INVALID_INPUT, EXIT_NONCONFORMING, EXIT_OK, ArticleError,
                              Problem, PublisherError)
from publisher.output import atomic_write
from publisher.render import FORMATS
from publisher.templates import TemplateLibrary

EPILOG = """\b
Exit codes: 0 success; 1 `check` found a clause not met; 2 usage error; 3 invalid input
data (every problem is listed with file and field path); 4 rendering failed; 5 `batch`:
some inputs failed (the rest were rendered; the manifest names them). Output files
are written atomically: on any error the target is left as it was.
"""


class _StderrHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"warning: {record.getMessage()}", err=True)


def _setup_logging(quiet: bool) -> None:
    logger = logging.getLogger("publisher")
    logger.handlers[:] = [_StderrHandler()]
    logger.setLevel(logging.ERROR if quiet else logging.WARNING)
    logger.propagate = False
    logging.getLogger("weasyprint").setLevel(logging.ERROR)


def _fail(error: PublisherError) -> None:
    click.echo(f"error: {error}", err=True)
    sys.exit(error.exit_code)


@click.group(epilog=EPILOG)
@click.version_option(__version__, prog_name="publisher")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only, no warnings.")
def cli(quiet: bool) -> None:
    """Turn article data (JSON, YAML, Markdown with front matter) into print-ready Chinese PDFs.

    \b
    Examples:
      publisher render examples/article.yaml -o out/article.pdf
      publisher render notice.md -t article -o -  > notice.pdf
      publisher validate examples/*.yaml
      publisher schema > article.schema.json
    """
    _setup_logging(quiet)


@cli.command(epilog=EPILOG)
@click.argument("input_path", metavar="INPUT")
@click.option("-o", "--output", required=True, help="Output file, or - for standard output.")
@click.option("-t", "--template", default=None, help="Template name (default: the article's, else 'article').")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format (default: from the output file's extension).")
@click.option("--templates-dir", type=click.Path(file_okay=False, path_type=Path), multiple=True,
              help="Extra folder of templates, searched before the bundled ones.")
@click.option("--prefer-installed-fonts", is_flag=True,
              help="Use installed office faces (仿宋_GB2312 …) before the bundled fonts; output then varies by machine.")
@click.option("--strict", is_flag=True, help="Treat warnings (characters without a glyph) as errors.")
@click.option("--line-pitch", type=click.Choice(LINE_PITCHES), default="grid", show_default=True,
              help="Official documents: 'grid' fills the text block with 22 lines; '28pt' is the fixed pitch some offices use.")
@click.option("--page-numbers", type=click.Choice(PAGE_NUMBER_STYLES), default="outer", show_default=True,
              help="Official documents: 'outer' puts — n — right on odd and left on even pages; 'centre' centres it.")
@click.option("--banji-even-page", is_flag=True,
              help="Official documents: put the 版记 on an even page for double-sided printing.")
@click.option("--docx-fonts", type=click.Choice(DOCX_FONT_MODES), default=None,
              help="DOCX: 'standard' names the faces offices have (仿宋_GB2312 …; default for official layouts); "
                   "'bundled' names the bundled faces (default for the article).")
@click.option("--numbering", type=click.Choice(HEADING_NUMBERINGS), default=None,
              help="Heading numbers: 'official' 一、（一）1.（1）, 'decimal' 1 / 1.1 / 1.1.1, or 'none' "
                   "(default: the article's report.numbering, else the template's).")
def render(input_path: str, output: str, template: str | None, fmt: str | None, templates_dir: tuple[Path, ...],
           prefer_installed_fonts: bool, strict: bool, line_pitch: str, page_numbers: str,
           banji_even_page: bool, docx_fonts: str | None, numbering: str | None) -> None:
    """Render INPUT (a file, or - for standard input) to OUTPUT.

    \b
    Examples:
      publisher render examples/article.yaml -o out/article.pdf
      cat article.json | publisher render - -f pdf -o - > article.pdf
    """
    try:
        if fmt is None:
            fmt = "pdf" if output == "-" else Path(output).suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise click.UsageError(f"cannot tell the format from {output!r}; give --format ({', '.join(FORMATS)})")
        options = RenderOptions(prefer_installed_fonts=prefer_installed_fonts, strict=strict,
                                template_dirs=templates_dir, line_pitch=line_pitch, page_numbers=page_numbers,
                                banji_even_page=banji_even_page, docx_fonts=docx_fonts, heading_numbering=numbering)
        publisher = Publisher(options)
        result = publisher.render(load_article(input_path), fmt, template)
        if output == "-":
            sys.stdout.buffer.write(result.data)
            sys.stdout.buffer.flush()
        else:
            atomic_write(output, result.data)
    except PublisherError as error:
        _fail(error)


@cli.command(epilog=EPILOG)
@click.argument("inputs", nargs=-1, required=True, metavar="FILE...")
def validate(inputs: tuple[str, ...]) -> None:
    """Check article files against the schema; report every problem with its field path.

    \b
    Example:
      publisher validate examples/*.yaml examples/*.md
    """
    status = EXIT_OK
    for name in inputs:
        try:
            load_article(name)
            click.echo(f"{name}: ok")
        except ArticleError as error:
            click.echo(str(error), err=True)
            status = EXIT_INVALID_INPUT
    sys.exit(status)


@cli.command("check", epilog="""\b
Exit codes: 0 every row passes; 1 some row fails; 3 the file is not a readable PDF.""")
@click.argument("pdf", type=click.Path(dir_okay=False))
@click.option("--kind", type=click.Choice(KINDS), default="official", show_default=True,
              help="Check as an official document (文件) or as a letter (信函).")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
def check_command(pdf: str, kind: str, as_json: bool) -> None:
    """Measure PDF (ours, or Word's, WPS's, LibreOffice's) against GB/T 9704-2012, one row per clause.

    \b
    Example:
      publisher check out/official-notice.pdf
    """
    from publisher.check import as_dicts, check

    try:
        rows = check(pdf, kind)
    except PublisherError as error:
        _fail(error)
    if as_json:
        click.echo(json.dumps({"file": pdf, "kind": kind, "passed": all(r.passed for r in rows),
                               "rows": as_dicts(rows)}, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            mark = "PASS" if row.passed else "FAIL"
            click.echo(f"{mark}  {row.clause:<6} {row.item}: {row.measured}  (wanted {row.wanted})")
        failed = sum(not row.passed for row in rows)
        click.echo(f"{len(rows) - failed} passed, {failed} failed")
    sys.exit(EXIT_OK if all(row.passed for row in rows) else EXIT_NONCONFORMING)


@cli.command(epilog=EPILOG)
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-o", "--outdir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the outputs and the manifest (manifest.jsonl).")
@click.option("-f", "--format", "formats", type=click.Choice(FORMATS), multiple=True,
              help="Output format; repeat for several (default: pdf).")
@click.option("-t", "--template", default=None, help="Template name (default: each article's, else 'article').")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, show_default=True,
              help="Worker processes (0: one per core).")
@click.option("--force", is_flag=True, help="Render every input again, even those the manifest shows as done.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=300.0, show_default=True,
              help="Seconds one input may take (all its formats); past it, that input fails alone.")
@click.option("--max-docs", type=click.IntRange(min=1), default=200, show_default=True,
              help="Replace a worker process after this many inputs.")
@click.option("--max-rss", "max_rss", type=click.FloatRange(min=50), default=1024.0, show_default=True,
              help="Replace a worker process once its resident memory passes this many MB.")
@click.option("--shard", default=None, metavar="K/N",
              help="Render only shard K of N (a stable split by input path), for several machines.")
@click.option("--templates-dir", type=click.Path(file_okay=False, path_type=Path), multiple=True,
              help="Extra folder of templates, searched before the bundled ones.")
@click.option("--strict", is_flag=True, help="Treat warnings (characters without a glyph) as errors.")
@click.option("--pdf-variant", type=click.Choice(PDF_VARIANTS), default=None,
              help="Archival PDF: PDF/A-2b, PDF/A-3b (with the article's source attached), PDF/A-2u or PDF/UA-1.")
@click.option("-q", "--quiet", is_flag=True, help="No progress display.")
@click.option("--engine", type=click.Choice(("local", "celery")), default="local", show_default=True,
              help="Render with local worker processes, or on Celery workers (see `publisher worker`).")
@click.option("--broker", envvar="PUBLISHER_BROKER_URL", show_envvar=True, default=None,
              help="--engine celery: the broker, redis://HOST:6379/0.")
@click.option("--result-backend", envvar="PUBLISHER_RESULT_BACKEND", show_envvar=True, default=None,
              help="--engine celery: where workers leave results (default: the broker).")
@click.option("--queue", envvar="PUBLISHER_QUEUE", show_envvar=True, default="publisher", show_default=True,
              help="--engine celery: the queue the workers consume.")
@click.option("--visibility-timeout", envvar="PUBLISHER_VISIBILITY_TIMEOUT", show_envvar=True,
              type=click.FloatRange(min=1), default=3600.0, show_default=True,
              help="--engine celery: seconds before a task whose worker vanished is delivered again.")
@click.option("--dry-run", is_flag=True, help="List what would be rendered (or submitted) and skipped; do nothing.")
def batch(inputs: tuple[str, ...], outdir: Path, formats: tuple[str, ...], template: str | None, jobs: int,
          force: bool, timeout: float, max_docs: int, max_rss: float, shard: str | None,
          templates_dir: tuple[Path, ...], strict: bool, pdf_variant: str | None, quiet: bool, engine: str,
          broker: str | None, result_backend: str | None, queue: str, visibility_timeout: float,
          dry_run: bool) -> None:
    """Render many INPUTs (files, folders, globs, JSON Lines files) into OUTDIR in parallel.

    Writes OUTDIR/manifest.jsonl (one record per input: hashes, outputs, pages, status, error,
    warnings). A rerun skips inputs that are unchanged and whose outputs are intact. With
    --engine celery, OUTDIR must be a folder every worker sees at the same path.

    \b
    Examples:
      publisher batch articles/ -o out/ -f pdf -f docx -j 4
      publisher batch 'archive/**/*.yaml' feed.jsonl -o out/ --shard 1/2
      publisher batch archive/ -o /srv/shared/out --engine celery --broker redis://queue-host:6379/0
    """
    from publisher.batch import BatchConfig, describe_plan, parse_shard, plan_batch, run_batch

    context = click.get_current_context()
    given = {name for name in ("jobs", "max_docs", "max_rss", "timeout")
             if context.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE}
    local_only = sorted(given - {"timeout"})
    if engine == "celery" and local_only:
        raise click.UsageError(f"{', '.join('--' + name.replace('_', '-') for name in local_only)}: set worker "
                               f"processes on the workers with `publisher worker` options, not with --engine celery")
    try:
        options = RenderOptions(strict=strict, template_dirs=templates_dir, pdf_variant=pdf_variant)
        config = BatchConfig(outdir=outdir, formats=tuple(dict.fromkeys(formats or ("pdf",))), template=template,
                             options=options, jobs=jobs, timeout=timeout, max_docs=max_docs, max_rss_mb=max_rss,
                             force=force, shard=parse_shard(shard) if shard else None)
        dispatch = settings = None
        if engine == "celery":
            from publisher.distributed.settings import CelerySettings, require_celery

            require_celery()
            settings = CelerySettings(broker=broker or "", result_backend=result_backend, queue=queue,
                                      visibility_timeout=visibility_timeout)
        if dry_run:
            if settings is not None:
                click.echo(f"celery: {settings.describe()}")
            for line in describe_plan(plan_batch(inputs, config), config, engine):
                click.echo(line)
            return
        if settings is not None:
            from publisher.distributed.submit import CeleryDispatch

            dispatch = CeleryDispatch(settings, time_limit=timeout if "timeout" in given else None)
        show = not quiet and not context.find_root().params.get("quiet") and sys.stderr.isatty()
        summary = run_batch(inputs, config, progress=sys.stderr if show else None, dispatch=dispatch)
    except PublisherError as error:
        _fail(error)
    except KeyboardInterrupt:
        click.echo("interrupted: the outputs written so far are whole and in the manifest; run again to "
                   "finish", err=True)
        sys.exit(130)
    for record in summary.records:
        if record["status"] == "failed":
            click.echo(f"failed: {record['input']}: {record['error']['class']}: {record['error']['message']}", err=True)
    click.echo(summary.line, err=True)
    sys.exit(EXIT_BATCH_FAILURES if summary.failed else EXIT_OK)


@cli.command(epilog="Options may also be given as the environment variables shown.")
@click.option("--broker", envvar="PUBLISHER_BROKER_URL", show_envvar=True, required=True,
              help="The broker, redis://HOST:6379/0.")
@click.option("--result-backend", envvar="PUBLISHER_RESULT_BACKEND", show_envvar=True, default=None,
              help="Where results go (default: the broker).")
@click.option("--queue", envvar="PUBLISHER_QUEUE", show_envvar=True, default="publisher", show_default=True,
              help="The queue to consume.")
@click.option("-c", "--concurrency", envvar="PUBLISHER_CONCURRENCY", show_envvar=True, type=click.IntRange(min=0),
              default=0, show_default=True, help="Worker processes (0: one per core).")
@click.option("--max-tasks-per-child", envvar="PUBLISHER_MAX_TASKS_PER_CHILD", show_envvar=True,
              type=click.IntRange(min=1), default=200, show_default=True,
              help="Replace a worker process after this many documents.")
@click.option("--max-memory-per-child", envvar="PUBLISHER_MAX_MEMORY_PER_CHILD", show_envvar=True,
              type=click.FloatRange(min=50), default=1024.0, show_default=True,
              help="Replace a worker process once its resident memory passes this many MB.")
@click.option("--time-limit", envvar="PUBLISHER_TIME_LIMIT", show_envvar=True, type=click.FloatRange(min=1),
              default=300.0, show_default=True,
              help="Seconds one document may take; past it, it fails alone (its process is killed a grace later).")
@click.option("--visibility-timeout", envvar="PUBLISHER_VISIBILITY_TIMEOUT", show_envvar=True,
              type=click.FloatRange(min=1), default=3600.0, show_default=True,
              help="Seconds before a task whose worker vanished is delivered again; longer than any document.")
@click.option("-n", "--hostname", default=None, help="Node name (default celery@HOST; give one per worker on a host).")
@click.option("-l", "--loglevel", type=click.Choice(("DEBUG", "INFO", "WARNING", "ERROR"), case_sensitive=False),
              default="INFO", show_default=True, help="What the worker logs.")
def worker(broker: str, result_backend: str | None, queue: str, concurrency: int, max_tasks_per_child: int,
           max_memory_per_child: float, time_limit: float, visibility_timeout: float, hostname: str | None,
           loglevel: str) -> None:
    """Run a Celery worker that renders the documents `publisher batch --engine celery` submits.

    Each worker process loads fonts and templates once and writes outputs to the batch's output
    folder, which must be shared storage at the same path on every machine. Needs the `celery`
    extra: pip install 'publisher[celery]'.

    \b
    Example:
      publisher worker --broker redis://queue-host:6379/0 --concurrency 4
    """
    from publisher.distributed.settings import CelerySettings, require_celery

    try:
        require_celery()
        settings = CelerySettings(broker=broker, result_backend=result_backend, queue=queue,
                                  concurrency=concurrency, max_tasks_per_child=max_tasks_per_child,
                                  max_memory_per_child=max_memory_per_child, time_limit=time_limit,
                                  visibility_timeout=visibility_timeout)
    except PublisherError as error:
        _fail(error)
    from publisher.distributed.tasks import make_app

    argv = ["worker", f"--loglevel={loglevel.upper()}", f"--queues={queue}", "--without-gossip", "--without-mingle"]
    make_app(settings).worker_main([*argv, *([f"--hostname={hostname}"] if hostname else [])])


@cli.group()
def manifest() -> None:
    """Work with batch manifests."""


@manifest.command("merge")
@click.argument("manifests", nargs=-1, required=True, metavar="MANIFEST...")
@click.option("-o", "--output", required=True, help="The merged manifest to write.")
def manifest_merge(manifests: tuple[str, ...], output: str) -> None:
    """Join the manifests of several shards into one, one record per input.

    \b
    Example:
      publisher manifest merge out/manifest-1-of-2.jsonl out/manifest-2-of-2.jsonl -o out/manifest.jsonl
    """
    from publisher.batch import merge_manifests

    records = merge_manifests(manifests, output)
    failed = sum(1 for r in records if r.get("status") == "failed")
    click.echo(f"merged {len(records)} records ({failed} failed) into {output}", err=True)


@cli.command("import", epilog=EPILOG)
@click.argument("inputs", nargs=-1, required=True, metavar="FILE...")
@click.option("-o", "--output", default="-", show_default=True,
              help="Output YAML file, or - for standard output; with several FILEs, a folder (one .yaml each).")
@click.option("--keep-site", is_flag=True, help="Keep the site name and phone (dropped as chrome) as `publisher`.")
@click.option("-t", "--template", default=None, help="Set the article's `template` field.")
def import_command(inputs: tuple[str, ...], output: str, keep_site: bool, template: str | None) -> None:
    """Turn scraped article pages (plain text or HTML) into article YAML.

    Site chrome (banners, phone numbers, navigation, copyright and registration lines) is
    dropped and listed on standard error. Nothing is written unless every FILE imports.

    \b
    Examples:
      publisher import page.txt -o page.yaml
      publisher import page.txt | publisher render - -o page.pdf
      publisher import saved/*.html -o articles/
    """
    import yaml

    from publisher.importer import import_page

    articles = []
    failed = False
    for name in inputs:
        try:
            path = Path(name)
            if not path.is_file():
                raise ArticleError(name, [Problem("", "an existing file", "no such file")])
            mapping, dropped = import_page(path.read_bytes(), name, keep_site=keep_site)
            if template is not None:
                mapping["template"] = template
            load_article(mapping)
        except ArticleError as error:
            message = str(error).replace("<article>", name)
            click.echo(f"error: {message}", err=True)
            failed = True
            continue
        for line in dropped:
            click.echo(f"{name}: dropped: {line}", err=True)
        articles.append((path, mapping))
    if failed:
        sys.exit(EXIT_INVALID_INPUT)

    def dump(mapping: dict) -> str:
        return yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False, width=1000)

    if output == "-":
        texts = [dump(mapping) for _, mapping in articles]
        sys.stdout.write("---\n".join(texts) if len(texts) > 1 else texts[0])
        sys.stdout.flush()
        return
    target = Path(output)
    if len(articles) == 1 and not target.is_dir():
        atomic_write(target, dump(articles[0][1]).encode("utf-8"))
        return
    target.mkdir(parents=True, exist_ok=True)
    for path, mapping in articles:
        atomic_write(target / f"{path.stem}.yaml", dump(mapping).encode("utf-8"))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Render worker processes (each holds fonts and templates once).")
@click.option("--queue-size", type=click.IntRange(min=0), default=16, show_default=True,
              help="Requests that may wait for a busy pool; the next is refused with 503 and Retry-After.")
@click.option("--render-timeout", type=click.FloatRange(min=0.01), default=60.0, show_default=True,
              help="Seconds one render may take; past it the worker is killed and the request gets 504.")
@click.option("--max-body-mb", type=click.FloatRange(min=0.001), default=5.0, show_default=True,
              help="Largest request body in MB; larger ones get 413.")
@click.option("--assets-dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="The only folder article images and seals may come from (default: no images).")
@click.option("--preview-pages", type=click.IntRange(1, 100), default=12, show_default=True,
              help="Pages the preview rasterises at most.")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]), default="info",
              show_default=True, help="What the server logs (uvicorn's access log at info).")
def serve(host: str, port: int, workers: int, queue_size: int, render_timeout: float, max_body_mb: float,
          assets_dir: Path | None, preview_pages: int, log_level: str) -> None:
    """Serve the HTTP API and the page for clerks (needs the 'serve' extra).

    \b
    Examples:
      publisher serve                      # http://127.0.0.1:8000/
      publisher serve --host 0.0.0.0 --port 8080 --workers 4 --assets-dir seals/
    """
    try:
        from publisher.serve import ServeConfig
        from publisher.serve.app import run
    except ImportError as error:
        raise click.UsageError(f"publisher serve needs the 'serve' extra (pip install 'publisher[serve]'): {error}")
    run(ServeConfig(host=host, port=port, workers=workers, queue_size=queue_size, render_timeout=render_timeout,
                    max_body_bytes=int(max_body_mb * 1024 * 1024), assets_dir=assets_dir,
                    preview_pages=preview_pages, log_level=log_level))


@cli.command()
def schema() -> None:
    """Print the JSON Schema of an article."""
    click.echo(json.dumps(ARTICLE_SCHEMA, ensure_ascii=False, indent=2))


@cli.command()
def templates() -> None:
    """List the templates: name and one-line description."""
    for info in TemplateLibrary().all():
        click.echo(f"{info.name}\t{info.description}")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="publisher")
