"""Small generated news corpora for the robustness tests (deterministic from a seed).

Articles recombine a pool of speakers, outlets and statements, so the same
statement recurs across outlets (whole, truncated, or with a different speaker
mention) and speakers recur under full names, surnames and pronouns.
"""
from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

from quotetrack.records import Article, Quote

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

PEOPLE = [
    ("Ana Torres", "Torres", "she", "the transport minister"),
    ("Paul Green", "Green", "he", "the city treasurer"),
    ("Mariam Haddad", "Haddad", "she", "a union leader"),
    ("Jonas Berg", "Berg", "he", "the harbour master"),
    ("Lucía Fernández", "Fernández", "she", "the health commissioner"),
    ("Kwame Mensah", "Mensah", "he", "an opposition senator"),
    ("Ingrid Solheim", "Solheim", "she", "the mayor"),
    ("Tomás Ortega", "Ortega", "he", "a spokesman for the ministry"),
]
ORGS = ["the Ministry of Transport", "the city council", "the harbour authority", "the national rail company"]
OUTLETS = ["Daily Planet", "Morning Ledger", "Coastal Times", "The Courier", "Evening Post"]
STATEMENTS = [
    "We will open the new bridge in May, and not a day later",
    "The budget for next year is tight but it is balanced",
    "Nobody will lose their job because of this merger",
    "We have asked the government for 40 million euros to repair the harbour",
    "The strike will go on until the workers are heard",
    "Hospitals in the north will get 300 more nurses by the end of the year",
    "This is the worst flooding the region has seen in fifty years",
    "We do not accept the findings of the report",
    "The trains will run every ten minutes from September",
    "Our doors remain open to anyone who wants to talk",
    "The new law protects tenants from sudden rent increases",
    "We are not part of this dispute and we never were",
]
TOPICS = ["the bridge", "the budget", "the merger", "the harbour", "the strike", "the hospitals",
          "the floods", "the report", "the railway", "the talks", "the housing law", "the dispute"]
FILLER = [
    "The announcement came after weeks of negotiations between the parties.",
    "Critics have questioned whether the plan can be delivered on time.",
    "The proposal will be debated in parliament later this month.",
    "Local businesses have welcomed the decision, according to a survey published on Tuesday.",
    "Residents gathered outside the town hall on Monday evening.",
    "The figures have not been independently verified.",
]


def _truncate(text: str, rng: random.Random) -> str:
    words = text.split()
    if len(words) > 8 and rng.random() < 0.4:
        cut = rng.randint(5, len(words) - 1)
        return " ".join(words[:cut])
    return text


def article(i: int, rng: random.Random) -> dict:
    full, surname, pronoun, role = rng.choice(PEOPLE)
    other_full, other_surname, _, other_role = rng.choice(PEOPLE)
    k = rng.randrange(len(STATEMENTS))
    s1 = _truncate(STATEMENTS[k], rng)
    s2 = _truncate(STATEMENTS[rng.randrange(len(STATEMENTS))], rng)
    outlet = OUTLETS[i % len(OUTLETS)]
    day = 1 + (i % 28)
    paragraphs = [
        f"{full} speaks on {TOPICS[k]} ({i})",
        f"{full}, {role}, spoke to reporters on day {day} of the month about {TOPICS[k]}.",
        f"“{s1},” {surname} said.",
        rng.choice(FILLER),
        f"{other_full}, {other_role}, disagreed. “{s2},” {other_surname} told {outlet}.",
        f"“We will see,” {pronoun} added.",
        rng.choice(FILLER),
        f"In a statement, {rng.choice(ORGS)} said it was \"studying the plan\" with care.",
    ]
    return {"id": f"gen-{i}", "title": paragraphs[0], "outlet": outlet,
            "date": f"2024-03-{day:02d}", "text": "\n\n".join(paragraphs[1:]) + "\n"}


