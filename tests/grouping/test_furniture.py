"""Page furniture across articles: a sidebar one outlet repeats around its stories never
reaches quotes or statements, whatever the order of ingest; the same words quoted in
different sentences stay speech."""
import json
import sqlite3

from click.testing import CliRunner

from quotetrack.cli import cli
from quotetrack.grouping.furniture import MIN_ARTICLES

SIDEBAR = "Graham says House “must expose the whistleblower” before any vote Mueller Swan"


def article(n, outlet="The Daily Wire", sidebar=True):
    body = (f"Story number {n} about the budget\n\n"
            f"Senator Jane Doe{n} spoke on day {n}. “We will pass the budget number {n} this week,” "
            f"Jane Doe{n} said.\n\n"
            + (SIDEBAR + "\n\n" if sidebar else "")
            + f"Officials called the plan a “witch hunt” in a statement on day {n}.\n")
    return {"id": f"a{n}", "outlet": outlet, "date": f"2020-01-{n + 1:02d}", "title": f"Story {n}", "text": body}


def ingest(tmp_path, name, records):
    src = tmp_path / f"{name}.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(src), "--db", str(tmp_path / "q.db"), "--quiet"])
    assert result.exit_code == 0, result.output


def texts(tmp_path):
    with sqlite3.connect(tmp_path / "q.db") as conn:
        quotes = [r[0] for r in conn.execute("select text from quotes")]
        linked = [r[0] for r in conn.execute(
            "select q.text from quote_statements qs join quotes q on q.id = qs.quote_id")]
        statements = [r[0] for r in conn.execute("select text from statements")]
    return quotes, linked, statements


def test_one_article_keeps_the_sidebar_quote(tmp_path):
    ingest(tmp_path, "one", [article(0)])
    assert "must expose the whistleblower" in texts(tmp_path)[0]    # alone, nothing tells it apart


def test_sidebar_repeated_by_one_outlet_is_removed_with_its_statement(tmp_path):
    ingest(tmp_path, "first", [article(n) for n in range(MIN_ARTICLES)])
    quotes, linked, statements = texts(tmp_path)
    assert "must expose the whistleblower" not in quotes
    assert not any("whistleblower" in t for t in linked + statements)
    assert sum("witch hunt" == t for t in quotes) == MIN_ARTICLES      # speech in different sentences stays
    assert sum(t.startswith("We will pass the budget") for t in quotes) == MIN_ARTICLES


def test_later_articles_lose_the_remembered_sidebar_too(tmp_path):
    ingest(tmp_path, "first", [article(n) for n in range(MIN_ARTICLES)])
    ingest(tmp_path, "later", [article(MIN_ARTICLES + 1)])
    quotes, _, _ = texts(tmp_path)
    assert "must expose the whistleblower" not in quotes
    assert any(t.startswith(f"We will pass the budget number {MIN_ARTICLES + 1}") for t in quotes)


def test_below_the_threshold_or_across_outlets_it_stays(tmp_path):
    outlets = ["A", "B", "C", "D", "E", "F"]
    ingest(tmp_path, "spread", [article(n, outlet=o) for n, o in enumerate(outlets)]
           + [article(10 + n, outlet="G") for n in range(MIN_ARTICLES - 1)])
    quotes, _, _ = texts(tmp_path)
    assert quotes.count("must expose the whistleblower") == len(outlets) + MIN_ARTICLES - 1


def test_an_ingest_stopped_before_its_sweep_is_completed_by_the_next(tmp_path, monkeypatch):
    from quotetrack.grouping import furniture
    real = furniture.sweep
    monkeypatch.setattr(furniture, "sweep", lambda db, *a, **k: 0)   # killed after the last batch
    ingest(tmp_path, "first", [article(n) for n in range(MIN_ARTICLES)])
    assert "must expose the whistleblower" in texts(tmp_path)[0]
    monkeypatch.setattr(furniture, "sweep", real)
    ingest(tmp_path, "first", [article(n) for n in range(MIN_ARTICLES)])   # nothing new to add
    assert "must expose the whistleblower" not in texts(tmp_path)[0]
