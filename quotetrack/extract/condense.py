"""Condensing an article into the text worth parsing: the paragraphs that hold a
quotation, with the context their attributions may need (earlier paragraphs, the
lede, the sentence that names a speaker in full), long paragraphs only around their
quotations; and mapping offsets in that text back into the article."""
from __future__ import annotations

import bisect
from dataclasses import dataclass

import regex

from ..records import Article, Quote
from .mentions import DOCUMENT_NOUNS
from .quotes import QuoteSpan, split_paragraphs


CONTEXT_PARAGRAPHS = 2   # paragraphs parsed before each quoted one, for pronouns and follow-ons


@dataclass
class _Condensed:
    text: str
    starts: list[int]      # doc offset where each segment starts
    origins: list[int]     # article offset of each segment start

    def to_article(self, pos: int | None) -> int | None:
        if pos is None:
            return None
        k = bisect.bisect_right(self.starts, pos) - 1
        return self.origins[k] + (pos - self.starts[k])


def scanned_paragraphs(article: Article) -> list[tuple[int, int]]:
    """Where quotations are looked for: the headline (headlines quote people too) and the body."""
    paragraphs = list(article.paragraphs) or split_paragraphs(article.text)
    title = getattr(article, "title_span", None)
    if title and (not paragraphs or title[1] <= paragraphs[0][0]):
        paragraphs.insert(0, tuple(title))
    return paragraphs


_DOCUMENT_WORD = regex.compile(r"\b(?:" + "|".join(sorted(DOCUMENT_NOUNS)) + r")\b", regex.IGNORECASE)

# A likely sentence end: . ! or ? (and closing brackets), space, then a capital or an
# opening mark. Only used to decide how much of a long paragraph to parse, so an
# occasional wrong split costs a little context, never a quotation.
_SENTENCE_END = regex.compile(r"[.!?][)\]]*\s+(?=[\"“‘'(\[]?\p{Lu})")
_ABBREVIATION = regex.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Gen|Sen|Rep|Gov|Lt|Col|Capt|Sgt|Prof|Rev|Hon|Mt|No|Vol|Inc|Corp|Co|Ltd|"
    r"Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec|vs|etc|approx)|\b\p{Lu}|\b(?:\p{L}\.){1,3}\p{L})\.$")
SENTENCES_BEFORE_QUOTE = 2      # context kept before a quote's sentence inside a long paragraph
CONTEXT_SENTENCES = 3          # sentences kept at the end of a context paragraph (start of the lede)
LONG_PARAGRAPH = 5             # paragraphs with more sentences than this are trimmed


def _sentence_starts(text: str, a: int, b: int, spans: list[QuoteSpan]) -> list[int]:
    """Likely sentence starts in text[a:b], never inside a quotation nor right after
    one closes ("“We will win.” Smith said." stays one sentence)."""
    closed = [(q.open_start, q.close_end) for q in spans if a <= q.open_start < b]
    starts = [a]
    for m in _SENTENCE_END.finditer(text, a, b):
        end = m.start() + 1
        if _ABBREVIATION.search(text, max(a, end - 8), end):
            continue
        if any(o <= m.start() < c + 1 for o, c in closed):
            continue
        starts.append(m.end())
    return starts


