"""Every SQL recipe of docs/sql.md runs, as written, on a database made from the seeds,
and answers what its heading says."""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from quotetrack.cli import cli

ROOT = Path(__file__).resolve().parents[2]
RECIPES = re.findall(r"```sql\n(.*?)```", (ROOT / "docs" / "sql.md").read_text(encoding="utf-8"), re.S)


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("sql") / "quotes.db"
    result = CliRunner().invoke(cli, ["ingest", str(ROOT / "seeds"), "--db", str(db_path), "--quiet"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["originals", "add", str(ROOT / "tests" / "grouping" / "originals" / "cuba-es.txt"),
                                      "--speaker", "Cuban Foreign Ministry", "--date", "2023-09-04", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


def run(seeds, number):
    return [dict(r) for r in seeds.execute(RECIPES[number]).fetchall()]


def test_the_recipes_are_there():
    assert len(RECIPES) == 9


@pytest.mark.parametrize("number", range(9))
def test_every_recipe_runs(seeds, number):
    run(seeds, number)


def test_everything_a_speaker_said(seeds):
    rows = run(seeds, 0)
    assert rows and {r["speaker"] for r in rows} == {"Bruno Rodríguez"}


def test_first_outlet_and_every_rendering(seeds):
    first = run(seeds, 2)
    assert len(first) == 1 and "vigorously" in first[0]["sentence"]
    every = run(seeds, 3)
    assert len({r["sentence"] for r in every}) >= 3         # act decisively / energetically / vigorously
    assert first[0]["published"] == min(r["published"] for r in every if r["published"])


def test_an_outlet_rendering_a_speaker(seeds):
    rows = run(seeds, 4)
    assert rows and all(r["statement"] for r in rows)


def test_speakers_with_their_aliases_and_counts(seeds):
    (rodriguez,) = run(seeds, 5)
    assert "Rodríguez" in rodriguez["aliases"] and rodriguez["quote_count"] >= 1
    top = run(seeds, 6)
    assert top[0]["quote_count"] == max(r["quote_count"] for r in top) and top[0]["statements"] >= 1


def test_statement_counts_agree(seeds):
    """statements_view, renderings_view and quote_statements count the same quotes."""
    for row in seeds.execute("select statement_id, quote_count from statements_view"):
        n = seeds.execute("select count(distinct quote_id) from renderings_view where statement_id = ?",
                          [row["statement_id"]]).fetchone()[0]
        assert n == row["quote_count"], row["statement_id"]


def test_the_sentences_of_an_original(seeds):
    rows = run(seeds, 7)
    assert [r["sentence"] for r in rows] == list(range(1, 8)) and {r["lang"] for r in rows} == {"es"}
    assert [r["quote_count"] for r in rows].count(0) == 3          # the dateline and two sentences nobody quoted
    view = seeds.execute("select original, original_lang from statements_view where text like '%act vigorously%'")
    assert [tuple(r) for r in view] == [(rows[5]["text"], "es")]


def test_copies_and_their_sources(seeds):
    rows = run(seeds, 8)
    titles = {r["article_id"]: r["title"] for r in rows}
    assert len(rows) == 2 and all(r["method"] for r in rows), titles
