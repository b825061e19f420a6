"""Schema migrations of the quotetrack database: never edit an applied one, add a new
function at the end instead. :func:`quotetrack.db.store.open_db` applies the pending ones.

Most migrations are SQL. A few also bring the rows of a database written by an older
version up to the rules of the day, and some of those rules belong to layers above the
store: the identity keys of speakers (m003: ``speaker_rows.recompute_keys``), the words a
statement's sentences are indexed under (m005: ``terms.index_terms``) and which
speakers are related (m007: ``relations.relation_reason``). The store never imports
those layers: the rules are passed down as :class:`Rules` (``open_db(path, rules=...)``;
:func:`quotetrack.ingest.open_db` passes the live ones). A migration needs them only
when the database holds rows for them to work on: a new database is created without
them, and an older one opened without them is refused (:class:`MigrationError`, nothing
changed) rather than half upgraded.

NOTE: these three are live code, not frozen copies: freezing them would copy the whole
naming rules of ``identities`` (several hundred lines) and the term rules of statement
grouping into this module, too much for the layering change that moved them out of the
store; the term index must moreover be built with exactly the ``index_terms`` that
grouping queries it with. The other data steps are frozen here as they behaved when the
layers were separated: the sentence links of m003 (``_upgrade_links``) and the index
expression on speaker keys of m005 (:data:`KEY_LAST_WORD_SQL`); the statement counts
(m003, m008) are the store's own (:mod:`quotetrack.db.counts`).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable

import sqlite_utils

from ..sources.dates import parse_date
from ..text import normalise
from .counts import refresh_statement_counts

__all__ = ["migrations", "Rules", "MigrationError", "apply", "build_term_index", "TERM_INDEX_SQL",
           "KEY_LAST_WORD_SQL"]


@dataclass(frozen=True)
class Rules:
    """Rules of the layers above the store that migrations apply to existing rows."""
    #: m003: ``recompute_keys(db)`` gives every speaker identity the key of the current rules
    recompute_keys: Callable[[sqlite_utils.Database], None] | None = None
    #: m005: ``index_terms(text) -> (terms, prefix)``, the statement term index of a sentence
    index_terms: Callable[[str], tuple] | None = None
    #: m007: ``relation_reason(a, b, country)``: why two identities are related, or None
    relation_reason: Callable[[tuple, tuple, str], str | None] | None = None


class MigrationError(RuntimeError):
    """A migration needs a rule of a higher layer that was not passed down (see :class:`Rules`)."""


def apply(db: sqlite_utils.Database, rules: Rules | None = None) -> None:
    """Apply the pending migrations to ``db`` with ``rules`` at hand."""
    db._quotetrack_rules = rules
    try:
        migrations.apply(db)
    finally:
        db._quotetrack_rules = None


def _rule(db: sqlite_utils.Database, migration: str, name: str, *, required: bool = True):
    rule = getattr(getattr(db, "_quotetrack_rules", None), name, None)
    if rule is None and required:
        raise MigrationError(
            f"{migration} upgrades the rows of this database with {name}, a rule of a higher layer that was not "
            "passed down: open it with quotetrack.ingest.open_db (or open_db(path, rules=...))")
    return rule


#: the expression of the index on the last word of a speaker key (m005), which
#: ``identities`` queries the identities whose key ends in a bare "ministry" with
KEY_LAST_WORD_SQL = "substr(key, length(rtrim(key, replace(key, ' ', ''))) + 1)"

#: the statement term index (m005), see :mod:`quotetrack.grouping.terms`
TERM_INDEX_SQL = [
    """create table if not exists statement_terms (
      speaker_id integer not null,   -- statements.speaker_id, 0 for none (kept current by a trigger)
      term text not null,            -- a content word of a member sentence (variants.normalise)
      prefix integer not null,       -- 1: a word the sentence is indexed under for prefix filtering
      statement_id integer not null,
      primary key (speaker_id, term, prefix, statement_id)
    ) without rowid""",
    "create index if not exists idx_statement_terms_statement_id on statement_terms (statement_id, term)",
    """create trigger if not exists statement_terms_speaker after update of speaker_id on statements
    when new.speaker_id is not old.speaker_id
    begin
      update or replace statement_terms set speaker_id = coalesce(new.speaker_id, 0) where statement_id = new.id;
    end""",
    """create trigger if not exists statement_terms_delete after delete on statements
    begin
      delete from statement_terms where statement_id = old.id;
    end""",
]


def build_term_index(db: sqlite_utils.Database, index_terms: Callable[[str], tuple] | None) -> None:
    """Create ``statement_terms`` (and its triggers) if missing, indexing every member
    sentence already linked with ``index_terms`` (needed only when there is one)."""
    if getattr(db, "_quotetrack_term_index", False):
        return
    if db["statement_terms"].exists():
        db._quotetrack_term_index = True
        return
    for statement in TERM_INDEX_SQL:
        db.execute(statement)
    rows = []
    for statement_id, speaker_id, text in db.execute(
            "select qs.statement_id, coalesce(s.speaker_id, 0), coalesce(qs.text, q.text) from quote_statements qs "
            "join quotes q on q.id = qs.quote_id join statements s on s.id = qs.statement_id"):
        if index_terms is None:
            index_terms = _rule(db, "m005_statement_terms", "index_terms")
        terms, prefix = index_terms(text)
        rows.extend((speaker_id, t, int(t in prefix), statement_id) for t in terms)
        if len(rows) > 50_000:
            db.conn.executemany("insert or ignore into statement_terms values (?, ?, ?, ?)", rows)
            rows = []
    db.conn.executemany("insert or ignore into statement_terms values (?, ?, ?, ?)", rows)


def _upgrade_links(db: sqlite_utils.Database) -> None:
    """m003, frozen: fill the sentence columns of ``quote_statements`` rows written before
    they existed (one row per quote: the whole quote) and ``statements.last_reported``."""
    for rowid, quote_id, text in db.execute(
            "select qs.rowid, qs.quote_id, q.text from quote_statements qs join quotes q on q.id = qs.quote_id "
            "where qs.norm_hash is null").fetchall():
        norm_hash = hashlib.sha1(normalise(text).encode("utf-8")).hexdigest()
        db.execute("update quote_statements set part = 0, text = ?, norm_hash = ?, method = 'legacy' "
                   "where rowid = ?", [text, norm_hash, rowid])
    refresh_statement_counts(db)


migrations = sqlite_utils.Migrations("quotetrack")


@migrations(name="m001_initial_schema")
def m001_initial_schema(db: sqlite_utils.Database) -> None:
    """Tables, primary and foreign keys, unique keys and indexes."""
    db["articles"].create(
        {
            "id": int,
            "path": str,
            "title": str,
            "outlet": str,
            "author": str,
            "published": str,
            "url": str,
            "content_hash": str,
            "record_id": str,
            "line": int,
            "encoding": str,
            "text": str,
            "word_count": int,
            "ingested_at": str,
        },
        pk="id",
        not_null={"content_hash", "text"},
    )
    db["articles"].create_index(["content_hash"], unique=True)

    db["speakers"].create(
        {"id": int, "name": str, "kind": str, "key": str},
        pk="id",
        not_null={"name", "key"},
    )
    db["speakers"].create_index(["key"], unique=True)

    db["speaker_aliases"].create(
        {"speaker_id": int, "alias": str, "quote_count": int},
        pk=("speaker_id", "alias"),
        foreign_keys=[("speaker_id", "speakers", "id")],
        not_null={"speaker_id", "alias"},
        defaults={"quote_count": 0},
    )

    db["statements"].create(
        {
            "id": int,
            "text": str,
            "speaker_id": int,
            "first_reported": str,
            "quote_count": int,
            "article_count": int,
            "outlet_count": int,
        },
        pk="id",
        foreign_keys=[("speaker_id", "speakers", "id")],
        not_null={"text"},
        defaults={"quote_count": 0, "article_count": 0, "outlet_count": 0},
    )

    db["quotes"].create(
        {
            "id": int,
            "article_id": int,
            "start": int,
            "end": int,
            "text": str,
            "speaker_id": int,
            "speaker_mention": str,
            "kind": str,
            "speaker_start": int,
            "speaker_end": int,
            "cue": str,
            "confidence": float,
            "method": str,
            "outlet": str,
            "published": str,
            "statement_id": int,
        },
        pk="id",
        foreign_keys=[
            ("article_id", "articles", "id"),
            ("speaker_id", "speakers", "id"),
            ("statement_id", "statements", "id"),
        ],
        not_null={"article_id", "start", "end", "text"},
    )

    db["quote_statements"].create(
        {"quote_id": int, "statement_id": int},
        pk=("quote_id", "statement_id"),
        foreign_keys=[("quote_id", "quotes", "id"), ("statement_id", "statements", "id")],
    )

    db.index_foreign_keys()
    db["quotes"].create_index(["published"], if_not_exists=True)
    db["quotes"].create_index(["outlet"], if_not_exists=True)
    db["articles"].create_index(["published"], if_not_exists=True)
    db["articles"].create_index(["outlet"], if_not_exists=True)


QUOTES_VIEW_SQL = """
select
  quotes.id as quote_id,
  quotes.text,
  speakers.name as speaker,
  quotes.speaker_mention,
  quotes.cue,
  quotes.outlet,
  quotes.published,
  articles.title as article_title,
  quotes.article_id,
  quotes.statement_id,
  quotes.start,
  quotes."end"
