"""The layout of an article's text: body paragraphs separated from page furniture line by
line, and title / outlet / author / date where the text gives them."""
from __future__ import annotations

import re

import regex as _regex

from ..records import Article
from .dates import _DATE_LINE, parse_date


# --------------------------------------------------------------------------- body / furniture

_LINE = re.compile(r"\S[^\r\n\u2028\u2029]*")
# Sentence-final punctuation (optionally followed by closing quotes / brackets).
_TERMINAL = re.compile(r"(?:[.!?…:;।。！？—][\"'”’»)\]]*(?:\s*[\[(][^\[\]()]{1,40}[\])])?|[\"”’»])\s*$")
_SENTENCE_END = re.compile(r"[.!?…।。！？][\"'”’»)\]]*\s*$")
_BULLET = re.compile(r"[-–•*·]\s+\S")
# Transcript turns: "HILLARY CLINTON: I think the science is real", "Q: Why?"
_SPEAKER_TURN = _regex.compile(r"\p{Lu}[\p{Lu}\p{M}.'’ \-]{0,40}:\s+\S")
# The source line under a quotation block: "Noah Feldman, Bloomberg", "— Troy Roberts".
_SOURCE_LINE = _regex.compile(r"[-–—]*\s*\p{Lu}[\p{L}\p{M}'’.\-]*(?:\s+[\p{L}\p{M}'’.\-]+){1,4}(?:\s*,\s*[\p{L}\p{M}\d&'’. \-]{2,60})?")
_ENDS_WITH_QUOTE = re.compile(r"[\"”»]\s*$")
# Photo credit lines ("Ramon Espinosa/Pool", "AFP via Getty Images") that sit between the two
# copies of a caption.
_CREDITISH = re.compile(r"(?i)/|\b(?:getty|afp|reuters|ap|pool|images?|photo\w*|shutterstock|epa|via|courtesy|file|staff|caption|credit)\b")
_QUOTE = re.compile(r"[\"“”«»„‟‹›]|‘|(?:^|\s)'\w")
_STARTS_LOWER = _regex.compile(r"[\p{Ll}]")
_ENDS_CONTINUATION = re.compile(r"(?:[,\-–—(]|\b(?:the|a|an|and|or|of|to|in|on|for|with|by|at|from|that|who|which|as|but|is|are|was|were|said)\s*)$", re.I)
# More than one sentence on a line (for headline detection): ". T" not after an initial/abbreviation.
_TWO_SENTENCES = re.compile(r"(?<!\b[A-Z])(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\bSt)(?<!\bMrs)(?<!\bJr)(?<!\bSr)(?<!\bGov)(?<!\bSen)(?<!\bRep)[.!?][\"'”’]?\s+[\"“‘']?[A-Z]")

# "WASHINGTON (Reuters) - ...", "MEXICO CITY, Mexico — ...": a story's first sentence, not a headline.
_DATELINE = re.compile(r"[A-Z][A-Z.]+(?:[ ,]+[A-Z][\w.]*)*\s*(?:\([^)]{1,40}\))?\s*[-–—]\s")
# '"We will act," the ministry said.': a quotation followed by its cue, not a headline.
_QUOTE_THEN_CUE = _regex.compile(r"[,!?…][\"”’]\s+(?:\p{Ll}|\p{Lu}[\w.]*(?:\s+\p{Lu}[\w.]*)?\s+(?:said|says|told|added|wrote|asked|stated|declared))")

