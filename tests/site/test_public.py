"""Publishing safety: ``quotetrack serve --public`` on a real server.

In public mode the database is immutable and arbitrary SQL is off; canned queries
and search still answer, with user input bound as parameters; hostile text from an
ingested article is escaped on every HTML page that shows it.
"""
from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from _server import get, start_server
from quotetrack.cli import cli

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
HOSTILE = f"""{IMG} Mayor answers the website hackers

Mayor Ana Torres spoke to reporters on Monday about the attack on the city website.

“{SCRIPT} is what they put on our home page,” Torres said.

“They also left {IMG} in the comments, and we removed it,” she added.

The city's IT department said the attack lasted "less than an hour" and that no data was taken.
"""
PLAIN = """Bridge to open in May

“We will open the new bridge in May, and not a day later,” Transport Minister Paul Green said on Tuesday.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("public")
    (root / "in").mkdir()
    (root / "in" / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    (root / "in" / "plain.txt").write_text(PLAIN, encoding="utf-8")
    db_path = root / "quotes.db"          # published as "quotes", like db/quotes.db
    result = CliRunner().invoke(cli, ["ingest", str(root / "in"), "--db", str(db_path), "--quiet"])
    assert result.exit_code == 0, result.output
    proc, base = start_server(db_path, "--public")
    try:
        yield base, db_path
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.slow
def test_arbitrary_sql_is_refused(site):
    base, _ = site
    for path, params in [("/quotes", {"sql": "select 1"}),
                         ("/quotes.json", {"sql": "select * from articles"}),
                         ("/quotes.csv", {"sql": "select 1"}),
                         ("/quotes/quotes.json", {"_where": "1=1) or (1=1"}),
                         ("/quotes/quotes", {"_where": "id > 0"})]:
        status, body = get(base, path, **params)
        assert status == 403, (path, params, status)
    # the database page offers no SQL editor
    status, body = get(base, "/quotes")
    assert status == 200 and "<textarea" not in body
    # and the database is served immutable
    status, body = get(base, "/-/databases.json")
    assert [d["is_mutable"] for d in json.loads(body)] == [False]
    # read in each process's own thread (no SQL thread pool: it only added CPU)
    status, body = get(base, "/-/settings.json")
    assert status == 200 and json.loads(body)["num_sql_threads"] == 0


@pytest.mark.slow
def test_canned_queries_bind_their_parameters(site):
    base, _ = site
    status, body = get(base, "/quotes/speaker_quotes.json", speaker="Torres", _shape="array")
    assert status == 200
    assert {r["speaker"] for r in json.loads(body)} == {"Ana Torres"} and len(json.loads(body)) == 2
    injections = ["' OR 1=1 --", "%' OR '1'='1", "x'; drop table quotes; --",
                  "' union select name, name, name, name, name, name, name, name from sqlite_master --"]
    for value in injections:
        status, body = get(base, "/quotes/speaker_quotes.json", speaker=value, _shape="array")
        assert status == 200 and json.loads(body) == [], value      # data, not SQL: matches nobody
    for value in ['bridge" OR 1=1', "NEAR(", "*", "bridge AND -", "'; select 1; --"]:
        status, body = get(base, "/quotes/search_quotes.json", q=value, _shape="array")
        assert status == 200, value
        assert all("bridge" in r["text"].lower() for r in json.loads(body)), value
    status, body = get(base, "/quotes/search_quotes.json", q="bridge", _shape="array")
    assert [r["speaker"] for r in json.loads(body)] == ["Paul Green"]
    # a canned query's SQL cannot be replaced through the URL
    status, body = get(base, "/quotes/search_quotes.json", q="bridge", sql="select 42 as text", _shape="array")
    assert status in (200, 403) and "42" not in body
    # table search and facets still work
    status, body = get(base, "/quotes/quotes.json", _search="removed", _shape="array")
    assert status == 200 and len(json.loads(body)) == 1
    status, _ = get(base, "/quotes/quotes.json", _facet="speaker_id")
    assert status == 200
    with sqlite_utils.Database(site[1]) as db:
        assert db["quotes"].count == 4           # nothing was dropped


@pytest.mark.slow
def test_hostile_text_is_escaped_on_every_page(site):
    base, db_path = site
    db = sqlite_utils.Database(db_path)
    quote_id = db.execute("select id from quotes where text like '%<script>%'").fetchone()[0]
    article_id = db.execute("select article_id from quotes where id = ?", [quote_id]).fetchone()[0]
    statement_id = db.execute("select statement_id from quotes where id = ?", [quote_id]).fetchone()[0]
    db.close()
    pages = ["/quotes/quotes", f"/quotes/quotes/{quote_id}", "/quotes/quotes_view",
             "/quotes/articles", f"/quotes/articles/{article_id}", "/quotes/statements",
             f"/quotes/statements/{statement_id}", "/quotes/quote_statements",
             "/quotes/search_quotes?q=alert", "/quotes/speaker_quotes?speaker=Torres",
             "/quotes/quotes?_search=alert", "/quotes/quotes?_facet=statement_id",
             "/quotes/articles?_search=hackers"]
    for page in pages:
        status, html = get(base, page)
        assert status == 200, page
        assert SCRIPT not in html and IMG not in html, page
        assert "onerror=alert(1)>" not in html, page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&lt;img src=x onerror=alert(1)&gt;" in html, page


@pytest.mark.slow
def test_every_canned_query_treats_hostile_parameters_as_data(site):
    """Whatever the metadata's canned queries are: none writes, and each answers any
    parameter value (SQL, FTS syntax, markup) with rows or an empty result, never an
    SQL error and never unescaped markup."""
    import re

    import yaml

    base, _ = site
    metadata = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
    queries = metadata["databases"]["quotes"]["queries"]
    assert queries
    hostile = ["' OR 1=1 --", "1; drop table quotes", '") OR ("1"="1', "NEAR(* -", SCRIPT, "%", "_", ""]
    for name, query in queries.items():
        assert not query.get("write"), f"{name} writes to the database"
        params = sorted(set(re.findall(r"(?<!:):(\w+)", query["sql"])))
        for value in hostile:
            status, body = get(base, f"/quotes/{name}.json", _shape="array", **{p: value for p in params})
            assert status == 200, (name, value, body[:300])
            assert isinstance(json.loads(body), list)
            status, html = get(base, f"/quotes/{name}", **{p: value for p in params})
            assert status == 200 and SCRIPT not in html, (name, value)
    with sqlite_utils.Database(site[1]) as db:
        assert db["quotes"].count == 4


@pytest.mark.slow
def test_public_server_answers_from_every_worker_process(site):
    """``serve --public --workers 3``: three processes, each a Datasette with the plugin,
    metadata and public settings, serving the same port; a cookie signed with the
    site's secret is valid whichever process answers."""
    psutil = pytest.importorskip("psutil")
    from datasette.app import Datasette

    _, db_path = site
    secret = "the-same-secret-in-every-worker"
    proc, base = start_server(db_path, "--public", "--workers", "3", env={"DATASETTE_SECRET": secret})
    try:
        workers = [p for p in psutil.Process(proc.pid).children(recursive=True)
                   if "spawn_main" in " ".join(p.cmdline())]
        assert len(workers) == 3

        def cpu(p):
            t = p.cpu_times()
            return t.user + t.system

        before = {p.pid: cpu(p) for p in workers}
        for _ in range(50):                  # until every worker has finished starting up
            time.sleep(0.2)
            now = {p.pid: cpu(p) for p in workers}
            if all(now[pid] - before[pid] < 0.01 for pid in now):
                break
            before = now
        cookie = "ds_actor=" + Datasette(secret=secret).sign({"a": {"id": "tester"}}, "actor")
        failures: list = []

        def visitor():
            for path in ("/quotes/quotes?_search=bridge", "/quotes/-/quote/1", "/quotes/statements",
                         "/-/actor.json"):
                request = urllib.request.Request(base + path, headers={"Cookie": cookie})
                try:
                    with urllib.request.urlopen(request, timeout=20) as r:
                        body = r.read().decode("utf-8")
                except OSError as e:
                    failures.append((path, repr(e)))
                    continue
                if path == "/-/actor.json" and json.loads(body) != {"actor": {"id": "tester"}}:
                    failures.append((path, body))
                if path.startswith("/quotes/quotes") and "Paul Green" not in body:
                    failures.append((path, body[:200]))

        deadline = time.monotonic() + 60
        while True:
            threads = [threading.Thread(target=visitor) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert not failures, failures[:3]
            grown = {p.pid: cpu(p) - before[p.pid] for p in workers}
            if all(g > 0.2 for g in grown.values()):      # every process served a share
                break
            assert time.monotonic() < deadline, f"not every worker answers: CPU seconds {grown}"
        status, body = get(base, "/-/databases.json")
        assert status == 200 and [d["is_mutable"] for d in json.loads(body)] == [False]
        status, _ = get(base, "/quotes.json", sql="select 1")
        assert status == 403
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert not [p for p in workers if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def test_serve_refuses_unusable_metadata_before_starting(tmp_path):
    db_path = tmp_path / "quotes.db"
    result = CliRunner().invoke(cli, ["ingest", str(ROOT / "seeds"), "--db", str(db_path), "--quiet"])
    assert result.exit_code == 0, result.output
    bad = tmp_path / "metadata.yml"
    bad.write_text("databases: [unclosed\n", encoding="utf-8")
    for metadata in (bad, tmp_path / "missing.yml"):
        result = CliRunner().invoke(cli, ["serve", str(db_path), "--metadata", str(metadata), "--public"])
        assert result.exit_code == 1 and "not usable as Datasette metadata" in result.output, result.output


@pytest.mark.slow
def test_the_metadata_applies_to_a_database_of_any_name(tmp_path):
    """metadata.yml is written for "quotes"; served as "wikinews", the database keeps
    its canned queries, facets and descriptions."""
    db_path = tmp_path / "wikinews.db"
    result = CliRunner().invoke(cli, ["ingest", str(ROOT / "seeds"), "--db", str(db_path), "--quiet"])
    assert result.exit_code == 0, result.output
    proc, base = start_server(db_path)
    try:
        status, body = get(base, "/wikinews/speaker_quotes.json", speaker="rodriguez", _shape="array")
        assert status == 200 and json.loads(body), body[:300]
        status, body = get(base, "/wikinews/quotes.json")
        data = json.loads(body)
        assert status == 200 and {"speaker_id", "outlet", "statement_id", "published"} <= set(data["facet_results"])
        status, body = get(base, "/wikinews/statements")
        assert status == 200 and "What was said once" in body
    finally:
        proc.terminate()
        proc.wait(timeout=10)
