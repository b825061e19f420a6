"""The journalist's files: folders of saved web pages, metadata files beside plain text,
``ingest --outlet``, dates in file names, no database from an ingest that read nothing,
and the summary's counts. Real files in temporary folders, real SQLite through the CLI."""
from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from _generated import check_database
from quotetrack.cli import cli
from quotetrack.records import Article
from quotetrack.sources.formats import iter_articles, read_path
from quotetrack.sources.pages import read_page

FURNITURE_HEAD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | {site}</title>
<script>var said = "I quit," said the script;</script><style>.q::before {{ content: "“"; }}</style></head>
<body>
<header><a class="logo" href="/">{site}</a><span>Skip to main content</span>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/politics">Politics</a></li>
<li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>
<div class="cookie-banner" id="cookie-banner"><p>We use cookies to improve your experience. By clicking
“Accept all”, you agree to the storing of cookies on your device.</p><button>Accept all</button></div>
<main>
"""
FURNITURE_TAIL = """
<div class="share"><a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">Email</a></div>
<section class="more-stories"><h2>More from Politics</h2><ul>
<li><a href="/a">Council votes to close the old library</a><p>“It was a hard decision,” the mayor said on Tuesday.</p></li>
<li><a href="/b">Ferry timetable changes next month</a><p>Passengers will wait longer at weekends.</p></li>
<li><a href="/c">Opinion: the port needs a plan</a></li></ul></section>
<section id="comments" class="comments"><h2>3 Comments</h2><ol>
<li class="comment"><span>truthseeker42</span><p>As my father said, “never trust a harbour master.”</p></li>
<li class="comment"><span>Margaret H.</span><p>Great reporting, thank you for covering this.</p></li></ol></section>
</main>
<footer><ul><li><a href="/about">About us</a></li><li><a href="/privacy">Privacy Policy</a></li></ul>
<p>© 2024 {site}. All rights reserved.</p></footer>
</body></html>
"""
HARBOUR = """<article><h1>Harbour deal signed</h1>
<div class="byline">By <span class="author">Lois Lane</span>
<time datetime="2024-05-01T10:00:00Z">May 1, 2024</time></div>
<p>Harbour master Jonas Berg met the unions on Monday &amp; signed the deal after a night of talks.</p>
<p>&ldquo;This deal keeps the harbour open for another twenty years,&rdquo; Berg said.</p>
<blockquote><p>“Nobody will lose their job because of it,” the union’s leader, Mia Holm, told reporters.</p></blockquote>
<p>He added: <q>We start work on the new quay in June.</q></p>
</article>"""
# Paragraphs written as <div>s, on a page whose comments are longer than its article.
SHORT = """<div class="story"><h1>Ferry strike called off</h1>
<div>The ferry strike planned for Friday was called off late on Wednesday evening.</div>
<div>“We have an agreement that our members can accept,” said Tom Becker, the union’s spokesman.</div>
</div>"""
# An old page laid out in a table, paragraphs separated by <br><br>.
TABLE = """<table width="100%"><tr><td width="180"><a href="/">Home</a><br><a href="/news">News</a></td>
<td valign="top"><h1>Bridge to open in May</h1>
Minister Ana Torres spoke in the city on Monday about the new bridge.<br><br>
“We will open the new bridge in May,” Torres said, “and the tolls will be low.”<br><br>
Work on the bridge began three years ago and cost more than expected.</td></tr></table>"""


def page(body: str, title: str, site: str = "Coastal Times") -> str:
    return FURNITURE_HEAD.format(title=title, site=site) + body + FURNITURE_TAIL.format(site=site)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def rows(db_path, sql, params=()):
    return list(sqlite_utils.Database(db_path).query(sql, params))


# --------------------------------------------------------------------------- saved web pages


@pytest.mark.slow
def test_a_folder_of_saved_pages_is_ingested(tmp_path):
    folder = tmp_path / "pages"
    (folder / "2024").mkdir(parents=True)
    (folder / "harbour.html").write_text(page(HARBOUR, "Harbour deal signed"), encoding="utf-8")
    (folder / "2024" / "ferry.htm").write_text(page(SHORT, "Ferry strike called off", "Valley Courier"),
                                               encoding="utf-8")
    (folder / "2024" / "bridge.HTML").write_text(
        "<html><head><title>Bridge to open in May - Daily Ledger</title></head><body>" + TABLE + "</body></html>",
        encoding="cp1252")
    # what "Save page as" puts beside a page: no article
    (folder / "harbour_files").mkdir()
    (folder / "harbour_files" / "ad-frame.html").write_text(
        page("<p>“Buy now,” said the advert, “before prices rise again for everyone.”</p>", "Advert"), encoding="utf-8")
    (folder / "notes.txt").write_text("Talks on the harbour deal\n\n“We are close,” said Jonas Berg on Sunday.\n",
                                      encoding="utf-8")
    db_path = tmp_path / "q.db"
    result = run("ingest", folder, "--db", db_path)
    assert result.exit_code == 0, result.output
    assert result.stderr.strip().splitlines()[-1].startswith("4 articles added")
    check_database(db_path)           # every quote's offsets point into the stored article text
    arts = {Path(r["path"]).name: r for r in rows(db_path, "select * from articles")}
    assert set(arts) == {"harbour.html", "ferry.htm", "bridge.HTML", "notes.txt"}
    harbour = arts["harbour.html"]
    assert (harbour["title"], harbour["outlet"], harbour["author"], harbour["published"]) == (
        "Harbour deal signed", "Coastal Times", "Lois Lane", "2024-05-01")
    assert (arts["ferry.htm"]["title"], arts["ferry.htm"]["outlet"]) == ("Ferry strike called off", "Valley Courier")
    assert (arts["bridge.HTML"]["title"], arts["bridge.HTML"]["outlet"]) == ("Bridge to open in May", "Daily Ledger")
    for r in arts.values():      # no furniture, no markup in the stored text
        for furniture in ("cookies", "Accept all", "More from", "hard decision", "truthseeker", "never trust",
                          "Privacy Policy", "Skip to main", "I quit", "content:", "<"):
            assert furniture not in r["text"], (r["path"], furniture)
    quotes = {r["text"]: r for r in rows(db_path, "select q.text, q.speaker_mention, s.name from quotes q "
                                                  "left join speakers s on s.id = q.speaker_id")}
    assert quotes["This deal keeps the harbour open for another twenty years,"]["name"] == "Jonas Berg"
    assert "Nobody will lose their job because of it," in quotes                     # in a <blockquote>
    assert "We start work on the new quay in June." in quotes                         # a <q>
    assert quotes["We have an agreement that our members can accept,"]["name"] == "Tom Becker"
    assert quotes["We will open the new bridge in May,"]["name"] == "Ana Torres"
    assert not any(w in t for t in quotes for w in ("Accept all", "hard decision", "never trust", "Buy now", "I quit"))


def test_page_reader_rules():
    text, meta = read_page(page(HARBOUR, "Harbour deal signed"))
    assert text.startswith("Harbour deal signed\n\nHarbour master Jonas Berg met the unions")
    assert "“We start work on the new quay in June.”" in text                # <q> keeps its marks
    assert "“Nobody will lose their job because of it,”" in text            # <blockquote>
    assert meta == {"title": "Harbour deal signed", "outlet": "Coastal Times", "author": "Lois Lane",
                    "published": "2024-05-01"}
    text, _ = read_page(page(SHORT, "Ferry strike called off"))
    assert "The ferry strike planned for Friday" in text and "Tom Becker" in text
    assert not any(f in text for f in ("Skip to main", "Facebook", "More from", "hard decision", "Great reporting"))
    text, meta = read_page("<html><head><title>Bridge to open in May - Daily Ledger</title></head><body>"
                           + TABLE + "</body></html>")
    paragraphs = text.split("\n\n")
    assert paragraphs[1:] == ["Minister Ana Torres spoke in the city on Monday about the new bridge.",
                              "“We will open the new bridge in May,” Torres said, “and the tolls will be low.”",
                              "Work on the bridge began three years ago and cost more than expected.\n"]
    assert meta["outlet"] == "Daily Ledger" and "published" not in meta
    assert read_page("") == ("", {})


@pytest.mark.parametrize("html", [
    "<html><body><nav><ul><li><a href='/'>Home</a></li><li><a href='/x'>X</a></li></ul></nav></body></html>",
    "<html><body><nav><a href='/'>Home</a></nav></body></html>",
    "<html><head><title>Only a title</title></head><body></body></html>",
    "<!DOCTYPE html><html><body><script>document.write('“Hello there,” he said.')</script></body></html>",
])
def test_a_page_without_article_text_is_one_error(tmp_path, html):
    p = tmp_path / "menu.html"
    p.write_text(html, encoding="utf-8")
    (err,) = list(read_path(p))
    assert str(err) == f"{p}: no article text in the HTML page"


def test_a_large_saved_page_is_read(tmp_path):
    """A saved page is mostly scripts, styles and inline images: it may be far larger than
    its article (text files over 2 MB are refused)."""
    filler = "<script>var x = '" + "A" * 3_000_000 + "';</script>"
    p = tmp_path / "big.html"
    p.write_text(page(filler + HARBOUR, "Harbour deal signed"), encoding="utf-8")
    (a,) = list(read_path(p))
    assert isinstance(a, Article) and a.title == "Harbour deal signed" and "AAAA" not in a.text


# --------------------------------------------------------------------------- metadata files

TEXT = "Headline guessed from the text\n\nPublished March 3, 2020\n\n“We will act,” said Ana Torres on Monday.\n"


def _texts(folder: Path, names) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(TEXT.replace("Monday", f"day {i} of {folder.name}"), encoding="utf-8")


def _by_name(db_path) -> dict:
    return {Path(r["path"]).name: r for r in rows(db_path, "select * from articles")}


@pytest.mark.slow
def test_metadata_files_are_applied_and_win_over_the_text(tmp_path):
    root = tmp_path / "in"
    _texts(root / "tsv", ["a.txt", "b.txt", "sub/c.txt"])
    (root / "tsv" / "metadata.tsv").write_text(
        "file\tdate\turl\ttitle\tOutlet\tauthor\tnotes\n"
        "a.txt\t2019-10-09\thttps://example.org/a\tTitle of A\tThe Daily\tLois Lane\tignored column\n"
        'sub/c.txt\tOctober 10, 2019\t\t"Title ""C"" quoted"\t\t\t\n', encoding="utf-8")
    _texts(root / "csv", ["d.md"])
    with open(root / "csv" / "metadata.csv", "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "headline", "publisher", "published"])
        w.writerow(["d.md", "Title, with a comma", "Weekly", "2018-01-02"])
    _texts(root / "jsonl", ["e.txt"])
    (root / "jsonl" / "records.jsonl").write_text(json.dumps({"text": TEXT, "title": "Record title", "id": "r1"})
                                                  + "\n", encoding="utf-8")
    (root / "jsonl" / "metadata.jsonl").write_text(
        json.dumps({"file": "e.txt", "title": "Title of E", "outlet": "Monthly", "date": "2017-05-06",
                    "url": "https://example.org/e"}) + "\n"
        + json.dumps({"file": "records.jsonl", "title": "not used: the record has one", "outlet": "Records Inc"}) + "\n",
        encoding="utf-8")
    db_path = tmp_path / "q.db"
    result = run("ingest", root, "--db", db_path)
    assert result.exit_code == 0, result.output
    arts = _by_name(db_path)
    got = {name: (r["title"], r["outlet"], r["author"], r["published"], r["url"]) for name, r in arts.items()}
    assert got == {
        "a.txt": ("Title of A", "The Daily", "Lois Lane", "2019-10-09", "https://example.org/a"),
        # not in the metadata file: what the text gives
        "b.txt": ("Headline guessed from the text", None, None, "2020-03-03", None),
        "c.txt": ('Title "C" quoted', None, None, "2019-10-10", None),
        "d.md": ("Title, with a comma", "Weekly", None, "2018-01-02", None),
        "e.txt": ("Title of E", "Monthly", None, "2017-05-06", "https://example.org/e"),
        # a record's own fields win; the metadata file fills in what it lacks
        "records.jsonl": ("Record title", "Records Inc", None, "2020-03-03", None),
    }
    check_database(db_path)


def test_bad_metadata_files_are_reported_and_the_rest_goes_on(tmp_path):
    root = tmp_path / "in"
    _texts(root / "nofile", ["a.txt"])
    (root / "nofile" / "metadata.csv").write_text("name,title\na.txt,Lost\n", encoding="utf-8")
    _texts(root / "rows", ["b.txt", "c.txt", "d.txt"])
    (root / "rows" / "metadata.tsv").write_text(
        "file\ttitle\tdate\n"
        "b.txt\tTitle of B\t2019-01-01\textra field\n"
        "c.txt\tTitle of C\t2019-01-02\n"
        "\tNo file\t2019-01-03\n"
        "c.txt\tTwice\t2019-01-04\n", encoding="utf-8")
    _texts(root / "json", ["e.txt", "f.txt"])
    (root / "json" / "metadata.jsonl").write_text(
        '{"file": "e.txt", "title": "Title of E"}\n{not json\n["f.txt"]\n', encoding="utf-8")
    _texts(root / "binary", ["g.txt"])
    (root / "binary" / "metadata.csv").write_bytes(b"\x00\x01\x02" * 100)
    _texts(root / "quotes", ["h.txt"])
    (root / "quotes" / "metadata.csv").write_text('file,title\nh.txt,"broken "quoting\n', encoding="utf-8")
    items = list(iter_articles([root]))
    errors = [str(x) for x in items if not isinstance(x, Article)]
    assert errors == [
        f'{root}/binary/metadata.csv: binary file, not a metadata file',
        f'{root}/json/metadata.jsonl:2: invalid JSON: Expecting property name enclosed in double quotes',
        f'{root}/json/metadata.jsonl:3: record is not a JSON object',
        f'{root}/nofile/metadata.csv:1: no "file" column in the header (columns: name, title); not a CSV metadata file',
        f"{root}/quotes/metadata.csv:2: not CSV: ',' expected after '\"'",
        f'{root}/rows/metadata.tsv:2: 4 fields where the header has 3',
        f'{root}/rows/metadata.tsv:4: no file named (the "file" value is missing or empty)',
        f'{root}/rows/metadata.tsv:5: c.txt is listed twice (first on line 3); the first is used',
    ]
    titles = {Path(a.path).name: a.title for a in items if isinstance(a, Article)}
    assert titles == {"a.txt": "Headline guessed from the text", "b.txt": "Headline guessed from the text",
                      "c.txt": "Title of C", "d.txt": "Headline guessed from the text", "e.txt": "Title of E",
                      "f.txt": "Headline guessed from the text", "g.txt": "Headline guessed from the text",
                      "h.txt": "Headline guessed from the text"}
    # through the CLI: one line each, every article stored, exit status 1
    db_path = tmp_path / "q.db"
    result = run("ingest", root, "--db", db_path)
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("quotetrack: error: ")]
    assert [line[len("quotetrack: error: "):] for line in lines] == errors
    assert sqlite_utils.Database(db_path)["articles"].count == 8


def test_metadata_of_a_file_named_explicitly_and_the_nearest_file(tmp_path):
    _texts(tmp_path / "in" / "sub", ["a.txt", "b.txt"])
    (tmp_path / "in" / "metadata.tsv").write_text("file\ttitle\nsub/a.txt\tFrom above\nsub/b.txt\tFrom above\n",
                                                  encoding="utf-8")
    (tmp_path / "in" / "sub" / "metadata.tsv").write_text("file\ttitle\nb.txt\tFrom beside\n", encoding="utf-8")
    titles = {Path(a.path).name: a.title for a in iter_articles([tmp_path / "in"])}
    assert titles == {"a.txt": "From above", "b.txt": "From beside"}
    # named explicitly: the metadata file beside it is read, not the one above
    (a,) = iter_articles([tmp_path / "in" / "sub" / "a.txt"])
    assert a.title == "Headline guessed from the text"
    (b,) = iter_articles([tmp_path / "in" / "sub" / "b.txt"])
    assert b.title == "From beside"


# --------------------------------------------------------------------------- --outlet, dates in file names


@pytest.mark.slow
def test_outlet_option_and_dates_in_file_names(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    plain = "“We will act on {day},” said Ana Torres.\n"
    (folder / "2019-10-09-storm.txt").write_text(plain.format(day="Monday"), encoding="utf-8")
    (folder / "2019-10-10_dated-in-text.txt").write_text(
        "Published March 3, 2020\n\n" + plain.format(day="Tuesday"), encoding="utf-8")
    (folder / "2019-13-45-not-a-date.txt").write_text(plain.format(day="Wednesday"), encoding="utf-8")
    (folder / "20191009-no-dashes.txt").write_text(plain.format(day="Thursday"), encoding="utf-8")
    (folder / "2019-10-11-copyright.txt").write_text(
        plain.format(day="Friday") + "\n© 2019 The Courier. All rights reserved.\n", encoding="utf-8")
    (folder / "2018-01-01-records.jsonl").write_text(
        json.dumps({"text": plain.format(day="Saturday"), "outlet": "Record Outlet"}) + "\n"
        + json.dumps({"text": plain.format(day="Sunday"), "date": "2017-02-03"}) + "\n", encoding="utf-8")
    db_path = tmp_path / "q.db"
    result = run("ingest", folder, "--db", db_path, "--outlet", "Wire Service")
    assert result.exit_code == 0, result.output
    got = {(Path(r["path"]).name, r["line"]): (r["outlet"], r["published"])
           for r in rows(db_path, "select * from articles")}
    assert got == {
        ("2019-10-09-storm.txt", None): ("Wire Service", "2019-10-09"),
        ("2019-10-10_dated-in-text.txt", None): ("Wire Service", "2020-03-03"),     # the text's date wins
        ("2019-13-45-not-a-date.txt", None): ("Wire Service", None),
        ("20191009-no-dashes.txt", None): ("Wire Service", None),
        ("2019-10-11-copyright.txt", None): ("The Courier", "2019-10-11"),         # the text names its outlet
        ("2018-01-01-records.jsonl", 1): ("Record Outlet", "2018-01-01"),
        ("2018-01-01-records.jsonl", 2): ("Wire Service", "2017-02-03"),
    }
    # quotes carry their article's outlet and date
    assert {r["outlet"] for r in rows(db_path, "select outlet from quotes")} == {
        "Wire Service", "The Courier", "Record Outlet"}


# --------------------------------------------------------------------------- no database, counts


def test_an_ingest_that_reads_nothing_creates_no_database(tmp_path):
    db_path = tmp_path / "new.db"
    result = run("ingest", tmp_path / "missing.txt", "--db", db_path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"quotetrack: error: {tmp_path / 'missing.txt'}: no such file or directory",
                                          f"0 articles added, 1 failed; no database created: {db_path}"]
    assert not db_path.exists() and not Path(f"{db_path}-wal").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("ingest", empty, "--db", db_path, "--quiet")
    assert result.exit_code == 0 and result.output == ""
    assert os.listdir(tmp_path) == ["empty"]


@pytest.mark.slow
def test_summary_counts_singular_and_plural(tmp_path):
    db_path = tmp_path / "q.db"
    one = tmp_path / "one.txt"
    one.write_text("“We will act,” said Ana Torres.\n", encoding="utf-8")
    result = run("ingest", one, "--db", db_path)
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1] == f"1 article added (1 quotation), 0 already present, 0 failed; database: {db_path}"
    two = tmp_path / "two"
    two.mkdir()
    (two / "a.txt").write_text("“We will act,” said Bo Li. “Soon,” he added, “very soon indeed.”\n", encoding="utf-8")
    (two / "b.txt").write_text("Nobody was quoted in this one at all.\n", encoding="utf-8")
    result = run("ingest", two, one, "--db", db_path)
    assert result.exit_code == 0
    assert re.fullmatch(r"2 articles added \(3 quotations\), 1 already present, 0 failed; database: .*",
                        result.stderr.splitlines()[-1])
    # a failed path with an existing database: the database is kept as it was
    result = run("ingest", tmp_path / "missing.txt", "--db", db_path)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == f"0 articles added (0 quotations), 0 already present, 1 failed; database: {db_path}"
    assert sqlite_utils.Database(db_path)["articles"].count == 3


# --------------------------------------------------------------------------- the Wikinews corpus


@pytest.mark.corpus
@pytest.mark.slow
def test_wikinews_with_its_metadata_tsv(shared_corpora, tmp_path):
    """Every article of ../shared/corpora/wikinews dated, titled and linked from its
    metadata.tsv (before it was read, 120 of the 295 had no date), its outlet from --outlet."""
    folder = shared_corpora / "wikinews"
    with open(folder / "metadata.tsv", encoding="utf-8", newline="") as fh:
        meta = {r["file"]: r for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)}
    assert len(meta) == 295
    db_path = tmp_path / "wikinews.db"
    result = run("ingest", folder, "--db", db_path, "--outlet", "Wikinews", "--quiet")
    assert result.exit_code == 0, result.output
    arts = rows(db_path, "select path, title, published, url, outlet from articles")
    assert len(arts) == 295
    for a in arts:
        m = meta[Path(a["path"]).name]
        assert (a["title"], a["published"], a["url"], a["outlet"]) == (m["title"], m["date"], m["url"], "Wikinews"), a