from quotes
join articles on articles.id = quotes.article_id
left join speakers on speakers.id = quotes.speaker_id
"""


@migrations(name="m002_search_and_views")
def m002_search_and_views(db: sqlite_utils.Database) -> None:
    """Cue offsets, full-text search (with triggers) and the ``quotes_view`` view.

    Existing rows are indexed by ``enable_fts`` (it populates the new index)."""
    quotes = db["quotes"]
    for column in ("cue_start", "cue_end"):
        if column not in quotes.columns_dict:
            quotes.add_column(column, int)
    tokenize = "porter unicode61 remove_diacritics 2"
    quotes.enable_fts(["text", "speaker_mention"], create_triggers=True, tokenize=tokenize, replace=True)
    db["articles"].enable_fts(["title", "text"], create_triggers=True, tokenize=tokenize, replace=True)
    db.create_view("quotes_view", QUOTES_VIEW_SQL, replace=True)


@migrations(name="m003_identities_and_statement_groups")
def m003_identities_and_statement_groups(db: sqlite_utils.Database) -> None:
    """Cross-article speaker identities and statement grouping (``identities.py``,
    ``statements.py``, ``embeddings.py``):

    - ``speakers.description`` (roles, "; "-separated), ``speakers.surname`` and
      ``speakers.country`` (demonym); ``speaker_relations(speaker_id, related_id, reason)``;
    - ``statements.last_reported``;
    - ``quote_statements.part`` (which sentence of the quote), ``text`` (that sentence),
      ``norm_hash`` (SHA-1 of its normalised text), ``method`` (the stage that linked it:
      new, exact, contained, fragment, lexical, embedding, correction) and ``score``;
    - ``embeddings(hash, model, dim, vector)``: the embedding cache;
    - ``statement_corrections``: merges and splits made by users, re-applied after ingests.

    Existing identities get the new keys (merged where they now coincide)."""
    speakers = db["speakers"]
    for column in ("description", "surname", "country"):
        if column not in speakers.columns_dict:
            speakers.add_column(column, str)
    speakers.create_index(["surname"], if_not_exists=True)
    speakers.create_index(["country"], if_not_exists=True)
    db["speaker_relations"].create(
        {"speaker_id": int, "related_id": int, "reason": str},
        pk=("speaker_id", "related_id"),
        foreign_keys=[("speaker_id", "speakers", "id"), ("related_id", "speakers", "id")],
        if_not_exists=True,
    )
    db["speaker_relations"].create_index(["related_id"], if_not_exists=True)
    if "last_reported" not in db["statements"].columns_dict:
        db["statements"].add_column("last_reported", str)
    qs = db["quote_statements"]
    for column, kind in (("part", int), ("text", str), ("norm_hash", str), ("method", str), ("score", float)):
        if column not in qs.columns_dict:
            qs.add_column(column, kind)
    qs.create_index(["norm_hash"], if_not_exists=True)
    db["embeddings"].create(
        {"hash": str, "model": str, "dim": int, "vector": bytes},
        pk=("hash", "model"),
        if_not_exists=True,
    )
    db["statement_corrections"].create(
        {
            "id": int,
            "action": str,
            "quote_id": int,
            "quote_hash": str,
            "other_quote_id": int,
            "other_hash": str,
            "statement_text": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("quote_id", "quotes", "id"), ("other_quote_id", "quotes", "id")],
        if_not_exists=True,
    )
    if db.execute("select 1 from speakers limit 1").fetchone():
        _rule(db, "m003_identities_and_statement_groups", "recompute_keys")(db)
    _upgrade_links(db)


@migrations(name="m004_site_indexes")
def m004_site_indexes(db: sqlite_utils.Database) -> None:
    """Indexes for what the site sorts and facets statements by (``metadata.yml``:
    sorted by ``quote_count``, faceted by ``outlet_count`` and ``first_reported``), so
    the statements page does not sort or scan the whole table on each request."""
    st = db["statements"]
    st.create_index(["quote_count"], if_not_exists=True)
    st.create_index(["outlet_count"], if_not_exists=True)
    st.create_index(["first_reported"], if_not_exists=True)


@migrations(name="m005_statement_terms")
def m005_statement_terms(db: sqlite_utils.Database) -> None:
    """Cheaper writes for statement grouping:

    - the term index grouping finds its candidates with
      (``statement_terms(speaker_id, term, prefix, statement_id)``, kept current by
      triggers on ``statements``; see :mod:`quotetrack.grouping.statements`), filled from the
      sentences already linked, so a new quote of a prolific speaker is compared with
      the few statements that share its words instead of all the speaker's statements;
    - the full-text triggers for updates of ``quotes`` and ``articles`` fire only when
      an indexed column changes: setting ``quotes.statement_id`` or ``speaker_id`` no
      longer rewrites the quote's full-text entry (17 times the cost of the update)."""
    build_term_index(db, _rule(db, "m005_statement_terms", "index_terms", required=False))
    # identities: "was this identity quoted by this outlet within 30 days", and the
    # identities whose key ends in a bare "ministry" / "foreign ministry"
    db["quotes"].create_index(["speaker_id", "outlet", "published"], if_not_exists=True)
    db.execute("create index if not exists idx_speakers_key_last_word on speakers "
               f"({KEY_LAST_WORD_SQL})")
    for table, columns in (("quotes", ("text", "speaker_mention")), ("articles", ("title", "text"))):
        if not db[f"{table}_fts"].exists():
            continue
        cols = ", ".join(f'"{c}"' for c in columns)
        old_values = ", ".join(f'old."{c}"' for c in columns)
        new_values = ", ".join(f'new."{c}"' for c in columns)
        db.execute(f'DROP TRIGGER IF EXISTS "{table}_au"')
        db.execute(
            f'CREATE TRIGGER "{table}_au" AFTER UPDATE OF {cols} ON "{table}" BEGIN\n'
            f'  INSERT INTO "{table}_fts" ("{table}_fts", rowid, {cols}) VALUES(\'delete\', old.rowid, {old_values});\n'
            f'  INSERT INTO "{table}_fts" (rowid, {cols}) VALUES (new.rowid, {new_values});\n'
            "END")


