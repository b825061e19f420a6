"""One identity per real speaker across the whole database.

``quotetrack.extract.speakers`` gives each quote a canonical speaker name *within its article*
("Bruno Rodríguez", "Cuban foreign ministry", "foreign ministry of the Republic of
Cuba", "Cuba’s Foreign Ministry", "Cuban Ministry of Foreign Affairs"). This module
maps those names to identities (rows of ``speakers``) shared by every article:

- **Names are normalised** (:func:`identity_key`): accents, case, curly apostrophes,
  punctuation and a leading "the" never split an identity.
- **Organisations**: a country becomes its demonym wherever it stands ("Cuba's
  Foreign Ministry", "foreign ministry of the Republic of Cuba", "Cuba Foreign
  Ministry" -> "cuban foreign ministry"), and "Ministry of Foreign Affairs" /
  "Foreign Affairs Ministry" / "Ministry for Foreign Affairs" are "foreign ministry"
  (likewise "Ministry of Defense" -> "defence ministry", "Department of State" ->
  "state department"). A bare "the ministry" or "Foreign Ministry" joins a fuller
  identity ("cuban foreign ministry") only with evidence (below).
- **People**: titles and roles are split off the name and kept as a description
  ("Cuban Foreign Minister Bruno Rodríguez" -> "Bruno Rodríguez", described as
  "Cuban Foreign Minister"), and what page layout glued to a name is dropped
  (:func:`strip_glued`: "Said Trump", "Getty Images Trump", "CLOSE Donald Trump",
  "Overnight Health Care: Trump", "pic.twitter.com/… — Donald J. Trump", "Donald Trump
  Trump"; "president / Donald Trump" keeps "president" as a role). Full names are the
  identity, and one person's names with and without middle names are one identity
  (:func:`same_person_name`: "Donald J. Trump" = "Donald Trump", "James B. Comey" =
  "James Comey", "Hillary Rodham Clinton" = "Hillary Clinton"; not "Paul D. Ryan" /
  "Paul S. Ryan", "George W. Bush" / "George H. W. Bush", "Donald Trump" / "Donald Trump
  Jr."). A surname-only mention ("Rodríguez") or an initial ("B. Rodríguez") joins a
  full-name identity with that surname only with evidence, so two Smiths in different
  stories are not merged:

  1. the same article names the full person (another speaker, or the text, with or
     without middle initial), or
  2. their roles overlap ("Foreign Minister Rodríguez" / "Cuban Foreign Minister"), or
  3. the same outlet quoted the full-name identity within ``EVIDENCE_WINDOW_DAYS``, or,
     failing a single candidate with the strongest of these,
  4. one person dominates the surname across the corpus (``DOMINANT_SHARE`` of the
     quotes of the full-name identities with that surname, at least
     ``DOMINANT_MIN_QUOTES``): a bare "Trump" in a story that names nobody.

  Otherwise it gets a surname-only identity of its own (key "rodriguez", then
  "rodriguez#2", ...). When a full name appears after surname-only identities, those
  with evidence are merged in, and once a person dominates the surname the
  surname-only identities made before (with compatible initials and roles) join it.
  These rules apply as names are resolved: identities stored under older rules ("CLOSE
  Donald Trump", "trump#52") stay as they are (no migration re-keys them) until the
  database is built again from its articles.
- **Related speakers**: a person whose role names an organisation of the same country
  (the Cuban foreign minister and the Cuban foreign ministry), and a country's
  government and its bodies, are related (``speaker_relations``); statement grouping
  compares quotes of related speakers too (a minister reading out the ministry's
  statement).

Every name and mention under which an identity was quoted goes to ``speaker_aliases``
(``quotetrack.ingest.save_article`` does that).

:func:`resolve` here applies these rules; the name keys are in :mod:`.keys`, the
evidence for joining in :mod:`.evidence`, the writing and merging of ``speakers`` rows
in :mod:`.speaker_rows`, related speakers in :mod:`.relations`.
"""
from __future__ import annotations

from ..db.schema import KEY_LAST_WORD_SQL
from ..text import fold
from .evidence import (ArticleContext, _dominant, _full_candidates, _middle_conflict, _partial_identities, _pick,
                       _quoted_in_outlet, _quoted_in_outlet_ids, _roles_overlap, _scored)
