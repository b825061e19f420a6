"""Group quotes that render the same underlying statement.

A *statement* is what a speaker actually said once; each quote in an article is one
rendering of it (verbatim, truncated, reworded, translated). The unit is the sentence:
a quote is split into sentences (:func:`quotetrack.variants.split_units`) and each is
linked to its statement through ``quote_statements`` (``part``, ``text``, ``method``,
``score`` say which sentence, and how it was matched), so a quote that runs two
sentences of a statement together links to both, and a fragment links to the fuller
statement it comes from. ``quotes.statement_id`` is the statement of the quote's
longest sentence.

For each new sentence the cascade of :func:`quotetrack.variants.judge` runs against
the member sentences of *plausible* statements only, which keeps the cost near-linear:

- statements with a member of the same normalised text (hash index): 8+ words join
  whoever said them; shorter ones need a plausible speaker;
- statements of the same speaker identity or a related one
  (:func:`quotetrack.identities.related_ids`) whose dates fall within
  ``DATE_WINDOW_DAYS`` of the quote; an unattributed quote looks at the statements
  of the article's speakers; speakerless statements are candidates only within the
  article that holds them;
- only candidates that pass the cheap stages and every guard are compared with
  embeddings (computed once, cached in ``embeddings``), and never two sentences of one
  article (an outlet does not translate one statement twice).

A sentence that renders two existing statements (equal, reworded or translated, not a
mere fragment of each) merges them, so the groups do not depend on the order in which
articles are ingested. Users correct the machine with :func:`merge_statements` and
:func:`split_quote` (``quotetrack statements merge|split``); corrections are recorded
in ``statement_corrections`` and re-applied after every ingest
(:func:`apply_corrections`), and assignment never merges what a user split.
"""
from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from typing import Iterable

from . import identities, variants
from .dates import day as _date

__all__ = [
    "assign_statements",
    "refresh_statement_counts",
    "merge_statements",
    "split_quote",
    "apply_corrections",
    "upgrade_links",
    "StatementError",
    "DATE_WINDOW_DAYS",
    "EXACT_ANY_SPEAKER_WORDS",
]

#: statements first/last reported more than this many days from a quote's date are not compared with it
DATE_WINDOW_DAYS = 365
#: identical quotes (after normalisation) of at least this many words join whoever they are attributed to
EXACT_ANY_SPEAKER_WORDS = 8

# how a link was made, strongest first (a sentence joins its strongest match)
_RANK = {"correction": 0, "exact": 1, "contained": 2, "lexical": 3, "embedding": 4, "fragment": 5}


class StatementError(ValueError):
    """A correction that cannot be made (unknown statement or quote, nothing to split)."""


def norm_hash(text: str) -> str:
    """SHA-1 of the normalised text (the ``quote_statements.norm_hash`` index)."""
    return hashlib.sha1(variants.normalise(text).encode("utf-8")).hexdigest()


@dataclass
class _Member:
    statement_id: int
    quote_id: int
    text: str
    norm: str
    article_id: int


@dataclass
class _Match:
    statement_id: int
    method: str
    score: float
    fragment: bool   # the new sentence is only a fragment of the member


