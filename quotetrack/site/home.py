"""The home page (``/``): where a reader starts, with stories rather than tables.

For each quotetrack database served: a search box, the statements carried by the most
outlets (speaker, first date, number of wordings), the most-quoted speakers, counts, and
links to the Statements, Speakers, Quotes and Articles tables. Other databases are
listed with a link. Datasette's own index stays at ``/.json``.
"""
from __future__ import annotations

from datasette.utils.asgi import Response

from ..db.summaries import FACET_COUNTS
from .cells import known_databases

#: statements and speakers listed per database
TOP = 10


async def _rows(db, sql, params=None) -> list[dict]:
    results = await db.execute(sql, params or {})
    return [dict(zip(results.columns, row)) for row in results.rows]


async def _summary(db, table: str, facet: str) -> list[dict] | None:
    """The summary counts of a table's facet, commonest first (None: not counted)."""
    if FACET_COUNTS not in await db.table_names():
        return None
    rows = await _rows(db, f"select value, count from {FACET_COUNTS} where table_name = :t and facet = :f "
                           "order by count desc, value limit :n", {"t": table, "f": facet, "n": TOP})
    return rows or None


async def _table_count(db, table: str) -> int:
    counted = await _summary(db, table, "*")
    if counted:
        return counted[0]["count"]
    return (await db.execute(f"select count(*) from [{table}]")).rows[0][0]


async def database_stories(datasette, name: str) -> dict:
    db = datasette.get_database(name)
    statements = await _rows(db, """
        select s.id, s.text, s.outlet_count, s.article_count, s.quote_count, s.first_reported, sp.id as speaker_id,
               sp.name as speaker,
               (select count(distinct qs.norm_hash) from quote_statements qs where qs.statement_id = s.id) as wordings
        from (select * from statements order by outlet_count desc, article_count desc, quote_count desc, id
              limit :n) s
        left join speakers sp on sp.id = s.speaker_id
        order by s.outlet_count desc, s.article_count desc, s.quote_count desc, s.id""", {"n": TOP})
    top = await _summary(db, "quotes", "speaker_id")
    if top is None:
        top = await _rows(db, "select speaker_id as value, count(*) as count from quotes where speaker_id is not null "
                              "group by speaker_id order by count desc, value limit :n", {"n": TOP})
    names = {r["id"]: r for r in await _rows(
        db, f"select id, name, kind from speakers where id in ({', '.join(str(int(r['value'])) for r in top) or 'null'})")}
    speakers = [{"id": r["value"], "name": names.get(r["value"], {}).get("name") or f"speaker {r['value']}",
                 "kind": names.get(r["value"], {}).get("kind"), "quotes": r["count"]} for r in top]
    counts = {table: await _table_count(db, table) for table in ("quotes", "statements", "speakers", "articles")}
    return {"name": name, "url": datasette.urls.database(name), "statements": statements, "speakers": speakers,
            "counts": counts, "table_url": {t: datasette.urls.table(name, t) for t in counts},
            "page": {kind: f"{datasette.urls.database(name)}/-/{kind}" for kind in ("statement", "speaker")}}


async def home_page(datasette, request):
    ours, others = [], []
    for name, db in datasette.databases.items():
        if name == "_internal" or db.is_memory:
            continue
        if await known_databases.check(datasette, name):
            ours.append(await database_stories(datasette, name))
        else:
            others.append({"name": name, "url": datasette.urls.database(name)})
    html = await datasette.render_template("quotetrack_home.html", {"databases": ours, "others": others,
                                                                    "metadata": datasette.metadata()},
                                           request=request)
    response = Response.html(html)
    ttl = datasette.setting("default_cache_ttl")
    response.headers["cache-control"] = f"max-age={ttl}" if ttl else "no-cache"
    return response
