"""Error pages for requests that fail with a client error (404, 400, 403).

Datasette 0.65's own error handler prints a traceback with ``rich`` when rich is
installed (spaCy's ``typer`` brings it), outside the ``except`` block rich needs when the
error is a page not found, and that fails: every unknown URL answered 500 instead of
404 (upstream: ``datasette/handle_exception.py`` calls ``rich.get_console().print_exception()``
for every exception). The plugin answers client errors itself, with Datasette's own
``error.html`` template (a pluggy wrapper around the hook keeps the default handler
out of client errors only); server errors are left to Datasette.
"""
from __future__ import annotations

from datasette.utils.asgi import Base400, Response
from datasette.views.base import DatasetteError


def is_client_error(exception) -> bool:
    return isinstance(exception, Base400) or (isinstance(exception, DatasetteError) and exception.status < 500)


async def client_error_page(datasette, request, exception) -> Response | None:
    if isinstance(exception, Base400):
        status, message, title = exception.status, (exception.args[0] if exception.args else ""), None
    elif isinstance(exception, DatasetteError) and exception.status < 500:
        status, message, title = exception.status, exception.message, exception.title
    else:
        return None
    info = {"ok": False, "error": message, "status": status, "title": title}
    if request.path.split("?")[0].endswith(".json"):
        return Response.json(info, status=status)
    html = await datasette.render_template([f"{status}.html", "error.html"], info, request=request)
    return Response.html(html, status=status)
