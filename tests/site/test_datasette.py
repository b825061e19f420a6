"""The published site: metadata.yml + the quotetrack Datasette plugin on a small database."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml
from datasette.app import Datasette
from datasette.plugins import pm

from quotetrack import site as site_plugin
from quotetrack.site import sqlfunctions
from quotetrack.records import Article, Quote
from quotetrack.ingest import open_db, save_article

METADATA = Path(__file__).resolve().parents[2] / "metadata.yml"

LONG = "We will act decisively against anyone who takes part in human trafficking for mercenaries"
TRUNC = "act decisively against anyone who takes part"


def make_article(path, outlet, published, title, body, specs):
    article = Article(path=path, text=body, title=title, outlet=outlet, published=published)
    quotes = []
    for quoted, speaker, mention in specs:
        start = body.index(quoted)
        quotes.append(Quote(start=start, end=start + len(quoted), text=quoted, speaker=speaker,
                            speaker_kind="person" if speaker else None, speaker_mention=mention,
                            cue="said"))
    return article, quotes


@pytest.fixture
def db_path(tmp_path):
    # the database name in Datasette is the file stem, as for db/quotes.db
    path = tmp_path / "quotes.db"
    db = open_db(path)
    items = [
        make_article("a1.txt", "Outlet A", "2023-09-05", "Cuba uncovers trafficking ring",
                     f'Foreign Minister Bruno Rodríguez said: "{LONG}." Critics called it <b>"a show & a farce"</b>.',
                     [(LONG, "Bruno Rodríguez", "Foreign Minister Bruno Rodríguez"),
                      ("a show & a farce", None, None)]),
        make_article("a2.txt", "Outlet B", "2023-09-06", "Havana warns recruiters",
                     f'Rodriguez vowed to "{TRUNC}".',
                     [(TRUNC, "bruno rodriguez", "Rodriguez")]),
    ]
    for i, (article, quotes) in enumerate(items):
        assert save_article(db, article, quotes, content_hash=f"hash-{i}") is not None
    db.close()
    return path


@pytest.fixture
async def ds(db_path):
    if not any(p is site_plugin for p in pm.get_plugins()):
        # not pip-installed (editable) in this environment: register by hand
        pm.register(site_plugin, name="quotetrack")
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    datasette = Datasette([str(db_path)], metadata=metadata)
    await datasette.invoke_startup()
    return datasette


async def test_pages_answer(ds):
    for path in ("/", "/quotes", "/quotes/quotes", "/quotes/speakers", "/quotes/statements",
                 "/quotes/articles", "/quotes/quote_statements", "/quotes/speaker_aliases",
                 "/quotes/quotes_view", "/quotes/quotes/1", "/quotes/articles/1"):
        response = await ds.client.get(path)
        assert response.status_code == 200, path


async def test_metadata_applied(ds):
    data = (await ds.client.get("/-/metadata.json")).json()
    assert data["title"] == "quotetrack"
    index = (await ds.client.get("/")).text
    assert "Apache-2.0" in index


async def test_speaker_facet_shows_names(ds):
    data = (await ds.client.get("/quotes/quotes.json?_facet=speaker_id")).json()
    results = data["facet_results"]["speaker_id"]["results"]
    assert {(r["label"], r["count"]) for r in results} == {("Bruno Rodríguez", 2)}


async def test_configured_facets(ds):
    data = (await ds.client.get("/quotes/quotes.json")).json()
    facets = data["facet_results"]
    assert {r["value"]: r["count"] for r in facets["outlet"]["results"]} == {"Outlet A": 2, "Outlet B": 1}
    statement_labels = {r["label"] for r in facets["statement_id"]["results"]}
    assert LONG in statement_labels
    assert "published" in facets  # date facet
    assert {r["value"] for r in facets["published"]["results"]} == {"2023-09-05", "2023-09-06"}


async def test_fts_search(ds):
    data = (await ds.client.get("/quotes/quotes.json?_search=trafficking&_shape=objects")).json()
    assert [r["text"] for r in data["rows"]] == [LONG]
    data = (await ds.client.get("/quotes/articles.json?_search=recruiters&_shape=objects")).json()
    assert [r["title"] for r in data["rows"]] == ["Havana warns recruiters"]


async def test_canned_speaker_quotes(ds):
    rows = (await ds.client.get("/quotes/speaker_quotes.json?speaker=Rodr&_shape=array")).json()
    assert [r["text"] for r in rows] == [LONG, TRUNC]
    assert rows[0]["speaker"] == "Bruno Rodríguez"
    assert rows[0]["article"] == "Cuba uncovers trafficking ring"
    assert rows[1]["outlet"] == "Outlet B" and rows[1]["published"] == "2023-09-06"
    # aliases match too
    rows = (await ds.client.get("/quotes/speaker_quotes.json?speaker=Foreign+Minister&_shape=array")).json()
    assert len(rows) == 2
    page = await ds.client.get("/quotes/speaker_quotes?speaker=Rodr")
    assert page.status_code == 200 and "What did this speaker say" in page.text


async def test_canned_search_quotes(ds):
    rows = (await ds.client.get("/quotes/search_quotes.json?q=decisively&_shape=array")).json()
    assert {r["text"] for r in rows} == {LONG, TRUNC}
    assert all(r["speaker"] == "Bruno Rodríguez" for r in rows)
    # user input with FTS syntax characters does not break the query
    response = await ds.client.get('/quotes/search_quotes.json?q="show %26 a (farce&_shape=array')
    assert response.status_code == 200
    assert [r["text"] for r in response.json()] == ["a show & a farce"]


def test_installed_plugin_is_found_through_its_entry_point():
    """``datasette plugins`` in this environment (entry points, not a fixture) finds the
    plugin with its templates, static files and every hook."""
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "datasette", "plugins"], capture_output=True, text=True, check=True)
    entry = next(p for p in json.loads(out.stdout) if p["name"] == "quotetrack")
    assert entry["static"] and entry["templates"]
    assert set(entry["hooks"]) == {"prepare_connection", "render_cell", "register_facet_classes", "extra_css_urls",
                                   "menu_links", "register_routes", "handle_exception", "filters_from_request",
                                   "extra_js_urls"}


async def test_sql_functions(ds):
    sql = ('select quotetrack_normalise(quotes.text) as n, '
           'quotetrack_context(articles.text, quotes.start, quotes."end", 10) as c '
           'from quotes join articles on articles.id = quotes.article_id where quotes.id = 1')
    rows = (await ds.client.get("/quotes.json?" + urlencode({"sql": sql, "_shape": "array"}))).json()
    assert rows[0]["n"].startswith("we will act decisively")
    assert rows[0]["c"] == "…ez said: \"⟦" + LONG + "⟧.\" Critics…"


async def test_quote_cells_rendered_and_escaped(ds):
    html = (await ds.client.get("/quotes/quotes")).text
    assert '<q class="quotetrack-quote">a show &amp; a farce</q>' in html
    assert "<b>" not in html


def test_context_function_edges():
    f = sqlfunctions.quotetrack_context
    assert f("abcdef", 2, 4, 1) == "…b⟦cd⟧e…"
    assert f("abcdef", 0, 6) == "⟦abcdef⟧"
    assert f("abc", 2, 9) is None
    assert f(None, 0, 1) is None
