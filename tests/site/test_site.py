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

from _sitedata import (HOSTILE_OUTLET, HOSTILE_TITLE, IMG, METADATA, SCRIPT, build_site_db, make_datasette)
from quotetrack import site as site_plugin
from quotetrack.site import pages, views

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
        assert set(map(int, re.findall(r'<li id="quote-(\d+)"', text))) == quote_ids
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
    sentences = [r["text"] for r in sqlite_utils.Database(ds.get_database("quotes").path).query(
        "select coalesce(qs.text, q.text) as text from quote_statements qs join quotes q on q.id = qs.quote_id "
        "where qs.statement_id = ?", [act])]
    assert len(cards) == len({pages.word_keys(t) for t in sentences}) >= 2     # one card per distinct wording
    assert '<ins class="qt-ins">' in text                      # words that differ are marked
    plain = [" ".join(html.unescape(re.sub(r"<del[^>]*>.*?</del>|<[^>]+>", "", c)).split()) for c in cards]
    words = " ".join(plain)
    wordings = re.findall(r'<article class="qt-variant qt-wording[^"]*" id="wording-\d+">(.*?)</article>', text, re.S)
    for q in variants:     # each quote is listed under its wording, which shows its words
        (block,) = [w for w in wordings if f'id="quote-{q["id"]}"' in w]
        block = " ".join(html.unescape(re.sub(r"<del[^>]*>.*?</del>|<[^>]+>", "", block)).split())
        assert " ".join(q["text"].split()[:6]) in block, q["text"]
    labels = re.findall(r'<span class="qt-badge qt-label-[^"]+">([^<]+)</span>', text)
    assert len(labels) == len(cards) and "same words" in labels and set(labels) <= {
        "same words", "truncation", "reworded", "translation"}
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
        n = db.execute("select count(*) from quotes where speaker_id = ?", [speaker["id"]]).fetchone()[0]
        quoted_as = text.split("<h2>Quoted as</h2>", 1)[1].split("</ul>", 1)[0]
        assert sum(int(x) for x in re.findall(r"×(\d+)", quoted_as)) == n          # the counts add up
        folded = {" ".join(m["speaker_mention"].replace("’", "'").casefold().split())
                  for m in db.query("select speaker_mention from quotes where speaker_id = ? and speaker_mention "
                                    "is not null", [speaker["id"]])}
        shown = re.findall(r'<span class="qt-speaker">([^<]+)</span>', quoted_as)
        assert sorted(" ".join(html.unescape(m).replace("’", "'").casefold().split()) for m in shown) == sorted(folded)
        for statement in db.query("select id, text from statements where speaker_id = ?", [speaker["id"]]):
            listed = f'href="/quotes/-/statement/{statement["id"]}"' in text
            assert listed == (len(statement["text"].split()) > 1), statement
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
                 "/quotes/-/article/99999", "/nosuchdb/-/statement/1", "/quotes/-/speaker/abc",
                 "/quotes/-/statement/5.json", "/quotes/-/speaker/1.json", "/quotes/nosuchtable", "/nosuchdb",
                 "/quotes/quotes/999999", "/-/nothing"):
        text = await page(ds, path, status=404)
        assert "Internal Server Error" not in text
    # JSON asked: a JSON error
    assert (await ds.client.get("/quotes/nosuchtable.json")).json()["status"] == 404
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
    response = await ds.client.get("/-/static-plugins/quotetrack/quotetrack.css")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")
    assert "qt-ins" in response.text and "http" not in response.text       # nothing fetched from elsewhere
    text = await page(ds, "/quotes/quotes")
    assert '<link rel="stylesheet" href="/-/static-plugins/quotetrack/quotetrack.css">' in text
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
    assert "datasette-block-robots" in names, names
    robots = await page(ds, "/robots.txt")
    assert "Disallow: /quotes" in robots and "Disallow: /\n" not in robots + "\n"


