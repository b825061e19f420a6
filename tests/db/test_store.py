"""Store, statements and variants: schema, migrations, transactions, grouping."""
from __future__ import annotations

import sqlite3
import time

import pytest
import sqlite_utils

from _generated import check_database, make_article
from quotetrack.grouping import statements
from quotetrack.records import Article
from quotetrack.db.store import ensure_db_shape, migrations, speaker_key, stats
from quotetrack.ingest import BatchedSaves, open_db, save_article
from quotetrack.grouping.variants import normalise, same_statement

# --------------------------------------------------------------------------
# fixtures: three small articles, two outlets, the same speaker named two ways

LONG = "We will act decisively against anyone who takes part in human trafficking for mercenaries"
TRUNC = "act decisively against anyone who takes part"
NO_ROLE = "Cuba plays no role in the war in Ukraine"
ALL_MIGRATIONS = ["m001_initial_schema", "m002_search_and_views", "m003_identities_and_statement_groups",
                  "m004_site_indexes", "m005_statement_terms", "m006_site_filter_indexes",
                  "m007_narrower_relations", "m008_iso_dates", "m009_search_pass_index",
                  "m010_speaker_search", "m011_page_furniture", "m012_site_summaries", "m013_sql_views",
                  "m014_statement_search", "m015_originals_and_lineage",
                  "m016_statements_view_sources"]
A_ROLE = "Cuba plays a role in the war in Ukraine"


def hash_of(article):
    """Article.content_hash, or a stand-in while sources doesn't implement it."""
    try:
        return article.content_hash
    except NotImplementedError:
        return "test-" + str(abs(hash(" ".join(article.text.split()))))


@pytest.fixture
def articles():
    a1 = make_article(
        "a1.txt", "Outlet A", "2023-09-05", "Cuba uncovers trafficking ring",
        f'Foreign Minister Bruno Rodríguez said: "{LONG}." The ministry said Cuba "{NO_ROLE}". '
        'It mentioned a "summons".',
        [(LONG, "Bruno Rodríguez", "Foreign Minister Bruno Rodríguez", "person"),
         (NO_ROLE, "Cuban Foreign Ministry", "The ministry", "organisation"),
         ("summons", None, None, None)],
    )
    a2 = make_article(
        "a2.txt", "Outlet B", "2023-09-06", "Havana warns recruiters",
        f'bruno rodriguez vowed to "{TRUNC}", adding that "{A_ROLE}" was a lie.',
        [(TRUNC, "bruno rodriguez", "bruno rodriguez", "person"),
         (A_ROLE, "bruno rodriguez", "he", "person")],
    )
    a3 = make_article(
        "a3.txt", "Outlet B", "2023-09-04", "Cuba statement",
        f'The Cuban Foreign Ministry said "{NO_ROLE}" in a statement.',
        [(NO_ROLE, "the Cuban Foreign Ministry", "The Cuban Foreign Ministry", "organisation")],
    )
    return [a1, a2, a3]


@pytest.fixture
def db():
    return open_db(":memory:")


@pytest.fixture
def filled(db, articles):
    for article, quotes in articles:
        assert save_article(db, article, quotes, content_hash=hash_of(article)) is not None
    return db


# --------------------------------------------------------------------------
# schema


def test_tables_views_and_columns(db):
    names = set(db.table_names())
    for table in ("articles", "speakers", "speaker_aliases", "quotes", "statements",
                  "quote_statements", "quotes_fts", "articles_fts"):
        assert table in names
    assert "quotes_view" in db.view_names()
    assert {"id", "path", "title", "outlet", "author", "published", "url", "content_hash",
            "record_id", "line", "encoding", "text", "word_count", "ingested_at"} <= set(db["articles"].columns_dict)
    assert {"id", "name", "kind", "key"} <= set(db["speakers"].columns_dict)
    assert {"id", "article_id", "start", "end", "text", "speaker_id", "speaker_mention", "kind",
            "speaker_start", "speaker_end", "cue", "confidence", "method", "outlet", "published",
            "statement_id"} <= set(db["quotes"].columns_dict)
    assert {"id", "text", "speaker_id", "first_reported", "quote_count", "article_count",
            "outlet_count"} <= set(db["statements"].columns_dict)
    assert db["quote_statements"].pks == ["quote_id", "statement_id"]
    assert db["speaker_aliases"].pks == ["speaker_id", "alias"]


