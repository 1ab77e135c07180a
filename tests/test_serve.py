"""`publisher serve` against real servers on 127.0.0.1: every endpoint, every error status, the limits,
a property-based run of its OpenAPI document (schemathesis), and the clerk's page in Debian's Chromium
(Playwright with the system browser, never a downloaded one)."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import docx
import httpx
import pdfplumber
import pikepdf
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings
from PIL import Image
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from helpers import EXAMPLES, normalise, pdf_text, read_pages
from publisher.article.schema import ARTICLE_SCHEMA
from publisher.templates import TemplateLibrary

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
JSON = {"Content-Type": "application/json"}
STARTUP_SECONDS = 120


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(log: Path, *options: str) -> Iterator[str]:
    """`publisher serve` in a subprocess on a free port of 127.0.0.1; yields its base URL, stops it after."""
    port = _free_port()
    with log.open("wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "publisher", "serve", "--port", str(port), *options],
                                   stdout=output, stderr=subprocess.STDOUT, cwd=ROOT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while True:
                assert process.poll() is None, f"the server exited: {log.read_text(errors='replace')}"
                try:
                    if httpx.get(url + "/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, f"the server did not start: {log.read_text(errors='replace')}"
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An assets folder holding a seal, and a file beside it that no article may reach."""
    root = tmp_path_factory.mktemp("serve")
    assets = root / "assets"
    assets.mkdir()
    shutil.copy(EXAMPLES / "seal.png", assets / "seal.png")
    shutil.copy(EXAMPLES / "seal.png", root / "secret.png")
    return {"root": root, "assets": assets}


@pytest.fixture(scope="module")
def server(folders: dict[str, Path]) -> Iterator[str]:
    """The main server: two workers, images from the assets folder only."""
    with running_server(folders["root"] / "main.log", "--workers", "2", "--assets-dir", str(folders["assets"])) as url:
        yield url


@pytest.fixture(scope="module")
def small_server(folders: dict[str, Path]) -> Iterator[str]:
    """One worker, a queue of one, a 64 KB body limit, no assets folder."""
    with running_server(folders["root"] / "small.log", "--workers", "1", "--queue-size", "1",
                        "--max-body-mb", "0.0625") as url:
        yield url


@pytest.fixture(scope="module")
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=120) as session:
        yield session


def _example(name: str) -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))


