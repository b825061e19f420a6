"""The Datasette plugin's hooks, and nothing else; each hands its work to a module
of this package. Registered through the ``datasette`` entry point of the
``quotetrack`` distribution (``quotetrack = "quotetrack.site"``)."""
from __future__ import annotations

from datasette import hookimpl

from . import cells, errors, home, search, sqlfunctions, views
from .facets import OnePassFacet

#: a published database file is read through a memory map of up to this many bytes,
#: shared by every connection and worker process through the OS page cache
MMAP_BYTES = 1 << 32


@hookimpl
def prepare_connection(conn, database, datasette):
    sqlfunctions.register(conn)
    db = datasette.databases.get(database)
    if db is not None and not db.is_memory:
        conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if not cells.may_link(column, table):
        return None
    known = cells.known_databases.known(datasette, database)
    if known is not None:               # answered without a coroutine once the database is known
        return cells.render(datasette, row, value, column, table, database) if known else None

    async def inner():
        if not await cells.known_databases.check(datasette, database):
            return None
        return cells.render(datasette, row, value, column, table, database)

    return inner


@hookimpl
def register_facet_classes():
    return [OnePassFacet]


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.static_plugins("quotetrack", "quotetrack.css")]


@hookimpl
def extra_js_urls(datasette):
    return [datasette.urls.static_plugins("quotetrack", "quotetrack.js")]


@hookimpl
def menu_links(datasette, actor, request):
    async def inner():
        links = []
        for name in datasette.databases:
            if name == "_internal" or not await cells.known_databases.check(datasette, name):
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
def register_routes():
    db = r"(?P<database>[^/]+)"
    return [
        (r"^/$", home.home_page),
        (r"^/-/search$", search.search_page),
        (rf"^/{db}/-/statement/(?P<id>\d+)$", views.statement_page),
        (rf"^/{db}/-/quote/(?P<id>\d+)$", views.quote_page),
        (rf"^/{db}/-/speaker/(?P<id>\d+)$", views.speaker_page),
        (rf"^/{db}/-/article/(?P<id>\d+)$", views.article_page),
    ]


@hookimpl(tryfirst=True)
def filters_from_request(request, database, table, datasette):
    errors.check_arguments(request)      # malformed arguments are the request's fault: 400


@hookimpl(wrapper=True)
def handle_exception(datasette, request, exception):
    """A client error (404, 400, 403) answered by :mod:`.errors` alone: Datasette awaits
    every handler's answer, and its default one fails on a 404 when ``rich`` is
    installed (see :mod:`.errors`). A pluggy wrapper, so the default is left out only then."""
    answers = yield
    if errors.is_client_error(exception):
        async def inner():
            return await errors.client_error_page(datasette, request, exception)

        return [inner]
    return answers
