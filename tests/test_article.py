"""The input contract: loading JSON, YAML, Markdown with front matter and standard input; every problem
reported at once with its field path and the file name; the published JSON Schema. No rendering."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

import publisher
from publisher.cli import cli
from helpers import EXAMPLES, SPEC


def _comparable(article: publisher.Article) -> dict[str, Any]:
    """An article's fields without the name of the input it came from."""
    fields = dataclasses.asdict(article)
    fields.pop("origin")
    fields.pop("base_dir")
    return fields


def _jsonable(data: Any) -> Any:
    """Plain data as JSON would carry it (dates become ISO strings)."""
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


def _problem_paths(error: publisher.ArticleError) -> list[str]:
    return [problem.path for problem in error.problems]


# ------------------------------------------------------------------------------------------------
# Loading each input kind


def test_yaml_example_loads_with_the_contract_fields(example_path: Path, example_data: dict[str, Any]) -> None:
    article = publisher.load_article(example_path)
    assert article.title == example_data["title"]
    assert article.date == dt.date(2023, 2, 23)
    assert article.category == example_data["category"]
    assert article.author == example_data["author"]
    assert article.views == example_data["views"]
    assert article.source is not None and article.source.name == "广东省生态环境厅公众网"
    assert article.compiled_by == example_data["compiled_by"]
    assert article.publisher is not None and article.publisher.name == example_data["publisher"]["name"]
    assert list(article.body) == example_data["body"]
    assert article.lang == "zh-CN"
    assert article.origin == str(example_path)


def test_json_loads_to_the_same_article_as_yaml(tmp_path: Path, example_path: Path, example_data: dict) -> None:
    json_file = tmp_path / "article.json"
    json_file.write_text(json.dumps(_jsonable(example_data), ensure_ascii=False), encoding="utf-8")
    from_json = publisher.load_article(json_file)
    assert _comparable(from_json) == _comparable(publisher.load_article(example_path))
    assert from_json.origin == str(json_file)


def test_mapping_loads_to_the_same_article_as_the_file(example_path: Path, example_data: dict) -> None:
    assert _comparable(publisher.load_article(example_data)) == _comparable(publisher.load_article(example_path))


def test_markdown_front_matter_gives_fields_and_the_text_after_it_gives_the_body(tmp_path: Path) -> None:
    source = tmp_path / "notice.md"
    source.write_text(
        "---\ntitle: 关于开展档案数字化工作的通知\ndate: 2024-03-08\nauthor: 档案管理科\n---\n"
        "各科室：\n\n## 工作范围\n\n请做好**档案整理**。\n",
        encoding="utf-8",
    )
    article = publisher.load_article(source)
    assert article.title == "关于开展档案数字化工作的通知"
    assert article.date == dt.date(2024, 3, 8)
    assert article.author == "档案管理科"
    assert isinstance(article.body, str)
    assert "各科室：" in article.body and "## 工作范围" in article.body and "**档案整理**" in article.body
    assert "title:" not in article.body


def test_markdown_with_body_in_front_matter_and_after_it_is_rejected(tmp_path: Path) -> None:
    source = tmp_path / "twice.md"
    source.write_text("---\ntitle: 标题\nbody: 一\n---\n二\n", encoding="utf-8")
    with pytest.raises(publisher.ArticleError) as caught:
        publisher.load_article(source)
    assert "body" in _problem_paths(caught.value)
    assert "twice.md" in str(caught.value)


def test_markdown_without_closing_front_matter_is_rejected(tmp_path: Path) -> None:
    source = tmp_path / "open.md"
    source.write_text("---\ntitle: 标题\n正文\n", encoding="utf-8")
    with pytest.raises(publisher.ArticleError) as caught:
        publisher.load_article(source)
    assert "open.md" in str(caught.value)
    assert caught.value.exit_code == 3


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('{"title": "标准输入", "body": "正文。"}', id="json"),
        pytest.param("title: 标准输入\nbody: 正文。\n", id="yaml"),
        pytest.param("---\ntitle: 标准输入\n---\n正文。\n", id="markdown"),
    ],
)
def test_standard_input_of_each_kind_is_recognised(text: str) -> None:
    result = CliRunner().invoke(cli, ["validate", "-"], input=text.encode("utf-8"))
    assert result.exit_code == 0, result.stderr
    assert "ok" in result.stdout


