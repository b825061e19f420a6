"""Reading files: plain text and Markdown, JSON Lines (optionally gzipped) and HTML pages,
one ``Article`` per file or record, or a ``SourceError``; never raises for a bad file.

Every offset produced here and downstream refers to ``Article.text``: the decoded
original text of the file (or of the JSON Lines record's ``text`` field), so a quote
can always be shown in place.

The steps of reading, one module each in ``quotetrack.sources``:

- ``files.iter_paths(paths)``: files and folders -> input files (or ``SourceError``), sorted.
- ``decoding.decode(data)``: bytes -> (text, encoding); never raises.
- ``formats.read_path(path)``: one file -> ``Article`` objects (one per JSON Lines record) or
  ``SourceError`` objects; never raises for a bad file.
- ``formats.iter_articles(paths)``: both of the above, streaming.
- ``layout.make_article(path, text, ...)``: build an ``Article`` from text already in memory,
  its body separated from page furniture.
- ``dates.parse_date(s)``: a date as the source wrote it -> ISO day.

Body / furniture separation works line by line with general rules (no per-site
special cases): a line is a paragraph unless it is page furniture (player widgets,
"Advertisement", copyright lines, photo credits, bylines, author bios, short lines
without sentence punctuation or quotation marks, a caption printed twice, ...).
When unsure, a line stays in the body.
"""
from __future__ import annotations

import gzip
import json
import os
import re
import zlib
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Iterator

from ..records import Article
from .dates import _placeholder_date, parse_date
from .decoding import _bom, decode
from .files import _JSONL_SUFFIXES, SourceError, _clean_text, _error, _os_reason, display_path, iter_paths
from .layout import make_article


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
