"""Originals: official texts in their own language, their sentences linked to the
statements the seed quotes form (tests/grouping/originals/ holds a small communiqué of
our own, in five languages, whose sentences the seeds' ministry quotes render)."""
import json
import shutil
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from conftest import SEEDS
from quotetrack import ingest as ingesting
from quotetrack.cli import cli
from quotetrack.grouping import originals
from quotetrack.records import Original

HERE = Path(__file__).resolve().parent / "originals"
LANGS = ("es", "pt", "fr", "it", "de")
MINISTRY = "Cuban Foreign Ministry"

# start of each seed quote sentence -> the sentence of our original it renders (position);
# None: no sentence of the ministry's original (Rodríguez's own words, a one-word quote)
RENDERS = {
    "even some in Cuba": 1, "incorporated into the military forces": 1,
    "it does not form part of the conflict": 3, "Cuba plays no role in the war": 3, "not part of the conflict": 3,
    "Cuba has a firm and clear": 4, "a firm and clear historical position": 4,
    "We will act decisively": 5, "We will act energetically": 5, "It is acting and will act vigorously": 5,
    "the force of the law": None, "the competent authorities": None,   # ("summons": one word, no statement)
}


def _ingest(db_path, *paths):
    result = CliRunner().invoke(cli, ["ingest", *map(str, paths), "--db", str(db_path), "--quiet"])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("originals") / "seeds.db"
    _ingest(path, SEEDS)
    sqlite_utils.Database(path).execute("pragma wal_checkpoint(truncate)")   # the copies read the file alone
    return path


def _copy(seeds_db, tmp_path) -> Path:
    target = tmp_path / "q.db"
    shutil.copy(seeds_db, target)
    return target


def _original(lang: str) -> Original:
    return Original(f"cuba-{lang}.txt", (HERE / f"cuba-{lang}.txt").read_text("utf-8"), speaker=MINISTRY,
                    published="2023-09-04")


def rendered(db) -> dict[str, int | None]:
    """Each seed quote sentence -> the position of the original sentence its statement has."""
    position = {r["statement_id"]: r["position"] for r in db.query("select statement_id, position from original_sentences")}
    out = {}
    for r in db.query("select qs.statement_id, coalesce(qs.text, q.text) as t from quote_statements qs "
                      "join quotes q on q.id = qs.quote_id"):
        start = next(k for k in RENDERS if r["t"].startswith(k))
        assert out.get(start, position.get(r["statement_id"])) == position.get(r["statement_id"]), r["t"]
        out[start] = position.get(r["statement_id"])
    return out


def test_sentences_keep_offsets_and_datelines():
    text = "La Habana.\nEl Sr. Pérez dijo que no. Cuba no forma parte del conflicto en Ucrania!\n\nOtra frase más aquí"
    found = originals.sentences(text)
    assert [s.text for s in found] == ["La Habana. El Sr. Pérez dijo que no.",
                                       "Cuba no forma parte del conflicto en Ucrania!", "Otra frase más aquí"]
    for s in found:
        assert " ".join(text[s.start:s.end].split()) == s.text


@pytest.mark.parametrize("lang", LANGS)
def test_every_seed_quote_renders_the_right_sentence(seeds_db, tmp_path, lang):
    db = ingesting.open_db(_copy(seeds_db, tmp_path))
    added = originals.add_original(db, _original(lang))
    assert added.sentences == 7
    assert rendered(db) == RENDERS
    # the dateline, the second sentence and the last were quoted by nobody: statements without quotes
    unquoted = [r["position"] for r in db.query(
        "select os.position from original_sentences os join statements s on s.id = os.statement_id "
        "where s.quote_count = 0 order by 1")]
    assert unquoted == [0, 2, 6] and added.unquoted == 3
    assert db.execute("select count(distinct lang) from original_sentences").fetchone()[0] == 1
    assert db["originals"].get(1)["lang"] == lang


