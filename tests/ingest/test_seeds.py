"""The five seed articles end to end: every quotation found, with its speaker."""
import json
import re

import pytest
import sqlite_utils
from click.testing import CliRunner

from conftest import SEEDS
from quotetrack.cli import cli

from _seeds import EXPECTED, EXPECTED_STATEMENTS, MERGED_002, MINISTRY, RODRIGUEZ, statement_groups  # noqa: F401


def who(name: str | None) -> str | None:
    """Which of the two seed speakers a canonical name denotes, however it is written."""
    if not name:
        return None
    folded = name.casefold().replace("í", "i")
    if "rodriguez" in folded:
        return RODRIGUEZ
    if re.search(r"ministry|foreign affairs", folded):
        return MINISTRY
    return name


@pytest.fixture(scope="module")
def extracted():
    runner = CliRunner()
    result = runner.invoke(cli, ["extract", "--json", *sorted(str(p) for p in SEEDS.glob("*.txt"))])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_every_seed_quotation_is_found_with_its_speaker(extracted):
    got = [(re.search(r"(\d{3})_", r["path"]).group(1), r["text"], who(r["speaker"])) for r in extracted]
    assert len(got) == len(EXPECTED) == 19
    for (file, text, speaker), (g_file, g_text, g_speaker) in zip(EXPECTED, got):
        assert g_file == file and g_text.startswith(text), (file, text, g_file, g_text)
        assert g_speaker == speaker, (file, text, g_speaker)


def test_offsets_point_into_the_decoded_file(extracted):
    for r in extracted:
        text = open(r["path"], encoding="utf-8-sig").read()
        assert text[r["start"]:r["end"]] == r["text"]
        if r["speaker_start"] is not None:
            assert text[r["speaker_start"]:r["speaker_end"]] == r["speaker_mention"]
        for key in ("path", "start", "end", "text", "speaker", "speaker_mention", "speaker_start",
                    "speaker_end", "cue", "confidence", "kind"):
            assert key in r


def test_mentions_resolve_within_the_article(extracted):
    by_mention = {(r["speaker_mention"], who(r["speaker"])) for r in extracted}
    assert ("Rodríguez", RODRIGUEZ) in by_mention          # surname -> full name
    assert ("the statement", MINISTRY) in by_mention       # document -> its issuer
    assert ("The spokesperson for Cuban diplomacy", MINISTRY) in by_mention
    assert any(m in ("it", "It") and s == MINISTRY for m, s in by_mention)  # pronoun -> body


def test_ingest_seeds_then_reingest_adds_nothing(tmp_path):
    db_path = tmp_path / "quotes.db"
    runner = CliRunner()
    first = runner.invoke(cli, ["ingest", str(SEEDS), "--db", str(db_path)])
    assert first.exit_code == 0, first.output
    db = sqlite_utils.Database(db_path)
    counts = {t: db[t].count for t in ("articles", "quotes", "speakers", "statements")}
    assert counts["articles"] == 5 and counts["quotes"] == 19
    names = {who(r["name"]) for r in db.query(
        "select speakers.name from quotes join speakers on speakers.id = quotes.speaker_id")}
    assert names == {MINISTRY, RODRIGUEZ}
    second = runner.invoke(cli, ["ingest", str(SEEDS), "--db", str(db_path)])
    assert second.exit_code == 0
    assert {t: db[t].count for t in counts} == counts
    npr = next(db.query("select * from articles where outlet = 'NPR'"))
    assert npr["published"] == "2023-09-05" and npr["author"] == "Eyder Peralta"


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("site") / "quotes.db"
    result = CliRunner().invoke(cli, ["ingest", str(SEEDS), "--db", str(db_path), "--quiet"])
    assert result.exit_code == 0, result.output
    return db_path


@pytest.fixture
async def site(seeds_db):
    import yaml
    from datasette.app import Datasette

    metadata = yaml.safe_load((SEEDS.parent / "metadata.yml").read_text(encoding="utf-8"))
    ds = Datasette([str(seeds_db)], metadata=metadata)
    await ds.invoke_startup()
    return ds