@migrations(name="m006_site_filter_indexes")
def m006_site_filter_indexes(db: sqlite_utils.Database) -> None:
    """Indexes for the quotes pages a visitor reaches by clicking a facet: filtered by
    outlet or speaker, they list the newest first and facet by speaker, outlet,
    statement and day (``metadata.yml``), read from the index alone instead of one
    table row per quote; a day clicked in the date facet (``date(published) = ?``) is found without scanning every quote."""
    quotes = db["quotes"]
    quotes.create_index(["outlet", "published", "speaker_id", "statement_id"], if_not_exists=True)
    quotes.create_index(["speaker_id", "published", "outlet", "statement_id"], if_not_exists=True)
    db.execute("create index if not exists idx_quotes_published_day on quotes(date(published))")


@migrations(name="m007_narrower_relations")
def m007_narrower_relations(db: sqlite_utils.Database) -> None:
    """Relations made by older, wider rules are dropped: a country's government is
    related to the bodies of its executive only, no longer to every organisation of the
    country (courts, parties, newspapers), and a country named in words ("U.S.",
    "United States") is no longer taken for an organisation that every "U.S. senator"
    works for (:func:`quotetrack.identities.relations.relation_reason`)."""
    if not db["speaker_relations"].exists():
        return
    rows = db.execute(
        "select r.speaker_id, r.related_id, a.kind, a.key, a.description, b.kind, b.key, b.description, a.country "
        "from speaker_relations r join speakers a on a.id = r.speaker_id join speakers b on b.id = r.related_id "
        "where r.reason in ('role', 'government')").fetchall()
    relation_reason = _rule(db, "m007_narrower_relations", "relation_reason") if rows else None
    stale = [(r[0], r[1]) for r in rows if relation_reason(r[2:5], r[5:8], r[8]) is None]
    db.conn.executemany("delete from speaker_relations where speaker_id = ? and related_id = ?", stale)


