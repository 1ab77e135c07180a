"""The architecture stays as designed: imports point down, heavy engines load only when needed."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "publisher"

# module prefix → modules of publisher it must not import
FORBIDDEN = {
    "publisher.article": ("publisher.document", "publisher.render", "publisher.api", "publisher.cli",
                          "publisher.fonts", "publisher.templates", "publisher.check"),
    "publisher.document": ("publisher.render", "publisher.api", "publisher.cli", "publisher.check"),
    "publisher.fonts": ("publisher.render", "publisher.api", "publisher.cli", "publisher.document"),
    "publisher.templates": ("publisher.render", "publisher.api", "publisher.cli", "publisher.document"),
    "publisher.render": ("publisher.api", "publisher.cli", "publisher.check"),
    "publisher.check": ("publisher.render", "publisher.api", "publisher.document", "publisher.templates"),
    "publisher.api": ("publisher.cli", "publisher.check", "publisher.batch"),
    "publisher.batch": ("publisher.render", "publisher.cli", "publisher.check"),
}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path: Path) -> None:
    module = "publisher." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    for prefix, forbidden in FORBIDDEN.items():
        if module.startswith(prefix):
            bad = [name for name in _imports(path) if name.startswith(forbidden)]
            assert not bad, f"{module} imports {bad}"


def test_validate_and_schema_do_not_load_weasyprint() -> None:
    script = ("import sys, publisher.cli, publisher.article; publisher.article.load_article({'title': 'x'}); "
              "print('weasyprint' in sys.modules, 'pdfplumber' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


def test_missing_harfbuzz_subsetter_is_reported_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    from publisher.options import RenderOptions
    from publisher.fonts import FontRegistry
    from publisher.render import pdf
    from publisher.templates import TemplateLibrary

    monkeypatch.setattr(pdf.weasy_ffi, "harfbuzz_subset", None)
    assert not pdf.harfbuzz_subset_available()
    renderer = pdf.PdfRenderer(FontRegistry(), TemplateLibrary(), RenderOptions())
    assert renderer.warnings == [pdf.HARFBUZZ_SUBSET_MISSING]
    assert "libharfbuzz-subset0" in renderer.warnings[0] and "ten times slower" in renderer.warnings[0]


def test_harfbuzz_subsetter_is_installed_here() -> None:
    from publisher.render import pdf

    assert pdf.harfbuzz_subset_available()