def test_ingest_order_does_not_matter(seeds_db, tmp_path):
    """The original first, then the articles: the same links as the other way round."""
    path = tmp_path / "first.db"
    db = ingesting.open_db(path)
    originals.add_original(db, _original("es"))
    db.close()
    _ingest(path, SEEDS)
    first = sqlite_utils.Database(path)
    assert rendered(first) == RENDERS
    later = ingesting.open_db(_copy(seeds_db, tmp_path))
    originals.add_original(later, _original("es"))
    counts = lambda d: sorted(tuple(r.values()) for r in d.query(   # noqa: E731
        "select os.position, s.quote_count, s.article_count from original_sentences os "
        "join statements s on s.id = os.statement_id"))
    assert counts(first) == counts(later)


def test_adding_the_same_original_twice_changes_nothing(seeds_db, tmp_path):
    db = ingesting.open_db(_copy(seeds_db, tmp_path))
    originals.add_original(db, _original("fr"))
    before = list(db.query("select * from original_sentences"))
    assert originals.add_original(db, _original("fr")).present
    assert list(db.query("select * from original_sentences")) == before


def test_statement_merges_and_splits_keep_the_original_sentence(seeds_db, tmp_path):
    from quotetrack.grouping import statements
    db = ingesting.open_db(_copy(seeds_db, tmp_path))
    originals.add_original(db, _original("it"))
    target = db.execute("select statement_id from original_sentences where position = 3").fetchone()[0]
    other = db.execute("select statement_id from original_sentences where position = 1").fetchone()[0]
    statements.merge_statements(db, target, other)
    assert {r[0] for r in db.execute("select statement_id from original_sentences where position in (1, 3)")} == {target}
    # a sentence nobody quoted keeps its statement through a refresh of every count
    from quotetrack.db.counts import refresh_statement_counts
    refresh_statement_counts(db)
    assert db.execute("select count(*) from original_sentences where statement_id not in "
                      "(select id from statements)").fetchone()[0] == 0


def test_verdicts_name_what_a_rendering_adds_or_drops():
    v = originals.rendering_verdict
    act = ("Estamos actuando y actuaremos con energía contra quienes, desde el territorio nacional, participen en "
           "cualquier forma de trata de personas con el propósito de reclutar a ciudadanos cubanos para que "
           "empuñen las armas contra cualquier país.")
    full = ("It is acting and will act vigorously against whoever, from the national territory, participates in any "
            "form of human trafficking for the purposes of recruitment so that Cuban citizens use weapons against any country.")
    assert v(act, full, "es").kind == "faithful"
    assert v(act, "We will act decisively against those who… engage in human trafficking", "es").kind == "partial"
    assert v("Cuba no forma parte del conflicto en Ucrania.", "Cuba plays a role in the war in Ukraine", "es") == \
        originals.Verdict("loose", ("drops the negation",))
    assert v("Cuba recibió 200 solicitudes de Rusia.", "Cuba received 17 requests from Russia", "es") == \
        originals.Verdict("loose", ("adds the number 17", "drops the number 200"))
    assert v("Kuba ist nicht Teil des Konflikts in der Ukraine.", "Cuba is not part of the conflict in Ukraine",
             "de").kind == "faithful"


def test_cli_originals_add(seeds_db, tmp_path):
    path = _copy(seeds_db, tmp_path)
    runner = CliRunner()
    ok = runner.invoke(cli, ["originals", "add", str(HERE / "cuba-pt.txt"), "--speaker", MINISTRY,
                             "--date", "2023-09-04", "--url", "https://example.org/nota", "--db", str(path)])
    assert ok.exit_code == 0, ok.output
    assert "7 sentences" in ok.output and "14 quoted sentences linked" in ok.output
    row = sqlite_utils.Database(path)["originals"].get(1)
    assert (row["lang"], row["published"], row["url"]) == ("pt", "2023-09-04", "https://example.org/nota")
    # merged and new statements are counted at once, the unquoted sentences' as carried by none
    counts = dict(sqlite_utils.Database(path).execute(
        "select os.position, s.independent_outlets from original_sentences os join statements s on s.id = os.statement_id"))
    assert None not in counts.values() and counts[0] == 0 and counts[5] == 3
    again = runner.invoke(cli, ["originals", "add", str(HERE / "cuba-pt.txt"), "--speaker", MINISTRY, "--db", str(path)])
    assert again.exit_code == 0 and "already present" in again.output
    nobody = runner.invoke(cli, ["originals", "add", str(HERE / "cuba-es.txt"), "--db", str(path)])
    assert nobody.exit_code == 1 and "cuba-es.txt: no speaker" in nobody.output
    bad_date = runner.invoke(cli, ["originals", "add", str(HERE / "cuba-es.txt"), "--speaker", MINISTRY,
                                   "--date", "2023-13-45", "--db", str(path)])
    assert bad_date.exit_code == 2 and "--date" in bad_date.output