@migrations(name="m008_iso_dates")
def m008_iso_dates(db: sqlite_utils.Database) -> None:
    """Publication dates stored as their source wrote them because they were not read
    as dates ("10/18/16", a two-digit year, now is: 2016-10-18) become ISO days, so they
    sort, facet and fall in date windows with the others; the first and last dates of
    their statements follow."""
    statement_ids: set[int] = set()
    for table in ("articles", "quotes"):
        if not db[table].exists():
            return
        rows = db.execute(f"select id, published from {table} where published is not null "
                          "and published not like '____-__-__%'").fetchall()
        fixed = [(iso, row_id) for row_id, published in rows if (iso := parse_date(published))]
        db.conn.executemany(f"update {table} set published = ? where id = ?", fixed)
        if table == "quotes" and fixed and db["quote_statements"].exists():
            for _, quote_id in fixed:
                statement_ids.update(r[0] for r in db.execute(
                    "select statement_id from quote_statements where quote_id = ?", [quote_id]).fetchall())
    if statement_ids:
        refresh_statement_counts(db, sorted(statement_ids))


@migrations(name="m009_search_pass_index")
def m009_search_pass_index(db: sqlite_utils.Database) -> None:
    """A covering index for the pass over a search's matching quotes
    (:mod:`quotetrack.site.facets`): the full-text index gives rowids, and each one's
    speaker, outlet, statement and date are read from this narrow index instead of
    the quote's row with its text."""
    if db["quotes"].exists():
        db.execute("create index if not exists idx_quotes_id_facets "
                   "on quotes(id, speaker_id, outlet, statement_id, published)")


