"""Saved web pages: how much of the article body the HTML reader keeps, and how much of the
page furniture around it it drops.

    python benchmarks/html_pages.py [--pages 400] [--seed 1] [--keep DIR] [--worst N]
                                    [--against REV] [--json-out FILE]

Pages are made from real article texts (``../shared/corpora/allsides/`` and
``../shared/corpora/wikinews/``; nothing is copied into the repository) wrapped in page
furniture of the kinds saved news pages carry, varied from page to page: top bars, nav
menus with drop-downs, cookie banners (with quotation marks in them), breadcrumbs,
bylines and time stamps, share buttons, advertisements, "READ MORE" teasers between
paragraphs, newsletter boxes, related-article lists (other articles' headlines and first
sentences), tags, author bios, comments and footers. The markup varies too: HTML5
(``header/nav/article/aside/footer``), class-named ``div`` soup, an old table layout with
``<br><br>`` paragraphs, paragraphs as ``div``; some quotations in ``<blockquote>`` or
``<q>``; metadata in ``<meta>`` tags, JSON-LD, ``<time>`` or only in the visible byline;
short pages (one to three paragraphs) among them.

Each page is read with ``quotetrack.sources.formats.read_path``, as ``quotetrack ingest``
reads it, and the article's body paragraphs (``Article.paragraphs``: what quotations are
extracted from) are compared with the words of the body and of the furniture, as bags of
words (casefolded ``\\w+`` tokens; the headline is neither):

- body kept: the share of body words found in the output (each at most as often as in the
  body);
- furniture dropped: 1 - the share of furniture words found in the output beyond the body's
  own count of each word;
- quotations kept: the share of the body's quotations (text between quotation marks,
  ``<q>`` and ``<blockquote>`` included) found in the output with their marks;
- title, date, outlet, author: the share of pages where the reader's value is right.

``--against REV`` measures the reader of commit REV as well (its ``quotetrack/`` package,
taken with ``git archive``, run in a subprocess), so both figures come from one command on
the same pages. Without ``../shared`` the script says so and exits.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import gzip
import html
import io
import json
import os
import random
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    return Path(os.environ.get("QUOTETRACK_SHARED", REPO.parent / "shared"))


# --------------------------------------------------------------------------- the articles

_WORD = re.compile(r"\w+")
_QUOTATION = re.compile(r"“([^“”]{8,}?)”")


def words(s: str) -> collections.Counter:
    return collections.Counter(_WORD.findall(unicodedata.normalize("NFKC", s).casefold()))


# What the corpora's own scraping left in some texts (captions, newsletter boxes, copyright
# lines, one-word lines): articles with any of it are not used, so the body is all body.
_SCRAPED = re.compile(r"(?im)^(?:image|photo|video|caption|credit)s?\b|copyright|©|all rights reserved|sign up|"
                      r"newsletter|click here|advertisement|subscribe|toggle caption|\bimage:|^\W*(?:\w+\W*){1,3}$")


def _clean(paras: list[str]) -> bool:
    return not any(_SCRAPED.search(p) for p in paras) and len(set(paras)) == len(paras)


def _allsides(folder: Path, n: int, rng: random.Random) -> list[dict]:
    """``n`` AllSides records with a title, a date and clean paragraphs."""
    out = []
    with gzip.open(folder / "allsides-00.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            text, title = r.get("text") or "", (r.get("title") or "").strip()
            paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
            if paras and title and paras[0].casefold() == title.casefold():
                paras = paras[1:]
            if not title or not (3 <= len(paras) <= 40) or not _clean(paras):
                continue
            date = r.get("date") or ""
            if not re.fullmatch(r"(19[89]\d|20\d\d)-\d\d-\d\d", date):
                continue
            out.append({"source": "allsides", "id": r["id"], "title": " ".join(title.split()), "paras": paras,
                        "date": date, "author": (r.get("author") or "").strip() or None})
            if len(out) >= 4 * n:
                break
    rng.shuffle(out)
    return out[:n]


def _wikinews(folder: Path, n: int, rng: random.Random) -> list[dict]:
    dates = {}
    with open(folder / "metadata.tsv", encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        for line in fh:
            row = dict(zip(header, line.rstrip("\n").split("\t")))
            dates[row["file"]] = row
    out = []
    for p in sorted(folder.glob("*.txt")):
        paras = [" ".join(x.split()) for x in re.split(r"\n\s*\n", p.read_text(encoding="utf-8")) if x.strip()]
        meta = dates.get(p.name, {})
        if len(paras) < 3:
            continue
        title, rest = paras[0], paras[1:]
        if re.fullmatch(r"\w+day, \w+ \d{1,2}, \d{4}", rest[0]):
            rest = rest[1:]          # the dateline: shown as the page's date instead
        if not rest or not _clean(rest):
            continue
        out.append({"source": "wikinews", "id": p.name, "title": meta.get("title") or title, "paras": rest,
                    "date": meta.get("date") or p.name[:10], "author": None})
    rng.shuffle(out)
    return out[:n]


# --------------------------------------------------------------------------- the furniture

OUTLETS = ["The Daily Ledger", "Metro Herald", "Coastal Times", "Northern Star", "The Morning Wire",
           "Capital Dispatch", "Global Report", "Valley Courier", "The Evening Standard-Post", "Harbour Gazette",
           "Riverside Chronicle", "Prairie Voice"]
SECTIONS = ["Home", "News", "World", "U.S.", "Politics", "Business", "Markets", "Tech", "Science", "Health",
            "Climate", "Sport", "Culture", "Opinion", "Lifestyle", "Travel", "Video", "Podcasts", "Weather",
            "Local", "Education", "Entertainment", "Obituaries", "Crosswords"]
SUBSECTIONS = {"World": ["Europe", "Asia", "Africa", "Middle East", "Americas", "Australia"],
               "Business": ["Economy", "Companies", "Personal finance", "Real estate"],
               "Sport": ["Football", "Cricket", "Tennis", "Golf", "Formula 1"],
               "Opinion": ["Editorials", "Columnists", "Letters", "Cartoons"]}
PEOPLE = ["Maria Lopez", "James Whitaker", "Priya Raman", "Tom Becker", "Aisha Bello", "Chen Wei", "Laura Svensson",
          "Daniel O'Connor", "Fatima Zahra", "Robert King", "Sofia Marin", "Kwame Mensah"]
COMMENTERS = ["truthseeker42", "Margaret H.", "JohnD_1960", "realist", "Concerned Citizen", "Pat from Ohio",
              "el_guapo", "Skeptic99", "Linda K", "oldschoolreader", "M. Fischer", "northwind"]
COMMENTS = """\
This is exactly what I expected. Nobody in charge ever listens to ordinary people.
Great reporting, thank you for covering this when nobody else would.
I have read this twice and I still do not understand what the actual plan is.
As my grandfather used to say, "never trust a promise made in an election year."
The article leaves out the most important part of the story, as usual.
Can someone explain why this is news? It happens every single year.
Well said. We need more of this kind of journalism and less of the clickbait.
Interesting that the other side has not responded at all. Silence speaks volumes.
My town went through the same thing in 2012 and it took a decade to recover.
They said it would "never happen here" and look where we are now.
Subscribed just to comment: this headline is misleading.
Sad news. My thoughts are with the families affected.
Follow the money and you will find the real reason behind all of this.
I disagree with the premise, but the piece is fair to both sides.
""".splitlines()
COOKIE_TEXTS = [
    "We use cookies and similar technologies to personalise content and ads, to provide social media features "
    "and to analyse our traffic. By clicking “Accept all”, you agree to the storing of cookies on your device.",
    "This site uses cookies. Some are essential to make the site work; others help us improve the user experience. "
    "Select \"Manage preferences\" to choose which cookies we may use.",
    "We and our partners store and access information on your device, such as cookies, for personalised ads and "
    "content, ad and content measurement, audience insights and product development.",
    "Your privacy matters to us. We use cookies to give you the best experience on our website and to show you "
    "relevant advertising. You can change your settings at any time.",
]
COOKIE_BUTTONS = [["Accept all", "Reject all", "Manage settings"], ["I agree", "Learn more"],
                  ["Accept", "Customise"], ["OK", "Privacy policy"]]
NEWSLETTERS = [
    ("Morning Briefing", "Get the day's top stories in your inbox every weekday morning."),
    ("The Week in Politics", "Our political team's analysis of the week, every Friday."),
    ("Breaking News Alerts", "Be the first to know when news breaks, wherever you are."),
    ("Climate Weekly", "The science, the policy and the people shaping our planet's future."),
]
ADS = ["You won't believe what this 60-year-old did to look 30", "Doctors stunned by this simple trick for better sleep",
       "The one stock analysts say to buy before it is too late", "Retirees are moving to this sunny town in droves",
       "New rules for drivers over 70 announced this month"]
FOOTER_LINKS = ["About us", "Contact us", "Careers", "Advertise with us", "Privacy Policy", "Cookie Policy",
                "Terms of Service", "Accessibility", "Sitemap", "Help Centre", "Corrections", "Newsletters",
                "Subscriptions", "Code of ethics", "Archive", "RSS feeds"]
SOCIAL = ["Facebook", "Twitter", "Instagram", "YouTube", "LinkedIn", "WhatsApp", "Telegram", "Reddit"]
BIO_BEATS = ["covers national politics", "reports on climate and energy", "is a senior correspondent based in Brussels",
             "writes about technology and the economy", "covers courts and justice", "is the paper's health editor"]
TOPICS = ["Politics", "Elections", "Congress", "Economy", "Climate change", "Public health", "Courts", "Immigration",
          "Foreign policy", "Education", "Technology", "Energy", "Europe", "Asia", "Middle East"]
CITIES = ["London", "New York", "Washington", "Sydney", "Toronto", "Berlin", "Chicago", "Paris"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


class Page:
    """One page being built: the furniture text put into it, by kind."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.furniture: list[tuple[str, str]] = []     # (kind, text)
        self.kind = ""

    def f(self, text: str) -> str:
        """Furniture text of the current kind, escaped for HTML; remembered."""
        self.furniture.append((self.kind, text))
        return html.escape(text, quote=False)


