"""Find input files, decode them, separate the article body from page furniture,
and read title / outlet / author / date where the text gives them.

Every offset produced here and downstream refers to ``Article.text``: the decoded
original text of the file (or of the JSON Lines record's ``text`` field), so a quote
can always be shown in place.

Public functions:

- ``iter_paths(paths)``: files and folders -> input files (or ``SourceError``), sorted.
- ``read_path(path)``: one file -> ``Article`` objects (one per JSON Lines record) or
  ``SourceError`` objects; never raises for a bad file.
- ``iter_articles(paths)``: both of the above, streaming.
- ``decode(data)``: bytes -> (text, encoding); never raises.
- ``make_article(path, text, ...)``: build an ``Article`` from text already in memory.

Body / furniture separation works line by line with general rules (no per-site
special cases): a line is a paragraph unless it is page furniture (player widgets,
"Advertisement", copyright lines, photo credits, bylines, author bios, short lines
without sentence punctuation or quotation marks, a caption printed twice, ...).
When unsure, a line stays in the body.
"""
from __future__ import annotations

import datetime as _dt
import gzip
import functools
import hashlib
import json
import os
import re
import stat
import unicodedata
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Iterator

import regex as _regex

__all__ = [
    "Article",
    "SourceError",
    "INPUT_SUFFIXES",
    "iter_paths",
    "read_path",
    "iter_articles",
    "decode",
    "make_article",
    "parse_date",
]

# --------------------------------------------------------------------------- records


@dataclass
class Article:
    path: str                      # file the article came from (a .jsonl file for records)
    text: str                      # decoded original text; all offsets point into it
    paragraphs: list[tuple[int, int]] = field(default_factory=list)  # body paragraphs (start, end) in text, furniture removed
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    published: str | None = None   # ISO date YYYY-MM-DD (or full ISO timestamp) of publication, never a page's display date
    url: str | None = None
    record_id: str | None = None   # "id" field of a JSON Lines record
    line: int | None = None        # 1-based line number of a JSON Lines record
    encoding: str = "utf-8"
    # (start, end) of the headline line in ``text`` when the text carries one (not part of
    # ``paragraphs``); headlines can hold attributions ("Sanders: ... 'candidate of ...'").
    title_span: tuple[int, int] | None = None

    @property
    def where(self) -> str:
        """Where it came from, for error lines: ``path``, or ``path:line`` for a JSON Lines record."""
        return f"{self.path}:{self.line}" if self.line else self.path

    @property
    def body(self) -> str:
        """The body paragraphs joined with newlines (furniture removed)."""
        return "\n".join(self.text[s:e] for s, e in self.paragraphs)

    @functools.cached_property
    def content_hash(self) -> str:
        """Identity of an article: its body text, whitespace-normalised, not its path."""
        if self.paragraphs:
            body = "\n".join(" ".join(self.text[s:e].split()) for s, e in self.paragraphs)
        else:
            body = " ".join(self.text.split())
        body = unicodedata.normalize("NFC", body)
        return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass
class SourceError:
    path: str
    message: str                    # one line: what is wrong with this file
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


def _error(path, message, line: int | None = None) -> SourceError:
    return SourceError(display_path(path), " ".join(str(message).split()) or "error", line)


_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def display_path(path) -> str:
    """A path as printable, storable text: bytes that are not UTF-8 (surrogate-escaped
    by the OS layer) become ``\\xNN`` and control characters (a newline in a file name)
    ``\\n``/``\\xNN``, so a message stays one line and the path can go into SQLite."""
    try:
        s = os.fsencode(path).decode("utf-8", "backslashreplace")
    except (TypeError, UnicodeError):
        s = _clean_text(str(path))
    if _CONTROL.search(s):
        s = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), s)
    return s


def _clean_text(s: str) -> str:
    """Lone surrogates (JSON ``"\\ud800"``) cannot be encoded as UTF-8 (SQLite, spaCy,
    hashing would all fail): replace each with U+FFFD, keeping offsets unchanged."""
    return _SURROGATE.sub("\ufffd", s) if _SURROGATE.search(s) else s


def _os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


# --------------------------------------------------------------------------- finding files

INPUT_SUFFIXES = (".txt", ".md", ".jsonl", ".jsonl.gz")
_JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")


def _wanted(name: str) -> bool:
    return name.lower().endswith(INPUT_SUFFIXES)


