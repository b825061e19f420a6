"""One pass over a searched table page's rows for its count and all its facets.

A Datasette table page with a full-text search runs the search once for the rows,
once more for ``count(*)`` and once per facet: six times on a quotes search page
(rows, count; speaker, outlet, statement and date facets). On 37,500 AllSides
articles "president" matches 28,000 quotes, and each of those passes costs about
25 ms, nearly all of it finding the matching rows again. Here the count and the
facets of the table's configured facets are computed from ONE query that reads
the matching rows' facet columns, counted in Python; each of Datasette's own count
and facet queries is then answered from that pass, with the result it would have
given (same values, counts, order and limit). Pages filtered by columns alone
(``?outlet=NPR``) keep Datasette's queries: those read covering indexes.

Nothing is kept beyond the request that computed it: :func:`request_scope` gives
every request a fresh memo (an ASGI wrapper sets it), so a search asked again is
computed again, and a database that changes between requests is never answered
from an old pass. Queries this module does not recognise (another facet type, a
facet on a column outside the configured ones, SQL written by a visitor) run as
they are.
"""
from __future__ import annotations

import contextlib
import contextvars
import datetime
import heapq
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass, field

from datasette.database import QueryInterrupted, Results
from datasette.utils import escape_sqlite, sqlite_timelimit

# Datasette 0.65's SQL, as views/table.py and facets.py (ColumnFacet, DateFacet) write it
_COUNT = re.compile(r"select count\(\*\) from (?P<table>\S+) (?P<where>where .+ )$", re.S)
_FACET = re.compile(
    r"\s*select (?P<expr>\S+) as value, count\(\*\) as count from \(\s*"
    r"select .+? from (?P<table>\S+) (?P<where>where .+? )\s*\)\s*"
    r"where (?P=expr) is not null\s*"
    r"group by (?P=expr) order by count desc, value limit (?P<limit>\d+)\s*$", re.S)

# the rows of a table page sorted by a column (views/table.py):
# "... [where <filters>] order by <column> [desc], <pk> limit <n>"
# (the first page has no tie-break: "order by <column> [desc] limit <n>")
_ROWS = re.compile(r"select (?P<cols>.+?) from (?P<table>\S+) (?P<where>where .+ )?"
                   r"order by (?P<column>\S+)(?P<desc> desc)?(?P<tie>, [^,\s]+)? limit (?P<limit>\d+)"
                   r"(?P<offset> offset \d+)?$",
                   re.DOTALL)

#: a facet expression ``date(column)``, as :func:`facet_expressions` writes it
_DATE_OF = re.compile(r"date\((\[[^\]]+\]|\w+)\)")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
#: a name in SQL, bare or quoted
_NAME = re.compile(r"\[[^\]]+\]|\"[^\"]+\"|\b[A-Za-z_]\w*\b")

#: a searched page's rows are read along the sort column's index, newest first,
#: stopping at the page's last row, when the search matches at least this many rows;
#: fewer matches are fetched and sorted (SQLite's own plan), which is cheaper then
#: (AllSides, 420,000 quotes: "president", 28,000 matches, 25 ms -> 3 ms; "fentanyl",
#: 17 matches, 0.1 ms fetched and sorted, 30 ms along the index)
INDEX_ORDER_MIN_MATCHES = 4000

_passes: contextvars.ContextVar[dict | None] = contextvars.ContextVar("quotetrack_facet_passes", default=None)


@contextlib.contextmanager
def request_scope():
    """Passes computed inside this block are shared by its queries, then dropped."""
    token = _passes.set({})
    try:
        yield
    finally:
        _passes.reset(token)


class Row(tuple):
    """A result row read by position or by column name, as ``sqlite3.Row``."""

    names: tuple[str, ...] = ()

    def __getitem__(self, key):
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names.index(key))
        return tuple.__getitem__(self, key)

    def keys(self):
        return list(self.names)


def _rows(names: tuple[str, ...], values) -> list[Row]:
    cls = type("Row", (Row,), {"names": names})
    return [cls(v) for v in values]


def _sqlite_order(value):
    """SQLite's ORDER BY for values of mixed types: numbers, then text, then blobs."""
    if isinstance(value, (int, float)):
        return (0, value)
    if isinstance(value, str):
        return (1, value)   # code point order is UTF-8 byte order: SQLite's BINARY collation
    return (2, bytes(value))