def e(s: str) -> str:
    return html.escape(s, quote=False)


def _human_date(iso: str, rng: random.Random) -> str:
    y, m, d = map(int, iso.split("-"))
    wd = WEEKDAYS[dt.date(y, m, d).weekday()]
    return rng.choice([f"{MONTHS[m - 1]} {d}, {y}", f"{d} {MONTHS[m - 1]} {y}", f"{wd}, {MONTHS[m - 1]} {d}, {y}",
                       f"{MONTHS[m - 1][:3]}. {d}, {y}", f"{wd} {d} {MONTHS[m - 1]} {y}"])


def _links(page: Page, items: list[str], cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<ul{attr}>" + "".join(f'<li><a href="/{re.sub(r"[^a-z]+", "-", i.lower())}">{page.f(i)}</a></li>'
                                  for i in items) + "</ul>"


def top_bar(p: Page, art: dict) -> str:
    p.kind = "top-bar"
    r = p.rng
    bits = [f'<a class="skip" href="#main">{p.f("Skip to main content")}</a>']
    if r.random() < 0.6:
        bits.append(f'<span class="today">{p.f(_human_date(art["date"], r))}</span>')
    if r.random() < 0.4:
        bits.append(f'<span class="weather">{p.f(f"{r.randint(-5, 30)}°C {r.choice(CITIES)}")}</span>')
    bits.append(f'<a href="/subscribe" class="btn">{p.f(r.choice(["Subscribe", "Subscribe now", "Support us"]))}</a>')
    bits.append(f'<a href="/login">{p.f(r.choice(["Sign in", "Log in", "My account"]))}</a>')
    return '<div class="top-bar">' + " ".join(bits) + "</div>"


