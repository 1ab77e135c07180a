"""Shared test helpers: read PDFs like a reader does (text, pages, fonts, glyphs) and watch the network.

Nothing here imports the renderer: the checks read the bytes a user would get, so they cannot agree
with the code under test by construction.
"""

from __future__ import annotations

import io
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
import pikepdf
from fontTools.pens.boundsPen import ControlBoundsPen
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"  # the project's shared spec and fixtures, beside the checkout
SPEC = SHARED / "spec" / "article.md"

A4_PT = (595.28, 841.89)
RARE_NAMES = "堃喆镕赟彧䶮"  # name characters outside GB 2312 (䶮 is in Extension A)

_WHITESPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Text with every kind of whitespace (spaces, newlines, U+3000) removed, for order-only comparisons."""
    return _WHITESPACE.sub("", text)


def gb2312_chars(rows: range = range(0xA1, 0xF8)) -> list[str]:
    """Every character of GB 2312 in the given rows (lead bytes), decoded with Python's gb2312 codec."""
    found = []
    for lead in rows:
        for trail in range(0xA1, 0xFF):
            try:
                found.append(bytes([lead, trail]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return found


def gb2312_row1() -> str:
    """The punctuation and symbols of GB 2312 row 1 (bytes 0xA1A1–0xA1FE)."""
    return "".join(gb2312_chars(range(0xA1, 0xA2)))


# --------------------------------------------------------------------------------------------
# Text and geometry with pdfplumber


@dataclass(frozen=True)
class Line:
    """One line of text on a page, with its vertical position in points from the top."""

    text: str
    top: float
    bottom: float


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    text: str
    lines: tuple[Line, ...]


def read_pages(data: bytes) -> list[Page]:
    """Every page of a PDF: size, whole text and lines (top to bottom) as pdfplumber extracts them."""
    pages = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            lines = tuple(
                Line(line["text"], float(line["top"]), float(line["bottom"]))
                for line in page.extract_text_lines()
            )
            pages.append(Page(float(page.width), float(page.height), page.extract_text() or "", lines))
    return pages


def pdf_text(data: bytes) -> str:
    """All text of a PDF, pages joined by newlines."""
    return "\n".join(page.text for page in read_pages(data))


# --------------------------------------------------------------------------------------------
# Fonts with pikepdf


def _font_dicts(resources: pikepdf.Dictionary, seen: set[tuple[int, int]]) -> Iterator[tuple[str, pikepdf.Dictionary]]:
    fonts = resources.get("/Font")
    if fonts is not None:
        for name, font in fonts.items():
            yield name, font
    xobjects = resources.get("/XObject")
    if xobjects is not None:
        for xobject in xobjects.values():
            key = xobject.objgen
            if key in seen or xobject.get("/Subtype") != "/Form" or "/Resources" not in xobject:
                continue
            seen.add(key)
            yield from _font_dicts(xobject.Resources, seen)


def font_resources(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every distinct font dictionary used by any page or form XObject."""
    found: dict[tuple[int, int], pikepdf.Dictionary] = {}
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        for _, font in _font_dicts(page.Resources, seen):
            found.setdefault(font.objgen, font)
    return list(found.values())


def descriptor_of(font: pikepdf.Dictionary) -> pikepdf.Dictionary:
    """The FontDescriptor of a simple font, or of the descendant of a Type0 font."""
    if font.Subtype == "/Type0":
        return font.DescendantFonts[0].FontDescriptor
    return font.FontDescriptor


def embedded_program(font: pikepdf.Dictionary) -> pikepdf.Stream | None:
    """The embedded font program stream (FontFile, FontFile2 or FontFile3), or None."""
    descriptor = descriptor_of(font)
    for key in ("/FontFile", "/FontFile2", "/FontFile3"):
        if key in descriptor:
            return descriptor[key]
    return None


# --------------------------------------------------------------------------------------------
# Missing-glyph check: which glyph does every character in the PDF select, and is it a real one?


def _hex_bytes(token: str) -> bytes:
    return bytes.fromhex(token)


def _utf16(token: str) -> str:
    return _hex_bytes(token).decode("utf-16-be")


_CMAP_SECTION = re.compile(r"begin(bfchar|bfrange|cidchar|cidrange)(.*?)end\1", re.S)
_HEX = r"<([0-9A-Fa-f]+)>"


def parse_to_unicode(data: bytes) -> dict[int, str]:
    """A ToUnicode CMap as {code: text}."""
    mapping: dict[int, str] = {}
    text = data.decode("latin-1")
    for kind, body in _CMAP_SECTION.findall(text):
        if kind == "bfchar":
            for source, target in re.findall(_HEX + r"\s*" + _HEX, body):
                mapping[int(source, 16)] = _utf16(target)
        elif kind == "bfrange":
            for start, stop, rest in re.findall(_HEX + r"\s*" + _HEX + r"\s*(\[[^\]]*\]|<[0-9A-Fa-f]+>)", body):
                low, high = int(start, 16), int(stop, 16)
                if rest.startswith("["):
                    targets = re.findall(_HEX, rest)
                    for offset, target in enumerate(targets):
                        mapping[low + offset] = _utf16(target)
                else:
                    first = _hex_bytes(rest[1:-1])
                    for offset in range(high - low + 1):
                        value = int.from_bytes(first, "big") + offset
                        mapping[low + offset] = value.to_bytes(len(first), "big").decode("utf-16-be")
    return mapping


def parse_cid_cmap(data: bytes) -> dict[int, int]:
    """An embedded encoding CMap (cidchar / cidrange) as {code: CID}; unmapped codes select CID 0."""
    mapping: dict[int, int] = {}
    text = data.decode("latin-1")
    for kind, body in _CMAP_SECTION.findall(text):
        if kind == "cidchar":
            for source, cid in re.findall(_HEX + r"\s*(\d+)", body):
                mapping[int(source, 16)] = int(cid)
        elif kind == "cidrange":
            for start, stop, cid in re.findall(_HEX + r"\s*" + _HEX + r"\s*(\d+)", body):
                for offset in range(int(stop, 16) - int(start, 16) + 1):
                    mapping[int(start, 16) + offset] = int(cid) + offset
    return mapping


@dataclass
class EmbeddedFont:
    """A Type0 font of a PDF, read the way a viewer reads it: code → CID → glyph id, code → text."""

    name: str
    program: TTFont
    to_unicode: dict[int, str]
    encoding: dict[int, int] | None  # None: Identity-H (code = CID)
    cid_to_gid: bytes | None  # None: Identity
    cid_keyed_cff: bool

    @classmethod
    def from_pdf(cls, font: pikepdf.Dictionary) -> EmbeddedFont:
        assert font.Subtype == "/Type0", f"{font.get('/BaseFont')}: only Type0 fonts are expected, got {font.Subtype}"
        descendant = font.DescendantFonts[0]
        stream = embedded_program(font)
        assert stream is not None, f"{font.get('/BaseFont')}: font not embedded"
        program = TTFont(io.BytesIO(stream.read_bytes()))
        encoding_obj = font.Encoding
        if isinstance(encoding_obj, pikepdf.Name):
            assert encoding_obj == "/Identity-H", f"unexpected encoding {encoding_obj}"
            encoding = None
        else:
            encoding = parse_cid_cmap(encoding_obj.read_bytes())
        cid_to_gid = None
        if descendant.Subtype == "/CIDFontType2":
            raw = descendant.get("/CIDToGIDMap", pikepdf.Name.Identity)
            cid_to_gid = None if isinstance(raw, pikepdf.Name) else raw.read_bytes()
        cid_keyed = "CFF " in program and hasattr(program["CFF "].cff.topDictIndex[0], "ROS")
        return cls(
            name=str(font.get("/BaseFont", "?")),
            program=program,
            to_unicode=parse_to_unicode(font.ToUnicode.read_bytes()) if "/ToUnicode" in font else {},
            encoding=encoding,
            cid_to_gid=cid_to_gid,
            cid_keyed_cff=cid_keyed,
        )

    def glyph_id(self, code: int) -> int | None:
        """The glyph a viewer draws for a 2-byte code (None when the CID has no glyph in the charset)."""
        cid = code if self.encoding is None else self.encoding.get(code, 0)
        if self.cid_to_gid is not None:
            pair = self.cid_to_gid[2 * cid : 2 * cid + 2]
            return int.from_bytes(pair, "big") if len(pair) == 2 else 0
        if self.cid_keyed_cff:
            # ISO 32000 9.7.4.2: for a CID-keyed CFF the CID selects a glyph through the charset.
            name = ".notdef" if cid == 0 else f"cid{cid:05d}"
            return self._gid_by_name.get(name)
        return cid

    @property
    def _gid_by_name(self) -> dict[str, int]:
        cached = self.__dict__.get("_gids")
        if cached is None:
            cached = self.__dict__["_gids"] = {name: gid for gid, name in enumerate(self.program.getGlyphOrder())}
        return cached


def glyph_problem(program: TTFont, gid: int | None, text: str) -> str | None:
    """Why glyph gid of a font program is not a real glyph for text, or None when it is one.

    A missing glyph is: no glyph at all, gid 0 (.notdef), a gid beyond the font's glyphs, or an
    empty outline where the text holds a visible character.
    """
    shown = f"{text!r} ({', '.join(f'U+{ord(c):04X}' for c in text)})"
    if gid is None:
        return f"{shown}: the CID selects no glyph"
    if gid == 0:
        return f"{shown}: drawn with .notdef (glyph 0)"
    order = program.getGlyphOrder()
    if gid >= len(order):
        return f"{shown}: glyph {gid} beyond the font's {len(order)} glyphs"
    if text and not text.isspace():
        glyphs = program.getGlyphSet()
        pen = ControlBoundsPen(glyphs)
        glyphs[order[gid]].draw(pen)
        if pen.bounds is None:
            return f"{shown}: glyph {gid} has an empty outline"
    return None


@dataclass
class GlyphReport:
    """What the text of a PDF selects: (font, code) pairs used, and every missing glyph."""

    used: dict[str, set[int]] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _strings(operator: str, operands: list) -> list[bytes]:
    if operator in ("Tj", "'"):
        return [bytes(operands[0])]
    if operator == '"':
        return [bytes(operands[2])]
    if operator == "TJ":
        return [bytes(item) for item in operands[0] if isinstance(item, pikepdf.String)]
    return []


def _walk_text(stream_owner: pikepdf.Object, resources: pikepdf.Dictionary, emit, seen: set) -> None:
    current = None
    for operands, operator in pikepdf.parse_content_stream(stream_owner):
        op = str(operator)
        if op == "Tf":
            current = resources.Font[operands[0]]
        elif op in ("Tj", "TJ", "'", '"'):
            assert current is not None, "text shown before any Tf"
            for raw in _strings(op, list(operands)):
                emit(current, raw)
        elif op == "Do":
            xobject = resources.XObject[operands[0]]
            if xobject.get("/Subtype") == "/Form" and xobject.objgen not in seen:
                seen.add(xobject.objgen)
                _walk_text(xobject, xobject.get("/Resources", resources), emit, seen)


def check_glyphs(data: bytes) -> GlyphReport:
    """Map every code that the PDF's text shows to its glyph and report the missing ones."""
    report = GlyphReport()
    fonts: dict[tuple[int, int], EmbeddedFont] = {}
    with pikepdf.open(io.BytesIO(data)) as pdf:

        def emit(font_dict: pikepdf.Dictionary, raw: bytes) -> None:
            key = font_dict.objgen
            if key not in fonts:
                fonts[key] = EmbeddedFont.from_pdf(font_dict)
            font = fonts[key]
            used = report.used.setdefault(font.name, set())
            assert len(raw) % 2 == 0, f"{font.name}: odd-length string in a 2-byte encoding"
            for index in range(0, len(raw), 2):
                used.add(int.from_bytes(raw[index : index + 2], "big"))

        for page in pdf.pages:
            _walk_text(page, page.Resources, emit, set())

        for font in fonts.values():
            for code in sorted(report.used[font.name]):
                text = font.to_unicode.get(code, "")
                report.texts.append(text)
                problem = glyph_problem(font.program, font.glyph_id(code), text)
                if problem is not None:
                    report.problems.append(f"{font.name} code {code:04X}: {problem}")
    return report


# --------------------------------------------------------------------------------------------
# Network watching


class ListeningPost:
    """A TCP listener on 127.0.0.1 (random port) in a thread, recording every connection it accepts."""

    def __init__(self) -> None:
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.server.settimeout(0.1)
        self.port: int = self.server.getsockname()[1]
        self.connections: list[tuple[str, int]] = []
        self.requests: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=f"listening-post-{self.port}", daemon=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, address = self.server.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            self.connections.append(address)
            with conn:
                conn.settimeout(0.5)
                try:
                    self.requests.append(conn.recv(4096))
                    conn.sendall(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    pass

    def __enter__(self) -> ListeningPost:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.server.close()


@contextmanager
def network_guard() -> Iterator[list[object]]:
    """Record (and refuse) every attempt of this process to open a TCP/UDP connection or resolve a name."""
    attempts: list[object] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo, real_create = socket.getaddrinfo, socket.create_connection

    def connect(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(address)
            raise ConnectionRefusedError(f"network access during a test: {address}")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(address)
            return 111
        return real_connect_ex(self, address)

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        attempts.append(host)
        raise socket.gaierror(f"name lookup during a test: {host}")

    def create_connection(address: object, *args: object, **kwargs: object) -> object:
        attempts.append(address)
        raise ConnectionRefusedError(f"network access during a test: {address}")

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
    socket.create_connection = create_connection  # type: ignore[assignment]
    try:
        yield attempts
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = real_getaddrinfo
        socket.create_connection = real_create


# ------------------------------------------------------------------------------------------------
# GB/T 9704 geometry, read independently of publisher.check: em boxes from baselines, in millimetres.

MM = 72 / 25.4


@dataclass(frozen=True)
class GLine:
    """Characters on one baseline: em-box top and bottom, left and right ends, fonts and fill colour."""

    page: int
    text: str
    size: float
    top: float
    bottom: float
    x0: float
    x1: float
    fonts: frozenset[str]
    colors: frozenset[tuple]

    @property
    def centre_x(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class GRule:
    page: int
    top: float
    height: float
    x0: float
    x1: float
    color: tuple


def geometry(data: bytes) -> tuple[list[GLine], list[GRule], int]:
    """Lines and filled rules of every page, and the page count."""
    lines: list[GLine] = []
    rules: list[GRule] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            height = float(page.height)
            groups: dict[float, list[dict]] = {}
            for char in page.chars:
                if char["text"].strip():
                    groups.setdefault(round(height - float(char["matrix"][5]), 1), []).append(char)
            for baseline, chars in sorted(groups.items()):
                chars.sort(key=lambda c: c["x0"])
                size = max(float(c["size"]) for c in chars)
                lines.append(GLine(
                    number, "".join(c["text"] for c in chars), round(size, 2),
                    (baseline - 0.88 * size) / MM, (baseline + 0.12 * size) / MM,
                    chars[0]["x0"] / MM, chars[-1]["x1"] / MM,
                    frozenset(c["fontname"].split("+")[-1] for c in chars),
                    frozenset(tuple(c["non_stroking_color"] or ()) for c in chars),
                ))
            for rect in page.rects:
                if rect["height"] / MM < 2 and rect["width"] / MM > 50:
                    rules.append(GRule(number, rect["top"] / MM, rect["height"] / MM, rect["x0"] / MM,
                                       rect["x1"] / MM, tuple(rect["non_stroking_color"] or ())))
        return lines, rules, len(pdf.pages)


def find_line(lines: list[GLine], fragment: str, page: int | None = None) -> GLine:
    """The first line holding fragment (on page, if given)."""
    for line in lines:
        if fragment in line.text and (page is None or line.page == page):
            return line
    raise AssertionError(f"no line holds {fragment!r}")


def is_print_red(color: tuple) -> bool:
    """Red as the standard asks: CMYK with M and Y at least 80 %."""
    return len(color) == 4 and color[1] >= 0.8 and color[2] >= 0.8 and color[0] <= 0.2 and color[3] <= 0.2
