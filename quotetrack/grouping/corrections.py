"""Merging and splitting statements: users' corrections (:func:`merge_statements`,
:func:`split_quote`), recorded in ``statement_corrections`` and re-applied after every
ingest (:func:`apply_corrections`), and the merge of two statements that assignment
uses too."""
from __future__ import annotations

import datetime

from ..db import store
from ..db.counts import refresh_statement_counts
from ..db.counts import schema_has as _has
from . import variants
from .terms import _index_sentence

__all__ = ["merge_statements", "split_quote", "apply_corrections", "StatementError"]


class StatementError(ValueError):
    """A correction that cannot be made (unknown statement or quote, nothing to split)."""


def _touch(db, statement_id: int) -> None:
    """Keep first/last_reported current while assigning (full refresh at the end)."""
    db.execute(
        "update statements set first_reported = (select min(q.published) from quote_statements qs "
        "join quotes q on q.id = qs.quote_id where qs.statement_id = statements.id), "
        "last_reported = (select max(q.published) from quote_statements qs "
        "join quotes q on q.id = qs.quote_id where qs.statement_id = statements.id) where id = ?",
        [statement_id])


def _unit_statement(db, quote_id: int, h: str | None) -> int | None:
    if h:
        row = db.execute("select statement_id from quote_statements where quote_id = ? and norm_hash = ? "
                         "order by rowid limit 1", [quote_id, h]).fetchone()
        if row:
            return row[0]
    row = db.execute("select statement_id from quote_statements where quote_id = ? order by rowid limit 1",
                     [quote_id]).fetchone()
    return row[0] if row else None


def _split_constraints(db) -> list[tuple[tuple[int, str], tuple[int, str]]]:
    if not _has(db, "statement_corrections"):
        return []
    return [((qa, ha), (qb, hb)) for qa, ha, qb, hb in db.execute(
        "select quote_id, quote_hash, other_quote_id, other_hash from statement_corrections "
        "where action = 'split' and other_quote_id is not null").fetchall()]


def _merge_into(db, keep: int, drop: int) -> None:
    """Move every link of statement ``drop`` to ``keep`` and delete ``drop``."""
    if keep == drop:
        return
    db.execute("insert or ignore into quote_statements (quote_id, statement_id, part, text, norm_hash, method, score) "
               "select quote_id, ?, part, text, norm_hash, method, score from quote_statements where statement_id = ?",
               [keep, drop])
    db.execute("delete from quote_statements where statement_id = ?", [drop])
    db.execute("update quotes set statement_id = ? where statement_id = ?", [keep, drop])
    db.execute("update statements set speaker_id = coalesce(speaker_id, (select speaker_id from statements "
               "where id = ?)) where id = ?", [drop, keep])
    if _has(db, "statement_terms"):
        db.execute("insert or ignore into statement_terms (speaker_id, term, prefix, statement_id) "
                   "select (select coalesce(speaker_id, 0) from statements where id = ?), term, prefix, ? "
                   "from statement_terms where statement_id = ?", [keep, keep, drop])
    if _has(db, "original_sentences"):
        db.execute("update original_sentences set statement_id = ? where statement_id = ?", [keep, drop])
    if "independent_outlets" in db["statements"].columns_dict:
        # its carriers changed: recounted by the next lineage refresh
        db.execute("update statements set independent_outlets = null where id = ?", [keep])
    db.execute("delete from statements where id = ?", [drop])
    _touch(db, keep)


def _main_statement(db, quote_id: int) -> int | None:
    """The statement of the quote's longest linked sentence."""
    best = None
    for statement_id, text, rowid in db.execute(
            "select qs.statement_id, coalesce(qs.text, q.text), qs.rowid from quote_statements qs "
            "join quotes q on q.id = qs.quote_id where qs.quote_id = ?", [quote_id]).fetchall():
        key = (len(variants.tokens(text)), len(text), -rowid)
        if best is None or key > best[0]:
            best = (key, statement_id)
    return best[1] if best else None


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _writing(db):
    """A write transaction that takes the write lock before its first read
    (``BEGIN IMMEDIATE``, see :func:`quotetrack.db.store.write_transaction`): begun
    deferred, a correction made while an ingest commits batches would fail at once with
    "database is locked" when it reaches its first write, instead of waiting its turn;
    inside a caller's transaction, a savepoint."""
    return store.write_transaction(db)


def _representative(db, statement_id: int) -> tuple[int, str | None] | None:
    row = db.execute("select quote_id, norm_hash from quote_statements where statement_id = ? "
                     "order by quote_id, rowid limit 1", [statement_id]).fetchone()
    return (row[0], row[1]) if row else None