@dataclass
class Pass:
    """Count and value counts of the facet expressions over the rows of one filter."""

    count: int
    values: dict[str, Counter] = field(default_factory=dict)

    def facet(self, expr: str, limit: int) -> Results:
        counts = self.values[expr]
        by_count = lambda kv: (-kv[1], _sqlite_order(kv[0]))  # noqa: E731
        if len(counts) <= limit:
            top = sorted(counts.items(), key=by_count)
        else:
            # the limit-th highest count, then the values above it and the first of
            # those at it (statement ids: thousands of values counted once)
            # (heaps, not sorts: "president" has 28,000 statement ids, most counted once)
            least = heapq.nlargest(limit, counts.values())[-1]
            above = sorted(((v, n) for v, n in counts.items() if n > least), key=by_count)
            tied = [v for v, n in counts.items() if n == least]
            try:
                first = heapq.nsmallest(limit - len(above), tied)
            except TypeError:   # values of several types
                first = heapq.nsmallest(limit - len(above), tied, key=_sqlite_order)
            top = above + [(v, least) for v in first]
        return Results(_rows(("value", "count"), top), False, (("value",) + (None,) * 6, ("count",) + (None,) * 6))


def counts_values(sql: str) -> bool:
    """Whether ``sql`` is Datasette's count or column/date facet query of a table page."""
    return bool(_COUNT.match(sql) or _FACET.match(sql))


def facet_expressions(facets: list) -> list[str]:
    """The SQL expressions Datasette groups by for a table's configured facets:
    ``column`` and ``{"date": column}`` (array facets are left to Datasette)."""
    exprs = []
    for facet in facets or []:
        if isinstance(facet, str):
            exprs.append(escape_sqlite(facet))
        elif isinstance(facet, dict) and set(facet) == {"date"}:
            exprs.append(f"date({escape_sqlite(facet['date'])})")
    return exprs


