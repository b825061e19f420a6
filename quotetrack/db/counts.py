"""The statements' counts and dates, kept current from their member quotes.

``statements.quote_count``, ``article_count``, ``outlet_count``, ``first_reported``,
``last_reported`` and the canonical ``text`` are denormalised from ``quote_statements``
and ``quotes``: statement grouping (:mod:`quotetrack.grouping.statements`), the page
furniture sweep and the migrations that change quotes all refresh them with
:func:`refresh_statement_counts`, which lives here, with the store, so that each of them
can.
"""
from __future__ import annotations

from typing import Iterable

from ..text import tokens

__all__ = ["refresh_statement_counts", "schema_has"]


def schema_has(db, table: str, column: str | None = None) -> bool:
    """Does ``table`` (with ``column``) exist? Remembered on ``db`` once true (tables
    and columns are never dropped), which spares a look at the schema per article."""
    known = db.__dict__.setdefault("_quotetrack_schema", set())
    if (table, column) in known:
        return True
    found = db[table].exists() and (column is None or column in db[table].columns_dict)
    if found:
        known.add((table, column))
    return found


def refresh_statement_counts(db, statement_ids: Iterable[int] | None = None) -> None:
    """Recompute ``quote_count``, ``article_count``, ``outlet_count``,
    ``first_reported`` / ``last_reported`` (earliest / latest ``published`` of a
    member quote) and the canonical ``text`` (the longest member sentence; ties go
    to the alphabetically first, so the result does not depend on ingest order) for
    the given statements, or for all of them when ``statement_ids`` is None.
    Statements left without members are deleted, unless they are the statement of a
    sentence of an original (:mod:`quotetrack.grouping.originals`): their text is that sentence."""
    sql = """
        update statements set
          quote_count = (select count(distinct qs.quote_id) from quote_statements qs
                         where qs.statement_id = statements.id),
          article_count = (select count(distinct q.article_id) from quote_statements qs
                           join quotes q on q.id = qs.quote_id where qs.statement_id = statements.id),
          outlet_count = (select count(distinct q.outlet) from quote_statements qs
                          join quotes q on q.id = qs.quote_id where qs.statement_id = statements.id),
          first_reported = (select min(q.published) from quote_statements qs
                            join quotes q on q.id = qs.quote_id where qs.statement_id = statements.id),
          last_reported = (select max(q.published) from quote_statements qs
                           join quotes q on q.id = qs.quote_id where qs.statement_id = statements.id)
    """
    if statement_ids is None:
        ids = [r[0] for r in db.execute("select id from statements").fetchall()]
    else:
        ids = list(dict.fromkeys(statement_ids))
    has_last = schema_has(db, "statements", "last_reported")
    if not has_last:
        sql = sql.replace(""",
          last_reported = (select max(q.published) from quote_statements qs
                           join quotes q on q.id = qs.quote_id where qs.statement_id = statements.id)""", "")
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        db.execute(sql + f" where id in ({', '.join('?' * len(chunk))})", chunk)
    has_text = schema_has(db, "quote_statements", "text")
    has_originals = schema_has(db, "original_sentences")
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        texts: dict[int, list[str]] = {statement_id: [] for statement_id in chunk}
        for statement_id, text in db.execute(
                f"select qs.statement_id, {'coalesce(qs.text, q.text)' if has_text else 'q.text'} "
                "from quote_statements qs join quotes q on q.id = qs.quote_id "
                f"where qs.statement_id in ({', '.join('?' * len(chunk))})", chunk):
            texts[statement_id].append(text)
        current = dict(db.execute(f"select id, text from statements where id in ({', '.join('?' * len(chunk))})",
                                  chunk).fetchall())
        sourced = dict(db.execute(
            "select statement_id, text from original_sentences where statement_id in "
            f"({', '.join('?' * len(chunk))}) order by id desc", chunk).fetchall()) if has_originals else {}
        for statement_id in chunk:
            if not texts[statement_id]:
                db.execute("update quotes set statement_id = null where statement_id = ?", [statement_id])
                if statement_id in sourced:       # a sentence of an original nobody quoted (yet)
                    if current.get(statement_id) != sourced[statement_id]:
                        db.execute("update statements set text = ? where id = ?", [sourced[statement_id], statement_id])
                    continue
                db.execute("delete from statements where id = ?", [statement_id])
                continue
            best = max(texts[statement_id], key=lambda t: (len(tokens(t)), len(t), [-ord(c) for c in t]))
            if current.get(statement_id) != best:
                db.execute("update statements set text = ? where id = ?", [best, statement_id])