class _Assigner:
    """State of one :func:`assign_statements` call."""

    def __init__(self, db, embedder=None):
        self.db = db
        if embedder is None:
            from .embeddings import Embedder
            embedder = Embedder(db)
        self.embedder = embedder
        self.cheap_cache: dict[tuple[str, str], variants.Judgement] = {}
        self.related_cache: dict[int, set[int]] = {}
        self.article_speakers: dict[int, set[int]] = {}
        self.forbidden = _split_constraints(db)

    # -- candidates ----------------------------------------------------------------
    def speakers_for(self, speaker_id, article_id) -> set[int]:
        if speaker_id is not None:
            ids = {speaker_id}
        else:
            if article_id not in self.article_speakers:
                self.article_speakers[article_id] = {r[0] for r in self.db.execute(
                    "select distinct speaker_id from quotes where article_id = ? and speaker_id is not null",
                    [article_id]).fetchall()}
            ids = set(self.article_speakers[article_id])
        out = set(ids)
        for sid in ids:
            if sid not in self.related_cache:
                self.related_cache[sid] = identities.related_ids(self.db, sid)
            out |= self.related_cache[sid]
        return out

    def members(self, speaker_ids: set[int], article_id: int, published, norm: str, n_words: int) -> list[_Member]:
        """Member sentences of the plausible statements for one new sentence."""
        db = self.db
        rows = []
        select = ("select qs.statement_id, qs.quote_id, coalesce(qs.text, q.text), q.article_id "
                  "from quote_statements qs join quotes q on q.id = qs.quote_id ")
        # same normalised text
        h = hashlib.sha1(norm.encode("utf-8")).hexdigest()
        exact = db.execute(select + "join statements s on s.id = qs.statement_id where qs.norm_hash = ?"
                           " and (? or s.speaker_id is null or s.speaker_id in (select value from json_each(?)))",
                           [h, n_words >= EXACT_ANY_SPEAKER_WORDS, _json(speaker_ids)]).fetchall()
        rows.extend(exact)
        # the speakers' statements within the date window
        if speaker_ids:
            day = _date(published)
            where = "s.speaker_id in (select value from json_each(?))"
            params: list = [_json(speaker_ids)]
            if day is not None:
                lo = (day - datetime.timedelta(days=DATE_WINDOW_DAYS)).isoformat()
                hi = (day + datetime.timedelta(days=DATE_WINDOW_DAYS)).isoformat() + "~"
                where += (" and (s.first_reported is null or s.last_reported is null"
                          " or (s.first_reported <= ? and s.last_reported >= ?))")
                params += [hi, lo]
            rows.extend(db.execute(select + f"join statements s on s.id = qs.statement_id where {where}",
                                   params).fetchall())
        # speakerless statements of this article
        rows.extend(db.execute(
            select + "join statements s on s.id = qs.statement_id where s.speaker_id is null and q.article_id = ?",
            [article_id]).fetchall())
        seen = set()
        out = []
        for statement_id, quote_id, text, art in rows:
            n = variants.normalise(text)
            key = (statement_id, n, art == article_id)
            if key in seen:
                continue
            seen.add(key)
            out.append(_Member(statement_id, quote_id, text, n, art))
        return out

    # -- judging -----------------------------------------------------------------------
    def cheap(self, a: str, b: str) -> variants.Judgement:
        key = (a, b)
        j = self.cheap_cache.get(key)
        if j is None:
            j = variants.cheap_judgement(a, b)
            self.cheap_cache[key] = j
        return j

    def matches(self, unit: str, norm: str, article_id: int, members: list[_Member]) -> list[_Match]:
        content = set(variants.tokens(unit)) - variants._STOPWORDS
        found: dict[int, _Match] = {}
        pending: list[_Member] = []

        def add(m: _Match):
            old = found.get(m.statement_id)
            if old is None or (_RANK[m.method], -m.score) < (_RANK[old.method], -old.score):
                found[m.statement_id] = m

        for member in members:
            if member.norm == norm:
                add(_Match(member.statement_id, "exact", 1.0, False))
                continue
            if not content & set(member.norm.split()):
                continue
            j = self.cheap(unit, member.text)
            if j.same:
                fragment = j.stage == "contained" and len(variants.tokens(unit)) < len(member.norm.split())
                add(_Match(member.statement_id, "fragment" if fragment else j.stage, j.score or 1.0, fragment))
            elif j.stage == "candidate" and member.article_id != article_id:
                pending.append(member)
        if pending and self.embedder is not None:
            vectors = self.embedder.vectors([unit] + [m.text for m in pending])
            from .embeddings import text_hash
            vu = vectors.get(text_hash(unit))
            if vu is not None:
                for member in pending:
                    vm = vectors.get(text_hash(member.text))
                    if vm is None:
                        continue
                    j = variants.embedding_judgement(float(vu @ vm))
                    if j.same:
                        add(_Match(member.statement_id, "embedding", j.score, False))
        return list(found.values())

    def prefetch(self, plans) -> None:
        """Embed, in one batch, every text the coming comparisons may need."""
        if self.embedder is None:
            return
        texts: list[str] = []
        for quote, units in plans:
            _, _, speaker_id, article_id, published = quote
            speaker_ids = self.speakers_for(speaker_id, article_id)
            for unit in units:
                norm = variants.normalise(unit)
                content = set(norm.split()) - variants._STOPWORDS
                wanted = False
                for member in self.members(speaker_ids, article_id, published, norm, len(norm.split())):
                    if member.article_id == article_id or member.norm == norm or not content & set(member.norm.split()):
                        continue
                    if self.cheap(unit, member.text).stage == "candidate":
                        texts.append(member.text)
                        wanted = True
                if wanted:
                    texts.append(unit)
        if texts:
            self.embedder.vectors(texts)

    # -- writing -------------------------------------------------------------------------
    def assign(self, quote, units: list[str]) -> list[int]:
        quote_id, _, speaker_id, article_id, published = quote
        speaker_ids = self.speakers_for(speaker_id, article_id)
        linked: list[tuple[int, str]] = []
        for part, unit in enumerate(units):
            norm = variants.normalise(unit)
            if not norm:
                continue
            h = hashlib.sha1(norm.encode("utf-8")).hexdigest()
            members = self.members(speaker_ids, article_id, published, norm, len(norm.split()))
            found = self.matches(unit, norm, article_id, members)
            forbidden = self.forbidden_for(quote_id, h)
            found = [m for m in found if m.statement_id not in forbidden]
            if found:
                found.sort(key=lambda m: (_RANK[m.method], -m.score, m.statement_id))
                target = found[0]
                statement_id = target.statement_id
                if not target.fragment:
                    # a sentence that renders several statements makes them one
                    for other in found[1:]:
                        if not other.fragment and other.statement_id != statement_id \
                                and self.db["statements"].count_where("id = ?", [other.statement_id]) \
                                and not self.conflict(statement_id, other.statement_id):
                            _merge_into(self.db, statement_id, other.statement_id)
                method, score = target.method, target.score
            else:
                statement_id = self.db["statements"].insert({"text": unit, "speaker_id": speaker_id}).last_pk
                method, score = "new", None
            self.db["quote_statements"].insert(
                {"quote_id": quote_id, "statement_id": statement_id, "part": part, "text": unit,
                 "norm_hash": h, "method": method, "score": score},
                ignore=True,
            )
            if speaker_id is not None:
                self.db.execute("update statements set speaker_id = ? where id = ? and speaker_id is null",
                                [speaker_id, statement_id])
            linked.append((statement_id, unit))
            _touch(self.db, statement_id)
        return [st for st, _ in linked]

    def forbidden_for(self, quote_id: int, h: str) -> set[int]:
        """Statements this sentence must not join (a user split it from them)."""
        out = set()
        for (qa, ha), (qb, hb) in self.forbidden:
            other = (qb, hb) if (qa, ha) == (quote_id, h) else (qa, ha) if (qb, hb) == (quote_id, h) else None
            if other is not None:
                st = _unit_statement(self.db, *other)
                if st is not None:
                    out.add(st)
        return out

    def conflict(self, a: int, b: int) -> bool:
        """Would merging statements ``a`` and ``b`` undo a user's split?"""
        for ua, ub in self.forbidden:
            sa, sb = _unit_statement(self.db, *ua), _unit_statement(self.db, *ub)
            if {sa, sb} == {a, b}:
                return True
        return False


