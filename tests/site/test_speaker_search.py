"""Speaker search ignores accents and case: the canned queries that take a speaker
(``speaker_quotes``, ``speaker_statements``), the speakers table's full-text search
(``speakers_fts``, migration m010) and ``/-/search`` find "Bruno Rodríguez" for
"Rodriguez", "rodríguez" or "RODRÍGUEZ", on the seed articles."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest
import sqlite_utils

from _sitedata import build_site_db
from quotetrack.site import sqlfunctions
from quotetrack.records import Article, Quote
from quotetrack.db.store import migrations
from quotetrack.ingest import open_db, save_article
from _sitedata import make_datasette

BRUNO = "Bruno Rodríguez"
MINISTRY = "Cuban Ministry of Foreign Affairs"
SPELLINGS = ("Rodriguez", "rodriguez", "RODRIGUEZ", "rodríguez", "RODRÍGUEZ", "bruno rodriguez")
UNRELATED = ("Gonzalez", "González", "Rodrigo", "Zelensky")


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    return build_site_db(tmp_path_factory)


@pytest.fixture(scope="module")
def expected(db_path):
    """Speaker ids, and the quotes and statements of each, straight from the database."""
    db = sqlite_utils.Database(db_path)
    ids = {r["name"]: r["id"] for r in db.query("select id, name from speakers")}
    assert BRUNO in ids and MINISTRY in ids, ids
    data = {
        "ids": ids,
        "quotes": {name: {r["id"] for r in db.query("select id from quotes where speaker_id = ?", [i])}
                   for name, i in ids.items()},
        "statements": {name: {r["id"] for r in db.query("select id from statements where speaker_id = ?", [i])}
                       for name, i in ids.items()},
    }
    assert data["quotes"][BRUNO] and data["statements"][BRUNO]
    db.close()
    return data


@pytest.fixture
async def ds(db_path):
    datasette = make_datasette(db_path)
    await datasette.invoke_startup()
    return datasette


async def get_json(ds, path, **params):
    response = await ds.client.get(f"{path}?{urlencode({**params, '_shape': 'array'})}")
    assert response.status_code == 200, (path, params, response.text[:500])
    return response.json()


# --------------------------------------------------------------------------- canned queries


@pytest.mark.parametrize("speaker", SPELLINGS)
async def test_speaker_quotes_ignores_accents_and_case(ds, expected, speaker):
    rows = await get_json(ds, "/quotes/speaker_quotes.json", speaker=speaker)
    assert {r["speaker"] for r in rows} == {BRUNO}, speaker
    assert {r["quote_id"] for r in rows} == expected["quotes"][BRUNO]


@pytest.mark.parametrize("speaker", SPELLINGS)
async def test_speaker_statements_ignores_accents_and_case(ds, expected, speaker):
    rows = await get_json(ds, "/quotes/speaker_statements.json", speaker=speaker)
    assert {r["speaker"] for r in rows} == {BRUNO}, speaker
    assert {r["statement_id"] for r in rows} == expected["statements"][BRUNO]


@pytest.mark.parametrize("speaker", ["cuban ministry of foreign affairs", "CUBAN MINISTRY OF FOREIGN AFFAIRS",
                                     "Cuba’s foreign ministry", "cuba's foreign ministry"])
async def test_organisation_found_whatever_the_case_and_apostrophe(ds, expected, speaker):
    rows = await get_json(ds, "/quotes/speaker_quotes.json", speaker=speaker)
    assert {r["speaker"] for r in rows} == {MINISTRY}, speaker
    assert {r["quote_id"] for r in rows} == expected["quotes"][MINISTRY]
    rows = await get_json(ds, "/quotes/speaker_statements.json", speaker=speaker)
    assert {r["statement_id"] for r in rows} == expected["statements"][MINISTRY]


async def test_speaker_statements_still_takes_an_id(ds, expected):
    rows = await get_json(ds, "/quotes/speaker_statements.json", speaker=str(expected["ids"][BRUNO]))
    assert {r["statement_id"] for r in rows} == expected["statements"][BRUNO]


@pytest.mark.parametrize("name", UNRELATED)
async def test_unrelated_name_finds_nothing(ds, name):
    assert await get_json(ds, "/quotes/speaker_quotes.json", speaker=name) == []
    assert await get_json(ds, "/quotes/speaker_statements.json", speaker=name) == []
    assert await get_json(ds, "/quotes/speakers.json", _search=name) == []
    assert await get_json(ds, "/quotes/search_quotes.json", q=name) == []


async def test_canned_query_page_shows_the_speaker(ds):
    response = await ds.client.get("/quotes/speaker_quotes?speaker=rodriguez")
    assert response.status_code == 200
    assert BRUNO in response.text


# --------------------------------------------------------------------------- the site's searches


@pytest.mark.parametrize("speaker", SPELLINGS)
async def test_speakers_table_search_ignores_accents_and_case(ds, expected, speaker):
    rows = await get_json(ds, "/quotes/speakers.json", _search=speaker)
    assert [r["id"] for r in rows] == [expected["ids"][BRUNO]], speaker


async def test_speakers_table_search_organisation(ds, expected):
    rows = await get_json(ds, "/quotes/speakers.json", _search="cuban ministry of foreign affairs")
    assert [r["name"] for r in rows] == [MINISTRY]
    # the identity key is searched too: "cuban foreign ministry"
    rows = await get_json(ds, "/quotes/speakers.json", _search="CUBAN FOREIGN MINISTRY")
    assert [r["name"] for r in rows] == [MINISTRY]


async def test_speakers_page_has_a_search_box_that_finds_him(ds):
    page = await ds.client.get("/quotes/speakers?_search=RODRIGUEZ")
    assert page.status_code == 200
    assert 'name="_search"' in page.text
    assert BRUNO in page.text and MINISTRY not in page.text


async def test_search_all_covers_speakers(ds):
    page = await ds.client.get("/-/search?q=rodriguez")
    assert page.status_code == 200
    assert BRUNO in page.text and 'href="/quotes/-/speaker/' in page.text


async def test_search_quotes_finds_the_mention_without_accents(ds, expected):
    rows = await get_json(ds, "/quotes/search_quotes.json", q="rodriguez")
    assert rows and {r["speaker"] for r in rows} == {BRUNO}


async def test_public_mode(db_path, expected):
    """Immutable database, SQL off (``quotetrack serve --public``): the function is there."""
    datasette = make_datasette(db_path, immutables=[str(db_path)], settings={"default_allow_sql": False})
    await datasette.invoke_startup()
    rows = await get_json(datasette, "/quotes/speaker_quotes.json", speaker="RODRÍGUEZ")
    assert {r["quote_id"] for r in rows} == expected["quotes"][BRUNO]
    rows = await get_json(datasette, "/quotes/speakers.json", _search="rodriguez")
    assert [r["name"] for r in rows] == [BRUNO]


# --------------------------------------------------------------------------- pieces


def test_fold_function():
    assert sqlfunctions.quotetrack_fold("RODRÍGUEZ") == "rodriguez"
    assert sqlfunctions.quotetrack_fold("Cuba’s Foreign Ministry") == "cuba's foreign ministry"
    assert sqlfunctions.quotetrack_fold(None) is None


def test_migration_indexes_existing_speakers(tmp_path):
    path = tmp_path / "quotes.db"
    db = open_db(path)
    body = 'Foreign Minister Bruno Rodríguez said: "We will act."'
    article = Article(path="a.txt", text=body, title="T", outlet="O", published="2023-09-05")
    start = body.index("We will act.")
    quote = Quote(start=start, end=start + 12, text="We will act.", speaker=BRUNO, speaker_kind="person",
                  speaker_mention=BRUNO, cue="said")
    assert save_article(db, article, [quote], content_hash="h") is not None
    # a database made before m010: no speakers_fts
    db["speakers"].disable_fts()
    db.execute("delete from _sqlite_migrations where name = 'm010_speaker_search'")
    db.conn.commit()
    db.close()
    db = open_db(path)
    assert "m010_speaker_search" in [m.name for m in migrations.applied(db)]
    found = [r["name"] for r in db.query(
        "select name from speakers where id in (select rowid from speakers_fts where speakers_fts match ?)",
        ["rodriguez"])]
    assert found == [BRUNO]
    # kept current: a renamed speaker is found under the new name only
    db.execute("update speakers set name = 'Bruno Rodríguez Parrilla' where name = ?", [BRUNO])
    assert db.execute("select count(*) from speakers_fts where speakers_fts match 'parrilla'").fetchone()[0] == 1
    db.close()