def test_foreign_keys(db):
    def fks(table):
        return {(fk.column, fk.other_table, fk.other_column) for fk in db[table].foreign_keys}

    assert fks("quotes") == {("article_id", "articles", "id"), ("speaker_id", "speakers", "id"),
                             ("statement_id", "statements", "id")}
    assert fks("quote_statements") == {("quote_id", "quotes", "id"), ("statement_id", "statements", "id")}
    assert fks("statements") == {("speaker_id", "speakers", "id")}
    assert fks("speaker_aliases") == {("speaker_id", "speakers", "id")}
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(sqlite3.IntegrityError):
        db["quotes"].insert({"article_id": 999, "start": 0, "end": 1, "text": "x"})


def test_indexes(db):
    def indexed(table):
        return {tuple(i.columns): i.unique for i in db[table].indexes}

    quotes = indexed("quotes")
    for column in ("article_id", "speaker_id", "statement_id", "published", "outlet"):
        assert (column,) in quotes
    assert indexed("articles")[("content_hash",)] == 1
    assert indexed("speakers")[("key",)] == 1
    assert ("speaker_id",) in indexed("statements")
    assert ("statement_id",) in indexed("quote_statements")
    assert {("quote_count",), ("outlet_count",), ("first_reported",)} <= set(indexed("statements"))


def test_open_db_file(tmp_path):
    path = tmp_path / "nested" / "quotes.db"
    db = open_db(path)
    assert path.exists()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    db.close()
    # reopening is a no-op for the schema
    db = open_db(path)
    assert [m.name for m in migrations.applied(db)] == ALL_MIGRATIONS


def test_ensure_db_shape_idempotent(filled):
    before = stats(filled)
    schema = filled.schema
    ensure_db_shape(filled)
    ensure_db_shape(filled)
    assert stats(filled) == before
    assert filled.schema == schema


