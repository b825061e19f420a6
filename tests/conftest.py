import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = Path(os.environ.get("QUOTETRACK_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def nlp():
    from quotetrack.extract.pipeline import load_nlp
    return load_nlp()


@pytest.fixture(scope="session")
def shared_corpora():
    corpora = SHARED / "corpora"
    if not corpora.is_dir():
        pytest.skip(f"../shared/corpora not found at {corpora}; set QUOTETRACK_SHARED to run corpus tests")
    return corpora


@pytest.fixture
def sql_trace(monkeypatch) -> list[str]:
    """Every SQL statement run on the databases ``store.open_db`` opens from here on
    (the CLI's included), in order."""
    from quotetrack.db import store

    trace: list[str] = []
    real_open = store.open_db

    def traced_open(path, **options):
        db = real_open(path, **options)
        db.conn.set_trace_callback(trace.append)
        return db

    monkeypatch.setattr(store, "open_db", traced_open)
    return trace