def nav_menu(p: Page, art: dict) -> str:
    p.kind = "nav-menu"
    r = p.rng
    secs = r.sample(SECTIONS, r.randint(6, 14))
    items = []
    for s in secs:
        sub = SUBSECTIONS.get(s)
        inner = f'<a href="/{s.lower()}">{p.f(s)}</a>'
        if sub and r.random() < 0.6:
            inner += _links(p, sub, "dropdown")
        items.append(f"<li>{inner}</li>")
    return '<ul class="menu">' + "".join(items) + "</ul>"


def cookie_banner(p: Page, art: dict) -> str:
    p.kind = "cookie-banner"
    r = p.rng
    buttons = "".join(f"<button>{p.f(b)}</button>" for b in r.choice(COOKIE_BUTTONS))
    cls = r.choice(["cookie-banner", "consent", "gdpr-notice", "cc-window", "privacy-bar"])
    title = f"<h3>{p.f(r.choice(['We value your privacy', 'Cookies on this site', 'Your choices']))}</h3>" \
        if r.random() < 0.5 else ""
    return f'<div class="{cls}" id="{cls}">{title}<p>{p.f(r.choice(COOKIE_TEXTS))}</p>{buttons}</div>'


def breadcrumbs(p: Page, art: dict) -> str:
    p.kind = "breadcrumbs"
    r = p.rng
    trail = ["Home", r.choice(["News", "World", "Politics", "U.S."])] + ([r.choice(TOPICS)] if r.random() < 0.5 else [])
    sep = r.choice([" › ", " / ", " > ", " » "])
    return '<nav class="breadcrumb">' + e(sep).join(f'<a href="#">{p.f(t)}</a>' for t in trail) + "</nav>"


def byline(p: Page, art: dict, author: str, meta_only: bool) -> str:
    """Author and date as the page shows them (the date always, so every page has one)."""
    p.kind = "byline"
    r = p.rng
    shown = _human_date(art["date"], r)
    when = r.choice([f"Published {shown}", shown, f"Posted on {shown}", f"Updated {shown}"])
    time_tag = f'<time datetime="{art["date"]}T{r.randint(5, 22):02d}:{r.randint(0, 59):02d}:00Z">{p.f(when)}</time>' \
        if r.random() < 0.6 else f'<span class="date">{p.f(when)}</span>'
    parts = [] if meta_only else [f'<span class="author">{p.f("By " + author)}</span>']
    parts.append(time_tag)
    if r.random() < 0.4:
        parts.append(f'<span class="read-time">{p.f(f"{r.randint(2, 12)} min read")}</span>')
    return '<div class="byline">' + " ".join(parts) + "</div>"


