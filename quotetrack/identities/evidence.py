"""The evidence that lets a surname-only mention ("Rodríguez") or a bare body ("the
ministry") join a fuller identity: what the article names, overlapping roles, the
outlet's recent quotes, and one person dominating a surname across the corpus. Two
Smiths in different stories are not merged without it."""
from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field

from ..text import day as _date
from ..text import fold
from .keys import (_affiliation, _initials, _is_partial, _middles_agree, guess_kind, name_parts, org_key,
                   person_key, same_person_name, split_person)

__all__ = ["ArticleContext", "EVIDENCE_WINDOW_DAYS", "DOMINANT_SHARE", "DOMINANT_MIN_QUOTES"]


#: how close in time two quotes of one outlet must be to count as evidence that a
#: surname-only mention is the full-name identity
EVIDENCE_WINDOW_DAYS = 30


@dataclass
class ArticleContext:
    """What the article being stored tells about its speakers (evidence for joining)."""
    article_id: int | None = None
    outlet: str | None = None
    published: str | None = None
    text: str = ""
    names: list[str] = field(default_factory=list)   # canonical speaker names in the article
    _folded_text: str | None = None
    _person_keys: frozenset | None = None
    _full_names: tuple | None = None
    _org_keys: frozenset | None = None

    @property
    def folded_text(self) -> str:
        if self._folded_text is None:
            self._folded_text = f" {fold(self.text)} "
        return self._folded_text

    @property
    def person_keys(self) -> frozenset:
        """:func:`person_key` of every name in ``names``."""
        if self._person_keys is None:
            self._person_keys = frozenset(person_key(n) for n in self.names)
        return self._person_keys

    @property
    def full_names(self) -> tuple:
        """The names in ``names`` that give a person's first name and surname."""
        if self._full_names is None:
            self._full_names = tuple(dict.fromkeys(
                n for n in self.names if n and not _is_partial(split_person(n)[1]) and name_parts(n)[0]
                and guess_kind(n) != "organisation"))
        return self._full_names

    @property
    def org_keys(self) -> frozenset:
        """:func:`org_key` of every name in ``names``."""
        if self._org_keys is None:
            self._org_keys = frozenset(org_key(n) for n in self.names)
        return self._org_keys


def _quoted_in_outlet_ids(db, speaker_ids, context: ArticleContext | None) -> set[int]:
    """Which of ``speaker_ids`` the article's outlet quoted within
    ``EVIDENCE_WINDOW_DAYS`` of its date (any time when it has none): one query."""
    ids = sorted(set(speaker_ids))
    if context is None or not context.outlet or not ids:
        return set()
    sql = ("select j.value from json_each(?) j where exists (select 1 from quotes where speaker_id = j.value "
           "and outlet = ?")
    params = [json.dumps(ids), context.outlet]
    day = _date(context.published)
    if day is not None:
        sql += " and published >= ? and published <= ?"
        params += [(day - datetime.timedelta(days=EVIDENCE_WINDOW_DAYS)).isoformat(),
                   (day + datetime.timedelta(days=EVIDENCE_WINDOW_DAYS)).isoformat() + "~"]
    return {r[0] for r in db.execute(sql + ")", params).fetchall()}


def _quoted_in_outlet(db, speaker_id: int, context: ArticleContext | None) -> bool:
    return speaker_id in _quoted_in_outlet_ids(db, [speaker_id], context)


def _roles_overlap(a: str | None, b: str | None) -> bool:
    """Do two role descriptions share a telling word ("foreign", "minister")?"""
    generic = {"former", "acting", "official", "officials", "spokesperson", "member", "the", "head"}
    wa, wb = _affiliation(a) - generic, _affiliation(b) - generic
    return bool(wa & wb)


def _article_evidence(candidate: tuple, description: str | None, context: ArticleContext | None) -> int:
    """3 when the article names ``candidate`` in full (as a speaker, or in its text,
    with or without a middle initial), 2 when the roles overlap, else 0."""
    speaker_id, key, name, cand_description = candidate
    if context is not None:
        if key in context.person_keys:
            return 3
        if key and f" {key} " in context.folded_text:
            return 3
        if name:
            first, _, surname, suffix = name_parts(name)
            tail = " ".join(x for x in (surname, suffix) if x)
            if first and re.search(rf" {re.escape(first)}(?: \w)* {re.escape(tail)} ", context.folded_text):
                return 3      # "Donald Trump", "Donald J. Trump" in the text
            if first and any(same_person_name(name, n) for n in context.full_names):
                return 3
    if description and _roles_overlap(description, cand_description):
        return 2
    return 0


def _evidence(db, candidate: tuple, surname: str, description: str | None,
              context: ArticleContext | None) -> int:
    """How strongly the article ties a surname-only mention to ``candidate`` (0 = not):
    3 the article names it in full, 2 the roles overlap, 1 the same outlet quoted it
    within ``EVIDENCE_WINDOW_DAYS``."""
    found = _article_evidence(candidate, description, context)
    if not found and _quoted_in_outlet(db, candidate[0], context):
        return 1
    return found


