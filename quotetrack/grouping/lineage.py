"""Article lineage: which stored articles are copies or rewrites of earlier ones.

After each ingest, :func:`find_sources` examines every article not yet in
``article_lineage``. Its body is split into sentences in the reporter's words (short
lines, i.e. page furniture such as headers, captions and "Advertisement", are skipped,
and quoted words left out: reports of one speech share them); a few hashes of
its word shingles (the bottom-k of all of them, MinHash style) go into
``article_fingerprints``. Its candidates are the articles that share two of those
hashes, or share a statement carried by few articles (``MAX_STATEMENT_ARTICLES``) and
were published within ``WINDOW_DAYS`` of it when both are dated; never articles of its
own outlet (their pages share furniture). Nothing compares all pairs, and candidates are
looked up among every stored article, so an original ingested after its copy is found.

Each candidate pair is aligned sentence by sentence, in order (mutual best matches, then
the longest increasing run of them). Near-verbatim sentences covering most of both
articles make a ``copy``. Pairs that share statements and many loosely matching
sentences are aligned again with sentence embeddings (:mod:`.embeddings`): most
sentences paraphrased in the same order make a ``rewrite``. Two reports of one event
that share quotes but were written apart align only here and there, and stay apart.

Direction: an article carrying the wire credit of the other's outlet, or of its own, in a
dateline ("WASHINGTON (Reuters) -", "BEIJING (AP) \u2014") names the source ("credit"):
reprints are often dated a day before the agency's own page. Otherwise the earlier
``published`` date is the source. An undated article's latest full
date in its text is a lower bound of its own date ("date in text"); when dates cannot
order the pair, the article whose sentences are more covered by the other is the copy
("coverage"); when nothing orders them the link is stored with the one stored first as
source and evidence "unknown": a copy, but which came first is not known.

``statements.independent_outlets`` of the statements touched is then recounted
(:func:`refresh_independent_outlets`).
"""
from __future__ import annotations

import bisect
import datetime
import itertools
import re
import zlib
from collections import Counter, OrderedDict
from dataclasses import dataclass, field, replace

from ..db import store
from ..text import day, tokens
from .variants import _ABBREVIATIONS, _SENTENCE_END, _STOPWORDS

__all__ = ["find_sources", "refresh_independent_outlets", "sentences", "text_date", "fingerprints",
           "credits", "Stats", "WINDOW_DAYS", "MAX_STATEMENT_ARTICLES"]

#: dated articles further apart than this are no candidates through their statements
WINDOW_DAYS = 120
#: statements carried by more articles than this find no candidates (a famous line)
MAX_STATEMENT_ARTICLES = 30
#: fingerprint hashes kept per article, words per shingle, shared hashes for a candidate
FINGERPRINTS = 16
SHINGLE_WORDS = 5
MIN_SHARED_FINGERPRINTS = 2
#: a fingerprint carried by more articles than this is boilerplate: ignored
MAX_FINGERPRINT_ARTICLES = 50
#: lines shorter than this (in words) are page furniture, not body text
MIN_LINE_WORDS = 8
#: sentences with fewer content words are not aligned
MIN_SENTENCE_WORDS = 4
#: sentences of an article aligned lexically / embedded
MAX_SENTENCES = 80
MAX_EMBED_SENTENCES = 24
#: copy: sentences with this word Jaccard, aligned over this share of both articles
COPY_SIMILARITY = 0.5
COPY_RATIO = 0.6
#: rewrite: first this looser lexical alignment, then embeddings of the pair
SIGNAL_SIMILARITY = 0.2
SIGNAL_RATIO = 0.5
REWRITE_COSINE = 0.88
REWRITE_RATIO = 0.55
#: fewest aligned sentences of a copy / a rewrite
MIN_COPY_ALIGNED = 3
MIN_REWRITE_ALIGNED = 4
#: coverage shares closer than this do not decide a direction
COVERAGE_MARGIN = 0.05
#: articles examined per write transaction, and parsed articles kept in memory
BATCH = 200
CACHE_ARTICLES = 500
#: more statements to recount than this: every statement is recounted in one pass
FULL_REFRESH = 20_000

_MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATES = [
    re.compile(r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b"),
]


#: a dateline credit: a capitalised name in brackets followed by a dash
_CREDIT = re.compile(r"\(([A-Z][A-Za-z.&' ]{1,40})\)\s*(?:-|\u2013|\u2014)")
#: characters of an article searched for its dateline (captions may come first)
CREDIT_CHARS = 1500


def credits(text: str) -> frozenset[str]:
    """The names credited in the datelines near the top of ``text`` ("(AP) \u2014",
    "(Reuters) -"), case-folded."""
    return frozenset(" ".join(m.group(1).casefold().split())
                     for m in _CREDIT.finditer((text or "")[:CREDIT_CHARS]))


def _credited(outlet: str | None, names: frozenset[str]) -> bool:
    """Whether ``outlet`` is one of the credited ``names``, in full or by its initials
    ("Associated Press" is credited as "AP", "CNN (Web News)" as "CNN")."""
    if not outlet or not names:
        return False
    # "CNN (Web News)", "Newsmax - News": the name without what the aggregator adds
    name = " ".join(re.sub(r"\(.*?\)|\s[-\u2013\u2014]\s.*$", " ", outlet.casefold()).split())
    words = [w for w in re.split(r"[\s-]+", name) if w and w not in ("the", "news")]
    initials = "".join(w[0] for w in words)
    return any(n == name or n == " ".join(words) or (len(n) >= 2 and n.replace(".", "") == initials)
               for n in names)


def text_date(text: str) -> datetime.date | None:
    """The latest full date written in ``text`` ("Tuesday, April 30, 2024", "5 September
    2023", "2023-09-05"): an article cannot be older than the dates it prints."""
    latest = None
    for pattern in _DATES:
        for m in pattern.finditer(text or ""):
            month = m.group("month")
            month = int(month) if month.isdigit() else _MONTHS.get(month.casefold())
            try:
                found = datetime.date(int(m.group("year")), month or 0, int(m.group("day")))
            except ValueError:
                continue
            latest = found if latest is None or found > latest else latest
    return latest


_QUOTED = re.compile(r"[\u201c\"][^\u201c\u201d\"\n]{0,1000}[\u201d\"]")


def sentences(text: str) -> list[str]:
    """The body sentences of an article in the reporter's words: lines of
    ``MIN_LINE_WORDS`` words or more, split into sentences, quoted words left out (two
    reports of one speech share them without copying each other), and sentences with
    fewer than ``MIN_SENTENCE_WORDS`` content words left dropped."""
    return [s for s, _ in _parse(text)]


def _parse(text: str) -> list[tuple[str, list[str]]]:
    """:func:`sentences` with the words of each."""
    out = []
    for line in (text or "").splitlines():
        if len(line.split()) < MIN_LINE_WORDS:
            continue
        for s in _split(line.strip()):
            s = " ".join(_QUOTED.sub(" \u2026 ", s).split())
            words = tokens(s)
            if sum(1 for w in words if w not in _STOPWORDS) >= MIN_SENTENCE_WORDS:
                out.append((s, words))
    return out


def _split(line: str) -> list[str]:
    """The sentences of a line (:func:`.variants.split_units` without its joining of
    short sentences, which are dropped here anyway)."""
    pieces, last = [], 0
    for m in _SENTENCE_END.finditer(line):
        before = line[last:m.start()].rstrip("\"'\u201d\u2019)]")
        word = before.rsplit(None, 1)[-1].rstrip(".!?").lstrip("\"'\u201c\u2018([").casefold() if before.split() else ""
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue
        pieces.append(line[last:m.start()])
        last = m.end()
    pieces.append(line[last:])
    return [p for p in pieces if p.strip()]


def _stems(words: list[str]) -> frozenset[str]:
    """Content words cut to six letters (a crude stem: "travelled" ~ "traveled")."""
    return frozenset(w[:6] for w in words if w not in _STOPWORDS)


def fingerprints(body: list[str], k: int = FINGERPRINTS) -> list[int]:
    """The ``k`` smallest hashes of the article's shingles of ``SHINGLE_WORDS`` words
    (bottom-k MinHash): near-identical texts keep mostly the same ones."""
    return _fingerprints([w for s in body for w in tokens(s)], k)


def _fingerprints(words: list[str], k: int = FINGERPRINTS) -> list[int]:
    # two CRC-32s of each shingle (different seeds) make a 63-bit hash, stable across runs
    hashes = set()
    for i in range(max(0, len(words) - SHINGLE_WORDS + 1)):
        data = " ".join(words[i:i + SHINGLE_WORDS]).encode("utf-8")
        hashes.add(((zlib.crc32(data) & 0x7FFF_FFFF) << 32) | zlib.crc32(data, 0x5BD1E995))
    return sorted(hashes)[:k]


@dataclass
class _Article:
    id: int
    outlet: str | None
    published: datetime.date | None
    bound: datetime.date | None       # undated: the latest date in its text
    body: list[str]
    stems: list[frozenset]
    fingerprints: list[int] = field(default_factory=list)
    credits: frozenset[str] = frozenset()   # dateline credits near its top


@dataclass
class Stats:
    """What one :func:`find_sources` run did (benchmarks print it)."""
    examined: int = 0
    candidates: int = 0
    embedded_pairs: int = 0
    embedded_sentences: int = 0
    copies: int = 0
    rewrites: int = 0
    evidence: Counter = field(default_factory=Counter)


class _Articles:
    """Articles parsed on demand, the last ``CACHE_ARTICLES`` kept (texts stay in SQLite)."""

    def __init__(self, db):
        self.db = db
        self.cache: OrderedDict[int, _Article] = OrderedDict()

    def get(self, article_id: int, with_fingerprints: bool = False) -> _Article | None:
        art = self.cache.get(article_id)
        if art is not None and (art.fingerprints or not with_fingerprints):
            self.cache.move_to_end(article_id)
            return art
        row = self.db.execute("select id, outlet, published, text from articles where id = ?",
                              [article_id]).fetchone()
        if row is None:
            return None
        parsed = _parse(row[3])[:MAX_SENTENCES]
        published = day(row[2])
        art = _Article(row[0], row[1] or None, published, None if published else text_date(row[3]),
                       [s for s, _ in parsed], [_stems(w) for _, w in parsed], credits=credits(row[3]))
        if with_fingerprints:
            art.fingerprints = _fingerprints([w for _, words in parsed for w in words])
        self.cache[article_id] = art
        if len(self.cache) > CACHE_ARTICLES:
            self.cache.popitem(last=False)
        return art


# ---------------------------------------------------------------------------
# candidates


def _outlet(name) -> str | None:
    return " ".join(name.casefold().split()) or None if name else None


def _by_fingerprint(conn, article_id: int, outlet: str | None, hashes: list[int]) -> set[int]:
    if not hashes:
        return set()
    # counted up to the cap only: a boilerplate shingle may be in thousands of articles
    kept = [h for h in hashes if conn.execute(
        "select count(*) from (select 1 from article_fingerprints where hash = ? limit ?)",
        [h, MAX_FINGERPRINT_ARTICLES + 1]).fetchone()[0] <= MAX_FINGERPRINT_ARTICLES]
    if not kept:
        return set()
    rows = conn.execute(
        "select f.article_id, a.outlet from article_fingerprints f join articles a on a.id = f.article_id "
        f"where f.hash in ({', '.join('?' * len(kept))}) and f.article_id != ? "
        "group by f.article_id having count(*) >= ?",
        [*kept, article_id, MIN_SHARED_FINGERPRINTS])
    return {a for a, other in rows if outlet is None or _outlet(other) != outlet}


def _by_statement(conn, article_id: int, outlet: str | None, published: datetime.date | None) -> set[int]:
    rows = conn.execute(
        """select distinct q2.article_id, q2.outlet, q2.published from quotes q
           join quote_statements qs on qs.quote_id = q.id
           join statements s on s.id = qs.statement_id and s.article_count <= ?
           join quote_statements qs2 on qs2.statement_id = qs.statement_id
           join quotes q2 on q2.id = qs2.quote_id
           where q.article_id = ? and q2.article_id != ?""",
        [MAX_STATEMENT_ARTICLES, article_id, article_id])
    out = set()
    for other, other_outlet, when in rows:
        other_day = day(when)
        if published and other_day and abs((published - other_day).days) > WINDOW_DAYS:
            continue
        if outlet is None or _outlet(other_outlet) != outlet:
            out.add(other)
    return out


# ---------------------------------------------------------------------------
# alignment


def _aligned(best_a: list, best_b: list, threshold: float) -> tuple[int, list[tuple[int, int]]]:
    """Mutual best matches at ``threshold`` or more, kept in order in both articles
    (longest increasing run): (their number, the pairs)."""
    pairs = [(i, j) for i, (j, s) in enumerate(best_a)
             if j is not None and s >= threshold and best_b[j][0] == i]
    tails: list[int] = []
    for _, j in pairs:
        k = bisect.bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
        else:
            tails[k] = j
    return len(tails), pairs


def _best(scores: dict[tuple[int, int], float], na: int, nb: int) -> tuple[list, list]:
    best_a: list = [(None, 0.0)] * na
    best_b: list = [(None, 0.0)] * nb
    for (i, j), s in scores.items():
        if s > best_a[i][1]:
            best_a[i] = (j, s)
        if s > best_b[j][1]:
            best_b[j] = (i, s)
    return best_a, best_b


def lexical(a: list[frozenset], b: list[frozenset]) -> tuple[list, list]:
    """Best match of each sentence of ``a`` in ``b`` and back, by Jaccard of stems."""
    index: dict[str, list[int]] = {}
    for j, stems in enumerate(b):
        for w in stems:
            index.setdefault(w, []).append(j)
    scores: dict[tuple[int, int], float] = {}
    for i, stems in enumerate(a):
        shared: Counter = Counter()
        for w in stems:
            for j in index.get(w, ()):
                shared[j] += 1
        for j, n in shared.items():
            scores[(i, j)] = n / (len(stems) + len(b[j]) - n)
    return _best(scores, len(a), len(b))


def _ratio(aligned: int, na: int, nb: int) -> float:
    return 2 * aligned / (na + nb) if na + nb else 0.0


def _rewrite(embedder, a: _Article, b: _Article, stats: Stats) -> tuple[int, float]:
    """(aligned sentences, ratio) of the pair aligned by sentence embeddings."""
    import numpy as np
    from .embeddings import text_hash

    sa, sb = a.body[:MAX_EMBED_SENTENCES], b.body[:MAX_EMBED_SENTENCES]
    before = embedder.computed
    vectors = embedder.vectors(sa + sb)
    stats.embedded_sentences += embedder.computed - before
    stats.embedded_pairs += 1
    try:
        va = np.stack([vectors[text_hash(s)] for s in sa])
        vb = np.stack([vectors[text_hash(s)] for s in sb])
    except KeyError:        # no model after all
        return 0, 0.0
    matrix = va @ vb.T
    best_a = [(int(j), float(matrix[i, j])) for i, j in enumerate(matrix.argmax(1))]
    best_b = [(int(i), float(matrix[i, j])) for j, i in enumerate(matrix.argmax(0))]
    n, _ = _aligned(best_a, best_b, REWRITE_COSINE)
    return n, _ratio(n, len(sa), len(sb))


def judge(a: _Article, b: _Article, share_statements: bool, embedder, stats: Stats) -> dict | None:
    """The link between two articles, copy or rewrite, with its direction; None if neither."""
    if min(len(a.body), len(b.body)) < MIN_COPY_ALIGNED:
        return None
    best_a, best_b = lexical(a.stems, b.stems)
    n, pairs = _aligned(best_a, best_b, COPY_SIMILARITY)
    ratio = _ratio(n, len(a.body), len(b.body))
    method = None
    if n >= MIN_COPY_ALIGNED and ratio >= COPY_RATIO:
        method = "copy"
    elif share_statements and embedder is not None:
        loose, _ = _aligned(best_a, best_b, SIGNAL_SIMILARITY)
        if _ratio(loose, len(a.body), len(b.body)) >= SIGNAL_RATIO:
            n, ratio = _rewrite(embedder, a, b, stats)
            if n >= MIN_REWRITE_ALIGNED and ratio >= REWRITE_RATIO:
                method = "rewrite"
                # coverage below is counted on the sentences that were embedded
                a = replace(a, body=a.body[:MAX_EMBED_SENTENCES], stems=[])
                b = replace(b, body=b.body[:MAX_EMBED_SENTENCES], stems=[])
    if method is None:
        return None
    copy, source, evidence = _direction(a, b, n / len(a.body), n / len(b.body))
    return {"article_id": copy.id, "source_article_id": source.id, "score": round(ratio, 3),
            "method": method, "aligned": n, "evidence": evidence}


def _direction(a: _Article, b: _Article, cover_a: float, cover_b: float):
    """(copy, source, evidence): see the module doc."""
    names = a.credits | b.credits
    a_wrote, b_wrote = _credited(a.outlet, names), _credited(b.outlet, names)
    if a_wrote != b_wrote:
        return (b, a, "credit") if a_wrote else (a, b, "credit")
    if a.published and b.published and a.published != b.published:
        return (a, b, "dates") if a.published > b.published else (b, a, "dates")
    if a.bound and b.published and a.bound > b.published:
        return a, b, "date in text"
    if b.bound and a.published and b.bound > a.published:
        return b, a, "date in text"
    if abs(cover_a - cover_b) >= COVERAGE_MARGIN:
        return (a, b, "coverage") if cover_a > cover_b else (b, a, "coverage")
    return (b, a, "unknown") if a.id < b.id else (a, b, "unknown")


# ---------------------------------------------------------------------------
# the pass


def _embedder(embedder):
    if embedder is not None:
        return embedder if getattr(embedder, "available", True) else None
    from . import embeddings
    return embeddings.Embedder() if embeddings.available() else None


def find_sources(db, embedder=None, *, stats: Stats | None = None, progress=None) -> int:
    """Examine every article not yet in ``article_lineage`` (see the module doc); returns
    the links written. ``embedder``: an :class:`.embeddings.Embedder` (default: one
    without a database cache when the model is available; none: copies only).
    ``progress(done, total)`` hears each batch. Each batch of articles is one
    transaction, so an interrupted run is completed by the next."""
    stats = stats if stats is not None else Stats()
    conn = db.conn
    if not db["article_lineage"].exists():
        return 0
    # in date order: an article's candidates through statements were published near it,
    # and were parsed shortly before (the cache of parsed articles)
    pending = [r[0] for r in conn.execute(
        "select id from articles where id not in (select article_id from article_lineage) "
        "order by published is null, published, id")]
    if not pending:
        # statements left uncounted by an interrupted run, or made since (a correction's split)
        if conn.execute("select 1 from statements where independent_outlets is null limit 1").fetchone():
            with store.write_transaction(db):
                _recount(db)
        return 0
    embedder = _embedder(embedder)
    remaining = set(pending)
    articles = _Articles(db)
    linked: set[int] = set()
    found = 0
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    for start in range(0, len(pending), BATCH):
        chunk = pending[start:start + BATCH]
        with store.write_transaction(db):
            for article_id in chunk:
                remaining.discard(article_id)
                art = articles.get(article_id, with_fingerprints=True)
                if art is None:
                    continue
                stats.examined += 1
                hashes = art.fingerprints
                # (hash, article_id) is the index: a run stopped after this is repeated harmlessly
                conn.execute(f"delete from article_fingerprints where hash in ({', '.join('?' * len(hashes))}) "
                             "and article_id = ?", [*hashes, article_id])
                conn.executemany("insert into article_fingerprints (hash, article_id) values (?, ?)",
                                 [(h, article_id) for h in hashes])
                # articles of one outlet are not compared: their pages share furniture
                # (galleries, related stories) that looks like copying, and the
                # independent outlets of a statement count one outlet once anyway
                outlet = _outlet(art.outlet)
                by_statement = _by_statement(conn, article_id, outlet, art.published)
                # a pair is judged once: when the later of its two articles is examined
                others = (_by_fingerprint(conn, article_id, outlet, hashes) | by_statement) - remaining
                for other_id in sorted(others):
                    other = articles.get(other_id)
                    if other is None:
                        continue
                    stats.candidates += 1
                    link = judge(art, other, other_id in by_statement, embedder, stats)
                    if link is None:
                        continue
                    conn.execute("delete from article_sources where (article_id = ? and source_article_id = ?) "
                                 "or (article_id = ? and source_article_id = ?)",
                                 [article_id, other_id, other_id, article_id])
                    conn.execute("insert into article_sources (article_id, source_article_id, score, method, "
                                 "aligned, evidence) values (:article_id, :source_article_id, :score, :method, "
                                 ":aligned, :evidence)", link)
                    stats.copies += link["method"] == "copy"
                    stats.rewrites += link["method"] == "rewrite"
                    stats.evidence[link["evidence"]] += 1
                    linked.update((article_id, other_id))
                    found += 1
            conn.executemany("insert or replace into article_lineage (article_id, checked_at) values (?, ?)",
                             [(a, now) for a in chunk])
            # the counts these articles change are cleared with them, and made again at
            # the end: a run stopped before that leaves them to the next
            _forget_counts(conn, _descendants(db, set(chunk) | linked) if linked else set(chunk))
            linked.clear()
            if start + BATCH >= len(pending):
                _recount(db)
        if progress is not None:
            progress(min(start + BATCH, len(pending)), len(pending))
    return found


# ---------------------------------------------------------------------------
# independent outlets


def roots(db) -> dict[int, int]:
    """``{article: its lineage root}`` for every article with a source: sources followed
    transitively to articles without one; of several, the earliest published (then the
    first stored). Cycles, which dates cannot make but coverage might, end where they close."""
    sources: dict[int, list[int]] = {}
    for article_id, source_id in db.conn.execute("select article_id, source_article_id from article_sources"):
        sources.setdefault(article_id, []).append(source_id)
    if not sources:
        return {}
    dates = dict(db.conn.execute(
        "select id, published from articles where id in (select source_article_id from article_sources)"))
    out: dict[int, int] = {}
    for start in sources:
        seen, stack, ends = {start}, [start], set()
        while stack:
            node = stack.pop()
            nexts = [s for s in sources.get(node, ()) if s not in seen]
            if node != start and (node not in sources or not nexts):
                ends.add(node)
            for s in nexts:
                seen.add(s)
                stack.append(s)
        if ends:
            out[start] = min(ends, key=lambda a: (day(dates.get(a)) or datetime.date.max, a))
    return out


def _forget_counts(conn, article_ids: set[int]) -> None:
    """Clear ``independent_outlets`` of the statements these articles carry."""
    ids = sorted(article_ids)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        conn.execute(
            "update statements set independent_outlets = null where independent_outlets is not null and id in "
            "(select qs.statement_id from quote_statements qs join quotes q on q.id = qs.quote_id "
            f"where q.article_id in ({', '.join('?' * len(chunk))}))", chunk)


def _recount(db) -> int:
    """Count the statements whose ``independent_outlets`` is cleared (all of them in one
    pass when they are many)."""
    uncounted = db.conn.execute("select count(*) from statements where independent_outlets is null").fetchone()[0]
    if not uncounted:
        return 0
    return refresh_independent_outlets(db, None if uncounted > FULL_REFRESH else ())


def _descendants(db, article_ids: set[int]) -> set[int]:
    """``article_ids`` and every article that copies one of them, transitively."""
    copies: dict[int, list[int]] = {}
    for article_id, source_id in db.conn.execute("select article_id, source_article_id from article_sources"):
        copies.setdefault(source_id, []).append(article_id)
    out, stack = set(article_ids), list(article_ids)
    while stack:
        for c in copies.get(stack.pop(), ()):
            if c not in out:
                out.add(c)
                stack.append(c)
    return out


def refresh_independent_outlets(db, article_ids=None) -> int:
    """Recount ``statements.independent_outlets`` for the statements carried by
    ``article_ids`` or by their copies, and those never counted (all statements when
    ``article_ids`` is None): the articles carrying a statement grouped by lineage root,
    roots of one known outlet counted once, each root without an outlet once. Returns
    the statements whose count changed."""
    conn = db.conn
    if "independent_outlets" not in db["statements"].columns_dict:
        return 0
    root = roots(db)
    outlets = dict(conn.execute("select id, nullif(outlet, '') from articles"))
    if article_ids is None:
        ids = None
    else:
        carriers = sorted(_descendants(db, set(article_ids)))
        ids = {r[0] for r in conn.execute("select id from statements where independent_outlets is null")}
        for i in range(0, len(carriers), 500):
            chunk = carriers[i:i + 500]
            ids.update(r[0] for r in conn.execute(
                "select distinct qs.statement_id from quote_statements qs join quotes q on q.id = qs.quote_id "
                f"where q.article_id in ({', '.join('?' * len(chunk))})", chunk))
        ids = sorted(ids)
    base = ("select qs.statement_id, q.article_id, s.independent_outlets from quote_statements qs "
            "join quotes q on q.id = qs.quote_id join statements s on s.id = qs.statement_id")
    chunks = [None] if ids is None else [ids[i:i + 500] for i in range(0, len(ids), 500)]
    changed = 0
    for chunk in chunks:
        sql, args = (base, []) if chunk is None else (
            base + f" where qs.statement_id in ({', '.join('?' * len(chunk))})", chunk)
        # streamed in statement order: one statement's carriers in memory at a time
        rows = conn.execute(sql + " order by qs.statement_id", args)
        updates = []
        for statement_id, group in itertools.groupby(rows, key=lambda r: r[0]):
            group = list(group)
            heads = {root.get(r[1], r[1]) for r in group}
            known = {outlets.get(a) for a in heads} - {None}
            n = len(known) + sum(1 for a in heads if outlets.get(a) is None)
            if n != group[0][2]:
                updates.append((n, statement_id))
        conn.executemany("update statements set independent_outlets = ? where id = ?", updates)
        changed += len(updates)
    # statements no article carries (an original's unquoted sentences): none, not "not counted"
    changed += conn.execute("update statements set independent_outlets = 0 where independent_outlets is null "
                            "and not exists (select 1 from quote_statements qs where qs.statement_id = statements.id)"
                            ).rowcount
    return changed
