import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = Path(os.environ.get("QUOTETRACK_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def nlp():
    from quotetrack.pipeline import load_nlp
    return load_nlp()


@pytest.fixture(scope="session")
def shared_corpora():
    corpora = SHARED / "corpora"
    if not corpora.is_dir():
        pytest.skip(f"../shared/corpora not found at {corpora}; set QUOTETRACK_SHARED to run corpus tests")
    return corpora
