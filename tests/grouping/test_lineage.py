"""Article lineage (quotetrack.grouping.lineage): the seeds' two rewrites and nothing
else, whatever the order of ingest; copies found without the model; interrupted runs
completed; ``statements.independent_outlets``."""
import datetime
import json

import pytest
import sqlite_utils
from click.testing import CliRunner

from conftest import SEEDS
from quotetrack import ingest as ingesting
from quotetrack.cli import cli
from quotetrack.grouping import embeddings, lineage

SEED_FILES = sorted(SEEDS.glob("*.txt"))
# 002 rewrites 001 (dated two months later); 003 rewrites 000 (both undated: 003 is the
# one whose sentences 000 covers)
EXPECTED = {("002", "001", "rewrite", "dates"), ("003", "000", "rewrite", "coverage")}


def ingest(db_path, *paths):
    result = CliRunner().invoke(cli, ["ingest", *map(str, paths), "--db", str(db_path), "--quiet"])
    assert result.exit_code == 0, result.output
    return sqlite_utils.Database(db_path)


def links(db) -> set[tuple]:
    """(copy, source, method, evidence), articles named by their seed number (or path)."""
    def name(path):
        stem = path.rsplit("/", 1)[-1]
        return stem[:3] if stem[:3].isdigit() else stem
    return {(name(r["a"]), name(r["b"]), r["method"], r["evidence"]) for r in db.query(
        "select a.path as a, b.path as b, s.method, s.evidence from article_sources s "
        "join articles a on a.id = s.article_id join articles b on b.id = s.source_article_id")}


class independent(dict):
    """``statements.independent_outlets`` by the start of the statement's text."""

    def __init__(self, db):
        super().__init__((r["text"], r["independent_outlets"])
                         for r in db.query("select text, independent_outlets from statements"))

    def __getitem__(self, start):
        (count,) = [n for text, n in self.items() if text.startswith(start)]
        return count


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory):
    return ingest(tmp_path_factory.mktemp("lineage") / "q.db", SEEDS)


@pytest.fixture
def no_model(monkeypatch):
    embeddings._reset_for_tests()
    monkeypatch.setenv("QUOTETRACK_EMBEDDINGS", "0")
    yield
    monkeypatch.delenv("QUOTETRACK_EMBEDDINGS")
    embeddings._reset_for_tests()


def test_seeds_have_exactly_the_two_rewrites(seeds_db):
    """All five seeds report one event with the same quotes: only the two rewrites link."""
    assert links(seeds_db) == EXPECTED
    assert seeds_db["article_lineage"].count == 5
    for row in seeds_db.query("select * from article_sources"):
        assert row["aligned"] >= lineage.MIN_REWRITE_ALIGNED and row["score"] >= lineage.REWRITE_RATIO


def test_independent_outlets_on_the_seeds(seeds_db):
    counts = independent(seeds_db)
    # carried by all five: roots 000 (003 copies it), 001 (002 copies it) and 004
    assert counts["It is acting and will act"] == 3
    # 000, 001, 002, 003: roots 000 and 001
    assert counts["it does not form part of"] == 2
    # 000, 003, 004: roots 000 and 004
    assert counts["Cuba has a firm and clear"] == 2
    # 000 and its rewrite 003 are one report
    assert counts["incorporated into the military"] == 1
    assert counts["the force of the law"] == 1
    assert all(n is not None for n in counts.values())


def test_copy_ingested_before_its_source_is_found(tmp_path):
    """002 ingested before 001, in separate runs, the rest after: the same links."""
    db_path = tmp_path / "q.db"
    ingest(db_path, SEED_FILES[2])
    ingest(db_path, SEED_FILES[3])
    ingest(db_path, SEED_FILES[1])
    db = ingest(db_path, SEEDS)
    assert links(db) == EXPECTED
    assert db["article_lineage"].count == 5