def iter_paths(paths: Iterable[str | os.PathLike]) -> Iterator[Path | SourceError]:
    """Expand files and folders into input files, in a deterministic order.

    Folders are walked recursively in name order; hidden entries (".name") are skipped,
    symbolic links are followed but every real directory is walked once (so loops and
    aliases are skipped silently); only ``.txt .md .jsonl .jsonl.gz`` files (any case)
    are taken from folders. A file named explicitly is always yielded, whatever its
    suffix. Missing paths and unreadable folders become ``SourceError`` items.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    seen_dirs: set[tuple[int, int]] = set()
    for raw in paths:
        p = Path(raw)
        try:
            st = os.stat(p)
        except FileNotFoundError:
            yield _error(p, "no such file or directory")
            continue
        except OSError as exc:
            yield _error(p, _os_reason(exc))
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(p, st, seen_dirs)
        elif stat.S_ISREG(st.st_mode):
            yield p
        else:
            yield _error(p, "not a regular file")


def _walk(root: Path, root_stat: os.stat_result, seen: set) -> Iterator[Path | SourceError]:
    """Depth-first walk in name order. Symbolically linked folders are walked after the
    real tree (so files are reported under their real paths), each real folder once."""
    key = (root_stat.st_dev, root_stat.st_ino)
    if key in seen:
        return
    seen.add(key)
    pending: list[str] = [str(root)]          # folders still to walk: the root, then linked ones
    while pending:
        top = pending.pop(0)
        entries = _list_dir(Path(top))
        if isinstance(entries, SourceError):
            yield entries
            continue
        stack: list[list] = [[entries, 0]]    # (sorted entries, next index) per open folder
        while stack:
            frame = stack[-1]
            entries, i = frame
            if i >= len(entries):
                stack.pop()
                continue
            frame[1] = i + 1
            entry = entries[i]
            try:
                is_dir = entry.is_dir()          # follows symbolic links
            except OSError:
                is_dir = False
            if is_dir:
                try:
                    st = entry.stat()
                    link = entry.is_symlink()
                except OSError as exc:
                    yield _error(entry.path, _os_reason(exc))
                    continue
                key = (st.st_dev, st.st_ino)
                if key in seen:                  # a symlink loop, or a folder already walked
                    continue
                if link:
                    pending.append(entry.path)   # decided later: its target may be walked anyway
                    continue
                seen.add(key)
                sub = _list_dir(Path(entry.path))
                if isinstance(sub, SourceError):
                    yield sub
                elif sub:
                    stack.append([sub, 0])
            elif _wanted(entry.name):
                try:
                    is_file = entry.is_file()
                except OSError:
                    is_file = False
                if is_file:
                    yield Path(entry.path)
                elif entry.is_symlink():
                    yield _error(entry.path, "broken symbolic link")
        # mark linked folders seen only when their turn comes
        while pending:
            try:
                st = os.stat(pending[0])
            except OSError as exc:
                yield _error(pending.pop(0), _os_reason(exc))
                continue
            key = (st.st_dev, st.st_ino)
            if key in seen:
                pending.pop(0)
                continue
            seen.add(key)
            break


def _list_dir(d: Path):
    try:
        with os.scandir(d) as it:
            entries = [e for e in it if not e.name.startswith(".")]
    except OSError as exc:
        return _error(d, f"cannot read directory: {_os_reason(exc)}")
    entries.sort(key=lambda e: e.name)
    return entries


# --------------------------------------------------------------------------- decoding

_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
)
_ASCII = bytes(range(128))


def _bom(data: bytes):
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return bom, codec, name
    return None


def decode(data: bytes) -> tuple[str, str]:
    """Decode file bytes; returns (text, encoding name). Never raises.

    UTF-8 (a BOM is stripped, so offsets exclude it), UTF-16/32 with a BOM, strict
    UTF-8, then (for mostly-ASCII text) cp1252 when it decodes, else latin-1. Text that
    is mostly non-ASCII and not UTF-8 is handed to charset-normalizer first (Cyrillic,
    Greek, ... legacy code pages).
    """
    if not data:
        return "", "utf-8"
    bom = _bom(data)
    if bom:
        mark, codec, name = bom
        try:
            return data[len(mark):].decode(codec), name
        except UnicodeDecodeError:
            return data[len(mark):].decode(codec, errors="replace"), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data)
    if mostly:
        return mostly
    non_ascii = len(data.translate(None, _ASCII))
    if len(data) >= 64 and non_ascii > 0.2 * len(data):
        guess = _guess_legacy(data)
        if guess:
            return guess
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _mostly_utf8(data: bytes):
    """UTF-8 with a few invalid bytes (a truncated or corrupted file): decode as UTF-8
    with each invalid sequence replaced by U+FFFD rather than read the whole file as
    cp1252 mojibake. Chosen when the valid multi-byte characters are at least as many
    as the invalid sequences (legacy 8-bit text almost never forms valid UTF-8)."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    if bad <= 0:
        return None
    valid = len(text) - len(text.encode("ascii", "ignore")) - text.count("\ufffd")
    if valid < bad:
        return None
    return text, f"utf-8 ({bad} invalid byte{'' if bad == 1 else 's'} replaced)"


def _guess_legacy(data: bytes):
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(data[:200_000]).best()
        if best is None or not best.encoding:
            return None
        enc = best.encoding
        norm = enc.replace("-", "_").lower()
        if norm.startswith("utf") or norm in ("ascii", "cp1252", "windows_1252", "latin_1", "iso8859_1"):
            return None
        return data.decode(enc, errors="replace"), enc
    except Exception:  # noqa: BLE001 - decoding must never raise
        return None


# --------------------------------------------------------------------------- reading files


