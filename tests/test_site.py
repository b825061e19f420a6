"""The Datasette site through Datasette's test client: every quotetrack page
(statement, quote, speaker, article), the links between rows, every canned query,
the plugins it ships with, public (immutable, SQL off) mode, and escaping of
hostile article text on every page. Browser tests are in test_browser.py."""
from __future__ import annotations

import html
import re
from urllib.parse import quote as urlquote

import pytest
import sqlite_utils
import yaml
from datasette.app import Datasette
from datasette.plugins import pm
from markupsafe import Markup

from _sitedata import (HOSTILE_OUTLET, HOSTILE_TITLE, IMG, METADATA, SCRIPT, build_site_db)
from quotetrack.site import facet_pass, datasette_plugin, pages

ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ESCAPED_IMG = "&lt;img src=x onerror=alert(1)&gt;"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    return build_site_db(tmp_path_factory)


@pytest.fixture(scope="module")
def rows(db_path):
    """What the pages should show, straight from the database."""
    db = sqlite_utils.Database(db_path)
    data = {
        "statements": list(db.query("select * from statements order by id")),
        "quotes": list(db.query("select * from quotes order by id")),
        "speakers": list(db.query("select * from speakers order by id")),
        "articles": list(db.query("select id, title from articles order by id")),
        "links": list(db.query("select quote_id, statement_id from quote_statements")),
    }
    data["act"] = next(db.query("select qs.statement_id from quote_statements qs join quotes q on q.id = qs.quote_id "
                                "where q.text like '%act decisively%' order by q.id limit 1"))["statement_id"]
    data["hostile_quote"] = next(db.query("select * from quotes where text like '%<script>%'"))
    db.close()
    return data


def make_datasette(db_path, *, files=None, immutables=None, metadata=None, **kwargs):
    if not any(p is datasette_plugin for p in pm.get_plugins()):
        pm.register(datasette_plugin, name="quotetrack")   # not installed in this environment
    metadata = metadata or yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    files = files if files is not None else ([] if immutables else [str(db_path)])
    return Datasette(files, immutables=immutables, metadata=metadata, **kwargs)


@pytest.fixture
async def ds(db_path):
    datasette = make_datasette(db_path)
    await datasette.invoke_startup()
    return datasette


async def page(ds, path, status=200):
    response = await ds.client.get(path)
    assert response.status_code == status, (path, response.status_code, response.text[:500])
    return response.text


def assert_escaped(text: str, where: str):
    """No hostile markup survives; it is there as text."""
    assert SCRIPT not in text and IMG not in text, where
    assert "onerror=alert(1)>" not in text and "<script>alert" not in text, where
    assert 'href="javascript:' not in text, where


# --------------------------------------------------------------------------- pages


async def test_statement_pages(ds, rows):
    for statement in rows["statements"]:
        text = await page(ds, f"/quotes/-/statement/{statement['id']}")
        assert f"Statement {statement['id']}" in text
        assert str(Markup.escape(statement["text"])) in text
        quote_ids = {link["quote_id"] for link in rows["links"] if link["statement_id"] == statement["id"]}
        assert set(map(int, re.findall(r'<article class="qt-variant[^"]*" id="quote-(\d+)"', text))) == quote_ids
        for quote_id in quote_ids:
            assert f'href="/quotes/-/quote/{quote_id}#quote"' in text
        if statement["speaker_id"]:
            assert f'href="/quotes/-/speaker/{statement["speaker_id"]}"' in text
        assert "Timeline: when each outlet first carried it" in text
        assert f'href="/quotes/statement_variants?statement={statement["id"]}"' in text


async def test_statement_page_shows_the_act_decisively_variants_with_differences(ds, rows):
    act = rows["act"]
    text = await page(ds, f"/quotes/-/statement/{act}")
    variants = [q for q in rows["quotes"]
                if any(l["quote_id"] == q["id"] and l["statement_id"] == act for l in rows["links"])]
    assert len(variants) >= 2
    cards = re.findall(r'<blockquote class="qt-diff">(.*?)</blockquote>', text, re.S)
    assert len(cards) == len(variants)
    assert '<ins class="qt-ins">' in text                      # words that differ are marked
    plain = [" ".join(html.unescape(re.sub(r"<del[^>]*>.*?</del>|<[^>]+>", "", c)).split()) for c in cards]
    words = " ".join(plain)
    blocks = dict(re.findall(r'<article class="qt-variant[^"]*" id="quote-(\d+)">(.*?)</article>', text, re.S))
    for q in variants:     # each card shows its quote (the sentence rendering the statement, and the whole quote)
        block = " ".join(html.unescape(re.sub(r"<del[^>]*>.*?</del>|<[^>]+>", "", blocks[str(q["id"])])).split())
        assert " ".join(q["text"].split()[:6]) in block, q["text"]
    # the three translations of the ministry's sentence are one statement
    for word in ("decisively", "energetically", "vigorously"):
        assert word in words, word
    # the timeline lists every outlet (or outlet-less article) once, with its first date
    timeline = re.search(r'<ol class="qt-timeline">(.*?)</ol>', text, re.S).group(1)
    assert "NPR" in timeline and "2023-09-05" in timeline
    # compare against a variant instead of the canonical text
    base = variants[-1]["id"]
    text = await page(ds, f"/quotes/-/statement/{act}?base={base}")
    assert "qt-is-base" in text and f"Differences from <a href=\"#quote-{base}\">quote {base}</a>" in text