@migrations(name="m010_speaker_search")
def m010_speaker_search(db: sqlite_utils.Database) -> None:
    """Full-text search on speakers (``speakers_fts(name, key, description)``, with
    triggers; existing rows indexed), accents and case ignored like ``quotes_fts``:
    the speakers page's search and ``/-/search`` find "Bruno Rodríguez" for "rodriguez"."""
    if db["speakers"].exists():
        db["speakers"].enable_fts(["name", "key", "description"], create_triggers=True,
                                  tokenize="porter unicode61 remove_diacritics 2", replace=True)


@migrations(name="m011_page_furniture")
def m011_page_furniture(db: sqlite_utils.Database) -> None:
    """``page_furniture(outlet, text, context_hash, articles)``: quotes an outlet
    repeats around its stories: a quote with the words around it, not speech
    (:mod:`quotetrack.grouping.furniture`)."""
    db.execute("create table if not exists page_furniture (outlet text not null, text text not null, "
               "context_hash text not null, articles integer, primary key (outlet, text, context_hash))")




@migrations(name="m012_site_summaries")
def m012_site_summaries(db: sqlite_utils.Database) -> None:
    """The site's summary table ``facet_counts`` (:mod:`quotetrack.db.summaries`), with
    triggers that drop a table's counts when its rows change; and the indexes that serve
    the default sorts (newest quotes and articles, most-quoted statements) stored in that
    order, so ties come by ascending id as on Datasette's later pages (the first page
    has no tie-break of its own)."""
    db.execute("create table if not exists facet_counts (table_name text not null, facet text not null, "
               "value, count integer not null)")
    db.execute("create index if not exists idx_facet_counts on facet_counts (table_name, facet, count desc)")
    stale_with = {   # a table whose rows change -> the summaries that go stale with it
        "quotes": "'quotes', 'quotes_view'", "speakers": "'quotes_view'", "articles": "'articles', 'quotes_view'",
        "statements": "'statements'", "speaker_aliases": "'speaker_aliases'",
        "quote_statements": "'quote_statements', 'quotes'",
    }
    for table, stale in stale_with.items():
        if not db[table].exists():
            continue
        for event in ("insert", "update", "delete"):
            db.execute(f"create trigger if not exists facet_counts_{table}_{event} after {event} on {table} "
                       f"begin delete from facet_counts where table_name in ({stale}); end")
    sorted_by = {
        "quotes": [("idx_quotes_published", "published desc"),
                   ("idx_quotes_outlet_published_speaker_id_statement_id",
                    "outlet, published desc, id, speaker_id, statement_id"),
                   ("idx_quotes_speaker_id_published_outlet_statement_id",
                    "speaker_id, published desc, id, outlet, statement_id")],
        "articles": [("idx_articles_published", "published desc")],
        "statements": [("idx_statements_quote_count", "quote_count desc")],
    }
    for table, indexes in sorted_by.items():
        if not db[table].exists():
            continue
        for name, columns in indexes:
            db.execute(f"drop index if exists {name}")
            db.execute(f"create index {name} on {table} ({columns})")