def read_path(path: str | os.PathLike) -> Iterator[Article | SourceError]:
    """Read one file: one Article for a text file, one per record for JSON Lines."""
    p = Path(path)
    name = p.name.lower()
    if name.endswith(_JSONL_SUFFIXES):
        yield from _read_jsonl(p)
        return
    try:
        with open(p, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > 4 * MAX_ARTICLE_CHARS:          # more than any encoding can fit: don't read it
                yield _error(p, _too_large(f"{_size(size)}"))
                return
            data = fh.read(4 * MAX_ARTICLE_CHARS + 1)
    except IsADirectoryError:
        yield _error(p, "is a directory")
        return
    except FileNotFoundError:
        yield _error(p, "no such file or directory")
        return
    except OSError as exc:
        yield _error(p, _os_reason(exc))
        return
    if _looks_binary(data):
        yield _error(p, "binary file, not text")
        return
    text, encoding = decode(data)
    meta: dict = {}
    is_html = bool(_HTML_START.match(text) or (name.endswith(_HTML_SUFFIXES) and _HTML_TAG.search(text, 0, 65536)))
    if is_html:
        text, meta = html_to_text(text)
    if not text.strip():
        yield _error(p, "no text in the HTML page" if is_html and data.strip() else "empty file")
        return
    if len(text) > MAX_ARTICLE_CHARS:
        yield _error(p, _too_large(f"{len(text):,} characters"))
        return
    yield make_article(display_path(p), text, encoding=encoding, **meta)


#: The longest article read (in characters of decoded text, about 80,000 words; news
#: articles are rarely a tenth of that). Longer files are reported, not read: they are
#: collections to split (one article per file or JSON Lines record), and the parser
#: (spaCy's ``max_length`` is 1,000,000 characters) could not take them in one piece.
MAX_ARTICLE_CHARS = 500_000


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n:,} bytes"


def _too_large(what: str) -> str:
    return (f"too large for one article ({what}; at most {MAX_ARTICLE_CHARS:,} characters): "
            "split it into one file or JSON Lines record per article")


_CONTROL_BYTES = bytes([*range(0, 9), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])


def _looks_binary(data: bytes) -> bool:
    """NUL bytes, many control bytes or a PDF header in the first 8 KB (text with a
    UTF-16/32 BOM excepted)."""
    head = data[:8192]
    if _bom(head):
        return False
    if b"\x00" in head or head.startswith(b"%PDF-"):
        return True
    return len(head) - len(head.translate(None, _CONTROL_BYTES)) > 0.1 * len(head)


# --------------------------------------------------------------------------- HTML

_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_HTML_START = re.compile(r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])",
                         re.I | re.S)
_HTML_TAG = re.compile(r"<(?:html|head|body|p|div|br|span|a|h[1-6]|script|style|article|section|meta|title)[\s/>]", re.I)
# Elements whose content is never article text (void elements must not be listed).
_HTML_SKIP = frozenset("script style noscript template svg math iframe object canvas select textarea "
                       "button nav aside form".split())
_HTML_BLOCK = frozenset("p div br li ul ol dl dd dt h1 h2 h3 h4 h5 h6 tr table thead tbody tfoot blockquote "
                        "section article header footer main figure figcaption pre hr address caption "
                        "details summary center".split())
_HTML_META = {"og:site_name": "outlet", "application-name": "outlet", "author": "author",
              "article:author": "author", "article:published_time": "published", "date": "published",
              "pubdate": "published", "dc.date": "published", "og:url": "url"}


class _HTMLText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.skip: list[str] = []           # open elements whose text is dropped
        self.in_head = False
        self.grab: str | None = None        # "title" or "h1" while inside one
        self.grabbed: dict[str, list[str]] = {}
        self.meta: dict[str, str] = {}

    def _flush(self):
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag == "head":
            self.in_head = True
        elif tag == "body":
            self.in_head, self.skip = False, []
        elif tag == "meta":
            a = {k.lower(): (v or "") for k, v in attrs}
            key = _HTML_META.get((a.get("property") or a.get("name") or "").lower())
            if key and a.get("content", "").strip() and key not in self.meta:
                self.meta[key] = a["content"].strip()
        elif tag in _HTML_SKIP:
            self.skip.append(tag)
        if tag in ("title", "h1") and tag not in self.grabbed:
            self.grab = tag
            self.grabbed[tag] = []
        if tag in _HTML_BLOCK:
            self._flush()
        elif tag == "q":                  # browsers show <q> with quotation marks
            self.handle_data("“")

    def handle_startendtag(self, tag, attrs):
        if tag in _HTML_SKIP:           # <svg/>: nothing to skip
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False
        elif tag in _HTML_SKIP and tag in self.skip:
            while self.skip and self.skip.pop() != tag:
                pass
        if tag == self.grab:
            self.grab = None
        if tag in _HTML_BLOCK:
            self._flush()
        elif tag == "q":
            self.handle_data("”")

    def handle_data(self, data):
        if self.grab and not self.skip:
            self.grabbed[self.grab].append(data)
        if not self.in_head and not self.skip:
            self.current.append(data)