def _scored(db, candidates, description, context) -> tuple[int, list[int]]:
    """``(score, ids)``: the strongest :func:`_evidence` among ``candidates`` and the
    candidates that have it (``(0, [])`` when none has any). The outlet's quotes (the
    weakest evidence) are looked up, in one query, only when no candidate has stronger."""
    scored = [(_article_evidence(c, description, context), c[0]) for c in candidates]
    if not any(s >= 2 for s, _ in scored):
        quoted = _quoted_in_outlet_ids(db, [i for s, i in scored if not s], context)
        scored = [(s or int(i in quoted), i) for s, i in scored]
    scored = [s for s in scored if s[0] > 0]
    if not scored:
        return 0, []
    best = max(s for s, _ in scored)
    return best, [i for s, i in scored if s == best]


def _pick(db, candidates, surname, description, context) -> int | None:
    """The candidate with the strongest :func:`_evidence`, if exactly one has it."""
    _, winners = _scored(db, candidates, description, context)
    return winners[0] if len(winners) == 1 else None


#: a surname-only mention with no evidence in its article joins the one person of that
#: surname who holds at least ``DOMINANT_SHARE`` of the quotes of the full-name
#: identities with that surname, and at least ``DOMINANT_MIN_QUOTES`` ("Trump" in a
#: 2017 news corpus; not "Sanders" where Bernie and Sarah Sanders are both quoted, nor a
#: name quoted once or twice)
DOMINANT_SHARE = 0.8
DOMINANT_MIN_QUOTES = 10


def _quote_counts(db, ids) -> dict[int, int]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    return dict(db.execute(
        "select speaker_id, count(*) from quotes where speaker_id in (select value from json_each(?)) "
        "group by speaker_id", [json.dumps(ids)]).fetchall())


def _people(candidates) -> list[list[tuple]]:
    """Full-name identities grouped into people (:func:`same_person_name`): the
    fragments "Donald Trump" / "Donald J. Trump" of a database made by older rules are
    one person."""
    groups: list[list[tuple]] = []
    for c in candidates:
        for g in groups:
            if same_person_name(g[0][2], c[2]):
                g.append(c)
                break
        else:
            groups.append([c])
    return groups


def _dominant(db, candidates) -> int | None:
    """The identity of the person who dominates ``candidates`` (full-name identities
    sharing a surname) by quotes, if one does (``DOMINANT_SHARE``,
    ``DOMINANT_MIN_QUOTES``): that person's most quoted identity."""
    if not candidates:
        return None
    counts = _quote_counts(db, [c[0] for c in candidates])
    totals = sorted(((sum(counts.get(c[0], 0) for c in g), g) for g in _people(candidates)),
                    key=lambda t: -t[0])
    everyone = sum(t for t, _ in totals)
    top, group = totals[0]
    if top < DOMINANT_MIN_QUOTES or top < DOMINANT_SHARE * everyone:
        return None
    return max(group, key=lambda c: (counts.get(c[0], 0), -c[0]))[0]


def _full_candidates(db, surname: str, initials: str = "") -> list[tuple]:
    """Full-name person identities with ``surname`` (their names under today's rules:
    "Getty Images Trump" made by older ones is not a full name) whose initials begin
    with ``initials``."""
    return [
        c for c in db.execute(
            "select id, key, name, description from speakers where kind = 'person' and surname = ? "
            "and key not like '%#%'", [surname]).fetchall()
        if not _is_partial(c[2]) and name_parts(c[2])[0]
        and (not initials or _initials(c[2]).startswith(initials))
    ]


def _partial_identities(db, surname: str, exclude: int | None = None) -> list[tuple]:
    return [c for c in db.execute(
        "select id, key, name, description from speakers where kind = 'person' and surname = ? "
        "and (key = ? or key like ?)", [surname, surname, surname + "#%"]).fetchall()
        if c[0] != exclude and _is_partial(c[2])]


#: a name with middle initials ("Paul S. Ryan") does not join an identity known
#: without them ("Paul Ryan") when at least this share of its quotes came under other
#: middle initials ("Paul D. Ryan"): those are two people
MIDDLE_CONFLICT_SHARE = 0.25


def _middle_conflict(db, speaker_id: int, name: str) -> bool:
    """Has ``speaker_id`` been quoted (``speaker_aliases``) mostly enough under the same
    first name and surname with middle names that disagree with those of ``name``?"""
    first, middles, surname, _ = name_parts(name)
    if not middles:
        return False
    total = conflict = 0
    for alias, n in db.execute("select alias, quote_count from speaker_aliases where speaker_id = ?",
                               [speaker_id]).fetchall():
        a_first, a_middles, a_surname, _ = name_parts(alias)
        if (a_first, a_surname) != (first, surname):
            continue
        total += n or 0
        if a_middles and not _middles_agree(a_middles, middles):
            conflict += n or 0
    return conflict > 0 and conflict >= MIDDLE_CONFLICT_SHARE * total
