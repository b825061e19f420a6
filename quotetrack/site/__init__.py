"""The Datasette site: the plugin (its hooks in :mod:`.hooks`), the quotetrack pages
(:mod:`.views`, :mod:`.pages`), cell links (:mod:`.cells`), the one-pass facet type
(:mod:`.facets`), SQL functions (:mod:`.sqlfunctions`), the app each ``quotetrack serve``
process runs (:mod:`.app`), and ``templates/`` and ``static/``.

This package is the plugin's entry point (``quotetrack = "quotetrack.site"``): Datasette
finds a plugin's ``templates/`` and ``static/`` only beside a package, so the hooks
are made attributes of the package here.
"""
from .hooks import (extra_css_urls, extra_js_urls, filters_from_request, handle_exception, menu_links,  # noqa: F401
                    prepare_connection, register_facet_classes, register_routes, render_cell)