def _json_text(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


@pytest.fixture(scope="module")
def article() -> dict[str, Any]:
    return json.loads(_json_text(_example("article.yaml")))


@pytest.fixture(scope="module")
def notice_without_seal() -> dict[str, Any]:
    data = json.loads(_json_text(_example("official-notice.yaml")))
    del data["official"]["seal"]
    return data


def _paths(response: httpx.Response) -> list[str]:
    return [problem["path"] for problem in response.json()["problems"]]


def _error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["error"] == code and body["message"]
    return body


# ------------------------------------------------------------------------------------------------
# the read-only endpoints


def test_health_reports_the_pool(client: httpx.Client) -> None:
    health = client.get("/health").json()
    assert health["status"] == "ok"
    assert health["workers"] == 2 and len(health["worker_pids"]) == 2
    assert health["queue_size"] == 16


def test_templates_and_schema(client: httpx.Client) -> None:
    templates = {item["name"]: item for item in client.get("/templates").json()}
    library = {info.name: info for info in TemplateLibrary().all()}
    assert set(templates) == set(library) >= {"article", "official", "letter"}
    for name, item in templates.items():
        assert item["formats"] == list(library[name].formats) and item["description"] == library[name].description
    assert client.get("/schema").json() == ARTICLE_SCHEMA


def test_openapi_names_every_endpoint(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {"/render", "/preview", "/validate", "/templates", "/schema", "/health"}
    render = document["paths"]["/render"]["post"]
    assert {"200", "400", "404", "413", "415", "422", "503", "504"} <= set(render["responses"])
    assert "Retry-After" in render["responses"]["503"]["headers"]
    names = [info.name for info in TemplateLibrary().all()]
    assert document["paths"]["/render"]["post"]["parameters"][0]["schema"]["enum"] == names


# ------------------------------------------------------------------------------------------------
# rendering


def test_render_pdf_holds_the_article_text(client: httpx.Client, article: dict[str, Any]) -> None:
    response = client.post("/render", json=article)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="document.pdf"; ')
    encoded = re.search(r"filename\*=UTF-8''(\S+)", disposition)
    assert encoded and unquote(encoded[1]) == f"{article['title']}.pdf"
    pages = read_pages(response.content)
    assert int(response.headers["x-page-count"]) == len(pages) >= 2
    text = normalise("".join(page.text for page in pages))
    for expected in (article["title"], article["lead"][:40], article["body"][0][:40], article["source"]["name"]):
        assert normalise(expected) in text


def test_render_docx_opens_with_python_docx(client: httpx.Client, article: dict[str, Any]) -> None:
    response = client.post("/render", params={"format": "docx"}, json=article)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    assert response.headers["content-disposition"].endswith(".docx")
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert article["title"] in text and article["body"][1][:30] in text


def test_render_yaml_text_with_a_seal_from_the_assets_folder(client: httpx.Client) -> None:
    raw = (EXAMPLES / "official-notice.yaml").read_bytes()
    response = client.post("/render", content=raw, headers={"Content-Type": "text/yaml; charset=utf-8"})
    assert response.status_code == 200, response.text
    text = normalise(pdf_text(response.content))
    assert "广东省生态环境厅文件" in text and "粤环〔2024〕12号" in text


def test_render_markdown_text_with_the_template_from_the_query(client: httpx.Client) -> None:
    raw = (EXAMPLES / "notice.md").read_bytes()
    response = client.post("/render", params={"template": "official"}, content=raw,
                           headers={"Content-Type": "text/markdown"})
    assert response.status_code == 200, response.text
    front = yaml.safe_load(raw.decode("utf-8").split("---")[1])
    assert normalise(front["title"])[:12] in normalise(pdf_text(response.content))


def test_pdf_a3b_embeds_the_request_body(client: httpx.Client, article: dict[str, Any]) -> None:
    body = _json_text(article).encode("utf-8")
    response = client.post("/render", params={"pdf_variant": "pdf/a-3b"}, content=body, headers=JSON)
    assert response.status_code == 200, response.text
    with pikepdf.open(io.BytesIO(response.content)) as pdf:
        attached = pdf.attachments["article.json"].get_file().read_bytes()
    assert attached == body


def test_preview_returns_png_pages(client: httpx.Client, article: dict[str, Any]) -> None:
    response = client.post("/preview", params={"dpi": "50"}, json=article)
    assert response.status_code == 200, response.text
    preview = response.json()
    assert preview["pages"] == len(preview["images"]) >= 2
    prefix = "data:image/png;base64,"
    assert all(image.startswith(prefix) for image in preview["images"])
    first = Image.open(io.BytesIO(base64.b64decode(preview["images"][0][len(prefix):])))
    assert first.format == "PNG"
    assert abs(first.width - 413.4) < 1 and abs(first.height - 584.7) < 1  # A4 (595 × 842 pt) at 50 dpi


# ------------------------------------------------------------------------------------------------
# validation and errors


def test_validate_reports_every_problem_with_its_path(client: httpx.Client, article: dict[str, Any]) -> None:
    assert client.post("/validate", json=article).json() == {"valid": True, "template": "article", "problems": []}
    broken = {"title": "", "date": "2024-02-30", "views": -1, "colour": "red",
              "body": [{"type": "heading", "level": 7, "text": "x"}], "official": {"copy_number": "12a"}}
    result = client.post("/validate", params={"template": "official"}, json=broken).json()
    assert result["valid"] is False and result["template"] == "official"
    assert set(_paths_of(result)) == {"body[0].level", "colour", "date", "official.copy_number", "title", "views"}


def _paths_of(result: dict[str, Any]) -> list[str]:
    return [problem["path"] for problem in result["problems"]]


def test_invalid_article_is_422_with_paths(client: httpx.Client) -> None:
    response = client.post("/render", json={"title": 3, "body": [{"type": "heading", "level": 9}]})
    _error(response, 422, "invalid_article")
    assert _paths(response) == ["body[0].level", "body[0].text", "title"]
    assert _paths(client.post("/preview", json={"body": "x"})) == ["title"]


@pytest.mark.parametrize(("content", "content_type", "expected"), [
    (b'{"title": ', "application/json", "valid JSON"),
    (b"title: [unclosed", "text/yaml", "valid YAML"),
    (b"# no front matter", "text/markdown", "Markdown starting with a YAML front-matter block (--- \u2026 ---)"),
    (b"[1, 2]", "application/json", "a mapping of article fields at the top level"),
    (b"", "application/json", "an article (title, body, \u2026)"),
    (b"\xff\xfe\xfd title", "application/json", "UTF-8 text"),
])
def test_unreadable_body_is_400(client: httpx.Client, content: bytes, content_type: str, expected: str) -> None:
    for path in ("/render", "/validate", "/preview"):
        response = client.post(path, content=content, headers={"Content-Type": content_type})
        body = _error(response, 400, "unreadable_body")
        assert body["problems"][0]["expected"] == expected


@pytest.mark.parametrize(("params", "path"), [
    ({"format": "png"}, "query.format"),
    ({"pdf_variant": "pdf/x"}, "query.pdf_variant"),
    ({"format": "docx", "pdf_variant": "pdf/a-2b"}, "query.pdf_variant"),
])
def test_bad_render_parameter_is_400(client: httpx.Client, article: dict[str, Any], params: dict[str, str],
                                     path: str) -> None:
    response = client.post("/render", params=params, json=article)
    _error(response, 400, "bad_parameter")
    assert _paths(response) == [path]


@pytest.mark.parametrize("dpi", ["5", "1000", "abc"])
def test_bad_preview_resolution_is_400(client: httpx.Client, article: dict[str, Any], dpi: str) -> None:
    response = client.post("/preview", params={"dpi": dpi}, json=article)
    _error(response, 400, "bad_parameter")
    assert _paths(response) == ["query.dpi"]


def test_unknown_template_is_404(client: httpx.Client, article: dict[str, Any]) -> None:
    response = client.post("/render", params={"template": "upload"}, json=article)
    _error(response, 404, "unknown_template")
    assert _paths(response) == ["query.template"]
    response = client.post("/validate", json={**article, "template": "nowhere"})
    _error(response, 404, "unknown_template")
    assert _paths(response) == ["template"]


def test_unknown_content_type_is_415(client: httpx.Client) -> None:
    response = client.post("/render", content=b"title=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    _error(response, 415, "unsupported_media_type")


def test_unknown_route_and_method_are_json(client: httpx.Client) -> None:
    _error(client.get("/nowhere"), 404, "http_error")
    _error(client.get("/render"), 405, "http_error")


# ------------------------------------------------------------------------------------------------
# files the data may name


@pytest.mark.parametrize(("official", "body", "path"), [
    ({"seal": "../secret.png"}, "正文。", "official.seal"),
    ({"seal": "/etc/passwd"}, "正文。", "official.seal"),
    ({"seal": "file:///etc/passwd"}, "正文。", "official.seal"),
    ({}, "![x](../secret.png)", "body"),
    ({}, [{"type": "image", "src": "../../../../../../etc/hostname"}], "body[0].src"),
    ({"attachments": [{"title": "附件", "body": "![x](/etc/passwd)"}]}, "正文。", "official.attachments[0].body"),
])
def test_images_outside_the_assets_folder_are_refused(client: httpx.Client, official: dict[str, Any], body: Any,
                                                      path: str) -> None:
    data = {"title": "通知", "body": body, "official": {"issuer": "某某厅文件", **official}}
    response = client.post("/render", params={"template": "official"}, json=data)
    _error(response, 422, "invalid_article")
    assert _paths(response) == [path]
    assert "assets folder" in response.json()["problems"][0]["expected"]


def test_images_inside_the_assets_folder_are_drawn(client: httpx.Client) -> None:
    data = {"title": "通知", "body": [{"type": "image", "src": "seal.png", "caption": "印章图"}]}
    response = client.post("/render", json=data)
    assert response.status_code == 200, response.text
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        assert any(page.images for page in pdf.pages)


def test_without_an_assets_folder_no_image_is_accepted(small_server: str) -> None:
    data = {"title": "通知", "body": [{"type": "image", "src": "seal.png"}]}
    response = httpx.post(small_server + "/render", json=data, timeout=60)
    _error(response, 422, "invalid_article")
    assert response.json()["problems"][0]["expected"].startswith("no image")


# ------------------------------------------------------------------------------------------------
# limits


def test_body_too_large_is_413(small_server: str, article: dict[str, Any]) -> None:
    big = {**article, "body": ["段落。" * 5000] * 3}
    response = httpx.post(small_server + "/render", json=big, timeout=60)
    _error(response, 413, "too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams
        for _ in range(40):
            yield b" " * 4096

    response = httpx.post(small_server + "/validate", content=chunks(), headers=JSON, timeout=60)
    _error(response, 413, "too_large")


def test_a_burst_beyond_the_queue_is_503_with_retry_after(small_server: str,
                                                          notice_without_seal: dict[str, Any]) -> None:
    responses: list[httpx.Response] = []
    barrier = threading.Barrier(6)

    def send() -> None:
        barrier.wait()
        responses.append(httpx.post(small_server + "/render", json=notice_without_seal, timeout=120))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(response.status_code for response in responses)
    assert set(statuses) == {200, 503} and statuses.count(200) >= 2, statuses  # one rendering, one queued
    for response in responses:
        if response.status_code == 503:
            _error(response, 503, "busy")
            assert int(response.headers["retry-after"]) >= 1
        else:
            assert response.content.startswith(b"%PDF")
    assert httpx.get(small_server + "/health").json()["renders"] >= 2


def test_a_render_past_the_time_limit_is_504_and_its_worker_replaced(folders: dict[str, Path],
                                                                      notice_without_seal: dict[str, Any]) -> None:
    with running_server(folders["root"] / "timeout.log", "--workers", "1", "--render-timeout", "0.05") as url:
        before = httpx.get(url + "/health").json()["worker_pids"]
        response = httpx.post(url + "/render", json=notice_without_seal, timeout=60)
        _error(response, 504, "render_timeout")
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            health = httpx.get(url + "/health").json()
            if health["idle"] == 1:
                break
            assert time.monotonic() < deadline, health
            time.sleep(0.2)
        assert health["timeouts"] == 1 and health["replaced"] == 1
        assert health["worker_pids"] != before
        with pytest.raises(ProcessLookupError):
            os.kill(before[0], 0)  # the hung worker was killed, not left running
        assert httpx.post(url + "/validate", json=notice_without_seal).json()["valid"] is True


# ------------------------------------------------------------------------------------------------
# the page's files and the command's imports


def test_page_and_assets_are_local(client: httpx.Client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "公文与文章排版" in page.text
    static = ROOT / "publisher" / "serve" / "static"
    for file in static.iterdir():
        served = client.get(f"/static/{file.name}")
        assert served.status_code == 200 and served.content == file.read_bytes()
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", served.text, re.I), file.name  # no CDN
    with client.stream("GET", "/fonts/ui-sans.otf") as font:
        assert font.status_code == 200 and next(font.iter_bytes(4))[:4] == b"OTTO"


def test_other_commands_do_not_load_the_server() -> None:
    code = "import sys, publisher.cli; print(sorted(m for m in ('starlette', 'uvicorn', 'pypdfium2') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"


# ------------------------------------------------------------------------------------------------
# property-based: the OpenAPI document against the live server


@pytest.fixture(scope="module")
def api_schema(server: str) -> Any:
    return schemathesis.openapi.from_url(server + "/openapi.json")


POSITIVE, NEGATIVE = GenerationMode.POSITIVE, GenerationMode.NEGATIVE
OPERATIONS = [(path, "POST", mode) for path in ("/render", "/preview", "/validate") for mode in (POSITIVE, NEGATIVE)]
OPERATIONS += [(path, "GET", POSITIVE) for path in ("/templates", "/schema", "/health")]  # nothing to make invalid


@pytest.mark.parametrize(("path", "method", "mode"), OPERATIONS, ids=lambda value: getattr(value, "value", value))
def test_openapi_property_based(api_schema: Any, path: str, method: str, mode: GenerationMode) -> None:
    """Generated requests, valid and invalid, never get a 5xx and always get a documented answer."""
    operation = api_schema[path][method]
    examples = 25 if method == "POST" else 3

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              database=None)
    def call(case: Any) -> None:
        case.call_and_validate(checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                                       response_schema_conformance], timeout=120)

    call()


# ------------------------------------------------------------------------------------------------
# the clerk's page in Chromium


NOTICE_FORM = {
    "official.copy_number": "000321",
    "official.urgency": "加急",
    "official.issuer": "某某市人民政府办公室文件",
    "official.number": "某府办〔2025〕7号",
    "title": "关于做好防汛防台风工作的通知",
    "official.recipients": "各区人民政府，市有关单位：",
    "body": "为切实做好今年防汛防台风工作，现就有关事项通知如下。\n# 压实防汛责任\n各单位要落实主要负责同志责任。\n## 加强隐患排查\n对重点部位开展拉网式排查。",
    "official.attachments": "防汛值班表",
    "official.signatory": "某某市人民政府办公室",
    "date": "2025-05-20",
    "official.cc": "市委办公室\n市人大常委会办公室",
    "official.printer": "某某市人民政府办公室",
    "official.print_date": "2025-05-21",
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed (scripts/install-system-deps.sh installs it)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_clerk_fills_the_notice_previews_downloads_and_reloads(browser: Any, server: str) -> None:
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    requests_elsewhere: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(server) or request.url.startswith(("data:", "blob:"))
            else requests_elsewhere.append(request.url))
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready=true]")
    page.check("input[name=template][value=official]")
    for key, value in NOTICE_FORM.items():
        selector = f"[data-key='{key}']"
        if key == "official.urgency":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)

    page.fill("[data-key='official.copy_number']", "12a")  # a field-level message beside the field
    page.click("#do-validate")
    page.wait_for_selector("#field-official-copy-number-message span")
    assert page.text_content("#field-official-copy-number-message") == "应为 1 到 6 位数字"
    page.fill("[data-key='official.copy_number']", NOTICE_FORM["official.copy_number"])

    page.click("#do-preview")
    page.wait_for_selector("img.page", timeout=120_000)
    images = page.query_selector_all("img.page")
    assert len(images) >= 1
    assert all(image.evaluate("i => i.complete && i.naturalWidth > 500") for image in images)
    assert "共" in page.text_content("#page-count")

    with page.expect_download(timeout=120_000) as download_info:
        page.click("#do-pdf")
    download = download_info.value
    assert download.suggested_filename == NOTICE_FORM["title"] + ".pdf"
    text = normalise(pdf_text(Path(download.path()).read_bytes()))
    for key, value in NOTICE_FORM.items():
        if key in ("body", "official.cc"):
            expected = [line.lstrip("# ") for line in value.splitlines()]
        elif key.endswith("date"):
            year, month, day = (int(part) for part in value.split("-"))
            expected = [f"{year}年{month}月{day}日"]
        else:
            expected = [value]
        for part in expected:
            assert normalise(part) in text, (key, part)

    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.is_checked("input[name=template][value=official]")
    for key, value in NOTICE_FORM.items():
        assert page.input_value(f"[data-key='{key}']") == value, key
    assert requests_elsewhere == []
    context.close()
