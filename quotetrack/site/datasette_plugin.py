"""Datasette plugin for quotetrack databases.

Registered through the ``datasette`` entry point (``quotetrack =
"quotetrack.site.datasette_plugin"``), so ``datasette db/quotes.db -m metadata.yml``
picks it up once the package is installed. It adds:

- SQL functions on every connection:
  ``quotetrack_normalise(text)`` (the normalisation behind statement grouping),
  ``quotetrack_fold(text)`` (a name without accents, case or punctuation, as speaker
  identities compare names: the canned queries find "Bruno Rodríguez" for
  "rodriguez") and
  ``quotetrack_context(text, start, end[, width])`` (the quote shown in place: the
  surrounding article text with the quoted words between ⟦ ⟧), e.g.
  ``select quotetrack_context(articles.text, quotes.start, quotes."end", 120)
  from quotes join articles on articles.id = quotes.article_id``.
- cell rendering: quote text in ``quotes.text``/``quotes_view.text``/``statements.text``
  shown as a quotation; all text is HTML-escaped. Quote, statement, speaker and
  article cells (texts, names, titles and the ``*_id`` columns, in tables, rows
  and canned queries) link to the pages below.
- pages (``register_routes``, templates in ``quotetrack/templates/`` extending
  Datasette's ``base.html``), for a database published as ``DB``:

  - ``/DB/-/statement/ID``: the canonical text, the speaker, every rendering side by
    side with its outlet, date and article, word-level differences highlighted
    (against the canonical text, or ``?base=QUOTE_ID``), and a timeline of when each
    outlet first carried it;
  - ``/DB/-/quote/ID``: the quote in its article, highlighted, speaker mention marked;
  - ``/DB/-/speaker/ID``: aliases, statements, related speakers, quotes over time;
  - ``/DB/-/article/ID``: the article with all its quotes marked and linked;
  - ``/-/quotetrack/quotetrack.css``: the site's stylesheet (no external assets).

  The pages need the ``view-table`` permission on their table, like Datasette's
  own pages, and work on an immutable database with SQL off (``quotetrack serve
  --public``). The page logic (diffs, timeline, article markup) is in
  :mod:`quotetrack.site.pages`.
- speed on a published database: the database file memory-mapped on every
  connection; on an immutable database with SQL off, the results of queries without
  parameters (whole-table pages: rows, counts, facets) kept per process
  (:class:`ResultCache`, filled before the first request by :func:`precompute`).
- :func:`make_app`: the ASGI application each ``quotetrack serve`` worker process runs.
"""
from __future__ import annotations

import contextvars
import gc
import sys
import time
from collections import OrderedDict
from pathlib import Path

from datasette import hookimpl
from datasette.utils import tilde_decode, to_css_class
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from ..text import fold, normalise
from . import facet_pass, pages

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

QUOTE_TABLES = {"quotes": "text", "quotes_view": "text", "statements": "text"}


def quotetrack_normalise(text):
    return None if text is None else normalise(str(text))


def quotetrack_fold(text):
    """``text.fold``: accents, case, curly apostrophes and punctuation dropped
    ("Bruno Rodríguez" -> "bruno rodriguez"), for accent- and case-insensitive name
    matching: ``quotetrack_fold(name) like '%' || quotetrack_fold(:speaker) || '%'``."""
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


#: read the database file through a memory map of up to this many bytes (per file,
#: shared by every connection and worker process through the OS page cache): a
#: search page reads thousands of scattered quote rows, and through SQLite's default
#: 2 MB page cache per connection it took 3x as long (39 ms instead of 12 for
#: "president" on 5,000 AllSides articles)
MMAP_BYTES = 1 << 32


@hookimpl
def prepare_connection(conn, database, datasette):
    conn.create_function("quotetrack_normalise", 1, quotetrack_normalise, deterministic=True)
    conn.create_function("quotetrack_fold", 1, quotetrack_fold, deterministic=True)
    conn.create_function("quotetrack_context", 3, quotetrack_context, deterministic=True)
    conn.create_function("quotetrack_context", 4, quotetrack_context, deterministic=True)
    db = datasette.databases.get(database)
    if db is not None and not db.is_memory:
        conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")


# ---------------------------------------------------------------------------
# links between quote, statement, speaker and article rows

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
QUOTETRACK_TABLES = {"quotes", "statements", "speakers", "articles", "quote_statements"}


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