async def test_quote_pages(ds, rows):
    for quote in rows["quotes"]:
        text = await page(ds, f"/quotes/-/quote/{quote['id']}")
        article = text.split('<div class="qt-article-text">', 1)[1]
        marked = re.findall(r'<mark class="qt-quote[^"]*"[^>]*>(.*?)</mark>', article, re.S)
        assert marked and html.unescape("".join(re.sub(r"<[^>]+>", "", m) for m in marked)) == quote["text"]
        assert 'id="quote"' in article
        if quote["speaker_start"] is not None:
            mention = re.findall(r'<(?:span|a|mark) class="[^"]*qt-speaker[^"]*"[^>]*>(.*?)</', article)
            assert html.unescape("".join(mention)).endswith(quote["speaker_mention"])
        assert f'href="/quotes/-/article/{quote["article_id"]}"' in text
        if quote["statement_id"]:
            assert f'href="/quotes/-/statement/{quote["statement_id"]}#quote-{quote["id"]}"' in text


async def test_speaker_pages(ds, rows, db_path):
    db = sqlite_utils.Database(db_path)
    for speaker in rows["speakers"]:
        text = await page(ds, f"/quotes/-/speaker/{speaker['id']}")
        assert f"<h1>{Markup.escape(speaker['name'])}</h1>" in text
        for alias in db.query("select alias from speaker_aliases where speaker_id = ?", [speaker["id"]]):
            assert str(Markup.escape(alias["alias"])) in text
        for statement in db.query("select id from statements where speaker_id = ?", [speaker["id"]]):
            assert f'href="/quotes/-/statement/{statement["id"]}"' in text
        for quote in db.query("select id from quotes where speaker_id = ?", [speaker["id"]]):
            assert f'href="/quotes/-/quote/{quote["id"]}#quote"' in text
        assert "Quotes over time" in text
    rodriguez = next(s for s in rows["speakers"] if s["name"] == "Bruno Rodríguez")
    text = await page(ds, f"/quotes/-/speaker/{rodriguez['id']}")
    assert "Cuban Foreign Minister Bruno Rodríguez" in text        # an alias


async def test_article_pages(ds, rows):
    for article in rows["articles"]:
        text = await page(ds, f"/quotes/-/article/{article['id']}")
        for quote in (q for q in rows["quotes"] if q["article_id"] == article["id"]):
            assert f'href="/quotes/-/quote/{quote["id"]}"' in text        # marked in the text, linked
            assert f'href="/quotes/-/quote/{quote["id"]}#quote"' in text  # and listed


async def test_missing_things_are_404(ds, db_path, tmp_path):
    for path in ("/quotes/-/statement/99999", "/quotes/-/quote/99999", "/quotes/-/speaker/99999",
                 "/quotes/-/article/99999", "/nosuchdb/-/statement/1"):
        await page(ds, path, status=404)
    # a database that is not quotetrack's has no such pages
    other = tmp_path / "other.db"
    sqlite_utils.Database(other)["things"].insert({"id": 1, "text": "x"}, pk="id")
    datasette = make_datasette(db_path, files=[str(db_path), str(other)])
    await datasette.invoke_startup()
    await page(datasette, "/other/-/statement/1", status=404)
    assert "qt-link" not in await page(datasette, "/other/things")


async def test_pages_respect_table_permissions(db_path):
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    metadata["databases"]["quotes"]["tables"]["statements"]["allow"] = False
    datasette = make_datasette(db_path, metadata=metadata)
    await datasette.invoke_startup()
    await page(datasette, "/quotes/-/statement/1", status=403)
    await page(datasette, "/quotes/-/quote/1")


async def test_stylesheet_and_menu(ds):
    response = await ds.client.get("/-/quotetrack/quotetrack.css")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")
    assert "qt-ins" in response.text and "http" not in response.text       # nothing fetched from elsewhere
    text = await page(ds, "/quotes/quotes")
    assert '<link rel="stylesheet" href="/-/quotetrack/quotetrack.css">' in text
    assert 'href="/quotes/statements">Statements</a>' in text              # menu links


# --------------------------------------------------------------------------- links between rows


async def test_rows_link_to_the_pages(ds, rows):
    quote = rows["quotes"][0]
    text = await page(ds, "/quotes/quotes")
    assert f'<a class="qt-link" href="/quotes/-/quote/{quote["id"]}"><q class="quotetrack-quote">' in text
    assert re.search(r'<a class="qt-link" href="/quotes/-/speaker/\d+">[^<]+</a>&nbsp;<em>\d+</em>', text)
    assert re.search(r'<a class="qt-link" href="/quotes/-/statement/\d+">', text)
    assert re.search(r'<a class="qt-link" href="/quotes/-/article/\d+">', text)
    text = await page(ds, f"/quotes/quotes/{quote['id']}")                 # the row page
    assert f'href="/quotes/-/quote/{quote["id"]}"' in text
    text = await page(ds, "/quotes/statements")
    assert f'<a class="qt-link" href="/quotes/-/statement/{rows["act"]}"><q class="quotetrack-quote">' in text
    text = await page(ds, "/quotes/speakers")
    assert '<a class="qt-link" href="/quotes/-/speaker/2">Bruno Rodríguez</a>' in text
    text = await page(ds, "/quotes/articles")
    assert re.search(r'<a class="qt-link" href="/quotes/-/article/\d+">Cuba says it dismantled', text)
    for table, target in (("quote_statements", "quote"), ("speaker_aliases", "speaker"), ("quotes_view", "quote")):
        assert f'<a class="qt-link" href="/quotes/-/{target}/' in await page(ds, f"/quotes/{table}"), table


