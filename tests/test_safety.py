"""Hostile data renders as visible text and reaches nothing: no markup from data, no network, no files
outside the allowed folders."""

from __future__ import annotations

import io
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest

import publisher
from publisher.render.fetch import LocalOnlyFetcher, RefusedResource, local_path
from helpers import EXAMPLES, ListeningPost, network_guard, normalise, pdf_text


@pytest.fixture(scope="module")
def post() -> Iterator[ListeningPost]:
    with ListeningPost() as listener:
        yield listener


def _hostile(port: int) -> dict[str, str]:
    return {
        "script": "<script>alert(1)</script>",
        "img": f'<img src="http://127.0.0.1:{port}/x.png">',
        "file": "file:///etc/passwd",
        "css": f"<style>@import url(http://127.0.0.1:{port}/s.css);</style>",
        "link": f'<link rel="stylesheet" href="http://127.0.0.1:{port}/l.css">',
    }


@pytest.fixture(scope="module")
def hostile_renders(engine: publisher.Publisher, post: ListeningPost) -> Iterator[dict[str, Any]]:
    strings = _hostile(post.port)
    joined = " ".join(strings.values())
    blocks_article = {
        "title": f"标题{strings['script']}{strings['img']}",
        "subtitle": strings["file"],
        "category": strings["script"],
        "author": strings["img"],
        "lead": f"导读{joined}",
        "body": [
            f"正文{joined}",
            {"type": "heading", "level": 1, "text": strings["img"]},
            {"type": "quote", "text": strings["script"]},
            {"type": "list", "items": [strings["file"]]},
            {"type": "table", "header": [strings["script"]], "rows": [[strings["img"]]], "caption": strings["css"]},
        ],
        "source": {"name": strings["script"], "url": f"http://127.0.0.1:{post.port}/source"},
        "publisher": {"name": strings["img"], "url": f"http://127.0.0.1:{post.port}/"},
        "disclaimer": strings["link"],
    }
    markdown_article = {
        "title": "Markdown 正文",
        "body": "\n\n".join(f"段落 {value}" for value in strings.values())
        + f"\n\n[链接](http://127.0.0.1:{post.port}/a) <http://127.0.0.1:{post.port}/b>\n",
    }
    with network_guard() as attempts:
        blocks_pdf = engine.render(blocks_article).data
        markdown_pdf = engine.render(markdown_article).data
    time.sleep(0.3)  # let a late connection reach the listener before anyone looks
    yield {
        "strings": strings,
        "blocks": blocks_pdf,
        "markdown": markdown_pdf,
        "attempts": attempts,
        "port": post.port,
    }


def test_listener_sees_a_real_connection(listening_post: ListeningPost) -> None:
    """Positive control: the listener does record a connection when one is made."""
    with socket.create_connection(("127.0.0.1", listening_post.port), timeout=2) as client:
        client.sendall(b"GET /probe HTTP/1.0\r\n\r\n")
        client.recv(100)
    deadline = time.monotonic() + 2
    while not listening_post.connections and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(listening_post.connections) == 1
    assert listening_post.requests[0].startswith(b"GET /probe")


def test_network_guard_records_and_refuses_a_connection() -> None:
    """Positive control: the guard sees an outgoing connection attempt."""
    with network_guard() as attempts, pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", 9), timeout=1)
    assert attempts


def test_hostile_strings_render_as_visible_text(hostile_renders: dict[str, Any]) -> None:
    for kind in ("blocks", "markdown"):
        text = normalise(pdf_text(hostile_renders[kind]))
        for name, value in hostile_renders["strings"].items():
            assert normalise(value) in text, f"{kind}: {name} string not printed as text"


def test_hostile_title_is_printed_whole(hostile_renders: dict[str, Any]) -> None:
    strings = hostile_renders["strings"]
    text = normalise(pdf_text(hostile_renders["blocks"]))
    assert normalise(f"标题{strings['script']}{strings['img']}") in text


def test_rendering_hostile_data_contacts_no_one(hostile_renders: dict[str, Any], post: ListeningPost) -> None:
    assert post.connections == [], f"something fetched from the listener: {post.requests}"
    assert hostile_renders["attempts"] == [], f"network access attempted: {hostile_renders['attempts']}"


def test_rendered_pdf_holds_no_image_from_data(hostile_renders: dict[str, Any]) -> None:
    for kind in ("blocks", "markdown"):
        with pikepdf.open(io.BytesIO(hostile_renders[kind])) as pdf:
            for page in pdf.pages:
                xobjects = page.Resources.get("/XObject", {})
                assert not [x for x in xobjects.values() if x.get("/Subtype") == "/Image"]