def html_to_text(html: str) -> tuple[str, dict]:
    """The visible text of an HTML page: one paragraph per block element, separated by
    blank lines; scripts, styles, forms, navigation and the ``<head>`` dropped; character
    references decoded. Returns (text, metadata) where metadata may hold ``title`` (the
    first ``<h1>``, else ``<title>``), ``outlet``, ``author``, ``published`` and ``url``
    from ``<meta>`` tags. Offsets of quotes in such an article point into this text."""
    parser = _HTMLText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - html.parser is lenient; never fail a file on markup
        pass
    parser._flush()
    text = "\n\n".join(parser.blocks)
    meta: dict = {k: v for k, v in parser.meta.items()}
    if meta.get("published"):
        meta["published"] = parse_date(meta["published"]) or meta["published"]
    for tag in ("h1", "title"):
        title = " ".join("".join(parser.grabbed.get(tag, [])).split())
        if title:
            meta["title"] = title
            break
    meta = {k: _clean_text(v) for k, v in meta.items()}
    return (text + "\n" if text else ""), meta


def iter_articles(paths: Iterable[str | os.PathLike]) -> Iterator[Article | SourceError]:
    """Articles (and errors) from files and folders, one file at a time."""
    for item in iter_paths(paths):
        if isinstance(item, SourceError):
            yield item
        else:
            yield from read_path(item)


def _field(rec: dict, *names: str) -> str | None:
    for name in names:
        v = rec.get(name)
        if v is None or isinstance(v, (dict, list)):
            continue
        if isinstance(v, bool):
            continue
        s = _clean_text(str(v).strip())
        if s:
            return s
    return None


def _read_jsonl(p: Path) -> Iterator[Article | SourceError]:
    gz = p.name.lower().endswith(".gz")
    lineno = 0
    records = 0
    try:
        fh = gzip.open(p, "rb") if gz else open(p, "rb")
    except IsADirectoryError:
        yield _error(p, "is a directory")
        return
    except FileNotFoundError:
        yield _error(p, "no such file or directory")
        return
    except OSError as exc:
        yield _error(p, _os_reason(exc))
        return
    try:
        with fh:
            if _looks_binary(fh.peek(8192)[:8192]):
                yield _error(p, "binary file, not JSON Lines")
                return
            for raw in fh:
                lineno += 1
                if not raw.strip():
                    continue
                records += 1
                line, encoding = decode(raw)
                try:
                    rec = json.loads(line)
                except ValueError as exc:
                    msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
                    col = f" (column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
                    yield _error(p, f"invalid JSON: {msg}{col}", lineno)
                    continue
                if not isinstance(rec, dict):
                    yield _error(p, "record is not a JSON object", lineno)
                    continue
                text = rec.get("text")
                if not isinstance(text, str):
                    yield _error(p, 'record has no string "text" field', lineno)
                    continue
                if not text.strip():
                    yield _error(p, "empty text", lineno)
                    continue
                if len(text) > MAX_ARTICLE_CHARS:
                    yield _error(p, _too_large(f"{len(text):,} characters"), lineno)
                    continue
                text = _clean_text(text)
                date = _field(rec, "date", "published")
                published = (parse_date(date) or (None if _placeholder_date(date) else date)) if date else None
                yield make_article(
                    display_path(p), text, encoding=encoding,
                    title=_field(rec, "title"), outlet=_field(rec, "outlet"),
                    author=_field(rec, "author"), published=published,
                    url=_field(rec, "url"), record_id=_field(rec, "id"), line=lineno,
                )
    except (OSError, EOFError, zlib.error) as exc:
        reason = _os_reason(exc) if isinstance(exc, OSError) else (str(exc) or type(exc).__name__)
        if isinstance(exc, EOFError):
            reason = "file ends unexpectedly (truncated gzip)"
        yield _error(p, reason, lineno + 1 if lineno or records else None)
        return
    if records == 0:
        yield _error(p, "empty file")


# --------------------------------------------------------------------------- dates

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|rsday|urday)?\.?,?"
_DATE_RES = [
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)"),
    re.compile(_MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})(?!\d)", re.I),
    re.compile(r"(?<!\d)(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+(?P<y>\d{4})(?!\d)", re.I),
    re.compile(r"(?<![\d/])(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}|\d{2})(?![\d/])"),
]
# A line that is nothing but a date (page display date, Wikinews dateline): "Tuesday, April 30, 2024".
_DATE_LINE = re.compile(
    r"(?:" + _WEEKDAY + r"\s*)?(?:"
    r"\d{4}-\d{1,2}-\d{1,2}"
    r"|" + _MONTH.replace("?P<mon>", "?:") + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTH.replace("?P<mon>", "?:") + r",?\s+\d{4}"
    r"|\d{1,2}/\d{1,2}/\d{4}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTH.replace("?P<mon>", "?:") +
    r"|" + _MONTH.replace("?P<mon>", "?:") + r"\s+\d{1,2}(?:st|nd|rd|th)?"
    r")(?:\s*(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?)?\s*",
    re.I,
)


EARLIEST_YEAR = 1800   # earlier "publication dates" are placeholders of a content system


def _placeholder_date(s: str) -> bool:
    """ "0001-11-30": an ISO date with a year no article was published in."""
    m = re.match(r"\s*(\d{1,4})-\d{1,2}-\d{1,2}", s)
    return m is not None and int(m.group(1)) < EARLIEST_YEAR


