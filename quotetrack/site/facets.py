"""The ``quotetrack`` facet type: a table page's column and date facets counted together.

Datasette's own facets run one ``GROUP BY`` per facet over the page's rows; on a
searched page each of those runs the full-text search again. This facet class
(registered through ``register_facet_classes``) takes the ``sql`` and ``params``
Datasette hands every facet and counts all of a table's ``quotetrack`` facets from
one query over the matching rows. An unfiltered page reads the counts from the
``facet_counts`` summary table when it is there (built by ingest and ``quotetrack
publish``; dropped by triggers as soon as its table changes), else groups the table
by each facet (through its index).

In ``metadata.yml``::

    facets:
      - quotetrack: speaker_id
      - quotetrack: {date: published}
      - quotetrack: {through: quote_statements.statement_id}

The results are those Datasette's column and date facets give: the same values,
counts, order, labels and toggle links (``?speaker_id=3``, ``?published__date=…``). A
``through`` facet counts the rows by a column of a table that links them (a quote by
every statement it renders, through ``quote_statements``), so its counts match the
statements' own; its links filter with Datasette's ``?_through=``.
"""
from __future__ import annotations

import datetime
import heapq
import json
import re
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

from ..db.summaries import FACET_COUNTS

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
#: request arguments that filter a table page (everything not starting with "_" does too)
_FILTER_ARGS = ("_search", "_where", "_through", "_next", "_filter_column", "_fts_table", "_fts_pk")


class TimedOut(Exception):
    """The facet pass ran past Datasette's ``facet_time_limit_ms``."""


@dataclass(frozen=True)
class FacetSpec:
    """One configured facet: ``column`` (counted by value) or ``date`` (by day)."""

    column: str
    kind: str                      # "column", "date" or "through"
    source: str = "metadata"
    link: str | None = None        # "through": the linking table

    @classmethod
    def from_config(cls, config: dict, source: str) -> FacetSpec:
        if "date" in config:
            return cls(config["date"], "date", source)
        if "through" in config:
            link, _, column = str(config["through"]).partition(".")
            return cls(column, "through", source, link)
        return cls(config.get("column") or config["simple"], "column", source)

    @property
    def key(self) -> str:
        """Its name in ``facet_counts``: ``speaker_id``, ``date(published)``,
        ``quote_statements.statement_id``."""
        if self.kind == "through":
            return f"{self.link}.{self.column}"
        return f"date({self.column})" if self.kind == "date" else self.column

    @property
    def expression(self) -> str:
        return f"date({escape_sqlite(self.column)})" if self.kind == "date" else escape_sqlite(self.column)


def sqlite_order(value):
    """SQLite's ORDER BY for values of mixed types: numbers, then text, then blobs."""
    if isinstance(value, (int, float)):
        return (0, value)
    if isinstance(value, str):
        return (1, value)   # code point order is UTF-8 byte order: SQLite's BINARY collation
    return (2, bytes(value))


def top_values(counts: Counter, limit: int) -> list[tuple]:
    """The ``limit`` commonest values as ``GROUP BY v ORDER BY count(*) DESC, v LIMIT
    limit`` gives them (heaps, not a sort: a search can match thousands of statement ids
    counted once)."""
    by_count = lambda kv: (-kv[1], sqlite_order(kv[0]))  # noqa: E731
    if len(counts) <= limit:
        return sorted(counts.items(), key=by_count)
    least = heapq.nlargest(limit, counts.values())[-1]
    above = sorted(((v, n) for v, n in counts.items() if n > least), key=by_count)
    tied = [v for v, n in counts.items() if n == least]
    first = heapq.nsmallest(limit - len(above), tied, key=sqlite_order)
    return above + [(v, least) for v in first]


def by_day(conn: sqlite3.Connection, counts: Counter) -> Counter:
    """Counts by value turned into counts by SQLite's ``date(value)`` (a valid
    YYYY-MM-DD is its own date; anything else is asked of SQLite)."""
    days: Counter = Counter()
    for value, n in counts.items():
        days[_sqlite_date(conn, value)] += n
    days.pop(None, None)
    return days


def _sqlite_date(conn, value):
    if value is None:
        return None
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        try:
            datetime.date.fromisoformat(value)
            return value
        except ValueError:
            pass
    return conn.execute("select date(?)", (value,)).fetchone()[0]


@dataclass(frozen=True)
class Link:
    """How a ``through`` facet reaches its rows: ``table.their_column`` holds our ``key``."""

    table: str
    their_column: str
    key: str


