"""Datasette plugin for quotetrack databases.

Registered through the ``datasette`` entry point (``quotetrack =
"quotetrack.datasette_plugin"``), so ``datasette db/quotes.db -m metadata.yml``
picks it up once the package is installed. It adds:

- SQL functions on every connection:
  ``quotetrack_normalise(text)`` (the normalisation behind statement grouping) and
  ``quotetrack_context(text, start, end[, width])`` (the quote shown in place: the
  surrounding article text with the quoted words between ⟦ ⟧), e.g.
  ``select quotetrack_context(articles.text, quotes.start, quotes."end", 120)
  from quotes join articles on articles.id = quotes.article_id``.
- cell rendering: quote text in ``quotes.text``/``quotes_view.text``/``statements.text``
  shown as a quotation; all text is HTML-escaped.
"""
from __future__ import annotations

from datasette import hookimpl
from markupsafe import Markup

from .variants import normalise

QUOTE_TABLES = {"quotes": "text", "quotes_view": "text", "statements": "text"}


def quotetrack_normalise(text):
    return None if text is None else normalise(str(text))


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
    return "".join(
        [
            "…" if left > 0 else "",
            text[left:start],
            "⟦",
            text[start:end],
            "⟧",
            text[end:right],
            "…" if right < len(text) else "",
        ]
    )


@hookimpl
def prepare_connection(conn):
    conn.create_function("quotetrack_normalise", 1, quotetrack_normalise, deterministic=True)
    conn.create_function("quotetrack_context", 3, quotetrack_context, deterministic=True)
    conn.create_function("quotetrack_context", 4, quotetrack_context, deterministic=True)


@hookimpl
def render_cell(value, column, table):
    if table in QUOTE_TABLES and column == QUOTE_TABLES[table] and isinstance(value, str):
        # Markup.format escapes its arguments
        return Markup('<q class="quotetrack-quote">{}</q>').format(value)
    return None


def metadata_path():
    """The metadata.yml to serve with: the one in the working directory (a checkout
    or a user's own), else the repository's next to the installed package."""
    from pathlib import Path

    for candidate in (Path.cwd() / "metadata.yml", Path(__file__).resolve().parent.parent / "metadata.yml"):
        if candidate.is_file():
            return candidate
    return None
