"""Find quotation spans in article text with the ``regex`` module.

Handles straight and curly double quotes, NYT-style ``''`` pairs, single quotes
versus apostrophes, guillemets, the multi-paragraph convention (each paragraph
reopens, only the last closes), nested quotes (kept inside the outer quote) and
unbalanced marks: a quote never runs past its paragraph unless the next paragraph
reopens it, so a stray mark can never swallow the rest of the document.

No parsing happens here: the spans found are what the (costly) parser looks at.
"""
from __future__ import annotations

from dataclasses import dataclass

import regex

# Double-level marks. ``''`` must be tried before ``'`` so it is one mark.
_MARKS = regex.compile(r"''|``|[\"“”„«»‹›‘’']")

_DOUBLE_OPEN = {"“", "„", "«", "``"}
_DOUBLE_CLOSE = {"”", "»"}
_DOUBLE_AMBIGUOUS = {'"', "''"}
_SINGLE_OPEN = {"‘", "‹"}
_SINGLE_CLOSE = {"’", "›"}
_SINGLE_AMBIGUOUS = {"'"}

# Characters after which a straight mark opens, before which it closes.
_OPENING_CONTEXT = set(" \t\n\r([{—–-/:;\u00a0") | {""}
_CLOSING_CONTEXT = set(" \t\n\r)]}.,;:!?—–-/\u00a0") | {""}
_WORDCHAR = regex.compile(r"[\p{L}\p{N}]")
_DECADE = regex.compile(r"\d0s\b|\d\ds\b")  # '90s, '20s are apostrophes


@dataclass
class QuoteSpan:
    start: int            # first character of the quoted words (after the opening mark)
    end: int              # one past the last quoted character (before the closing mark)
    open_start: int       # where the opening mark begins
    close_end: int        # one past the closing mark (== end when the quote is unclosed)
    level: str = "double"     # double | single (single-quote quotation at top level)
    closed: bool = True       # False: ran to the end of its paragraph without a closing mark
    continues: bool = False   # the next paragraph reopens this quotation
    continued_from: int | None = None  # index (in the returned list) of the previous paragraph's piece
    nested: int = 0           # how many quotations are nested inside
    paragraph: int = 0        # index of the paragraph it lies in


def _prev_char(text: str, i: int) -> str:
    return text[i - 1] if i > 0 else ""


def _next_char(text: str, j: int) -> str:
    return text[j] if j < len(text) else ""


def _role(mark: str, text: str, i: int, j: int) -> str | None:
    """Return 'open', 'close', 'either' or None (apostrophe) for a mark at text[i:j]."""
    before, after = _prev_char(text, i), _next_char(text, j)
    if mark in _DOUBLE_OPEN or mark in _SINGLE_OPEN:
        if mark == "‘" and _DECADE.match(text, j):
            return None
        if mark == "“" and before and before not in _OPENING_CONTEXT and (not after or after in _CLOSING_CONTEXT):
            return "either"   # “Mostly False.“: a typo'd closing mark
        return "open"
    if mark in _DOUBLE_CLOSE:
        if mark == "”" and before in _OPENING_CONTEXT and _WORDCHAR.match(after or " "):
            return "either"   # ”Fear. I am truly afraid…: a typo'd opening mark
        return "close"
    if mark in _SINGLE_CLOSE:
        # ’ is mostly an apostrophe: it's, country’s, ’90s, rock ’n’ roll.
        if _WORDCHAR.match(after or " ") and (not before or _WORDCHAR.match(before) or before in _OPENING_CONTEXT):
            return None
        if before in _OPENING_CONTEXT:
            return None
        return "close"
    # Straight marks: decide from the surrounding characters.
    opens = before in _OPENING_CONTEXT or before in "“‘\"'«"
    closes = after in _CLOSING_CONTEXT or after in "”’\"'»"
    if mark in _SINGLE_AMBIGUOUS:
        if _WORDCHAR.match(before or " ") and _WORDCHAR.match(after or " "):
            return None  # don't, O'Brien
        if opens and _DECADE.match(text, j):
            return None
        if opens and not closes and after and not after.isspace():
            return "open"
        if closes and not opens and before and not before.isspace():
            return "close"
        return None
    if opens and not closes:
        return "open"
    if closes and not opens:
        return "close"
    return "either"


def _iter_marks(text: str, start: int, end: int):
    for m in _MARKS.finditer(text, start, end):
        mark = m.group()
        role = _role(mark, text, m.start(), m.end())
        if role is None:
            continue
        level = "double" if (mark in _DOUBLE_OPEN or mark in _DOUBLE_CLOSE or mark in _DOUBLE_AMBIGUOUS) else "single"
        yield m.start(), m.end(), mark, role, level


_PAIRS = {"“": {"”", '"', "''", "“"}, "”": {"”", '"'}, "„": {"“", "”", '"'}, "«": {"»"}, "``": {"''", '"', "”"},
          '"': {'"', "”", "''"}, "''": {"''", '"', "”"}, "‹": {"›"}, "‘": {"’", "'"}, "'": {"'", "’"}}


