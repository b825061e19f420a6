"""From a parsed doc and its quotation spans to ``Quote`` records: the order the
attribution rules are tried in (the quote's own sentence first, syntax before layout),
speakers borrowed from neighbouring quotes and sentences when a quote names nobody,
and quoted strings that are not speech (titles, nicknames, listed terms)."""
from __future__ import annotations

import regex
from spacy.tokens import Doc

from ..records import Quote
from .attribution import Attribution, Attributor, headline_attribution, surface_attribution
from .cues import _is_speech_verb, _speaker_from_verb
from .mentions import doc_text, mention_for
from .quotes import QuoteSpan, split_paragraphs
from .speakers import ArticleSpeakers


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