def merge_statements(db, keep: int, drop: int) -> int:
    """Merge statement ``drop`` into ``keep`` (a user's correction), record it so
    it survives later ingests, and return ``keep``."""
    with _writing(db):
        for statement_id in (keep, drop):
            if not db.execute("select 1 from statements where id = ?", [statement_id]).fetchone():
                raise StatementError(f"no statement {statement_id}")
        if keep == drop:
            raise StatementError("cannot merge a statement with itself")
        a, b = _representative(db, keep), _representative(db, drop)
        if a is None or b is None:
            raise StatementError("statement without quotes")
        # a merge overrides earlier splits between the two
        for cid, qa, ha, qb, hb in db.execute(
                "select id, quote_id, quote_hash, other_quote_id, other_hash from statement_corrections "
                "where action = 'split'").fetchall():
            pair = {_unit_statement(db, qa, ha), _unit_statement(db, qb, hb)}
            if pair == {keep, drop}:
                db.execute("delete from statement_corrections where id = ?", [cid])
        text = db.execute("select text from statements where id = ?", [drop]).fetchone()[0]
        db["statement_corrections"].insert({
            "action": "merge", "quote_id": a[0], "quote_hash": a[1], "other_quote_id": b[0],
            "other_hash": b[1], "statement_text": text, "created_at": _now()})
        _merge_into(db, keep, drop)
        db.execute("update quote_statements set method = 'correction' where statement_id = ? and quote_id = ?",
                   [keep, b[0]])
        refresh_statement_counts(db, [keep])
        for (quote_id,) in db.execute("select distinct quote_id from quote_statements where statement_id = ?",
                                      [keep]).fetchall():
            db.execute("update quotes set statement_id = ? where id = ?", [_main_statement(db, quote_id), quote_id])
    return keep


def split_quote(db, quote_id: int, statement_id: int | None = None) -> int:
    """Take quote ``quote_id`` out of a statement (``statement_id``, default its main
    statement) into a statement of its own; record it so later ingests never put it
    back. Returns the new statement's id."""
    with _writing(db):
        quote = db.execute("select id, speaker_id, statement_id from quotes where id = ?", [quote_id]).fetchone()
        if quote is None:
            raise StatementError(f"no quote {quote_id}")
        statement_id = statement_id or quote[2]
        links = db.execute("select part, text, norm_hash from quote_statements where quote_id = ? and statement_id = ?",
                           [quote_id, statement_id]).fetchall()
        if not links:
            raise StatementError(f"quote {quote_id} is not in statement {statement_id}")
        others = db.execute("select quote_id, norm_hash from quote_statements where statement_id = ? and quote_id != ? "
                            "order by quote_id, rowid limit 1", [statement_id, quote_id]).fetchone()
        if others is None:
            raise StatementError(f"quote {quote_id} is the only quote of statement {statement_id}: nothing to split")
        part, text, h = links[0]
        db.execute("delete from quote_statements where quote_id = ? and statement_id = ?", [quote_id, statement_id])
        new_id = db["statements"].insert({"text": text, "speaker_id": quote[1]}).last_pk
        db["quote_statements"].insert({"quote_id": quote_id, "statement_id": new_id, "part": part, "text": text,
                                       "norm_hash": h, "method": "correction", "score": None})
        if db["statement_terms"].exists():
            _index_sentence(db, new_id, text)
        # an earlier merge between the two is undone by this split
        for cid, qa, ha, qb, hb in db.execute(
                "select id, quote_id, quote_hash, other_quote_id, other_hash from statement_corrections "
                "where action = 'merge'").fetchall():
            if {qa, qb} & {quote_id} or {(qa, ha), (qb, hb)} & {(quote_id, h)}:
                db.execute("delete from statement_corrections where id = ?", [cid])
        db["statement_corrections"].insert({
            "action": "split", "quote_id": quote_id, "quote_hash": h, "other_quote_id": others[0],
            "other_hash": others[1], "statement_text": text, "created_at": _now()})
        db.execute("update quotes set statement_id = ? where id = ?", [_main_statement(db, quote_id), quote_id])
        refresh_statement_counts(db, [statement_id, new_id])
    return new_id


def apply_corrections(db) -> list[int]:
    """Re-apply every recorded correction (idempotent): merged statements stay merged,
    split quotes stay out. Returns the statements it changed."""
    if not _has(db, "statement_corrections"):
        return []
    changed: list[int] = []
    for action, qa, ha, qb, hb in db.execute(
            "select action, quote_id, quote_hash, other_quote_id, other_hash from statement_corrections "
            "order by id").fetchall():
        sa, sb = _unit_statement(db, qa, ha), _unit_statement(db, qb, hb) if qb else None
        if sa is None or sb is None:
            continue
        if action == "merge" and sa != sb:
            _merge_into(db, sa, sb)
            changed.append(sa)
        elif action == "split" and sa == sb:
            row = db.execute("select part, text from quote_statements where quote_id = ? and statement_id = ? "
                             "and (norm_hash = ? or ? is null)", [qa, sa, ha, ha]).fetchone()
            db.execute("delete from quote_statements where quote_id = ? and statement_id = ? "
                       "and (norm_hash = ? or ? is null)", [qa, sa, ha, ha])
            speaker = db.execute("select speaker_id from quotes where id = ?", [qa]).fetchone()[0]
            new_id = db["statements"].insert({"text": row[1], "speaker_id": speaker}).last_pk
            db["quote_statements"].insert({"quote_id": qa, "statement_id": new_id, "part": row[0], "text": row[1],
                                           "norm_hash": ha, "method": "correction"}, ignore=True)
            if db["statement_terms"].exists():
                _index_sentence(db, new_id, row[1])
            db.execute("update quotes set statement_id = ? where id = ?", [_main_statement(db, qa), qa])
            changed += [sa, new_id]
    if changed:
        for (quote_id,) in db.execute(
                "select distinct quote_id from quote_statements where statement_id in "
                f"({', '.join('?' * len(changed))})", changed).fetchall():
            db.execute("update quotes set statement_id = ? where id = ?", [_main_statement(db, quote_id), quote_id])
        refresh_statement_counts(db, changed)
    return changed