async def test_one_search_across_statements_speakers_quotes_and_articles(ds, rows):
    """/-/search finds the statement by one of its wordings' words and links every result
    to its page, showing what a reader reads (no offsets or hashes)."""
    home = await page(ds, "/")
    assert 'action="/-/search"' in home
    text = await page(ds, "/-/search?q=energetically")
    assert f'href="/quotes/-/statement/{rows["act"]}"' in text
    quote = next(q for q in rows["quotes"] if "energetically" in q["text"])
    assert f'href="/quotes/-/quote/{quote["id"]}#quote"' in text
    assert f'href="/quotes/-/article/{quote["article_id"]}"' in text
    assert "content_hash" not in text and "speaker_start" not in text
    text = await page(ds, "/-/search?q=RODRIGUEZ")                     # accents and case ignored
    rodriguez = next(s for s in rows["speakers"] if s["name"] == "Bruno Rodríguez")
    assert f'href="/quotes/-/speaker/{rodriguez["id"]}"' in text
    text = await page(ds, "/-/search?q=%22unbalanced+(")               # full-text syntax is just words
    assert "Nothing found" in text


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
# --------------------------------------------------------------------------- facets and paging


async def published(db_path, **settings):
    """A Datasette as ``quotetrack serve --public`` builds it: immutable, SQL off."""
    datasette = make_datasette(db_path, immutables=[str(db_path)],
                               settings={"default_allow_sql": False, "suggest_facets": False, **settings})
    await datasette.invoke_startup()
    return datasette


async def traced(ds, url):
    """The JSON of ``url`` and the SQL it ran (Datasette's own ``?_trace=1``)."""
    data = (await ds.client.get(url + ("&" if "?" in url else "?") + "_trace=1")).json()
    return data, [t["sql"] for t in data["_trace"]["traces"] if "sql" in t]


EXPRESSIONS = {"speaker_id": "speaker_id", "outlet": "outlet", "published": "date(published)", "kind": "kind"}
STATEMENTS = "statement_id"      # counted through quote_statements: every statement a quote renders


def expected_facet(db, column, where):
    """What GROUP BY gives for a facet of the quotes matching ``where`` (statements:
    every statement a quote renders, each quote once)."""
    if column == STATEMENTS:
        sql = ("select statement_id as value, count(distinct quote_id) as n from quote_statements "
               f"where quote_id in (select id from quotes where {where}) group by statement_id "
               "order by n desc, value limit 11")
    else:
        expr = EXPRESSIONS[column]
        sql = (f"select {expr} as value, count(*) as n from quotes where {where} and {expr} is not null "
               f"group by {expr} order by n desc, value limit 11")
    return [(r["value"], r["n"]) for r in db.query(sql)]


@pytest.mark.parametrize("public", [False, True])
@pytest.mark.parametrize("query, where", [
    ("_search=the", "id in (select rowid from quotes_fts where quotes_fts match 'the')"),
    ("_search=decisively", "id in (select rowid from quotes_fts where quotes_fts match 'decisively')"),
    ("outlet=NPR", "outlet = 'NPR'"),
    ("_search=the&outlet=NPR&_facet=kind",
     "id in (select rowid from quotes_fts where quotes_fts match 'the') and outlet = 'NPR'"),
    ("", "1"),
])
async def test_facets_are_what_sqlite_groups_and_a_filtered_page_counts_them_in_one_pass(db_path, public, query,
                                                                                          where):
    """The quotetrack facet type gives what GROUP BY gives (values, counts, order, limit,
    'truncated'); a filtered or searched page reads its rows once for all four
    configured facets, and only a facet asked for in the URL (kind) runs as Datasette's own."""
    ds = await published(db_path, trace_debug=True) if public else make_datasette(
        db_path, settings={"trace_debug": True, "suggest_facets": False})
    await ds.invoke_startup()
    db = sqlite_utils.Database(db_path)
    data, ran = await traced(ds, f"/quotes/quotes.json?{query}")
    assert set(data["facet_results"]) >= {"speaker_id", "outlet", STATEMENTS, "published"}
    for column, result in data["facet_results"].items():
        expected = expected_facet(db, column, where)
        assert [(r["value"], r["count"]) for r in result["results"]] == expected[:10], (query, column)
        assert result["truncated"] == (len(expected) > 10), (query, column)
    # a search: one pass on a read connection of its own (Database.execute_fn, not traced),
    # so no GROUP BY ran but the one for the facet outside the configured ones; a page
    # filtered by columns alone: one GROUP BY per facet, through the covering indexes
    grouped = [sql for sql in ran if "group by" in sql.lower()]
    if "_search" in query:
        assert all("kind" in sql for sql in grouped) and len(grouped) == ("_facet=kind" in query), ran
    elif query:
        assert len(grouped) == 4, ran
    # unfiltered: read from the summary table that ingest counted
    assert any("facet_counts" in sql for sql in ran) == (not query), ran


