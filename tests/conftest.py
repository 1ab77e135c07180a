"""Fixtures shared by the suite. Every distinct PDF is rendered once per session."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import publisher
from helpers import EXAMPLES, RARE_NAMES, ListeningPost, gb2312_row1


@pytest.fixture(scope="session")
def example_path() -> Path:
    return EXAMPLES / "article.yaml"


@pytest.fixture(scope="session")
def example_data(example_path: Path) -> dict[str, Any]:
    """The example article as plain data, read independently of the code under test."""
    return yaml.safe_load(example_path.read_text(encoding="utf-8"))


@pytest.fixture
def example_mapping(example_data: dict[str, Any]) -> dict[str, Any]:
    """A private deep copy of the example data that a test may change."""
    return copy.deepcopy(example_data)


@pytest.fixture(scope="session")
def engine() -> publisher.Publisher:
    """The one shared Publisher (fonts and templates loaded once)."""
    return publisher.Publisher(publisher.RenderOptions())


@pytest.fixture(scope="session")
def example_article(example_path: Path) -> publisher.Article:
    return publisher.load_article(example_path)


@pytest.fixture(scope="session")
def example_result(engine: publisher.Publisher, example_article: publisher.Article) -> publisher.RenderResult:
    return engine.render(example_article)


@pytest.fixture(scope="session")
def example_pdf(example_result: publisher.RenderResult) -> bytes:
    return example_result.data


@pytest.fixture(scope="session")
def rare_article_data() -> dict[str, Any]:
    """Rare name characters and GB 2312 row-1 punctuation in every part the article template prints."""
    row = gb2312_row1()
    return {
        "title": f"人名用字{RARE_NAMES}",
        "subtitle": f"副标题{RARE_NAMES}",
        "date": "2024-03-08",
        "category": "通知公告",
        "author": f"编辑{RARE_NAMES}",
        "publisher": {"name": f"资料室{RARE_NAMES}", "phone": "020-12345678"},
        "lead": f"导读{RARE_NAMES}{row}",
        "body": [
            {"type": "heading", "level": 1, "text": f"标题{RARE_NAMES}"},
            f"正文{RARE_NAMES}。",
            row,
            {"type": "quote", "text": f"引用{RARE_NAMES}{row}"},
            {"type": "list", "items": [f"列表{RARE_NAMES}"]},
            {"type": "table", "header": ["姓名"], "rows": [[RARE_NAMES]], "caption": f"表{RARE_NAMES}"},
        ],
        "source": f"来源{RARE_NAMES}",
        "compiled_by": f"整理{RARE_NAMES}",
        "disclaimer": f"声明{RARE_NAMES}{row}",
    }


@pytest.fixture(scope="session")
def rare_result(engine: publisher.Publisher, rare_article_data: dict[str, Any]) -> publisher.RenderResult:
    return engine.render(rare_article_data)


@pytest.fixture
def listening_post() -> Iterator[ListeningPost]:
    """A local TCP listener that records connections; closed after the test."""
    with ListeningPost() as post:
        yield post