async def _is_quotetrack_db(datasette, database) -> bool:
    cache = datasette.__dict__.setdefault("_quotetrack_dbs", {})
    if database not in cache:
        try:
            names = set(await datasette.get_database(database).table_names())
        except KeyError:
            return False
        cache[database] = QUOTETRACK_TABLES <= names
    return cache[database]


def _quote_html(value) -> Markup:
    return Markup(f'<q class="quotetrack-quote">{escape(value)}</q>')


def _link(url, inner) -> Markup:
    return Markup(f'<a class="qt-link" href="{escape(url)}">{escape(inner)}</a>')


def _cell(datasette, row, value, column, table, database):
    """The linked (and escaped) HTML for a cell, or None to leave it to Datasette.
    (Called for every cell of every table page: plain string building, no
    ``Markup.format``.)"""
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


def _may_link(column, table) -> bool:
    """Can :func:`_cell` do anything with this cell? (Most cells of a table page: no.)"""
    if column in ID_COLUMNS:
        return True
    if table is None:
        return column in QUERY_LINKS
    return (table in TEXT_LINKS and column == TEXT_LINKS[table][0]) or QUOTE_TABLES.get(table) == column


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if not _may_link(column, table):
        return None
    known = datasette.__dict__.get("_quotetrack_dbs", {}).get(database)
    if known is not None:               # answered without a coroutine once the database is known
        return _cell(datasette, row, value, column, table, database) if known else None

    async def inner():
        if not await _is_quotetrack_db(datasette, database):
            return None
        return _cell(datasette, row, value, column, table, database)

    return inner


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.path("/-/quotetrack/quotetrack.css")]


@hookimpl
def menu_links(datasette, actor, request):
    async def inner():
        links = []
        for name in datasette.databases:
            if name == "_internal" or not await _is_quotetrack_db(datasette, name):
                continue
            suffix = "" if len(datasette.databases) <= 2 else f" ({name})"
            links += [
                {"href": datasette.urls.table(name, "statements"), "label": f"Statements{suffix}"},
                {"href": datasette.urls.table(name, "speakers"), "label": f"Speakers{suffix}"},
                {"href": datasette.urls.table(name, "quotes"), "label": f"Quotes{suffix}"},
            ]
        return links

    return inner


@hookimpl
def startup(datasette):
    _add_templates(datasette)
    for db in datasette.databases.values():
        if not db.is_memory and db.name != "_internal":
            ResultCache.install(db, keep=_cacheable(datasette, db))


@hookimpl
def asgi_wrapper(datasette):
    """Each request gets its own memo of facet passes (:mod:`quotetrack.site.facet_pass`);
    the unfiltered table pages of a published database are answered from
    :class:`KeptPages` once rendered."""
    def wrap(app):
        async def scoped(scope, receive, send):
            pages = datasette.__dict__.get("_quotetrack_pages")
            key = pages.key(scope) if pages is not None else None
            if key is not None and await pages.answer(key, send):
                return
            with facet_pass.request_scope():
                if key is None:
                    await app(scope, receive, send)
                else:
                    await pages.render(key, app, scope, receive, send)
        return scoped
    return wrap


def _add_templates(datasette):
    """Make the templates in ``quotetrack/templates`` available to Datasette's Jinja
    environment: after any ``--template-dir`` and the templates of packaged plugins
    (which can override them), before Datasette's defaults (our ``_table.html``
    replaces Datasette's). Datasette finds a plugin's templates only for plugins that
    are packages; this plugin is a module of the quotetrack package."""
    from jinja2 import ChoiceLoader, FileSystemLoader

    ours = str(TEMPLATES)
    loader = datasette.jinja_env.loader
    loaders = loader.loaders if isinstance(loader, ChoiceLoader) else [loader]
    if any(isinstance(l, FileSystemLoader) and ours in l.searchpath for l in loaders):
        return
    defaults = str(Path(_datasette_templates_dir()).resolve())
    for l in loaders:
        if isinstance(l, FileSystemLoader):
            paths = [str(Path(p).resolve()) for p in l.searchpath]
            if defaults in paths:
                l.searchpath.insert(paths.index(defaults), ours)
                return
    if isinstance(loader, ChoiceLoader):
        loader.loaders.append(FileSystemLoader(ours))
    else:
        datasette.jinja_env.loader = ChoiceLoader([loader, FileSystemLoader(ours)])


def _datasette_templates_dir() -> str:
    import datasette

    return str(Path(datasette.__file__).parent / "templates")