def _copy_record(tmp_path, seed, **fields):
    """The seed's text as a JSON Lines record of another outlet, under a line of furniture."""
    text = "Shared from our partners\n\n" + seed.read_text(encoding="utf-8")
    path = tmp_path / "copies.jsonl"
    path.write_text(json.dumps({"text": text, "title": "A copy", **fields}) + "\n", encoding="utf-8")
    return path


def test_an_exact_copy_elsewhere_is_a_copy(tmp_path):
    db_path = tmp_path / "q.db"
    ingest(db_path, SEEDS)
    db = ingest(db_path, _copy_record(tmp_path, SEED_FILES[1], outlet="Copy Times", published="2023-09-07"))
    assert ("copies.jsonl", "001", "copy", "dates") in links(db)
    assert EXPECTED <= links(db)
    # the copy carries 001's statements without adding a report
    assert independent(db)["It is acting and will act"] == 3


def test_without_the_model_only_copies_are_found(tmp_path, no_model):
    db_path = tmp_path / "q.db"
    db = ingest(db_path, SEEDS)
    assert links(db) == set()
    # an undated copy of undated 000: bodies alike, so neither dates nor coverage decide
    db = ingest(db_path, _copy_record(tmp_path, SEED_FILES[0], outlet="Copy Times"))
    (link,) = links(db)
    assert link == ("copies.jsonl", "000", "copy", "unknown")