from .keys import (_DETERMINERS, _initials, _is_partial, _is_short_org, country_of, description_from, guess_kind,
                   name_parts, org_key, person_key, same_person_name, split_person, surname_of)
from .relations import _update_relations
from .speaker_rows import _append_description, _display, _get_or_create, _insert_speaker, merge_speakers

__all__ = ["resolve"]


def _absorb_dominated(db, speaker_id: int, surname: str, full: list[tuple]) -> None:
    """``speaker_id`` dominates the people of ``surname`` (:func:`_dominant`): the
    surname-only identities made before it did ("sondland" from a story that never
    named Gordon Sondland, the "trump#52" of older rules) join it, unless their initials
    contradict its first name or their role is another candidate's and not its own."""
    me = next((c for c in full if c[0] == speaker_id), None)
    if me is None:
        return
    mine = _initials(me[2])
    others = [c for c in full if not same_person_name(c[2], me[2])]
    for pid, _, pname, pdesc in _partial_identities(db, surname, exclude=speaker_id):
        if not mine.startswith(_initials(pname)):
            continue
        if pdesc and not _roles_overlap(pdesc, me[3]) and any(_roles_overlap(pdesc, o[3]) for o in others):
            continue
        merge_speakers(db, speaker_id, pid)


def _resolve_partial_person(db, name: str, description: str | None, context) -> int:
    surname = surname_of(name)
    initials = _initials(name)
    if context is not None:
        # the same article names the full person (however many ways: "Donald Trump",
        # "Donald J. Trump"): that is who this is
        fulls = [n for n in context.full_names
                 if surname_of(n) == surname and _initials(n).startswith(initials)]
        if fulls and all(same_person_name(fulls[0], n) for n in fulls[1:]):
            return resolve(db, fulls[0], "person", context=context)
    full = _full_candidates(db, surname, initials)
    best, winners = _scored(db, full, description, context)
    if len(winners) == 1:
        return winners[0]
    # the article says nothing conclusive (or names two people of that surname, one of
    # whom dominates the corpus): the one person the corpus knows by that surname
    dominant = _dominant(db, full)
    if dominant is not None and (not winners or dominant in winners or best < 2):
        _absorb_dominated(db, dominant, surname, full)
        return dominant
    # surname-only identities already there: join one with evidence, else a new one
    partial = _partial_identities(db, surname)
    if partial:
        chosen = _pick(db, [(i, None, n, d) for i, _, n, d in partial], surname, description, context)
        if chosen is not None:
            return chosen
    taken = {r[0] for r in db.execute("select key from speakers where key = ? or (key >= ? and key < ?)",
                                      [surname, surname + "#", surname + "$"])}
    key, n = surname, 1
    while key in taken:
        n += 1
        key = f"{surname}#{n}"
    return _insert_speaker(db, _display(name, "person"), "person", key, surname, country_of(description))


def _resolve_full_person(db, pname: str, description: str | None, country: str | None, context) -> int:
    """A full name: the identity with its key, else the one person with the same first
    name and surname whose middle names agree (:func:`same_person_name`: "Donald J.
    Trump" joins "Donald Trump", "James Comey" joins "James B. Comey"), else a new one,
    which takes in the surname-only identities it has evidence for. Surname-only
    identities made before this person dominated the surname join it."""
    key = person_key(pname)
    surname = surname_of(pname)
    display = _display(pname, "person")
    row = db.execute("select id from speakers where key = ?", [key]).fetchone()
    if row is None:
        first = name_parts(pname)[0]
        same = [c for c in db.execute(
            "select id, key, name from speakers where kind = 'person' and surname = ? and key >= ? and key < ? "
            "and key not like '%#%' order by id", [surname, first + " ", first + "!"]).fetchall()
            if same_person_name(pname, c[2])]
        same = [c for c in same if not _middle_conflict(db, c[0], pname)]
        if same and all(same_person_name(same[0][2], c[2]) for c in same[1:]):
            key = same[0][1]
    speaker_id, created = _get_or_create(db, key, display, "person", surname=surname, country=country)
    if created:
        _absorb_partials(db, speaker_id, surname, description, context)
    elif surname and _partial_identities(db, surname):
        full = _full_candidates(db, surname)
        if _dominant(db, full) == speaker_id:
            _absorb_dominated(db, speaker_id, surname, full)
    return speaker_id