def _closes(opener: str, mark: str) -> bool:
    return mark in _PAIRS.get(opener, ())


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _scan_paragraph(text: str, start: int, end: int):
    """Yield (open_start, inner_start, inner_end, close_end, level, closed, nested) in one paragraph.

    Double quotes are the outer level; single quotes inside them are nested and
    counted, single quotes outside them are quotations of their own (British style).
    Nesting alternates (double, single, double, ...) to any depth: a closing mark
    closes the innermost open quotation of its kind, so deep nesting keeps the outer
    quotation whole. Each mark is looked at once (only the two innermost open levels
    can match it), so the scan stays linear however many marks are unbalanced.
    """
    outer = None     # (open_start, open_end, mark, level)
    stack: list[tuple[str, str]] = []   # open nested quotations inside a double outer: (mark, level)
    nested = 0
    for i, j, mark, role, level in _iter_marks(text, start, end):
        if outer is None:
            if role in ("open", "either"):
                outer = (i, j, mark, level)
                nested = 0
                stack = []
            continue
        o_start, o_end, o_mark, o_level = outer
        if o_level == "double":
            if role in ("close", "either"):
                # the innermost open quotation this mark closes (at most two levels down:
                # nesting alternates, so an unclosed level in between was a stray mark)
                k = next((d for d in (1, 2) if d <= len(stack) and stack[-d][1] == level
                          and _closes(stack[-d][0], mark)), None)
                if k is not None:
                    del stack[-k:]
                    nested += 1
                    continue
                if level == "double" and len(stack) <= 1 and _closes(o_mark, mark):
                    # closes the outer quotation (an unclosed nested single was an apostrophe)
                    yield o_start, o_end, i, j, o_level, True, nested
                    outer = None
                    stack = []
                    continue
            if role == "open":
                inner_level = stack[-1][1] if stack else "double"
                if level != inner_level:
                    stack.append((mark, level))        # one level deeper
                elif level == "double" and not stack and mark in _DOUBLE_OPEN:
                    # “… what he calls “hell” than …”: a double quotation inside a double one
                    stack.append((mark, level))
                elif level == "double" and not stack:
                    # an opener while a quote is open: the earlier mark was stray
                    outer = (i, j, mark, level)
                    nested = 0
            continue
        if level == "double":
            # a double mark inside a single-quoted stretch: the single "quote" was
            # probably an apostrophe run; restart at the double mark
            if role in ("open", "either"):
                outer = (i, j, mark, level)
                nested = 0
                stack = []
            continue
        if role in ("close", "either") and _closes(o_mark, mark):
            yield o_start, o_end, i, j, o_level, True, nested
            outer = None
        elif role == "open":
            outer = (i, j, mark, level)
            nested = 0
    if outer is not None:
        o_start, o_end, o_mark, o_level = outer
        if o_level == "double":
            yield o_start, o_end, end, end, o_level, False, nested


def _starts_with_opener(text: str, start: int, end: int) -> bool:
    a, _ = _strip(text, start, end)
    m = _MARKS.match(text, a)
    if not m:
        return False
    role = _role(m.group(), text, m.start(), m.end())
    return role in ("open", "either") and m.group() not in _SINGLE_CLOSE


def find_quotes(text: str, paragraphs: list[tuple[int, int]] | None = None) -> list[QuoteSpan]:
    """All quotation spans in ``text`` (restricted to ``paragraphs`` when given), in order."""
    if paragraphs is None:
        paragraphs = split_paragraphs(text)
    spans: list[QuoteSpan] = []
    for p_index, (p_start, p_end) in enumerate(paragraphs):
        pieces = list(_scan_paragraph(text, p_start, p_end))
        for o_start, inner_start, inner_end, c_end, level, closed, nested in pieces:
            a, b = _strip(text, inner_start, inner_end)
            if b <= a or not _WORDCHAR.search(text, a, b):
                continue      # nothing quoted, or only marks and punctuation: no quotation
            span = QuoteSpan(start=a, end=b, open_start=o_start, close_end=c_end if closed else b,
                             level=level, closed=closed, nested=nested, paragraph=p_index)
            if spans and spans[-1].continues and spans[-1].paragraph == p_index - 1 \
                    and o_start == _strip(text, p_start, p_end)[0]:
                span.continued_from = len(spans) - 1
            spans.append(span)
        if spans and not spans[-1].closed and spans[-1].paragraph == p_index:
            # multi-paragraph convention: an unclosed quote continues when the next paragraph reopens
            nxt = paragraphs[p_index + 1] if p_index + 1 < len(paragraphs) else None
            if nxt is not None and _starts_with_opener(text, *nxt):
                spans[-1].continues = True
    return spans


_PARAGRAPH = regex.compile(r"[^\r\n]+")


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """Non-empty lines as paragraphs (news text puts one paragraph per line or per block)."""
    out = []
    for m in _PARAGRAPH.finditer(text):
        a, b = _strip(text, m.start(), m.end())
        if b > a:
            out.append((a, b))
    return out