async def test_unfiltered_facets_without_summaries_are_grouped_and_right(db_path, tmp_path):
    """When a change dropped the summaries (triggers), the facets are grouped by SQLite
    until they are counted again."""
    import shutil

    copy = tmp_path / "quotes.db"
    shutil.copy(db_path, copy)
    db = sqlite_utils.Database(copy)
    assert db.execute("select count(*) from facet_counts where table_name = 'quotes'").fetchone()[0] > 0
    db.execute("update quotes set outlet = outlet where id = (select min(id) from quotes)")
    db.conn.commit()
    assert db.execute("select count(*) from facet_counts where table_name = 'quotes'").fetchone()[0] == 0
    ds = make_datasette(copy, settings={"trace_debug": True, "suggest_facets": False})
    await ds.invoke_startup()
    data, ran = await traced(ds, "/quotes/quotes.json")
    expected = [(r["value"], r["n"]) for r in db.query(
        "select outlet as value, count(*) as n from quotes where outlet is not null group by outlet "
        "order by n desc, value limit 10")]
    assert [(r["value"], r["count"]) for r in data["facet_results"]["outlet"]["results"]] == expected
    assert len([sql for sql in ran if "group by" in sql]) == 4, ran      # one per configured facet
    statements = data["facet_results"][STATEMENTS]["results"]
    assert [(r["value"], r["count"]) for r in statements] == expected_facet(db, STATEMENTS, "1")[:10]


def test_every_configured_facet_is_summarised():
    from quotetrack.db.summaries import FACETS

    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    for table, config in metadata["databases"]["quotes"]["tables"].items():
        for facet in config.get("facets", []):
            assert isinstance(facet, dict) and set(facet) == {"quotetrack"}, (table, facet)
            spec = facet["quotetrack"]
            key = (spec if not isinstance(spec, dict) else
                   f"date({spec['date']})" if "date" in spec else spec["through"])
            assert key in FACETS.get(table, ()), (table, key)


async def test_pages_send_cache_control_for_a_proxy(db_path):
    ds = await published(db_path, default_cache_ttl=600)
    for url in ("/quotes/quotes", "/quotes/-/statement/1"):
        response = await ds.client.get(url)
        assert response.status_code == 200 and response.headers["cache-control"] == "max-age=600", url


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
    monkeypatch.setattr(views, "SPEAKER_PAGE_ROWS", 1)
    text = await page(ds, f"/quotes/-/speaker/{speaker['id']}")
    assert f"<strong>{speaker['n']}</strong> quotes" in text                 # the count covers them all
    assert len(re.findall(r'href="/quotes/-/quote/\d+#quote"', text)) == 1    # one listed
    assert f'href="/quotes/quotes?speaker_id={speaker["id"]}">all of them</a>' in text
    counts = [int(n) for n in re.findall(r'<span class="qt-bar"[^>]*></span>\s*<span class="qt-note">(\d+)</span>', text)]
    undated = re.search(r"<h3>Undated quotes \((\d+)\)</h3>", text)
    assert sum(counts) + (int(undated.group(1)) if undated else 0) == speaker["n"]   # every day's bar, and the undated


def test_quotes_over_time_with_the_counts_of_every_day():
    listed = [{"published": "2023-09-05", "id": 7}]
    days = pages.quotes_over_time(listed, [("2023-09-05", 3), ("2023-09-01", 6), ("2023-09-01T10:00", 2),
                                           (None, 1), ("9/1/23", 1)])
    assert [(d["day"] and d["day"].isoformat(), d["count"], len(d["quotes"]), d["width"]) for d in days] == [
        ("2023-09-01", 8, 0, 100.0), ("2023-09-05", 3, 1, 37.5), (None, 2, 0, 25.0)]


