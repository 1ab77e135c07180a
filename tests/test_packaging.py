"""The wheel carries the templates and fonts: install it apart from the checkout and render from elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
        check=True, capture_output=True,
    )
    return next(dist.glob("publisher-*.whl"))


@pytest.mark.slow
def test_wheel_holds_templates_fonts_and_licences(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "publisher/_data/templates/article/template.yaml" in names
    assert "publisher/_data/fonts/manifest.yaml" in names
    assert "publisher/py.typed" in names
    fonts = [name for name in names if name.endswith((".otf", ".ttf"))]
    assert fonts
    for font in fonts:
        folder = font.rsplit("/", 1)[0]
        assert any(n.startswith(folder + "/") and ("LICENSE" in n or "OFL" in n) for n in names), font


@pytest.mark.slow
def test_installed_wheel_renders_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True, capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a.yaml").write_text("title: 安装测试\nbody: 正文。\n", encoding="utf-8")
    script = (
        "import publisher, publisher.resources as r, sys; "
        "print(publisher.__file__); print(r.fonts_dir()); print(r.templates_dir()); "
        "sys.stdout.flush(); "
        "data = publisher.render('a.yaml'); open('a.pdf', 'wb').write(data)"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run([sys.executable, "-c", script], cwd=elsewhere, env=env,
                          check=True, capture_output=True, text=True)
    module, fonts, templates = done.stdout.splitlines()[:3]
    for location in (module, fonts, templates):
        assert Path(location).is_relative_to(target), location
    assert (elsewhere / "a.pdf").read_bytes().startswith(b"%PDF-")
