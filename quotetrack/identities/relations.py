"""Related speakers (``speaker_relations``): a person whose role names a body of the
same country, and a country's government and its executive bodies. Statement
grouping compares the quotes of related speakers, and of people sharing a surname."""
from __future__ import annotations

import sqlite3

from .keys import COUNTRIES, _affiliation

__all__ = ["relation_reason", "is_executive_body", "related_ids", "same_surname_ids"]


def relation_reason(a: tuple, b: tuple, country: str) -> str | None:
    """Why two identities of ``country``, each ``(kind, key, description)``, are
    related: ``"role"`` (a person whose role names the organisation's words: the Cuban
    foreign minister and the Cuban foreign ministry), ``"government"`` (a country's
    government and a body of its executive), else None."""
    (kind, key, description), (okind, okey, odesc) = a, b

    def government(k):
        return k in COUNTRIES or k == f"{country} government"

    if kind == "person" and okind == "person":
        return None
    if kind == "person" or okind == "person":
        org, role = (okey, description) if kind == "person" else (key, odesc)
        org_words = _affiliation(org)
        if role and org_words and any(org_words <= _affiliation(d) for d in role.split("; ")):
            return "role"
        return None
    if (government(key) and (government(okey) or is_executive_body(okey))) \
            or (government(okey) and is_executive_body(key)):
        return "government"
    return None


def _update_relations(db, speaker_id: int) -> None:
    """(Re)compute ``speaker_relations`` of one identity against identities of the
    same country: person <-> organisation whose words its role contains, and a
    country's government <-> its bodies."""
    row = db.execute("select kind, key, description, country from speakers where id = ?", [speaker_id]).fetchone()
    if row is None:
        return
    kind, key, description, country = row
    if not country:
        return
    if kind == "person":
        if not description:
            return
        # a person relates only to bodies
        others = db.execute(
            "select id, kind, key, description from speakers where country = ? and id != ? "
            "and kind is not 'person'", [country, speaker_id]).fetchall()
    else:
        others = db.execute(
            "select id, kind, key, description from speakers where country = ? and id != ?", [country, speaker_id]
        ).fetchall()

    for oid, okind, okey, odesc in others:
        reason = relation_reason((kind, key, description), (okind, okey, odesc), country)
        if reason:
            db.conn.executemany(
                "insert or ignore into speaker_relations (speaker_id, related_id, reason) values (?, ?, ?)",
                [(speaker_id, oid, reason), (oid, speaker_id, reason)])


#: last words of the keys of bodies that speak for a country's government (its
#: ministries, embassies, presidency...): a government is related to these only, not
#: to every organisation of its country (courts, parliaments, parties, newspapers,
#: "the American people"), which made a country's statements candidates for those of
#: hundreds of identities
_EXECUTIVE_HEADS = frozenset(
    """ministry department government embassy consulate mission administration presidency cabinet
    kremlin pentagon treasury office spokesperson spokesman spokeswoman""".split())


def is_executive_body(key: str) -> bool:
    """Does the organisation key name a body of a government's executive ("cuban foreign
    ministry", "state department", "white house", "kremlin")?"""
    words = key.split()
    return bool(words) and (words[-1] in _EXECUTIVE_HEADS or "white house" in key)


def related_ids(db, speaker_id: int | None) -> set[int]:
    """Identities related to ``speaker_id`` (not including itself)."""
    if speaker_id is None:
        return set()
    try:
        return {r[0] for r in db.execute(
            "select related_id from speaker_relations where speaker_id = ?", [speaker_id]).fetchall()}
    except sqlite3.OperationalError:      # no speaker_relations table (a database not upgraded yet)
        return set()


#: identities sharing a surname that statement grouping looks through, at most: those
#: with the most statements (a split identity's fragments join the main one; looking
#: through every "trump#52" would cost more than it finds)
SAME_SURNAME_LIMIT = 50


def same_surname_ids(db, speaker_id: int | None) -> set[int]:
    """Other person identities with the surname of ``speaker_id`` ("Trump", "Donald
    Trump", "Donald J. Trump"), the ``SAME_SURNAME_LIMIT`` with the most statements:
    plausibly the same person, so statement grouping looks at their statements too (the judgement of the words still decides; two Smiths who
    said different things stay apart)."""
    if speaker_id is None:
        return set()
    try:
        return {r[0] for r in db.execute(
            "select b.id from speakers a join speakers b on b.surname = a.surname and b.kind = 'person' "
            "where a.id = ? and a.kind = 'person' and a.surname is not null and b.id != a.id "
            "order by (select count(*) from statements s where s.speaker_id = b.id) desc, b.id "
            f"limit {SAME_SURNAME_LIMIT}", [speaker_id]).fetchall()}
    except sqlite3.OperationalError:      # no surname column (a database not upgraded yet)
        return set()