async def test_site_facets_show_the_seed_speakers(site):
    response = await site.client.get("/quotes/quotes.json?_facet=outlet&_extra=facet_results")
    assert response.status_code == 200
    facets = response.json()["facet_results"]
    speaker_labels = {who(row["label"]) for row in facets["speaker_id"]["results"]}
    assert speaker_labels == {MINISTRY, RODRIGUEZ}
    assert "NPR" in {row["value"] for row in facets["outlet"]["results"]}
    assert {"speaker_id", "outlet", "statement_id", "published"} <= set(facets)


async def test_site_search_finds_a_seed_quote(site):
    response = await site.client.get("/quotes/quotes.json?_search=energetically&_shape=objects")
    rows = response.json()["rows"]
    assert len(rows) == 1 and rows[0]["text"].startswith("We will act energetically")


async def test_site_canned_queries_answer(site):
    response = await site.client.get("/quotes/speaker_quotes.json?speaker=Rodr%C3%ADguez&_shape=objects")
    rows = response.json()["rows"]
    assert {r["text"].split()[0] for r in rows} == {"the"} and len(rows) == 3
    response = await site.client.get("/quotes/search_quotes.json?q=mercenaries&_shape=objects")
    assert len(response.json()["rows"]) >= 3
    html = await site.client.get("/quotes/quotes")
    assert html.status_code == 200 and "Bruno Rodríguez" in html.text


# --------------------------------------------------------------------------
# statements and speaker identities across the five seeds



def test_seed_statements_are_grouped_exactly(seeds_db):
    db = sqlite_utils.Database(seeds_db)
    assert statement_groups(db) == EXPECTED_STATEMENTS
    assert db["statements"].count == len(EXPECTED_STATEMENTS) == 7
    summons = next(db.query("select id, statement_id from quotes where text = 'summons'"))
    assert summons["statement_id"] is None
    assert not list(db.query("select 1 from quote_statements where quote_id = ?", [summons["id"]]))
    # the merged quote links to both statements; its main statement is one of them
    merged = next(db.query("select q.id, q.statement_id from quotes q join articles a on a.id = q.article_id "
                           "where a.path like '%002_%' and q.text like 'Cuba plays no role%'"))
    linked = {r["statement_id"] for r in db.query("select statement_id from quote_statements where quote_id = ?",
                                                  [merged["id"]])}
    assert len(linked) == 2 and merged["statement_id"] in linked
    # canonical text, speaker, first date and counts
    act = next(db.query("select s.*, sp.name as speaker from statements s join speakers sp on sp.id = s.speaker_id "
                        "where s.text like '%vigorously%'"))
    assert who(act["speaker"]) == MINISTRY
    assert (act["quote_count"], act["article_count"], act["outlet_count"]) == (5, 5, 1)
    assert act["first_reported"] == "2023-09-05"
    law = next(db.query("select s.*, sp.name as speaker from statements s join speakers sp on sp.id = s.speaker_id "
                        "where s.text = 'the force of the law'"))
    assert who(law["speaker"]) == RODRIGUEZ and law["quote_count"] == 2


def test_seed_speakers_are_one_identity_each(seeds_db):
    db = sqlite_utils.Database(seeds_db)
    speakers = list(db.query("select * from speakers"))
    assert len(speakers) == 2
    by_who = {who(s["name"]): s for s in speakers}
    assert set(by_who) == {MINISTRY, RODRIGUEZ}
    assert by_who[RODRIGUEZ]["name"] == "Bruno Rodríguez"
    assert "Cuban Foreign Minister" in by_who[RODRIGUEZ]["description"]
    aliases = {s: {r["alias"] for r in db.query("select alias from speaker_aliases where speaker_id = ?",
                                                [by_who[s]["id"]])} for s in by_who}
    assert {"Rodríguez", "Bruno Rodríguez", "Cuban Foreign Minister Bruno Rodríguez"} <= aliases[RODRIGUEZ]
    assert {"The ministry", "Cuba’s Foreign Ministry", "Cuban Ministry of Foreign Affairs",
            "The spokesperson for Cuban diplomacy", "the statement", "foreign ministry of the Republic of Cuba",
            "Cuban foreign ministry"} <= aliases[MINISTRY]