# --------------------------------------------------------------------------- canned queries


async def query(ds, name, **params):
    response = await ds.client.get(f"/quotes/{name}.json?" + "&".join(
        f"{k}={urlquote(str(v))}" for k, v in {**params, "_shape": "array"}.items()))
    assert response.status_code == 200, (name, params, response.text[:300])
    return response.json()


async def test_canned_statement_variants(ds, rows):
    act = rows["act"]
    expected = {l["quote_id"] for l in rows["links"] if l["statement_id"] == act}
    by_id = await query(ds, "statement_variants", statement=act)
    assert {r["quote_id"] for r in by_id} == expected
    assert {r["statement_id"] for r in by_id} == {act}
    assert [r["published"] for r in by_id if r["published"]] == sorted(r["published"] for r in by_id if r["published"])
    by_words = await query(ds, "statement_variants", statement="act decisively")     # words of any rendering
    assert {r["quote_id"] for r in by_words} >= expected
    assert await query(ds, "statement_variants", statement="99999") == []
    text = await page(ds, f"/quotes/statement_variants?statement={act}")
    assert "A statement&#39;s renderings" in text or "A statement's renderings" in text
    assert 'href="/quotes/-/quote/' in text


async def test_canned_speaker_statements(ds, rows):
    rodriguez = next(s for s in rows["speakers"] if s["name"] == "Bruno Rodríguez")
    expected = {s["id"] for s in rows["statements"] if s["speaker_id"] == rodriguez["id"]}
    assert {r["statement_id"] for r in await query(ds, "speaker_statements", speaker=rodriguez["id"])} == expected
    assert {r["statement_id"] for r in await query(ds, "speaker_statements", speaker="Rodr")} == expected
    # an alias finds the identity too
    assert {r["statement_id"] for r in await query(ds, "speaker_statements", speaker="Cuban Foreign Minister")} == expected
    assert await query(ds, "speaker_statements", speaker="nobody at all") == []
    text = await page(ds, f"/quotes/speaker_statements?speaker={rodriguez['id']}")
    assert 'href="/quotes/-/statement/' in text


async def test_canned_first_reported_between(ds, rows):
    september = await query(ds, "first_reported_between", start_date="2023-09-01", end_date="2023-09-30")
    assert september and all(r["first_reported"].startswith("2023-09") for r in september)
    assert rows["act"] in {r["statement_id"] for r in september}
    october = await query(ds, "first_reported_between", start_date="2023-10-01", end_date="2023-10-31")
    assert {r["quote_id"] for r in october} >= {rows["hostile_quote"]["id"]}
    everything = await query(ds, "first_reported_between", start_date="", end_date="")
    assert len(everything) >= len(september) + len(october)
    assert await query(ds, "first_reported_between", start_date="2030-01-01", end_date="") == []
    await page(ds, "/quotes/first_reported_between?start_date=2023-09-01&end_date=2023-09-30")


async def test_canned_search_and_speaker_quotes(ds):
    rows = await query(ds, "search_quotes", q="energetically")
    assert len(rows) == 1 and rows[0]["text"].startswith("We will act energetically")
    rows = await query(ds, "speaker_quotes", speaker="Torres")
    assert {r["speaker"] for r in rows} == {"Ana Torres"} and len(rows) == 2
    for path in ("/quotes/search_quotes?q=energetically", "/quotes/speaker_quotes?speaker=Torres"):
        assert 'href="/quotes/-/quote/' in await page(ds, path)


async def test_every_canned_query_answers(ds):
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    for name in metadata["databases"]["quotes"]["queries"]:
        await page(ds, f"/quotes/{name}")                            # the form, with empty parameters
        assert (await ds.client.get(f"/quotes/{name}.json")).status_code == 200, name


async def test_configured_facets(ds):
    data = (await ds.client.get("/quotes/statements.json?_size=0")).json()
    assert {"speaker_id", "first_reported"} <= set(data["facet_results"])
    data = (await ds.client.get("/quotes/articles.json?_size=0")).json()
    assert {"outlet", "published"} <= set(data["facet_results"])


# --------------------------------------------------------------------------- plugins


async def test_shipped_plugins(ds):
    names = {p["name"] for p in (await ds.client.get("/-/plugins.json")).json()}
    assert {"datasette-search-all", "datasette-block-robots"} <= names, names
    robots = await page(ds, "/robots.txt")
    assert "Disallow: /quotes" in robots and "Disallow: /\n" not in robots + "\n"
    home = await page(ds, "/")
    assert 'action="/-/search"' in home                              # one search box across tables
    search = await page(ds, "/-/search?q=energetically")
    assert "/quotes/quotes" in search and "/quotes/articles" in search


# --------------------------------------------------------------------------- public mode


async def test_pages_work_on_an_immutable_database_with_sql_off(db_path, rows):
    datasette = make_datasette(db_path, immutables=[str(db_path)], settings={"default_allow_sql": False})
    await datasette.invoke_startup()
    await page(datasette, "/quotes.json?sql=select+1", status=403)
    for path in (f"/quotes/-/statement/{rows['act']}", f"/quotes/-/quote/{rows['quotes'][0]['id']}",
                 "/quotes/-/speaker/1", "/quotes/-/article/1", "/quotes/statement_variants?statement=1",
                 "/quotes/speaker_statements?speaker=1", "/quotes/first_reported_between?start_date=2023-01-01",
                 "/quotes/quotes?_search=energetically", "/-/search?q=energetically"):
        await page(datasette, path)


