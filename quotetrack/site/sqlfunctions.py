"""SQL functions the site adds to every connection (see ``hooks.prepare_connection``).

- ``quotetrack_normalise(text)``: the normalisation behind statement grouping;
- ``quotetrack_fold(text)``: a name without accents, case or punctuation, as speaker
  identities compare names (the canned queries find "Bruno Rodríguez" for "rodriguez");
- ``quotetrack_context(text, start, end[, width])``: a quote shown in place, the
  surrounding article text with the quoted words between ⟦ ⟧.
"""
from __future__ import annotations

import sqlite3

from ..text import fold, normalise


def quotetrack_normalise(text):
    return None if text is None else normalise(str(text))


def quotetrack_fold(text):
    """``text.fold``: "Bruno Rodríguez" -> "bruno rodriguez", for accent- and
    case-insensitive matching: ``quotetrack_fold(name) like '%' || quotetrack_fold(:speaker) || '%'``."""
    return None if text is None else fold(str(text))


def quotetrack_context(text, start, end, width=80):
    """``text[start:end]`` with up to ``width`` characters either side, the quote
    marked with ⟦ ⟧ and cuts marked with …. None when the offsets are unusable."""
    if text is None or start is None or end is None:
        return None
    try:
        start, end, width = int(start), int(end), max(0, int(width))
    except (TypeError, ValueError):
        return None
    if not (0 <= start <= end <= len(text)):
        return None
    left = max(0, start - width)
    right = min(len(text), end + width)
    return "".join(["…" if left > 0 else "", text[left:start], "⟦", text[start:end], "⟧", text[end:right],
                    "…" if right < len(text) else ""])


def register(conn: sqlite3.Connection) -> None:
    conn.create_function("quotetrack_normalise", 1, quotetrack_normalise, deterministic=True)
    conn.create_function("quotetrack_fold", 1, quotetrack_fold, deterministic=True)
    conn.create_function("quotetrack_context", 3, quotetrack_context, deterministic=True)
    conn.create_function("quotetrack_context", 4, quotetrack_context, deterministic=True)