def share_buttons(p: Page, art: dict) -> str:
    p.kind = "share-buttons"
    r = p.rng
    label = f"<span>{p.f(r.choice(['Share', 'Share this article', 'Share on']))}</span>" if r.random() < 0.7 else ""
    nets = r.sample(SOCIAL[:6], r.randint(2, 5)) + (["Email", "Copy link"] if r.random() < 0.5 else []) + \
        (["Print"] if r.random() < 0.3 else [])
    btns = "".join(f'<a class="share-{n.lower().replace(" ", "-")}" href="#">{p.f(n)}</a>' for n in nets)
    return f'<div class="{r.choice(["share", "social-share", "sharing-tools"])}">{label}{btns}</div>'


def advert(p: Page, art: dict) -> str:
    p.kind = "advert"
    r = p.rng
    label = r.choice(["Advertisement", "ADVERTISEMENT", "Story continues below advertisement", "Sponsored", "Ad"])
    extra = f'<a href="#">{p.f(r.choice(ADS))}</a>' if r.random() < 0.4 else ""
    return f'<div class="{r.choice(["ad", "advert", "ad-slot", "dfp-ad", "promo"])}"><span>{p.f(label)}</span>{extra}</div>'


def read_more(p: Page, art: dict, others: list[dict]) -> str:
    p.kind = "read-more"
    r = p.rng
    o = r.choice(others)
    lead = r.choice(["READ MORE:", "Read more:", "Related:", "Also read:", "See also:", "MORE:"])
    return f'<p class="{r.choice(["related-inline", "read-more", ""])}"><strong>{p.f(lead)}</strong> ' \
           f'<a href="#">{p.f(o["title"])}</a></p>'


def newsletter(p: Page, art: dict) -> str:
    p.kind = "newsletter"
    r = p.rng
    name, blurb = r.choice(NEWSLETTERS)
    return (f'<div class="{r.choice(["newsletter-signup", "nl-box", "signup"])}"><h3>{p.f(name)}</h3><p>{p.f(blurb)}</p>'
            f'<form><input type="email" placeholder="Your email address"><button>{p.f(r.choice(["Sign up", "Subscribe"]))}</button></form>'
            + (f'<p class="small">{p.f("By signing up you agree to our Privacy Policy and Terms of Service.")}</p>'
               if r.random() < 0.5 else "") + "</div>")


def related(p: Page, art: dict, others: list[dict]) -> str:
    p.kind = "related"
    r = p.rng
    head = r.choice(["Related", "More from " + r.choice(["World", "Politics", "Business", "this section"]), "Most read",
                     "Recommended for you", "You may also like", "Trending now", "Latest news"])
    items = []
    for o in r.sample(others, r.randint(3, 6)):
        li = f'<a href="#">{p.f(o["title"])}</a>'
        if r.random() < 0.5:         # a standfirst: another article's first sentence, prose like the body
            first = re.split(r"(?<=[.!?])\s+", o["paras"][0])[0]
            li += f"<p>{p.f(first)}</p>"
        if r.random() < 0.4:
            li += f'<span class="ago">{p.f(r.choice(["2 hours ago", "5h ago", "Yesterday", "3 days ago", "1 hour ago"]))}</span>'
        items.append(f"<li>{li}</li>")
    tag = r.choice(["aside", "div", "section"])
    return f'<{tag} class="{r.choice(["related", "more-stories", "most-read", "recirc"])}"><h2>{p.f(head)}</h2><ul>{"".join(items)}</ul></{tag}>'


def tags(p: Page, art: dict) -> str:
    p.kind = "tags"
    r = p.rng
    label = f"<span>{p.f(r.choice(['Topics', 'Tags', 'More on']))}</span> " if r.random() < 0.6 else ""
    return f'<div class="tags">{label}{_links(p, r.sample(TOPICS, r.randint(2, 5)))}</div>'


def author_bio(p: Page, art: dict, author: str) -> str:
    p.kind = "author-bio"
    r = p.rng
    handle = "@" + re.sub(r"\W", "", author.lower())[:12]
    text = f"{author} {r.choice(BIO_BEATS)} for {art['outlet']}."
    follow = f" Follow {r.choice(['her', 'him', 'them'])} on Twitter {handle}." if r.random() < 0.5 else ""
    return f'<div class="author-bio"><p>{p.f(text + follow)}</p></div>'