_FURNITURE = re.compile(
    r"""(?ix)
    [-–—•*|·\s]*
    (?: play\ live\ radio | next\ up:? | available\ on\ air\ stations | listen(?:\ live)?
      | (?:\d{1,2}:\d{2}(?::\d{2})?\s*)+                     # player clock "0:00 0:00"
      | advertisements? | ad | ads | sponsored(?:\ content)? | story\ continues\ below(?:\ advertisement)?
      | advertisement\ continue\ reading\ the\ main\ story | continue\ reading(?:\ the\ main\ story)?
      | must\ read | trending(?:\ today|\ now|\ stories)? | archives? | spot_img | author | authors
      | most\ (?:read|popular|viewed) | popular\ (?:posts|stories) | related(?:\ (?:articles?|stories|posts|content|coverage))?:?
      | (?:share|tweet|email|print|comments?)(?:\ (?:this|on\ \w+))?(?:\ (?:article|story|page))?
      | (?:subscribe|sign\ up|log\ ?in|sign\ in)(?:\ now)?
      | skip\ to\ (?:main\ )?content | toggle\ caption | enlarge\ this\ image | image | photo | video | caption
      | read\ more | see\ more | load\ more | show\ more | view\ comments | leave\ a\ comment
    )
    [-–—•*|·\s:]*
    """
)
# Teasers for other articles: "Also Read: ...", "READ MORE: ...".
_TEASER = re.compile(r"(?i)[-–—•*\s]*(?:also\s+read|read\s+also|read\s+more|read\s+next|see\s+also|more\s+from\s+[\w ]{1,30}|related(?:\s+(?:articles?|stories|coverage|content|news))?|recommended|don['’]t\s+miss|watch|listen|click\s+here(?:\s+for\s+[\w ]{1,30})?)\s*[:>|»]")
_CREDIT = re.compile(r"(?i)^[\[(]?(?:photo|image|picture|video)s?(?:\s+(?:credits?|by))?\s*[:|/]")
_COPYRIGHT = re.compile(r"(?i)^(?:copyright\s*(?:©|\(c\))?\s*(?:\d{4}|©)|©|\(c\)\s*\d{4})")
_COPYRIGHT_HOLDER = re.compile(
    r"(?i)^(?:copyright\s*(?:©|\(c\))?|©|\(c\))\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*[,.]?\s*(?:by\s+)?"
    r"(?P<holder>[^.|]+?)\s*(?:[.|]|,?\s*all\s+rights\s+reserved|$)"
)
_URL = re.compile(r"https?://(?:www\.)?([\w.-]+\.[a-z]{2,})", re.I)
_URL_LINE = re.compile(r"(?i)\s*(?:https?://|www\.)\S+\s*")
_STAMP = re.compile(r"(?i)^(?P<kind>(?:last\s+|first\s+|originally\s+)?(?:updated|published|posted|modified))\b(?:\s+on\b)?\s*:?\s*(?P<rest>.*)$")
_TEMPERATURE = re.compile(r"-?\d{1,3}(?:[.,]\d+)?\s*°?\s*[CF]\b\.?\s*")
_BYLINE = re.compile(r"(?i)^by\s+(?P<name>.+)$")
_NAME = _regex.compile(
    r"\p{Lu}[\p{L}\p{M}'’.\-]*(?:\s+(?:\p{Lu}[\p{L}\p{M}'’.\-]*|de|da|del|della|di|du|van|von|der|den|la|le|bin|ibn|al|el|dos|das|y))+"
)
_DATE_PREFIX = re.compile(r"\A\s*date:?[ \t]+(\d{4}-\d{1,2}-\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?[ \t\xa0]*")

def _ends(rx: re.Pattern, s: str):
    """Search an end-anchored pattern in the tail of ``s`` only (lines can be long)."""
    return rx.search(s, len(s) - 80) if len(s) > 80 else rx.search(s)


# line kinds
_BODY, _FURN, _TITLE = 0, 1, 2


class _Line:
    __slots__ = ("start", "end", "s", "blank_before", "kind", "words", "flag")

    def __init__(self, start: int, end: int, s: str, blank_before: bool):
        self.start, self.end, self.s, self.blank_before = start, end, s, blank_before
        self.kind = _BODY
        self.flag = ""
        self.words = len(s.split()) if len(s) < 300 else 100   # long lines: "many"


def _split_lines(text: str, begin: int) -> list[_Line]:
    lines: list[_Line] = []
    prev_end = begin
    for m in _LINE.finditer(text, begin):
        s = m.group().rstrip()
        start = m.start()
        gap = text[prev_end:start]
        breaks = gap.count("\n") or gap.count("\r") or (gap.count("\u2028") + gap.count("\u2029"))
        lines.append(_Line(start, start + len(s), s, breaks >= 2 or not lines))
        prev_end = start + len(s)
    return lines