# --------------------------------------------------------------------------- escaping


async def test_hostile_text_is_escaped_on_every_page(ds, rows, db_path):
    q = rows["hostile_quote"]
    db = sqlite_utils.Database(db_path)
    speaker_id = q["speaker_id"]
    pages = [f"/quotes/-/quote/{q['id']}", f"/quotes/-/statement/{q['statement_id']}",
             f"/quotes/-/speaker/{speaker_id}", f"/quotes/-/article/{q['article_id']}",
             "/quotes/quotes", f"/quotes/quotes/{q['id']}", "/quotes/quotes_view", "/quotes/articles",
             f"/quotes/articles/{q['article_id']}", "/quotes/statements", "/quotes/quote_statements",
             "/quotes/quotes?_search=alert", "/quotes/quotes?_facet=outlet", "/quotes/articles?_search=hackers",
             f"/quotes/statement_variants?statement={q['statement_id']}", "/quotes/speaker_statements?speaker=Torres",
             "/quotes/first_reported_between?start_date=2023-10-01&end_date=2023-10-31",
             "/quotes/search_quotes?q=alert", "/quotes/speaker_quotes?speaker=Torres", "/-/search?q=alert"]
    for path in pages:
        text = await page(ds, path)
        assert_escaped(text, path)
        if path != "/-/search?q=alert":          # that page fetches its results with JavaScript
            assert ESCAPED_SCRIPT in text or ESCAPED_IMG in text, path
    text = await page(ds, f"/quotes/-/article/{q['article_id']}")
    assert str(Markup.escape(HOSTILE_TITLE)) in text and str(Markup.escape(HOSTILE_OUTLET)) in text
    assert "javascript:alert" not in text                                 # the record's URL is not a link
    db.close()


# --------------------------------------------------------------------------- the page logic


def test_word_diff():
    assert pages.word_diff("We will act decisively", "We will act vigorously") == [
        ("equal", "We will act"), ("delete", "decisively"), ("insert", "vigorously")]
    # case, accents, curly quotes and punctuation around words are not differences
    assert pages.word_diff("“Rodríguez said,” it", '"rodriguez said" it.') == [("equal", '"rodriguez said" it.')]
    assert pages.same_words("It is acting.", "it is ACTING")
    assert not pages.same_words("plays no role", "plays a role")
    assert pages.word_diff("", "new words") == [("insert", "new words")]


def test_render_diff_escapes_every_word():
    out = pages.render_diff("say <b>hello</b>", f"say {SCRIPT} now")
    assert isinstance(out, Markup)
    assert SCRIPT not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert '<ins class="qt-ins">' in out and '<del class="qt-del"' in out
    assert "<del" not in pages.render_diff("a b c", "a c", deletions=False)


def test_render_article_marks_and_escapes():
    text = f'He said "{SCRIPT} ok" and {IMG} left.'
    start = text.index(SCRIPT)
    end = start + len(SCRIPT) + 3
    out = pages.render_article(text, [pages.Span(start, end, "quote"), pages.Span(0, 2, "speaker"),
                                     pages.Span(start + 2, start + 8, "speaker"),          # overlaps the quote
                                     pages.Span(text.index(IMG), text.index(IMG) + 4, "other", href="/x?a=1&b=2"),
                                     pages.Span(5, 500, "quote")])                          # out of range: ignored
    assert SCRIPT not in out and IMG not in out
    assert html.unescape(re.sub(r"<[^>]+>", "", out)) == text                               # nothing lost
    assert out.count('id="quote"') == 1
    assert '<span class="qt-speaker">He</span>' in out
    assert '<mark class="qt-quote qt-speaker">' in out
    assert 'href="/x?a=1&amp;b=2"' in out


def test_outlet_timeline():
    variants = [
        {"quote_id": 1, "outlet": "B", "published": "2023-09-07", "article_id": 1, "article_title": "b1"},
        {"quote_id": 2, "outlet": "A", "published": "2023-09-05T10:00:00Z", "article_id": 2, "article_title": "a"},
        {"quote_id": 3, "outlet": "B", "published": "2023-09-06", "article_id": 3, "article_title": "b2"},
        {"quote_id": 4, "outlet": None, "published": None, "article_id": 4, "article_title": "untitled?"},
        {"quote_id": 5, "outlet": None, "published": "2023-09-15", "article_id": 5, "article_title": None},
    ]
    entries, first, last = pages.outlet_timeline(variants)
    assert [(e.label, e.first and e.first.isoformat(), e.position) for e in entries] == [
        ("A", "2023-09-05", 0.0), ("B", "2023-09-06", 10.0), ("Article 5", "2023-09-15", 100.0),
        ("untitled?", None, None)]
    assert entries[1].article_id == 3 and entries[1].quote_ids == [1, 3]
    assert (first.isoformat(), last.isoformat()) == ("2023-09-05", "2023-09-15")


