"""The statement and article pages with an original and a copied article: the original
sentence above the renderings, each wording labelled against it, the sentences nobody
quoted, and "rewrite of ..." beside an article that rewrites another."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlite_utils

from _sitedata import build_site_db, make_datasette
from quotetrack import ingest as ingesting
from quotetrack.grouping import originals
from quotetrack.records import Original

ORIGINAL = Path(__file__).resolve().parent.parent / "grouping" / "originals" / "cuba-es.txt"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("originals-site") / "quotes.db"
    shutil.copy(build_site_db(tmp_path_factory), path)
    db = ingesting.open_db(path)
    originals.add_original(db, Original("cuba-es.txt", ORIGINAL.read_text("utf-8"), speaker="Cuban Foreign Ministry",
                                        published="2023-09-04", url="https://example.org/nota"))
    ids = {Path(r["path"]).name[:3]: r["id"] for r in db.query("select id, path from articles")}
    # a link as lineage writes it (its detection is tested in tests/grouping)
    db["article_sources"].insert({"article_id": ids["002"], "source_article_id": ids["001"], "score": 0.8,
                                  "method": "rewrite", "aligned": 9, "evidence": "dates"}, replace=True)
    db.execute("update statements set independent_outlets = 3 where id = "
               "(select statement_id from original_sentences where position = 5)")
    db.conn.commit()
    db.close()
    return path


def _statement(db_path, position: int) -> int:
    return sqlite_utils.Database(db_path).execute(
        "select statement_id from original_sentences where position = ?", [position]).fetchone()[0]


async def _get(db_path, path: str) -> str:
    ds = make_datasette(db_path)
    await ds.invoke_startup()
    response = await ds.client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.text


async def test_statement_page_shows_the_original_and_labels_each_wording(db_path):
    page = await _get(db_path, f"/quotes/-/statement/{_statement(db_path, 5)}")
    assert "Estamos actuando y actuaremos con energía" in page
    assert page.index("Estamos actuando") < page.index("Renderings:")      # the original above the renderings
    assert 'href="https://example.org/nota"' in page and "2023-09-04" in page
    assert "faithful rendering of the original" in page       # "It is acting and will act vigorously ..."
    assert "partial rendering of the original" in page        # "We will act decisively against those who… "
    assert "3</strong> independent reports" in page
    assert "rewrite of" in page                                # 002's quote, beside its article
    # every sentence of the original, the unquoted ones said so
    assert page.count("no outlet quoted this sentence") == 3
    assert "quoted 5 times" in page


async def test_a_sentence_nobody_quoted_has_a_page(db_path):
    page = await _get(db_path, f"/quotes/-/statement/{_statement(db_path, 6)}")
    assert "El Gobierno seguirá informando" in page and "No quote renders this statement." in page


async def test_article_pages_show_their_lineage(db_path):
    db = sqlite_utils.Database(db_path)
    source, copy = db.execute("select source_article_id, article_id from article_sources").fetchone()
    rewrite = await _get(db_path, f"/quotes/-/article/{copy}")
    assert "rewrite of</strong>" in rewrite and f"/quotes/-/article/{source}" in rewrite
    original = await _get(db_path, f"/quotes/-/article/{source}")
    assert "rewrite by" in original and f"/quotes/-/article/{copy}" in original