def table_rows_html(display_rows) -> Markup:
    """The ``<tr>`` of a table page, as Datasette's ``_table.html`` writes them."""
    out = []
    for row in display_rows:
        out.append("<tr>")
        for cell in row:
            out.append(f'<td class="col-{to_css_class(cell["column"])} type-{escape(cell["value_type"])}">'
                       f'{escape(cell["value"])}</td>')
        out.append("</tr>")
    return Markup("\n".join(out))


@hookimpl
def prepare_jinja2_environment(env, datasette):
    env.filters["quotetrack_table_rows"] = table_rows_html


# ---------------------------------------------------------------------------
# results kept on a published (immutable) database
#
# A table page without filters runs the same queries for every visitor: the first
# rows, count(*) and one GROUP BY over the whole table per facet. On an immutable
# database their results never change, so they are kept (per process) after the
# first run, like Datasette keeps the table counts of immutable databases; the
# quotes page's four facets went through all 56,000 quotes on every request
# (25 ms on 5,000 AllSides articles, growing with the database).
# `quotetrack serve --public` fills them before it answers (precompute), without the
# facet time limit, so the facets of even the biggest table never time out.
#
# The counts of a page filtered by columns (where a facet link leads: ?outlet=CNN,
# ?speaker_id=12) are kept too, in a store of their own so they never push out the
# whole-table results: they are a few rows each, and on 37,500 AllSides articles a
# big outlet's three facets cost 55 ms of GROUP BY over 44,000 quotes. Rows are
# never kept, and nothing of a full-text search: searches run every time.

#: SQL that may give another answer on the same data is never kept
_VOLATILE = ("random", "now", "current_", "changes(", "last_insert_rowid")


def _cacheable(datasette, db) -> bool:
    """Published read-only: an immutable file and no arbitrary SQL (so every query
    comes from Datasette's own pages, not from a visitor)."""
    return (not db.is_mutable and not db.is_memory and db.name != "_internal"
            and not datasette.setting("default_allow_sql"))


_uncapped = contextvars.ContextVar("quotetrack_uncapped", default=False)


class KeptResults:
    """Query results, the least recently used dropped beyond ``size`` results or
    ``max_bytes`` of values (a result over an eighth of that is not kept)."""

    def __init__(self, size: int, max_bytes: int):
        self.size, self.max_bytes = size, max_bytes
        self.results: OrderedDict = OrderedDict()      # key -> (results, bytes)
        self.bytes = 0

    def __len__(self):
        return len(self.results)

    def get(self, key):
        kept = self.results.get(key)
        if kept is None:
            return None
        self.results.move_to_end(key)
        return kept[0]

    def put(self, key, results) -> None:
        weight = self.weight(results)
        if key in self.results or weight > self.max_bytes // 8:
            return
        self.results[key] = (results, weight)
        self.bytes += weight
        while len(self.results) > self.size or self.bytes > self.max_bytes:
            _, (_, dropped) = self.results.popitem(last=False)
            self.bytes -= dropped

    @staticmethod
    def weight(results) -> int:
        """Roughly the bytes the result holds: its text and blobs, and 16 per value."""
        return sum(16 + (len(v) if isinstance(v, (str, bytes)) else 0) for row in results.rows for v in row)


def _table_indexes(conn, table: str) -> tuple[set[str], str | None, list[tuple[str, list[str]]]]:
    """A table's columns, its integer primary key (its rowid; None if it has none)
    and its indexes with their columns in order."""
    info = conn.execute("select name, type, pk from pragma_table_info(?)", [table]).fetchall()
    pks = [r for r in info if r[2] > 0]
    pk = pks[0][0] if len(pks) == 1 and pks[0][1].upper() == "INTEGER" else None
    indexes = []
    for (name,) in conn.execute("select name from pragma_index_list(?)", [table]).fetchall():
        cols = [r[0] for r in conn.execute("select name from pragma_index_info(?) order by seqno", [name])]
        if cols:
            indexes.append((name, cols))
    return {r[0] for r in info}, pk, indexes