def parse_date(s: str | None) -> str | None:
    """The first date in ``s`` as ISO ``YYYY-MM-DD``, or None."""
    if not s:
        return None
    best = None
    for rx in _DATE_RES:
        m = rx.search(s)
        if not m or (best and m.start() >= best[0]):
            continue
        g = m.groupdict()
        try:
            year = int(g["y"])
            if len(g["y"]) == 2:       # "10/18/16": a content system's short year
                year += 2000 if year <= _dt.date.today().year % 100 + 1 else 1900
            day = int(g["d"])
            if g.get("mon"):
                month = _MONTHS[g["mon"].lower()[:3]]
            else:
                month = int(g["m"])
                if rx is _DATE_RES[3] and month > 12 >= day:   # 31/12/2023: day first
                    month, day = day, month
            if year < EARLIEST_YEAR:
                continue   # "0001-11-30": a placeholder, not a publication date
            iso = _dt.date(year, month, day).isoformat()
        except (ValueError, KeyError):
            continue
        best = (m.start(), iso)
    return best[1] if best else None


# --------------------------------------------------------------------------- body / furniture

_LINE = re.compile(r"\S[^\r\n\u2028\u2029]*")
# Sentence-final punctuation (optionally followed by closing quotes / brackets).
_TERMINAL = re.compile(r"(?:[.!?…:;।。！？—][\"'”’»)\]]*(?:\s*[\[(][^\[\]()]{1,40}[\])])?|[\"”’»])\s*$")
_SENTENCE_END = re.compile(r"[.!?…।。！？][\"'”’»)\]]*\s*$")
_BULLET = re.compile(r"[-–•*·]\s+\S")
# Transcript turns: "HILLARY CLINTON: I think the science is real", "Q: Why?"
_SPEAKER_TURN = _regex.compile(r"\p{Lu}[\p{Lu}\p{M}.'’ \-]{0,40}:\s+\S")
# The source line under a quotation block: "Noah Feldman, Bloomberg", "— Troy Roberts".
_SOURCE_LINE = _regex.compile(r"[-–—]*\s*\p{Lu}[\p{L}\p{M}'’.\-]*(?:\s+[\p{L}\p{M}'’.\-]+){1,4}(?:\s*,\s*[\p{L}\p{M}\d&'’. \-]{2,60})?")
_ENDS_WITH_QUOTE = re.compile(r"[\"”»]\s*$")
# Photo credit lines ("Ramon Espinosa/Pool", "AFP via Getty Images") that sit between the two
# copies of a caption.
_CREDITISH = re.compile(r"(?i)/|\b(?:getty|afp|reuters|ap|pool|images?|photo\w*|shutterstock|epa|via|courtesy|file|staff|caption|credit)\b")
_QUOTE = re.compile(r"[\"“”«»„‟‹›]|‘|(?:^|\s)'\w")
_STARTS_LOWER = _regex.compile(r"[\p{Ll}]")
_ENDS_CONTINUATION = re.compile(r"(?:[,\-–—(]|\b(?:the|a|an|and|or|of|to|in|on|for|with|by|at|from|that|who|which|as|but|is|are|was|were|said)\s*)$", re.I)
# More than one sentence on a line (for headline detection): ". T" not after an initial/abbreviation.
_TWO_SENTENCES = re.compile(r"(?<!\b[A-Z])(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\bSt)(?<!\bMrs)(?<!\bJr)(?<!\bSr)(?<!\bGov)(?<!\bSen)(?<!\bRep)[.!?][\"'”’]?\s+[\"“‘']?[A-Z]")

# "WASHINGTON (Reuters) - ...", "MEXICO CITY, Mexico — ...": a story's first sentence, not a headline.
_DATELINE = re.compile(r"[A-Z][A-Z.]+(?:[ ,]+[A-Z][\w.]*)*\s*(?:\([^)]{1,40}\))?\s*[-–—]\s")
# '"We will act," the ministry said.': a quotation followed by its cue, not a headline.
_QUOTE_THEN_CUE = _regex.compile(r"[,!?…][\"”’]\s+(?:\p{Ll}|\p{Lu}[\w.]*(?:\s+\p{Lu}[\w.]*)?\s+(?:said|says|told|added|wrote|asked|stated|declared))")