def one_pass(conn: sqlite3.Connection, sql: str, params, specs: list[FacetSpec], time_limit_ms: int,
             links: dict | None = None) -> dict:
    """``{spec.key: Counter}`` over the rows of ``sql``, read once, a chunk at a time,
    within ``time_limit_ms`` (else :class:`TimedOut`). A date facet is counted by the
    column's values, then each distinct value turned into its day (cheaper than SQLite's
    date() on every row). A ``through`` facet (``links[spec.key]``: a :class:`Link`)
    counts the link table's values over the keys the pass read, each row once per
    value, without running ``sql`` again."""
    deadline = time.perf_counter() + time_limit_ms / 1000
    conn.set_progress_handler(lambda: time.perf_counter() >= deadline, 1000)
    text_factory = conn.text_factory
    try:
        # text decoded by sqlite3 in C, not by Datasette's Python text factory (which
        # replaces undecodable bytes, and took a third of the pass's time); a database
        # holding bytes that are not UTF-8 is read again with Datasette's
        try:
            conn.text_factory = str
            return _counted(conn, sql, params, specs, links or {})
        except sqlite3.OperationalError as e:
            if "decode" not in str(e).lower() or text_factory is str:
                raise
        finally:
            conn.text_factory = text_factory
        return _counted(conn, sql, params, specs, links or {})
    except sqlite3.OperationalError as e:
        if "interrupted" in str(e):
            raise TimedOut() from e
        raise
    finally:
        conn.set_progress_handler(None, 1000)


def _counted(conn: sqlite3.Connection, sql: str, params, specs: list[FacetSpec], links: dict) -> dict:
    plain = [s for s in specs if s.kind != "through"]
    through = [s for s in specs if s.kind == "through" and s.key in links]
    key = escape_sqlite(next(iter(links.values())).key) if through else None
    columns = list(dict.fromkeys(escape_sqlite(s.column) for s in plain))
    selected = ([key] if key else []) + columns or ["1"]
    counts = {c: Counter() for c in columns}
    keys: list = []
    out = {}
    cursor = conn.cursor()
    cursor.row_factory = None
    cursor.execute(f"select {', '.join(selected)} from ({sql})", params or {})
    while chunk := cursor.fetchmany(2048):
        values = list(zip(*chunk))
        if key:
            keys.extend(values.pop(0))
        for counter, column in zip(counts.values(), values):
            counter.update(column)
        if selected == ["1"]:          # nothing to count: no need to read the rows
            break
    for spec in through:
        link = links[spec.key]
        link_cursor = conn.cursor()
        link_cursor.row_factory = None
        rows = link_cursor.execute(
            f"select {escape_sqlite(spec.column)}, count(distinct {escape_sqlite(link.their_column)}) "
            f"from {escape_sqlite(link.table)} where {escape_sqlite(link.their_column)} in "
            f"(select value from json_each(?)) and {escape_sqlite(spec.column)} is not null "
            f"group by {escape_sqlite(spec.column)}", [json.dumps(keys)]).fetchall()
        out[spec.key] = Counter(dict(rows))
    for spec in plain:
        counter = counts[escape_sqlite(spec.column)]
        if spec.kind == "date":
            out[spec.key] = by_day(conn, counter)
        else:
            out[spec.key] = Counter({v: n for v, n in counter.items() if v is not None})
    return out