def _without_keyset(where: str, column: str) -> str:
    """The filter of a page without the condition Datasette adds for a ``_next`` page
    (its last top-level ``and (<column> < :pN or ...)``), which the page's count and
    facets do not have."""
    body = where.rstrip()
    if not body.endswith(")"):
        return where
    depth = 0
    for i in range(len(body) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(body[i], 0)
        if depth == 0:
            break
    last, rest = body[i:], body[:i]
    if rest.endswith(" and ") and last.startswith((f"({column} < :p", f"({column} is null")):
        return rest[:-len(" and ")] + " "
    return where


async def rows_sql(execute_fn, sql: str, params, facets_of, time_limit_ms: int, index_on, covering=None) -> str:
    """Datasette's rows query of a table page sorted by a column, made to page
    correctly and, sorted newest (largest) first for a search with ``INDEX_ORDER_MIN_MATCHES``
    matches or more, to be read along the sort column's index (``indexed by``: the same
    rows in the same order, another plan; the number of matches comes from the page's
    pass, which its count and facets use next). ``index_on(table, column)`` gives
    ``(index led by column or None, the table's integer key)``, or None without such
    a key. ``covering`` is as for :func:`answer`.

    Paging: Datasette orders its first page by the column alone and its ``_next``
    pages by the column then ascending key (``... or (column = :p and id > :p)``).
    Rows of equal values on the first page come in whatever order the plan gives
    (along an index read backwards: descending keys), so the rows of a tie that
    straddles the end of the first page were skipped or repeated on the second
    (found on AllSides: "cuba" filtered to one outlet lost 2 of 27 quotes). The first
    page is ordered by the key too, as the next ones are."""
    m = _ROWS.match(sql)
    if m is None:
        return sql
    table, column = m["table"], m["column"]
    found = await index_on(table.strip("[]\""), column.strip("[]\""))
    if found is None:
        return sql
    index, key = found
    where = m["where"] or ""
    cut = m.start("where") if m["where"] else m.start("column")
    head, order = sql[:cut], sql[cut:]
    if not m["tie"]:
        sort = f"{column}{m['desc'] or ''}"
        order = order.replace(f"{sort} limit ", f"{sort}, {escape_sqlite(key)} limit ", 1)
    memo = _passes.get()
    if memo is None or index is None or not m["desc"] or " match " not in where:
        return head + order
    where = _without_keyset(where, column)
    done = await _pass(memo, execute_fn, table, where, params, facets_of(table.strip("[]\"")), time_limit_ms,
                       covering)
    if done and done.count >= INDEX_ORDER_MIN_MATCHES:
        head = head.replace(f" from {table} ", f" from {table} indexed by {escape_sqlite(index)} ", 1)
    return head + order


async def _pass(memo, execute_fn, table, where, params, exprs, time_limit_ms, covering=None):
    """The pass over ``where``'s rows, computed once per request (False: too slow).
    Parameters ``where`` does not use are left out (a page's rows query has those of
    its ``_next`` condition, its count query does not)."""
    params = {k: v for k, v in params.items() if re.search(rf":{re.escape(k)}\b", where)}
    key = (table, where, tuple(sorted(params.items())))
    done = memo.get(key)
    if done is None:
        def run(conn):
            index = covering(conn, table.strip("[]\""), _names_read(where, exprs)) if covering else None
            return _run_pass(conn, table, where, params, exprs, time_limit_ms, index)

        try:
            done = await execute_fn(run)
        except QueryInterrupted:
            done = False   # too slow in one pass: Datasette's own queries decide (and may time out)
        memo[key] = done
    return done


async def answer(execute_fn, sql: str, params, facets_of, time_limit_ms: int, covering=None) -> Results | None:
    """The result of Datasette's count or facet query ``sql`` from a pass over its
    filter, or None when ``sql`` is not one (or outside a request scope).
    ``execute_fn(fn)`` runs ``fn(connection)`` on a read connection (Datasette's
    ``Database.execute_fn``); ``facets_of(table)`` gives a table's configured facet
    expressions (see :func:`facet_expressions`); ``covering(conn, table, names)``, if
    given, an index of the table led by its rowid that holds every column among
    ``names`` the table has (None: there is none), which the pass then reads
    instead of the table's rows."""
    memo = _passes.get()
    if memo is None or not params:
        return None   # unfiltered pages have no parameters and are kept whole (ResultCache)
    count = _COUNT.match(sql)
    facet = None if count else _FACET.match(sql)
    if not (count or facet):
        return None
    m = count or facet
    table, where = m["table"], m["where"]
    if " match " not in where:
        # a filter on columns alone: its count and facets read covering indexes
        # (m006), cheaper than fetching the rows into Python
        return None
    exprs = facets_of(table.strip("[]\""))
    if facet and facet["expr"] not in exprs:
        return None
    done = await _pass(memo, execute_fn, table, where, params, exprs, time_limit_ms, covering)
    if done is False:
        return None
    if count:
        return Results(_rows(("count(*)",), [(done.count,)]), False, (("count(*)",) + (None,) * 6,))
    return done.facet(facet["expr"], int(facet["limit"]))


def _names_read(where: str, exprs: list[str]) -> frozenset[str]:
    """Every name a pass over ``where`` with facet expressions ``exprs`` may read
    (more than its columns: the caller keeps those of the table)."""
    return frozenset(n.strip("[]\"") for n in _NAME.findall(where + " " + " ".join(exprs)))


def _run_pass(conn, table: str, where: str, params, exprs: list[str], time_limit_ms: int,
              index: str | None = None) -> Pass:
    """Counted a chunk of rows at a time: the rows never all exist as Python objects
    at once (28,000 rows kept alive cost more in garbage collection than counting).
    ``index``: read through this index (``indexed by``)."""
    # date(column) is counted by the column's values, then each distinct value is
    # turned into its day: SQLite's date() on every matching row was a sixth of the
    # pass ("president", 28,000 matches, a few hundred distinct days)
    days = [_DATE_OF.fullmatch(expr) for expr in exprs]
    select = ", ".join(d[1] if d else expr for d, expr in zip(days, exprs)) if exprs else "1"
    counts = [Counter() for _ in exprs]
    done = Pass(count=0, values=dict(zip(exprs, counts)))
    # text decoded in C, not through Datasette's Python text_factory (which replaces
    # undecodable bytes: a database written by quotetrack holds UTF-8 only; if one
    # does not, the pass gives up and Datasette's own queries answer)
    text_factory, conn.text_factory = conn.text_factory, str
    try:
        with sqlite_timelimit(conn, time_limit_ms):
            cursor = conn.cursor()
            cursor.row_factory = None
            source = f"{table} indexed by {escape_sqlite(index)}" if index else table
            cursor.execute(f"select {select} from {source} {where}", params)
            while chunk := cursor.fetchmany(2048):
                done.count += len(chunk)
                for counter, column in zip(counts, zip(*chunk)):
                    counter.update(column)
    except sqlite3.OperationalError as e:
        if e.args == ("interrupted",):
            raise QueryInterrupted(e, f"select {select} from {table} {where}", params)
        if "decode" in str(e).lower():
            raise QueryInterrupted(e, f"select {select} from {table} {where}", params)
        raise
    finally:
        conn.text_factory = text_factory
    for expr, day, counter in zip(exprs, days, counts):
        if day:
            done.values[expr] = counter = _by_day(conn, counter)
        counter.pop(None, None)
    return done


def _by_day(conn, counts: Counter) -> Counter:
    """Counts by value turned into counts by SQLite's ``date(value)``."""
    days: Counter = Counter()
    for value, n in counts.items():
        days[_sqlite_date(conn, value)] += n
    return days


def _sqlite_date(conn, value):
    if value is None:
        return None
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        try:
            datetime.date.fromisoformat(value)
            return value          # a valid YYYY-MM-DD is its own date()
        except ValueError:
            pass
    return conn.execute("select date(?)", (value,)).fetchone()[0]
