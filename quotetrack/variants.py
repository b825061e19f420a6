"""``quotetrack.variants``, a public contract (see the README): ``same_statement``,
``judge``, ``Judgement`` and ``threshold``, now in :mod:`quotetrack.grouping.variants`.
Nothing inside quotetrack imports this module (an import-linter contract says so)."""
from .grouping.variants import *  # noqa: F401,F403
from .grouping.variants import __all__  # noqa: F401