_FURNITURE = re.compile(
    r"""(?ix)
    [-–—•*|·\s]*
    (?: play\ live\ radio | next\ up:? | available\ on\ air\ stations | listen(?:\ live)?
      | (?:\d{1,2}:\d{2}(?::\d{2})?\s*)+                     # player clock "0:00 0:00"
      | advertisements? | ad | ads | sponsored(?:\ content)? | story\ continues\ below(?:\ advertisement)?
      | advertisement\ continue\ reading\ the\ main\ story | continue\ reading(?:\ the\ main\ story)?
      | must\ read | trending(?:\ today|\ now|\ stories)? | archives? | spot_img | author | authors
      | most\ (?:read|popular|viewed) | popular\ (?:posts|stories) | related(?:\ (?:articles?|stories|posts|content|coverage))?:?
      | (?:share|tweet|email|print|comments?)(?:\ (?:this|on\ \w+))?(?:\ (?:article|story|page))?
      | (?:subscribe|sign\ up|log\ ?in|sign\ in)(?:\ now)?
      | skip\ to\ (?:main\ )?content | toggle\ caption | enlarge\ this\ image | image | photo | video | caption
      | read\ more | see\ more | load\ more | show\ more | view\ comments | leave\ a\ comment
    )
    [-–—•*|·\s:]*
    """
)
# Teasers for other articles: "Also Read: ...", "READ MORE: ...".
_TEASER = re.compile(r"(?i)[-–—•*\s]*(?:also\s+read|read\s+also|read\s+more|read\s+next|see\s+also|more\s+from\s+[\w ]{1,30}|related(?:\s+(?:articles?|stories|coverage|content|news))?|recommended|don['’]t\s+miss|watch|listen|click\s+here(?:\s+for\s+[\w ]{1,30})?)\s*[:>|»]")
_CREDIT = re.compile(r"(?i)^[\[(]?(?:photo|image|picture|video)s?(?:\s+(?:credits?|by))?\s*[:|/]")
_COPYRIGHT = re.compile(r"(?i)^(?:copyright\s*(?:©|\(c\))?\s*(?:\d{4}|©)|©|\(c\)\s*\d{4})")
_COPYRIGHT_HOLDER = re.compile(
    r"(?i)^(?:copyright\s*(?:©|\(c\))?|©|\(c\))\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*[,.]?\s*(?:by\s+)?"
    r"(?P<holder>[^.|]+?)\s*(?:[.|]|,?\s*all\s+rights\s+reserved|$)"
)
_URL = re.compile(r"https?://(?:www\.)?([\w.-]+\.[a-z]{2,})", re.I)
_URL_LINE = re.compile(r"(?i)\s*(?:https?://|www\.)\S+\s*")
_STAMP = re.compile(r"(?i)^(?P<kind>(?:last\s+|first\s+|originally\s+)?(?:updated|published|posted|modified))\b(?:\s+on\b)?\s*:?\s*(?P<rest>.*)$")
_TEMPERATURE = re.compile(r"-?\d{1,3}(?:[.,]\d+)?\s*°?\s*[CF]\b\.?\s*")
_BYLINE = re.compile(r"(?i)^by\s+(?P<name>.+)$")
_NAME = _regex.compile(
    r"\p{Lu}[\p{L}\p{M}'’.\-]*(?:\s+(?:\p{Lu}[\p{L}\p{M}'’.\-]*|de|da|del|della|di|du|van|von|der|den|la|le|bin|ibn|al|el|dos|das|y))+"
)
_DATE_PREFIX = re.compile(r"\A\s*date:?[ \t]+(\d{4}-\d{1,2}-\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?[ \t\xa0]*")

def _ends(rx: re.Pattern, s: str):
    """Search an end-anchored pattern in the tail of ``s`` only (lines can be long)."""
    return rx.search(s, len(s) - 80) if len(s) > 80 else rx.search(s)


# line kinds
_BODY, _FURN, _TITLE = 0, 1, 2


class _Line:
    __slots__ = ("start", "end", "s", "blank_before", "kind", "words", "flag")

    def __init__(self, start: int, end: int, s: str, blank_before: bool):
        self.start, self.end, self.s, self.blank_before = start, end, s, blank_before
        self.kind = _BODY
        self.flag = ""
        self.words = len(s.split()) if len(s) < 300 else 100   # long lines: "many"


def _split_lines(text: str, begin: int) -> list[_Line]:
    lines: list[_Line] = []
    prev_end = begin
    for m in _LINE.finditer(text, begin):
        s = m.group().rstrip()
        start = m.start()
        gap = text[prev_end:start]
        breaks = gap.count("\n") or gap.count("\r") or (gap.count("\u2028") + gap.count("\u2029"))
        lines.append(_Line(start, start + len(s), s, breaks >= 2 or not lines))
        prev_end = start + len(s)
    return lines


def _join_continuations(text: str, lines: list[_Line]) -> list[_Line]:
    """Re-join a sentence broken over several lines (hard wraps, stray line breaks)."""
    out: list[_Line] = []
    for ln in lines:
        if out:
            prev = out[-1]
            if (not _ends(_TERMINAL, prev.s)
                    and (_STARTS_LOWER.match(ln.s) or (not ln.blank_before and _ends(_ENDS_CONTINUATION, prev.s)
                                                       and prev.words >= 6))
                    and not _FURNITURE.fullmatch(prev.s) and not _FURNITURE.fullmatch(ln.s)
                    and not _STAMP.match(ln.s) and not _COPYRIGHT.match(ln.s)):
                merged = _Line(prev.start, ln.end, text[prev.start:ln.end], prev.blank_before)
                merged.words = prev.words + ln.words
                out[-1] = merged
                continue
        out.append(ln)
    return out


def _norm(s: str) -> str:
    return " ".join(s.casefold().split()).rstrip(".!?;:, ")


def _clean_name(s: str) -> str | None:
    s = re.split(r"\s+(?:[|•·—–]|-)\s+|,|\s+\|\s*|\s+(?:for|of|at|on)\s+|\s+(?:updated|published|posted)\b", s.strip(), maxsplit=1, flags=re.I)[0]
    s = s.strip(" \t.:;-–—|")
    if not s or len(s) > 80 or not any(c.isalpha() for c in s) or any(c.isdigit() for c in s):
        return None
    return s


