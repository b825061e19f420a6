"""End to end in headless Chromium: ``quotetrack serve`` on 127.0.0.1 with the seeds
(and a hostile article) ingested, driven by Playwright.

Playwright drives the system's Chromium (Debian's ``chromium`` package, which
``.ci/run`` installs; Playwright's own browser download is never used). Without
Chromium or Playwright these tests skip with a message saying what to install.
Set ``QUOTETRACK_CHROMIUM`` to use another Chromium binary.

Screenshots of every page visited are saved under ``test-artifacts/browser/``.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import sqlite_utils

from _sitedata import ARTIFACTS, IMG, ROOT, SCRIPT, build_site_db

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def find_chromium() -> str | None:
    for candidate in (os.environ.get("QUOTETRACK_CHROMIUM"), shutil.which("chromium"),
                      shutil.which("chromium-browser"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


CHROMIUM = find_chromium()
if CHROMIUM is None:
    pytest.skip("browser tests need Chromium: install Debian's package (apt-get install chromium), "
                "as .ci/run does, or set QUOTETRACK_CHROMIUM", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need Playwright: "
                               "pip install -e '.[test]' (no `playwright install` needed: the system Chromium is used)")

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
SHOTS = ARTIFACTS / "browser"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(db_path: Path, *extra: str):
    """Start ``quotetrack serve`` on a free port; returns (process, base URL)."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "quotetrack.cli", "serve", str(db_path), "--host", "127.0.0.1",
                             "--port", str(port), *extra], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"quotetrack serve exited: {proc.stderr.read().decode(errors='replace')}")
        try:
            with urllib.request.urlopen(base + "/-/versions.json", timeout=2) as r:
                if r.status == 200:
                    return proc, base
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("quotetrack serve did not answer within 60 s")


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stderr:
        proc.stderr.close()


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    return build_site_db(tmp_path_factory)


@pytest.fixture(scope="module")
def base(db_path):
    proc, url = serve(db_path)
    yield url
    stop(proc)