@pytest.mark.parametrize("public", [False, True])
@pytest.mark.parametrize("query, where, order", [
    ("", "1", "published desc, id"),                                          # the table's own sort
    ("outlet=NPR", "outlet = 'NPR'", "published desc, id"),
    ("_search=the", "id in (select rowid from quotes_fts where quotes_fts match 'the')", "published desc, id"),
    ("speaker_id=1", "speaker_id = 1", "published desc, id"),
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




@pytest.mark.xfail(reason="upstream: Datasette's first page of a sort chosen in the URL has no tie-break "
                          "(views/table.py adds the key only with _next); the default sorts are served by "
                          "indexes stored in their order (migration m012)", strict=False)
async def test_paging_through_a_sort_chosen_in_the_url(db_path):
    ds = make_datasette(db_path)
    db = sqlite_utils.Database(db_path)
    expected = [r["id"] for r in db.query("select id from quotes order by published, id")]
    ids, url = [], "/quotes/quotes.json?_sort=published&_size=2"
    while url:
        data = (await ds.client.get(url)).json()
        ids += [r[data["columns"].index("id")] for r in data["rows"]]
        url = data["next_url"] and "/" + data["next_url"].split("://", 1)[-1].split("/", 1)[-1]
    assert ids == expected


# --------------------------------------------------------------------------- the plugin's shape


def test_the_plugin_module_holds_only_hooks():
    import inspect

    from quotetrack.site import hooks

    functions = [f for f in vars(hooks).values() if inspect.isfunction(f) and f.__module__ == hooks.__name__]
    assert len(functions) >= 6
    assert all(hasattr(f, "datasette_impl") for f in functions), [f.__name__ for f in functions]


async def test_no_attribute_is_set_on_datasettes_objects(db_path):
    """The plugin keeps its state beside Datasette's objects, never on them: the same
    pages visited with and without it leave the same attributes."""
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))

    async def attributes_after_visits(ours=()):
        ds = Datasette([str(db_path)], metadata=metadata)
        await ds.invoke_startup()
        for url in ("/", "/quotes", "/quotes/quotes", "/quotes/quotes?_search=the", "/quotes/statements",
                    "/quotes/statement_variants?statement=1", *ours):
            assert (await ds.client.get(url)).status_code == 200, url
        return set(vars(ds)), {name: set(vars(db)) for name, db in ds.databases.items()}

    name = pm.get_name(site_plugin) if pm.is_registered(site_plugin) else None
    if name is None:
        pm.register(site_plugin, name="quotetrack")
        name = "quotetrack"
    with_plugin = await attributes_after_visits(("/quotes/-/statement/1", "/quotes/-/speaker/1"))
    pm.unregister(site_plugin)
    try:
        without = await attributes_after_visits()
    finally:
        pm.register(site_plugin, name=name)
    assert with_plugin == without


async def test_the_home_page_starts_with_statements_and_speakers(ds, rows):
    text = await page(ds, "/")
    widest = max(rows["statements"], key=lambda s: (s["outlet_count"], s["article_count"], s["quote_count"], -s["id"]))
    assert f'href="/quotes/-/statement/{widest["id"]}"' in text
    quoted = {}
    for q in rows["quotes"]:
        if q["speaker_id"] is not None:
            quoted[q["speaker_id"]] = quoted.get(q["speaker_id"], 0) + 1
    top = max(quoted, key=lambda k: (quoted[k], -k))
    assert f'href="/quotes/-/speaker/{top}"' in text and f"{quoted[top]:,} quote" in text
    for table in ("statements", "speakers", "quotes", "articles"):
        assert f'href="/quotes/{table}"' in text
    assert 'action="/quotes/quotes"' in text and 'name="_search"' in text
    assert (await ds.client.get("/.json")).status_code == 200          # Datasette's own index, as data