def _absorb_partials(db, speaker_id: int, surname: str, description: str | None, context) -> None:
    """A new full name: merge in the surname-only identities it has evidence for."""
    for pid, pkey, pname, pdesc in db.execute(
            "select id, key, name, description from speakers where kind = 'person' and surname = ? "
            "and id != ? and (key = ? or key like ?)", [surname, speaker_id, surname, surname + "#%"]).fetchall():
        if not _is_partial(pname):
            continue
        if (description and pdesc and _roles_overlap(description, pdesc)) or _quoted_in_outlet(db, pid, context):
            merge_speakers(db, speaker_id, pid)


# KEY_LAST_WORD_SQL, the last word of ``speakers.key`` in SQL (indexed by
# ``idx_speakers_key_last_word``), is defined with that index (quotetrack.db.schema)


def _resolve_short_org(db, key: str, display: str, kind, context) -> int:
    candidates = db.execute(
        f"select id, key, name, description from speakers where {KEY_LAST_WORD_SQL} = ? and key like ? "
        "and kind is not 'person'", [key.split()[-1], "% " + key]).fetchall()
    chosen = None
    if candidates:
        scored = []
        for c in candidates:
            score = 0
            if context is not None and c[1] in context.org_keys:
                score = 3
            elif context is not None and f" {c[1]} " in context.folded_text:
                score = 2
            scored.append((score, c[0]))
        if not any(score for score, _ in scored):      # the outlet's quotes only when nothing stronger
            quoted = _quoted_in_outlet_ids(db, [i for _, i in scored], context)
            scored = [(int(i in quoted), i) for _, i in scored]
        scored = [s for s in scored if s[0]]
        if scored:
            best = max(s for s, _ in scored)
            winners = [i for s, i in scored if s == best]
            chosen = winners[0] if len(winners) == 1 else None
    if chosen is not None:
        return chosen
    return _get_or_create(db, key, display, kind or "organisation")[0]


def resolve(db, name: str | None, kind: str | None = None, *, mention: str | None = None,
            context: ArticleContext | None = None) -> int | None:
    """The ``speakers.id`` of the identity a canonical speaker name denotes, created
    if new. ``mention`` (the speaker as written next to the quote) adds a role to a
    person's description; ``context`` supplies the evidence that lets a surname-only
    mention or a bare "the ministry" join a fuller identity."""
    if not name or not name.strip() or not fold(name):
        return None
    kind = kind or guess_kind(name)
    if kind == "person":
        role, pname = split_person(name)
        if not fold(pname):
            pname, role = name, None
        description = description_from(mention, pname) or role
        if description:
            words = description.split()
            while words and fold(words[0]) in _DETERMINERS:
                words = words[1:]
            description = " ".join(words) or None
        country = country_of(description)
        if _is_partial(pname) and surname_of(pname):
            speaker_id = _resolve_partial_person(db, pname, description, context)
        else:
            speaker_id = _resolve_full_person(db, pname, description, country, context)
        before = db.execute("select description, country from speakers where id = ?", [speaker_id]).fetchone()
        _append_description(db, speaker_id, description)
        if country and not before[1]:
            db.execute("update speakers set country = ? where id = ?", [country, speaker_id])
        after = db.execute("select description, country from speakers where id = ?", [speaker_id]).fetchone()
        if after != before or not db.execute(
                "select 1 from speaker_relations where speaker_id = ? limit 1", [speaker_id]).fetchone():
            _update_relations(db, speaker_id)
        return speaker_id
    key = org_key(name)
    if not key:
        return None
    display = _display(name, kind)
    if _is_short_org(key):
        return _resolve_short_org(db, key, display, kind, context)
    speaker_id, created = _get_or_create(db, key, display, kind, country=country_of(key))
    if created:
        _update_relations(db, speaker_id)
    return speaker_id