class ResultCache:
    """Wraps ``Database.execute`` of one database. The count and facet queries of a
    filtered or searched table page are answered from one pass over the matching rows
    (:mod:`quotetrack.site.facet_pass`). With ``keep`` (an immutable database published
    with SQL off), the results of parameter-free SELECTs are kept (``whole``), and
    the counts and facet counts of pages filtered by columns (``filtered``)."""

    def __init__(self, db, keep: bool = True):
        self.db, self.keep = db, keep
        self.execute = db.execute        # Datasette's own
        self.execute_fn = db.execute_fn
        self.whole = KeptResults(size=512, max_bytes=64 << 20)
        self.filtered = KeptResults(size=8192, max_bytes=16 << 20)
        self.hits = self.misses = 0
        self.facets: dict[str, list[str]] = {}         # table -> configured facet expressions
        self.indexes: dict[tuple[str, str], tuple | None] = {}   # (table, column) -> (index led by it, key)
        self.covering: dict[tuple[str, frozenset], str | None] = {}  # (table, names read) -> index

    @classmethod
    def install(cls, db, keep: bool = True) -> ResultCache:
        cache = getattr(db, "quotetrack_cache", None)
        if cache is None:
            cache = db.quotetrack_cache = cls(db, keep=keep)
            db.execute = cache.cached_execute
        return cache

    def facets_of(self, table: str) -> list[str]:
        if table not in self.facets:
            metadata = self.db.ds.table_metadata(self.db.name, table) or {}
            self.facets[table] = facet_pass.facet_expressions(metadata.get("facets"))
        return self.facets[table]

    async def index_on(self, table: str, column: str) -> tuple[str | None, str] | None:
        """The narrowest index of ``table`` whose first column is ``column`` (None:
        there is none) and the table's integer primary key (its rowid); None without
        such a key."""
        key = (table, column)
        if key not in self.indexes:
            def find(conn):
                _, pk, indexes = _table_indexes(conn, table)
                if pk is None:
                    return None
                led = [(len(cols), name) for name, cols in indexes if cols[0] == column]
                return (min(led)[1] if led else None), pk
            self.indexes[key] = await self.execute_fn(find)
        return self.indexes[key]

    def covering_index(self, conn, table: str, names: frozenset[str]) -> str | None:
        """The narrowest index of ``table`` led by its integer primary key (its rowid)
        that holds every column of the table among ``names``; None: there is none.
        Looked up on ``conn`` once per process."""
        key = (table, names)
        if key not in self.covering:
            columns, pk, indexes = _table_indexes(conn, table)
            wanted = columns & names
            found = [(len(cols), name) for name, cols in indexes if cols[0] == pk and wanted <= set(cols)]
            self.covering[key] = min(found)[1] if pk is not None and found else None
        return self.covering[key]

    @staticmethod
    def keepable(sql: str, params) -> bool:
        lowered = sql.lstrip().lower()
        if not lowered.startswith("select") or any(word in lowered for word in _VOLATILE):
            return False
        # with parameters: only the count and facet counts of a page filtered by
        # columns, never rows nor anything of a search
        return not params or (facet_pass.counts_values(sql) and " match " not in lowered)

    async def cached_execute(self, sql, params=None, truncate=False, custom_time_limit=None, page_size=None,
                             log_sql_errors=True):
        limit_ms = self.db.ds.setting("sql_time_limit_ms")
        if params and not page_size:
            answered = await facet_pass.answer(self.execute_fn, sql, params, self.facets_of, limit_ms,
                                               self.covering_index)
            if answered is not None:
                return answered
        if page_size:        # a table page's rows
            sql = await facet_pass.rows_sql(self.execute_fn, sql, params or {}, self.facets_of, limit_ms,
                                            self.index_on, self.covering_index)
        key = None
        if self.keep and self.keepable(sql, params):
            try:
                key = (sql, tuple(sorted((params or {}).items())), bool(truncate), page_size)
                hash(key)
            except TypeError:   # parameter values that cannot be sorted or hashed: not kept
                key = None
        if key is None:
            return await self.execute(sql, params, truncate=truncate, custom_time_limit=custom_time_limit,
                                      page_size=page_size, log_sql_errors=log_sql_errors)
        store = self.filtered if params else self.whole
        kept = store.get(key)
        if kept is not None:
            self.hits += 1
            return kept
        self.misses += 1
        if _uncapped.get():
            results = await self._run_without_time_limit(sql, params, truncate, page_size)
        else:
            results = await self.execute(sql, params, truncate=truncate, custom_time_limit=custom_time_limit,
                                         page_size=page_size, log_sql_errors=log_sql_errors)
        store.put(key, results)
        return results

    async def _run_without_time_limit(self, sql, params, truncate, page_size):
        """What ``Database.execute`` does (same truncation), without its time limit."""
        from datasette.database import Results

        ds = self.db.ds
        page_size = page_size or ds.page_size

        def run(conn):
            cursor = conn.cursor()
            cursor.execute(sql, params or {})
            max_rows = ds.max_returned_rows
            if max_rows == page_size:
                max_rows += 1
            if max_rows and truncate:
                rows = cursor.fetchmany(max_rows + 1)
                truncated = len(rows) > max_rows
                rows = rows[:max_rows]
            else:
                rows, truncated = cursor.fetchall(), False
            return Results(rows, truncated, cursor.description)

        return await self.db.execute_fn(run)