def comments(p: Page, art: dict) -> str:
    p.kind = "comments"
    r = p.rng
    n = r.randint(2, 6)
    cls = r.choice(["comments", "comment-list", "disqus_thread", "responses", "user-comments"])
    head = f"<h2>{p.f(r.choice([f'Comments ({n})', f'{n} Comments', 'Join the discussion', 'Reader comments']))}</h2>"
    items = []
    for c in r.sample(COMMENTS, n):
        meta = f'<span class="name">{p.f(r.choice(COMMENTERS))}</span> <span class="when">{p.f(r.choice(["3 hours ago", "1 day ago", "Jan 5", "2 weeks ago"]))}</span>'
        actions = f'<a href="#">{p.f("Reply")}</a> <a href="#">{p.f(f"Like {r.randint(0, 99)}")}</a>' if r.random() < 0.7 else ""
        items.append(f'<li class="comment"><div class="comment-meta">{meta}</div><p>{p.f(c)}</p>{actions}</li>')
    return f'<section id="{cls}" class="{cls}">{head}<ol>{"".join(items)}</ol></section>'


def footer(p: Page, art: dict) -> str:
    p.kind = "footer"
    r = p.rng
    cols = _links(p, r.sample(FOOTER_LINKS, r.randint(5, 11)))
    social = ""
    if r.random() < 0.7:
        social = f"<p>{p.f('Follow us')}</p>" + _links(p, r.sample(SOCIAL, r.randint(3, 5)), "social")
    year = art["date"][:4]
    copyright_ = r.choice([f"© {year} {art['outlet']}. All rights reserved.", f"Copyright © {year} {art['outlet']}",
                           f"© {art['outlet']} {year}. {art['outlet']} is not responsible for the content of external sites."])
    return f"{cols}{social}<p class=\"copyright\">{p.f(copyright_)}</p>"


# --------------------------------------------------------------------------- a page

def _body_html(p: Page, art: dict, others: list[dict], para_tag: str) -> tuple[str, list[str]]:
    """The body paragraphs as markup, with in-article furniture between them. Returns the
    markup and the body's quotations (as they must appear in the output)."""
    r = p.rng
    out = []
    quotations: list[str] = []
    blockquote = r.random() < 0.25
    q_tag = r.random() < 0.15
    inline_at = set(r.sample(range(1, len(art["paras"])), min(len(art["paras"]) - 1, r.choice([0, 0, 1, 2]))))
    for i, para in enumerate(art["paras"]):
        if i in inline_at:
            out.append(r.choice([lambda: read_more(p, art, others), lambda: advert(p, art),
                                 lambda: share_buttons(p, art)])())
        quotations += [m.group(1) for m in _QUOTATION.finditer(para)]
        text = e(para)
        if q_tag and "“" in para:
            text = re.sub(r"“([^“”]+)”", lambda m: f"<q>{m.group(1)}</q>", text)
        if para_tag == "br":
            out.append(text + "<br><br>\n")
        elif blockquote and para.startswith("“") and para.rstrip().endswith("”"):
            out.append(f"<blockquote><p>{text}</p></blockquote>")
        else:
            out.append(f"<{para_tag}>{text}</{para_tag}>")
    return "\n".join(out), quotations