def test_invalid_standard_input_names_the_field() -> None:
    result = CliRunner().invoke(cli, ["validate", "-"], input="title: 标准输入\nviews: -5\n".encode())
    assert result.exit_code == 3
    assert "views" in result.stderr


# ------------------------------------------------------------------------------------------------
# Every problem at once, with its path


def test_every_problem_is_reported_at_once_with_its_path() -> None:
    data = {
        "subtitle": "缺少标题",
        "date": "2023-13-45",
        "auther": "拼错的字段",
        "views": -1,
        "body": ["一", "二", {"type": "heading", "level": 7, "text": "七级"}, {"type": "list", "items": []}],
        "source": {"name": "来源", "link": "x"},
    }
    with pytest.raises(publisher.ArticleError) as caught:
        publisher.load_article(data)
    paths = _problem_paths(caught.value)
    for expected in ("title", "date", "auther", "views", "body[2].level", "body[3].items", "source.link"):
        assert expected in paths, paths
    message = str(caught.value)
    for expected in ("title", "date", "auther", "views", "body[2].level", "body[3].items", "source.link"):
        assert expected in message
    assert caught.value.exit_code == 3


def test_every_problem_includes_image_paths_alongside_schema_problems(tmp_path: Path) -> None:
    """A missing title and an image leaving the input's folder are both reported in one run."""
    folder = tmp_path / "article"
    folder.mkdir()
    (tmp_path / "outside.png").write_bytes((EXAMPLES / "chart.png").read_bytes())
    source = folder / "both.yaml"
    source.write_text("subtitle: 无标题\nbody:\n  - 正文\n  - {type: image, src: ../outside.png}\n", encoding="utf-8")
    with pytest.raises(publisher.ArticleError) as caught:
        publisher.load_article(source)
    paths = _problem_paths(caught.value)
    assert "title" in paths
    assert "body[1].src" in paths, f"only {paths} reported; the image problem waits for a second run"


def test_problem_reads_like_a_sentence() -> None:
    problem = publisher.Problem("body[3].level", "a heading level from 1 to 4", "7")
    assert str(problem) == "body[3].level: expected a heading level from 1 to 4, got 7"


# ------------------------------------------------------------------------------------------------
# Bad inputs: each one an ArticleError (exit code 3) naming the file and, where there is one, the field


