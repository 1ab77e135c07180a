"""`publisher import`: scraped article pages (text and HTML) into article data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from publisher.article import load_article
from publisher.cli import cli
from publisher.errors import EXIT_INVALID_INPUT, ArticleError
from publisher.importer import import_page, iso_date

FIXTURE = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures" / "scraped-article.txt"
ROOT = Path(__file__).resolve().parent.parent

def _fixture_lines() -> list[str]:
    return [line.strip() for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def fixture_article() -> tuple[dict, list[str]]:
    assert FIXTURE.is_file(), "the shared fixture must lie beside the checkout (../shared/fixtures)"
    return import_page(FIXTURE.read_bytes(), str(FIXTURE))


def test_fixture_fields(fixture_article):
    article, _ = fixture_article
    load_article(article)
    assert article["title"] == "广东省生态环境保护工作会议召开"
    assert article["date"] == "2023-02-23"
    assert article["category"] == "行业动态"
    assert article["views"] == 1305
    assert article["source"] == {"name": "广东省生态环境厅公众网"}
    assert article["compiled_by"] == "广东生态环境微信编辑小组"


def test_fixture_author_is_what_the_page_says(fixture_article):
    article, _ = fixture_article
    meta_line = next(line for line in _fixture_lines() if line.startswith("发布时间"))
    assert isinstance(article["author"], str) and article["author"]
    assert article["author"] in meta_line


def test_fixture_lead_body_and_disclaimer(fixture_article):
    article, _ = fixture_article
    lines = _fixture_lines()
    lead_index = lines.index("【导读】") + 1
    assert article["lead"] == lines[lead_index]
    assert article["lead"].startswith("2023年2月21日")
    body = article["body"]
    assert len(body) == 16
    assert body[0].startswith("2023年2月21日,2023年全省")
    assert body[-1].endswith("其他直属单位主要负责同志参加会议。")
    assert all(paragraph == paragraph.strip(" \u3000") for paragraph in body)
    assert any(paragraph.startswith("一要") for paragraph in body)
    disclaimer_line = next(line for line in lines if line.startswith("声明"))
    assert article["disclaimer"] == disclaimer_line[3:]


def test_fixture_chrome_dropped(fixture_article):
    article, dropped = fixture_article
    raw_lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    banner = raw_lines[0].strip()
    phone = next(line.strip() for line in raw_lines if "电话" in line)
    assert dropped == [banner, phone]
    dumped = yaml.safe_dump(article, allow_unicode=True)
    assert banner not in dumped
    assert phone not in dumped
    assert "publisher" not in article


def test_fixture_keep_site():
    article, _ = import_page(FIXTURE.read_bytes(), "page", keep_site=True)
    assert article["publisher"]["phone"] == "027-87056280"
    assert article["publisher"]["name"] == FIXTURE.read_text(encoding="utf-8").splitlines()[0].strip()
    load_article(article)


VARIANT = """资料室网站
联系电话：020-12345678
首页 | 新闻 | 通知

关于开展年度检查的通知

发布日期：2023年2月23日
栏目：通知公告
责任编辑：李四
浏览次数：12,345

摘要：这是摘要文字。

\u3000\u3000第一段正文，说明检查安排。
\u3000\u3000一要按时完成自查。
    二要如实报送材料。

出处：示例网 https://example.org/news/1
编辑：王五
免责声明：本文仅供参考。
版权所有 © 2023 示例网
粤ICP备12345678号
"""


def test_variant_labels_on_separate_lines():
    article, dropped = import_page(VARIANT.encode("utf-8"), "variant.txt")
    load_article(article)
    assert article["title"] == "关于开展年度检查的通知"
    assert article["date"] == "2023-02-23"
    assert article["category"] == "通知公告"
    assert article["author"] == "李四"
    assert article["views"] == 12345
    assert article["lead"] == "这是摘要文字。"
    assert article["body"] == ["第一段正文，说明检查安排。", "一要按时完成自查。", "二要如实报送材料。"]
    assert article["source"] == {"name": "示例网", "url": "https://example.org/news/1"}
    assert article["compiled_by"] == "王五"
    assert article["disclaimer"] == "本文仅供参考。"
    assert dropped == ["资料室网站", "联系电话：020-12345678", "首页 | 新闻 | 通知", "版权所有 © 2023 示例网",
                       "粤ICP备12345678号"]


def test_variant_keep_site():
    article, _ = import_page(VARIANT.encode("utf-8"), "variant.txt", keep_site=True)
    assert article["publisher"] == {"name": "资料室网站", "phone": "020-12345678"}


def test_run_together_other_order_full_width():
    text = ("标题行测试文章\n阅读：2,048次栏目／工作动态作者：张三日期：2023/2/23\n【导读】导读就在同一行。\n"
            "正文一段。\n来源／示例网\n整理／某小组\n")
    article, dropped = import_page(text.encode("utf-8"), "t.txt")
    assert dropped == []
    assert article["title"] == "标题行测试文章"
    assert (article["views"], article["category"], article["author"], article["date"]) == (
        2048, "工作动态", "张三", "2023-02-23")
    assert article["lead"] == "导读就在同一行。"
    assert article["body"] == ["正文一段。"]
    assert article["source"] == {"name": "示例网"}
    assert article["compiled_by"] == "某小组"


@pytest.mark.parametrize("form", ["2023-02-23", "2023/2/23", "2023.2.23", "2023年2月23日", "2023 年 2 月 23 日"])
def test_date_forms(form):
    assert iso_date(form) == "2023-02-23"
    article, _ = import_page(f"某标题\n发布时间：{form}\n正文。\n".encode("utf-8"), "d.txt")
    assert article["date"] == "2023-02-23"


def test_impossible_date_is_left_out():
    assert iso_date("2023-02-30") is None


def test_gbk_and_utf16_and_bom():
    text = VARIANT.replace(" ©", "")  # GBK has no copyright sign
    expected, _ = import_page(text.encode("utf-8"), "a")
    for encoded in (text.encode("gbk"), text.encode("gb18030"), text.encode("utf-16"),
                    b"\xef\xbb\xbf" + text.encode("utf-8")):
        article, _ = import_page(encoded, "b")
        assert article == expected


HTML = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>城市绿地建设新进展 - 示例资讯网</title>
<meta property="og:title" content="城市绿地建设新进展">
<meta name="author" content="赵六">
<meta property="og:site_name" content="示例资讯网">
<meta name="date" content="2023-03-05">
</head><body>
<nav><a href="/">首页</a> | <a href="/news">新闻</a> | <a href="/about">关于</a></nav>
<div class="ad">广告：限时优惠，点击领取大礼包</div>
<article>
<h1>城市绿地建设新进展</h1>
<p>栏目：城市建设 阅读次数：1,024</p>
<p>今年以来，全市新建口袋公园三十处，改造老旧绿地五十余处，市民出行五分钟即可到达身边的绿地。</p>
<p>下一步，相关部门将继续推进绿道连通工程，力争年底前建成环城绿道主线，让更多居民共享生态成果。</p>
<p>来源：示例资讯网</p>
</article>
<footer>版权所有 © 2023 示例资讯网 粤ICP备00000000号</footer>
</body></html>
"""