def build_corpus(root: Path, n_text: int = 24, n_jsonl: int = 24, seed: int = 7) -> Path:
    """seeds/ + ``n_text`` generated .txt articles + one .jsonl file of ``n_jsonl`` records."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(SEEDS, root / "seeds")
    gen = root / "generated"
    gen.mkdir()
    for i in range(n_text):
        a = article(i, rng)
        (gen / f"article_{i:03d}.txt").write_text(f"{a['title']}\n\nBy Staff Writer\n\n{a['text']}", encoding="utf-8")
    with open(root / "batch.jsonl", "w", encoding="utf-8") as fh:
        for i in range(n_text, n_text + n_jsonl):
            fh.write(json.dumps(article(i, rng), ensure_ascii=False) + "\n")
    return root


def snapshot(db_path) -> dict:
    """The content of a quotetrack database without ids or timestamps: what must be
    equal between two databases built from the same input."""
    import sqlite3

    conn = sqlite3.connect(str(db_path))
    try:
        articles = sorted(r[0] for r in conn.execute("select content_hash from articles"))
        quotes = sorted(conn.execute(
            """select a.content_hash, q.start, q."end", q.text, s.name, q.speaker_mention, q.kind
               from quotes q join articles a on a.id = q.article_id
               left join speakers s on s.id = q.speaker_id"""))
        speakers = sorted(r[0] for r in conn.execute("select name from speakers"))
        members: dict = {}
        for statement_id, ahash, start in conn.execute(
                """select qs.statement_id, a.content_hash, q.start from quote_statements qs
                   join quotes q on q.id = qs.quote_id join articles a on a.id = q.article_id"""):
            members.setdefault(statement_id, set()).add((ahash, start))
        statements = sorted(sorted(m) for m in members.values())
        main_statement = sorted(conn.execute(
            """select a.content_hash, q.start, st.text from quotes q join articles a on a.id = q.article_id
               left join statements st on st.id = q.statement_id"""))
    finally:
        conn.close()
    return {"articles": articles, "quotes": quotes, "speakers": speakers, "statements": statements,
            "main_statement": main_statement}


def check_database(db_path) -> dict:
    """Integrity checks a database must pass at any moment; returns row counts."""
    import sqlite3

    conn = sqlite3.connect(str(db_path))
    try:
        assert conn.execute("pragma integrity_check").fetchall() == [("ok",)]
        assert conn.execute("pragma foreign_key_check").fetchall() == []
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        for fts in ("quotes_fts", "articles_fts"):
            if fts in tables:
                # rank 1: also compare the index with the content table
                conn.execute(f"insert into {fts}({fts}, rank) values ('integrity-check', 1)")
        counts = {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0]
                  for t in ("articles", "quotes", "speakers", "statements", "quote_statements") if t in tables}
        if "quotes" in tables:
            # nothing half-written: every quote points into its article's text, every article
            # with quotes has all of them linked to statements
            bad = conn.execute(
                """select count(*) from quotes q join articles a on a.id = q.article_id
                   where substr(a.text, q.start + 1, q."end" - q.start) != q.text""").fetchone()[0]
            assert bad == 0
            # (a quote of a word or two, "summons", is no statement: it has no link)
            from quotetrack.grouping.statements import MIN_STATEMENT_WORDS
            from quotetrack.grouping.variants import tokens
            orphans = [t for (t,) in conn.execute(
                "select text from quotes where id not in (select quote_id from quote_statements)")
                if len(tokens(t)) >= MIN_STATEMENT_WORDS]
            assert orphans == []
            fts_rows = conn.execute("select count(*) from quotes_fts").fetchone()[0]
            assert fts_rows == counts["quotes"]
    finally:
        conn.close()
    return counts


def make_article(path, outlet, published, title, body, specs):
    """Article + Quotes from a body and (quoted text, speaker, mention, kind) specs."""
    article = Article(path=path, text=body, title=title, outlet=outlet, published=published,
                      paragraphs=[(0, len(body))])
    quotes = []
    for quoted, speaker, mention, kind in specs:
        start = body.index(quoted)
        q = Quote(start=start, end=start + len(quoted), text=quoted, speaker=speaker,
                  speaker_kind=kind, speaker_mention=mention, cue="said", confidence=0.9,
                  method="test")
        if mention:
            q.speaker_start = body.index(mention)
            q.speaker_end = q.speaker_start + len(mention)
        quotes.append(q)
    return article, quotes