def _join_continuations(text: str, lines: list[_Line]) -> list[_Line]:
    """Re-join a sentence broken over several lines (hard wraps, stray line breaks)."""
    out: list[_Line] = []
    for ln in lines:
        if out:
            prev = out[-1]
            if (not _ends(_TERMINAL, prev.s)
                    and (_STARTS_LOWER.match(ln.s) or (not ln.blank_before and _ends(_ENDS_CONTINUATION, prev.s)
                                                       and prev.words >= 6))
                    and not _FURNITURE.fullmatch(prev.s) and not _FURNITURE.fullmatch(ln.s)
                    and not _STAMP.match(ln.s) and not _COPYRIGHT.match(ln.s)):
                merged = _Line(prev.start, ln.end, text[prev.start:ln.end], prev.blank_before)
                merged.words = prev.words + ln.words
                out[-1] = merged
                continue
        out.append(ln)
    return out


def _norm(s: str) -> str:
    return " ".join(s.casefold().split()).rstrip(".!?;:, ")


def _clean_name(s: str) -> str | None:
    s = re.split(r"\s+(?:[|•·—–]|-)\s+|,|\s+\|\s*|\s+(?:for|of|at|on)\s+|\s+(?:updated|published|posted)\b", s.strip(), maxsplit=1, flags=re.I)[0]
    s = s.strip(" \t.:;-–—|")
    if not s or len(s) > 80 or not any(c.isalpha() for c in s) or any(c.isdigit() for c in s):
        return None
    return s


def _outlet_from_copyright(s: str) -> str | None:
    m = _COPYRIGHT_HOLDER.match(s)
    if not m:
        return None
    holder = m.group("holder").strip(" ,;:-–—")
    holder = re.sub(r"(?i)\s*,?\s*all\s+rights\s+reserved.*$", "", holder).strip()
    if not holder or len(holder) > 60 or not any(c.isalpha() for c in holder) or holder.lower().startswith(("http", "www")):
        return None
    return holder


def _outlet_from_url(s: str) -> str | None:
    m = _URL.search(s)
    if not m:
        return None
    host = m.group(1).lower().rstrip(".")
    parts = host.split(".")
    label = parts[-3] if len(parts) >= 3 and parts[-2] in ("co", "com", "org", "net", "gov", "ac") else parts[-2] if len(parts) >= 2 else host
    return label.upper() if len(label) <= 4 else host


class _Layout:
    __slots__ = ("paragraphs", "title", "title_span", "published", "outlet", "author")

    def __init__(self):
        self.paragraphs: list[tuple[int, int]] = []
        self.title = self.title_span = self.published = self.outlet = self.author = None


