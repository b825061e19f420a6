"""Statement grouping over the seeds: incremental ingest, re-ingest, corrections, cache."""
import pytest
import sqlite_utils
from click.testing import CliRunner

from conftest import SEEDS
from quotetrack import ingest as ingesting
from quotetrack.db import store
from quotetrack.grouping import embeddings, statements
from quotetrack.cli import cli
from _seeds import EXPECTED_STATEMENTS, statement_groups

SEED_FILES = sorted(SEEDS.glob("*.txt"))


def ingest(db_path, *paths):
    result = CliRunner().invoke(cli, ["ingest", *map(str, paths), "--db", str(db_path), "--quiet"])
    assert result.exit_code == 0, result.output
    return sqlite_utils.Database(db_path)


def snapshot(db):
    return {t: list(db.query(f"select * from {t} order by 1, 2")) for t in
            ("speakers", "speaker_aliases", "statements", "quote_statements", "speaker_relations")}


@pytest.mark.parametrize("first", [(1, 4), (0, 2), (3,)])
def test_incremental_ingest_gives_the_same_groups(tmp_path, first):
    """Two seeds first (e.g. "vigorously" and "energetically", which only the later
    "decisively" ties together), then the rest: the same statements as all at once."""
    db = ingest(tmp_path / "q.db", *[SEED_FILES[i] for i in first])
    db = ingest(tmp_path / "q.db", SEEDS)
    assert db["articles"].count == 5
    assert statement_groups(db) == EXPECTED_STATEMENTS
    assert db["speakers"].count == 2


def test_reingest_changes_nothing(tmp_path):
    db = ingest(tmp_path / "q.db", SEEDS)
    before = snapshot(db)
    db = ingest(tmp_path / "q.db", SEEDS)
    assert snapshot(db) == before
    # and assigning again is a no-op too
    statements.assign_statements(db, [r["id"] for r in db["quotes"].rows])
    assert snapshot(db) == before


def test_embeddings_are_cached_in_the_database(tmp_path):
    db = ingest(tmp_path / "q.db", SEEDS)
    cached = db["embeddings"].count
    assert 0 < cached <= db["quotes"].count + 2     # only texts that reached the embedding stage
    embeddings._cache.clear()
    embedder = embeddings.Embedder(db)
    texts = [r["text"] for r in db.query("select text from quote_statements")]
    vectors = embedder.vectors(texts)
    assert len(vectors) >= cached and embedder.computed == len(vectors) - cached
    again = embeddings.Embedder(db)
    again.vectors(texts)
    assert again.computed == 0


def _statement_of(db, file_prefix, start):
    return next(db.query(
        "select q.id, q.statement_id from quotes q join articles a on a.id = q.article_id "
        "where a.path like ? and q.text like ?", [f"%{file_prefix}_%", start + "%"]))