def test_quotes_over_time_and_safe_urls():
    days = pages.quotes_over_time([{"published": "2023-09-05"}, {"published": None}, {"published": "2023-09-05"},
                                  {"published": "2023-09-01"}])
    assert [(d["day"] and d["day"].isoformat(), len(d["quotes"]), d["width"]) for d in days] == [
        ("2023-09-01", 1, 50.0), ("2023-09-05", 2, 100.0), (None, 1, 50.0)]
    assert pages.safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    for bad in ("javascript:alert(1)", "data:text/html,x", "//evil", "", None, "http://"):
        assert pages.safe_url(bad) is None, bad


# --------------------------------------------------------------------------- speed on a published database


async def published(db_path, **settings):
    """A Datasette as ``quotetrack serve --public`` builds it: immutable, SQL off."""
    datasette = make_datasette(db_path, immutables=[str(db_path)],
                               settings={"default_allow_sql": False, "suggest_facets": False, **settings})
    await datasette.invoke_startup()
    return datasette


async def test_whole_table_pages_are_computed_once_and_right(db_path):
    ds = await published(db_path)
    cache = ds.get_database("quotes").quotetrack_cache
    assert set(await datasette_plugin.precompute(ds)) == {"quotes"}
    computed = cache.misses
    assert computed > 0 and len(cache.whole)
    data = (await ds.client.get("/quotes/quotes.json")).json()
    await page(ds, "/quotes/quotes")
    await page(ds, "/quotes/statements")
    assert cache.misses == computed and cache.hits > 0          # nothing whole-table ran again
    # what the cache answers is what Datasette computes without it, and what the database says
    plain = make_datasette(db_path)
    await plain.invoke_startup()
    for table in ("quotes", "statements", "articles"):
        ours = (await ds.client.get(f"/quotes/{table}.json")).json()
        theirs = (await plain.client.get(f"/quotes/{table}.json")).json()
        for key in ("rows", "filtered_table_rows_count", "facet_results"):
            assert ours[key] == theirs[key], (table, key)
    assert cache.misses == computed
    db = sqlite_utils.Database(db_path)
    assert data["filtered_table_rows_count"] == db["quotes"].count
    for column, expression in (("speaker_id", "speaker_id"), ("outlet", "outlet"),
                               ("statement_id", "statement_id"), ("published", "date(published)")):
        expected = {r["value"]: r["n"] for r in db.query(
            f"select {expression} as value, count(*) as n from quotes where {expression} is not null group by 1")}
        shown = {r["value"]: r["count"] for r in data["facet_results"][column]["results"]}
        assert shown and all(expected[value] == n for value, n in shown.items()), column
        assert min(shown.values()) >= max([n for v, n in expected.items() if v not in shown], default=0), column
    # searches always run (and are right): nothing of them is kept
    kept = len(cache.whole)
    data = (await ds.client.get("/quotes/quotes.json?_search=decisively")).json()
    assert len(cache.whole) == kept and len(cache.filtered) == 0
    assert data["filtered_table_rows_count"] == next(db.query(
        "select count(*) as n from quotes_fts where quotes_fts match 'decisively'"))["n"] > 0
    # a page filtered by a column: its count and facet counts are kept (not its rows),
    # and answered from there the next time, as Datasette computes them
    theirs = (await plain.client.get("/quotes/quotes.json?outlet=NPR")).json()
    for attempt in range(2):
        misses = cache.misses
        outlet = (await ds.client.get("/quotes/quotes.json?outlet=NPR")).json()
        for key in ("rows", "filtered_table_rows_count", "facet_results"):
            assert outlet[key] == theirs[key], key
        assert (cache.misses > misses) == (attempt == 0)
    assert outlet["filtered_table_rows_count"] == db["quotes"].count_where("outlet = 'NPR'") > 0
    assert len(cache.whole) == kept and len(cache.filtered) == 5           # count, four facets
    assert all(facet_pass.counts_values(sql) and params for sql, params, *_ in cache.filtered.results)


async def test_results_are_kept_only_for_a_published_database(db_path):
    for datasette in (make_datasette(db_path),                                   # mutable
                      make_datasette(db_path, immutables=[str(db_path)])):       # immutable, SQL on
        await datasette.invoke_startup()
        assert not datasette.get_database("quotes").quotetrack_cache.keep
        assert await datasette_plugin.precompute(datasette) == {}
    keepable = datasette_plugin.ResultCache.keepable
    assert keepable("select count(*) from quotes", {}) and keepable("  SELECT 1", None)
    # with parameters, only Datasette's count and facet counts of a page filtered by columns
    assert keepable("select count(*) from quotes where outlet = :p0 ", {"p0": "NPR"})
    assert not keepable("select id, text from quotes where outlet = :p0 order by id limit 31", {"p0": "NPR"})
    searched = "where rowid in (select rowid from quotes_fts where quotes_fts match escape_fts(:search)) "
    assert not keepable(f"select count(*) from quotes {searched}", {"search": "war"})
    assert not keepable("select random()", {}) and not keepable("select datetime('now')", {})
    assert not keepable("PRAGMA table_info(quotes)", {})
    # bounded: by number of results and by their size
    ds = await published(db_path)
    cache = ds.get_database("quotes").quotetrack_cache
    kept = cache.whole
    kept.size, kept.max_bytes = 3, 8 * 2_000
    for n in range(1, 6):
        await ds.get_database("quotes").execute(f"select id from quotes limit {n}")
    assert len(kept) == 3 and kept.bytes == sum(w for _, w in kept.results.values())
    await ds.get_database("quotes").execute("select text from articles")          # too big to keep
    assert len(kept) == 3 and not any("articles" in k[0] for k in kept.results)
    one = kept.weight(await cache.execute("select id, text from quotes order by id limit 1"))
    kept.results.clear()
    kept.size, kept.bytes, kept.max_bytes = 100, 0, 8 * one          # room for eight such results
    for n in range(12):
        await ds.get_database("quotes").execute(f"select id, text from quotes where {n} = {n} order by id limit 1")
    assert len(kept) == 8 and kept.bytes == 8 * one
    assert [k[0].split()[6] for k in kept.results] == [str(n) for n in range(4, 12)]   # the newest
    # the counts of filtered pages have their own room: they never push out whole-table results
    kept.size, kept.max_bytes = 1000, 64 << 20
    cache.filtered.size, before = 2, list(kept.results)
    for outlet in ("NPR", "CNN", "Fox", "BBC"):
        await ds.client.get(f"/quotes/quotes.json?outlet={outlet}")
    assert len(cache.filtered) == 2 and set(before) <= set(kept.results)


