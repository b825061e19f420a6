"""``/-/search?q=WORDS``: one search over the statements, speakers, quotes and articles
of every quotetrack database, each result linked to its page (a statement to every
wording of it, a quote to its place in its article), with the columns a reader reads.

Accents and case are ignored (the full-text indexes remove diacritics); the words are
searched as words, never as full-text syntax. Each section links to the full results on
its table's page (with facets).
"""
from __future__ import annotations

import re

from datasette.utils.asgi import Response

from .cells import known_databases

#: results shown per kind and database
SHOWN = {"statements": 10, "speakers": 10, "quotes": 20, "articles": 10}

_SQL = {
    "statements": """
        select s.id, s.text, s.outlet_count, s.article_count, s.first_reported, sp.id as speaker_id,
               sp.name as speaker
        from statements s left join speakers sp on sp.id = s.speaker_id
        where s.id in (select rowid from statements_fts where statements_fts match :q)
        order by s.outlet_count desc, s.article_count desc, s.id limit :n""",
    "speakers": """
        select sp.id, sp.name, sp.kind, sp.description from speakers sp
        where sp.id in (select rowid from speakers_fts where speakers_fts match :q)
        order by sp.name limit :n""",
    "quotes": """
        select q.id, q.text, q.outlet, q.published, q.statement_id, q.article_id, sp.id as speaker_id,
               sp.name as speaker
        from quotes q left join speakers sp on sp.id = q.speaker_id
        where q.id in (select rowid from quotes_fts where quotes_fts match :q)
        order by q.published is null, q.published desc, q.id desc limit :n""",
    "articles": """
        select a.id, a.title, a.outlet, a.published from articles a
        where a.id in (select rowid from articles_fts where articles_fts match :q)
        order by a.published is null, a.published desc, a.id desc limit :n""",
}
_FTS = {"statements": "statements_fts", "speakers": "speakers_fts", "quotes": "quotes_fts",
        "articles": "articles_fts"}


def fts_words(q: str) -> str | None:
    """``q`` as a full-text query of its words, each quoted (no syntax): None without words."""
    words = re.findall(r"\w+", q)
    return " ".join(f'"{w}"' for w in words) if words else None


async def _results(datasette, name: str, q: str) -> dict:
    db = datasette.get_database(name)
    tables = set(await db.table_names())
    found = {}
    for kind, sql in _SQL.items():
        if _FTS[kind] not in tables:
            continue
        words = fts_words(q)
        if words is None:
            found[kind] = []
            continue
        results = await db.execute(sql, {"q": words, "n": SHOWN[kind]})
        found[kind] = [dict(zip(results.columns, row)) for row in results.rows]
    base = datasette.urls.database(name)
    return {"name": name, "found": found, "table_url": {t: datasette.urls.table(name, t) for t in _SQL},
            "page": {p: f"{base}/-/{p}" for p in ("statement", "speaker", "quote", "article")}}


async def search_page(datasette, request):
    q = (request.args.get("q") or "").strip()
    databases = []
    if q:
        for name, db in datasette.databases.items():
            if name != "_internal" and not db.is_memory and await known_databases.check(datasette, name):
                databases.append(await _results(datasette, name, q))
    html = await datasette.render_template("quotetrack_search.html", {"q": q, "databases": databases,
                                                                       "shown": SHOWN}, request=request)
    response = Response.html(html)
    ttl = datasette.setting("default_cache_ttl")
    response.headers["cache-control"] = f"max-age={ttl}" if ttl else "no-cache"
    return response