def _kept_pieces(a: int, b: int, starts: list[int], quotes_here: list[QuoteSpan],
                 lede: bool, context: bool) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The parts of a paragraph worth parsing: all of a short paragraph; in a long one,
    each quotation's sentences with the sentences before them, the end of a paragraph
    that later quotations look back to (pronouns, "said:"), the start of the lede
    (where people are named in full). ``starts``: the paragraph's sentence starts.
    Returns (kept pieces, skipped sentences)."""
    if len(starts) <= LONG_PARAGRAPH:
        return [(a, b)], []
    bounds = starts + [b]
    pieces: list[tuple[int, int]] = []
    if lede:
        pieces.append((a, bounds[CONTEXT_SENTENCES]))
    if context:
        pieces.append((bounds[-1 - CONTEXT_SENTENCES], b))
    for q in quotes_here:
        first = bisect.bisect_right(starts, q.open_start) - 1
        last = bisect.bisect_right(starts, max(q.open_start, q.close_end - 1)) - 1
        pieces.append((bounds[max(0, first - SENTENCES_BEFORE_QUOTE)], bounds[last + 1]))
    pieces = _merge(pieces)
    return pieces, [(x, y) for x, y in zip(bounds, bounds[1:]) if not any(p <= x < r for p, r in pieces)]


_CAPITALISED = regex.compile(r"\b\p{Lu}[\p{L}'’-]+")
_FULL_NAME = regex.compile(r"\b(\p{Lu}[\p{L}'’-]+)\s+(?:\p{Lu}\.\s+)?(?=(\p{Lu}[\p{L}'’-]+))")
_FUNCTION_WORDS = frozenset("""the a an and but or so yet if when while after before as at in on of for to
from by with he she it they we i you his her its their our this that these those there then""".split())
# capitalised words that do not start a name ("Mr Sullivan", "On Tuesday Smith")
_NOT_NAMES = _FUNCTION_WORDS | frozenset("""here however meanwhile also
mr mrs ms miss dr sir prof president minister secretary chancellor senator governor mayor chief judge
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
september october november december""".split())


def _named_in_full(text: str, pieces: list[tuple[int, int]], quotes: list[QuoteSpan],
                   skipped: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentences of the ``skipped`` text that give a person's full name ("Scott
    Sullivan") where the kept text around the quotations only has the surname ("Mr
    Sullivan said"): the first one for each name, so speakers keep their full names."""
    names: set[str] = set()
    for x, y in pieces:
        for m in _CAPITALISED.finditer(text, x, y):
            before = _CAPITALISED.search(text, max(x, m.start() - 30), m.start())
            if before is not None and not text[before.end():m.start()].isspace():
                before = None
            if m.group().lower() in _NOT_NAMES or (before is not None and before.group().lower() not in _NOT_NAMES):
                continue   # not a name, or already given in full ("John Smith")
            if not any(q.open_start <= m.start() < q.close_end for q in quotes):
                names.add(m.group())
    # the first sentence giving each surname in full; none where two people share it
    first: dict[str, tuple[int, int]] = {}
    given: dict[str, set[str]] = {}
    for x, y in skipped:
        for m in _FULL_NAME.finditer(text, x, y):
            name = m.group(2)
            if name in names and m.group(1).lower() not in _NOT_NAMES:
                given.setdefault(name, set()).add(m.group(1))
                if name not in first:
                    starts = _sentence_starts(text, x, y, [])
                    k = bisect.bisect_right(starts, m.start()) - 1
                    first[name] = (starts[k], starts[k + 1] if k + 1 < len(starts) else y)
    return sorted({first[name] for name in first if len(given[name]) == 1})


# words that do not name a speaker beside a quote (titles do: "President Trump said")
_NOT_A_NAME = _FUNCTION_WORDS | {"one", "officials"}
_PRONOUN = regex.compile(r"\b(?:he|she|they|it|we|i|his|her|their|its|him|them)\b", regex.IGNORECASE)
# speech verbs as reporting clauses write them ("the goalkeeper said", "said the minister")
_SPEECH_FORMS = r"said|says|told|tells|added|adds|wrote|writes|stated|states|noted|notes|explained|" \
                r"argued|argues|warned|warns|announced|announces"
_SPEECH_WORD = rf"(?:{_SPEECH_FORMS}|say|according)"
_SPEECH_WORD_GROUP = rf"(?:{_SPEECH_FORMS})"
# lower-case words after "the" that are no role ("the statement said", "the report says")
_NOT_ROLES = frozenset("""statement report letter release study survey poll document memo email post
tweet complaint lawsuit ruling order article editorial agency company ministry department court
government police group organization organisation committee council board campaign party""".split())
# "the agency said", "said the ministry": a short name that an earlier paragraph gives in full
_COMMON_NOUN_SPEAKER = regex.compile(
    rf"\b(?i:the|a|an|this|that)\s+(?:\p{{Ll}}[\p{{L}}-]*\s+){{0,2}}{_SPEECH_WORD}\b|"
    rf"\b{_SPEECH_WORD}\s+(?:to\s+)?(?i:the|a|an|this|that)\s+\p{{Ll}}")