class OnePassFacet(Facet):
    type = "quotetrack"

    def _unfiltered(self) -> bool:
        if self.params or self.table is None:
            return False
        return not any(not k.startswith("_") or k in _FILTER_ARGS or k.startswith("_search")
                       for k in self.request.args)

    def _searched(self) -> bool:
        """A full-text search: each facet query would run it again, so they share one pass.
        A page filtered by columns alone groups each facet in SQL, through the indexes
        that lead with the filtered column (covering the facet columns)."""
        return any(k.startswith("_search") for k in self.request.args)

    async def _summaries(self, specs: list[FacetSpec], limit: int) -> dict:
        """Top values of the unfiltered table from ``facet_counts`` (the specs it has)."""
        db = self.ds.get_database(self.database)
        if FACET_COUNTS not in await db.table_names():
            return {}
        found = {}
        for spec in specs:
            rows = (await db.execute(
                f"select value, count from {FACET_COUNTS} where table_name = :t and facet = :f "
                "order by count desc, value limit :n", {"t": self.table, "f": spec.key, "n": limit})).rows
            if rows:
                found[spec.key] = [(r[0], r[1]) for r in rows]
        return found

    async def _link_column(self, spec: FacetSpec) -> tuple[str, str] | None:
        """For a ``through`` facet: (our column, the link's column pointing at it)."""
        db = self.ds.get_database(self.database)
        for fk in await db.foreign_keys_for_table(spec.link):
            if fk["other_table"] == self.table:
                return fk["other_column"], fk["column"]
        return None

    async def _linked(self, spec: FacetSpec, limit: int, sql: str | None, params) -> list[tuple] | None:
        """A ``through`` facet: rows counted by the link table's column (each row once
        per value), over the rows of ``sql`` (None: every row)."""
        columns = await self._link_column(spec)
        if columns is None:
            return None
        ours, theirs = (escape_sqlite(c) for c in columns)
        link, column = escape_sqlite(spec.link), escape_sqlite(spec.column)
        where = f"where {theirs} in (select {ours} from ({sql}))" if sql is not None else ""
        results = await self.ds.execute(
            self.database,
            f"select {column} as value, count(distinct {theirs}) as count from {link} {where} "
            f"group by {column} having value is not null order by count desc, value limit {limit}",
            params or {}, truncate=False, custom_time_limit=self.ds.setting("facet_time_limit_ms"))
        return [(r[0], r[1]) for r in results.rows]

    async def _grouped(self, spec: FacetSpec, limit: int, sql: str | None = None, params=None) -> list[tuple]:
        """One facet grouped by SQLite, over the rows of ``sql`` (None: the whole table,
        through its index)."""
        if spec.kind == "through":
            return await self._linked(spec, limit, sql, params) or []
        source = f"({sql})" if sql is not None else escape_sqlite(self.table)
        query = (f"select {spec.expression} as value, count(*) as count from {source} "
                 f"where {spec.expression} is not null group by value order by count desc, value limit {limit}")
        results = await self.ds.execute(self.database, query, params or {}, truncate=False,
                                        custom_time_limit=self.ds.setting("facet_time_limit_ms"))
        return [(r[0], r[1]) for r in results.rows]

    async def _counted(self, specs: list[FacetSpec], limit: int) -> dict:
        limit_ms = self.ds.setting("facet_time_limit_ms")
        db = self.ds.get_database(self.database)
        links = {}
        for spec in specs:
            if spec.kind == "through":
                columns = await self._link_column(spec)
                if columns is not None:
                    links[spec.key] = Link(spec.link, columns[1], columns[0])
        if len({link.key for link in links.values()}) > 1:
            links = {}          # one key read per pass; the facets through other keys are not counted
        counted = await db.execute_fn(lambda conn: one_pass(conn, self.sql, self.params, specs, limit_ms, links))
        return {key: top_values(counts, limit) for key, counts in counted.items()}

    async def facet_results(self):
        specs = [FacetSpec.from_config(c["config"], c["source"]) for c in self.get_configs()]
        if not specs:
            return [], []
        size = self.get_facet_size()
        tops: dict = {}
        timed_out: list[str] = []
        try:
            if self._unfiltered():
                tops = await self._summaries(specs, size + 1)
                for spec in specs:
                    if spec.key not in tops:
                        tops[spec.key] = await self._grouped(spec, size + 1)
            elif self._searched():
                tops = await self._counted(specs, size + 1)
            else:
                for spec in specs:
                    tops[spec.key] = await self._grouped(spec, size + 1, self.sql, self.params)
        except (TimedOut, QueryInterrupted):
            timed_out = [s.column for s in specs if s.key not in tops]
        results = []
        for spec in specs:
            if spec.key in tops:
                results.append(await self._result(spec, tops[spec.key], size))
        return results, timed_out

    async def _result(self, spec: FacetSpec, top: list[tuple], size: int) -> dict:
        qs_pairs = self.get_querystring_pairs()
        rows = top[:size]
        if spec.kind == "column" and self.table:
            labels = await self.ds.expand_foreign_keys(self.database, self.table, spec.column, [v for v, _ in rows])
        elif spec.kind == "through":
            labels = await self.ds.expand_foreign_keys(self.database, spec.link, spec.column, [v for v, _ in rows])
        else:
            labels = {}
        values = []
        for value, count in rows:
            if spec.kind == "through":
                arg = "_through"
                value_arg = json.dumps({"table": spec.link, "column": spec.column, "value": str(value)},
                                       separators=(",", ":"))
                selected = any(k == "_through" and _same_through(v, value_arg) for k, v in qs_pairs)
                toggle = (_without_through(self.request, value_arg) if selected
                          else path_with_added_args(self.request, {arg: value_arg}))
            else:
                if spec.kind == "date":
                    arg = f"{spec.column}__date"
                else:
                    arg = f"{spec.column}__exact" if spec.column.startswith("_") else spec.column
                selected = (arg, str(value)) in qs_pairs
                toggle = (path_with_removed_args(self.request, {arg: str(value)}) if selected
                          else path_with_added_args(self.request, {arg: value}))
            values.append({
                "value": value,
                "label": labels.get((spec.column, value), value),
                "count": count,
                "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(toggle)),
                "selected": selected,
            })
        return {
            "name": spec.column,
            "type": spec.kind if spec.kind != "through" else "column",
            "hideable": spec.source != "metadata",
            "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet_quotetrack": spec.column})),
            "results": values,
            "truncated": len(top) > size,
        }




def _same_through(a: str, b: str) -> bool:
    try:
        return json.loads(a) == json.loads(b)
    except ValueError:
        return False


def _without_through(request, value: str) -> str:
    """The request's path and query without the ``_through`` equal to ``value``."""
    pairs = [(k, v) for k, v in parse_qsl(request.query_string, keep_blank_values=True)
             if not (k == "_through" and _same_through(v, value))]
    return request.path + (f"?{urlencode(pairs)}" if pairs else "")