def _write(path: Path, content: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


_LEVEL_7 = (
    "title: 标题\nbody:\n  - 一\n  - 二\n  - {type: heading, level: 1, text: 一级}\n"
    "  - {type: heading, level: 7, text: 七级}\n"
).encode()

BAD_INPUTS = [
    pytest.param("no-title.yaml", "body: 只有正文。\n".encode(), "title", id="missing-title"),
    pytest.param("empty-title.json", b'{"title": "  "}', "title", id="blank-title"),
    pytest.param("bad-date.yaml", b"title: x\ndate: 2023-13-45\n", "date", id="date-2023-13-45"),
    pytest.param("feb-30.yaml", b"title: x\ndate: 2023-02-30\n", "date", id="yaml-date-2023-02-30"),
    pytest.param("typo.yaml", "title: x\nauther: 拼错\n".encode(), "auther", id="unknown-field"),
    pytest.param("nested-typo.json", b'{"title": "x", "publisher": {"nam": "y"}}', "publisher.nam", id="unknown-nested"),
    pytest.param("level-7.yaml", _LEVEL_7, "body[3].level", id="heading-level-7"),
    pytest.param("views.yaml", b"title: x\nviews: many\n", "views", id="views-not-integer"),
    pytest.param("broken.yaml", b"title: [x\nbody: y\n", None, id="invalid-yaml"),
    pytest.param("broken.json", b'{"title": "x",}', None, id="invalid-json"),
    pytest.param("gbk.yaml", "title: 广东省生态环境厅\n".encode("gbk"), None, id="non-utf8"),
    pytest.param("empty.yaml", b"", None, id="empty-file"),
    pytest.param("blank.yaml", b"  \n\n", None, id="blank-file"),
    pytest.param("list.yaml", b"- title: x\n", None, id="not-a-mapping"),
    pytest.param("huge.yaml", b"title: x\nbody: " + b"a" * 10_000_000 + b"\n", None, id="10MB-body"),
]


@pytest.mark.parametrize(("name", "content", "field"), BAD_INPUTS)
def test_bad_input_is_an_article_error_naming_file_and_field(
    tmp_path: Path, name: str, content: bytes, field: str | None
) -> None:
    source = _write(tmp_path / name, content)
    with pytest.raises(publisher.ArticleError) as caught:
        publisher.load_article(source)
    error = caught.value
    assert error.exit_code == 3
    assert error.problems, "an ArticleError carries at least one problem"
    assert name in str(error)
    if field is not None:
        assert field in _problem_paths(error)
        assert field in str(error)


@pytest.mark.parametrize(("name", "content", "field"), BAD_INPUTS)
def test_validate_command_exits_3_naming_file_and_field(
    tmp_path: Path, name: str, content: bytes, field: str | None
) -> None:
    source = _write(tmp_path / name, content)
    result = CliRunner().invoke(cli, ["validate", str(source)])
    assert result.exit_code == 3, result.output
    assert name in result.stderr
    if field is not None:
        assert field in result.stderr
    assert "Traceback" not in result.output


def test_image_leaving_its_folder_is_rejected_with_its_path(tmp_path: Path) -> None:
    folder = tmp_path / "article"
    (tmp_path / "x.png").write_bytes((EXAMPLES / "chart.png").read_bytes())
    source = _write(folder / "escape.yaml", b"title: x\nbody:\n  - text\n  - {type: image, src: ../x.png}\n")
    with pytest.raises(publisher.ArticleError) as caught:
        publisher.load_article(source)
    assert _problem_paths(caught.value) == ["body[1].src"]
    assert "escape.yaml" in str(caught.value) and "body[1].src" in str(caught.value)
    result = CliRunner().invoke(cli, ["validate", str(source)])
    assert result.exit_code == 3 and "body[1].src" in result.stderr


@pytest.mark.parametrize(
    "src",
    ["/etc/passwd", "file:///etc/passwd", "http://127.0.0.1:9/x.png", "missing.png", "sub/../../x.png"],
)
def test_image_sources_other_than_local_files_inside_the_folder_are_rejected(tmp_path: Path, src: str) -> None:
    with pytest.raises(publisher.ArticleError) as caught:
        publisher.load_article({"title": "x", "body": [{"type": "image", "src": src}]}, base_dir=tmp_path)
    assert _problem_paths(caught.value) == ["body[0].src"]


def test_image_inside_the_folder_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "chart.png").write_bytes((EXAMPLES / "chart.png").read_bytes())
    article = publisher.load_article({"title": "x", "body": [{"type": "image", "src": "chart.png"}]}, base_dir=tmp_path)
    assert article.body[0]["src"] == "chart.png"


def test_ten_megabyte_body_in_a_mapping_names_the_body() -> None:
    with pytest.raises(publisher.ArticleError) as caught:
        publisher.load_article({"title": "x", "body": "字" * 10_000_000})
    assert _problem_paths(caught.value) == ["body"]


def test_missing_file_is_an_article_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(publisher.ArticleError) as caught:
        publisher.load_article(tmp_path / "nowhere.yaml")
    assert "nowhere.yaml" in str(caught.value)
    assert caught.value.exit_code == 3


# ------------------------------------------------------------------------------------------------
# YAML dates stay strings until validated