def _json(ids) -> str:
    import json
    return json.dumps(sorted(i for i in ids if i is not None))


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
    if not db["statement_corrections"].exists():
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


def assign_statements(db, quote_ids: Iterable[int], *, embedder=None) -> list[int]:
    """Link each quote in ``quote_ids`` to its statements, creating statements as needed.

    Each sentence of a quote not yet linked is compared with the member sentences of
    the plausible statements (see the module docstring) by the cascade of
    :func:`quotetrack.variants.judge`; it joins its strongest match (merging
    statements it renders in full), or starts a new statement. ``embedder`` (an
    :class:`quotetrack.embeddings.Embedder`) defaults to one caching in ``db``.

    Canonical texts and counts (``quote_count``, ``article_count``, ``outlet_count``,
    ``first_reported``, ``last_reported``) are recomputed for every touched statement,
    and recorded user corrections are re-applied. Idempotent: quotes that already have
    a ``quote_statements`` row are left alone. Runs in the caller's transaction if
    there is one (``store.save_article`` calls it inside its own). Returns the ids of
    the touched statements.
    """
    touched: list[int] = []
    with db.atomic():
        plans = []
        for quote_id in quote_ids:
            row = db.execute(
                "select id, text, speaker_id, article_id, published from quotes where id = ?", [quote_id]
            ).fetchone()
            if row is None:
                continue
            existing = db.execute(
                "select statement_id from quote_statements where quote_id = ? order by rowid limit 1",
                [quote_id],
            ).fetchone()
            if existing:
                db.execute("update quotes set statement_id = ? where id = ? and statement_id is null",
                           [existing[0], quote_id])
                continue
            units = variants.split_units(row[1]) or [row[1]]
            plans.append((row, units))
        if not plans:
            return touched
        assigner = _Assigner(db, embedder)
        assigner.prefetch(plans)
        for row, units in plans:
            for statement_id in assigner.assign(row, units):
                if statement_id not in touched:
                    touched.append(statement_id)
            db.execute("update quotes set statement_id = ? where id = ?", [_main_statement(db, row[0]), row[0]])
        touched.extend(apply_corrections(db))
        touched = [t for t in dict.fromkeys(touched)
                   if db.execute("select 1 from statements where id = ?", [t]).fetchone()]
        # merges may have moved quotes whose statement_id pointed at a merged statement
        refresh_statement_counts(db, touched)
    return touched


