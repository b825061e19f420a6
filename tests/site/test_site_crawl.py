"""No URL of the site answers 500: a crawl of every link reachable from the home page
(bounded), and malformed URLs. Through Datasette's test client, on the seeds and a
hostile article, as served by `quotetrack serve` and `quotetrack serve --public`."""
from __future__ import annotations

import re
from collections import deque
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from datasette.app import Datasette

from _sitedata import METADATA, build_site_db

MAX_PAGES = 700

MALFORMED = [
    "/quotes/-/speaker/abc", "/quotes/-/statement/5.json", "/quotes/-/speaker/1.json", "/quotes/-/quote/-1",
    "/quotes/-/statement/99999999999999999999999999", "/quotes/-/article/0", "/quotes/-/statement/",
    "/quotes/-/", "/quotes/-/nothing/1", "/nosuchdb", "/nosuchdb/quotes", "/quotes/nosuchtable",
    "/quotes/quotes/abc", "/quotes/quotes/999999999999999999999999", "/quotes/quotes?_sort=nosuch",
    "/quotes/quotes?_sort_desc=nosuch", "/quotes/quotes?_sort=text&_sort_desc=text", "/quotes/quotes?_size=abc",
    "/quotes/quotes?_size=-5", "/quotes/quotes?_size=999999", "/quotes/quotes?_next=zzz",
    "/quotes/quotes?_next=%00", "/quotes/quotes?_search=%22", "/quotes/quotes?_search=AND",
    "/quotes/quotes?_search=%28%28%28", "/quotes/quotes?_search=*", "/quotes/quotes?published__date=notadate",
    "/quotes/quotes?speaker_id__gt=abc", "/quotes/quotes?_facet=nosuch", "/quotes/quotes?_facet_size=-1",
    "/quotes/quotes?_facet_size=abc", "/quotes/quotes?_facet_quotetrack=nosuch",
    "/quotes/quotes?_facet_quotetrack=%7B%22date%22%3A%22nosuch%22%7D", "/quotes/quotes?_facet_date=nosuch",
    "/quotes/quotes?_facet_array=text", "/quotes/quotes.nosuchformat", "/quotes/quotes.json?_shape=nosuch",
    "/quotes/quotes?_col=nosuch", "/quotes/quotes?_nocol=nosuch", "/quotes/quotes?_where=1%3D1",
    "/quotes/quotes?_through=%7Bbad", "/quotes/statement_variants?statement=%00",
    "/quotes/statement_variants?statement=" + "x" * 3000, "/quotes/speaker_quotes?speaker=%FF",
    "/quotes/first_reported_between?start_date=never&end_date=", "/%ff", "/quotes/%ff%fe",
    "/quotes/-/statement/1?base=abc", "/quotes/-/statement/1?base=99999999999999999999999",
    "/-/search?q=%22", "/-/search?q=", "/quotes/quotes?outlet__in=%5B", "/" + "a" * 2000,
]


def links(html: str, base: str) -> list[str]:
    out = []
    for href in re.findall(r'href="([^"]+)"', html):
        url = urljoin(base, unescape(href))
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc not in ("", "localhost"):
            continue
        if parts.scheme not in ("", "http", "https"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith("/") and not path.startswith("/-/static"):
            out.append(path)
    return out


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    return build_site_db(tmp_path_factory)


async def make(db_path, public):
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    if public:
        ds = Datasette([], immutables=[str(db_path)], metadata=metadata,
                       settings={"default_allow_sql": False, "suggest_facets": False})
    else:
        ds = Datasette([str(db_path)], metadata=metadata, settings={"suggest_facets": False})
    await ds.invoke_startup()
    return ds


@pytest.mark.slow
@pytest.mark.parametrize("public", [False, True])
async def test_no_link_reachable_from_the_home_page_answers_500(db_path, public):
    ds = await make(db_path, public)
    seen, queue, failures = {"/"}, deque(["/"]), []
    while queue and len(seen) <= MAX_PAGES:
        path = queue.popleft()
        response = await ds.client.get(path)
        if response.status_code >= 500:
            failures.append((path, response.status_code))
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        for link in links(response.text, "http://localhost" + path):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    assert len(seen) > 100                     # the crawl went somewhere
    assert not failures, failures


@pytest.mark.parametrize("public", [False, True])
async def test_malformed_urls_answer_4xx_not_500(db_path, public):
    ds = await make(db_path, public)
    assert len(MALFORMED) >= 50
    failures = []
    for path in MALFORMED:
        response = await ds.client.get(path)
        if response.status_code >= 500:
            failures.append((path, response.status_code, response.text[:200]))
    assert not failures, failures