# ------------------------------------------------------------------------------------------------
# Images in Markdown bodies


def test_markdown_image_on_the_network_is_an_article_error(engine: publisher.Publisher, post: ListeningPost) -> None:
    article = {"title": "图片", "body": f"正文。\n\n![x](http://127.0.0.1:{post.port}/a.png)\n"}
    with network_guard() as attempts, pytest.raises(publisher.ArticleError) as caught:
        engine.render(article)
    assert "body" in [problem.path for problem in caught.value.problems]
    assert "body" in str(caught.value)
    assert attempts == []
    time.sleep(0.1)
    assert post.connections == []


def test_markdown_image_leaving_the_folder_is_an_article_error(engine: publisher.Publisher, tmp_path: Path) -> None:
    folder = tmp_path / "a" / "b"
    folder.mkdir(parents=True)
    source = folder / "article.md"
    source.write_text("---\ntitle: 图片\n---\n正文。\n\n![x](../../etc/passwd)\n", encoding="utf-8")
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_text("root:x:0:0\n", encoding="utf-8")
    with pytest.raises(publisher.ArticleError) as caught:
        engine.render(publisher.load_article(source))
    assert "body" in [problem.path for problem in caught.value.problems]
    assert "article.md" in str(caught.value)


@pytest.mark.parametrize("src", ["/etc/passwd", "data:image/png;base64,AAAA", "sub/../../x.png"])
def test_markdown_image_that_is_not_a_relative_local_file_is_an_article_error(
    engine: publisher.Publisher, tmp_path: Path, src: str
) -> None:
    with pytest.raises(publisher.ArticleError) as caught:
        engine.render(publisher.load_article({"title": "图片", "body": f"![x]({src})\n"}, base_dir=tmp_path))
    assert "body" in [problem.path for problem in caught.value.problems]


def test_markdown_image_with_a_file_url_stays_text_and_loads_nothing(tmp_path: Path) -> None:
    from publisher.document import build_document
    from publisher.document.nodes import Image, inline_text

    article = publisher.load_article({"title": "图片", "body": "![x](file:///etc/passwd)\n"}, base_dir=tmp_path)
    doc = build_document(article)
    assert not [block for block in doc.blocks if isinstance(block, Image)]
    assert "file:///etc/passwd" in inline_text(doc.blocks[0].spans)


# ------------------------------------------------------------------------------------------------
# The fetcher


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = (tmp_path / "root").resolve()
    folder.mkdir()
    (folder / "inside.png").write_bytes((EXAMPLES / "chart.png").read_bytes())
    (tmp_path / "outside.txt").write_text("secret", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9/x.png", "https://example.org/x.png", "ftp://example.org/x.png",
     "data:text/plain,hello", "//example.org/x.png", "file://example.org/etc/passwd"],
)
def test_local_path_refuses_anything_but_local_files(root: Path, url: str) -> None:
    with pytest.raises(RefusedResource):
        local_path(url, [root])


def test_local_path_refuses_files_outside_the_roots(root: Path) -> None:
    for url in ("file:///etc/passwd", (root.parent / "outside.txt").as_uri(), root.as_uri() + "/../outside.txt",
                root.as_uri() + "/%2e%2e/outside.txt"):
        with pytest.raises(RefusedResource):
            local_path(url, [root])


def test_local_path_refuses_a_symlink_leading_out_of_the_roots(root: Path) -> None:
    (root / "link.txt").symlink_to(root.parent / "outside.txt")
    with pytest.raises(RefusedResource):
        local_path((root / "link.txt").as_uri(), [root])


def test_local_path_refuses_missing_files_and_folders(root: Path) -> None:
    for url in ((root / "missing.png").as_uri(), root.as_uri()):
        with pytest.raises(RefusedResource):
            local_path(url, [root])


def test_local_path_serves_a_file_inside_a_root(root: Path) -> None:
    assert local_path((root / "inside.png").as_uri(), [root]) == root / "inside.png"
    assert local_path("file://localhost" + str(root / "inside.png"), [root]) == root / "inside.png"


def test_fetcher_serves_inside_and_refuses_the_network(root: Path, post: ListeningPost) -> None:
    fetcher = LocalOnlyFetcher([root])
    response = fetcher.fetch((root / "inside.png").as_uri())
    assert response.read() == (root / "inside.png").read_bytes()
    with network_guard() as attempts, pytest.raises(RefusedResource):
        fetcher.fetch(f"http://127.0.0.1:{post.port}/x.png")
    assert attempts == []
    time.sleep(0.1)
    assert post.connections == []
