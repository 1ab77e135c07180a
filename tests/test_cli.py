"""The `publisher` command: exit codes, messages on stderr, outputs left alone on error, and one real
end-to-end run of the installed console script (file to file, and standard input to standard output)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.cli import cli
from helpers import EXAMPLES, ROOT, normalise, read_pages

PREVIOUS = b"%PDF-1.7 previous output that must survive\n"
LEVEL_7 = "title: 标题\nbody:\n  - 一\n  - 二\n  - 三\n  - {type: heading, level: 7, text: 七级}\n"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    path = tmp_path / "bad-level.yaml"
    path.write_text(LEVEL_7, encoding="utf-8")
    return path


def _templates_on_disk() -> list[str]:
    return sorted(p.parent.name for p in (ROOT / "templates").glob("*/template.yaml") if not p.parent.name.startswith("_"))


# ------------------------------------------------------------------------------------------------
# validate


def test_validate_ok_exits_0(runner: CliRunner) -> None:
    example = str(EXAMPLES / "article.yaml")
    result = runner.invoke(cli, ["validate", example])
    assert result.exit_code == 0, result.output
    assert example in result.stdout and "ok" in result.stdout
    assert result.stderr == ""


def test_validate_every_example(runner: CliRunner) -> None:
    examples = sorted(str(p) for p in EXAMPLES.iterdir() if p.suffix in (".yaml", ".yml", ".json", ".md"))
    result = runner.invoke(cli, ["validate", *examples])
    assert result.exit_code == 0, result.output


def test_validate_bad_file_exits_3_with_file_and_field_path(runner: CliRunner, bad_file: Path) -> None:
    result = runner.invoke(cli, ["validate", str(bad_file)])
    assert result.exit_code == 3
    assert "bad-level.yaml" in result.stderr
    assert "body[3].level" in result.stderr
    assert "7" in result.stderr
    assert "Traceback" not in result.output


def test_validate_reports_every_file(runner: CliRunner, bad_file: Path, tmp_path: Path) -> None:
    other = tmp_path / "no-title.json"
    other.write_text('{"body": "x", "colour": "red"}', encoding="utf-8")
    good = str(EXAMPLES / "article.yaml")
    result = runner.invoke(cli, ["validate", str(bad_file), good, str(other)])
    assert result.exit_code == 3
    assert "body[3].level" in result.stderr
    assert "no-title.json" in result.stderr and "title" in result.stderr and "colour" in result.stderr
    assert good in result.stdout


def test_validate_missing_file_exits_3(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["validate", str(tmp_path / "nowhere.yaml")])
    assert result.exit_code == 3
    assert "nowhere.yaml" in result.stderr


def test_validate_rejects_markdown_image_leaving_the_folder_as_render_does(runner: CliRunner, tmp_path: Path) -> None:
    """validate and render agree: input that render refuses with exit code 3 does not validate."""
    folder = tmp_path / "a"
    folder.mkdir()
    source = folder / "image.md"
    source.write_text("---\ntitle: 图片\n---\n正文。\n\n![x](../../etc/passwd)\n", encoding="utf-8")
    rendered = runner.invoke(cli, ["render", str(source), "-o", str(tmp_path / "image.pdf")])
    assert rendered.exit_code == 3 and "body" in rendered.stderr
    validated = runner.invoke(cli, ["validate", str(source)])
    assert validated.exit_code == 3, f"validate said: {validated.stdout.strip()!r}"
    assert "image.md" in validated.stderr and "body" in validated.stderr


def test_validate_without_files_is_a_usage_error(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["validate"]).exit_code == 2


# ------------------------------------------------------------------------------------------------
# render: errors


def test_render_bad_input_exits_3_and_writes_nothing(runner: CliRunner, bad_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "bad.pdf"
    target.parent.mkdir()
    result = runner.invoke(cli, ["render", str(bad_file), "-o", str(target)])
    assert result.exit_code == 3
    assert "bad-level.yaml" in result.stderr and "body[3].level" in result.stderr
    assert list(target.parent.iterdir()) == []


def test_render_bad_input_leaves_an_existing_output_untouched(runner: CliRunner, bad_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "existing.pdf"
    target.write_bytes(PREVIOUS)
    before = target.stat().st_mtime_ns
    result = runner.invoke(cli, ["render", str(bad_file), "-o", str(target)])
    assert result.exit_code == 3
    assert target.read_bytes() == PREVIOUS
    assert target.stat().st_mtime_ns == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad-level.yaml", "existing.pdf"]


def test_render_unknown_template_exits_non_zero_listing_the_known_ones(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "existing.pdf"
    target.write_bytes(PREVIOUS)
    result = runner.invoke(cli, ["render", str(EXAMPLES / "article.yaml"), "-t", "nonexistent", "-o", str(target)])
    assert result.exit_code == 3  # README: unknown template is invalid input
    assert "nonexistent" in result.stderr
    known = _templates_on_disk()
    assert known
    for name in known:
        assert name in result.stderr
    assert target.read_bytes() == PREVIOUS


def test_render_to_an_unknown_extension_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "x.odt"
    result = runner.invoke(cli, ["render", str(EXAMPLES / "article.yaml"), "-o", str(target)])
    assert result.exit_code == 2
    assert "x.odt" in result.stderr
    assert not target.exists()


def test_render_unknown_format_option_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["render", str(EXAMPLES / "article.yaml"), "-f", "odt", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2
    assert not (tmp_path / "x.pdf").exists()


def test_render_without_output_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["render", str(EXAMPLES / "article.yaml")])
    assert result.exit_code == 2
    assert "--output" in result.stderr or "-o" in result.stderr


def test_render_missing_input_exits_3(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["render", str(tmp_path / "nowhere.yaml"), "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 3
    assert "nowhere.yaml" in result.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_render_bad_standard_input_exits_3(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["render", "-", "-o", str(tmp_path / "x.pdf")], input="title: ''\n".encode())
    assert result.exit_code == 3
    assert "title" in result.stderr
    assert not (tmp_path / "x.pdf").exists()


# ------------------------------------------------------------------------------------------------
# Other commands


def test_version(runner: CliRunner) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert version in result.stdout and "publisher" in result.stdout


def test_templates_lists_every_template_with_a_description(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["templates"])
    assert result.exit_code == 0
    names = [line.split("\t", 1)[0] for line in result.stdout.splitlines() if line.strip()]
    assert names == _templates_on_disk()
    assert all(len(line.split("\t", 1)) == 2 and line.split("\t", 1)[1].strip() for line in result.stdout.splitlines())


def test_help_lists_the_commands_and_exit_codes(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("render", "validate", "schema", "templates"):
        assert command in result.stdout
    assert "exit code" in result.stdout.lower()


def test_unknown_command_is_a_usage_error(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["publish"]).exit_code == 2


# ------------------------------------------------------------------------------------------------
# One real run of the console script


@pytest.fixture(scope="module")
def executable() -> Path:
    path = Path(sys.executable).parent / "publisher"
    assert path.is_file(), f"console script not installed beside {sys.executable}"
    return path


def test_console_script_renders_a_file(executable: Path, tmp_path: Path, example_pdf: bytes) -> None:
    target = tmp_path / "tmp" / "out.pdf"
    target.parent.mkdir()
    done = subprocess.run(
        [str(executable), "render", "examples/article.yaml", "-o", str(target)],
        cwd=ROOT, capture_output=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert target.read_bytes().startswith(b"%PDF-")
    assert target.read_bytes() == example_pdf, "the command line and the library give the same bytes"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.pdf"]


def test_console_script_renders_standard_input_to_standard_output(
    executable: Path, tmp_path: Path, example_data: dict, example_pdf: bytes
) -> None:
    source = (EXAMPLES / "article.yaml").read_bytes()
    done = subprocess.run(
        [str(executable), "render", "-", "-o", "-"], input=source, cwd=tmp_path, capture_output=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.startswith(b"%PDF-") and done.stdout.rstrip().endswith(b"%%EOF")
    text = normalise("".join(page.text for page in read_pages(done.stdout)))
    assert normalise(example_data["title"]) in text
    assert normalise(example_data["body"][-1]) in text
    assert list(tmp_path.iterdir()) == [], "nothing is written in the working folder"
    assert done.stdout == example_pdf, "the same input gives the same bytes from a file or from standard input"