def test_interrupted_lineage_is_completed_by_the_next_ingest(tmp_path, monkeypatch, nlp):
    db_path = tmp_path / "q.db"
    real = lineage.find_sources

    def interrupted(db, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(lineage, "find_sources", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ingesting.ingest_articles(ingesting.open_db(db_path), _seed_articles(), nlp)
    db = sqlite_utils.Database(db_path)
    assert db["articles"].count == 5 and db["article_lineage"].count == 0
    monkeypatch.setattr(lineage, "find_sources", real)
    db = ingest(db_path, SEEDS)         # nothing new: the ingest still completes lineage
    assert links(db) == EXPECTED


def test_a_run_stopped_between_batches_is_completed(tmp_path, monkeypatch):
    """One article per transaction, stopped after the third: the next run examines the
    last two and finds the same links."""
    db = ingest(tmp_path / "q.db", SEEDS)
    with db.conn:
        for table in ("article_sources", "article_fingerprints", "article_lineage"):
            db.execute(f"delete from {table}")
    monkeypatch.setattr(lineage, "BATCH", 1)
    calls = []

    def stop(done, total):
        calls.append(done)
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        lineage.find_sources(db, progress=stop)
    assert db["article_lineage"].count == 3
    # the counts the examined articles change wait, cleared, for the end of the run
    assert db.execute("select count(*) from statements where independent_outlets is null").fetchone()[0] > 0
    lineage.find_sources(db)
    assert links(db) == EXPECTED
    assert db["article_lineage"].count == 5
    assert independent(db)["It is acting and will act"] == 3
    assert db.execute("select count(*) from statements where independent_outlets is null").fetchone()[0] == 0
    assert lineage.find_sources(db) == 0          # nothing left to examine


def test_counts_left_by_a_stopped_run_are_made_by_the_next(tmp_path, monkeypatch):
    db = ingest(tmp_path / "q.db", SEEDS)
    before = dict(independent(db))
    with db.conn:
        db.execute("update statements set independent_outlets = null")
    assert lineage.find_sources(db) == 0
    assert dict(independent(db)) == before


def _seed_articles():
    from quotetrack.sources.formats import iter_articles
    return list(iter_articles([str(SEEDS)]))


# ---------------------------------------------------------------------------
# units


def test_text_date_is_the_latest_full_date():
    assert lineage.text_date("16.2 C\nMadrid\nTuesday, April 30, 2024\n\nIn August 2023 ...") == datetime.date(2024, 4, 30)
    assert lineage.text_date("Updated September 5, 2023 at 11:59 AM; on 7 Sept. 2023; 2023-09-06") == \
        datetime.date(2023, 9, 7)
    assert lineage.text_date("in April, since 1959") is None
    assert lineage.text_date("February 30, 2023") is None


def test_sentences_skip_page_furniture():
    text = ("16.2 C\nMadrid\n- Advertisement -\nRamon Espinosa/Pool\n"
            "Cuba says it has disrupted a scheme in Russia to recruit Cuban citizens. "
            "It said Cubans had been recruited to fight in the war.\nMust read\n")
    assert lineage.sentences(text) == ["Cuba says it has disrupted a scheme in Russia to recruit Cuban citizens.",
                                       "It said Cubans had been recruited to fight in the war."]


def test_fingerprints_survive_furniture():
    body = lineage.sentences(SEED_FILES[0].read_text(encoding="utf-8"))
    again = lineage.sentences("Shared from our partners\n\n" + SEED_FILES[0].read_text(encoding="utf-8"))
    assert lineage.fingerprints(body) == lineage.fingerprints(again)
    assert len(lineage.fingerprints(body)) == lineage.FINGERPRINTS


def _article(i, published=None, bound=None):
    return lineage._Article(i, None, published, bound, [], [])


def test_direction_by_dates_then_text_dates_then_coverage():
    d = datetime.date
    early, late = _article(1, d(2023, 9, 5)), _article(2, d(2023, 11, 13))
    assert lineage._direction(early, late, 0.5, 0.9)[1:] == (early, "dates")
    # undated, but it prints a later date than the other's publication: it is the copy
    undated = _article(3, bound=d(2024, 4, 30))
    copy, source, evidence = lineage._direction(early, undated, 0.9, 0.5)
    assert (copy, source, evidence) == (undated, early, "date in text")
    # a date in its text earlier than the other's publication orders nothing: coverage
    older_bound = _article(4, bound=d(2023, 1, 1))
    assert lineage._direction(early, older_bound, 0.5, 0.8) == (older_bound, early, "coverage")
    # the same day: the one more covered by the other is the copy
    same_day = _article(5, d(2023, 9, 5))
    assert lineage._direction(early, same_day, 0.8, 0.6) == (early, same_day, "coverage")
    # nothing decides: the one stored first is the source
    assert lineage._direction(same_day, early, 0.7, 0.7) == (same_day, early, "unknown")


def test_a_wire_credit_names_the_source_before_dates():
    d = datetime.date
    # a reprint dated the evening before the agency's own page: the dateline decides
    agency = lineage._Article(1, "Reuters", d(2019, 5, 30), None, [], [],
                              credits=lineage.credits("WASHINGTON (Reuters) - Robert Mueller said"))
    reprint = lineage._Article(2, "Newsmax - News", d(2019, 5, 29), None, [], [])
    assert lineage._direction(agency, reprint, 0.9, 0.9) == (reprint, agency, "credit")
    # the copy credits the agency ("(AP) —"), the agency's page itself does not
    ap = lineage._Article(3, "Associated Press", d(2020, 4, 5), None, [], [])
    herald = lineage._Article(4, "Boston Herald", d(2020, 4, 4), None, [], [],
                              credits=lineage.credits("By MARY CLARE\n\nWASHINGTON (AP) \u2014 President"))
    assert lineage._direction(herald, ap, 0.9, 0.9) == (herald, ap, "credit")
    # a credit to neither outlet, or a party label in brackets, decides nothing
    fox = lineage._Article(5, "Fox News (Online)", d(2015, 12, 14), None, [], [])
    times = lineage._Article(6, "Washington Times", d(2015, 12, 15), None, [], [],
                             credits=lineage.credits("WASHINGTON (AP) \u2014 Working to ease"))
    assert lineage._direction(fox, times, 0.5, 0.5)[2] == "dates"
    assert lineage.credits("Rep. Peter King (R-NY) -- for trying") == frozenset()
    assert lineage._credited("CNN (Web News)", lineage.credits("Washington (CNN) - Labeling"))
