"""Reading files: plain text and Markdown, JSON Lines (optionally gzipped) and HTML pages,
one ``Article`` per file or record, or a ``SourceError``; never raises for a bad file.

Every offset produced here and downstream refers to ``Article.text``: the decoded
original text of the file (or of the JSON Lines record's ``text`` field), so a quote
can always be shown in place.

The steps of reading, one module each in ``quotetrack.sources``:

- ``files.iter_paths(paths)``: files and folders -> input files (or ``SourceError``), sorted.
- ``decoding.decode(data)``: bytes -> (text, encoding); never raises.
- ``pages.read_page(html)``: a saved web page -> the article's text and metadata (trafilatura).
- ``metadata.FolderMetadata``: the metadata files beside articles (``metadata.csv`` ...).
- ``formats.read_path(path)``: one file -> ``Article`` objects (one per JSON Lines record) or
  ``SourceError`` objects; never raises for a bad file.
- ``formats.iter_articles(paths)``: all of the above, streaming.
- ``layout.make_article(path, text, ...)``: build an ``Article`` from text already in memory,
  its body separated from page furniture.
- ``dates.parse_date(s)``: a date as the source wrote it -> ISO day.

Metadata comes, in this order of precedence: from a JSON Lines record's own fields, from a
metadata file beside the file, from the page's markup (HTML), from the text (layout), and
the date last from the file name ("2019-10-09-storm.txt").

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
from pathlib import Path
from typing import Iterable, Iterator

from ..records import Article, Original
from .dates import date_in_name, parse_date, publication_date
from .decoding import _bom, decode
from .files import (_JSONL_SUFFIXES, PAGE_SUFFIXES, SourceError, _clean_text, _error, _os_reason, display_path,
                    iter_inputs)
from .layout import make_article
from .metadata import FolderMetadata
from .pages import read_page


# --------------------------------------------------------------------------- reading files


def read_path(path: str | os.PathLike, metadata: dict | None = None, *,
              originals: bool = False) -> Iterator[Article | Original | SourceError]:
    """Read one file: one Article for a text file or page, one per record for JSON Lines.
    ``metadata`` (title, outlet, author, published, url: a metadata file's entry for the
    file) wins over what the page or the text gives, not over a JSON Lines record's fields.
    ``originals``: every JSON Lines record is an :class:`Original` (``originals add``)."""
    p = Path(path)
    name = p.name.lower()
    metadata = metadata or {}
    if name.endswith(_JSONL_SUFFIXES):
        yield from _read_jsonl(p, metadata, originals)
        return
    # a saved page holds much more than its article (scripts, styles, inline images)
    limit = MAX_PAGE_BYTES if name.endswith(PAGE_SUFFIXES) else 4 * MAX_ARTICLE_CHARS
    try:
        with open(p, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > limit:          # more than an article can be made of: not read
                yield _error(p, _too_large(f"{_size(size)}"))
                return
            data = fh.read(limit + 1)
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
    page: dict = {}
    is_html = bool(_HTML_START.match(text) or (name.endswith(_HTML_SUFFIXES) and _HTML_TAG.search(text, 0, 65536)))
    if is_html:
        try:
            text, page = read_page(text)
        except Exception as exc:  # noqa: BLE001 - a library's failure on one page must not end the batch
            yield _error(p, f"HTML page not read: {type(exc).__name__}: {exc}".splitlines()[0])
            return
    if not text.strip():
        yield _error(p, "no article text in the HTML page" if is_html and data.strip() else "empty file")
        return
    if len(text) > MAX_ARTICLE_CHARS:
        yield _error(p, _too_large(f"{len(text):,} characters"))
        return
    article = make_article(display_path(p), text, encoding=encoding, **{**page, **metadata})
    if is_html and not article.paragraphs:         # only a menu, a headline, a "Home" link
        yield _error(p, "no article text in the HTML page")
        return
    yield _dated(article, p)


def _dated(article: Article, p: Path) -> Article:
    """The date the file name starts with, for an article nothing else dates."""
    if not article.published:
        article.published = date_in_name(p.name)
    return article


#: The largest HTML page read (as trafilatura's own default limit).
MAX_PAGE_BYTES = 20_000_000

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

_HTML_SUFFIXES = (*PAGE_SUFFIXES, ".xhtml")
_HTML_START = re.compile(r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])",
                         re.I | re.S)
_HTML_TAG = re.compile(r"<(?:html|head|body|p|div|br|span|a|h[1-6]|script|style|article|section|meta|title)[\s/>]", re.I)
def iter_articles(paths: Iterable[str | os.PathLike]) -> Iterator[Article | SourceError]:
    """Articles (and errors) from files and folders, one file at a time, with what the
    metadata files beside them say (a bad metadata file's errors come before the first
    article it was read for)."""
    metadata = FolderMetadata()
    for item, root in iter_inputs(paths):
        if isinstance(item, SourceError):
            yield item
            continue
        fields, errors = metadata.lookup(item, root)
        yield from errors
        yield from read_path(item, fields)


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


def _read_jsonl(p: Path, metadata: dict, originals: bool = False) -> Iterator[Article | Original | SourceError]:
    """Records of a JSON Lines file: an Article each, or an Original for a record marked
    ``"original": true`` (or ``"kind": "original"``), or for every record when
    ``originals``; an Original also reads ``speaker`` and ``lang``."""
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
                if originals or rec.get("original") is True or _field(rec, "kind") == "original":
                    yield Original(display_path(p), text, speaker=_field(rec, "speaker"),
                                   published=publication_date(date) if date else None,
                                   lang=_field(rec, "lang", "language"), url=_field(rec, "url"),
                                   title=_field(rec, "title"), line=lineno)
                    continue
                yield _dated(make_article(
                    display_path(p), text, encoding=encoding,
                    title=_field(rec, "title") or metadata.get("title"),
                    outlet=_field(rec, "outlet") or metadata.get("outlet"),
                    author=_field(rec, "author") or metadata.get("author"),
                    published=(publication_date(date) if date else None) or metadata.get("published"),
                    url=_field(rec, "url") or metadata.get("url"), record_id=_field(rec, "id"), line=lineno,
                ), p)
    except (OSError, EOFError, zlib.error) as exc:
        reason = _os_reason(exc) if isinstance(exc, OSError) else (str(exc) or type(exc).__name__)
        if isinstance(exc, EOFError):
            reason = "file ends unexpectedly (truncated gzip)"
        yield _error(p, reason, lineno + 1 if lineno or records else None)
        return
    if records == 0:
        yield _error(p, "empty file")


def read_originals(path: str | os.PathLike, *, speaker: str | None = None, published: str | None = None,
                   lang: str | None = None, url: str | None = None) -> Iterator[Original | SourceError]:
    """One file as originals (``quotetrack originals add``): a text file or page is one,
    each JSON Lines record one. The options say who published it, when, in which
    language and where; a record's own fields ("speaker", "date", "lang", "url") win
    over them. A file is an error when no speaker is known."""
    for item in read_path(path, originals=True):
        if isinstance(item, SourceError):
            yield item
            continue
        if isinstance(item, Article):
            # a plain file's first line is not a title to trust, nor a date in its text its
            # date; a saved page's own title, address and date are
            page = item.path.lower().endswith(PAGE_SUFFIXES)
            item = Original(item.path, item.text, published=item.published if page else None,
                            url=item.url if page else None, title=item.title if page else None, line=item.line)
        item.speaker = item.speaker or speaker
        item.published = item.published or (publication_date(published) if published else None)
        item.lang = item.lang or lang
        item.url = item.url or url
        if not item.speaker:
            yield _error(Path(path), "no speaker: give --speaker or a \"speaker\" field", item.line)
            continue
        if item.published and not parse_date(item.published):
            yield _error(Path(path), f"date {item.published!r} is not a date (YYYY-MM-DD)", item.line)
            continue
        yield item
