"""The Datasette site: plugin, pages, search pass, templates and static files."""
