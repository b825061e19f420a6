"""Several cores and a Dask cluster give the same output as one process."""
import json

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


@pytest.mark.slow
def test_extract_with_two_workers_equals_one(corpus):
    one = run("extract", corpus, "--json", "--all")
    two = run("extract", corpus, "--json", "--all", "--workers", "2", "--batch-size", "4")
    assert one.exit_code == two.exit_code == 1          # the empty file
    lines = one.stdout.splitlines()
    assert len(lines) > 50 and all(json.loads(line)["path"] for line in lines)
    assert two.stdout == one.stdout


@pytest.mark.slow
def test_ingest_with_two_workers_equals_one(corpus, tmp_path):
    assert run("ingest", corpus, "--db", tmp_path / "one.db", "--quiet").exit_code == 1
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

    from quotetrack.distributed import ingest_distributed

    assert run("ingest", corpus, "--db", tmp_path / "one.db", "--quiet").exit_code == 1
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