def test_corrections_survive_later_ingests(tmp_path):
    db_path = tmp_path / "q.db"
    db = ingest(db_path, *SEED_FILES[:4])
    runner = CliRunner()
    # split 003's "We will act decisively" out of the ministry's statement
    q003 = _statement_of(db, "003", "We will act decisively")
    q000 = _statement_of(db, "000", "We will act decisively")
    assert q003["statement_id"] == q000["statement_id"]
    result = runner.invoke(cli, ["statements", "split", str(q003["id"]), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    # merge "even some in Cuba" into "incorporated into the military forces" (they are one sentence)
    some = _statement_of(db, "000", "even some in Cuba")["statement_id"]
    incorporated = _statement_of(db, "000", "incorporated into")["statement_id"]
    result = runner.invoke(cli, ["statements", "merge", str(incorporated), str(some), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert db["statement_corrections"].count == 2

    def check():
        assert _statement_of(db, "003", "We will act decisively")["statement_id"] != \
            _statement_of(db, "000", "We will act decisively")["statement_id"]
        assert _statement_of(db, "000", "even some in Cuba")["statement_id"] == \
            _statement_of(db, "000", "incorporated into")["statement_id"]

    check()
    # 004's "act energetically" matches both halves of the split: it must not join them again
    db = ingest(db_path, SEEDS)
    check()
    energetically = _statement_of(db, "004", "We will act energetically")["statement_id"]
    assert energetically in {_statement_of(db, "000", "We will act decisively")["statement_id"],
                             _statement_of(db, "003", "We will act decisively")["statement_id"]}
    assert statements.apply_corrections(db) == []      # nothing left to re-apply
    before = snapshot(db)
    ingest(db_path, SEEDS)
    assert snapshot(db) == before


def test_correction_errors(tmp_path):
    db_path = tmp_path / "q.db"
    db = ingest(db_path, SEED_FILES[4])
    runner = CliRunner()
    result = runner.invoke(cli, ["statements", "merge", "1", "999", "--db", str(db_path)])
    assert result.exit_code != 0 and "no statement 999" in result.output
    alone = _statement_of(db, "004", "the competent authorities")
    result = runner.invoke(cli, ["statements", "split", str(alone["id"]), "--db", str(db_path)])
    assert result.exit_code != 0 and "nothing to split" in result.output
    result = runner.invoke(cli, ["statements", "split", "1", "--db", str(tmp_path / "missing.db")])
    assert result.exit_code != 0 and "no such database" in result.output


def test_split_then_merge_back(tmp_path):
    db = ingest(tmp_path / "q.db", SEEDS)
    q = _statement_of(db, "004", "a firm and clear")
    old = q["statement_id"]
    new = statements.split_quote(db, q["id"])
    assert db["statements"].get(new)["quote_count"] == 1
    assert db["statements"].get(old)["quote_count"] == 2
    statements.merge_statements(db, old, new)
    assert db["statements"].get(old)["quote_count"] == 3
    assert not db["statements"].count_where("id = ?", [new])
    # the merge replaced the split: nothing contradictory is left to re-apply
    assert [r["action"] for r in db["statement_corrections"].rows] == ["merge"]
    assert statements.apply_corrections(db) == []


def test_a_correction_waits_for_an_ingest_that_holds_the_write_lock(tmp_path):
    """A user's merge or split while an ingest commits its batches waits its turn
    (busy timeout) instead of failing with "database is locked" at its first write."""
    import threading
    import time

    ingest(tmp_path / "q.db", SEEDS)
    db = ingesting.open_db(tmp_path / "q.db")
    q = _statement_of(db, "004", "a firm and clear")
    holding, done = threading.Event(), threading.Event()

    def an_ingest_batch():
        writer = ingesting.open_db(tmp_path / "q.db")
        writer.conn.execute("BEGIN IMMEDIATE")
        writer.execute("update articles set title = title")
        holding.set()
        time.sleep(0.5)
        writer.conn.execute("COMMIT")
        done.set()

    for correct in (lambda: statements.split_quote(db, q["id"]),
                    lambda: statements.merge_statements(db, q["statement_id"], _statement_of(db, "004", "a firm and clear")["statement_id"])):
        holding.clear(), done.clear()
        thread = threading.Thread(target=an_ingest_batch)
        thread.start()
        assert holding.wait(10)
        correct()                    # waits for the batch, then runs
        assert done.is_set()
        thread.join()
    assert _statement_of(db, "004", "a firm and clear")["statement_id"] == q["statement_id"]


def test_old_database_links_are_upgraded(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    store.migrations.apply(old, stop_before="m003_identities_and_statement_groups")
    old["articles"].insert({"id": 1, "path": "a.txt", "content_hash": "h", "text": 'He said "hello there all".',
                            "published": "2020-01-02"})
    old["speakers"].insert({"id": 1, "name": "Cuba's Foreign Ministry", "kind": "organisation",
                            "key": "cuba's foreign ministry"})
    old["speakers"].insert({"id": 2, "name": "Cuban Ministry of Foreign Affairs", "kind": "organisation",
                            "key": "cuban ministry of foreign affairs"})
    old["statements"].insert({"id": 1, "text": "hello there all", "speaker_id": 2})
    old["quotes"].insert({"id": 1, "article_id": 1, "start": 9, "end": 24, "text": "hello there all",
                          "speaker_id": 2, "statement_id": 1, "published": "2020-01-02"})
    old["quote_statements"].insert({"quote_id": 1, "statement_id": 1})
    old.close()
    db = ingesting.open_db(path)
    assert [r["key"] for r in db["speakers"].rows] == ["cuban foreign ministry"]
    assert db["quotes"].get(1)["speaker_id"] == 1
    link = next(db["quote_statements"].rows)
    assert link["text"] == "hello there all" and link["norm_hash"] and link["method"] == "legacy"
    assert db["statements"].get(1)["last_reported"] == "2020-01-02"


# --------------------------------------------------------------------------
# candidate retrieval: the term index (statement_terms) instead of every statement
# of the speaker

import random  # noqa: E402

from quotetrack.grouping import variants  # noqa: E402
from _generated import make_article  # noqa: E402

_SYLLABLES = "ka lo mi nu pe ra si to vu ze ba di fo gu ha je".split()


def _nonsense(rng, n):
    """n made-up words (never in COMMON_WORDS, never shared by chance)."""
    return " ".join("".join(rng.choice(_SYLLABLES) for _ in range(4)) for _ in range(n))


def _prolific_db(tmp_path, n_articles=40, per_article=10):
    """A speaker with n_articles * per_article statements over a year; the first
    article holds the one that later quotes render."""
    rng = random.Random(7)
    db = ingesting.open_db(tmp_path / "prolific.db")
    target = "The harbour reconstruction programme will finish before the monsoon season arrives"
    for i in range(n_articles):
        texts = [_nonsense(rng, 8) for _ in range(per_article)]
        if i == 0:
            texts[3] = target
        body = " ".join(f'Mayor Jane Prolific said "{t}."' for t in texts)
        published = f"2021-{1 + i * 11 // n_articles:02d}-{1 + i % 27:02d}"
        article, quotes = make_article(f"p{i}.txt", f"Outlet {i % 3}", published, f"Story {i}", body,
                                       [(t, "Jane Prolific", "Mayor Jane Prolific", "person") for t in texts])
        assert ingesting.save_article(db, article, quotes) is not None
    return db, target


def test_prolific_speakers_old_statement_is_still_found(tmp_path):
    """A truncation, a light rewording and a fuller quote of a statement the speaker made
    399 statements ago (not among the recent ones) all join it: the term index offers
    every statement a lexical stage can match, however many the speaker has."""
    db, target = _prolific_db(tmp_path)
    original = db.execute("select statement_id from quote_statements where text = ?", [target]).fetchone()[0]
    later = [
        "harbour reconstruction programme will finish before the monsoon season",            # contained
        "The harbour reconstruction programme will surely finish before the monsoon season arrives",  # reworded: the model
        "As promised the harbour reconstruction programme will finish before the monsoon season arrives "
        "and the port reopens",                                                               # contains it
    ]
    body = " ".join(f'Jane Prolific said "{t}."' for t in later)
    article, quotes = make_article("late.txt", "Late Outlet", "2021-12-20", "Late", body,
                                   [(t, "Jane Prolific", "Jane Prolific", "person") for t in later])
    ingesting.save_article(db, article, quotes)
    got = {r["text"]: (r["statement_id"], r["method"]) for r in db.query(
        "select qs.text, qs.statement_id, qs.method from quote_statements qs join quotes q on q.id = qs.quote_id "
        "where q.article_id = (select max(id) from articles)")}
    assert {t: st for t, (st, _) in got.items()} == {t: original for t in later}
    assert [m for _, m in got.values()] in (["fragment", "embedding", "contained"], ["fragment", "lexical", "contained"])
    # the speaker has 400 statements, the new sentences were compared with a handful
    assert db.execute("select count(*) from statements").fetchone()[0] == 400
    assigner = statements._Assigner(db)
    speaker = db.execute("select speaker_id from statements where id = ?", [original]).fetchone()[0]
    for t in later:
        norm = variants.normalise(t)
        members, _ = assigner.members({speaker}, -1, "2021-12-21", t, norm, len(norm.split()))
        assert original in {m.statement_id for m in members}
        assert len({m.statement_id for m in members}) <= 3


def _brute_force_matches(db, unit, speaker_ids):
    """Statements of the speakers (any date) that the lexical stages match: the old way."""
    out = set()
    for statement_id, text in db.execute(
            "select qs.statement_id, coalesce(qs.text, q.text) from quote_statements qs join quotes q "
            "on q.id = qs.quote_id join statements s on s.id = qs.statement_id "
            f"where s.speaker_id in ({', '.join('?' * len(speaker_ids))})", sorted(speaker_ids)):
        # what the term index promises: truncations and texts whose content words reach
        # a Jaccard similarity of JACCARD_THRESHOLD (the calibrated model then decides)
        ta, tb = variants.tokens(unit), variants.tokens(text)
        ca, cb = variants._content(ta), variants._content(tb)
        close = (len(ta) >= variants.MIN_OVERLAP_WORDS and len(tb) >= variants.MIN_OVERLAP_WORDS and ca and cb
                 and len(ca & cb) >= variants.JACCARD_THRESHOLD * len(ca | cb))
        if variants.cheap_judgement(unit, text).same or close:
            out.add(statement_id)
    return out


def test_term_index_offers_every_lexical_match(tmp_path):
    """Against a brute-force scan of all the speaker's statements, for sentences made
    by truncating, extending, rewording and reordering stored ones."""
    db, _ = _prolific_db(tmp_path, n_articles=12, per_article=8)
    rng = random.Random(3)
    stored = [r[0] for r in db.execute("select text from quote_statements")]
    speaker = db.execute("select speaker_id from statements limit 1").fetchone()[0]
    assigner = statements._Assigner(db)
    checked = 0
    for text in rng.sample(stored, 40):
        words = text.split()
        probes = [
            " ".join(words[1:-1]),                                  # truncation
            "and then " + text + " " + _nonsense(rng, 2),           # extension
            " ".join(words[:3] + [_nonsense(rng, 1)] + words[4:]),  # one word replaced
            " ".join(words[:2] + ["the", "very"] + words[2:]),      # stopword and one word added
        ]
        for probe in probes:
            norm = variants.normalise(probe)
            members, _ = assigner.members({speaker}, -1, "2021-06-01", probe, norm, len(norm.split()))
            offered = {m.statement_id for m in members}
            expected = _brute_force_matches(db, probe, {speaker})
            assert expected <= offered, probe
            checked += bool(expected)
    assert checked >= 80


def test_index_terms_prefix_filtering_is_complete():
    """Two sentences with a Jaccard of >= 0.8 share a prefix word; a contained one's
    rarest word is a word of the fuller one (random sentences, fixed seed)."""
    rng = random.Random(11)
    vocab = list(statements.COMMON_WORDS[:60]) + ["not", "never"] + [_nonsense(rng, 1) for _ in range(40)]
    for _ in range(3000):
        a = [rng.choice(vocab) for _ in range(rng.randint(5, 16))]
        b = list(a)
        for _ in range(rng.randint(0, 3)):
            op = rng.random()
            if op < 0.4 and len(b) > 5:
                del b[rng.randrange(len(b))]
            elif op < 0.8:
                b.insert(rng.randrange(len(b) + 1), rng.choice(vocab))
            else:
                b[rng.randrange(len(b))] = rng.choice(vocab)
        ta, pa = statements.index_terms(" ".join(a))
        tb, pb = statements.index_terms(" ".join(b))
        if not ta or not tb:
            continue
        ca = {t for t in ta if not variants._is_negation(t)}
        cb = {t for t in tb if not variants._is_negation(t)}
        if ca and cb and len(ca & cb) / len(ca | cb) >= variants.JACCARD_THRESHOLD:
            assert pa & pb
        if set(tb) <= set(ta):
            assert pb & set(ta)          # tb's rarest word is in pb and in ta


def test_term_index_follows_merges_splits_and_speakers(tmp_path):
    """After ingests, user corrections and a speaker merge, every member sentence is
    indexed under its statement and that statement's speaker; deleted statements
    leave no rows."""
    db = ingest(tmp_path / "q.db", SEEDS)
    q = _statement_of(db, "004", "a firm and clear")
    new = statements.split_quote(db, q["id"])
    statements.merge_statements(db, new, _statement_of(db, "000", "incorporated into")["statement_id"])
    rodriguez, ministry = [r["id"] for r in db.query("select id from speakers order by kind")]
    from quotetrack.identities import identities
    identities.merge_speakers(db, ministry, rodriguez)
    live = set(db.execute("select speaker_id, term, prefix, statement_id from statement_terms").fetchall())
    expected = set()
    for statement_id, speaker_id, text in db.execute(
            "select qs.statement_id, coalesce(s.speaker_id, 0), qs.text from quote_statements qs "
            "join statements s on s.id = qs.statement_id"):
        terms, prefix = statements.index_terms(text)
        expected |= {(speaker_id, t, int(t in prefix), statement_id) for t in terms}
    assert expected and expected <= live
    existing = {r[0] for r in db.execute("select id from statements")}
    assert {row[3] for row in live} <= existing
    speakers = dict(db.execute("select id, coalesce(speaker_id, 0) from statements").fetchall())
    assert all(speakers[st] == sp for sp, _, _, st in live)


def test_common_words_alone_never_reach_the_embedding_model(tmp_path):
    """Sentences of one speaker that share only common words and negations are not
    compared by embeddings; a translation-like pair that names the same country is."""
    db = ingesting.open_db(tmp_path / "e.db")
    texts = ["We are not going to let people down this time, believe me",
             "People think we are never going to get the job done right"]
    for i, t in enumerate(texts):
        article, quotes = make_article(f"c{i}.txt", "Outlet", "2022-03-0" + str(i + 1), "T", f'Ann Lee said "{t}."',
                                       [(t, "Ann Lee", "Ann Lee", "person")])
        ingesting.save_article(db, article, quotes)
    assert db["embeddings"].count == 0
    assert db["statements"].count == 2
    pair = ["Cuba plays no role in the war in Ukraine", "it does not form part of the conflict in Ukraine"]
    for i, t in enumerate(pair):
        article, quotes = make_article(f"u{i}.txt", "Outlet", "2022-03-0" + str(i + 4), "T", f'Ann Lee said "{t}."',
                                       [(t, "Ann Lee", "Ann Lee", "person")])
        ingesting.save_article(db, article, quotes)
    assert db["embeddings"].count == 2
    assert db["statements"].count == 3            # the translations are one statement


def test_term_index_is_built_for_an_existing_database(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    store.migrations.apply(old, stop_before="m005_statement_terms")
    long_text = "the harbour reconstruction programme will finish before the monsoon"
    old["articles"].insert({"id": 1, "path": "a.txt", "content_hash": "h", "text": long_text, "published": "2020-01-02"})
    old["speakers"].insert({"id": 1, "name": "Jane Prolific", "kind": "person", "key": "jane prolific"})
    old["statements"].insert({"id": 1, "text": long_text, "speaker_id": 1})
    old["quotes"].insert({"id": 1, "article_id": 1, "start": 0, "end": len(long_text), "text": long_text,
                          "speaker_id": 1, "statement_id": 1, "published": "2020-01-02"})
    old["quote_statements"].insert({"quote_id": 1, "statement_id": 1, "part": 0, "text": long_text,
                                    "norm_hash": statements.norm_hash(long_text), "method": "new"})
    old.close()
    db = ingesting.open_db(path)
    terms, prefix = statements.index_terms(long_text)
    assert set(db.execute("select speaker_id, term, prefix, statement_id from statement_terms").fetchall()) == \
        {(1, t, int(t in prefix), 1) for t in terms}
    # setting a quote's statement no longer rewrites its full-text entry; editing the text does
    assert "UPDATE OF" in db.execute("select sql from sqlite_master where name = 'quotes_au'").fetchone()[0]
    db.execute("update quotes set text = 'brand new words' where id = 1")
    assert [r[0] for r in db.execute("select rowid from quotes_fts where quotes_fts match 'brand'")] == [1]


def _may_be_same(a, b):
    wa = variants.normalise(a).split()
    return statements._may_be_same((wa, set(wa), variants._content(wa)), variants.normalise(b).split())


def test_word_filter_keeps_every_pair_the_cheap_stages_join():
    """Sentences made by truncating (with ellipses), extending, rewording and re-typing
    others (random, fixed seed): whenever the cheap stages find two the same, the word
    filter that spares them the guards lets them through (pairs only the lexical model
    finds the same are compared when the term index offers them for embeddings)."""
    rng = random.Random(5)
    vocab = list(statements.COMMON_WORDS[:40]) + ["not", "never", "don't", "the", "of", "1,000", "3.5",
                                                  "two", "Cuba's", "U.S."] + [_nonsense(rng, 1) for _ in range(30)]
    joined = 0
    for _ in range(4000):
        a = [rng.choice(vocab) for _ in range(rng.randint(5, 18))]
        op = rng.random()
        if op < 0.35:                                    # a truncation, maybe with a gap marked by ellipses
            i, j = sorted(rng.sample(range(len(a) + 1), 2))
            b = a[i:j]
            if len(b) > 4 and rng.random() < 0.5:
                k = rng.randrange(1, len(b) - 1)
                b = b[:k] + ["..."] + b[k + 1:]
        elif op < 0.6:                                   # an extension
            b = [rng.choice(vocab) for _ in range(rng.randint(0, 3))] + a + [rng.choice(vocab)]
        else:                                            # a few words changed, added or dropped
            b = list(a)
            for _ in range(rng.randint(1, 3)):
                k = rng.randrange(len(b))
                if rng.random() < 0.5:
                    b[k] = rng.choice(vocab)
                else:
                    b.insert(k, rng.choice(vocab))
        sa = " ".join(a)
        sb = " ".join(w.upper() if rng.random() < 0.1 else w for w in b) + rng.choice(["", ".", "!\u201d", "\u2026"])
        for x, y in ((sa, sb), (sb, sa)):
            if variants.cheap_judgement(x, y).stage in ("exact", "contained"):
                joined += 1
                assert _may_be_same(x, y), (x, y)
    assert joined > 1000


def test_word_overlap_does_not_depend_on_the_process(tmp_path):
    """The weighted overlap is summed exactly: a pair right at the 0.2 threshold is at
    it in every process, whatever order string hashing gives the shared words."""
    import subprocess
    import sys
    a = "We are, by the way, the number-one producer of energy in the world because of what we've done right now."
    b = "The United States is now the number one producer of oil and natural gas anywhere in the world."
    assert statements.word_overlap(a, b) == statements.EMBED_MIN_OVERLAP_NEAR
    code = f"from quotetrack.grouping import statements; print(repr(statements.word_overlap({a!r}, {b!r})))"
    seen = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**__import__("os").environ, "PYTHONHASHSEED": str(seed)}).stdout.strip()
            for seed in range(6)}
    assert seen == {"0.2"}


def test_a_shared_name_is_capitalised_on_both_sides():
    """A word weighs as a shared name only when both sentences capitalise it: the city
    of Nice is not the adjective, and one speaker's capitalised "Wall" is another's
    wall. A name that opens the other sentence is still a name there."""
    nice_city, nice_person = "You've seen what happened in Paris and Nice.", "I find him to be a very nice person."
    assert not statements.shared_name(nice_city, nice_person)
    wall = ("If there is no Wall, there is no Deal!", "If there's not a wall, we're doing nothing,")
    assert statements.word_overlap(*wall) < statements.EMBED_MIN_OVERLAP
    # "Ukraine" opens the second sentence: a name all the same, weighing double
    both = ("The war in Ukraine is not one the island takes part in.", "Ukraine is at war, and we play no role in it,")
    assert statements.shared_name(*both) and statements.shared_name(*reversed(both))
    assert statements.word_overlap(*both) > statements.word_overlap(both[0], both[1].replace("Ukraine", "ukraine"))


def test_counts_of_new_statements_need_no_refresh(tmp_path):
    """A statement created with one member gets its counts at creation; a full refresh
    changes nothing."""
    db = ingest(tmp_path / "q.db", SEEDS)
    before = list(db.query("select * from statements order by id"))
    assert any(r["quote_count"] == 1 for r in before) and any(r["quote_count"] > 1 for r in before)
    statements.refresh_statement_counts(db)
    assert list(db.query("select * from statements order by id")) == before
