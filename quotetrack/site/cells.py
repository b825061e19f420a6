"""Links between quote, statement, speaker and article rows, for ``render_cell``.

Quote, statement, speaker and article cells (texts, names, titles and the ``*_id``
columns, in tables, rows and canned queries) link to the quotetrack pages; quote
text is shown as a quotation. Everything is escaped.
"""
from __future__ import annotations

import weakref

from markupsafe import Markup, escape

#: the tables that make a database a quotetrack database
QUOTETRACK_TABLES = frozenset({"quotes", "statements", "speakers", "articles", "quote_statements"})
#: table -> the column holding quoted words
QUOTE_TABLES = {"quotes": "text", "quotes_view": "text", "statements": "text"}
#: which page an id column points to
ID_COLUMNS = {"quote_id": "quote", "statement_id": "statement", "speaker_id": "speaker",
              "related_id": "speaker", "article_id": "article"}
#: table -> (column shown as the link text, page, column holding the page's id)
TEXT_LINKS = {
    "quotes": ("text", "quote", "id"),
    "quotes_view": ("text", "quote", "quote_id"),
    "statements": ("text", "statement", "id"),
    "speakers": ("name", "speaker", "id"),
    "articles": ("title", "article", "id"),
}
#: canned-query columns (no table): column -> (page, column holding the page's id), first match wins
QUERY_LINKS = {
    "text": (("quote", "quote_id"), ("statement", "statement_id")),
    "statement": (("statement", "statement_id"),),
    "speaker": (("speaker", "speaker_id"),),
    "article": (("article", "article_id"),),
    "title": (("article", "article_id"),),
}


class KnownDatabases:
    """Which databases of a Datasette are quotetrack's, looked up once per database.
    Kept beside each Datasette (a weak mapping), never as an attribute on it."""

    def __init__(self):
        self._by_datasette: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def known(self, datasette, database: str) -> bool | None:
        """True/False once looked up, None before."""
        return self._by_datasette.get(datasette, {}).get(database)

    async def check(self, datasette, database: str) -> bool:
        answer = self.known(datasette, database)
        if answer is None:
            try:
                names = set(await datasette.get_database(database).table_names())
            except KeyError:
                return False
            answer = QUOTETRACK_TABLES <= names
            self._by_datasette.setdefault(datasette, {})[database] = answer
        return answer


def page_url(datasette, database: str, page: str, ident) -> str:
    """The URL of a quotetrack page: ``/DB/-/statement/ID`` and so on."""
    return f"{datasette.urls.database(database)}/-/{page}/{int(ident)}"


def _row_value(row, column):
    try:
        value = row[column]
    except (KeyError, IndexError, TypeError):
        return None
    if isinstance(value, dict):          # an expanded foreign key
        value = value.get("value")
    return value


def _as_int(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _quote_html(value) -> Markup:
    return Markup(f'<q class="quotetrack-quote">{escape(value)}</q>')


def _link(url, inner) -> Markup:
    return Markup(f'<a class="qt-link" href="{escape(url)}">{escape(inner)}</a>')


def may_link(column, table) -> bool:
    """Can :func:`render` do anything with this cell? (Most cells of a table page: no.)"""
    if column in ID_COLUMNS:
        return True
    if table is None:
        return column in QUERY_LINKS
    return (table in TEXT_LINKS and column == TEXT_LINKS[table][0]) or QUOTE_TABLES.get(table) == column


def render(datasette, row, value, column, table, database):
    """The linked (and escaped) HTML for a cell, or None to leave it to Datasette."""
    quote_cell = table in QUOTE_TABLES and column == QUOTE_TABLES[table]
    if table in TEXT_LINKS and column == TEXT_LINKS[table][0] and isinstance(value, str):
        _, page, id_column = TEXT_LINKS[table]
        ident = _as_int(_row_value(row, id_column))
        inner = _quote_html(value) if quote_cell else value
        if ident is None:
            return inner if quote_cell else None
        return _link(page_url(datasette, database, page, ident), inner)
    if quote_cell and isinstance(value, str):
        return _quote_html(value)
    if column in ID_COLUMNS:
        page = ID_COLUMNS[column]
        if isinstance(value, dict):      # expanded foreign key: {"value": 3, "label": "..."}
            ident, label = _as_int(value.get("value")), value.get("label")
        else:
            ident, label = _as_int(value), None
        if ident is None:
            return None
        url = page_url(datasette, database, page, ident)
        if label not in (None, "", ident, str(ident)):
            return _link(url, label) + Markup(f"&nbsp;<em>{escape(ident)}</em>")
        return _link(url, ident)
    if table is None and column in QUERY_LINKS and isinstance(value, str):
        for page, id_column in QUERY_LINKS[column]:
            ident = _as_int(_row_value(row, id_column))
            if ident is not None:
                inner = _quote_html(value) if column == "text" else value
                return _link(page_url(datasette, database, page, ident), inner)
    return None


#: the plugin's one lookup of quotetrack databases (hooks receive only the Datasette)
known_databases = KnownDatabases()
