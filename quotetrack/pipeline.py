"""``quotetrack.pipeline``, a public contract (see the README): the spaCy component and
``load_nlp``, now in :mod:`quotetrack.extract.pipeline`, and ``extract_articles`` for any
number of ``workers``, now in :mod:`quotetrack.extract.parallel`. Nothing inside
quotetrack imports this module (an import-linter contract says so)."""
from .extract.pipeline import *  # noqa: F401,F403
from .extract.pipeline import MODEL_NAMES, ModelByName, extract_text, load_nlp, model_for  # noqa: F401
from .extract.parallel import extract_articles  # noqa: F401
