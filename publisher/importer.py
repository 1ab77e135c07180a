"""Turn scraped article pages (plain text or HTML) into article data (shared/spec/article.md).

Scraped pages carry site chrome around the article: banners, phone numbers and navigation above the
title, copyright and registration lines below it. `import_page` drops that chrome (and returns the
dropped lines), recognises the labelled metadata (发布时间, 文章分类, 编辑作者, 阅读次数, 【导读】, 来源,
整理, 声明 …) with full-width or half-width colons and slashes, in any order, on one line or several,
and keeps the body text as it was written, one paragraph per block.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from publisher.errors import ArticleError, Problem

__all__ = ["import_page", "decode_page"]

# Label words → field; longer words first so that 编辑作者 wins over 编辑 and 阅读次数 over 阅读.
_LABELS: dict[str, str] = {
    "发布时间": "date", "发布日期": "date", "日期": "date", "时间": "date",
    "文章分类": "category", "栏目": "category", "分类": "category",
    "编辑作者": "author", "责任编辑": "author", "作者": "author", "编辑": "author",
    "阅读次数": "views", "浏览次数": "views", "阅读": "views",
    "摘要": "lead", "导语": "lead", "导读": "lead",
    "来源": "source", "出处": "source",
    "整理": "compiled_by",
    "免责声明": "disclaimer", "声明": "disclaimer",
}
_HEADER_FIELDS = {"date", "category", "author", "views"}
_SEPARATORS = ":：/／"
_LABEL_RE = re.compile(
    r"(" + "|".join(sorted(_LABELS, key=len, reverse=True)) + r")\s*[" + _SEPARATORS + r"]\s*")
_LEAD_MARK_RE = re.compile(r"^[【\[]\s*(导读|摘要|导语)\s*[】\]]\s*[" + _SEPARATORS + r"]?\s*(.*)$")
_BARE_LEAD_RE = re.compile(r"^(导读|摘要|导语)\s*[" + _SEPARATORS + r"]?$")
_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_NUMBER_RE = re.compile(r"\d[\d,，]*")
_URL_RE = re.compile(r"https?://[^\s，,。）)」]+")
_PHONE_RE = re.compile(r"(?:联系|服务|咨询|客服)?电话|热线|手机|tel\b|phone", re.IGNORECASE)
_PHONE_DIGITS_RE = re.compile(r"\+?\d[\d\-\s()（）]{5,}\d")
_FOOTER_RE = re.compile(r"©|\(c\)|copyright|版权所有|ICP|备案|公网安备|技术支持", re.IGNORECASE)
_NAV_RE = re.compile(r"首页|当前位置|您的位置|返回顶部|上一篇|下一篇|登录|注册|^\s*(?:[^|｜>»]{1,12}\s*[|｜>»]\s*){2,}")
_SENTENCE_END = "。！？!?；;，,"
_SPACES = " \t\u3000\u00a0\ufeff\u200b"
_MAX_TITLE = 80


def _fail(name: str, expected: str, found: str) -> ArticleError:
    return ArticleError(name, [Problem("", expected, found)])


# ---------------------------------------------------------------- decoding

def _mostly_control(text: str) -> bool:
    sample = text[:8192]
    if not sample:
        return False
    control = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f") or 0x7F <= ord(ch) < 0xA0
                  or ch == "\ufffd")
    return control / len(sample) > 0.1


def decode_page(raw: bytes, name: str) -> str:
    """Decode a scraped page: UTF-8 (with or without BOM), UTF-16 with a BOM, else GB18030/GBK."""
    if not raw.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise _fail(name, "a scraped article page (text or HTML)", "an empty file")
    text: str | None = None
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            text = raw[3:].decode("utf-8")
        except UnicodeDecodeError:
            text = None
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise _fail(name, "UTF-16 text after the byte-order mark", "undecodable bytes") from None
    if text is None:
        if b"\x00" in raw:
            raise _fail(name, "a text or HTML file", "binary data")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = raw.decode("gb18030")
            except UnicodeDecodeError:
                raise _fail(name, "text in UTF-8, UTF-16 or GB18030/GBK", "undecodable bytes") from None
    if "\x00" in text or _mostly_control(text):
        raise _fail(name, "a text or HTML file", "binary data")
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip(_SPACES + "\n"):
        raise _fail(name, "a scraped article page (text or HTML)", "an empty file")
    return text


def _is_html(text: str) -> bool:
    head = text[:4096].lower()
    if "<html" in head or "<!doctype" in head:
        return True
    return len(re.findall(r"</?(?:p|div|span|a|br|body|head|article|section|h[1-6]|title)\b", head)) >= 5


# ---------------------------------------------------------------- values

def iso_date(value: str) -> str | None:
    """2023-02-23, 2023/2/23, 2023.2.23, 2023年2月23日 → '2023-02-23' (None when there is no real date)."""
    match = _DATE_RE.search(value)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        return None


def _views(value: str) -> int | None:
    match = _NUMBER_RE.search(value)
    if not match:
        return None
    return int(re.sub(r"[,，]", "", match[0]))


def _source(value: str) -> dict[str, str] | None:
    url_match = _URL_RE.search(value)
    url = url_match[0] if url_match else None
    name = _URL_RE.sub("", value) if url else value
    name = name.strip(_SPACES + "()（）[]【】<>《》:：,，;；")
    if not name:
        name = url or ""
    if not name:
        return None
    return {"name": name, "url": url} if url else {"name": name}


def _phone(line: str) -> str | None:
    match = _PHONE_DIGITS_RE.search(line)
    return match[0].strip() if match else None


# ---------------------------------------------------------------- lines

def _clean(line: str) -> str:
    return line.strip(_SPACES)


def _labels(line: str) -> list[tuple[str, str, str]]:
    """Split a line that starts with a label into (word, field, value) pairs; [] when it does not."""
    matches = list(_LABEL_RE.finditer(line))
    if not matches or matches[0].start() != 0:
        return []
    pairs = []
    for index, match in enumerate(matches):
        field = _LABELS[match[1]]
        whole = field in ("disclaimer", "lead")  # free text: the rest of the line, labels or not
        end = matches[index + 1].start() if index + 1 < len(matches) and not whole else len(line)
        pairs.append((match[1], field, line[match.end():end].strip(_SPACES)))
        if whole:
            break
    return pairs


def _header_line(line: str) -> bool:
    pairs = _labels(line)
    if not pairs or not any(field in _HEADER_FIELDS for _, field, _ in pairs):
        return False
    # a lone 时间/日期 label must carry a date, so that prose such as "时间：紧迫" is not taken for metadata
    return any(field != "date" or iso_date(value) for _, field, value in pairs)


def _is_chrome(line: str) -> bool:
    return bool(_PHONE_RE.search(line) and _phone(line)) or bool(_NAV_RE.search(line)) \
        or bool(_URL_RE.fullmatch(line)) or bool(_FOOTER_RE.search(line))


def _title_like(line: str) -> bool:
    return 2 <= len(line) <= _MAX_TITLE and line[-1] not in _SENTENCE_END and not _is_chrome(line) \
        and not _labels(line) and not _LEAD_MARK_RE.match(line)


def _find_title(lines: list[str]) -> int | None:
    """Index of the title: the nearest plausible line before the first metadata line, else the first one."""
    first_meta = next((i for i, line in enumerate(lines)
                       if _header_line(line) or _LEAD_MARK_RE.match(line) or _BARE_LEAD_RE.match(line)), None)
    if first_meta is not None:
        for index in range(first_meta - 1, -1, -1):
            if _title_like(lines[index]):
                return index
        return None
    for index, line in enumerate(lines):
        if _title_like(line):
            return index
        if not _is_chrome(line):
            return None  # prose before any title-like line: no recognisable title
    return None


def recognise(text: str, name: str, keep_site: bool = False,
              fallback_title: str | None = None) -> tuple[dict[str, Any], list[str]]:
    """Recognise the article in scraped plain text; return (article mapping, dropped chrome lines)."""
    lines = [_clean(line) for line in text.split("\n")]
    lines = [line for line in lines if line]
    title_index = _find_title(lines)
    if title_index is None and fallback_title:
        lines.insert(0, _clean(fallback_title))
        title_index = 0
    if title_index is None:
        raise _fail(name, "a page with a recognisable title (a short line before the metadata)", "no title")
    dropped = lines[:title_index]
    fields: dict[str, Any] = {"title": lines[title_index]}
    body: list[str] = []
    disclaimer: list[str] = []
    want_lead = False
    in_disclaimer = False
    for line in lines[title_index + 1:]:
        if _FOOTER_RE.search(line) and not _labels(line):
            dropped.append(line)
            in_disclaimer = False
            continue
        lead_mark = _LEAD_MARK_RE.match(line) or _BARE_LEAD_RE.match(line)
        if lead_mark and "lead" not in fields:
            rest = lead_mark.group(2) if lead_mark.re is _LEAD_MARK_RE else ""
            if rest:
                fields["lead"] = rest
            else:
                want_lead = True
            continue
        pairs = _labels(line)
        if pairs and (not body or not any(f in _HEADER_FIELDS for _, f, _ in pairs) or _header_line(line)):
            opened = [_apply(fields, disclaimer, word, field, value, bool(body)) for word, field, value in pairs]
            in_disclaimer = any(opened)
            if any(field == "lead" and not value for _, field, value in pairs):
                want_lead = True
            continue
        if in_disclaimer:
            disclaimer.append(line)
            continue
        if want_lead:
            fields["lead"] = line
            want_lead = False
            continue
        if not body and _is_chrome(line):
            dropped.append(line)
            continue
        body.append(line)
    if disclaimer:
        fields["disclaimer"] = "\n".join(disclaimer)
    if body:
        fields["body"] = body
    if keep_site:
        site = _site(dropped)
        if site:
            fields["publisher"] = site
    return _ordered(fields), dropped


def _apply(fields: dict[str, Any], disclaimer: list[str], word: str, field: str, value: str,
           after_body: bool) -> bool:
    """Store one labelled value; return True when it opens the disclaimer."""
    if field == "author" and word == "编辑" and after_body:
        field = "compiled_by"
    if field == "disclaimer":
        if value:
            disclaimer.append(value)
        return True
    if not value or field in fields:
        return False
    if field == "date":
        date = iso_date(value)
        if date:
            fields["date"] = date
    elif field == "views":
        views = _views(value)
        if views is not None:
            fields["views"] = views
    elif field == "source":
        source = _source(value)
        if source:
            fields["source"] = source
    else:
        fields[field] = value
    return False


def _site(dropped: list[str]) -> dict[str, str]:
    site: dict[str, str] = {}
    for line in dropped:
        phone = _phone(line) if _PHONE_RE.search(line) else None
        if phone and "phone" not in site:
            site["phone"] = phone
        elif not phone and "name" not in site and not _FOOTER_RE.search(line) and not _NAV_RE.search(line):
            site["name"] = line
    return site


_ORDER = ("title", "date", "category", "author", "views", "publisher", "lead", "body", "source", "compiled_by",
          "disclaimer", "template")


def _ordered(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: fields[key] for key in _ORDER if key in fields}


# ---------------------------------------------------------------- HTML

def _from_html(html: str, name: str, keep_site: bool) -> tuple[dict[str, Any], list[str]]:
    import trafilatura  # parses the given string only; never fetches anything

    text = trafilatura.extract(html, include_comments=False, include_tables=False, include_links=False,
                               favor_precision=True, deduplicate=False) or ""
    meta = trafilatura.extract_metadata(html)
    title = getattr(meta, "title", None) if meta is not None else None
    if not text.strip():
        raise _fail(name, "an HTML page with article text", "no main text")
    lines = [_clean(line) for line in text.split("\n") if _clean(line)]
    if title and (not lines or _clean(lines[0]) != _clean(title)) and _find_title(lines) is None:
        text = f"{title}\n{text}"
    fields, dropped = recognise(text, name, keep_site, fallback_title=title)
    if meta is not None:
        if "date" not in fields and getattr(meta, "date", None):
            date = iso_date(str(meta.date))
            if date:
                fields["date"] = date
        if "author" not in fields and getattr(meta, "author", None):
            fields["author"] = str(meta.author)
        if keep_site and "publisher" not in fields and getattr(meta, "sitename", None):
            fields["publisher"] = {"name": str(meta.sitename)}
    return _ordered(fields), dropped


# ---------------------------------------------------------------- entry point

def import_page(raw: bytes, name: str, keep_site: bool = False) -> tuple[dict[str, Any], list[str]]:
    """Import one scraped page (text or HTML bytes) into an article mapping and the dropped chrome lines.

    Raises ArticleError (exit code 3) for binary, empty or title-less input.
    """
    text = decode_page(raw, name)
    if _is_html(text):
        return _from_html(text, name, keep_site)
    return recognise(text, name, keep_site)