class KeptPages:
    """Whole responses of the pages that are the same for every visitor of a published
    database: its page and its tables' and views' pages without a query string (the
    rows, counts and facets of which :class:`ResultCache` keeps already), asked with
    GET by a visitor without cookies or credentials (``Vary: Cookie, Authorization``).
    Rendering such a page still cost 11-17 ms of CPU (30 quotes, four facets); a
    kept one is sent as it was. Keyed by the request's scheme and host as well (the
    ``Link`` header names them); only a 200 without ``Set-Cookie`` is kept, at most
    ``max_bytes`` in all (one page is 50-300 KB; a page over an eighth is not kept)."""

    def __init__(self, paths: set[str], max_bytes: int = 32 << 20):
        self.paths, self.max_bytes = paths, max_bytes
        self.pages: dict[tuple, tuple[int, list, bytes]] = {}
        self.bytes = self.hits = 0

    def key(self, scope) -> tuple | None:
        if scope.get("type") != "http" or scope.get("method") != "GET" or scope.get("query_string"):
            return None
        if scope.get("path") not in self.paths:
            return None
        headers = dict(scope.get("headers") or [])
        if b"cookie" in headers or b"authorization" in headers:
            return None
        return scope.get("scheme"), headers.get(b"host"), scope["path"]

    async def answer(self, key, send) -> bool:
        kept = self.pages.get(key)
        if kept is None:
            return False
        status, headers, body = kept
        self.hits += 1
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return True

    async def render(self, key, app, scope, receive, send) -> None:
        start, chunks = None, []

        async def keeping(message):
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await app(scope, receive, keeping)
        if start is None or start["status"] != 200:
            return
        headers = list(start.get("headers") or [])
        if any(name.lower() == b"set-cookie" for name, _ in headers):
            return
        body = b"".join(chunks)
        if len(body) > self.max_bytes // 8 or self.bytes + len(body) > self.max_bytes or key in self.pages:
            return
        self.pages[key] = (start["status"], headers, body)
        self.bytes += len(body)


async def precompute(datasette) -> dict:
    """Run the unfiltered page of every table and view of every published quotetrack
    database once (as JSON: the same queries as the HTML page), without time limits,
    so their rows, counts and facets are ready before the first visitor, and names
    those pages (and each database's page) for :class:`KeptPages`. Returns
    ``{database: seconds}``."""
    timings = {}
    paths: set[str] = set()
    token = _uncapped.set(True)
    try:
        for name, db in list(datasette.databases.items()):
            cache = getattr(db, "quotetrack_cache", None)
            if cache is None or not cache.keep or not await _is_quotetrack_db(datasette, name):
                continue
            started = time.perf_counter()
            await db.table_counts(limit=3_600_000)       # what Datasette counts at its first request
            hidden = set(await db.hidden_table_names())
            paths.add(str(datasette.urls.database(name)))
            for table in [t for t in await db.table_names() if t not in hidden] + await db.view_names():
                try:
                    await datasette.client.get(datasette.urls.table(name, table, format="json"))
                    paths.add(str(datasette.urls.table(name, table)))
                except Exception as e:  # noqa: BLE001 - the page computes its results when visited
                    sys.stderr.write(f"quotetrack: could not precompute /{name}/{table}: {type(e).__name__}: {e}\n")
            timings[name] = time.perf_counter() - started
    finally:
        _uncapped.reset(token)
    if paths:
        datasette._quotetrack_pages = KeptPages(paths)
    return timings


# ---------------------------------------------------------------------------
# pages


async def _database(datasette, request, table):
    """The quotetrack database named in the URL, after the permission checks of a
    table page; NotFound for an unknown database or one that is not quotetrack's."""
    route = tilde_decode(request.url_vars["database"])
    try:
        db = datasette.get_database(route=route)
    except KeyError:
        raise NotFound(f"Database not found: {route}")
    await datasette.ensure_permissions(
        request.actor, [("view-table", (db.name, table)), ("view-database", db.name), "view-instance"])
    if not await _is_quotetrack_db(datasette, db.name):
        raise NotFound(f"{db.name} is not a quotetrack database")
    return db