@pytest.mark.parametrize("written", ["2023-02-30", "2023-02-29", "2023-2-3", "2023/02/03", "20230203"])
def test_yaml_dates_that_do_not_exist_or_are_not_iso_are_rejected(tmp_path: Path, written: str) -> None:
    source = _write(tmp_path / "date.yaml", f"title: x\ndate: {written}\n".encode())
    with pytest.raises(publisher.ArticleError) as caught:
        publisher.load_article(source)
    assert _problem_paths(caught.value) == ["date"]


@pytest.mark.parametrize("written", ["2023-02-23", "'2023-02-23'", "2024-02-29"])
def test_yaml_iso_dates_load_as_dates(tmp_path: Path, written: str) -> None:
    source = _write(tmp_path / "date.yaml", f"title: x\ndate: {written}\n".encode())
    expected = dt.date.fromisoformat(written.strip("'"))
    assert publisher.load_article(source).date == expected


def test_yaml_timestamp_is_not_a_date(tmp_path: Path) -> None:
    source = _write(tmp_path / "date.yaml", b"title: x\ndate: 2023-02-23 10:00:00\n")
    with pytest.raises(publisher.ArticleError) as caught:
        publisher.load_article(source)
    assert _problem_paths(caught.value) == ["date"]


# ------------------------------------------------------------------------------------------------
# The published schema


@pytest.fixture(scope="module")
def published_schema() -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    return json.loads(result.stdout)


def test_schema_is_a_valid_json_schema(published_schema: dict[str, Any]) -> None:
    validator_class = jsonschema.validators.validator_for(published_schema)
    validator_class.check_schema(published_schema)
    assert published_schema["type"] == "object"
    assert "title" in published_schema["required"]


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda path: path.name)
def test_schema_validates_the_examples(published_schema: dict[str, Any], example: Path) -> None:
    data = _jsonable(yaml.safe_load(example.read_text(encoding="utf-8")))
    validator_class = jsonschema.validators.validator_for(published_schema)
    validator = validator_class(published_schema, format_checker=validator_class.FORMAT_CHECKER)
    assert [error.message for error in validator.iter_errors(data)] == []


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"title": ""}, id="empty-title"),
        pytest.param({"date": "2023-02-30"}, id="impossible-date"),
        pytest.param({"colour": "red"}, id="unknown-field"),
        pytest.param({"body": [{"type": "heading", "level": 7, "text": "x"}]}, id="heading-level-7"),
    ],
)
def test_schema_rejects_what_the_loader_rejects(
    published_schema: dict[str, Any], example_mapping: dict[str, Any], change: dict[str, Any]
) -> None:
    data = _jsonable({**example_mapping, **change})
    validator_class = jsonschema.validators.validator_for(published_schema)
    validator = validator_class(published_schema, format_checker=validator_class.FORMAT_CHECKER)
    assert not validator.is_valid(data)
    with pytest.raises(publisher.ArticleError):
        publisher.load_article(data)


def _spec_field_names(heading: str) -> list[str]:
    text = SPEC.read_text(encoding="utf-8")
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.M)


def test_schema_carries_every_field_the_spec_names(published_schema: dict[str, Any]) -> None:
    common = _spec_field_names("## Common fields")
    official = _spec_field_names("## Official-document fields")
    assert "title" in common and "compiled_by" in common and "issuer" in official
    assert set(common) <= set(published_schema["properties"])
    assert set(official) <= set(published_schema["properties"]["official"]["properties"])


def test_spec_example_is_a_valid_article() -> None:
    text = SPEC.read_text(encoding="utf-8")
    example = re.search(r"## Example\s+```yaml\n(.*?)```", text, flags=re.S)
    assert example is not None
    article = publisher.load_article(_jsonable(yaml.safe_load(example.group(1))))
    assert article.title == "广东省生态环境保护工作会议召开"
    assert article.body[1] == {"type": "heading", "level": 1, "text": "围绕啃硬骨头抓治污"}