def _layout(text: str, title_hint: str | None = None) -> _Layout:
    out = _Layout()
    begin = 0
    m = _DATE_PREFIX.match(text)
    date_prefix = False
    if m:
        iso = parse_date(m.group(1))
        if iso:
            out.published = iso
            begin = m.end()
            date_prefix = True
    lines = _join_continuations(text, _split_lines(text, begin))
    if not lines:
        return out

    published_stamp: str | None = None     # "Published/Posted ..." lines
    updated_stamp: str | None = None       # "Updated ..." lines
    outlets: list[tuple[int, str]] = []    # (rank, name)
    author_byline = author_bio = author_repeat = None
    widget_left = 0

    # --- pass 1: per-line rules
    for ln in lines:
        s = ln.s
        if widget_left:
            widget_left -= 1
            if ln.words <= 5 and not _ends(_TERMINAL, s):
                ln.kind, ln.flag = _FURN, "widget"
                continue
            widget_left = 0
        if _FURNITURE.fullmatch(s):
            ln.kind, ln.flag = _FURN, "known"
            continue
        if _TEMPERATURE.fullmatch(s):
            ln.kind, ln.flag = _FURN, "widget"
            widget_left = 2          # a weather widget: city and display date follow
            continue
        if ln.words <= 40 and _COPYRIGHT.match(s):
            ln.kind, ln.flag = _FURN, "copyright"
            holder = _outlet_from_copyright(s)
            if holder:
                outlets.append((0 if s[:9].lower() == "copyright" else 1, holder))
            host = _outlet_from_url(s)
            if host:
                outlets.append((2, host))
            continue
        if ln.words <= 30 and (_TEASER.match(s) or _CREDIT.match(s)):
            ln.kind, ln.flag = _FURN, "known"
            continue
        if _URL_LINE.fullmatch(s):
            ln.kind, ln.flag = _FURN, "known"
            continue
        if ln.words <= 16:
            st = _STAMP.match(s)
            iso = parse_date(st.group("rest")) if st else None
            if st and (iso or not _ends(_SENTENCE_END, s)):
                ln.kind, ln.flag = _FURN, "stamp"
                if iso:
                    if st.group("kind").lower().endswith(("updated", "modified")):
                        updated_stamp = updated_stamp or iso
                    else:
                        published_stamp = published_stamp or iso
                continue
            if _DATE_LINE.fullmatch(s):
                ln.kind, ln.flag = _FURN, "date"
                continue
            if ln.words <= 10 and s[:3].lower() == "by ":
                b = _BYLINE.match(s)
                if b:
                    name = _clean_name(b.group("name"))
                    if name and all(_NAME.fullmatch(x) for x in re.split(r"\s+(?:and|&)\s+", name)):
                        ln.kind, ln.flag = _FURN, "byline"
                        author_byline = author_byline or name
                        continue
        if (ln.words <= 8 and not _ends(_TERMINAL, s) and not _QUOTE.search(s)
                and not (ln.words >= 4 and _BULLET.match(s)) and not _SPEAKER_TURN.match(s)):
            ln.kind, ln.flag = _FURN, "short"

    # --- title: the first headline-like line before the body starts
    _find_title(lines, out, title_hint, date_prefix)

    # --- pass 2: names, author bios, repeated captions
    n = len(lines)
    for i, ln in enumerate(lines):
        if ln.kind == _TITLE or ln.words > 5 or ln.flag in ("known", "widget", "date", "copyright", "stamp"):
            continue
        if not _NAME.fullmatch(ln.s) or any(c.isdigit() for c in ln.s):
            continue
        nxt = lines[i + 1] if i + 1 < n else None
        if nxt is None:
            continue
        if nxt.s == ln.s:
            ln.kind = nxt.kind = _FURN
            ln.flag = nxt.flag = "byline"
            author_repeat = author_repeat or ln.s
            continue
        # "Eyder Peralta" + "Eyder Peralta is an international correspondent ...": an author
        # bio, only near the end of the article
        if (nxt.s.startswith(ln.s) and re.match(r"\s+is\s+(?:a|an|the)\b", nxt.s[len(ln.s):])
                and not ln.s.startswith(("The ", "A ", "An ")) and _tail_body_lines(lines, i + 2) <= 2):
            ln.kind = nxt.kind = _FURN
            ln.flag, nxt.flag = "byline", "bio"
            author_bio = author_bio or ln.s
    _drop_repeated_captions(lines)
    # --- keep short lines that belong to the text: the source under a quotation block, the
    # lead-in of a bulleted list
    for i, ln in enumerate(lines):
        if ln.flag == "short" and ln.kind == _FURN:
            prev = lines[i - 1] if i else None
            if (prev is not None and prev.kind == _BODY and _ends(_ENDS_WITH_QUOTE, prev.s)
                    and _SOURCE_LINE.fullmatch(ln.s)):
                ln.kind, ln.flag = _BODY, "source"
            elif i + 1 < n and lines[i + 1].kind == _BODY and _BULLET.match(lines[i + 1].s) and not _BULLET.match(ln.s):
                ln.kind, ln.flag = _BODY, "lead-in"

    # --- published: a date line right below the headline (Wikinews style), never a widget date
    if out.title_span is not None and not (out.published or published_stamp):
        for j, ln in enumerate(lines):
            if ln.start == out.title_span[0]:
                if j + 1 < n and lines[j + 1].flag == "date":
                    published_dateline = parse_date(lines[j + 1].s)
                    if published_dateline:
                        published_stamp = published_dateline
                break

    out.published = out.published or published_stamp or updated_stamp
    if outlets:
        out.outlet = min(outlets, key=lambda x: x[0])[1]
    out.author = author_byline or author_bio or author_repeat
    out.paragraphs = [(ln.start, ln.end) for ln in lines if ln.kind == _BODY]
    return out