def _dict(row):
    return {k: row[k] for k in row.keys()}


async def _rows(db, sql, params=None):
    return [_dict(r) for r in (await db.execute(sql, params or {})).rows]


async def _one(db, sql, params=None):
    rows = await _rows(db, sql, params)
    return rows[0] if rows else None


async def _columns(db, table):
    return set(await db.table_columns(table))


def _ident(request):
    return int(request.url_vars["id"])


async def _render(datasette, request, template, db, context):
    urls = {
        page: (lambda ident, page=page: page_url(datasette, db.name, page, ident))
        for page in ("quote", "statement", "speaker", "article")
    }
    context = {
        "database": db.name,
        "database_url": datasette.urls.database(db.name),
        "qt": urls,
        "row_url": lambda table, ident: datasette.urls.row(db.name, table, str(int(ident))),
        "table_url": lambda table: datasette.urls.table(db.name, table),
        **context,
    }
    return Response.html(await datasette.render_template(template, context, request=request))


async def statement_page(datasette, request):
    db = await _database(datasette, request, "statements")
    ident = _ident(request)
    statement = await _one(db, "select id, text, speaker_id, first_reported, quote_count, article_count, "
                               "outlet_count from statements where id = :id", {"id": ident})
    if statement is None:
        raise NotFound(f"No statement {ident}")
    speaker = None
    if statement["speaker_id"] is not None:
        speaker = await _one(db, "select id, name, kind from speakers where id = :id", {"id": statement["speaker_id"]})
    sentence = ("(select qs.text from quote_statements qs where qs.quote_id = q.id and qs.statement_id = :id "
                "and qs.text is not null limit 1)" if "text" in await _columns(db, "quote_statements") else "null")
    variants = await _rows(db, f"""
        select q.id as quote_id, q.text, {sentence} as sentence,
               coalesce(q.outlet, a.outlet) as outlet, coalesce(q.published, a.published) as published,
               q.article_id, a.title as article_title, a.url, q.speaker_mention, q.speaker_id,
               sp.name as speaker_name
        from quotes q
        join articles a on a.id = q.article_id
        left join speakers sp on sp.id = q.speaker_id
        where q.id in (select quote_id from quote_statements where statement_id = :id) or q.statement_id = :id
        order by coalesce(q.published, a.published) is null, coalesce(q.published, a.published), q.id
        """, {"id": ident})
    base_id = request.args.get("base")
    base = next((v for v in variants if str(v["quote_id"]) == base_id), None)
    base_text = (base["sentence"] or base["text"]) if base else statement["text"]
    base_keys = pages.word_keys(base_text)
    wordings: set[tuple[str, ...]] = set()      # distinct wordings, by their words
    for v in variants:
        v["compared"] = v["sentence"] or v["text"]
        keys = pages.word_keys(v["compared"])
        v["same_as_base"] = keys == base_keys
        v["diff"] = pages.render_diff(base_text, v["compared"])
        v["is_base"] = base is not None and v["quote_id"] == base["quote_id"]
        v["url"] = pages.safe_url(v["url"])
        wordings.add(keys)
    timeline, first, last = pages.outlet_timeline(variants)
    return await _render(datasette, request, "quotetrack_statement.html", db, {
        "statement": statement, "speaker": speaker, "variants": variants, "base": base,
        "wordings": len(wordings), "timeline": timeline, "first": first, "last": last,
    })


