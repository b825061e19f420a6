"""Bad input: every kind of broken, odd or hostile file, alone and all in one batch.

Each input either gets one clear line ``quotetrack: error: PATH[:LINE]: reason`` or is
read correctly; the rest of the batch is ingested; the exit status says that some
files failed; nothing is half-written. (Decoding basics and JSON Lines field handling
are unit-tested in test_sources.py; this file tries to break the whole path.)
"""
from __future__ import annotations

import builtins
import gzip
import json
import os
import random
import re
import time
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from _generated import check_database
from quotetrack.db import store
from quotetrack.grouping import statements
from quotetrack.cli import cli
from quotetrack.extract.quotes import find_quotes
from quotetrack.records import Article
from quotetrack.sources.files import SourceError, display_path
from quotetrack.sources.formats import MAX_ARTICLE_CHARS, iter_articles, read_path

REAL_ASSIGN = statements.assign_statements
GOOD = "Bridge to open in May\n\nMinister Ana Torres spoke on Monday.\n\n“We will open the new bridge in May,” Torres said.\n"
GOOD_QUOTE = "We will open the new bridge in May,"
ACCENTS = "Cuba’s minister Rodríguez spoke in Havana.\n\n“We will act decisively,” Rodríguez said.\n"
HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Harbour deal | Coastal Times</title>
<meta property="og:site_name" content="Coastal Times"><meta name="author" content="Lois Lane">
<meta property="article:published_time" content="2024-05-01T10:00:00Z">
<style>q::before { content: "“"; } .x { font-family: "Helvetica Neue"; }</style>
<script>var msg = "I will never resign," said the minister; document.write('<p>"Fake words here," he said</p>');</script>
</head><body>
<nav><a href="/">Home</a> | <a href="/news">“Top stories”</a></nav>
<article><h1>Harbour deal signed</h1>
<p>Harbour master Jonas Berg met the unions on Monday &amp; signed the deal.</p>
<p>&ldquo;This deal keeps the harbour open for another twenty years,&rdquo; Berg said.<script>alert("x said y")</script></p>
<p>He added: <q>Nobody will lose their job because of it.</q></p>
</article>
<aside>"Subscribe now for unlimited access," the banner said.</aside>
<footer>© 2024 Coastal Times</footer>
</body></html>
"""


def _marks(n: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    marks = ['"', "“", "”", "«", "»", "„", "‘", "’", "'", "''"]
    return " ".join(rng.choice(marks) for _ in range(n))


def _nested(depth: int) -> str:
    opening = "".join(f"“level {i} ‘inner {i} " for i in range(depth))
    closing = "".join(f"end {i}’ done {i}” " for i in reversed(range(depth)))
    return f"The report said {opening}{closing}and stopped there."


def _huge(size: int) -> bytes:
    paragraph = ("The council met again on Tuesday to discuss the harbour, the budget and the bridge, "
                 "and “nothing was decided,” the clerk said.\n\n").encode("utf-8")
    return paragraph * (size // len(paragraph) + 1)


def _jsonl_lines() -> list[bytes]:
    good = {"id": "ok-1", "title": "Budget", "outlet": "Ledger", "text": "“The budget is tight but balanced,” said Paul Green."}
    return [
        json.dumps(good).encode(),                                                     # 1 ok
        b"{not json",                                                                  # 2 invalid JSON
        json.dumps({"id": "no-text", "title": "x"}).encode(),                          # 3 no text
        json.dumps({"text": None}).encode(),                                           # 4 no text
        json.dumps({"text": 42}).encode(),                                             # 5 no text
        json.dumps(["a", "list"]).encode(),                                            # 6 not an object
        json.dumps({"text": "   "}).encode(),                                          # 7 empty text
        b"",                                                                           # 8 blank: skipped
        json.dumps({"id": "bad-bytes", "text": "“Ports stay open,” said Jonas Berg. caf\u00e9"})
        .encode().replace(b"caf\\u00e9", "café ".encode() + b"\xff"),                 # 9 invalid UTF-8: ok, replaced
        b'{"id": "surrogate", "text": "\\ud800 \\u201cTrains run every ten minutes,\\u201d said Ana Torres."}',  # 10 ok
        json.dumps({"id": "big", "text": "x " * (MAX_ARTICLE_CHARS // 2 + 1)}).encode(),  # 11 too large
        json.dumps({"id": "odd-fields", "title": ["not", "a", "string"], "date": 20240501, "outlet": {"x": 1},
                    "text": "“Rents will not rise this year,” said Mariam Haddad."}).encode(),  # 12 ok
        b'{"id": "cut", "text": "\\u201cThe strike will go on,\\u201d said Kwa',       # 13 truncated last line
    ]


# name -> (content, expected): expected is ("ok", checks) or ("error", reason regex, line)
def cases() -> dict:
    return {
        "empty.txt": (b"", ("error", r"empty file")),
        "blank.txt": (b"  \n\t\r\n\n", ("error", r"empty file")),
        "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, ("error", r"binary file, not text")),
        "pdf.txt": (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" * 20, ("error", r"binary file, not text")),
        "controls.txt": (bytes(range(1, 9)) * 200 + b"some text", ("error", r"binary file, not text")),
        "invalid-utf8.txt": (ACCENTS.encode() + b"\xff\xfe broken \xe2\x80 tail.\n",
                             ("ok", {"encoding": r"^utf-8 \(\d+ invalid bytes? replaced\)$", "contains": "Rodríguez",
                                     "quote": "We will act decisively,", "speaker": "Rodríguez"})),
        "cp1252.txt": (ACCENTS.encode("cp1252"), ("ok", {"encoding": "^cp1252$", "contains": "“We will act",
                                                         "quote": "We will act decisively,"})),
        "latin1.txt": ("Déclaration du ministère\n\n« Nous agirons vite », a déclaré le ministre. Fin\x81.\n"
                       .encode("latin-1"), ("ok", {"encoding": "^latin-1$", "contains": "« Nous agirons vite »"})),
        "utf16.txt": (GOOD.encode("utf-16"), ("ok", {"encoding": "^utf-16$", "quote": GOOD_QUOTE, "speaker": "Ana Torres"})),
        "utf16be.txt": (b"\xfe\xff" + ACCENTS.replace("decisively", "firmly").encode("utf-16-be"),
                        ("ok", {"encoding": "^utf-16$", "quote": "We will act firmly,"})),
        "huge.txt": (_huge(50 * 1024 * 1024), ("error", r"too large for one article \(5\d\.\d MB; at most 500,000 characters\)")),
        "marks.txt": ((_marks(10_000) + "\n\n" + GOOD).encode(), ("ok", {"quote": GOOD_QUOTE, "speaker": "Ana Torres"})),
        "nested.txt": ((_nested(100) + "\n\n" + GOOD).encode(), ("ok", {"quote": GOOD_QUOTE, "speaker": "Ana Torres"})),
        "late-nul.txt": ((GOOD + "filler line here. " * 600 + "\x00 after.\n").encode(), ("ok", {"quote": GOOD_QUOTE})),
        "old-mac.txt": (GOOD.replace("Monday", "Saturday").replace("\n", "\r").encode(), ("ok", {"quote": GOOD_QUOTE, "speaker": "Ana Torres"})),
    }


def write_case(folder: Path, name: str, content: bytes) -> Path:
    p = folder / name
    p.write_bytes(content)
    return p


@pytest.mark.parametrize("name", list(cases()))
def test_each_input_alone(tmp_path, name):
    content, expected = cases()[name]
    t0 = time.perf_counter()
    items = list(read_path(write_case(tmp_path, name, content)))
    assert time.perf_counter() - t0 < 5, "reading must stay fast"
    assert len(items) == 1
    item = items[0]
    if expected[0] == "error":
        assert isinstance(item, SourceError), item
        assert re.search(expected[1], item.message), item.message
        assert str(item).startswith(str(tmp_path / name) + ": ") and "\n" not in str(item)
    else:
        assert isinstance(item, Article), item
        checks = expected[1]
        if "encoding" in checks:
            assert re.search(checks["encoding"], item.encoding), item.encoding
        if "contains" in checks:
            assert checks["contains"] in item.text
        if "quote" in checks:
            spans = find_quotes(item.text, item.paragraphs)
            assert checks["quote"] in [item.text[q.start:q.end] for q in spans]


def test_jsonl_records_alone(tmp_path):
    p = tmp_path / "records.jsonl"
    p.write_bytes(b"\n".join(_jsonl_lines()))
    items = list(read_path(p))
    ok = [x for x in items if isinstance(x, Article)]
    errors = {x.line: x.message for x in items if isinstance(x, SourceError)}
    assert [a.record_id for a in ok] == ["ok-1", "bad-bytes", "surrogate", "odd-fields"]
    assert "\ufffd" in ok[1].text and ok[1].encoding.startswith("utf-8 (")
    assert ok[2].text.startswith("\ufffd “Trains")                      # a lone surrogate becomes U+FFFD
    assert ok[3].title is None and ok[3].outlet is None and ok[3].published == "20240501"
    assert set(errors) == {2, 3, 4, 5, 6, 7, 11, 13}
    assert errors[2].startswith("invalid JSON") and errors[13].startswith("invalid JSON")
    assert errors[11].startswith("too large for one article")
    assert all("\n" not in m for m in errors.values())


def test_binary_and_truncated_jsonl(tmp_path):
    p = tmp_path / "noise.jsonl"
    p.write_bytes(random.Random(3).randbytes(20000))
    assert [str(x) for x in read_path(p)] == [f"{p}: binary file, not JSON Lines"]
    records = [json.dumps({"id": f"r{i}", "text": f"“Line {i} is here,” said Paul Green."}) for i in range(50)]
    data = gzip.compress(("\n".join(records) + "\n").encode())
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    items = list(read_path(cut))
    assert isinstance(items[-1], SourceError) and "truncated gzip" in items[-1].message
    assert all(isinstance(x, Article) for x in items[:-1]) and len(items) > 1   # what came before is kept


def test_ten_thousand_unbalanced_marks_in_prose_are_fast_and_lose_nothing():
    rng = random.Random(5)
    marks = ['"', "“", "”", "«", "‘", "'"]
    words = "the minister said that we will act on it now".split()
    noisy = " ".join(rng.choice(words) + (rng.choice(marks) if rng.random() < 0.5 else "") for _ in range(20_000))
    text = noisy + "\n\n" + GOOD
    t0 = time.perf_counter()
    spans = find_quotes(text)
    assert time.perf_counter() - t0 < 2
    assert sum(text.count(m) for m in marks) >= 10_000
    assert all(0 <= q.start < q.end <= len(text) for q in spans)
    assert GOOD_QUOTE in [text[q.start:q.end] for q in spans]   # the stray marks never swallow what follows
    deep = _nested(5000)
    t0 = time.perf_counter()
    spans = find_quotes(deep)
    assert time.perf_counter() - t0 < 2
    assert len(spans) == 1 and spans[0].nested >= 1 and deep[spans[0].start:].startswith("level 0")


def test_symlink_loop_and_odd_names(tmp_path):
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.txt").write_text(GOOD, encoding="utf-8")
    os.symlink(root, root / "sub" / "loop")
    os.symlink(root / "sub" / "loop", root / "loop2")
    os.symlink(root / "missing.txt", root / "dangling.txt")
    (root / "new\nline.txt").write_text(ACCENTS, encoding="utf-8")
    items = list(iter_articles([root]))
    errors = [str(x) for x in items if isinstance(x, SourceError)]
    assert errors == [f"{root}/dangling.txt: broken symbolic link"]
    arts = [x for x in items if isinstance(x, Article)]
    assert sorted(Path(a.path).name for a in arts) == ["a.txt", "new\\nline.txt"]


# --------------------------------------------------------------------------- the whole batch


@pytest.fixture
def batch(tmp_path, monkeypatch):
    """A folder of every case plus good articles, and the files named explicitly."""
    folder = tmp_path / "batch"
    folder.mkdir()
    for name, (content, _) in cases().items():
        write_case(folder, name, content)
    (folder / "good.txt").write_text(GOOD.replace("Monday", "Sunday"), encoding="utf-8")
    (folder / "copy-of-good.md").write_text(GOOD.replace("Monday", "Sunday"), encoding="utf-8")   # same content
    (folder / "records.jsonl").write_bytes(b"\n".join(_jsonl_lines()))
    (folder / "noise.jsonl").write_bytes(random.Random(3).randbytes(5000))
    (folder / "poison.txt").write_text("“Poison pill for the store,” said Zed Quartermain.\n", encoding="utf-8")
    (folder / "loop").mkdir()
    os.symlink(folder, folder / "loop" / "back")
    os.symlink(folder / "nowhere.txt", folder / "dangling.txt")
    (folder / "saved.html").write_text(HTML, encoding="utf-8")         # the same page as page.html
    (folder / "bad\udcffname.txt").write_text(GOOD.replace("Monday", "Friday"), encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text(HTML, encoding="utf-8")
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    locked = tmp_path / "locked.txt"
    locked.write_text(GOOD.replace("Monday", "Tuesday"), encoding="utf-8")
    locked.chmod(0)
    if os.access(locked, os.R_OK):        # root ignores permissions: refuse it the way the OS would
        real_open = builtins.open

        def refusing_open(file, *args, **kwargs):
            if str(file) == str(locked):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)
        monkeypatch.setattr(builtins, "open", refusing_open)

    def assign(db, quote_ids, **kwargs):
        texts = [r[0] for r in db.execute(f"select text from quotes where id in ({','.join('?' * len(quote_ids))})",
                                          list(quote_ids))] if quote_ids else []
        if any("Poison pill" in t for t in texts):
            raise RuntimeError("simulated failure in the middle of storing an article")
        return REAL_ASSIGN(db, quote_ids, **kwargs)
    monkeypatch.setattr(statements, "assign_statements", assign)
    yield folder, [folder, page, fifo, locked, tmp_path / "missing.txt"]
    locked.chmod(0o644)


EXPECTED_ERRORS = [
    r"batch/binary\.txt: binary file, not text",
    r"batch/blank\.txt: empty file",
    r"batch/controls\.txt: binary file, not text",
    r"batch/dangling\.txt: broken symbolic link",
    r"batch/empty\.txt: empty file",
    r"batch/huge\.txt: too large for one article",
    r"batch/noise\.jsonl: binary file, not JSON Lines",
    r"batch/pdf\.txt: binary file, not text",
    r"batch/poison\.txt: not stored: simulated failure",
    r"batch/records\.jsonl:2: invalid JSON",
    r"batch/records\.jsonl:3: record has no string \"text\" field",
    r"batch/records\.jsonl:4: record has no string \"text\" field",
    r"batch/records\.jsonl:5: record has no string \"text\" field",
    r"batch/records\.jsonl:6: record is not a JSON object",
    r"batch/records\.jsonl:7: empty text",
    r"batch/records\.jsonl:11: too large for one article",
    r"batch/records\.jsonl:13: invalid JSON",
    r"fifo\.txt: not a regular file",
    r"locked\.txt: Permission denied",
    r"missing\.txt: no such file or directory",
]


@pytest.mark.slow
def test_whole_batch_is_ingested_around_the_bad_files(batch, tmp_path, monkeypatch, sql_trace):
    folder, paths = batch
    db_path = tmp_path / "q.db"
    # one transaction for all the articles (fewer than store.BATCH_ARTICLES): the poison
    # article fails in the middle of the batch that stores the others
    monkeypatch.setattr(store, "BATCH_SECONDS", 1e9)
    monkeypatch.setattr(store, "BATCH_WAIT", 1e9)
    t0 = time.perf_counter()
    result = CliRunner().invoke(cli, ["ingest", *map(str, paths), "--db", str(db_path)])
    elapsed = time.perf_counter() - t0
    assert result.exit_code == 1, result.output
    commits = [i for i, sql in enumerate(sql_trace) if sql.strip().upper().startswith("COMMIT")]
    # the articles' transaction, the one of their lineage, then the one that counts the
    # site's summaries
    assert len(commits) == 3 and "article_lineage" in "".join(sql_trace[commits[0]:commits[1]]) \
        and "facet_counts" in sql_trace[commits[2] - 1], [sql_trace[i - 1] for i in commits]
    errors = [line for line in result.stderr.splitlines() if line.startswith("quotetrack: error: ")]
    assert len(errors) == len(EXPECTED_ERRORS), "\n".join(errors)
    for pattern in EXPECTED_ERRORS:
        assert sum(bool(re.search(pattern, e)) for e in errors) == 1, (pattern, errors)
    assert elapsed < 60
    summary = result.stderr.strip().splitlines()[-1]
    # good.txt and page.html hold what copy-of-good.md and saved.html (read first) hold
    assert re.match(rf"\d+ articles added \(\d+ quotations\), 2 already present, {len(EXPECTED_ERRORS)} failed", summary)

    db = sqlite_utils.Database(db_path)
    counts = check_database(db_path)          # integrity, FTS, every quote inside its article
    stored = {Path(r["path"]).name for r in db.query("select path from articles")}
    assert stored == {"invalid-utf8.txt", "cp1252.txt", "latin1.txt", "utf16.txt", "utf16be.txt", "marks.txt",
                      "nested.txt", "late-nul.txt", "old-mac.txt", "copy-of-good.md", "records.jsonl", "bad\\xffname.txt",
                      "saved.html"}
    assert db.execute("select count(*) from articles where path like '%records.jsonl'").fetchone()[0] == 4
    assert counts["articles"] == 12 + 4
    for name, (_, expected) in cases().items():      # each readable case: its quote, with its speaker
        if expected[0] == "ok" and "quote" in expected[1]:
            rows = list(db.query("select q.text, s.name from quotes q join articles a on a.id = q.article_id "
                                 "left join speakers s on s.id = q.speaker_id where a.path = ?", [str(folder / name)]))
            match = [r for r in rows if r["text"] == expected[1]["quote"]]
            assert match, (name, rows)
            if "speaker" in expected[1]:
                assert expected[1]["speaker"] in (match[0]["name"] or ""), (name, match)
    # nothing half-written: the article that failed mid-way left no row anywhere
    assert db.execute("select count(*) from quotes where text like '%Poison%'").fetchone()[0] == 0
    assert db.execute("select count(*) from articles where text like '%Poison%'").fetchone()[0] == 0
    assert db.execute("select count(*) from speakers where name like '%Quartermain%'").fetchone()[0] == 0
    assert db.execute("select count(*) from quotes_fts where quotes_fts match 'poison'").fetchone()[0] == 0
    # the HTML page: visible text only, metadata from the page, no script or markup stored
    page = next(db.query("select * from articles where path like '%saved.html'"))
    assert (page["title"], page["outlet"], page["author"], page["published"]) == (
        "Harbour deal signed", "Coastal Times", "Lois Lane", "2024-05-01")
    assert "<" not in page["text"] and "never resign" not in page["text"] and "Subscribe" not in page["text"]
    page_quotes = {r["text"]: r["speaker_mention"] for r in db.query(
        "select text, speaker_mention from quotes where article_id = ?", [page["id"]])}
    assert page_quotes.get("This deal keeps the harbour open for another twenty years,") == "Berg"
    assert "Nobody will lose their job because of it." in page_quotes
    assert not any(s in t for t in page_quotes for s in ("<", "resign", "Fake", "alert", "Helvetica"))
    # decoded text is right: offsets of every quote point into it (checked above) and accents survive
    names = {r["name"] for r in db.query("select name from speakers")}
    assert {"Ana Torres", "Paul Green", "Jonas Berg"} <= names
    assert any("Rodr" in n for n in names)

    # again, with the store working: only the article that failed is added
    monkeypatch.setattr(statements, "assign_statements", REAL_ASSIGN)
    result = CliRunner().invoke(cli, ["ingest", *map(str, paths), "--db", str(db_path), "--quiet"])
    assert result.exit_code == 1
    assert db["articles"].count == counts["articles"] + 1


@pytest.mark.slow
def test_extract_reports_the_same_errors(batch, tmp_path):
    folder, paths = batch
    result = CliRunner().invoke(cli, ["extract", "--json", *map(str, paths)])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("quotetrack: error: ")]
    assert len(errors) == len(EXPECTED_ERRORS) - 1          # no store, so no poisoned save
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    files = {display_path(p): p for p in [*folder.iterdir(), *paths]}
    texts = {}
    for r in rows:
        if r["path"] not in texts:
            texts[r["path"]] = {(a.line or 0): a.text for a in read_path(files[r["path"]]) if isinstance(a, Article)}
        text = texts[r["path"]][r.get("line") or 0]
        assert text[r["start"]:r["end"]] == r["text"]
    assert "bad\\xffname.txt" in {Path(r["path"]).name for r in rows}
    assert any(r["text"] == GOOD_QUOTE and r["speaker"] == "Ana Torres" for r in rows)


def test_a_placeholder_date_is_no_date_and_the_article_is_stored(tmp_path):
    # AllSides has records dated "0001-11-30"; a year-window around it once made the
    # article fail with "date value out of range"
    p = tmp_path / "old.jsonl"
    text = ("The ministry issued a statement on Tuesday.\n\n“We reject these claims entirely and we will "
            "answer them in court,” the foreign minister Jane Doe said.")
    p.write_text(json.dumps({"id": "old", "date": "0001-11-30", "outlet": "Example", "text": text}) + "\n"
                 + json.dumps({"id": "new", "date": "2020-01-02", "outlet": "Other", "text": text + " Again."}) + "\n",
                 encoding="utf-8")
    db = tmp_path / "q.db"
    result = CliRunner().invoke(cli, ["ingest", str(p), "--db", str(db), "--quiet"])
    assert result.exit_code == 0, result.output
    rows = {r["record_id"] if "record_id" in r else r["title"]: r for r in sqlite_utils.Database(db)["articles"].rows}
    assert len(rows) == 2
    assert sorted(str(r["published"]) for r in rows.values()) == ["2020-01-02", "None"]
    assert sqlite_utils.Database(db)["quotes"].count == 2


def test_short_us_dates_are_stored_as_iso_days_also_in_older_databases(tmp_path):
    """A record dated "10/18/16" gets 2016-10-18, which sorts and facets with the others;
    a database written before that learns it when it is opened (m008), with the
    first/last dates of its statements."""
    from quotetrack import ingest as ingesting

    p = tmp_path / "us.jsonl"
    text = ("The senator spoke on Tuesday.\n\n“We will not support this bill in its present form, "
            "and we will say so on the floor,” Senator Jane Doe said.")
    p.write_text(json.dumps({"id": "a", "date": "10/18/16", "outlet": "Example", "text": text}) + "\n",
                 encoding="utf-8")
    db_path = tmp_path / "q.db"
    assert CliRunner().invoke(cli, ["ingest", str(p), "--db", str(db_path), "--quiet"]).exit_code == 0
    db = sqlite_utils.Database(db_path)
    assert [r["published"] for r in db["articles"].rows] == ["2016-10-18"]
    assert {r["published"] for r in db["quotes"].rows} == {"2016-10-18"}
    # as an older version stored it
    db.execute("update articles set published = '10/18/16'")
    db.execute("update quotes set published = '10/18/16'")
    db.execute("update statements set first_reported = '10/18/16', last_reported = '10/18/16'")
    db.execute("delete from _sqlite_migrations where name = 'm008_iso_dates'")
    db.conn.commit()
    db.close()
    db = ingesting.open_db(db_path)
    assert [r["published"] for r in db["articles"].rows] == ["2016-10-18"]
    assert {r["published"] for r in db["quotes"].rows} == {"2016-10-18"}
    assert {(r["first_reported"], r["last_reported"]) for r in db["statements"].rows} == {("2016-10-18", "2016-10-18")}