def make_page(art: dict, others: list[dict], rng: random.Random) -> tuple[str, dict]:
    p = Page(rng)
    r = rng
    art = dict(art)
    art["outlet"] = r.choice(OUTLETS)
    author = art["author"] or r.choice(PEOPLE)
    style = r.choice(["html5", "divs", "table", "divparas"])
    meta_where = r.choice(["meta", "jsonld", "visible", "meta"])
    shown_author = meta_where != "meta" or r.random() < 0.5
    head = [f'<meta charset="utf-8"><title>{e(art["title"])} | {e(art["outlet"])}</title>',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<link rel="stylesheet" href="/css/site.css"><script src="/js/analytics.js"></script>',
            "<script>window.dataLayer = window.dataLayer || []; dataLayer.push({'section': 'news'});</script>"]
    if meta_where == "meta":
        head.append(f'<meta property="og:site_name" content="{html.escape(art["outlet"])}">'
                    f'<meta property="og:title" content="{html.escape(art["title"])}">'
                    f'<meta name="author" content="{html.escape(author)}">'
                    f'<meta property="article:published_time" content="{art["date"]}T08:00:00Z">')
    elif meta_where == "jsonld":
        ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": art["title"],
              "datePublished": f"{art['date']}T08:00:00Z", "author": {"@type": "Person", "name": author},
              "publisher": {"@type": "Organization", "name": art["outlet"]}}
        head.append(f'<script type="application/ld+json">{json.dumps(ld)}</script>')
    short = r.random() < 0.12
    if short:
        art["paras"] = art["paras"][:r.randint(1, 3)]
    para_tag = {"table": "br", "divparas": "div"}.get(style, "p")
    if style == "table" and r.random() < 0.5:
        para_tag = "p"
    body, quotations = _body_html(p, art, others, para_tag)
    p.kind = "masthead"
    logo = f'<a class="logo" href="/">{p.f(art["outlet"])}</a>'
    if r.random() < 0.4:
        logo += f'<span class="tagline">{p.f(r.choice(["Independent journalism since 1887", "News you can trust", "All the news that matters", "Local news, every day"]))}</span>'
    h1 = f"<h1>{e(art['title'])}</h1>"
    standfirst_by = byline(p, art, author, meta_only=not shown_author)

    before = [top_bar(p, art)] if r.random() < 0.7 else []
    cookie = cookie_banner(p, art) if r.random() < 0.7 else ""
    nav = nav_menu(p, art)
    crumbs = breadcrumbs(p, art) if r.random() < 0.5 else ""
    shares = share_buttons(p, art) if r.random() < 0.7 else ""
    after = [x() for x, prob in ((lambda: share_buttons(p, art), 0.4), (lambda: tags(p, art), 0.5),
                                 (lambda: author_bio(p, art, author), 0.3 if shown_author else 0),
                                 (lambda: newsletter(p, art), 0.5), (lambda: related(p, art, others), 0.8),
                                 (lambda: comments(p, art), 0.5)) if r.random() < prob]
    side = [related(p, art, others)] if r.random() < 0.6 else []
    side += [advert(p, art)] if r.random() < 0.5 else []
    foot = footer(p, art)
    if r.random() < 0.3:
        r.shuffle(after)

    if style == "html5":
        page = (f"<header>{''.join(before)}<div class=\"masthead\">{logo}</div><nav>{nav}</nav></header>{cookie}"
                f"<main id=\"main\">{crumbs}<article><header>{h1}{standfirst_by}{shares}</header>"
                f"<div class=\"article-body\">{body}</div><footer>{''.join(after[:2])}</footer></article>"
                f"{''.join(after[2:])}<aside>{''.join(side)}</aside></main><footer>{foot}</footer>")
    elif style == "divs":
        page = (f"<div id=\"page\"><div id=\"header\">{''.join(before)}{logo}<div class=\"navigation\">{nav}</div></div>"
                f"{cookie}<div id=\"content\" class=\"clearfix\"><div class=\"main-col\">{crumbs}{h1}{standfirst_by}{shares}"
                f"<div class=\"story-text\">{body}</div>{''.join(after)}</div>"
                f"<div class=\"sidebar\">{''.join(side)}</div></div><div id=\"footer\">{foot}</div></div>")
    elif style == "table":
        page = (f"<table width=\"100%\"><tr><td colspan=\"2\">{''.join(before)}{logo}</td></tr>"
                f"<tr><td width=\"180\" valign=\"top\">{nav}</td><td valign=\"top\">{cookie}{crumbs}{h1}{standfirst_by}"
                f"<div>{body}</div>{''.join(after)}</td><td>{''.join(side)}</td></tr>"
                f"<tr><td colspan=\"3\">{foot}</td></tr></table>")
    else:
        page = (f"<div class=\"wrapper\">{''.join(before)}<div class=\"site-header\">{logo}</div>"
                f"<div class=\"site-nav\">{nav}</div>{cookie}<div class=\"container\"><div class=\"col-8\">{crumbs}"
                f"<div class=\"headline\">{h1}</div>{standfirst_by}{shares}<div class=\"content\">{body}</div>"
                f"{''.join(after)}</div><div class=\"col-4\">{''.join(side)}</div></div>"
                f"<div class=\"site-footer\">{foot}</div></div>")
    doc = f"<!DOCTYPE html>\n<html lang=\"en\"><head>{''.join(head)}</head><body>{page}</body></html>\n"
    truth = {"source": art["source"], "id": art["id"], "title": art["title"], "date": art["date"],
             "outlet": art["outlet"], "author": author, "body": "\n".join(art["paras"]),
             "furniture": p.furniture, "quotations": quotations, "style": style,
             "meta": meta_where, "short": short, "paragraphs": len(art["paras"])}
    return doc, truth