async def quote_page(datasette, request):
    db = await _database(datasette, request, "quotes")
    ident = _ident(request)
    quote = await _one(db, "select * from quotes where id = :id", {"id": ident})
    if quote is None:
        raise NotFound(f"No quote {ident}")
    article = await _one(db, "select id, title, outlet, published, url, text, author from articles where id = :id",
                         {"id": quote["article_id"]})
    speaker = None
    if quote.get("speaker_id") is not None:
        speaker = await _one(db, "select id, name, kind from speakers where id = :id", {"id": quote["speaker_id"]})
    statements = await _rows(db, """
        select id, text, quote_count, outlet_count, first_reported from statements
        where id in (select statement_id from quote_statements where quote_id = :id) or id = :main
        order by id = :main desc, id""", {"id": ident, "main": quote.get("statement_id")})
    others = await _rows(db, "select id, start, \"end\", text from quotes where article_id = :a and id != :id "
                             "order by start", {"a": quote["article_id"], "id": ident})
    text = (article or {}).get("text") or ""
    start, end = quote.get("start"), quote.get("end")
    offsets_ok = isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
    spans = [pages.Span(start, end, "quote")] if offsets_ok else []
    if quote.get("speaker_start") is not None and quote.get("speaker_end") is not None:
        spans.append(pages.Span(quote["speaker_start"], quote["speaker_end"], "speaker",
                               title=f"speaker: {speaker['name']}" if speaker else "speaker"))
    for o in others:
        spans.append(pages.Span(o["start"], o["end"], "other", href=page_url(datasette, db.name, "quote", o["id"])))
    return await _render(datasette, request, "quotetrack_quote.html", db, {
        "quote": quote, "article": article, "speaker": speaker, "statements": statements,
        "article_html": pages.render_article(text, spans), "offsets_ok": offsets_ok,
        "article_url": pages.safe_url((article or {}).get("url")),
        "outlet": quote.get("outlet") or (article or {}).get("outlet"),
        "published": quote.get("published") or (article or {}).get("published"),
    })


#: a speaker page lists at most this many statements (the most quoted) and quotes (the
#: newest); the counts, and the bar of every day, cover all of them, and the page links
#: to the full lists (a speaker quoted 20,000 times made a 12 MB page that took 1.7 s)
SPEAKER_PAGE_ROWS = 200


async def speaker_page(datasette, request):
    db = await _database(datasette, request, "speakers")
    ident = _ident(request)
    speaker = await _one(db, "select * from speakers where id = :id", {"id": ident})
    if speaker is None:
        raise NotFound(f"No speaker {ident}")
    params = {"id": ident, "limit": SPEAKER_PAGE_ROWS}
    aliases = await _rows(db, "select alias, quote_count from speaker_aliases where speaker_id = :id "
                              "order by quote_count desc, alias limit :limit", params)
    statement_count = (await _one(db, "select count(*) as n from statements where speaker_id = :id", params))["n"]
    statements = await _rows(db, """
        select * from (
          select id, text, first_reported, quote_count, article_count, outlet_count from statements
          where speaker_id = :id order by quote_count desc, id limit :limit)
        order by first_reported is null, first_reported, id""", params)
    quote_count = (await _one(db, "select count(*) as n from quotes where speaker_id = :id", params))["n"]
    published = "coalesce(q.published, a.published)"
    quotes = await _rows(db, f"""
        select * from (
          select q.id, q.text, q.speaker_mention, q.statement_id, q.article_id,
                 coalesce(q.outlet, a.outlet) as outlet, {published} as published, a.title as article_title
          from quotes q join articles a on a.id = q.article_id
          where q.speaker_id = :id
          order by {published} is null, {published} desc, q.id desc limit :limit)
        order by published is null, published, id""", params)
    day_counts = None
    if quote_count > len(quotes):
        day_counts = [(r["published"], r["n"]) for r in await _rows(db, f"""
            select substr({published}, 1, 10) as published, count(*) as n
            from quotes q join articles a on a.id = q.article_id
            where q.speaker_id = :id group by 1""", params)]
    related = []
    if "speaker_relations" in await db.table_names():
        related = await _rows(db, """
            select s.id, s.name, s.kind, r.reason from speaker_relations r join speakers s on s.id = r.related_id
            where r.speaker_id = :id
            union
            select s.id, s.name, s.kind, r.reason from speaker_relations r join speakers s on s.id = r.speaker_id
            where r.related_id = :id
            order by 2""", {"id": ident})
    return await _render(datasette, request, "quotetrack_speaker.html", db, {
        "speaker": speaker, "aliases": aliases, "statements": statements, "quotes": quotes,
        "statement_count": statement_count, "quote_count": quote_count,
        "quotes_url": datasette.urls.table(db.name, "quotes") + f"?speaker_id={int(ident)}",
        "days": pages.quotes_over_time(quotes, day_counts), "related": related,
    })


