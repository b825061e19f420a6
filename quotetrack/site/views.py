"""The quotetrack pages, served through ``register_routes`` for a database ``DB``:

- ``/DB/-/statement/ID``: the canonical text, the speaker, every rendering side by side
  with its outlet, date and article, word-level differences highlighted (against the
  canonical text, or ``?base=QUOTE_ID``), and when each outlet first carried it;
- ``/DB/-/quote/ID``: the quote in its article, highlighted, speaker mention marked;
- ``/DB/-/speaker/ID``: aliases, statements, related speakers, quotes over time;
- ``/DB/-/article/ID``: the article with all its quotes marked and linked.

They need the ``view-table`` permission on their table, like Datasette's own pages,
and work on an immutable database with SQL off. What they show is computed in
:mod:`quotetrack.site.pages`; the templates are in ``templates/``.
"""
from __future__ import annotations

from datasette.utils import tilde_decode
from datasette.utils.asgi import NotFound, Response

from . import pages
from .cells import known_databases, page_url


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
    if not await known_databases.check(datasette, db.name):
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
    ident = int(request.url_vars["id"])
    if ident >= 1 << 63:        # beyond SQLite's integers: no such row
        raise NotFound(f"No row {request.url_vars['id']}")
    return ident


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
    response = Response.html(await datasette.render_template(template, context, request=request))
    # the same caching as Datasette's own pages (its default_cache_ttl setting), for a proxy in front
    ttl = datasette.setting("default_cache_ttl")
    response.headers["cache-control"] = f"max-age={ttl}" if ttl else "no-cache"
    return response


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
    link = ("(select {} from quote_statements qs where qs.quote_id = q.id and qs.statement_id = :id "
            "order by qs.part limit 1)")
    variants = await _rows(db, f"""
        select q.id as quote_id, q.text, {link.format('qs.text')} as sentence,
               {link.format('qs.method')} as method, {link.format('qs.score')} as score,
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
    for v in variants:
        v["compared"] = v["sentence"] or v["text"]
        v["is_base"] = base is not None and v["quote_id"] == base["quote_id"]
        v["url"] = pages.safe_url(v["url"])
    found = pages.wordings(variants, statement["text"], base["compared"] if base else None)
    timeline, first, last = pages.outlet_timeline(variants)
    sources, independent = await _lineage_of(db, [v["article_id"] for v in variants], ident)
    for v in variants:
        v["source"] = sources.get(v["article_id"])
    source_sentences, others = await _originals_of(db, ident)
    if source_sentences:
        for w in found:
            w.verdict = pages.verdict(source_sentences[0]["text"], w.text, source_sentences[0]["lang"])
    return await _render(datasette, request, "quotetrack_statement.html", db, {
        "statement": statement, "speaker": speaker, "variants": variants, "base": base, "wordings": found,
        "timeline": timeline, "first": first, "last": last, "originals": source_sentences,
        "original_sentences": others, "independent": independent,
    })


async def _originals_of(db, statement_id: int) -> tuple[list[dict], list[dict]]:
    """The original sentences a statement renders (with their original's language and
    source), and every sentence of those originals with how often it was quoted."""
    if not await db.table_exists("original_sentences"):
        return [], []
    found = await _rows(db, """
        select os.id, os.original_id, os.position, os.text, coalesce(os.lang, o.lang) as lang, o.title, o.url,
               o.published, o.path, sp.name as speaker_name, o.speaker_id
        from original_sentences os join originals o on o.id = os.original_id
        left join speakers sp on sp.id = o.speaker_id
        where os.statement_id = :id order by os.original_id, os.position""", {"id": statement_id})
    for f in found:
        f["url"] = pages.safe_url(f["url"])
    others = []
    if found:
        others = await _rows(db, """
            select os.original_id, os.position, os.text, os.statement_id, coalesce(s.quote_count, 0) as quote_count
            from original_sentences os left join statements s on s.id = os.statement_id
            where os.original_id in (select original_id from original_sentences where statement_id = :id)
            order by os.original_id, os.position""", {"id": statement_id})
    return found, others


async def _lineage_of(db, article_ids: list[int], statement_id: int | None = None) -> tuple[dict, int | None]:
    """For each of ``article_ids`` that copies or rewrites an earlier article: that
    source (id, title, outlet, method, score); and the statement's independent outlets."""
    if not article_ids or not await db.table_exists("article_sources"):
        return {}, None
    ids = sorted(set(article_ids))
    marks = ", ".join(f":a{i}" for i in range(len(ids)))
    rows = await _rows(db, f"""
        select s.article_id, s.source_article_id, s.method, s.score, s.evidence, a.title, a.outlet, a.published
        from article_sources s join articles a on a.id = s.source_article_id
        where s.article_id in ({marks}) order by s.score desc""", {f"a{i}": v for i, v in enumerate(ids)})
    sources: dict = {}
    for r in rows:
        sources.setdefault(r["article_id"], r)
    independent = None
    if statement_id is not None and "independent_outlets" in await _columns(db, "statements"):
        row = await _one(db, "select independent_outlets from statements where id = :id", {"id": statement_id})
        independent = row and row["independent_outlets"]
    return sources, independent


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
#: to the full lists (a speaker quoted thousands of times made a page of megabytes)
SPEAKER_PAGE_ROWS = 200


async def speaker_page(datasette, request):
    db = await _database(datasette, request, "speakers")
    ident = _ident(request)
    speaker = await _one(db, "select * from speakers where id = :id", {"id": ident})
    if speaker is None:
        raise NotFound(f"No speaker {ident}")
    params = {"id": ident, "limit": SPEAKER_PAGE_ROWS}
    mentions = pages.quoted_as(await _rows(db, "select speaker_mention as mention, count(*) as n from quotes "
                                               "where speaker_id = :id group by speaker_mention", params))
    # a one-word quote ("terrorists") is a word the speaker used, not a statement to list
    several_words = "instr(trim(text), ' ') > 0"
    counts = await _one(db, f"select count(*) as n, sum({several_words}) as listed from statements "
                            "where speaker_id = :id", params)
    statement_count, one_word = counts["listed"] or 0, counts["n"] - (counts["listed"] or 0)
    statements = await _rows(db, f"""
        select * from (
          select id, text, first_reported, quote_count, article_count, outlet_count from statements
          where speaker_id = :id and {several_words} order by quote_count desc, id limit :limit)
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
    days = pages.quotes_over_time(quotes, day_counts)
    dated, undated = [d for d in days if d["day"]], next((d for d in days if not d["day"]), None)
    widest = max((d["count"] for d in dated), default=0)
    for d in dated:                   # the bars measure the dated days only
        d["width"] = 100.0 * d["count"] / widest
    return await _render(datasette, request, "quotetrack_speaker.html", db, {
        "speaker": speaker, "mentions": mentions, "statements": statements, "quotes": quotes,
        "statement_count": statement_count, "one_word": one_word, "quote_count": quote_count,
        "quotes_url": datasette.urls.table(db.name, "quotes") + f"?speaker_id={int(ident)}",
        "days": dated, "undated": undated, "related": related,
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
    sources, _ = await _lineage_of(db, [ident])
    copies = []
    if await db.table_exists("article_sources"):
        copies = await _rows(db, """
            select s.article_id, s.method, s.score, a.title, a.outlet, a.published
            from article_sources s join articles a on a.id = s.article_id
            where s.source_article_id = :id order by a.published, s.article_id""", {"id": ident})
    return await _render(datasette, request, "quotetrack_article.html", db, {
        "article": article, "quotes": quotes, "article_html": pages.render_article(article["text"], spans),
        "article_url": pages.safe_url(article["url"]), "source": sources.get(ident), "copies": copies,
    })