async def test_precomputing_runs_what_datasette_runs_without_its_time_limit(db_path):
    ds = await published(db_path)
    cache = ds.get_database("quotes").quotetrack_cache
    sql = "select id, text, outlet from quotes order by id"
    own = await cache.execute(sql, truncate=True, page_size=2)
    ours = await cache._run_without_time_limit(sql, {}, True, 2)
    assert [tuple(r) for r in ours.rows] == [tuple(r) for r in own.rows] and ours.rows
    assert (ours.truncated, ours.columns) == (own.truncated, own.columns)


async def test_statement_page_counts_distinct_wordings(ds, rows):
    act = rows["act"]
    text = await page(ds, f"/quotes/-/statement/{act}")
    quote_ids = {l["quote_id"] for l in rows["links"] if l["statement_id"] == act}
    db = sqlite_utils.Database(ds.get_database("quotes").path)
    renderings = [r["t"] for r in db.query(
        "select coalesce(qs.text, q.text) as t from quote_statements qs join quotes q on q.id = qs.quote_id "
        "where qs.statement_id = ?", [act])]
    distinct: list[str] = []
    for r in renderings:                       # the pairwise definition
        if not any(pages.same_words(r, d) for d in distinct):
            distinct.append(r)
    assert len(quote_ids) >= 2 and len(distinct) >= 2
    assert f"<strong>{len(distinct)}</strong> distinct wording" in text


async def test_speaker_page_of_a_speaker_quoted_more_than_a_page_holds(ds, rows, monkeypatch):
    db = sqlite_utils.Database(ds.get_database("quotes").path)
    speaker = next(db.query("select speaker_id as id, count(*) as n from quotes where speaker_id is not null "
                            "group by 1 order by 2 desc, 1 limit 1"))
    assert speaker["n"] >= 2
    monkeypatch.setattr(datasette_plugin, "SPEAKER_PAGE_ROWS", 1)
    text = await page(ds, f"/quotes/-/speaker/{speaker['id']}")
    assert f"<strong>{speaker['n']}</strong> quotes" in text                 # the count covers them all
    assert len(re.findall(r'href="/quotes/-/quote/\d+#quote"', text)) == 1    # one listed
    assert f'href="/quotes/quotes?speaker_id={speaker["id"]}">all of them</a>' in text
    counts = [int(n) for n in re.findall(r'<span class="qt-bar"[^>]*></span>\s*<span class="qt-note">(\d+)</span>', text)]
    assert sum(counts) == speaker["n"]                                        # every day's bar


def test_quotes_over_time_with_the_counts_of_every_day():
    listed = [{"published": "2023-09-05", "id": 7}]
    days = pages.quotes_over_time(listed, [("2023-09-05", 3), ("2023-09-01", 6), ("2023-09-01T10:00", 2),
                                           (None, 1), ("9/1/23", 1)])
    assert [(d["day"] and d["day"].isoformat(), d["count"], len(d["quotes"]), d["width"]) for d in days] == [
        ("2023-09-01", 8, 0, 100.0), ("2023-09-05", 3, 1, 37.5), (None, 2, 0, 25.0)]