def _outlet_from_copyright(s: str) -> str | None:
    m = _COPYRIGHT_HOLDER.match(s)
    if not m:
        return None
    holder = m.group("holder").strip(" ,;:-–—")
    holder = re.sub(r"(?i)\s*,?\s*all\s+rights\s+reserved.*$", "", holder).strip()
    if not holder or len(holder) > 60 or not any(c.isalpha() for c in holder) or holder.lower().startswith(("http", "www")):
        return None
    return holder


def _outlet_from_url(s: str) -> str | None:
    m = _URL.search(s)
    if not m:
        return None
    host = m.group(1).lower().rstrip(".")
    parts = host.split(".")
    label = parts[-3] if len(parts) >= 3 and parts[-2] in ("co", "com", "org", "net", "gov", "ac") else parts[-2] if len(parts) >= 2 else host
    return label.upper() if len(label) <= 4 else host


class _Layout:
    __slots__ = ("paragraphs", "title", "title_span", "published", "outlet", "author")

    def __init__(self):
        self.paragraphs: list[tuple[int, int]] = []
        self.title = self.title_span = self.published = self.outlet = self.author = None


def _layout(text: str, title_hint: str | None = None) -> _Layout:
    out = _Layout()
    begin = 0
    m = _DATE_PREFIX.match(text)
    date_prefix = False
    if m:
        iso = parse_date(m.group(1))
        if iso:
            out.published = iso
            begin = m.end()
            date_prefix = True
    lines = _join_continuations(text, _split_lines(text, begin))
    if not lines:
        return out

    published_stamp: str | None = None     # "Published/Posted ..." lines
    updated_stamp: str | None = None       # "Updated ..." lines
    outlets: list[tuple[int, str]] = []    # (rank, name)
    author_byline = author_bio = author_repeat = None
    widget_left = 0

    # --- pass 1: per-line rules
    for ln in lines:
        s = ln.s
        if widget_left:
            widget_left -= 1
            if ln.words <= 5 and not _ends(_TERMINAL, s):
                ln.kind, ln.flag = _FURN, "widget"
                continue
            widget_left = 0
        if _FURNITURE.fullmatch(s):
            ln.kind, ln.flag = _FURN, "known"
            continue
        if _TEMPERATURE.fullmatch(s):
            ln.kind, ln.flag = _FURN, "widget"
            widget_left = 2          # a weather widget: city and display date follow
            continue
        if ln.words <= 40 and _COPYRIGHT.match(s):
            ln.kind, ln.flag = _FURN, "copyright"
            holder = _outlet_from_copyright(s)
            if holder:
                outlets.append((0 if s[:9].lower() == "copyright" else 1, holder))
            host = _outlet_from_url(s)
            if host:
                outlets.append((2, host))
            continue
        if ln.words <= 30 and (_TEASER.match(s) or _CREDIT.match(s)):
            ln.kind, ln.flag = _FURN, "known"
            continue
        if _URL_LINE.fullmatch(s):
            ln.kind, ln.flag = _FURN, "known"
            continue
        if ln.words <= 16:
            st = _STAMP.match(s)
            iso = parse_date(st.group("rest")) if st else None
            if st and (iso or not _ends(_SENTENCE_END, s)):
                ln.kind, ln.flag = _FURN, "stamp"
                if iso:
                    if st.group("kind").lower().endswith(("updated", "modified")):
                        updated_stamp = updated_stamp or iso
                    else:
                        published_stamp = published_stamp or iso
                continue
            if _DATE_LINE.fullmatch(s):
                ln.kind, ln.flag = _FURN, "date"
                continue
            if ln.words <= 10 and s[:3].lower() == "by ":
                b = _BYLINE.match(s)
                if b:
                    name = _clean_name(b.group("name"))
                    if name and all(_NAME.fullmatch(x) for x in re.split(r"\s+(?:and|&)\s+", name)):
                        ln.kind, ln.flag = _FURN, "byline"
                        author_byline = author_byline or name
                        continue
        if (ln.words <= 8 and not _ends(_TERMINAL, s) and not _QUOTE.search(s)
                and not (ln.words >= 4 and _BULLET.match(s)) and not _SPEAKER_TURN.match(s)):
            ln.kind, ln.flag = _FURN, "short"

    # --- title: the first headline-like line before the body starts
    _find_title(lines, out, title_hint, date_prefix)

    # --- pass 2: names, author bios, repeated captions
    n = len(lines)
    for i, ln in enumerate(lines):
        if ln.kind == _TITLE or ln.words > 5 or ln.flag in ("known", "widget", "date", "copyright", "stamp"):
            continue
        if not _NAME.fullmatch(ln.s) or any(c.isdigit() for c in ln.s):
            continue
        nxt = lines[i + 1] if i + 1 < n else None
        if nxt is None:
            continue
        if nxt.s == ln.s:
            ln.kind = nxt.kind = _FURN
            ln.flag = nxt.flag = "byline"
            author_repeat = author_repeat or ln.s
            continue
        # "Eyder Peralta" + "Eyder Peralta is an international correspondent ...": an author
        # bio, only near the end of the article
        if (nxt.s.startswith(ln.s) and re.match(r"\s+is\s+(?:a|an|the)\b", nxt.s[len(ln.s):])
                and not ln.s.startswith(("The ", "A ", "An ")) and _tail_body_lines(lines, i + 2) <= 2):
            ln.kind = nxt.kind = _FURN
            ln.flag, nxt.flag = "byline", "bio"
            author_bio = author_bio or ln.s
    _drop_repeated_captions(lines)
    # --- keep short lines that belong to the text: the source under a quotation block, the
    # lead-in of a bulleted list
    for i, ln in enumerate(lines):
        if ln.flag == "short" and ln.kind == _FURN:
            prev = lines[i - 1] if i else None
            if (prev is not None and prev.kind == _BODY and _ends(_ENDS_WITH_QUOTE, prev.s)
                    and _SOURCE_LINE.fullmatch(ln.s)):
                ln.kind, ln.flag = _BODY, "source"
            elif i + 1 < n and lines[i + 1].kind == _BODY and _BULLET.match(lines[i + 1].s) and not _BULLET.match(ln.s):
                ln.kind, ln.flag = _BODY, "lead-in"

    # --- published: a date line right below the headline (Wikinews style), never a widget date
    if out.title_span is not None and not (out.published or published_stamp):
        for j, ln in enumerate(lines):
            if ln.start == out.title_span[0]:
                if j + 1 < n and lines[j + 1].flag == "date":
                    published_dateline = parse_date(lines[j + 1].s)
                    if published_dateline:
                        published_stamp = published_dateline
                break

    out.published = out.published or published_stamp or updated_stamp
    if outlets:
        out.outlet = min(outlets, key=lambda x: x[0])[1]
    out.author = author_byline or author_bio or author_repeat
    out.paragraphs = [(ln.start, ln.end) for ln in lines if ln.kind == _BODY]
    return out


