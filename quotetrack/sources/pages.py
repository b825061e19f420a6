"""Saved web pages: the article's text and metadata, read with trafilatura.

trafilatura (with htmldate for the publication date) finds the article's body among
the page furniture (menus, banners, related links, comments, footers) and reads its
title, site name, author, date and URL. quotetrack adds what a browser shows that the
library drops: ``<q>`` elements keep their quotation marks.

The article text is the headline, a blank line, then one paragraph per block of the
extracted body, separated by blank lines. That text is ``Article.text``: it is stored as
``articles.text``, and every quote offset points into it.
"""
from __future__ import annotations

import re

import lxml.etree
import lxml.html

from .dates import parse_date

# Before the first element: an XML declaration (lxml refuses one in a str), comments,
# a doctype.
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*>", re.I)


def read_page(html: str) -> tuple[str, dict]:
    """The article in an HTML page: ``(text, metadata)``, where metadata may hold
    ``title``, ``outlet``, ``author``, ``published`` (an ISO day) and ``url``. The text is
    empty when the page holds no article text."""
    import trafilatura          # here: a fifth of a second to import, which text-only runs don't need

    try:
        tree = lxml.html.document_fromstring(_XML_DECLARATION.sub("", html, count=1))
    except (lxml.etree.ParserError, ValueError):
        return "", {}
    head_title = " ".join((tree.findtext(".//head/title") or "").split())
    _quote_marks(tree)
    _br_paragraphs(tree)
    _layout_tables(tree)
    _div_paragraphs(tree)
    _link_lists(tree)
    doc = trafilatura.bare_extraction(tree, with_metadata=True, include_comments=False, include_tables=True,
                                      date_extraction_params=_DATES)
    if doc is None:
        return "", {}
    paragraphs = [p for p in (" ".join(line.split()) for line in (doc.text or "").splitlines()) if p]
    title = " ".join((doc.title or "").split())
    if paragraphs and title and paragraphs[0].casefold() == title.casefold():
        paragraphs.pop(0)
    if not paragraphs:
        return "", {}
    meta = {"title": title, "outlet": doc.sitename or _site_in_title(head_title, title), "author": doc.author,
            "published": parse_date(doc.date), "url": doc.url}
    meta = {k: " ".join(v.split()) for k, v in meta.items() if v and v.strip()}
    return "\n\n".join([title] * bool(title) + paragraphs) + "\n", meta


# htmldate reads the date from the page's markup (meta tags, JSON-LD, <time>, date
# elements, the URL); its "extensive" search of the whole text is off: on pages whose date
# it could not read, it took a copyright year for the 1st of January.
_DATES = {"extensive_search": False, "original_date": True}
# the separators between a headline and the site's name in a <title>
_TITLE_SEPARATOR = re.compile(r"\s+[|\-–—·:]{1,2}\s+|\s*[|·]\s*")


def _site_in_title(head_title: str, title: str) -> str | None:
    """The site's name beside the headline in the page's ``<title>`` ("Harbour deal
    signed | Coastal Times", "Coastal Times - Harbour deal signed"), for a page that names
    its site nowhere else."""
    folded, headline = head_title.casefold(), title.casefold()
    if not headline or folded == headline:
        return None
    if folded.startswith(headline):
        pieces, last = _TITLE_SEPARATOR.split(head_title[len(title):]), True
    elif folded.endswith(headline):
        pieces, last = _TITLE_SEPARATOR.split(head_title[:-len(title)]), False
    else:
        return None
    if len(pieces) < 2 or pieces[0 if last else -1].strip():
        return None                 # no separator next to the headline
    site = pieces[-1 if last else 0].strip()
    return site if 0 < len(site) <= 60 else None


def _quote_marks(tree) -> None:
    """``<q>`` as browsers show it, between quotation marks (trafilatura keeps its
    words and drops the marks, which quotation spans are found by)."""
    for q in list(tree.iter("q")):
        q.text = "“" + (q.text or "")
        if len(q):
            q[-1].tail = (q[-1].tail or "") + "”"
        else:
            q.text += "”"
        q.drop_tag()