@pytest.mark.parametrize("public", [False, True])
async def test_search_and_filter_facets_come_from_one_pass_and_are_right(db_path, public):
    """A searched quotes page counts its rows and all four facets in one pass over
    the matching quotes (not one query each), with what Datasette's own queries give:
    the same values, counts, order, limit and 'truncated'."""
    if public:
        ds = await published(db_path)
    else:
        ds = make_datasette(db_path)
        await ds.invoke_startup()
    cache = ds.get_database("quotes").quotetrack_cache
    calls = []
    datasettes_own = cache.execute

    async def counting(sql, *args, **kwargs):
        calls.append(sql)
        return await datasettes_own(sql, *args, **kwargs)

    async def counting_pass(fn):
        calls.append("<one pass>")
        return await datasettes_own_fn(fn)

    datasettes_own_fn = cache.execute_fn
    await ds.client.get("/quotes/quotes.json?_search=warm")   # reads the table's indexes, once a process
    cache.execute, cache.execute_fn = counting, counting_pass
    db = sqlite_utils.Database(db_path)
    expressions = {"speaker_id": "speaker_id", "outlet": "outlet", "statement_id": "statement_id",
                   "published": "date(published)", "kind": "kind"}
    cases = [("_search=the", "id in (select rowid from quotes_fts where quotes_fts match 'the')"),
             ("_search=decisively", "id in (select rowid from quotes_fts where quotes_fts match 'decisively')"),
             ("outlet=NPR", "outlet = 'NPR'"),
             ("_search=the&outlet=NPR&_facet=kind",
              "id in (select rowid from quotes_fts where quotes_fts match 'the') and outlet = 'NPR'")]
    for query, where in cases:
        calls.clear()
        data = (await ds.client.get(f"/quotes/quotes.json?{query}")).json()
        assert data["filtered_table_rows_count"] == db["quotes"].count_where(where) > 0, query
        assert set(data["facet_results"]) >= {"speaker_id", "outlet", "statement_id", "published"}
        for column, result in data["facet_results"].items():
            expr = expressions[column]
            expected = [(r["value"], r["n"]) for r in db.query(
                f"select {expr} as value, count(*) as n from quotes where {where} and {expr} is not null "
                f"group by {expr} order by n desc, value limit 11")]
            assert [(r["value"], r["count"]) for r in result["results"]] == expected[:10], (query, column)
            assert result["truncated"] == (len(expected) > 10), (query, column)
        # one pass for the count and the configured facets; only the facet outside them
        # (kind, asked for in the URL) runs as Datasette's own query
        passes = [sql for sql in calls if sql == "<one pass>"]
        counted = [sql for sql in calls if " where " in sql and
                   re.match(r"\s*select (count\(\*\) from|\S+ as value, count\(\*\) as count )", sql)]
        if "_search" not in query:   # filters on columns alone read covering indexes instead
            assert not passes and len(counted) == 1 + 4, (query, calls)
            continue
        assert len(passes) == 1, (query, calls)
        assert len(counted) == ("_facet=kind" in query) and all("kind" in sql for sql in counted), (query, calls)
    # the pass lives for one request: the same search asked again is computed again
    calls.clear()
    await ds.client.get("/quotes/quotes.json?_search=decisively")
    assert calls.count("<one pass>") == 1


async def test_a_search_pass_reads_the_covering_index_only_when_it_holds_every_column(db_path, monkeypatch):
    """The pass over a search's matches reads speaker, outlet, statement and date from
    the narrow index led by the quote id (m009), not from the quotes' rows; a filter on
    a column outside that index (``kind``) leaves the table's own plan. The counts are
    the same either way."""
    ds = make_datasette(db_path)
    await ds.invoke_startup()
    used = []
    run_pass = facet_pass._run_pass

    def recording(conn, table, where, params, exprs, time_limit_ms, index=None):
        used.append(index)
        return run_pass(conn, table, where, params, exprs, time_limit_ms, index)

    monkeypatch.setattr(facet_pass, "_run_pass", recording)
    db = sqlite_utils.Database(db_path)
    match = "id in (select rowid from quotes_fts where quotes_fts match 'the')"
    kind = db.execute("select kind from quotes where kind is not null limit 1").fetchone()[0]
    for query, where, index in [
            ("_search=the", match, "idx_quotes_id_facets"),
            ("_search=the&outlet=NPR", f"{match} and outlet = 'NPR'", "idx_quotes_id_facets"),
            (f"_search=the&kind={kind}", f"{match} and kind = '{kind}'", None)]:
        used.clear()
        data = (await ds.client.get(f"/quotes/quotes.json?{query}")).json()
        assert used == [index], query
        assert data["filtered_table_rows_count"] == db["quotes"].count_where(where) > 0, query
        speakers = {r["value"]: r["count"] for r in data["facet_results"]["speaker_id"]["results"]}
        assert speakers == {r[0]: r[1] for r in db.execute(
            f"select speaker_id, count(*) from quotes where {where} and speaker_id is not null "
            "group by speaker_id order by count(*) desc, speaker_id limit 10")}, query