def test_html_page():
    article, _ = import_page(HTML.encode("utf-8"), "page.html")
    load_article(article)
    assert article["title"] == "城市绿地建设新进展"
    assert article["date"] == "2023-03-05"
    assert article["category"] == "城市建设"
    assert article["views"] == 1024
    assert len(article["body"]) == 2
    assert article["body"][0].startswith("今年以来")
    assert article["source"] == {"name": "示例资讯网"}
    text = yaml.safe_dump(article, allow_unicode=True)
    assert "广告" not in text and "版权所有" not in text and "首页" not in text


@pytest.mark.parametrize("raw, found", [
    (b"\x00\x01\x02\x03binary\x00\xff\xfe\x00", "binary"),
    (bytes(range(1, 32)) * 40, "binary"),
    (b"", "empty"),
    (b"  \n\n\t\n", "empty"),
    ("这是一段很长的正文，没有任何标题，也没有元数据。\n第二段也是正文。\n".encode("utf-8"), "no title"),
])
def test_bad_input(raw, found):
    with pytest.raises(ArticleError) as caught:
        import_page(raw, "bad.txt")
    assert "bad.txt" in str(caught.value) and found in str(caught.value)


@pytest.mark.parametrize("raw", [b"\x00\x01\x02binary\x00", b"", "只有正文。这里没有标题。\n".encode("utf-8")])
def test_cli_bad_input_exit_3_nothing_written(tmp_path, raw):
    source = tmp_path / "bad.txt"
    source.write_bytes(raw)
    target = tmp_path / "out.yaml"
    result = CliRunner().invoke(cli, ["import", str(source), "-o", str(target)])
    assert result.exit_code == EXIT_INVALID_INPUT
    assert "bad.txt" in result.output
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [source]


def test_cli_writes_yaml_with_template(tmp_path):
    source = tmp_path / "v.txt"
    source.write_text(VARIANT, encoding="utf-8")
    target = tmp_path / "v.yaml"
    result = CliRunner().invoke(cli, ["import", str(source), "-o", str(target), "--template", "article",
                                      "--keep-site"])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert data["template"] == "article"
    assert data["publisher"]["phone"] == "020-12345678"
    assert "dropped: 联系电话：020-12345678" in result.output
    load_article(str(target))


def test_cli_several_files(tmp_path):
    one, two = tmp_path / "one.txt", tmp_path / "two.gbk.txt"
    text = VARIANT.replace(" ©", "")  # GBK has no copyright sign
    one.write_text(text, encoding="utf-8")
    two.write_bytes(text.encode("gbk"))
    result = CliRunner().invoke(cli, ["import", str(one), str(two)])
    assert result.exit_code == 0
    documents = [doc for doc in yaml.safe_load_all(result.stdout)]
    assert len(documents) == 2 and documents[0] == documents[1]
    outdir = tmp_path / "out"
    result = CliRunner().invoke(cli, ["import", str(one), str(two), "-o", str(outdir)])
    assert result.exit_code == 0
    assert sorted(p.name for p in outdir.iterdir()) == ["one.yaml", "two.gbk.yaml"]


@pytest.mark.slow
def test_round_trip_through_pipe(tmp_path):
    pdf = tmp_path / "page.pdf"
    importer = subprocess.Popen([sys.executable, "-m", "publisher", "import", str(FIXTURE)], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    renderer = subprocess.run([sys.executable, "-m", "publisher", "render", "-", "-o", str(pdf)], cwd=ROOT,
                              stdin=importer.stdout, capture_output=True)
    importer.stdout.close()
    errors = importer.stderr.read().decode()
    importer.stderr.close()
    assert importer.wait(timeout=120) == 0
    assert "dropped:" in errors
    assert renderer.returncode == 0, renderer.stderr.decode()
    assert pdf.read_bytes().startswith(b"%PDF")