# Elements that start a block of their own: a <div> holding none of them is one paragraph.
_BLOCKS = frozenset("address article aside blockquote details dialog dd div dl dt fieldset figcaption figure footer "
                    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table ul br".split())


def _div_paragraphs(tree) -> None:
    """A ``<div>`` with text and no block inside is laid out as a paragraph: it becomes a
    ``<p>`` (Readability's rule). trafilatura takes paragraphs from ``<p>`` and, on a short
    page written in such ``<div>``s, took the comments for the article."""
    for div in list(tree.iter("div")):
        if (not any(isinstance(el.tag, str) and el.tag in _BLOCKS for el in div.iterdescendants())
                and div.text_content().strip()):
            div.tag = "p"


def _br_paragraphs(tree) -> None:
    """Two or more ``<br>`` in a row end a paragraph (Readability's rule): the inline
    content between such runs becomes a ``<p>`` of its own, so text written as
    ``one<br><br>two`` is read as two paragraphs, like text in ``<p>``s."""
    parents = {}
    for br in tree.iter("br"):
        nxt = br.getnext()
        if nxt is not None and nxt.tag == "br" and not (br.tail or "").strip():
            parents[id(br.getparent())] = br.getparent()
    for parent in parents.values():
        _split_at_brs(parent)


def _split_at_brs(parent) -> None:
    if parent.tag == "p":
        parent.tag = "div"           # its paragraphs become <p>s inside it
    children = list(parent)
    pieces: list[list] = [[parent.text or ""]]     # runs of inline content: text and elements
    blocks: list = []                              # (index into pieces after which it comes, element)
    i = 0
    while i < len(children):
        c = children[i]
        if c.tag == "br" and i + 1 < len(children) and children[i + 1].tag == "br" and not (c.tail or "").strip():
            while i + 1 < len(children) and children[i + 1].tag == "br" and not (children[i].tail or "").strip():
                i += 1
            pieces.append([children[i].tail or ""])
        elif isinstance(c.tag, str) and c.tag in _BLOCKS and c.tag != "br":
            blocks.append((len(pieces), c))
            pieces.append([c.tail or ""])
            c.tail = None
        else:
            pieces[-1].append(c)
        i += 1
    for c in children:
        parent.remove(c)
    parent.text = None
    block_at = dict(blocks)
    for n, piece in enumerate(pieces):
        if n in block_at:
            parent.append(block_at[n])
        text, elements = piece[0], piece[1:]
        if not text.strip() and not elements:
            continue
        para = parent.makeelement("p", {})
        para.text = text
        for el in elements:
            para.append(el)
        parent.append(para)


_TABLE_PARTS = ("table", "thead", "tbody", "tfoot", "tr", "td", "th")


def _layout_tables(tree) -> None:
    """A table whose cells hold paragraphs (``<p>``, or text broken by ``<br><br>``),
    headings, lists or quotations lays out the page; it holds no data: its rows and cells
    become ``<div>``s, read like the rest of the page (as a data table, all of the article
    would be one row of cells)."""
    for table in list(tree.iter("table")):
        if any(el.tag in ("p", "h1", "h2", "h3", "ul", "ol", "blockquote", "article", "section") for el in table.iter()):
            # its own rows and cells, not those of a (data) table inside a cell
            own = [el for el in table.iter(*_TABLE_PARTS[1:]) if next(el.iterancestors("table"), None) is table]
            for el in [table, *own]:
                el.tag = "div"


def _link_lists(tree) -> None:
    """A list whose every item starts with a link to another page (menus, related stories
    with their standfirsts) is navigation, not article text."""
    for lst in list(tree.iter("ul", "ol")):
        items = [li for li in lst if li.tag == "li"]
        if len(items) < 2:
            continue
        if all(not (li.text or "").strip() and len(li) and li[0].tag == "a" and li[0].get("href") for li in items):
            lst.drop_tree()