def test_jsonl_records_marked_original_are_stored_as_originals(tmp_path):
    records = tmp_path / "mixed.jsonl"
    lines = [{"text": (HERE / "cuba-es.txt").read_text("utf-8"), "original": True, "speaker": MINISTRY,
              "date": "2023-09-04", "lang": "es"},
             {"text": "An original nobody signed.", "kind": "original"},
             {"text": (SEEDS / sorted(p.name for p in SEEDS.glob("*.txt"))[4]).read_text("utf-8"),
              "outlet": "Example", "date": "2023-09-05"}]
    records.write_text("\n".join(json.dumps(r) for r in lines) + "\n", "utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(records), "--db", str(tmp_path / "q.db")])
    assert result.exit_code == 1           # the unsigned original is reported, the rest stored
    assert "mixed.jsonl:2: not stored: an original needs a speaker" in result.output
    assert "1 article added" in result.output and "1 original added" in result.output
    db = sqlite_utils.Database(tmp_path / "q.db")
    assert db["articles"].count == 1 and db["originals"].count == 1
    act = db.execute("select s.quote_count from original_sentences os join statements s on s.id = os.statement_id "
                     "where os.position = 5").fetchone()[0]
    assert act == 1                         # seed 004's "We will act energetically" renders sentence 6


def test_originals_add_reads_each_json_lines_records_own_fields(tmp_path):
    """Every record of a file given to `originals add` is an original with its own speaker,
    language and date; a record whose date is not one is refused, the others stored."""
    records = tmp_path / "originals.jsonl"
    lines = [{"text": (HERE / "cuba-es.txt").read_text("utf-8"), "speaker": MINISTRY, "lang": "es",
              "date": "2023-09-04"},
             {"text": (HERE / "cuba-pt.txt").read_text("utf-8"), "speaker": MINISTRY, "date": "last week"}]
    records.write_text("\n".join(json.dumps(r) for r in lines) + "\n", "utf-8")
    db_path = tmp_path / "q.db"
    result = CliRunner().invoke(cli, ["originals", "add", str(records), "--speaker", "Someone Else",
                                      "--db", str(db_path)])
    assert result.exit_code == 1
    assert "originals.jsonl:2: date 'last week' is not a date" in result.output
    rows = list(sqlite_utils.Database(db_path).query(
        "select o.lang, o.published, s.name from originals o join speakers s on s.id = o.speaker_id"))
    assert rows == [{"lang": "es", "published": "2023-09-04", "name": MINISTRY}]
    unknown = CliRunner().invoke(cli, ["originals", "add", str(records), "--lang", "xx", "--db", str(db_path)])
    assert unknown.exit_code == 2 and "--lang" in unknown.output


def test_extract_skips_originals(tmp_path):
    records = tmp_path / "mixed.jsonl"
    records.write_text(json.dumps({"text": "La Habana. Cuba no forma parte del conflicto.", "original": True,
                                   "speaker": MINISTRY}) + "\n", "utf-8")
    result = CliRunner().invoke(cli, ["extract", str(records), "--json"])
    assert result.exit_code == 0 and "an original, not an article: skipped" in result.output