def _tail_body_lines(lines: list[_Line], start: int) -> int:
    return sum(1 for ln in lines[start:] if ln.kind == _BODY)


def _is_candidate(ln: _Line) -> bool:
    return (ln.flag in ("", "short") and 1 <= ln.words <= 30 and len(ln.s) <= 250
            and not ln.s.endswith(":") and not _URL_LINE.fullmatch(ln.s))


def _find_title(lines: list[_Line], out: _Layout, hint: str | None, date_prefix: bool) -> None:
    if hint:
        out.title = " ".join(hint.split())
        nh = _norm(hint)
        for ln in lines[:15]:
            if abs(len(ln.s) - len(hint)) <= 12 and _norm(ln.s) == nh:
                ln.kind = _TITLE
                out.title_span = (ln.start, ln.end)
                break
        return      # the record names its title: no guessing which other line might be one
    first = lines[0]
    cands: list[_Line] = []
    # A one-sentence headline that ends with punctuation ("Trump fires up G.O.P. base.") is
    # only taken as the title from the very first line of a text file.
    if (not date_prefix and first.flag == "" and first.kind == _BODY
            and 2 <= first.words <= 20 and len(first.s) <= 200 and len(lines) > 1
            and not first.s.endswith(":") and not _TWO_SENTENCES.search(first.s)
            and not _DATELINE.match(first.s) and not _QUOTE_THEN_CUE.search(first.s)):
        cands.append(first)
    else:
        for ln in lines[:15]:
            if ln.flag not in ("", "short"):
                continue            # furniture, dates, bylines, widgets, credits
            if ln.kind == _BODY and (_ends(_SENTENCE_END, ln.s) or ln.words >= 30):
                break               # the body has started
            if _is_candidate(ln) and ln.words >= 2:
                cands.append(ln)
        if not cands:
            return
        # a short tag line ("Cuba Relations Russia") above a longer headline: prefer the headline
        if cands[0].words < 5:
            for c in cands[1:4]:
                if c.words >= 5 and c.words <= 25 and not _QUOTE.search(c.s):
                    cands.insert(0, c)
                    break
    t = cands[0]
    t.kind = _TITLE
    out.title_span = (t.start, t.end)
    out.title = " ".join(t.s.split())


def _drop_repeated_captions(lines: list[_Line]) -> None:
    """A photo caption is often printed twice around its credit lines: drop both copies."""
    n = len(lines)
    for i, ln in enumerate(lines):
        if ln.kind != _BODY or ln.words < 4:
            continue
        for j in range(i + 1, min(n, i + 7)):
            other = lines[j]
            if other.s == ln.s:
                between = lines[i + 1:j]
                if (between and all(b.kind == _FURN for b in between)
                        and any(_CREDITISH.search(b.s) for b in between)):
                    ln.kind = other.kind = _FURN
                    ln.flag = other.flag = "caption"
                break
            if other.kind == _BODY and other.words >= 4:
                break


def make_article(path: str, text: str, *, encoding: str = "utf-8", title: str | None = None,
                 outlet: str | None = None, author: str | None = None, published: str | None = None,
                 url: str | None = None, record_id: str | None = None, line: int | None = None) -> Article:
    """Build an Article from decoded text: body paragraphs plus metadata.

    Metadata passed in (JSON Lines fields) wins over what the text gives.
    """
    lay = _layout(text, title_hint=title)
    return Article(
        path=path, text=text, paragraphs=lay.paragraphs,
        title=title or lay.title, outlet=outlet or lay.outlet, author=author or lay.author,
        published=published or lay.published, url=url, record_id=record_id, line=line,
        encoding=encoding, title_span=lay.title_span,
    )
