"""Finding input files: files and folders -> input files (or ``SourceError``), sorted,
and the one-line errors every reader reports a bad file or record with."""
from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator


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

PAGE_SUFFIXES = (".html", ".htm")
INPUT_SUFFIXES = (".txt", ".md", ".jsonl", ".jsonl.gz", *PAGE_SUFFIXES)
_JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
#: files beside articles that describe them (``quotetrack.sources.metadata``), not articles
METADATA_NAMES = ("metadata.csv", "metadata.tsv", "metadata.jsonl")


def _wanted(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(INPUT_SUFFIXES) and lower not in METADATA_NAMES


def iter_paths(paths: Iterable[str | os.PathLike]) -> Iterator[Path | SourceError]:
    """Expand files and folders into input files, in a deterministic order.

    Folders are walked recursively in name order; hidden entries (".name") are skipped,
    symbolic links are followed but every real directory is walked once (so loops and
    aliases are skipped silently); only ``.txt .md .jsonl .jsonl.gz .html .htm`` files
    (any case) are taken from folders, not ``metadata.jsonl``, and not what a browser
    saved beside a page (the folder ``NAME_files`` beside ``NAME.html``). A file named
    explicitly is always yielded, whatever its suffix. Missing paths and unreadable
    folders become ``SourceError`` items.
    """
    for item, _root in iter_inputs(paths):
        yield item


def iter_inputs(paths: Iterable[str | os.PathLike]) -> Iterator[tuple[Path | SourceError, Path]]:
    """``iter_paths`` with the folder each file was found under: the folder named, or
    the folder of a file named explicitly (metadata files are looked for up to it)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    seen_dirs: set[tuple[int, int]] = set()
    for raw in paths:
        p = Path(raw)
        try:
            st = os.stat(p)
        except FileNotFoundError:
            yield _error(p, "no such file or directory"), p.parent
            continue
        except OSError as exc:
            yield _error(p, _os_reason(exc)), p.parent
            continue
        if stat.S_ISDIR(st.st_mode):
            for item in _walk(p, st, seen_dirs):
                yield item, p
        elif stat.S_ISREG(st.st_mode):
            yield p, p.parent
        else:
            yield _error(p, "not a regular file"), p.parent


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
    # "Save page as" puts a page's images, scripts, styles and frames (ads, widgets: more
    # HTML) in the folder NAME_files beside NAME.html: they are not articles
    pages = {e.name.rsplit(".", 1)[0] for e in entries if e.name.lower().endswith(PAGE_SUFFIXES)}
    entries = [e for e in entries if not (e.name.endswith("_files") and e.name[:-len("_files")] in pages)]
    entries.sort(key=lambda e: e.name)
    return entries
