"""Text helpers every layer shares: names folded for comparison, quotations normalised
for comparison, and stored dates read as calendar days.

They live here, below every step, so that the extraction, the store, the identities,
statement grouping and the site use one definition without importing each other.
"""
from __future__ import annotations

import datetime
import functools
import re
import unicodedata

__all__ = ["day", "fold", "fold_accents", "normalise", "tokens", "QUOTE_TABLE", "ELLIPSIS"]


# ---------------------------------------------------------------------------
# dates


def day(value) -> datetime.date | None:
    """The calendar day of a stored date ("2023-09-05", "2023-09-05T10:00:00Z"), or None."""
    if not value:
        return None
    try:
        found = datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
    # date windows reach a year either side: a placeholder year 1 has no such neighbours
    return found if datetime.MINYEAR + 1 < found.year < datetime.MAXYEAR - 1 else None


# ---------------------------------------------------------------------------
# names (speaker identities, the site's accent- and case-insensitive name matching)


def fold(text: str | None) -> str:
    """Accent- and case-insensitive, punctuation-free form of a name ("Cuba’s
    Foreign Ministry" -> "cuba's foreign ministry")."""
    if text is not None and len(text) <= 300:      # names and roles: cached (not article texts)
        return _fold_short(text)
    return _fold(text)


def _fold(text: str | None) -> str:
    if not text:
        return ""
    s = unicodedata.normalize("NFKD", text)
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = s.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    s = re.sub(r"[^\w\s'&-]+", " ", s)
    s = re.sub(r"(?<!\w)'|'(?!\w)", " ", s)
    return " ".join(s.split())


_fold_short = functools.lru_cache(maxsize=16384)(_fold)


def fold_accents(text: str) -> str:
    """Lower case without accents ("Rodríguez" -> "rodriguez")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# ---------------------------------------------------------------------------
# quotations (statement grouping, the embedding cache, the site's quotetrack_normalise)

_QUOTE_CHARS = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u00b4": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
    "\u00ab": '"', "\u00bb": '"', "\u2039": "'", "\u203a": "'",
}
#: curly and other quote marks and apostrophes -> straight ones (``str.translate``)
QUOTE_TABLE = str.maketrans(_QUOTE_CHARS)
#: an ellipsis: "…", "...", "[...]", "(...)"
ELLIPSIS = re.compile(r"\u2026|\.\s*\.\s*\.|\[\s*(?:\.\s*){3}\]|\(\s*(?:\.\s*){3}\)")
_THOUSANDS = re.compile(r"(?<=\d)[,\u00a0\u202f](?=\d{3}\b)")
_DECIMAL = re.compile(r"(?<=\d)[.,](?=\d)")
_NON_WORD = re.compile(r"[^\w\s']+")
_STRAY_APOSTROPHE = re.compile(r"(?<!\w)'|'(?!\w)")
_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=16384)
def normalise(text: str) -> str:
    """Normalise a quotation for comparison.

    Folds curly/straight quotes and apostrophes, drops ellipses ("…", "...",
    "[...]"), case (casefold), accents, punctuation and extra whitespace. Digit
    groups are kept together ("1,000" -> "1000", "3.5" -> "3_5") so numbers can be
    compared. Apostrophes inside words survive ("don't"), so negations stay visible.
    """
    if not text:
        return ""
    t = text.translate(QUOTE_TABLE)
    t = ELLIPSIS.sub(" ", t)
    t = _THOUSANDS.sub("", t)
    t = _DECIMAL.sub("_", t)
    t = fold_accents(t)
    t = _NON_WORD.sub(" ", t)
    t = _STRAY_APOSTROPHE.sub(" ", t)
    return _SPACES.sub(" ", t).strip()


def tokens(text: str) -> list[str]:
    """The words of ``normalise(text)``."""
    n = normalise(text)
    return n.split() if n else []
