"""Page furniture across articles: quoted fragments an outlet repeats around its stories.

A sidebar of related headlines ("Graham: Senate trial ‘a circus’ Graham says …") or a
recurring box prints the same words around the same quote in many articles of one
outlet; one article alone cannot tell it from the body. Speech the news repeats ("witch
hunt") sits in different sentences each time, so the test is the quote with the text
around it (``CONTEXT`` characters each side, folded for case and spacing): printed that
way in ``MIN_ARTICLES`` or more articles of one outlet, it is furniture. Its quotes are
removed with their statement links, and the context is remembered in
``page_furniture`` so that later articles of that outlet lose it too, whatever the
order of ingest. (Layout glued into paragraphs is why whole paragraphs do not work.)
"""
from __future__ import annotations

import hashlib

import regex

from ..db import store
from . import statements

MIN_ARTICLES = 5
CONTEXT = 40
_SPACE = regex.compile(r"\s+")


def context_hash(text: str, start: int, end: int) -> str | None:
    """Hash of the quote with ``CONTEXT`` characters each side within its line, folded
    for case and spacing; None when the line gives less than ``CONTEXT`` characters
    around the quote in all ("“We will see,” she added." proves nothing by repeating)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    a = max(line_start, start - CONTEXT)
    b = min(end + CONTEXT, len(text) if line_end < 0 else line_end)
    if (start - a) + (b - end) < CONTEXT:
        return None
    return hashlib.sha1(_SPACE.sub(" ", text[a:b]).strip().casefold().encode("utf-8")).hexdigest()


def sweep(db, min_articles: int = MIN_ARTICLES) -> int:
    """Remove the quotes that are page furniture (see the module doc); returns how many.
    Removal runs in one write transaction: a quote goes with its links, or nothing
    changes; when there is nothing to remove, nothing is written."""
    if not _find(db, min_articles)[0]:
        return 0
    with store.write_transaction(db):
        doomed, new_rows = _find(db, min_articles)   # again, under the write lock
        return _remove(db, doomed, new_rows)


def _find(db, min_articles: int) -> tuple[list[int], list[tuple]]:
    """(ids of the quotes that are furniture, new rows of ``page_furniture``)."""
    conn = db.conn
    repeated = conn.execute(
        "select outlet, lower(text) from quotes where outlet is not null and outlet != '' "
        "group by outlet, lower(text) having count(distinct article_id) >= ?", [min_articles]).fetchall()
    known = conn.execute("select outlet, text from page_furniture").fetchall()
    groups = set(map(tuple, repeated)) | set(map(tuple, known))
    if not groups:
        return [], []
    remembered = {tuple(r) for r in conn.execute("select outlet, text, context_hash from page_furniture")}
    doomed: list[int] = []
    new_rows: list[tuple] = []
    for outlet, lowered in sorted(groups):
        by_context: dict[str, list[tuple[int, int]]] = {}
        for quote_id, article_id, start, end, text in conn.execute(
                "select q.id, q.article_id, q.start, q.end, a.text from quotes q join articles a on a.id = q.article_id "
                "where q.outlet = ? and lower(q.text) = ?", [outlet, lowered]):
            by_context.setdefault(context_hash(text, start, end), []).append((quote_id, article_id))
        for h, members in by_context.items():
            if h is None:
                continue
            n_articles = len({a for _, a in members})
            if (outlet, lowered, h) in remembered or n_articles >= min_articles:
                doomed.extend(q for q, _ in members)
                if (outlet, lowered, h) not in remembered:
                    new_rows.append((outlet, lowered, h, n_articles))
    return doomed, new_rows


def _remove(db, doomed: list[int], new_rows: list[tuple]) -> int:
    conn = db.conn
    conn.executemany("insert or ignore into page_furniture (outlet, text, context_hash, articles) "
                     "values (?, ?, ?, ?)", new_rows)
    affected: set[int] = set()
    for i in range(0, len(doomed), 500):
        chunk = doomed[i:i + 500]
        marks = ", ".join("?" * len(chunk))
        affected.update(r[0] for r in conn.execute(
            f"select statement_id from quote_statements where quote_id in ({marks})", chunk))
        conn.execute(f"delete from quote_statements where quote_id in ({marks})", chunk)
        conn.execute(f"delete from quotes where id in ({marks})", chunk)
    statements.refresh_statement_counts(db, sorted(affected))
    return len(doomed)
