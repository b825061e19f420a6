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

import json

from datasette.utils.asgi import BadRequest, Base400, Response
from datasette.views.base import DatasetteError


#: a DatasetteError with these words is the server's fault, not the request's
_SERVER_FAULTS = ("locked", "disk", "i/o", "memory", "corrupt")


def _status(exception) -> int | None:
    """The client error status of ``exception``, None for a server error. Datasette 0.65
    raises ``DatasetteError`` with its default status 500 for requests it refuses
    (``?_sort=`` of an unknown column, a malformed ``_through``, a search its full-text
    syntax rejects); those are the request's fault: 400. So is JSON it fails to parse
    (``?column__in=[`` raises ``JSONDecodeError``)."""
    if isinstance(exception, Base400):
        return exception.status
    if isinstance(exception, json.JSONDecodeError):   # Datasette parses JSON from request arguments only
        return 400
    if isinstance(exception, DatasetteError):
        if exception.status < 500:
            return exception.status
        if not any(word in str(exception.message).lower() for word in _SERVER_FAULTS):
            return 400
    return None


def is_client_error(exception) -> bool:
    return _status(exception) is not None


async def client_error_page(datasette, request, exception) -> Response | None:
    status = _status(exception)
    if status is None:
        return None
    if isinstance(exception, Base400):
        message, title = (exception.args[0] if exception.args else ""), None
    elif isinstance(exception, json.JSONDecodeError):
        message, title = f"Malformed JSON in the request: {exception}", None
    else:
        message, title = exception.message, exception.title
    info = {"ok": False, "error": message, "status": status, "title": title}
    if request.path.split("?")[0].endswith(".json"):
        return Response.json(info, status=status)
    html = await datasette.render_template([f"{status}.html", "error.html"], info, request=request)
    return Response.html(html, status=status)


def check_arguments(request) -> None:
    """BadRequest for table-page arguments Datasette 0.65 fails on with a server error:
    ``?_through=`` that is not a JSON object with table, column and value, and
    (Malformed JSON elsewhere, ``?column__in=[…``, is caught as it fails: see :func:`_status`.)"""
    for value in request.args.getlist("_through"):
        try:
            through = json.loads(value)
        except ValueError:
            raise BadRequest(f"_through must be JSON: {value[:80]}")
        if not isinstance(through, dict) or not {"table", "column", "value"} <= set(through):
            raise BadRequest('_through must be {"table": ..., "column": ..., "value": ...}')
