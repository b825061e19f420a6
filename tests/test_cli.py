"""The command line through click's runner: help, ingest, extract, errors."""
import gzip
import json
import re
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from quotetrack.cli import cli

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "Minister Ana Torres spoke on Monday.\n\n“We will open the new bridge in May,” Torres said.\n"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_help_explains_every_command():
    """Every command's --help says what it does, and every option has a help text."""
    result = run("--help")
    assert result.exit_code == 0
    for full, command in _commands(cli):
        assert full.split()[1] in result.output
        sub = run(*full.split()[1:], "--help")
        assert sub.exit_code == 0, full
        assert command.help and command.help.split("\n")[0].strip()[:40] in " ".join(sub.output.split()), full
        for param in command.params:
            if getattr(param, "opts", None) and param.param_type_name == "option":
                assert param.help, f"{full} {param.opts[0]} has no help text"


def _commands(group, prefix="quotetrack"):
    """Every command of the CLI with its full name, sub-commands of groups included."""
    for name, command in group.commands.items():
        full = f"{prefix} {name}"
        yield full, command
        if hasattr(command, "commands"):
            yield from _commands(command, full)


def test_every_option_is_documented_in_the_cli_reference():
    """docs/cli.md names every command and every long option of each; the README names the
    commands and links to it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert "docs/cli.md" in readme
    for full, command in _commands(cli):
        assert full in reference, f"{full} missing from docs/cli.md"
        section = reference.split(f"## {full}\n", 1)[-1].split("\n## ", 1)[0] if f"## {full}\n" in reference else ""
        for param in command.params:
            for opt in param.opts + param.secondary_opts:
                if opt.startswith("--") and opt != "--help":
                    assert f"`{opt}" in section, f"{full} {opt} missing from its section of docs/cli.md"
    for name in cli.commands:
        assert f"quotetrack {name}" in readme, f"quotetrack {name} missing from the README"


def test_ingest_jsonl_gz_and_text_folder(tmp_path):
    records = [
        {"id": "a1", "text": ARTICLE, "title": "Bridge", "outlet": "Daily", "date": "2024-05-01", "url": "https://x/1"},
        {"id": "a2", "text": "Nothing quoted here at all.", "outlet": "Weekly"},
    ]
    with gzip.open(tmp_path / "batch.jsonl.gz", "wt", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "other.md").write_text("“Budgets are tight this year,” said Paul Green, the treasurer.\n",
                                               encoding="utf-8")
    db_path = tmp_path / "q.db"
    result = run("ingest", tmp_path, "--db", db_path, "--quiet")
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(db_path)
    assert db["articles"].count == 3
    row = next(db.query("select * from articles where record_id = 'a1'"))
    assert (row["title"], row["outlet"], row["published"], row["url"]) == ("Bridge", "Daily", "2024-05-01", "https://x/1")
    speakers = {r["name"] for r in db.query("select name from speakers")}
    assert {"Ana Torres", "Paul Green"} <= speakers
    # the same content again, from another path and encoding: nothing added
    (tmp_path / "copy.txt").write_bytes((tmp_path / "sub" / "other.md").read_text(encoding="utf-8").encode("cp1252"))
    again = run("ingest", tmp_path / "copy.txt", "--db", db_path)
    assert again.exit_code == 0
    assert db["articles"].count == 3


def test_bad_files_are_reported_and_the_batch_goes_on(tmp_path):
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02garbage\x00" * 100)
    (tmp_path / "broken.jsonl").write_text('{"text": "“Fine words here today,” said Bo Li."}\n{not json\n{"title": "no text"}\n',
                                           encoding="utf-8")
    db_path = tmp_path / "q.db"
    result = run("ingest", tmp_path, "--db", db_path)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(errors) == 4, result.stderr
    assert any("empty.txt" in e for e in errors) and any("binary.txt" in e for e in errors)
    assert any(re.search(r"broken\.jsonl:2", e) for e in errors) and any("broken.jsonl:3" in e for e in errors)
    db = sqlite_utils.Database(db_path)
    assert db["articles"].count == 2   # good.txt and the good JSON line


def test_extract_json_contract_for_several_files(tmp_path):
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text(ARTICLE, encoding="utf-8")
    b.write_bytes("\ufeff“Rates stay where they are,” the central bank said in a statement.\n".encode("utf-8"))
    result = run("extract", "--json", a, b)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [Path(r["path"]).name for r in rows] == ["a.txt", "b.txt"]
    for r in rows:
        text = Path(r["path"]).read_text(encoding="utf-8-sig")
        assert text[r["start"]:r["end"]] == r["text"]
    assert rows[0]["speaker"] == "Ana Torres" and rows[0]["speaker_mention"] == "Torres"


def test_extract_plain_output(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text(ARTICLE, encoding="utf-8")
    result = run("extract", a)
    assert result.exit_code == 0
    assert "Ana Torres" in result.stdout and "We will open the new bridge in May," in result.stdout


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_missing_model_is_one_clear_error_and_creates_nothing(tmp_path, workers):
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    result = run("ingest", article, "--db", tmp_path / "q.db", "--model", "no_such_model", "--workers", workers)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        result.output.strip()] and "no spaCy model could be loaded (no_such_model)" in result.output
    assert not (tmp_path / "q.db").exists()


def test_serve_refuses_a_missing_database(tmp_path):
    result = run("serve", tmp_path / "nope.db")
    assert result.exit_code != 0
    assert "no such database" in result.output


def test_an_article_that_breaks_the_extractor_does_not_end_the_batch(tmp_path, monkeypatch):
    from quotetrack.extract import pipeline

    real = pipeline.quotes_in_doc

    def fragile(doc, spans, paragraphs, *args):
        if "EXPLODE" in doc.text:
            raise ValueError("simulated extractor failure")
        return real(doc, spans, paragraphs, *args)

    monkeypatch.setattr(pipeline, "quotes_in_doc", fragile)
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.txt").write_text("“EXPLODE on contact, please,” said Bo Li.\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text("“The third article is fine as well,” said Cy Young.\n", encoding="utf-8")
    db_path = tmp_path / "q.db"
    result = run("ingest", tmp_path, "--db", db_path)
    assert result.exit_code == 1
    assert [line for line in result.stderr.splitlines() if "error" in line] == [
        f"quotetrack: error: {tmp_path / 'b.txt'}: could not extract quotations: ValueError: simulated extractor failure"]
    assert sqlite_utils.Database(db_path)["articles"].count == 2
