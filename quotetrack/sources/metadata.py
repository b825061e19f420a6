"""Metadata files beside articles: ``metadata.csv``, ``metadata.tsv`` or ``metadata.jsonl``
in a folder maps file names to title, outlet, author, date and URL.

A CSV or TSV file has a header row naming its columns; a JSON Lines file has one object
per line. ``file`` names the article file, relative to the metadata file's folder (a
bare file name for a file beside it, ``2019/storm.txt`` for one in a subfolder). The
other columns are ``title``, ``outlet``, ``author``, ``date`` and ``url``, and a few
synonyms (``headline``, ``source``/``publisher``/``site``, ``authors``/``byline``,
``published``, ``link``); columns of any other name are ignored, and so are empty
values. A file is described by the metadata file nearest to it: in its own folder,
else in the folder above, up to the folder named on the command line.

A metadata file that cannot be used, or one of its rows, gets a one-line
``SourceError`` (the file, the line, the problem); the rest of it is used, and the
articles are read all the same.
"""
from __future__ import annotations

import csv
import io
import json
import os
import unicodedata
from pathlib import Path

from .dates import publication_date
from .decoding import decode
from .files import METADATA_NAMES, SourceError, _clean_text, _error, _os_reason

#: the fields a metadata file gives (``Article`` attributes), and the column names read as each
FIELDS = {
    "title": ("title", "headline"),
    "outlet": ("outlet", "source", "publisher", "site"),
    "author": ("author", "authors", "byline"),
    "published": ("date", "published"),
    "url": ("url", "link"),
}
FILE_COLUMNS = ("file", "filename", "path")
_COLUMN = {name: field for field, names in FIELDS.items() for name in names}
MAX_BYTES = 50_000_000


def _key(relative: str) -> str:
    return unicodedata.normalize("NFC", os.path.normpath(relative).replace(os.sep, "/"))


class FolderMetadata:
    """The metadata files of the folders articles are read from, each read once."""

    def __init__(self):
        self._folders: dict[str, dict[str, dict]] = {}

    def lookup(self, path: Path, root: Path) -> tuple[dict, list[SourceError]]:
        """The fields the nearest metadata file gives ``path`` (read from ``root``), and
        the errors of the metadata files read for the first time on the way."""
        errors: list[SourceError] = []
        folder = path.parent
        while True:
            entries = self._folder(folder, errors)
            if entries:
                fields = entries.get(_key(os.path.relpath(path, folder)))
                if fields is not None:
                    return fields, errors
            if folder == root or folder == folder.parent or not _inside(folder, root):
                return {}, errors
            folder = folder.parent

    def _folder(self, folder: Path, errors: list) -> dict[str, dict]:
        key = os.path.normpath(folder)
        if key not in self._folders:
            entries: dict[str, dict] = {}
            try:
                names = {name.lower(): name for name in os.listdir(folder) if name.lower() in METADATA_NAMES}
            except OSError:
                names = {}          # an unreadable folder is reported by the walk
            for lower in METADATA_NAMES:
                if lower in names and (folder / names[lower]).is_file():
                    for key_, fields in read_metadata(folder / names[lower], errors).items():
                        entries.setdefault(key_, fields)
            self._folders[key] = entries
        return self._folders[key]


def _inside(folder: Path, root: Path) -> bool:
    return os.path.normpath(root) in (os.path.normpath(folder), *map(os.path.normpath, folder.parents))


def read_metadata(path: Path, errors: list[SourceError]) -> dict[str, dict]:
    """The entries of one metadata file, ``{file: {field: value}}``; its problems are
    appended to ``errors``, one per line."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        errors.append(_error(path, f"metadata file not read: {_os_reason(exc)}"))
        return {}
    if len(data) > MAX_BYTES:
        errors.append(_error(path, f"metadata file larger than {MAX_BYTES // 1_000_000} MB, not read"))
        return {}
    if not data.strip():
        errors.append(_error(path, "empty metadata file"))
        return {}
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        errors.append(_error(path, "binary file, not a metadata file"))
        return {}
    text, _encoding = decode(data)
    rows = _jsonl_rows(path, text, errors) if path.name.lower().endswith(".jsonl") else \
        _table_rows(path, text, "\t" if path.name.lower().endswith(".tsv") else ",", errors)
    entries: dict[str, dict] = {}
    first_line: dict[str, int] = {}
    for line, row in rows:
        name = next((str(row[c]).strip() for c in FILE_COLUMNS if isinstance(row.get(c), (str, int))), "")
        if not name:
            errors.append(_error(path, 'no file named (the "file" value is missing or empty)', line))
            continue
        key = _key(name)
        if key in entries:
            errors.append(_error(path, f"{name} is listed twice (first on line {first_line[key]}); the first is used", line))
            continue
        fields = {}
        for column, value in row.items():
            field = _COLUMN.get(column)
            if field is None or field in fields or value is None or isinstance(value, (dict, list, bool)):
                continue
            value = " ".join(_clean_text(str(value)).split())
            if field == "published":
                value = publication_date(value)
            if value:
                fields[field] = value
        entries[key] = fields
        first_line[key] = line
    return entries


def _table_rows(path: Path, text: str, delimiter: str, errors: list):
    """(line, {column: value}) of a CSV or TSV file with a header row. A TSV field may be
    quoted as CSV is ("a ""b"" c"), or not at all."""
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting, strict=True)
    header: list[str] | None = None
    rows = []
    try:
        for values in reader:
            line = reader.line_num
            if delimiter == "\t":
                values = [_unquote(v) for v in values]
            if not any(v.strip() for v in values):
                continue
            if header is None:
                header = [" ".join(v.split()).casefold() for v in values]
                if not any(c in header for c in FILE_COLUMNS):
                    kind = "TSV" if delimiter == "\t" else "CSV"
                    errors.append(_error(path, f'no "file" column in the header (columns: {", ".join(header)[:200]}); '
                                               f"not a {kind} metadata file", line))
                    return []
                continue
            if len(values) != len(header):
                errors.append(_error(path, f"{len(values)} fields where the header has {len(header)}", line))
                continue
            rows.append((line, dict(zip(header, values))))
    except csv.Error as exc:
        errors.append(_error(path, f"not {'TSV' if delimiter == chr(9) else 'CSV'}: {exc}", reader.line_num))
    return rows


def _unquote(v: str) -> str:
    if len(v) >= 2 and v[0] == v[-1] == '"' and '"' not in v[1:-1].replace('""', ""):
        return v[1:-1].replace('""', '"')
    return v


def _jsonl_rows(path: Path, text: str, errors: list):
    rows = []
    for line, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except ValueError as exc:
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            errors.append(_error(path, f"invalid JSON: {msg}", line))
            continue
        if not isinstance(row, dict):
            errors.append(_error(path, "record is not a JSON object", line))
            continue
        rows.append((line, {" ".join(str(k).split()).casefold(): v for k, v in row.items()}))
    return rows