def _tail_body_lines(lines: list[_Line], start: int) -> int:
    return sum(1 for ln in lines[start:] if ln.kind == _BODY)


def _is_candidate(ln: _Line) -> bool:
    return (ln.flag in ("", "short") and 1 <= ln.words <= 30 and len(ln.s) <= 250
            and not ln.s.endswith(":") and not _URL_LINE.fullmatch(ln.s))


def _find_title(lines: list[_Line], out: _Layout, hint: str | None, date_prefix: bool) -> None:
    if hint:
        out.title = " ".join(hint.split())
        nh = _norm(hint)
        for ln in lines[:15]:
            if abs(len(ln.s) - len(hint)) <= 12 and _norm(ln.s) == nh:
                ln.kind = _TITLE
                out.title_span = (ln.start, ln.end)
                break
        return      # the record names its title: no guessing which other line might be one
    first = lines[0]
    cands: list[_Line] = []
    # A one-sentence headline that ends with punctuation ("Trump fires up G.O.P. base.") is
    # only taken as the title from the very first line of a text file.
    if (not date_prefix and first.flag == "" and first.kind == _BODY
            and 2 <= first.words <= 20 and len(first.s) <= 200 and len(lines) > 1
            and not first.s.endswith(":") and not _TWO_SENTENCES.search(first.s)
            and not _DATELINE.match(first.s) and not _QUOTE_THEN_CUE.search(first.s)):
        cands.append(first)
    else:
        for ln in lines[:15]:
            if ln.flag not in ("", "short"):
                continue            # furniture, dates, bylines, widgets, credits
            if ln.kind == _BODY and (_ends(_SENTENCE_END, ln.s) or ln.words >= 30):
                break               # the body has started
            if _is_candidate(ln) and ln.words >= 2:
                cands.append(ln)
        if not cands:
            return
        # a short tag line ("Cuba Relations Russia") above a longer headline: prefer the headline
        if cands[0].words < 5:
            for c in cands[1:4]:
                if c.words >= 5 and c.words <= 25 and not _QUOTE.search(c.s):
                    cands.insert(0, c)
                    break
    t = cands[0]
    t.kind = _TITLE
    out.title_span = (t.start, t.end)
    out.title = " ".join(t.s.split())


def _drop_repeated_captions(lines: list[_Line]) -> None:
    """A photo caption is often printed twice around its credit lines: drop both copies."""
    n = len(lines)
    for i, ln in enumerate(lines):
        if ln.kind != _BODY or ln.words < 4:
            continue
        for j in range(i + 1, min(n, i + 7)):
            other = lines[j]
            if other.s == ln.s:
                between = lines[i + 1:j]
                if (between and all(b.kind == _FURN for b in between)
                        and any(_CREDITISH.search(b.s) for b in between)):
                    ln.kind = other.kind = _FURN
                    ln.flag = other.flag = "caption"
                break
            if other.kind == _BODY and other.words >= 4:
                break


def make_article(path: str, text: str, *, encoding: str = "utf-8", title: str | None = None,
                 outlet: str | None = None, author: str | None = None, published: str | None = None,
                 url: str | None = None, record_id: str | None = None, line: int | None = None) -> Article:
    """Build an Article from decoded text: body paragraphs plus metadata.

    Metadata passed in (JSON Lines fields) wins over what the text gives.
    """
    lay = _layout(text, title_hint=title)
    return Article(
        path=path, text=text, paragraphs=lay.paragraphs,
        title=title or lay.title, outlet=outlet or lay.outlet, author=author or lay.author,
        published=published or lay.published, url=url, record_id=record_id, line=line,
        encoding=encoding, title_span=lay.title_span,
    )