def make_pages(corpora: Path, n: int, seed: int, folder: Path) -> list[dict]:
    rng = random.Random(seed)
    arts = _allsides(corpora / "allsides", n - n // 2, rng) + _wikinews(corpora / "wikinews", n // 2, rng)
    truths = []
    for i, art in enumerate(arts):
        others = [a for a in rng.sample(arts, 12) if a is not art]
        doc, truth = make_page(art, others, random.Random(seed * 100_003 + i))
        name = f"{i:04d}-{art['source']}.html"
        (folder / name).write_text(doc, encoding="utf-8")
        truth["file"] = name
        truths.append(truth)
    return truths


# --------------------------------------------------------------------------- measuring

def read_pages(folder: Path, names: list[str], every_line: bool = False) -> dict:
    """Read each page as quotetrack does (the quotetrack on ``sys.path``). With
    ``every_line``, the body is every line of the article's text but its headline, before
    quotetrack's own furniture rules (``layout.py``) choose the body paragraphs."""
    import quotetrack
    from quotetrack.sources.formats import read_path

    out = {}
    t0 = time.perf_counter()
    for name in names:
        items = list(read_path(folder / name))
        a = next((x for x in items if hasattr(x, "paragraphs")), None)
        if a is None:
            out[name] = {"error": str(items[0]) if items else "nothing"}
            continue
        spans = a.paragraphs or [(0, len(a.text))]
        if every_line:
            spans = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", a.text) if (m.start(), m.end()) != a.title_span]
        out[name] = {"body": "\n".join(a.text[s:e] for s, e in spans), "title": a.title, "published": a.published,
                     "outlet": a.outlet, "author": a.author}
    return {"reader": str(Path(quotetrack.__file__).resolve().parent), "seconds": time.perf_counter() - t0,
            "pages": out}


def _norm(s: str | None) -> str:
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", s or "").casefold()))


def _visible(s: str) -> str:
    """Without format characters (a left-to-right mark a reader may drop)."""
    return "".join(c for c in s if unicodedata.category(c) != "Cf")


def score(truths: list[dict], read: dict) -> dict:
    body_total = body_kept = furn_total = furn_leaked = 0
    q_total = q_kept = 0
    right = collections.Counter()
    per_page = []
    kinds: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])   # kind: [pieces, pieces leaked]
    for t in truths:
        got = read["pages"][t["file"]]
        b, f = words(t["body"]), words(" ".join(text for _, text in t["furniture"]))
        o = words(got.get("body", ""))
        kept = sum(min(o[w], c) for w, c in b.items())
        extra = o - b
        leaked = sum(min(extra[w], c) for w, c in f.items())
        for kind, text in t["furniture"]:      # a piece of furniture leaked: most of its words are in the output
            ws = words(text)
            kinds[kind][0] += 1
            kinds[kind][1] += sum(min(extra[w], c) for w, c in ws.items()) > sum(ws.values()) / 2
        body_total += sum(b.values())
        body_kept += kept
        furn_total += sum(f.values())
        furn_leaked += leaked
        out_text = _visible(got.get("body", ""))
        for q in map(_visible, t["quotations"]):
            q_total += 1
            q_kept += f"“{q}”" in out_text or f"\"{q}\"" in out_text
        right["title"] += _norm(got.get("title")) == _norm(t["title"])
        right["date"] += got.get("published") == t["date"]
        right["date_wrong"] += got.get("published") not in (None, t["date"])
        right["outlet"] += _norm(got.get("outlet")) == _norm(t["outlet"])
        right["author"] += _norm(got.get("author")) == _norm(t["author"])
        per_page.append({"file": t["file"], "style": t["style"], "short": t["short"],
                         "body_kept": kept / max(1, sum(b.values())),
                         "furniture_dropped": 1 - leaked / max(1, sum(f.values())),
                         "error": got.get("error"), "leaked": sorted((extra & f).elements())[:30],
                         "lost": sorted((b - o).elements())[:30]})
    n = len(truths)
    return {
        "pages": n,
        "body_kept": body_kept / body_total, "furniture_dropped": 1 - furn_leaked / furn_total,
        "quotations_kept": q_kept / max(1, q_total), "quotations": q_total,
        "pages_body_below_99": sum(p["body_kept"] < 0.99 for p in per_page),
        "pages_furniture_below_90": sum(p["furniture_dropped"] < 0.90 for p in per_page),
        "pages_failed": sum(bool(p["error"]) for p in per_page),
        **{f"{k}_right": right[k] / n for k in ("title", "date", "outlet", "author")},
        "date_wrong": right["date_wrong"],
        "ms_per_page": 1000 * read["seconds"] / n,
        "leaked_by_kind": {k: v[1] / v[0] for k, v in sorted(kinds.items())},
        "per_page": per_page,
    }


def _by(truths, per_page, key) -> dict:
    groups = collections.defaultdict(list)
    for t, p in zip(truths, per_page):
        groups[t[key]].append(p)
    return {k: (sum(p["body_kept"] for p in v) / len(v), sum(p["furniture_dropped"] for p in v) / len(v), len(v))
            for k, v in sorted(groups.items(), key=lambda kv: str(kv[0]))}