def test_migration_upgrades_old_database_in_place(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    migrations.apply(old, stop_before="m002_search_and_views")
    assert "quotes_fts" not in old.table_names()
    assert "cue_start" not in old["quotes"].columns_dict
    old["articles"].insert({"id": 1, "path": "old.txt", "title": "Old", "outlet": "Old Outlet",
                            "published": "2020-01-01", "content_hash": "h1",
                            "text": 'He said "hello from the old schema".'})
    old["speakers"].insert({"id": 1, "name": "Old Speaker", "kind": "person", "key": "old speaker"})
    old["quotes"].insert({"id": 1, "article_id": 1, "start": 9, "end": 34,
                          "text": "hello from the old schema", "speaker_id": 1})
    old.close()

    db = open_db(path)
    assert [m.name for m in migrations.applied(db)] == ALL_MIGRATIONS
    assert db["quotes"].get(1)["text"] == "hello from the old schema"
    assert db["articles"].get(1)["title"] == "Old"
    assert "cue_start" in db["quotes"].columns_dict
    # existing rows were indexed, the view sees them
    assert [r["rowid"] for r in db.query("select rowid from quotes_fts where quotes_fts match 'schema'")] == [1]
    assert [r["rowid"] for r in db.query("select rowid from articles_fts where articles_fts match 'hello'")] == [1]
    assert list(db.query("select speaker, article_title from quotes_view")) == [
        {"speaker": "Old Speaker", "article_title": "Old"}]
    # and the upgraded database takes new articles
    article, quotes = make_article("new.txt", "New", "2024-01-01", "New", 'She said "brand new words here".',
                                   [("brand new words here", "Old Speaker", "She", "person")])
    assert save_article(db, article, quotes, content_hash="h2") == 2
    assert db["speakers"].count == 1


def test_the_store_alone_creates_a_database_but_does_not_half_upgrade_an_old_one(tmp_path):
    """The store imports no higher layer: a new database needs none of their rules, an
    older one whose rows they must upgrade is refused without them (nothing changed)
    and upgraded with them (``ingest.open_db``)."""
    from quotetrack.db import store
    from quotetrack.db.schema import MigrationError

    db = store.open_db(tmp_path / "new.db")
    assert [m.name for m in migrations.applied(db)] == ALL_MIGRATIONS
    db.close()

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    migrations.apply(old, stop_before="m003_identities_and_statement_groups")
    old["speakers"].insert({"id": 1, "name": "Cuba's Foreign Ministry", "kind": "organisation",
                            "key": "cuba's foreign ministry"})
    old.close()
    with pytest.raises(MigrationError, match="recompute_keys"):
        store.open_db(path)
    old = sqlite_utils.Database(path)
    assert [m.name for m in migrations.applied(old)] == ALL_MIGRATIONS[:2]
    old.close()
    db = open_db(path)
    assert [m.name for m in migrations.applied(db)] == ALL_MIGRATIONS
    assert [r["key"] for r in db["speakers"].rows] == ["cuban foreign ministry"]


# --------------------------------------------------------------------------
# saving


def test_save_article_rows(filled):
    # (the one-word "summons" is a quote but no statement)
    assert stats(filled) == {"articles": 3, "speakers": 2, "speaker_aliases": 7, "statements": 3,
                             "quotes": 6, "quote_statements": 5}
    a1 = filled["articles"].get(1)
    assert a1["outlet"] == "Outlet A" and a1["word_count"] > 10 and a1["ingested_at"]
    assert a1["content_hash"]
    for q in filled.query("select quotes.*, articles.text as body, articles.outlet as a_outlet, "
                          "articles.published as a_published from quotes join articles on articles.id = article_id"):
        assert q["body"][q["start"]:q["end"]] == q["text"]
        assert (q["outlet"], q["published"]) == (q["a_outlet"], q["a_published"])
        assert (q["statement_id"] is None) == (q["text"] == "summons")
    assert filled["quotes"].get(3)["speaker_id"] is None  # "summons" has no speaker


def test_fts_finds_quotes_and_articles(filled):
    rows = list(filled.query(
        "select quotes.id, quotes.text from quotes_fts join quotes on quotes.id = quotes_fts.rowid "
        "where quotes_fts match ? order by rank", ["decisively"]))
    assert {r["text"] for r in rows} == {LONG, TRUNC}
    found = filled["quotes"].search("trafficking")
    assert [r["text"] for r in found] == [LONG]
    assert [r["title"] for r in filled["articles"].search("recruiters")] == ["Havana warns recruiters"]
    # diacritics folded: "rodriguez" finds "Rodríguez" in the mention
    assert any(r["speaker_mention"] == "Foreign Minister Bruno Rodríguez"
               for r in filled["quotes"].search("rodriguez"))


def test_quotes_view(filled):
    rows = list(filled.query("select * from quotes_view where quote_id = 1"))
    assert rows == [{"quote_id": 1, "text": LONG, "speaker": "Bruno Rodríguez",
                     "speaker_mention": "Foreign Minister Bruno Rodríguez", "cue": "said",
                     "outlet": "Outlet A", "published": "2023-09-05",
                     "article_title": "Cuba uncovers trafficking ring", "article_id": 1,
                     "statement_id": rows[0]["statement_id"], "start": rows[0]["start"], "end": rows[0]["end"]}]


def test_resaving_same_content_adds_nothing(filled, articles):
    before = stats(filled)
    alias_counts = list(filled["speaker_aliases"].rows)
    article, quotes = articles[0]
    assert save_article(filled, article, quotes, content_hash=hash_of(article)) is None
    # same text under another path is the same article
    moved = Article(path="elsewhere/copy.txt", text=article.text, outlet="Other")
    assert save_article(filled, moved, quotes, content_hash=hash_of(moved)) is None
    assert stats(filled) == before
    assert list(filled["speaker_aliases"].rows) == alias_counts


def test_content_hash_default(db, articles):
    article, quotes = articles[0]
    article_id = save_article(db, article, quotes)  # hash from the article (or the fallback)
    assert article_id == 1
    assert save_article(db, article, quotes) is None
    assert db["articles"].get(1)["content_hash"] == article.content_hash


def test_failure_in_statements_rolls_back_everything(db, articles, monkeypatch):
    def boom(db, quote_ids):
        raise RuntimeError("statement grouping failed")

    monkeypatch.setattr(statements, "assign_statements", boom)
    article, quotes = articles[0]
    with pytest.raises(RuntimeError):
        save_article(db, article, quotes, content_hash=hash_of(article))
    assert all(n == 0 for n in stats(db).values())
    assert list(db.query("select rowid from quotes_fts")) == []
    assert not db.conn.in_transaction
    monkeypatch.undo()
    # nothing half-written: the article can be saved afterwards
    assert save_article(db, article, quotes, content_hash=hash_of(article)) == 1


def test_bad_quote_midway_rolls_back(filled, articles):
    before = stats(filled)
    article, quotes = make_article("bad.txt", "Outlet C", "2023-10-01", "Bad",
                                   'A new speaker said "first good quote here" and "second".',
                                   [("first good quote here", "Brand New Speaker", None, "person"),
                                    ("second", "Brand New Speaker", None, "person")])
    quotes[1].text = None  # NOT NULL violation on the second quote
    with pytest.raises(sqlite3.IntegrityError):
        save_article(filled, article, quotes, content_hash="bad")
    assert stats(filled) == before
    assert filled["articles"].count_where("content_hash = 'bad'") == 0
    assert filled["speakers"].count_where("key = 'brand new speaker'") == 0


def test_save_inside_callers_transaction(db, articles):
    with db.atomic():
        for article, quotes in articles:
            save_article(db, article, quotes, content_hash=hash_of(article))
    assert stats(db)["articles"] == 3


# --------------------------------------------------------------------------
# batches: one transaction per batch, one savepoint per article


def bad_article():
    """An article whose second quote violates NOT NULL: it fails after its article row,
    its first quote and a new speaker are written."""
    article, quotes = make_article("bad.txt", "Outlet C", "2023-10-01", "Bad",
                                   'A new speaker said "first good quote here" and "second".',
                                   [("first good quote here", "Brand New Speaker", None, "person"),
                                    ("second", "Brand New Speaker", None, "person")])
    quotes[1].text = None
    return article, quotes


def traced(db) -> list[str]:
    trace: list[str] = []
    db.conn.set_trace_callback(trace.append)
    return trace


def transactions(trace) -> int:
    return sum(1 for sql in trace if sql.strip().upper().startswith("BEGIN"))


def test_batch_failing_article_is_rolled_back_alone(tmp_path, articles):
    db = open_db(tmp_path / "q.db")
    trace = traced(db)
    saved, failed = [], []
    with BatchedSaves(db, size=10, wait=1e9, seconds=1e9, on_failed=lambda a, e: failed.append((a.path, type(e))),
                      on_saved=lambda a, q, i: saved.append((a.path, i))) as batch:
        for i, (article, quotes) in enumerate(articles):
            batch.add(article, quotes)
            if i == 0:
                batch.add(*bad_article())           # between the good ones, in the same batch
        assert saved == [] and stats(db)["articles"] == 0     # queued until the batch is written
    assert transactions(trace) == 1                 # the four articles: one transaction
    assert failed == [("bad.txt", sqlite3.IntegrityError)]
    assert [path for path, _ in saved] == ["a1.txt", "a2.txt", "a3.txt"] and all(i for _, i in saved)
    # the others are stored, as if the bad one had never been there
    reference = open_db(":memory:")
    for article, quotes in articles:
        save_article(reference, article, quotes)
    assert stats(db) == stats(reference)
    # and no trace of the bad one, read from another connection (so: committed)
    other = sqlite_utils.Database(tmp_path / "q.db")
    assert other["articles"].count == 3
    assert other["articles"].count_where("path = 'bad.txt'") == 0
    assert other["speakers"].count_where("key = 'brand new speaker'") == 0
    assert other.execute("select count(*) from quotes where text like 'first good%'").fetchone()[0] == 0
    assert other.execute("select count(*) from quotes_fts where quotes_fts match 'first'").fetchone()[0] == 0
    assert not db.conn.in_transaction


def test_batch_duplicates_are_stored_once(tmp_path, articles):
    db = open_db(tmp_path / "q.db")
    trace = traced(db)
    (a1, q1), (a2, q2), _ = articles
    copy = Article(path="copy-of-a1.txt", text=a1.text, title=a1.title, outlet=a1.outlet,
                   published=a1.published, paragraphs=a1.paragraphs)
    saved = []
    with BatchedSaves(db, size=10, wait=1e9, seconds=1e9, on_saved=lambda a, q, i: saved.append((a.path, i))) as batch:
        for article, quotes in [(a1, q1), (a2, q2), (copy, q1), (a1, q1)]:
            batch.add(article, quotes)
    assert transactions(trace) == 1
    assert saved == [("a1.txt", 1), ("a2.txt", 2), ("copy-of-a1.txt", None), ("a1.txt", None)]
    assert db["articles"].count == 2
    assert db["quotes"].count == len(q1) + len(q2)


def test_batches_commit_by_size_and_by_time(tmp_path, articles, monkeypatch):
    db = open_db(tmp_path / "q.db")
    trace = traced(db)
    with BatchedSaves(db, size=2, wait=1e9, seconds=1e9) as batch:
        for article, quotes in articles:
            batch.add(article, quotes)
    assert transactions(trace) == 2                 # 2 + 1
    # a batch whose first article waited `wait` seconds is written at the next article
    db = open_db(tmp_path / "q2.db")
    trace = traced(db)
    with BatchedSaves(db, size=64, wait=1.0) as batch:
        batch.add(*articles[0])                     # starts the batch
        batch.add(*articles[1])                     # young: queued
        assert stats(db)["articles"] == 0
        time.sleep(1.1)
        batch.add(*articles[2])                     # the batch is old: written and committed
        assert sqlite_utils.Database(tmp_path / "q2.db")["articles"].count == 3
    assert transactions(trace) == 1
    # a transaction open for `seconds` is committed mid-batch (another writer waits no longer)
    real_assign = statements.assign_statements

    def slow_assign(db, quote_ids, **kwargs):
        time.sleep(0.5)
        return real_assign(db, quote_ids, **kwargs)

    monkeypatch.setattr(statements, "assign_statements", slow_assign)
    db = open_db(tmp_path / "q3.db")
    trace = traced(db)
    with BatchedSaves(db, size=3, wait=1e9, seconds=0.9) as batch:
        for article, quotes in articles:
            batch.add(article, quotes)                # the third one: written 0.5 s each
    assert transactions(trace) == 2                 # a1 + a2 (1 s), then a3
    assert db["articles"].count == 3


def test_batch_error_that_ends_the_transaction_or_a_locked_database(tmp_path, articles, monkeypatch):
    """An error that rolls back the whole transaction (as disk full or an I/O error do):
    the articles written before it in the batch are written again, only the failing
    one is reported. A database still locked by another writer after the busy
    timeout: the batch's articles are reported, none is stored, the next batch goes on."""
    db = open_db(tmp_path / "q.db")
    real_assign = statements.assign_statements

    def assign(db, quote_ids, **kwargs):
        texts = [db.execute("select text from quotes where id = ?", [i]).fetchone()[0] for i in quote_ids]
        if TRUNC in texts:                           # a2
            db.conn.execute("ROLLBACK")
            raise sqlite3.OperationalError("database or disk is full")
        return real_assign(db, quote_ids, **kwargs)

    monkeypatch.setattr(statements, "assign_statements", assign)
    saved, failed = [], []
    with BatchedSaves(db, size=10, wait=1e9, seconds=1e9, on_failed=lambda a, e: failed.append((a.path, str(e))),
                      on_saved=lambda a, q, i: saved.append(a.path)) as batch:
        for article, quotes in articles:
            batch.add(article, quotes)
    assert failed == [("a2.txt", "database or disk is full")]
    assert saved == ["a1.txt", "a3.txt"]
    assert sorted(r["path"] for r in db.query("select path from articles")) == ["a1.txt", "a3.txt"]
    check_database(tmp_path / "q.db")

    monkeypatch.undo()
    db = open_db(tmp_path / "locked.db")
    db.execute("PRAGMA busy_timeout=100")
    other = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    saved, failed = [], []
    with BatchedSaves(db, size=2, wait=1e9, seconds=1e9, on_failed=lambda a, e: failed.append((a.path, str(e))),
                      on_saved=lambda a, q, i: saved.append(a.path)) as batch:
        batch.add(*articles[0])
        batch.add(*articles[1])                      # written: the database is locked
        other.execute("ROLLBACK")
        batch.add(*articles[2])
    assert failed == [("a1.txt", "database is locked"), ("a2.txt", "database is locked")]
    assert saved == ["a3.txt"] and db["articles"].count == 1


def test_batch_interrupted_keeps_committed_batches_only(tmp_path, articles, monkeypatch):
    """Ctrl-C while a batch is being written, then while articles wait in the queue:
    every committed batch stays, nothing of the interrupted one."""
    db_path = tmp_path / "q.db"
    db = open_db(db_path)
    extra = make_article("a4.txt", "Outlet C", "2023-09-07", "More", 'Ana Torres said "the port is open again".',
                         [("the port is open again", "Ana Torres", "Ana Torres", "person")])
    real_assign = statements.assign_statements

    def assign(db, quote_ids, **kwargs):
        texts = [db.execute("select text from quotes where id = ?", [i]).fetchone()[0] for i in quote_ids]
        if "the port is open again" in texts:
            raise KeyboardInterrupt
        return real_assign(db, quote_ids, **kwargs)

    monkeypatch.setattr(statements, "assign_statements", assign)
    saved = []
    with pytest.raises(KeyboardInterrupt), \
            BatchedSaves(db, size=2, wait=1e9, seconds=1e9, on_saved=lambda a, q, i: saved.append(a.path)) as batch:
        for article, quotes in [*articles, extra]:
            batch.add(article, quotes)               # a1, a2: committed; a3 then a4: interrupted
    assert saved == ["a1.txt", "a2.txt"]
    assert not db.conn.in_transaction
    check_database(db_path)
    other = sqlite_utils.Database(db_path)
    assert sorted(r["path"] for r in other.query("select path from articles")) == ["a1.txt", "a2.txt"]
    assert other.execute("select count(*) from articles_fts where articles_fts match 'statement'").fetchone()[0] == 0
    assert other["speakers"].count_where("key = 'ana torres'") == 0
    counts = stats(other)

    # interrupted while articles are queued: they are not written at all
    monkeypatch.undo()
    with pytest.raises(KeyboardInterrupt), BatchedSaves(db, size=2, wait=1e9, seconds=1e9) as batch:
        batch.add(*articles[2])
        raise KeyboardInterrupt
    assert stats(other) == counts
    # a re-run stores what was lost
    with BatchedSaves(db) as batch:
        for article, quotes in [*articles, extra]:
            batch.add(article, quotes)
    assert sorted(r["path"] for r in other.query("select path from articles")) == ["a1.txt", "a2.txt", "a3.txt",
                                                                                   "a4.txt"]
    check_database(db_path)


# --------------------------------------------------------------------------
# speakers


def test_speaker_key():
    assert speaker_key("Bruno Rodríguez") == speaker_key("bruno rodriguez") == "bruno rodriguez"
    assert speaker_key("The Cuban Foreign Ministry") == speaker_key("cuban foreign  ministry")
    assert speaker_key("Cuba\u2019s Foreign Ministry") == "cuba's foreign ministry"
    assert speaker_key("Theodore Roosevelt") == "theodore roosevelt"
    assert speaker_key("") == speaker_key(None) == ""


def test_speakers_dedup_and_aliases(filled):
    speakers = {r["key"]: r for r in filled["speakers"].rows}
    assert set(speakers) == {"bruno rodriguez", "cuban foreign ministry"}
    assert speakers["bruno rodriguez"]["name"] == "Bruno Rodríguez"
    assert speakers["bruno rodriguez"]["kind"] == "person"
    assert speakers["cuban foreign ministry"]["kind"] == "organisation"
    assert speakers["cuban foreign ministry"]["name"] == "Cuban Foreign Ministry"  # not "the Cuban ..."
    bruno = speakers["bruno rodriguez"]["id"]
    aliases = {r["alias"]: r["quote_count"] for r in filled["speaker_aliases"].rows_where("speaker_id = ?", [bruno])}
    # "he" is a pronoun, not an alias
    assert aliases == {"Bruno Rodríguez": 1, "Foreign Minister Bruno Rodríguez": 1, "bruno rodriguez": 2}


# --------------------------------------------------------------------------
# statements


def statement_of(db, text):
    ids = {r["statement_id"] for r in db["quotes"].rows_where("text = ?", [text])}
    assert len(ids) == 1
    return db["statements"].get(ids.pop())


def test_truncation_joins_the_fuller_statement(filled):
    full, trunc = statement_of(filled, LONG), statement_of(filled, TRUNC)
    assert full["id"] == trunc["id"]
    assert full["text"] == LONG  # the longest member is canonical
    assert (full["quote_count"], full["article_count"], full["outlet_count"]) == (2, 2, 2)
    assert full["first_reported"] == "2023-09-05"
    members = {r["quote_id"] for r in filled["quote_statements"].rows_where("statement_id = ?", [full["id"]])}
    assert len(members) == 2


def test_negation_keeps_statements_apart(filled):
    assert statement_of(filled, NO_ROLE)["id"] != statement_of(filled, A_ROLE)["id"]


def test_same_words_from_two_outlets(filled):
    st = statement_of(filled, NO_ROLE)
    assert (st["quote_count"], st["article_count"], st["outlet_count"]) == (2, 2, 2)
    assert st["first_reported"] == "2023-09-04"


def test_one_word_is_no_statement(filled):
    """A one- or two-word quote ("summons") is stored as a quote, never as a statement."""
    quote = next(filled.query("select id, statement_id from quotes where text = 'summons'"))
    assert quote["statement_id"] is None
    assert not list(filled.query("select 1 from quote_statements where quote_id = ?", [quote["id"]]))
    assert not list(filled.query("select 1 from statements where text = 'summons'"))


def test_assign_statements_idempotent(filled):
    before = list(filled["quote_statements"].rows)
    st_before = list(filled["statements"].rows)
    ids = [r["id"] for r in filled["quotes"].rows]
    statements.assign_statements(filled, ids)
    statements.assign_statements(filled, ids)
    assert list(filled["quote_statements"].rows) == before
    assert list(filled["statements"].rows) == st_before


# --------------------------------------------------------------------------
# variants


def test_normalise():
    assert normalise("\u201cWe\u2019ll act\u2026 DECISIVELY,\u201d  said") == "we'll act decisively said"
    assert normalise('"We\'ll act... decisively"') == "we'll act decisively"
    assert normalise("Rodríguez") == "rodriguez"
    assert normalise("1,000 people") == "1000 people"


@pytest.mark.parametrize("a, b", [
    ("Cuba plays no role in the war", "Cuba plays a role in the war"),
    ("It does not form part of the conflict in Ukraine", "It does form part of the conflict in Ukraine"),
    ("We never recruited anyone to fight in the war", "We recruited anyone to fight in the war"),
    ("They didn't take part in the conflict in Ukraine", "They did take part in the conflict in Ukraine"),
    ("About 200 people were recruited to fight in Ukraine", "About 17 people were recruited to fight in Ukraine"),
    ("Three men were arrested in Havana on Monday night", "Two men were arrested in Havana on Monday night"),
])
def test_guards_separate(a, b):
    assert not same_statement(a, b)
    assert not same_statement(b, a)


@pytest.mark.parametrize("a, b", [
    (LONG, TRUNC),
    (LONG, "\u2026we will act decisively against anyone\u2026"),
    (LONG, "We will act ... against anyone who takes part in human trafficking"),
    ("Cuba has a firm and clear historical position against mercenarism",
     "\u201cCuba has a firm and clear historical position against mercenarism.\u201d"),
    ("Cuba is not part of the conflict in Ukraine", "is not part of the conflict in Ukraine"),
    ("The ministry said Cubans living in Russia had been incorporated into military forces",
     "Cubans living in Russia had been incorporated into the military forces, the ministry said"),
    ("Cuba is not part of the conflict in Ukraine, the ministry said today",
     "Cuba is not part of the conflict in Ukraine, the ministry said"),
])
def test_same_statement_variants(a, b):
    assert same_statement(a, b)
    assert same_statement(b, a)


@pytest.mark.parametrize("fragment", ["summons", "even some in Cuba", "act decisively", "war", ""])
def test_short_fragments_never_join_long_statements(fragment):
    long_text = ("Cubans living in Russia and even some in Cuba had been incorporated into the military "
                 "forces taking part in the war, and the summons will act decisively")
    assert not same_statement(fragment, long_text)
    assert not same_statement(long_text, fragment)


def test_negation_just_before_a_truncation():
    assert not same_statement("Cuba plays a role in the war", "It is not true Cuba plays a role in the war")
    assert same_statement("Cuba plays a role in the war", "Some claim that Cuba plays a role in the war")