# "the goalkeeper said", "said the finance minister": the role a speaker is called by
_ROLE_SPEAKER = regex.compile(
    r"\b(?i:the)\s+((?:\p{Ll}[\p{L}-]*\s+){0,2})(\p{Ll}[\p{L}-]+)\s+(?:has\s+|had\s+)?" + _SPEECH_WORD_GROUP
    + r"|" + _SPEECH_WORD_GROUP + r"\s+(?i:the)\s+((?:\p{Ll}[\p{L}-]*\s+){0,2})(\p{Ll}[\p{L}-]+)\b")


def _described_earlier(text: str, pieces: list[tuple[int, int]], quotes: list[QuoteSpan],
                       skipped: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentences of the ``skipped`` text that name a person together with the role a
    kept attribution calls them by ("Sarah Brown, the team's goalkeeper" for "the
    goalkeeper said"): the last one before the role is used, so descriptions reach
    the full name however far back they are."""
    wanted: dict[str, int] = {}   # role word -> first position it is used as a speaker
    for x, y in pieces:
        for m in _ROLE_SPEAKER.finditer(text, x, y):
            if any(q.open_start <= m.start() < q.close_end for q in quotes):
                continue
            role = (m.group(2) or m.group(4) or "").lower()
            if role and role not in _NOT_ROLES:
                wanted.setdefault(role, m.start())
    out = []
    for role, position in wanted.items():
        found = None
        pattern = regex.compile(rf"\b{regex.escape(role)}\b", regex.IGNORECASE)
        for x, y in skipped:
            if x >= position:
                break
            for m in pattern.finditer(text, x, y):
                near = text[max(x, m.start() - 60):min(y, m.end() + 60)]
                if _FULL_NAME.search(near):
                    starts = _sentence_starts(text, x, y, [])
                    k = bisect.bisect_right(starts, m.start()) - 1
                    found = (starts[k], starts[k + 1] if k + 1 < len(starts) else y)
        if found is not None:
            out.append(found)
    return out


def _needs_context(text: str, q: QuoteSpan, paragraph: tuple[int, int], starts: list[int],
                   quotes_here: list[QuoteSpan]) -> bool:
    """Whether a quotation's attribution may need earlier paragraphs. Not when its
    sentence, outside quotation marks, names somebody and has no pronoun ("“…,”
    Smith said", "Trump declared that experts “…”"); a pronoun, only "the ministry",
    or no words at all around it (a speaker continued from earlier, a "said:"
    above) look back."""
    if q.continued_from is not None:
        return False     # the first piece's paragraph decides
    a, b = paragraph
    k = bisect.bisect_right(starts, q.open_start) - 1
    s_start = starts[k]
    last = bisect.bisect_right(starts, max(q.open_start, q.close_end - 1)) - 1
    s_end = starts[last + 1] if last + 1 < len(starts) else b
    pieces, pos = [], s_start
    for other in quotes_here:
        if other.close_end <= s_start or other.open_start >= s_end:
            continue
        pieces.append(text[pos:max(pos, other.open_start)])
        pos = max(pos, other.close_end)
    pieces.append(text[pos:s_end])
    outside = " ".join(pieces)
    if _PRONOUN.search(outside) or _COMMON_NOUN_SPEAKER.search(outside):
        return True
    return not any(m.group().lower() not in _NOT_A_NAME for m in _CAPITALISED.finditer(outside))


def _condense(article: Article, spans: list[QuoteSpan]) -> tuple[_Condensed, list[QuoteSpan], list]:
    """The text worth parsing, joined, with spans and paragraphs moved into the new text.

    Paragraphs holding a quotation, the ones before them (context) and the lede are
    kept; long paragraphs only around their quotations. Pieces of one paragraph are
    joined by a space so they stay one paragraph for the parser and the rules."""
    paragraphs = scanned_paragraphs(article)
    quoted = {q.paragraph for q in spans}
    wanted: set[int] = set(quoted)
    by_paragraph: dict[int, list[QuoteSpan]] = {}
    for q in spans:
        by_paragraph.setdefault(q.paragraph, []).append(q)
    sentence_starts = {k: _sentence_starts(article.text, *paragraphs[k], here) for k, here in by_paragraph.items()}
    looking_back = set()
    for k, here in by_paragraph.items():
        if any(_needs_context(article.text, q, paragraphs[k], sentence_starts[k], here) for q in here):
            looking_back.add(k)
    for k in looking_back:
        wanted.update(range(max(0, k - CONTEXT_PARAGRAPHS), k))
        wanted.add(0)
    # "the statement read": parse the earlier paragraph that introduced the statement
    # ("In a statement, the ministry said"), however far back it is
    whole: set[int] = set()
    for k in sorted(quoted):
        a, b = paragraphs[k]
        for noun in {m.group().lower() for m in _DOCUMENT_WORD.finditer(article.text, a, b)}:
            for j in range(k - CONTEXT_PARAGRAPHS - 1, -1, -1):
                pa, pb = paragraphs[j]
                if regex.search(rf"\b{noun}\b", article.text[pa:pb], regex.IGNORECASE):
                    wanted.add(j)
                    whole.add(j)
                    break
    kept: dict[int, list[tuple[int, int]]] = {}
    skipped: list[tuple[int, int]] = []
    for k in sorted(wanted):
        if k >= len(paragraphs):
            continue
        a, b = paragraphs[k]
        if k in whole:
            kept[k] = [(a, b)]
        else:
            context = any(j in looking_back for j in range(k + 1, k + 1 + CONTEXT_PARAGRAPHS))
            starts = sentence_starts.get(k) or _sentence_starts(article.text, a, b, [])
            kept[k], left_out = _kept_pieces(a, b, starts, by_paragraph.get(k, []), lede=k == 0, context=context)
            skipped += left_out
    last = max(quoted)
    skipped += [paragraphs[k] for k in range(last) if k not in kept]
    skipped.sort()
    quoted_pieces = [p for k in quoted for p in kept.get(k, ())]
    for x, y in _named_in_full(article.text, quoted_pieces, spans, skipped) \
            + _described_earlier(article.text, quoted_pieces, spans, skipped):
        k = next(k for k in range(last + 1) if paragraphs[k][0] <= x < paragraphs[k][1])
        kept[k] = _merge(kept.get(k, []) + [(x, y)])
    parts, starts, origins, pars = [], [], [], []
    pos = 0
    for k, pieces in sorted(kept.items()):
        if parts:
            parts.append("\n\n")
            pos += 2
        first = pos
        for n, (x, y) in enumerate(pieces):
            if n:
                parts.append(" ")
                pos += 1
            starts.append(pos)
            origins.append(x)
            parts.append(article.text[x:y])
            pos += y - x
        pars.append((first, pos, k))
    cond = _Condensed("".join(parts), starts, origins)
    moved = []
    for q in spans:
        seg = bisect.bisect_right(origins, q.open_start) - 1
        d = starts[seg] - origins[seg]
        moved.append(QuoteSpan(q.start + d, q.end + d, q.open_start + d, q.close_end + d, q.level, q.closed,
                               q.continues, q.continued_from, q.nested, q.paragraph))
    return cond, moved, pars


def _merge(pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for x, y in sorted(pieces):
        if out and x <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], y))
        else:
            out.append((x, y))
    return out


def _to_article(cond: _Condensed, quote: Quote, article: Article) -> Quote:
    for field in ("start", "end", "speaker_start", "speaker_end", "cue_start", "cue_end"):
        value = getattr(quote, field)
        if field in ("end", "speaker_end", "cue_end") and value is not None:
            # ends map through their last character so they never jump a segment gap
            setattr(quote, field, cond.to_article(value - 1) + 1)
        else:
            setattr(quote, field, cond.to_article(value))
    quote.text = article.text[quote.start:quote.end]
    return quote