def _read_at(rev: str, folder: Path, names: list[str], every_line: bool) -> dict:
    """The reader of commit ``rev``: its package extracted with ``git archive``, run in a
    subprocess with it first on ``sys.path``."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", rev, "quotetrack"], check=True,
                                 capture_output=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        names_file = Path(tmp) / "names.json"
        names_file.write_text(json.dumps(names))
        env = {**os.environ, "PYTHONPATH": tmp}
        res = subprocess.run([sys.executable, __file__, "--read-only", str(folder), str(names_file), str(int(every_line))],
                             env=env, check=True, capture_output=True, text=True)
        return json.loads(res.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=400, help="pages to make (half AllSides, half Wikinews)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", type=Path, help="write the pages (and truth.jsonl) into this folder and keep them")
    ap.add_argument("--worst", type=int, default=0, help="print the N pages with the least body kept / furniture dropped")
    ap.add_argument("--against", metavar="REV", help="also measure the reader of this git revision (e.g. main)")
    ap.add_argument("--every-line", action="store_true",
                    help="body = every line of the article text but the headline, before quotetrack's layout rules")
    ap.add_argument("--json-out", type=Path)
    ap.add_argument("--read-only", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.read_only:
        folder, names_file, every_line = args.read_only
        print(json.dumps(read_pages(Path(folder), json.loads(Path(names_file).read_text()), every_line == "1")))
        return

    corpora = shared_dir() / "corpora"
    if not (corpora / "allsides").is_dir() or not (corpora / "wikinews").is_dir():
        print(f"skipped: the shared corpora are not at {corpora} (allsides/ and wikinews/ are needed); "
              "set QUOTETRACK_SHARED to the folder that holds corpora/")
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        truths = make_pages(corpora, args.pages, args.seed, folder)
        if args.keep:
            with open(folder / "truth.jsonl", "w", encoding="utf-8") as fh:
                for t in truths:
                    fh.write(json.dumps(t, ensure_ascii=False) + "\n")
        names = [t["file"] for t in truths]
        runs = {"this tree": read_pages(folder, names, args.every_line)}
        if args.against:
            runs[args.against] = _read_at(args.against, folder, names, args.every_line)
    body_words = sum(sum(words(t["body"]).values()) for t in truths)
    furn_words = sum(sum(words(text).values()) for t in truths for _, text in t["furniture"])
    print(f"{len(truths)} pages ({sum(t['source'] == 'allsides' for t in truths)} AllSides, "
          f"{sum(t['source'] == 'wikinews' for t in truths)} Wikinews; {sum(t['short'] for t in truths)} short), "
          f"{body_words:,} body words, {furn_words:,} furniture words, seed {args.seed}")
    results = {}
    rows = [("body words kept", "body_kept", "%"), ("furniture words dropped", "furniture_dropped", "%"),
            ("body quotations kept with marks", "quotations_kept", "%"),
            ("pages < 99% body kept", "pages_body_below_99", "n"),
            ("pages < 90% furniture dropped", "pages_furniture_below_90", "n"), ("pages not read", "pages_failed", "n"),
            ("title right", "title_right", "%"), ("date right", "date_right", "%"), ("date wrong (not missing)", "date_wrong", "n"), ("outlet right", "outlet_right", "%"),
            ("author right", "author_right", "%"), ("ms per page", "ms_per_page", "f")]
    for name, read in runs.items():
        results[name] = score(truths, read)
        results[name]["reader"] = read["reader"]
    names_ = list(runs)
    print(f"{'':34}" + "".join(f"{n[:18]:>20}" for n in names_))
    for label, key, kind in rows:
        cells = []
        for n in names_:
            v = results[n][key]
            cells.append(f"{100 * v:19.2f}%" if kind == "%" else f"{v:20d}" if kind == "n" else f"{v:20.1f}")
        print(f"{label:34}" + "".join(cells))
    print("pieces of furniture kept in the body, by kind:")
    for kind in results[names_[0]]["leaked_by_kind"]:
        print(f"  {kind:32}" + "".join(f"{100 * results[n]['leaked_by_kind'][kind]:19.1f}%" for n in names_))
    for key in ("style", "meta", "short"):
        print(f"by {key} (body kept / furniture dropped, mean per page):")
        groups = {n: _by(truths, results[n]["per_page"], key) for n in names_}
        for g in groups[names_[0]]:
            print(f"  {str(g):32}" + "".join(f"{100 * groups[n][g][0]:9.1f}% /{100 * groups[n][g][1]:6.1f}%"
                                             for n in names_) + f"   ({groups[names_[0]][g][2]} pages)")
    if args.worst:
        for n in names_:
            pp = results[n]["per_page"]
            print(f"\nworst pages, {n}:")
            for p in sorted(pp, key=lambda p: p["body_kept"])[:args.worst]:
                print(f"  body {100 * p['body_kept']:.1f}% {p['file']} ({p['style']}) lost: {' '.join(p['lost'][:20])}")
            for p in sorted(pp, key=lambda p: p["furniture_dropped"])[:args.worst]:
                print(f"  furniture {100 * p['furniture_dropped']:.1f}% {p['file']} ({p['style']}) leaked: {' '.join(p['leaked'][:20])}")
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps({n: {k: v for k, v in r.items() if k != "per_page"}
                                             for n, r in results.items()}, indent=1))


if __name__ == "__main__":
    main()