@pytest.fixture(scope="module")
def public_base(db_path, tmp_path_factory):
    # a copy, so the public (immutable) server and the other one never share a file
    copy = tmp_path_factory.mktemp("public") / "quotes.db"
    shutil.copy(db_path, copy)
    proc, url = serve(copy, "--public")
    yield url
    stop(proc)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    """A Playwright page that records dialogs (an ``alert`` from injected markup
    would be one) and script errors, and saves screenshots."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def shot(self, name: str):
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def tab(browser):
    t = Page(browser)
    yield t
    t.context.close()
    assert t.dialogs == [], t.dialogs


def db_rows(db_path, sql, params=()):
    with sqlite_utils.Database(db_path) as db:
        return list(db.query(sql, params))


def visible_text(page) -> str:
    return page.locator("body").inner_text()


# --------------------------------------------------------------------------- search and facets


def test_search_finds_a_quote(base, tab):
    page = tab.page
    page.goto(base + "/quotes/quotes")
    page.fill("input#_search", "energetically")
    page.press("input#_search", "Enter")
    page.wait_for_url("**_search=energetically**")
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() == 1
    assert "We will act energetically" in rows.first.inner_text()
    tab.shot("search-table")
    # one search across statements, speakers, quotes and articles, from the home page
    page.goto(base + "/")
    page.fill("#qt-search-all", "energetically")
    page.press("#qt-search-all", "Enter")
    page.wait_for_url("**/-/search?q=energetically**")
    assert "We will act energetically" in page.locator(".qt-search-db").inner_text()
    tab.shot("search-all")


def test_facet_click_filters(base, tab, db_path):
    page = tab.page
    page.goto(base + "/quotes/quotes")
    page.locator('.facet-info[data-column="outlet"] a', has_text="NPR").first.click()
    page.wait_for_url("**outlet=NPR**")
    expected = db_rows(db_path, "select count(*) as n from quotes where outlet = 'NPR'")[0]["n"]
    outlets = page.locator("table.rows-and-columns tbody td.col-outlet").all_inner_texts()
    assert len(outlets) == expected >= 1 and set(outlets) == {"NPR"}
    tab.shot("facet-outlet-npr")


# --------------------------------------------------------------------------- the statement page


def act_statement(db_path):
    """The statement of the seeds' "We will act decisively" quote, found by its text,
    and the quotes the database links to it."""
    statement_id = db_rows(db_path, "select qs.statement_id from quote_statements qs join quotes q on q.id = qs.quote_id "
                                    "where q.text like '%act decisively%' order by q.id limit 1")[0]["statement_id"]
    quotes = db_rows(db_path, "select q.id, q.text from quote_statements qs join quotes q on q.id = qs.quote_id "
                              "where qs.statement_id = ? order by q.id", [statement_id])
    return statement_id, quotes


def test_statement_page_shows_every_variant_with_differences(base, tab, db_path):
    statement_id, quotes = act_statement(db_path)
    page = tab.page
    # reached from the statements table by its text
    page.goto(base + "/quotes/statements")
    page.locator(f'a.qt-link[href$="/-/statement/{statement_id}"]').click()
    page.wait_for_url(f"**/quotes/-/statement/{statement_id}")
    listed = page.locator(".qt-wording li[id^=quote-]")
    assert listed.count() == len(quotes) >= 2                     # every quote, under its wording
    assert {c.get_attribute("id") for c in listed.all()} == {f"quote-{q['id']}" for q in quotes}
    assert 2 <= page.locator("article.qt-wording").count() <= len(quotes)
    marked = page.locator(".qt-variants ins.qt-ins")
    assert marked.count() > 0 and marked.first.is_visible()
    # highlighted words look highlighted
    background = marked.first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    # words a rendering lacks: hidden until asked for
    missing = page.locator(".qt-variants del.qt-del")
    assert missing.count() > 0 and not missing.first.is_visible()
    tab.shot("statement-act")
    page.click("label[for=qt-show-missing]")
    assert missing.first.is_visible()
    tab.shot("statement-act-with-missing-words")
    # the timeline: one row per outlet (or outlet-less article), dated ones with a dot
    assert page.locator("ol.qt-timeline li").count() >= 1
    assert page.locator("ol.qt-timeline .qt-dot").count() >= 1
    # the three translations of the ministry's sentence are variants of one statement
    texts = " ".join(page.locator(".qt-variants blockquote.qt-diff").all_inner_texts())
    for word in ("decisively", "energetically", "vigorously"):
        assert word in texts, f"{word!r} is not among the variants of statement {statement_id}"
    assert tab.errors == []


# --------------------------------------------------------------------------- a quote in its article


def test_quote_page_highlights_the_quote(base, tab, db_path):
    quote = db_rows(db_path, "select * from quotes where text like 'We will act energetically%'")[0]
    page = tab.page
    page.goto(base + "/quotes/quotes?_search=energetically")
    page.locator(f'a.qt-link[href$="/-/quote/{quote["id"]}"]').click()
    page.wait_for_url(f"**/quotes/-/quote/{quote['id']}")
    marks = page.locator(".qt-article-text mark.qt-quote")
    assert "".join(marks.all_text_contents()) == quote["text"]
    assert marks.first.is_visible()
    background = marks.first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    speaker = page.locator(".qt-article-text .qt-speaker")
    assert "".join(speaker.all_text_contents()) == quote["speaker_mention"]
    tab.shot("quote-energetically")
    # the fragment scrolls to the quote
    page.goto(base + f"/quotes/-/quote/{quote['id']}#quote")
    box = marks.first.bounding_box()
    assert box and 0 <= box["y"] < 900
    # and the quote links on to its statement, speaker and article
    page.locator(".qt-byline a.qt-speaker-link").click()
    page.wait_for_url(f"**/quotes/-/speaker/{quote['speaker_id']}")
    assert page.locator("h1").inner_text() == db_rows(db_path, "select name from speakers where id = ?",
                                                       [quote["speaker_id"]])[0]["name"]
    tab.shot("speaker")
    assert tab.errors == []


def test_article_page_links_every_quote(base, tab, db_path):
    article = db_rows(db_path, "select id from articles where outlet = 'NPR'")[0]
    n = db_rows(db_path, "select count(*) as n from quotes where article_id = ?", [article["id"]])[0]["n"]
    page = tab.page
    page.goto(base + f"/quotes/-/article/{article['id']}")
    assert page.locator(".qt-article-text a.qt-other").count() >= n
    tab.shot("article-npr")


# --------------------------------------------------------------------------- hostile text


def test_hostile_markup_renders_as_text_everywhere(base, tab, db_path):
    quote = db_rows(db_path, "select * from quotes where text like '%<script>%'")[0]
    pages = {
        "hostile-quote": f"/quotes/-/quote/{quote['id']}",
        "hostile-statement": f"/quotes/-/statement/{quote['statement_id']}",
        "hostile-speaker": f"/quotes/-/speaker/{quote['speaker_id']}",
        "hostile-article": f"/quotes/-/article/{quote['article_id']}",
        "hostile-quotes-table": "/quotes/quotes?_search=alert",
        "hostile-quote-row": f"/quotes/quotes/{quote['id']}",
        "hostile-articles-table": "/quotes/articles?_facet=outlet",
        "hostile-article-row": f"/quotes/articles/{quote['article_id']}",
        "hostile-statement-variants": f"/quotes/statement_variants?statement={quote['statement_id']}",
        "hostile-search-quotes": "/quotes/search_quotes?q=alert",
        "hostile-search-all": "/-/search?q=alert",
    }
    page = tab.page
    for name, path in pages.items():
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        injected = page.evaluate("""() => ({
            scripts: Array.from(document.scripts).filter(s => s.textContent.includes('alert(1)')).length,
            onerror: document.querySelectorAll('[onerror]').length,
            jsLinks: document.querySelectorAll('a[href^="javascript:"]').length,
        })""")
        assert injected == {"scripts": 0, "onerror": 0, "jsLinks": 0}, (name, injected)
        text = visible_text(page)
        assert SCRIPT in text or IMG in text, name          # shown as the text it is
        assert tab.dialogs == [], (name, tab.dialogs)
        if name in ("hostile-quote", "hostile-statement", "hostile-article", "hostile-search-all"):
            tab.shot(name)
    # the quotation containing <script> is highlighted as text in its article
    page.goto(base + pages["hostile-quote"])
    assert "".join(page.locator(".qt-article-text mark.qt-quote").all_text_contents()) == quote["text"]
    assert tab.errors == []


# --------------------------------------------------------------------------- the public site


def test_public_site_search_and_pages(public_base, tab, db_path):
    statement_id, quotes = act_statement(db_path)
    page = tab.page
    page.goto(public_base + "/quotes")
    assert page.locator("textarea").count() == 0                   # no SQL editor
    page.goto(public_base + "/quotes/search_quotes")
    page.fill('input[name="q"]', "decisively")
    page.locator('form input[type="submit"]').first.click()
    page.wait_for_url("**q=decisively**")
    assert "We will act decisively" in visible_text(page)
    tab.shot("public-search-quotes")
    page.goto(public_base + f"/quotes/-/statement/{statement_id}")
    assert page.locator(".qt-wording li[id^=quote-]").count() == len(quotes)
    response = page.goto(public_base + "/robots.txt")
    assert "Disallow: /quotes" in response.text()


def test_the_home_page_leads_to_statements_and_speakers(base, tab):
    page = tab.page
    page.goto(base + "/")
    statements = page.locator(".qt-home-columns ol").first.locator("li")
    assert statements.count() >= 3
    assert page.get_by_role("link", name="Statements").first.is_visible()
    assert page.locator("text=Most-quoted speakers").is_visible()
    tab.shot("home")
    statements.first.locator("a.qt-link").click()
    page.wait_for_url("**/-/statement/**")
    assert page.locator(".qt-wording").count() >= 1
    assert tab.errors == []


def test_tables_fit_a_1400_pixel_window_with_internal_columns_hidden(browser, base):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    try:
        for table in ("quotes", "statements", "articles", "speakers", "quote_statements", "quotes_view"):
            page.goto(f"{base}/quotes/{table}")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 1400, (table, width)
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"table-{table}-1400.png"), full_page=True)
        page.goto(f"{base}/quotes/quotes")
        headers = page.locator("table.rows-and-columns thead th:visible").all_inner_texts()
        assert not any(h.strip().startswith(("start", "end", "cue_start", "confidence")) for h in headers), headers
        page.locator("button.qt-columns-toggle").click()
        headers = page.locator("table.rows-and-columns thead th:visible").all_inner_texts()
        assert any(h.strip().startswith("start") for h in headers), headers
        # facet labels break between words: no label line ends inside a word
        broken = page.evaluate("""() => Array.from(document.querySelectorAll('.facet-info li a')).filter(a => {
            const words = a.textContent.trim().split(/\\s+/);
            const range = document.createRange(); range.selectNodeContents(a);
            return a.getClientRects().length > words.length;
        }).length""")
        assert broken == 0
    finally:
        context.close()


def test_statement_page_labels_each_wording(base, tab, db_path):
    db = sqlite_utils.Database(db_path)
    statement = next(db.query("select statement_id from quote_statements where text like '%energetically%' limit 1"))
    page = tab.page
    page.goto(f"{base}/quotes/-/statement/{statement['statement_id']}")
    labels = page.locator(".qt-wording .qt-badge").all_inner_texts()
    assert labels and set(labels) <= {"same words", "truncation", "reworded", "translation"}
    assert page.locator(".qt-wording").count() == len(labels)
    tab.shot("statement-labels")


def test_odd_urls_show_a_404_page(base, tab):
    page = tab.page
    for path in ("/quotes/-/speaker/abc", "/quotes/-/statement/5.json", "/nosuchdb", "/quotes/-/quote/99999"):
        response = page.goto(base + path)
        assert response.status == 404, path
        assert "Internal Server Error" not in page.content()
    tab.shot("not-found")
