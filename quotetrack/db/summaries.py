"""Summary tables for the site: facet counts of whole tables, read instead of counted.

``facet_counts(table_name, facet, value, count)`` holds, for each table and view the
site facets, the count of every value of every facet (``speaker_id``,
``date(published)``, …) over the whole table (and, as facet ``*``, its number of rows), so an unfiltered table page reads its
facets instead of grouping the whole table on every visit. Triggers (migration m012)
delete a table's counts whenever its rows change, so counts present are always
current; :func:`refresh` builds them again (at the end of every ingest and by
``quotetrack publish``).
"""
from __future__ import annotations

import sqlite_utils

FACET_COUNTS = "facet_counts"

#: table or view -> the facets summarised (as the site's metadata.yml configures them)
FACETS: dict[str, tuple[str, ...]] = {
    "quotes": ("speaker_id", "outlet", "quote_statements.statement_id", "date(published)"),
    "quotes_view": ("speaker", "outlet"),
    "statements": ("speaker_id", "outlet_count", "date(first_reported)"),
    "articles": ("outlet", "date(published)"),
    "speaker_aliases": ("speaker_id",),
    "quote_statements": ("statement_id",),
}

def _expression(facet: str) -> str:
    if facet.startswith("date(") and facet.endswith(")"):
        return f'date("{facet[5:-1]}")'
    return f'"{facet}"'


def _count_sql(db: sqlite_utils.Database, table: str, facet: str) -> str:
    """SQL giving (value, count) of one facet over the whole table; a facet
    ``link.column`` counts the rows by a column of the table linking them (a quote
    once per statement it renders, ``quote_statements.statement_id``)."""
    if "." in facet:
        link, column = facet.split(".", 1)
        (ours,) = [fk.column for fk in db[link].foreign_keys if fk.other_table == table]
        return (f'select "{column}", count(distinct "{ours}") from "{link}" where "{column}" is not null '
                f'group by "{column}"')
    expr = _expression(facet)
    return f'select {expr}, count(*) from "{table}" where {expr} is not null group by {expr}'


def missing(db: sqlite_utils.Database) -> list[str]:
    """The summarised tables of ``db`` whose counts are not there."""
    if not db[FACET_COUNTS].exists():
        return []
    have = {r[0] for r in db.execute(f"select distinct table_name from {FACET_COUNTS}").fetchall()}
    names = set(db.table_names()) | set(db.view_names())
    return [t for t in FACETS if t in names and t not in have]


def refresh(db: sqlite_utils.Database) -> int:
    """Build the counts of every summarised table that has none; returns how many
    tables were counted. One transaction: readers see all of them or none."""
    todo = missing(db)
    with db.conn:
        for table in todo:
            # facet "*": the table's rows (and a mark that its counts are there, also when it is empty)
            db.conn.execute(f"insert into {FACET_COUNTS} (table_name, facet, value, count) "
                       f"select ?, '*', null, count(*) from \"{table}\"", [table])
            for facet in FACETS[table]:
                db.conn.execute(f"insert into {FACET_COUNTS} (table_name, facet, value, count) "
                                f"select ?, ?, * from ({_count_sql(db, table, facet)})", [table, facet])
    return len(todo)