@pytest.mark.parametrize("public", [False, True])
async def test_a_common_search_reads_its_rows_along_the_date_index(db_path, public, monkeypatch):
    """A search matching many quotes lists them newest first by walking the published
    index (``indexed by``) instead of sorting every match: the same rows in the same
    order on the first page and on the next, and the count and facets still come from
    the page's one pass."""
    ds = await published(db_path) if public else make_datasette(db_path)
    await ds.invoke_startup()
    cache = ds.get_database("quotes").quotetrack_cache
    db = sqlite_utils.Database(db_path)
    where = "id in (select rowid from quotes_fts where quotes_fts match 'the')"
    expected = [r["id"] for r in db.query(f"select id from quotes where {where} order by published desc, id")]
    assert len(expected) > 4      # more than two pages of 2

    async def pages_of(query):
        ids, url = [], f"/quotes/quotes.json?{query}"
        while url:
            data = (await ds.client.get(url)).json()
            ids += [r[data["columns"].index("id")] for r in data["rows"]]
            url = data["next_url"] and data["next_url"].split("://", 1)[-1].split("/", 1)[-1]
            url = url and "/" + url
            assert data["filtered_table_rows_count"] == len(expected)
        return ids

    ran = []
    datasettes_own = cache.execute

    async def recording(sql, *args, **kwargs):
        ran.append(sql)
        return await datasettes_own(sql, *args, **kwargs)

    cache.execute = recording
    assert await pages_of("_search=the&_size=2") == expected          # few matches: SQLite's own plan
    assert not any("indexed by" in sql for sql in ran)
    monkeypatch.setattr(facet_pass, "INDEX_ORDER_MIN_MATCHES", 2)
    ran.clear()
    assert await pages_of("_search=the&_size=2") == expected          # along the index, page after page
    along = [sql for sql in ran if "indexed by" in sql]
    assert len(along) == -(-len(expected) // 2), [s for s in ran if "order by" in s and "indexed by" not in s]
    assert all("idx_quotes_published" in sql for sql in along)
    assert not [sql for sql in ran if re.match(r"\s*select count\(\*\) from", sql)]   # from the pass


@pytest.mark.parametrize("public", [False, True])
@pytest.mark.parametrize("query, where, order", [
    ("", "1", "published desc, id"),                                          # the table's own sort
    ("_sort=published", "1", "published, id"),
    ("_sort_desc=outlet", "1", "outlet desc, id"),
    ("_search=the&_sort=published", "id in (select rowid from quotes_fts where quotes_fts match 'the')",
     "published, id"),
])
async def test_paging_through_a_sorted_table_lists_every_row_once(db_path, public, query, where, order):
    """Datasette orders a first page by the sort column alone and the next ones by the
    column then the key: quotes of one date straddling a page's end were skipped or
    listed twice. Every row is listed once, in the order the next pages assume."""
    ds = await published(db_path) if public else make_datasette(db_path)
    await ds.invoke_startup()
    db = sqlite_utils.Database(db_path)
    expected = [r["id"] for r in db.query(f"select id from quotes where {where} order by {order}")]
    ids, url = [], f"/quotes/quotes.json?{query}&_size=2"
    while url:
        data = (await ds.client.get(url)).json()
        ids += [r[data["columns"].index("id")] for r in data["rows"]]
        url = data["next_url"] and "/" + data["next_url"].split("://", 1)[-1].split("/", 1)[-1]
    assert ids == expected


async def test_table_rows_are_written_as_datasettes_template_writes_them(db_path, tmp_path):
    """quotetrack's _table.html writes a table page's rows in one piece (a fifth of a
    search page's CPU went to Jinja writing them cell by cell): the page is the one
    Datasette's own _table.html makes, tag for tag, escaping included."""
    import shutil

    copy = tmp_path / "quotes.db"
    shutil.copy(db_path, copy)
    db = sqlite_utils.Database(copy)
    db["odd"].insert_all([
        {"id": 1, "v": '<b>"Tom" & Jerry\'s</b>', "n": 2.5, "b": b"\x00\x01"},
        {"id": 2, "v": "https://example.org/?a=1&b=<2>", "n": None, "b": None},
        {"id": 3, "v": "", "n": 0, "b": b""}], pk="id")
    db.conn.close()
    defaults = tmp_path / "templates"
    defaults.mkdir()
    (defaults / "_table.html").write_text('{% include "default:_table.html" %}', encoding="utf-8")
    ours, theirs = make_datasette(copy), make_datasette(copy, template_dir=str(defaults))
    for datasette in (ours, theirs):
        await datasette.invoke_startup()

    def tags(html):
        html = re.sub(r"Queries took [0-9.]+ms", "", html)
        return re.sub(r">\s+<", "><", html).strip()

    for path in ("/quotes/quotes", "/quotes/quotes?_search=the&_sort=start", "/quotes/articles",
                 "/quotes/statements", "/quotes/speakers", "/quotes/quote_statements", "/quotes/odd"):
        mine, default = await page(ours, path), await page(theirs, path)
        assert "quotetrack_table_rows" not in mine and mine.count("<td ") == default.count("<td ") > 0, path
        assert tags(mine) == tags(default), path
    assert "&lt;b&gt;&#34;Tom&#34; &amp; Jerry&#39;s&lt;/b&gt;" in await page(ours, "/quotes/odd")


async def test_unfiltered_pages_of_a_published_database_are_sent_as_first_rendered(db_path):
    """The pages that are the same for every visitor (a published database's page and
    its tables' pages without a query string) are rendered once per process and host;
    anything with a query string, a cookie or credentials is rendered every time."""
    ds = await published(db_path)
    await datasette_plugin.precompute(ds)
    pages = ds._quotetrack_pages
    assert {"/quotes", "/quotes/quotes", "/quotes/statements", "/quotes/articles"} <= pages.paths
    first = await ds.client.get("/quotes/quotes")
    again = await ds.client.get("/quotes/quotes")
    assert first.status_code == again.status_code == 200 and pages.hits == 1
    assert again.content == first.content and again.headers == first.headers
    assert "quotetrack-quote" in again.text                       # the plugin's rendering, kept
    other_host = await ds.client.get("/quotes/quotes", headers={"host": "example.org"})
    assert pages.hits == 1 and "example.org" in other_host.headers["link"]
    for path, headers in [("/quotes/quotes?_search=the", {}), ("/quotes/quotes?outlet=NPR", {}),
                          ("/quotes/quotes", {"cookie": "ds_actor=x"}),
                          ("/quotes/quotes", {"authorization": "Bearer x"}),
                          ("/quotes/quotes.json", {}), ("/quotes/-/statement/1", {})]:
        await ds.client.get(path, headers=headers)
        assert pages.hits == 1, path
    assert (await ds.client.get("/quotes/quotes")).content == first.content and pages.hits == 2
    # a database that is not published keeps no pages
    plain = make_datasette(db_path)
    await plain.invoke_startup()
    await datasette_plugin.precompute(plain)
    assert "_quotetrack_pages" not in plain.__dict__