@migrations(name="m013_sql_views")
def m013_sql_views(db: sqlite_utils.Database) -> None:
    """Views that answer the common questions in one ``select`` (docs/sql.md). Every count
    of quotes per statement comes from ``quote_statements`` (each statement a quote
    renders), as ``statements.quote_count`` does.

    - ``statements_view``: a statement with its speaker's name, counts, dates and
      number of distinct wordings;
    - ``renderings_view``: every rendering of a statement: the quote, the sentence that
      renders it, outlet, date, article, the speaker as named there, and how it was
      matched (method, score);
    - ``speakers_view``: a speaker with its folded key, roles, number of quotes and aliases."""
    if not db["quote_statements"].exists():
        return
    db.execute("""create view if not exists statements_view as
        select s.id as statement_id, s.text, s.speaker_id, sp.name as speaker, s.quote_count, s.article_count,
               s.outlet_count, s.first_reported, s.last_reported,
               (select count(distinct qs.norm_hash) from quote_statements qs where qs.statement_id = s.id) as wordings
        from statements s left join speakers sp on sp.id = s.speaker_id""")
    db.execute("""create view if not exists renderings_view as
        select qs.statement_id, qs.quote_id, q.text as quote, coalesce(qs.text, q.text) as sentence,
               coalesce(q.outlet, a.outlet) as outlet, coalesce(q.published, a.published) as published,
               q.article_id, a.title as article_title, a.url, q.speaker_mention, q.speaker_id,
               sp.name as speaker, qs.method, qs.score
        from quote_statements qs
        join quotes q on q.id = qs.quote_id
        join articles a on a.id = q.article_id
        left join speakers sp on sp.id = q.speaker_id""")
    db.execute("""create view if not exists speakers_view as
        select sp.id as speaker_id, sp.name, sp.kind, sp.key as folded_name, sp.description, sp.country,
               (select count(*) from quotes q where q.speaker_id = sp.id) as quote_count,
               (select group_concat(alias, ' | ') from (select alias from speaker_aliases a
                                                          where a.speaker_id = sp.id order by quote_count desc))
                 as aliases
        from speakers sp""")


@migrations(name="m014_statement_search")
def m014_statement_search(db: sqlite_utils.Database) -> None:
    """Full-text search on statements over every wording that renders them
    (``statements_fts(text, wordings)``, rowid = statement id), kept current by
    triggers: a search for one translation's words finds the statement, and with it
    the other wordings. Accents and case ignored, like ``quotes_fts``."""
    if not db["quote_statements"].exists():
        return
    wordings = ("(select group_concat(t, ' | ') from (select distinct coalesce(qs.text, q.text) as t "
                "from quote_statements qs join quotes q on q.id = qs.quote_id where qs.statement_id = {}))")
    db.execute("create virtual table if not exists statements_fts using fts5 (text, wordings, "
               "tokenize='porter unicode61 remove_diacritics 2')")
    db.execute(f"insert into statements_fts (rowid, text, wordings) select s.id, s.text, {wordings.format('s.id')} "
               "from statements s where s.id not in (select rowid from statements_fts)")
    refresh = "update statements_fts set wordings = {} where rowid = {};".format
    db.executescript(f"""
        create trigger if not exists statements_fts_ai after insert on statements begin
          insert into statements_fts (rowid, text, wordings) values (new.id, new.text, null);
        end;
        create trigger if not exists statements_fts_au after update of text on statements begin
          update statements_fts set text = new.text where rowid = new.id;
        end;
        create trigger if not exists statements_fts_ad after delete on statements begin
          delete from statements_fts where rowid = old.id;
        end;
        create trigger if not exists statements_fts_links_ai after insert on quote_statements begin
          {refresh(wordings.format('new.statement_id'), 'new.statement_id')}
        end;
        create trigger if not exists statements_fts_links_ad after delete on quote_statements begin
          {refresh(wordings.format('old.statement_id'), 'old.statement_id')}
        end;
        create trigger if not exists statements_fts_links_au after update of statement_id, text on quote_statements
        begin
          {refresh(wordings.format('old.statement_id'), 'old.statement_id')}
          {refresh(wordings.format('new.statement_id'), 'new.statement_id')}
        end;
    """)