def refresh_statement_counts(db, statement_ids: Iterable[int] | None = None) -> None:
    """Recompute ``quote_count``, ``article_count``, ``outlet_count``,
    ``first_reported`` / ``last_reported`` (earliest / latest ``published`` of a
    member quote) and the canonical ``text`` (the longest member sentence; ties go
    to the alphabetically first, so the result does not depend on ingest order) for
    the given statements, or for all of them when ``statement_ids`` is None.
    Statements left without members are deleted."""
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
    has_last = "last_reported" in db["statements"].columns_dict
    if not has_last:
        sql = sql.replace(""",
          last_reported = (select max(q.published) from quote_statements qs
                           join quotes q on q.id = qs.quote_id where qs.statement_id = statements.id)""", "")
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        db.execute(sql + f" where id in ({', '.join('?' * len(chunk))})", chunk)
    has_text = "text" in db["quote_statements"].columns_dict
    for statement_id in ids:
        texts = [r[0] for r in db.execute(
            f"select {'coalesce(qs.text, q.text)' if has_text else 'q.text'} from quote_statements qs "
            "join quotes q on q.id = qs.quote_id where qs.statement_id = ?", [statement_id]).fetchall()]
        if not texts:
            db.execute("update quotes set statement_id = null where statement_id = ?", [statement_id])
            db.execute("delete from statements where id = ?", [statement_id])
            continue
        best = max(texts, key=lambda t: (len(variants.tokens(t)), len(t), [-ord(c) for c in t]))
        db.execute("update statements set text = ? where id = ? and text is not ?", [best, statement_id, best])


# ---------------------------------------------------------------------------
# user corrections


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _representative(db, statement_id: int) -> tuple[int, str | None] | None:
    row = db.execute("select quote_id, norm_hash from quote_statements where statement_id = ? "
                     "order by quote_id, rowid limit 1", [statement_id]).fetchone()
    return (row[0], row[1]) if row else None


def merge_statements(db, keep: int, drop: int) -> int:
    """Merge statement ``drop`` into ``keep`` (a user's correction), record it so
    it survives later ingests, and return ``keep``."""
    with db.atomic():
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
    with db.atomic():
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
    if not db["statement_corrections"].exists():
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
            db.execute("update quotes set statement_id = ? where id = ?", [_main_statement(db, qa), qa])
            changed += [sa, new_id]
    if changed:
        for (quote_id,) in db.execute(
                "select distinct quote_id from quote_statements where statement_id in "
                f"({', '.join('?' * len(changed))})", changed).fetchall():
            db.execute("update quotes set statement_id = ? where id = ?", [_main_statement(db, quote_id), quote_id])
        refresh_statement_counts(db, changed)
    return changed


def upgrade_links(db) -> None:
    """Fill the sentence columns of ``quote_statements`` rows written before they
    existed (one row per quote: the whole quote) and ``statements.last_reported``."""
    for rowid, quote_id, text in db.execute(
            "select qs.rowid, qs.quote_id, q.text from quote_statements qs join quotes q on q.id = qs.quote_id "
            "where qs.norm_hash is null").fetchall():
        db.execute("update quote_statements set part = 0, text = ?, norm_hash = ?, method = 'legacy' "
                   "where rowid = ?", [text, norm_hash(text), rowid])
    refresh_statement_counts(db)