async def article_page(datasette, request):
    db = await _database(datasette, request, "articles")
    ident = _ident(request)
    article = await _one(db, "select id, title, outlet, published, url, text, author from articles where id = :id",
                         {"id": ident})
    if article is None:
        raise NotFound(f"No article {ident}")
    quotes = await _rows(db, """
        select q.id, q.start, q."end", q.text, q.speaker_mention, q.speaker_start, q.speaker_end,
               q.statement_id, q.speaker_id, sp.name as speaker_name
        from quotes q left join speakers sp on sp.id = q.speaker_id
        where q.article_id = :id order by q.start""", {"id": ident})
    spans = []
    for q in quotes:
        who = q["speaker_name"] or "unknown speaker"
        spans.append(pages.Span(q["start"], q["end"], "other", href=page_url(datasette, db.name, "quote", q["id"]),
                               title=f"quote {q['id']}: {who}"))
        if q["speaker_start"] is not None and q["speaker_end"] is not None:
            spans.append(pages.Span(q["speaker_start"], q["speaker_end"], "speaker", title=f"speaker: {who}"))
    return await _render(datasette, request, "quotetrack_article.html", db, {
        "article": article, "quotes": quotes, "article_html": pages.render_article(article["text"], spans),
        "article_url": pages.safe_url(article["url"]),
    })


async def stylesheet(datasette, request):
    return Response((STATIC / "quotetrack.css").read_text(encoding="utf-8"), status=200,
                    headers={"cache-control": "max-age=3600"}, content_type="text/css; charset=utf-8")


@hookimpl
def register_routes():
    db = r"(?P<database>[^/]+)"
    return [
        (rf"^/{db}/-/statement/(?P<id>\d+)$", statement_page),
        (rf"^/{db}/-/quote/(?P<id>\d+)$", quote_page),
        (rf"^/{db}/-/speaker/(?P<id>\d+)$", speaker_page),
        (rf"^/{db}/-/article/(?P<id>\d+)$", article_page),
        (r"^/-/quotetrack/quotetrack\.css$", stylesheet),
    ]


def metadata_path():
    """The metadata.yml to serve with: the one in the working directory (a checkout
    or a user's own), else the repository's next to the installed package."""
    from pathlib import Path

    for candidate in (Path.cwd() / "metadata.yml", Path(__file__).resolve().parents[2] / "metadata.yml"):
        if candidate.is_file():
            return candidate
    return None


# ---------------------------------------------------------------------------
# serving: `quotetrack serve` runs this in each of its uvicorn worker processes

#: environment variable through which `quotetrack serve` configures its workers (JSON)
SERVE_CONFIG = "QUOTETRACK_SERVE"


def make_app():
    """ASGI application factory for ``uvicorn quotetrack.site.datasette_plugin:make_app
    --factory``: a Datasette configured by the JSON in ``$QUOTETRACK_SERVE`` (written by
    ``quotetrack serve``: ``files``, ``immutables``, ``metadata``, ``settings``,
    ``secret``). Each worker process builds its own Datasette; before it takes
    requests (ASGI lifespan startup) it runs the plugins' startup hooks and
    :func:`precompute`. The workers share ``secret``, so signed cookies and CSRF
    tokens made by one are valid in the others."""
    import json
    import os

    from datasette.app import Datasette
    from datasette.utils import parse_metadata

    config = json.loads(os.environ[SERVE_CONFIG])
    metadata = None
    if config.get("metadata"):
        metadata = parse_metadata(Path(config["metadata"]).read_text(encoding="utf-8"))
    ds = Datasette(config.get("files") or [], immutables=config.get("immutables") or [], metadata=metadata,
                   settings=config.get("settings") or {}, secret=config.get("secret"), cache_headers=True)
    app = ds.app()

    async def startup():
        await ds.invoke_startup()
        await precompute(ds)
        # Datasette, its plugins and the kept results are long-lived: out of the
        # collector's sight, a full collection no longer walks them (on the full
        # AllSides database such collections cost ~50 ms of a search page's CPU)
        gc.collect()
        gc.freeze()
        # and young objects collected after 50,000 allocations instead of 700: a
        # search page allocates tens of thousands of rows, which the collector walked
        # again and again (10-15% of a big search page's CPU); what a request makes
        # is freed with it, so the heap hardly grows
        gc.set_threshold(50_000, 20, 100)

    async def asgi(scope, receive, send):
        if scope["type"] != "lifespan":
            return await app(scope, receive, send)
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await startup()
                except Exception as e:  # noqa: BLE001 - the worker does not start; uvicorn says why
                    await send({"type": "lifespan.startup.failed", "message": f"{type(e).__name__}: {e}"})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    asgi.datasette = ds
    return asgi