@migrations(name="m015_originals_and_lineage")
def m015_originals_and_lineage(db: sqlite_utils.Database) -> None:
    """Official texts and article lineage.

    - ``originals(id, speaker_id, published, lang, url, path, title, text, content_hash UNIQUE,
      added_at)``: a statement as its speaker published it, in its own language
      (``quotetrack originals add``);
    - ``original_sentences(id, original_id, position, start, end, text, lang, statement_id)``:
      its sentences (``start``/``end`` offsets into ``originals.text``), each the source
      sentence of one statement, which its renderings in the news join;
    - ``article_sources(article_id, source_article_id, score, method, aligned, evidence)``:
      ``article_id`` is a copy or rewrite of the earlier ``source_article_id``;
    - ``article_fingerprints(hash, article_id)``: the few rarest word shingles of each
      article, which find the candidates of that judgement without scanning every pair;
    - ``article_lineage(article_id, checked_at)``: the articles whose sources were looked for;
    - ``statements.independent_outlets``: outlets carrying a statement, copies counted once.
    """
    db.execute("""create table if not exists originals (
        id integer primary key, speaker_id integer references speakers(id), published text, lang text,
        url text, path text, title text, text text not null, content_hash text unique, added_at text)""")
    db.execute("""create table if not exists original_sentences (
        id integer primary key, original_id integer not null references originals(id), position integer not null,
        start integer, "end" integer, text text not null, lang text,
        statement_id integer references statements(id))""")
    db.execute("create index if not exists idx_original_sentences_statement on original_sentences (statement_id)")
    db.execute("create index if not exists idx_original_sentences_original on original_sentences (original_id, position)")
    db.execute("""create table if not exists article_sources (
        article_id integer not null references articles(id), source_article_id integer not null references articles(id),
        score real, method text, aligned integer, evidence text, primary key (article_id, source_article_id))""")
    db.execute("create index if not exists idx_article_sources_source on article_sources (source_article_id)")
    db.execute("create table if not exists article_fingerprints (hash integer not null, article_id integer not null)")
    db.execute("create index if not exists idx_article_fingerprints on article_fingerprints (hash, article_id)")
    db.execute("create table if not exists article_lineage (article_id integer primary key, checked_at text)")
    if db["statements"].exists() and "independent_outlets" not in db["statements"].columns_dict:
        db.execute("alter table statements add column independent_outlets integer")


@migrations(name="m016_statements_view_sources")
def m016_statements_view_sources(db: sqlite_utils.Database) -> None:
    """``statements_view`` gains ``independent_outlets`` (copies counted once) and the
    original sentence a statement renders, with its language (``original``,
    ``original_lang``; null when there is none)."""
    if not db["quote_statements"].exists() or not db["original_sentences"].exists():
        return
    db.execute("drop view if exists statements_view")
    db.execute("""create view statements_view as
        select s.id as statement_id, s.text, s.speaker_id, sp.name as speaker, s.quote_count, s.article_count,
               s.outlet_count, s.independent_outlets, s.first_reported, s.last_reported,
               (select count(distinct qs.norm_hash) from quote_statements qs where qs.statement_id = s.id) as wordings,
               (select os.text from original_sentences os where os.statement_id = s.id order by os.id limit 1)
                 as original,
               (select coalesce(os.lang, o.lang) from original_sentences os join originals o on o.id = os.original_id
                where os.statement_id = s.id order by os.id limit 1) as original_lang
        from statements s left join speakers sp on sp.id = s.speaker_id""")
