"""Writing ``speakers`` rows: creating an identity, choosing its shown name, adding to
its description, merging one identity into another and re-keying every identity
under the current rules."""
from __future__ import annotations

import re
import unicodedata

from ..text import fold
from .keys import _DETERMINERS, country_of, guess_kind, identity_key, name_parts, split_person, surname_of

__all__ = ["merge_speakers", "recompute_keys"]


def _append_description(db, speaker_id: int, description: str | None) -> None:
    if not description:
        return
    row = db.execute("select description from speakers where id = ?", [speaker_id]).fetchone()
    current = row[0] if row and row[0] else ""
    parts = [p for p in current.split("; ") if p]
    if fold(description) in {fold(p) for p in parts} or len(parts) >= 8:
        return
    parts.append(description)
    db.execute("update speakers set description = ? where id = ?", ["; ".join(parts), speaker_id])


_MINOR_WORDS = frozenset("of for the and in on at to de del la".split())


def _better_name(new: str, old: str) -> bool:
    """Should ``new`` replace ``old`` as the display name of one identity? Prefer a
    capitalised start, then every significant word capitalised ("Cuban Ministry of
    Foreign Affairs" over "Cuban foreign ministry"), then no possessive, then
    accented letters kept ("Rodríguez"), then the longer; a tie keeps the first."""
    def score(n: str):
        words = n.split()
        return (n[:1].isupper(),
                all(w[:1].isupper() for w in words if w.casefold() not in _MINOR_WORDS),
                not re.search(r"['\u2019]s\b", n),
                sum(1 for c in unicodedata.normalize("NFD", n) if unicodedata.combining(c)),
                len(n))
    return score(new) > score(old)


def _display(name: str, kind: str | None) -> str:
    name = " ".join(name.split()).strip(" ,;:")
    if kind == "person":
        return split_person(name)[1] or name
    words = name.split()
    while len(words) > 1 and fold(words[0]) in _DETERMINERS:
        words = words[1:]
    return " ".join(words)


def _get_or_create(db, key: str, display: str, kind: str | None, *, surname: str | None = None,
                   country: str | None = None) -> tuple[int, bool]:
    row = db.execute("select id, name, kind, country from speakers where key = ?", [key]).fetchone()
    if row:
        speaker_id, old_name, old_kind, old_country = row
        updates = {}
        if _better_name(display, old_name) and (
                kind != "person" or name_parts(display)[1] == name_parts(old_name)[1]):
            updates["name"] = display      # a person's shown name keeps its middle names
        if kind and not old_kind:
            updates["kind"] = kind
        if country and not old_country:
            updates["country"] = country
        if updates:
            db.execute(f"update speakers set {', '.join(f'{c} = ?' for c in updates)} where id = ?",
                       [*updates.values(), speaker_id])
        return speaker_id, False
    return _insert_speaker(db, display, kind, key, surname, country), True


def _insert_speaker(db, name: str, kind: str | None, key: str, surname: str | None, country: str | None) -> int:
    return db.execute("insert into speakers (name, kind, key, surname, country) values (?, ?, ?, ?, ?)",
                      [name, kind, key, surname, country]).lastrowid


def merge_speakers(db, keep_id: int, drop_id: int) -> None:
    """Fold identity ``drop_id`` into ``keep_id``: quotes, statements, aliases,
    relations and description move over and ``drop_id`` is deleted."""
    if keep_id == drop_id:
        return
    db.execute("update quotes set speaker_id = ? where speaker_id = ?", [keep_id, drop_id])
    if db["statements"].exists():
        db.execute("update statements set speaker_id = ? where speaker_id = ?", [keep_id, drop_id])
    for alias, count in db.execute(
            "select alias, quote_count from speaker_aliases where speaker_id = ?", [drop_id]).fetchall():
        db.execute(
            "insert into speaker_aliases (speaker_id, alias, quote_count) values (?, ?, ?) "
            "on conflict (speaker_id, alias) do update set quote_count = quote_count + excluded.quote_count",
            [keep_id, alias, count])
    db.execute("delete from speaker_aliases where speaker_id = ?", [drop_id])
    drop = db.execute("select name, description, country from speakers where id = ?", [drop_id]).fetchone()
    if drop:
        for d in (drop[1] or "").split("; "):
            _append_description(db, keep_id, d or None)
        if drop[2]:
            db.execute("update speakers set country = coalesce(country, ?) where id = ?", [drop[2], keep_id])
    if db["speaker_relations"].exists():
        for (other,) in db.execute(
                "select related_id from speaker_relations where speaker_id = ?", [drop_id]).fetchall():
            if other != keep_id:
                db["speaker_relations"].insert_all(
                    [{"speaker_id": keep_id, "related_id": other, "reason": "merged"},
                     {"speaker_id": other, "related_id": keep_id, "reason": "merged"}],
                    pk=("speaker_id", "related_id"), ignore=True)
        db.execute("delete from speaker_relations where speaker_id = ? or related_id = ?", [drop_id, drop_id])
    db.execute("delete from speakers where id = ?", [drop_id])


def recompute_keys(db) -> None:
    """Give every identity the key of the current rules, merging identities whose
    keys now coincide (used by the migration that introduced this module)."""
    rows = db.execute("select id, name, kind from speakers order by id").fetchall()
    seen: dict[str, int] = {}
    for speaker_id, name, kind in rows:
        key = identity_key(name, kind) or f"#{speaker_id}"
        surname = surname_of(name) if (kind or guess_kind(name)) == "person" else None
        if key in seen:
            merge_speakers(db, seen[key], speaker_id)
            continue
        seen[key] = speaker_id
        db.execute("update speakers set key = ?, surname = ?, country = ? where id = ?",
                   [f"#tmp{speaker_id}", surname, country_of(key if kind != "person" else None), speaker_id])
    for key, speaker_id in seen.items():
        db.execute("update speakers set key = ? where id = ?", [key, speaker_id])
