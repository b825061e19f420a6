"""Several cores and a Dask cluster give the same output as one process."""
import gc
import json
import os

import pytest
from click.testing import CliRunner

from _generated import build_corpus, check_database, snapshot
from quotetrack.cli import cli


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = build_corpus(tmp_path_factory.mktemp("parallel") / "corpus", n_text=12, n_jsonl=14, seed=11)
    (root / "bad.txt").write_bytes(b"")                       # reported, the rest goes on
    (root / "noquotes.txt").write_text("Nothing quoted here at all.\n", encoding="utf-8")
    return root


@pytest.fixture
def pool_for_any_input(monkeypatch):
    """A pool however short the input (a real one skips the pool for a few articles)."""
    from quotetrack.extract import parallel

    monkeypatch.setattr(parallel, "MIN_ARTICLES_PER_WORKER", 1)


@pytest.mark.slow
def test_extract_with_two_workers_equals_one(corpus, pool_for_any_input):
    one = run("extract", corpus, "--json", "--all", "--workers", "1")
    two = run("extract", corpus, "--json", "--all", "--workers", "2", "--batch-size", "4")
    assert one.exit_code == two.exit_code == 1          # the empty file
    lines = one.stdout.splitlines()
    assert len(lines) > 50 and all(json.loads(line)["path"] for line in lines)
    assert two.stdout == one.stdout


def test_with_workers_the_calling_process_loads_no_model(corpus, monkeypatch, pool_for_any_input):
    """The writer of ``--workers 2`` never parses: only the workers hold a model."""
    from quotetrack.extract import pipeline

    expected = run("extract", corpus, "--json", "--all", "--workers", "2").stdout

    def refuse(*args, **kwargs):
        raise AssertionError("the calling process loaded a model")

    monkeypatch.setattr(pipeline, "load_nlp", refuse)
    again = run("extract", corpus, "--json", "--all", "--workers", "2")
    assert again.exit_code == 1 and again.stdout == expected and len(expected.splitlines()) > 50


def test_workers_default_to_the_usable_cores_at_most_eight(monkeypatch):
    from quotetrack import cli as cli_module
    from quotetrack.grouping import embeddings

    for cores, expected in ((1, 1), (2, 2), (8, 8), (64, 8)):
        monkeypatch.setattr(embeddings, "usable_cores", lambda cores=cores: cores)
        assert cli_module.default_workers() == expected
    for command in ("ingest", "extract"):
        option = next(p for p in cli.commands[command].params if p.name == "workers")
        assert option.default is cli_module.default_workers


def test_a_short_input_starts_fewer_processes_or_none(monkeypatch):
    from quotetrack.extract import parallel

    monkeypatch.setattr(parallel, "MIN_ARTICLES_PER_WORKER", 4)
    for n, workers, expected in ((0, 2, 1), (7, 2, 1), (8, 2, 2), (100, 2, 2), (13, 8, 3), (100, 8, 8), (100, 1, 1)):
        started, articles = parallel.planned(iter(range(n)), workers)
        assert (started, list(articles)) == (expected, list(range(n))), (n, workers)


def test_one_file_is_extracted_without_a_pool(corpus, monkeypatch):
    """The default --workers (every core) on one file: no pool, the same output."""
    from quotetrack.extract import parallel

    article = corpus / "seeds" / sorted(p.name for p in (corpus / "seeds").iterdir())[0]
    expected = run("extract", article, "--json", "--all", "--workers", "1")

    def no_pool(*args, **kwargs):
        raise AssertionError("a pool was started for one file")

    monkeypatch.setattr(parallel, "_make_pool", no_pool)
    got = run("extract", article, "--json", "--all", "--workers", "2")
    assert got.exit_code == expected.exit_code == 0 and got.stdout == expected.stdout and got.stdout


def test_ingest_sizes_the_embedding_threads_by_the_processes_started(corpus, tmp_path, monkeypatch):
    """A short input parses in the ingest process: grouping may then use every core."""
    from quotetrack import ingest as ingesting
    from quotetrack.extract import parallel
    from quotetrack.extract.pipeline import ModelByName
    from quotetrack.sources.formats import iter_articles

    monkeypatch.setattr(parallel, "_make_pool", lambda *a, **k: pytest.fail("a pool was started"))
    articles = [a for a in iter_articles([corpus / "seeds"]) if hasattr(a, "text")][:3]
    heard = []
    db = ingesting.open_db(tmp_path / "q.db")
    counts = ingesting.ingest_articles(db, articles, ModelByName(), workers=2, on_workers=heard.append)
    assert heard == [1] and counts["added"] == 3


