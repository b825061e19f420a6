"""Group quotes that render the same underlying statement.

A *statement* is what a speaker actually said once; each quote in an article is one
rendering of it (verbatim, truncated, reworded, translated). Quotes are linked to
statements through ``quote_statements`` and, for faceting, ``quotes.statement_id``
points at the quote's main statement.

The pairwise judgement is :func:`quotetrack.variants.same_statement`; this module
only decides which statements to compare a new quote with and keeps the
denormalised counts on ``statements`` up to date.
"""
from __future__ import annotations

from typing import Iterable

from . import variants

__all__ = ["assign_statements", "refresh_statement_counts"]


def _candidates(db, speaker_id):
    """Statements a quote by ``speaker_id`` may belong to: the speaker's own and
    the speakerless ones (for a speakerless quote: only the speakerless ones),
    most quoted first."""
    if speaker_id is None:
        where, params = "speaker_id is null", []
    else:
        where, params = "speaker_id = ? or speaker_id is null", [speaker_id]
    return db.execute(
        f"select id, text, speaker_id from statements where {where} "
        "order by (speaker_id is null), quote_count desc, id",
        params,
    ).fetchall()


def _member_texts(db, speaker_id) -> dict[int, list[str]]:
    """Texts of the member quotes of every candidate statement, in one query."""
    if speaker_id is None:
        where, params = "s.speaker_id is null", []
    else:
        where, params = "s.speaker_id = ? or s.speaker_id is null", [speaker_id]
    members: dict[int, list[str]] = {}
    for statement_id, text in db.execute(
        "select qs.statement_id, q.text from quote_statements qs "
        "join quotes q on q.id = qs.quote_id join statements s on s.id = qs.statement_id "
        f"where {where} order by q.id",
        params,
    ):
        members.setdefault(statement_id, []).append(text)
    return members


def _longer(a: str, b: str) -> bool:
    """Is ``a`` a better canonical text than ``b`` (more words, then more characters)?"""
    return (len(variants.tokens(a)), len(a)) > (len(variants.tokens(b)), len(b))


def assign_statements(db, quote_ids: Iterable[int]) -> list[int]:
    """Link each quote in ``quote_ids`` to a statement, creating statements as needed.

    For every quote not yet linked: compare its text with the canonical text and
    the member quotes of each candidate statement (same speaker, plus statements
    with no speaker) using :func:`variants.same_statement`; link it to the first
    match, or create a new statement whose canonical text is the quote's text.
    The canonical text is always the longest member. A speakerless statement
    adopts the speaker of the first attributed quote that joins it.

    Counts (``quote_count``, ``article_count``, ``outlet_count``,
    ``first_reported``) are recomputed for every touched statement. Idempotent:
    quotes that already have a ``quote_statements`` row are left alone. Runs in
    the caller's transaction if there is one (``store.save_article`` calls it
    inside its own). Returns the ids of the touched statements.
    """
    touched: list[int] = []
    with db.atomic():
        for quote_id in quote_ids:
            row = db.execute(
                "select id, text, speaker_id from quotes where id = ?", [quote_id]
            ).fetchone()
            if row is None:
                continue
            _, text, speaker_id = row
            existing = db.execute(
                "select statement_id from quote_statements where quote_id = ? order by rowid limit 1",
                [quote_id],
            ).fetchone()
            if existing:
                db.execute(
                    "update quotes set statement_id = ? where id = ? and statement_id is null",
                    [existing[0], quote_id],
                )
                continue
            match = None
            candidates = _candidates(db, speaker_id)
            members = _member_texts(db, speaker_id) if candidates else {}
            for st_id, st_text, st_speaker in candidates:
                if variants.same_statement(text, st_text) or any(
                    variants.same_statement(text, m) for m in members.get(st_id, ()) if m != st_text
                ):
                    match = (st_id, st_text, st_speaker)
                    break
            if match is None:
                statement_id = db["statements"].insert(
                    {"text": text, "speaker_id": speaker_id}
                ).last_pk
            else:
                statement_id, st_text, st_speaker = match
                updates = {}
                if _longer(text, st_text):
                    updates["text"] = text
                if st_speaker is None and speaker_id is not None:
                    updates["speaker_id"] = speaker_id
                if updates:
                    db["statements"].update(statement_id, updates)
            db["quote_statements"].insert(
                {"quote_id": quote_id, "statement_id": statement_id}, ignore=True
            )
            db.execute("update quotes set statement_id = ? where id = ?", [statement_id, quote_id])
            if statement_id not in touched:
                touched.append(statement_id)
        refresh_statement_counts(db, touched)
    return touched


def refresh_statement_counts(db, statement_ids: Iterable[int] | None = None) -> None:
    """Recompute ``quote_count``, ``article_count``, ``outlet_count`` and
    ``first_reported`` (earliest ``published`` of a member quote) for the given
    statements, or for all of them when ``statement_ids`` is None."""
    sql = """
        update statements set
          quote_count = (select count(*) from quote_statements qs
                         where qs.statement_id = statements.id),
          article_count = (select count(distinct q.article_id) from quote_statements qs
                           join quotes q on q.id = qs.quote_id where qs.statement_id = statements.id),
          outlet_count = (select count(distinct q.outlet) from quote_statements qs
                          join quotes q on q.id = qs.quote_id where qs.statement_id = statements.id),
          first_reported = (select min(q.published) from quote_statements qs
                            join quotes q on q.id = qs.quote_id where qs.statement_id = statements.id)
    """
    if statement_ids is None:
        db.execute(sql)
        return
    ids = list(statement_ids)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        db.execute(sql + f" where id in ({', '.join('?' * len(chunk))})", chunk)