def test_wordings_are_grouped_labelled_and_compared_in_their_language():
    canonical = "We will act decisively against whoever takes part in this trafficking."
    variants = [
        {"quote_id": 1, "compared": canonical, "method": "new", "score": None},
        {"quote_id": 2, "compared": "We will act decisively against whoever takes part in this trafficking!",
         "method": "exact", "score": None},
        {"quote_id": 3, "compared": "We will act vigorously against whoever takes part in this trafficking.",
         "method": "embedding", "score": 0.93},
        {"quote_id": 4, "compared": "act decisively against whoever", "method": "contained", "score": None},
        {"quote_id": 5, "compared": "Actuaremos con firmeza contra quien participe en este tráfico.",
         "method": "embedding", "score": 0.88},
        {"quote_id": 6, "compared": "Actuaremos con energía contra quien participe en este tráfico.",
         "method": "embedding", "score": 0.86},
    ]
    found = pages.wordings(variants, canonical)
    by_quote = {v["quote_id"]: w for w in found for v in w.variants}
    assert by_quote[1] is by_quote[2] and len(found) == 5                       # same words, one card
    assert [by_quote[i].label for i in (1, 3, 4, 5, 6)] == [
        "same words", "reworded", "truncation", "translation", "translation"]
    assert by_quote[3].score == 0.93 and by_quote[3].method == "embedding"
    assert by_quote[1].method == "new"                     # how the wording joined, not its exact copies
    assert by_quote[3].compared_with == "canonical" and '<ins class="qt-ins">vigorously</ins>' in by_quote[3].diff
    # a translation is compared with the closest wording in its own language, not the English text
    assert by_quote[5].compared_with == "closest"
    assert '<ins class="qt-ins">firmeza</ins>' in by_quote[5].diff and "Actuaremos" not in str(by_quote[5].diff).split(
        "<ins")[1:]
    alone = pages.wordings(variants[:1] + variants[4:5], canonical)
    assert [w.compared_with for w in alone] == ["canonical", None]


async def test_a_search_for_one_wordings_words_finds_the_statement(ds, rows):
    """The statements table searches every wording: "energetically" is not in the
    canonical text of the act-decisively statement, but one of its renderings has it."""
    act = next(s for s in rows["statements"] if s["id"] == rows["act"])
    assert "energetically" not in act["text"]
    data = (await ds.client.get("/quotes/statements.json?_search=energetically&_shape=objects")).json()
    assert rows["act"] in [r["id"] for r in data["rows"]]
    data = (await ds.client.get("/quotes/statements.json?_search=vigorously&_shape=objects")).json()
    assert rows["act"] in [r["id"] for r in data["rows"]]


def test_statement_search_follows_merges_and_splits(db_path, tmp_path):
    import shutil

    from quotetrack.grouping import statements as grouping

    copy = tmp_path / "q.db"
    shutil.copy(db_path, copy)
    db = sqlite_utils.Database(copy)

    def found(word):
        return {r[0] for r in db.execute("select rowid from statements_fts where statements_fts match ?", [word])}

    quote = next(db.query("select qs.quote_id, qs.statement_id from quote_statements qs "
                          "where qs.text like '%energetically%' limit 1"))
    assert quote["statement_id"] in found("energetically")
    new_id = grouping.split_quote(db, quote["quote_id"], quote["statement_id"])
    assert new_id in found("energetically") and quote["statement_id"] not in found("energetically")
    grouping.merge_statements(db, quote["statement_id"], new_id)
    assert found("energetically") == {quote["statement_id"]}


async def test_the_statements_facet_counts_what_each_statement_counts(ds, rows):
    """A quote that renders two statements counts under both, as the statements do: the
    facet's count of a statement is its quote_count, and its link lists those quotes."""
    data = (await ds.client.get("/quotes/quotes.json?_facet_size=max")).json()
    facet = {r["value"]: r for r in data["facet_results"][STATEMENTS]["results"]}
    for statement in rows["statements"]:
        if statement["id"] in facet:
            assert facet[statement["id"]]["count"] == statement["quote_count"], statement["id"]
    act = facet[rows["act"]]
    listed = (await ds.client.get(act["toggle_url"].replace("/quotes/quotes?", "/quotes/quotes.json?")
                                  .split("://", 1)[-1].split("/", 1)[-1].join(["/", ""]))).json()
    assert listed["filtered_table_rows_count"] == act["count"]