@pytest.mark.slow
def test_ingest_with_two_workers_equals_one(corpus, tmp_path, pool_for_any_input):
    assert run("ingest", corpus, "--db", tmp_path / "one.db", "--quiet", "--workers", "1").exit_code == 1
    assert run("ingest", corpus, "--db", tmp_path / "two.db", "--quiet", "--workers", "2").exit_code == 1
    check_database(tmp_path / "two.db")
    expected, got = snapshot(tmp_path / "one.db"), snapshot(tmp_path / "two.db")
    assert len(expected["quotes"]) > 50
    for key in expected:
        assert got[key] == expected[key], key


@pytest.mark.slow
def test_dask_local_cluster_equals_single_process(corpus, tmp_path):
    pytest.importorskip("distributed", reason="dask[distributed] is not installed: pip install 'quotetrack[dask]'")
    from dask.distributed import Client, LocalCluster

    from quotetrack.ingest import ingest_distributed

    assert run("ingest", corpus, "--db", tmp_path / "one.db", "--quiet", "--workers", "1").exit_code == 1
    errors = []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        counts = ingest_distributed([corpus], tmp_path / "dask.db", client, partition_size=5,
                                    on_error=lambda where, msg: errors.append(where))
    assert counts["failed"] == 1 and "bad.txt" in errors[0]
    assert counts["added"] == len(snapshot(tmp_path / "one.db")["articles"])
    check_database(tmp_path / "dask.db")
    expected, got = snapshot(tmp_path / "one.db"), snapshot(tmp_path / "dask.db")
    for key in expected:
        assert got[key] == expected[key], key


def _worker_view():
    """Run in a pool worker: what it was started from."""
    from quotetrack.extract import parallel

    return {"pid": os.getpid(), "ppid": os.getppid(), "marker": hasattr(parallel, "_test_marker"),
            "pipes": list(parallel._nlp.pipe_names) if parallel._nlp is not None else None,
            "frozen": gc.get_freeze_count(), "module": parallel.__file__,
            "env": [os.environ.get(name) for name in (parallel._PRELOAD, "PYTHONSAFEPATH", "PYTHONPATH")]}


@pytest.mark.slow
def test_workers_are_not_copies_of_the_calling_process(monkeypatch):
    """The calling process is the SQLite writer, whose heap grows with the corpus: a
    worker (also one that replaces a worker after TASKS_PER_WORKER chunks) must not
    start as a copy of it. Workers are forked from a fork server that loaded the
    model: they do not see what the caller created after importing the pool module,
    and their parent is that server, not the caller."""
    from quotetrack.extract import parallel
    from quotetrack.extract.pipeline import load_nlp

    if "forkserver" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("no fork server on this platform (workers are spawned)")
    env = [os.environ.get(name) for name in (parallel._PRELOAD, "PYTHONSAFEPATH", "PYTHONPATH")]
    nlp = load_nlp()
    monkeypatch.setattr(parallel, "TASKS_PER_WORKER", 1)            # a new worker for every task
    monkeypatch.setattr(parallel, "_test_marker", bytearray(1 << 20), raising=False)
    pool, model = parallel._make_pool(nlp, 2)
    try:
        assert [os.environ.get(name) for name in (parallel._PRELOAD, "PYTHONSAFEPATH", "PYTHONPATH")] == env
        views = [r.get(timeout=120) for r in [pool.apply_async(_worker_view) for _ in range(6)]]
    finally:
        pool.terminate()
        pool.join()
    assert model is None
    assert len({v["pid"] for v in views}) == 6                       # replaced workers included
    assert not any(v["marker"] for v in views)
    assert os.getpid() not in {v["ppid"] for v in views}
    assert len({v["ppid"] for v in views}) == 1                      # one fork server
    assert all(v["pipes"] == nlp.pipe_names for v in views)          # the same pipeline, loaded...
    assert all(v["frozen"] > 10_000 for v in views)                  # ...in the server, before the fork
    assert {v["module"] for v in views} == {parallel.__file__}       # the same code as the caller
    assert all(v["env"] == env for v in views)                       # and the caller's environment
