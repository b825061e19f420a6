"""Statement grouping over the seeds: incremental ingest, re-ingest, corrections, cache."""
import pytest
import sqlite_utils
from click.testing import CliRunner

from conftest import SEEDS
from quotetrack import embeddings, statements, store
from quotetrack.cli import cli
from test_seeds import EXPECTED_STATEMENTS, statement_groups

SEED_FILES = sorted(SEEDS.glob("*.txt"))


def ingest(db_path, *paths):
    result = CliRunner().invoke(cli, ["ingest", *map(str, paths), "--db", str(db_path), "--quiet"])
    assert result.exit_code == 0, result.output
    return sqlite_utils.Database(db_path)


def snapshot(db):
    return {t: list(db.query(f"select * from {t} order by 1, 2")) for t in
            ("speakers", "speaker_aliases", "statements", "quote_statements", "speaker_relations")}


@pytest.mark.parametrize("first", [(1, 4), (0, 2), (3,)])
def test_incremental_ingest_gives_the_same_groups(tmp_path, first):
    """Two seeds first (e.g. "vigorously" and "energetically", which only the later
    "decisively" ties together), then the rest: the same statements as all at once."""
    db = ingest(tmp_path / "q.db", *[SEED_FILES[i] for i in first])
    db = ingest(tmp_path / "q.db", SEEDS)
    assert db["articles"].count == 5
    assert statement_groups(db) == EXPECTED_STATEMENTS
    assert db["speakers"].count == 2


def test_reingest_changes_nothing(tmp_path):
    db = ingest(tmp_path / "q.db", SEEDS)
    before = snapshot(db)
    db = ingest(tmp_path / "q.db", SEEDS)
    assert snapshot(db) == before
    # and assigning again is a no-op too
    statements.assign_statements(db, [r["id"] for r in db["quotes"].rows])
    assert snapshot(db) == before


def test_embeddings_are_cached_in_the_database(tmp_path):
    db = ingest(tmp_path / "q.db", SEEDS)
    cached = db["embeddings"].count
    assert 0 < cached <= db["quotes"].count + 2     # only texts that reached the embedding stage
    embeddings._cache.clear()
    embedder = embeddings.Embedder(db)
    texts = [r["text"] for r in db.query("select text from quote_statements")]
    vectors = embedder.vectors(texts)
    assert len(vectors) >= cached and embedder.computed == len(vectors) - cached
    again = embeddings.Embedder(db)
    again.vectors(texts)
    assert again.computed == 0


def _statement_of(db, file_prefix, start):
    return next(db.query(
        "select q.id, q.statement_id from quotes q join articles a on a.id = q.article_id "
        "where a.path like ? and q.text like ?", [f"%{file_prefix}_%", start + "%"]))


def test_corrections_survive_later_ingests(tmp_path):
    db_path = tmp_path / "q.db"
    db = ingest(db_path, *SEED_FILES[:4])
    runner = CliRunner()
    # split 003's "We will act decisively" out of the ministry's statement
    q003 = _statement_of(db, "003", "We will act decisively")
    q000 = _statement_of(db, "000", "We will act decisively")
    assert q003["statement_id"] == q000["statement_id"]
    result = runner.invoke(cli, ["statements", "split", str(q003["id"]), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    # merge "even some in Cuba" into "incorporated into the military forces" (they are one sentence)
    some = _statement_of(db, "000", "even some in Cuba")["statement_id"]
    incorporated = _statement_of(db, "000", "incorporated into")["statement_id"]
    result = runner.invoke(cli, ["statements", "merge", str(incorporated), str(some), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert db["statement_corrections"].count == 2

    def check():
        assert _statement_of(db, "003", "We will act decisively")["statement_id"] != \
            _statement_of(db, "000", "We will act decisively")["statement_id"]
        assert _statement_of(db, "000", "even some in Cuba")["statement_id"] == \
            _statement_of(db, "000", "incorporated into")["statement_id"]

    check()
    # 004's "act energetically" matches both halves of the split: it must not join them again
    db = ingest(db_path, SEEDS)
    check()
    energetically = _statement_of(db, "004", "We will act energetically")["statement_id"]
    assert energetically in {_statement_of(db, "000", "We will act decisively")["statement_id"],
                             _statement_of(db, "003", "We will act decisively")["statement_id"]}
    assert statements.apply_corrections(db) == []      # nothing left to re-apply
    before = snapshot(db)
    ingest(db_path, SEEDS)
    assert snapshot(db) == before


def test_correction_errors(tmp_path):
    db_path = tmp_path / "q.db"
    db = ingest(db_path, SEED_FILES[4])
    runner = CliRunner()
    result = runner.invoke(cli, ["statements", "merge", "1", "999", "--db", str(db_path)])
    assert result.exit_code != 0 and "no statement 999" in result.output
    summons = _statement_of(db, "004", "summons")
    result = runner.invoke(cli, ["statements", "split", str(summons["id"]), "--db", str(db_path)])
    assert result.exit_code != 0 and "nothing to split" in result.output
    result = runner.invoke(cli, ["statements", "split", "1", "--db", str(tmp_path / "missing.db")])
    assert result.exit_code != 0 and "no such database" in result.output


def test_split_then_merge_back(tmp_path):
    db = ingest(tmp_path / "q.db", SEEDS)
    q = _statement_of(db, "004", "a firm and clear")
    old = q["statement_id"]
    new = statements.split_quote(db, q["id"])
    assert db["statements"].get(new)["quote_count"] == 1
    assert db["statements"].get(old)["quote_count"] == 2
    statements.merge_statements(db, old, new)
    assert db["statements"].get(old)["quote_count"] == 3
    assert not db["statements"].count_where("id = ?", [new])
    # the merge replaced the split: nothing contradictory is left to re-apply
    assert [r["action"] for r in db["statement_corrections"].rows] == ["merge"]
    assert statements.apply_corrections(db) == []


def test_old_database_links_are_upgraded(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    store.migrations.apply(old, stop_before="m003_identities_and_statement_groups")
    old["articles"].insert({"id": 1, "path": "a.txt", "content_hash": "h", "text": 'He said "hello there all".',
                            "published": "2020-01-02"})
    old["speakers"].insert({"id": 1, "name": "Cuba's Foreign Ministry", "kind": "organisation",
                            "key": "cuba's foreign ministry"})
    old["speakers"].insert({"id": 2, "name": "Cuban Ministry of Foreign Affairs", "kind": "organisation",
                            "key": "cuban ministry of foreign affairs"})
    old["statements"].insert({"id": 1, "text": "hello there all", "speaker_id": 2})
    old["quotes"].insert({"id": 1, "article_id": 1, "start": 9, "end": 24, "text": "hello there all",
                          "speaker_id": 2, "statement_id": 1, "published": "2020-01-02"})
    old["quote_statements"].insert({"quote_id": 1, "statement_id": 1})
    old.close()
    db = store.open_db(path)
    assert [r["key"] for r in db["speakers"].rows] == ["cuban foreign ministry"]
    assert db["quotes"].get(1)["speaker_id"] == 1
    link = next(db["quote_statements"].rows)
    assert link["text"] == "hello there all" and link["norm_hash"] and link["method"] == "legacy"
    assert db["statements"].get(1)["last_reported"] == "2020-01-02"
