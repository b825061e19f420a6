"""Find the cue and the speaker of each quotation in a parsed spaCy ``Doc``.

Patterns covered: the subject of a speech verb before or after the quote
("X said", "said X", "X said:"), split quotes, "according to X", documents that
speak ("the statement read"), appositives ("Hugh Hill, a doctor, said"), partial
quotes inside reported speech, pronouns, and follow-on quotes that continue the
previous speaker. The result is a ``Mention`` as written; turning mentions into
one canonical name per speaker is the job of ``speakers``.

The rules are methods of :class:`Attributor` and the layout patterns below it;
speech verbs and their subjects are in :mod:`.cues`, mentions in :mod:`.mentions`,
and the order the rules are tried in is :func:`quotetrack.extract.assemble.quotes_in_doc`.
"""
from __future__ import annotations

import functools

from dataclasses import dataclass, field

import numpy
import regex
from spacy.attrs import HEAD

from spacy.tokens import Doc, Token

from .cues import (SPEECH_VERBS, _SAID_FORMS, _SHORT_SAID, _according_to, _headline_verb, _is_object,
                   _is_speech_verb, _speaker_from_verb, _subject_of)
from .mentions import (DOCUMENT_NOUNS, PERSON_NOUNS, Mention, _person_words, doc_text, mention_for,
                       mention_from_chars, name_beside_verb)
from .quotes import QuoteSpan


_NEVER_SUBJECTS = frozenset("DATE TIME LAW WORK_OF_ART EVENT PRODUCT LANGUAGE MONEY".split())
_PUBLISHING_VERBS = frozenset("release issue publish post write sign deliver".split())
_COGNITIVE = frozenset("think believe feel hope fear worry wonder expect know".split())


@dataclass
class Attribution:
    mention: Mention | None
    cue: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    method: str = "none"
    confidence: float = 0.0
    partial: bool = False      # the quote is a fragment inside reported speech
    context: dict = field(default_factory=dict)


def _quote_tokens(doc: Doc, q: QuoteSpan) -> tuple[int, int]:
    span = doc.char_span(q.start, q.end, alignment_mode="expand")
    if span is None:
        return 0, 0
    return span.start, span.end


def _outer_tokens(doc: Doc, q: QuoteSpan) -> tuple[int, int]:
    span = doc.char_span(q.open_start, q.close_end, alignment_mode="expand")
    if span is None:
        return _quote_tokens(doc, q)
    return span.start, span.end


class Attributor:
    """Attribute every quote of one doc, in order, keeping the discourse state
    (previous speakers and candidate antecedents) needed for pronouns and follow-ons."""

    def __init__(self, doc: Doc, spans: list[QuoteSpan]):
        self.doc = doc
        self.spans = spans
        self.inside = set()
        for q in spans:
            a, b = _outer_tokens(doc, q)
            self.inside.update(range(a, b))

    # -- syntactic attribution -------------------------------------------------
    @functools.cached_property
    def _heads(self) -> list[int]:
        """Head index of every token: climbing the tree with ints, not Token objects."""
        offsets = self.doc.to_array(HEAD).astype("int64")   # relative offsets, stored unsigned
        return (offsets + numpy.arange(len(offsets))).tolist()

    def _governors(self, a: int, b: int) -> list[Token]:
        """Tokens outside the quote that quote tokens hang from (nearest first)."""
        heads = self._heads
        exits: dict[int, int | None] = {}   # token -> the first token outside the quote above it
        order: list[int] = []
        for i in range(a, b):
            path = []
            h = i
            while True:
                if h in exits:
                    found = exits[h]
                    break
                path.append(h)
                nxt = heads[h]
                if nxt == h or len(path) > 50:
                    found = None     # the quote's own root: nothing outside above it
                    break
                if not a <= nxt < b:
                    found = nxt
                    break
                h = nxt
            for t in path:
                exits[t] = found
            if found is not None and found not in order:
                order.append(found)
        doc = self.doc
        return [doc[i] for i in order]

    def _verb_up(self, tok: Token, limit: int = 8) -> tuple[Token, int] | None:
        """Climb from ``tok`` to the nearest speech verb (or document noun the quote
        hangs from); returns it with the number of steps climbed."""
        t = tok
        for steps in range(limit):
            if t.i not in self.inside:
                if _is_speech_verb(t):
                    return t, steps
                if t.lemma_.lower() in DOCUMENT_NOUNS and t.pos_ in ("NOUN", "PROPN"):
                    return t, steps
            if t.head.i == t.i:
                return None
            t = t.head
        return None

    def _outer_reporter(self, v: Token) -> Token:
        if v.lemma_.lower() not in _COGNITIVE and v.dep_ != "relcl":
            return v
        t = v.head
        for _ in range(8):
            if t.i not in self.inside and _is_speech_verb(t) and t.lemma_.lower() not in _COGNITIVE \
                    and _subject_of(t, self.inside) is not None:
                return t
            if t.head.i == t.i:
                break
            t = t.head
        # "Mr. Obama said, a majority of Americans have come to believe “…”": the
        # reporting clause is often parsed as a parataxis hanging off the main verb
        for t in v.sent:
            if t.dep_ in ("parataxis", "advcl") and t.i not in self.inside and _is_speech_verb(t) \
                    and t.lemma_.lower() not in _COGNITIVE:
                subj = _subject_of(t, self.inside)
                if subj is not None and mention_for(subj).kind == "person":
                    return t
        return v

    def _from_document(self, d: Token, q: QuoteSpan) -> Attribution | None:
        """The quote hangs from a document noun ("stressed in its statement that ..."):
        whoever the governing verb's subject is speaks; else the document itself."""
        v = d.head
        hops = 0
        while v.dep_ in ("prep", "pobj", "dobj", "acl", "relcl") and v.head.i != v.i and hops < 3 and v.pos_ not in ("VERB", "AUX", "ADJ"):
            v = v.head
            hops += 1
        if d.dep_ in ("pobj", "dobj") and v.pos_ in ("VERB", "AUX", "ADJ"):
            verb = v
            while verb.pos_ == "ADJ" and verb.head.i != verb.i:   # "made it clear in a statement"
                verb = verb.head
            if not _is_speech_verb(verb) and verb.lemma_.lower() not in _PUBLISHING_VERBS:
                # "said he hopes the day sends a message that “…”", "helping sort her
                # “personal messages”": not the speaker's document; a speech verb further
                # up reports it, or this is no attribution at all
                higher = self._verb_up(verb.head) if verb.head.i != verb.i else None
                if higher is not None and _is_speech_verb(higher[0]):
                    subj = _speaker_from_verb(higher[0], self.inside)
                    if subj is not None:
                        return self._make(mention_for(subj), higher[0], "verb-subject", 0.8, q)
                return None
            subj = _speaker_from_verb(verb, self.inside)
            if subj is not None and subj.i not in self.inside:
                return self._make(mention_for(subj), verb, "document-verb", 0.85, q)
        return self._make(mention_for(d), d, "document", 0.8, q)

    def syntactic(self, q: QuoteSpan) -> Attribution | None:
        doc = self.doc
        a, b = _outer_tokens(doc, q)
        if b <= a:
            return None
        qa, qb = _quote_tokens(doc, q)
        climbed = []
        for g in self._governors(qa, qb):
            if a <= g.i < b:
                continue
            found = self._verb_up(g)
            if found is not None:
                climbed.append(found)
        # the innermost reporting verb wins: "X said that ... "quote", BBC reports";
        # but not a belief or a relative clause under a higher speech verb:
        # "Candidates who think “…” are wrong, she said"
        climbed = [(self._outer_reporter(t), n) for t, n in climbed]
        candidates = [t for t, _ in sorted(climbed, key=lambda x: x[1])]
        # inverted parse: the speech verb hangs from a token inside the quote
        for t in doc[qa:qb]:
            for c in t.children:
                if not (a <= c.i < b) and _is_speech_verb(c) and c not in candidates:
                    candidates.append(c)
        # a speech verb right next to the quote in its sentence
        sent_tokens = self._context_tokens(a, b)
        adjacent = [t for t in sent_tokens if _is_speech_verb(t) and t not in candidates and self._adjacent_cue(t, a, b, q)]
        candidates.extend(sorted(adjacent, key=lambda t: self._distance(t, a, b)))
        seen = set()
        for v in candidates:
            if v.i in seen:
                continue
            seen.add(v.i)
            if v.lemma_.lower() in DOCUMENT_NOUNS and v.pos_ in ("NOUN", "PROPN"):
                found = self._from_document(v, q)
                if found is not None:
                    return found
                continue
            if v.i > b and not self._adjacent_cue(v, a, b, q) and v not in [c for c, _ in climbed]:
                continue
            subj = _speaker_from_verb(v, self.inside)
            if subj is None or subj.i in self.inside or subj.ent_type_ in _NEVER_SUBJECTS:
                continue   # a quoted title is never the speaker ("said on “Fox and Friends”")
            m = mention_for(subj)
            conf = 0.9 if m.kind in ("person", "organisation", "place", "document") else 0.75
            return self._make(m, v, "verb-subject", conf, q)
        acc = _according_to(sent_tokens)
        if acc is not None:
            m = mention_for(acc)
            t = acc.head.head if acc.head.head.lower_ == "according" else acc
            return self._make(m, t, "according-to", 0.85, q)
        return None

    def clause_subject(self, q: QuoteSpan) -> Attribution | None:
        """ "Reid has gone after Trump as a “human leech”": no speech verb, but a named
        person or body is the subject of the clause the quoted words belong to."""
        doc = self.doc
        qa, qb = _quote_tokens(doc, q)
        for g in self._governors(qa, qb):
            v = g
            for _ in range(4):
                if v.pos_ in ("VERB", "AUX") and v.dep_ != "aux":
                    break
                if v.head.i == v.i:
                    break
                v = v.head
            if v.pos_ not in ("VERB", "AUX") or v.i in self.inside:
                continue
            subj = _speaker_from_verb(v, self.inside)
            if subj is None:
                continue
            m = mention_for(subj)
            if m.kind in ("person", "organisation") and (
                    subj.ent_type_ in ("PERSON", "ORG", "NORP") or subj.lower_ in _person_words(doc)):
                return self._make(m, v, "clause-subject", 0.5, q)
            if subj.lower_ in ("he", "she", "they") or m.kind == "person" and subj.lemma_.lower() in PERSON_NOUNS:
                # "She applauded him for fighting “over and over again.”", "A friend referred to him as “…”"
                return self._make(m, v, "clause-subject", 0.45, q)
        return None

    def before_quote_surface(self, q: QuoteSpan) -> Attribution | None:
        """ "…, Rep. Paul Ryan (R-WI) said “…”" when the parser gave "said" no subject:
        the name standing right before the verb."""
        doc = self.doc
        a, _ = _outer_tokens(doc, q)
        k = a - 1
        while k >= 0 and (doc[k].is_space or doc[k].text in (",", ":") or doc[k].lower_ == "that"):
            k -= 1
        if k < 1 or k in self.inside or not _is_speech_verb(doc[k]) or _subject_of(doc[k], self.inside) is not None:
            return None
        verb = doc[k]
        j = k - 1
        if doc[j].text == ")":   # skip "(R-WI)"
            while j > 0 and doc[j].text != "(":
                j -= 1
            j -= 1
        name = []
        while j >= 0 and j not in self.inside and (doc[j].pos_ in ("PROPN", "NOUN") or doc[j].text in (".",) and name == []) \
                and len(name) < 6:
            if doc[j].pos_ in ("PROPN", "NOUN"):
                name.insert(0, doc[j])
            j -= 1
        if not name:
            return None
        m = mention_from_chars(doc, name[0].idx, name[-1].idx + len(name[-1]))
        if m is None or m.kind not in ("person", "organisation"):
            return None
        return self._make(m, verb, "before-quote-surface", 0.7, q)

    def label_in_quote(self, q: QuoteSpan) -> Attribution | None:
        """ "“PENCE: Gennifer Flowers will not …”": a transcript turn names its speaker."""
        m = _LABEL_IN_QUOTE.match(doc_text(self.doc), q.start)
        if not m or len(m.group(1)) < 2:
            return None
        mention = mention_from_chars(self.doc, m.start(1), m.end(1))
        if mention is None:
            return None
        mention.kind, mention.name = "person", mention.text
        return Attribution(mention, ":", m.end(1), m.end(1) + 1, "speaker-label", 0.8)

    def after_quote(self, q: QuoteSpan) -> Attribution | None:
        """ "“…,” Trump barked", "“…!” Murphy, the head of X, tweeted": a quote that ends
        with a comma (or ! ?) and is followed by subject and verb is that subject's,
        whatever the verb and however long the appositive."""
        doc = self.doc
        a, b = _outer_tokens(doc, q)
        inner = doc_text(doc)[q.start:q.end].rstrip()
        after = doc_text(doc)[q.close_end:q.close_end + 2].lstrip()
        if not (inner.endswith((",", "!", "?", "—", "-")) or after.startswith(",")):
            m = _SHORT_SAID.match(doc_text(doc), q.close_end)
            if m and inner.endswith("."):
                mention = mention_from_chars(doc, m.start(1), m.end(1))
                cue = doc.char_span(m.start(2), m.end(2), alignment_mode="expand")
                if mention is not None and cue is not None and mention.kind in ("person", "organisation", "pronoun", "document"):
                    return self._make(mention, cue[0], "after-quote-short", 0.7, q)
            return None
        sent_end = doc[b - 1].sent.end if b - 1 < len(doc) else len(doc)
        for t in doc[b:min(b + 30, max(sent_end, b + 3), len(doc))]:
            if t.i in self.inside or t.text in (".", "!", "?") or "\n" in t.text:
                break
            if t.pos_ not in ("VERB", "AUX") or t.dep_ == "aux" or t.lemma_ == "be" \
                    or t.dep_ in ("nsubj", "nsubjpass", "compound"):
                continue   # "Trump" tagged as a verb but parsed as the subject
            subj = _subject_of(t, self.inside)
            if subj is None:
                break
            first = min(subj.left_edge.i, t.i)
            if subj.lower_ in ("who", "that", "which") or (not _is_speech_verb(t) and self._is_partial(q)):
                break   # "the chant “Lock her up!” that ricocheted", "the “forgotten middle class,” Mrs. Clinton has struggled"
            if first - b <= 2 and subj.pos_ in ("PROPN", "NOUN", "PRON"):
                return self._make(mention_for(subj), t, "after-quote", 0.8, q)
            break
        return self._after_quote_surface(q, b)

    def _after_quote_surface(self, q: QuoteSpan, b: int) -> Attribution | None:
        """The same pattern when the parse is broken ("Tulsa" tagged as a verb):
        "“…,” NAME said" or "“…,” said NAME", read off the tokens."""
        doc = self.doc
        window = [t for t in doc[b:min(b + 30, len(doc))]]
        # "“…,” William M. Daley, President Obama's former chief of staff, said": a name, an
        # appositive, the verb
        lead = [t for t in window[:4] if not t.is_punct]
        if lead and (lead[0].ent_type_ == "PERSON" or lead[0].pos_ == "PROPN" and lead[0].lower_ in _person_words(doc)):
            ent = next((e for e in doc.ents if e.start <= lead[0].i < e.end and e.label_ == "PERSON"), None)
            if ent is not None and ent.end < len(doc) and doc[ent.end].text == ",":
                for t in doc[ent.end + 1:min(ent.end + 25, len(doc))]:
                    if t.i in self.inside or t.text in (".", "!", "?", ";") or "\n" in t.text:
                        break
                    if _is_speech_verb(t) and doc[t.i - 1].text == "," and t.tag_ in ("VBD", "VBZ", "VBP"):
                        m = mention_from_chars(doc, ent.start_char, ent.end_char)
                        if m is not None:
                            m.kind = "person"
                            return self._make(m, t, "after-quote-surface", 0.75, q)
                        break
        window = window[:12]
        for k, t in enumerate(window):
            if t.i in self.inside or t.text in (".", "!", "?", ";") or "\n" in t.text:
                return None
            if t.lemma_.lower() in SPEECH_VERBS and t.tag_ in ("VBD", "VBZ", "VBP", "VB", "VBN") \
                    or t.lower_ in _SAID_FORMS:   # "Will wrote" (VBN), "the editorial read" (NN)
                before = [x for x in window[:k] if not x.is_punct]
                if before and all(x.pos_ in ("PROPN", "NOUN", "ADJ", "DET", "PRON", "VERB", "NUM") for x in before):
                    m = mention_from_chars(doc, before[0].idx, before[-1].idx + len(before[-1]))
                    if m is not None and m.kind in ("person", "organisation", "pronoun", "document"):
                        return self._make(m, t, "after-quote-surface", 0.75, q)
                if not before:
                    after = []
                    for x in doc[t.i + 1:min(t.i + 8, len(doc))]:
                        if x.is_punct or x.pos_ not in ("PROPN", "NOUN", "ADJ", "DET") \
                                and not (x.text[:1].isupper() and x.pos_ == "VERB"):
                            break   # (a capitalised "verb" is a mis-tagged name)
                        after.append(x)
                    # "said Oversight ranking Democrat Elijah Cummings": the name ends the phrase
                    run = []
                    for x in reversed(after):
                        if x.pos_ != "PROPN":
                            break
                        run.insert(0, x)
                    if len(run) >= 2:
                        after = run
                    if after:
                        m = mention_from_chars(doc, after[0].idx, after[-1].idx + len(after[-1]))
                        if m is not None and m.kind in ("person", "organisation", "document"):
                            return self._make(m, t, "after-quote-surface", 0.75, q)
                return None
        return None

    def _colon_before(self, q: QuoteSpan) -> int | None:
        """Index of the colon that opens the quote ("X said: “…”"), if there is one."""
        doc = self.doc
        a, _ = _outer_tokens(doc, q)
        k = a - 1
        while k >= 0 and doc[k].is_space:
            k -= 1
        if k < 1 or doc[k].text not in (":", "--", "—") or k in self.inside:
            return None
        return k

    def name_colon(self, q: QuoteSpan) -> Attribution | None:
        """ "Pollsters agree - Carl Bialik: “…”": a name right before the colon that
        opens the quote speaks, whatever verb the sentence has."""
        k = self._colon_before(q)
        if k is None:
            return None
        last = self.doc[k - 1]
        if last.ent_type_ == "PERSON" and last.i not in self.inside and not (self.doc[k].text == ":" and _is_object(last)):
            return self._make(mention_for(last), self.doc[k], "colon", 0.8, q)
        return None

    def before_colon(self, q: QuoteSpan) -> Attribution | None:
        """ "She then addressed the supporters: “…”", "… Republican pollster Daron Shaw: “…”"."""
        doc = self.doc
        k = self._colon_before(q)
        if k is None or doc[k].text != ":":
            return None
        last = doc[k - 1]
        if last.ent_type_ in ("PERSON", "ORG") and last.i not in self.inside and not _is_object(last):
            return self._make(mention_for(last), doc[k], "colon", 0.75, q)
        sent = doc[k].sent
        verb = doc[k].head if doc[k].head.pos_ in ("VERB", "AUX") else sent.root
        for _ in range(3):
            if verb.pos_ in ("VERB", "AUX"):
                break
            verb = verb.head
        subj = _speaker_from_verb(verb, self.inside) if verb.pos_ in ("VERB", "AUX") else None
        if subj is None or subj.i in self.inside or subj.i > k:
            return None
        return self._make(mention_for(subj), verb, "colon", 0.7, q)

    def _make(self, m: Mention, cue_tok: Token, method: str, conf: float, q: QuoteSpan) -> Attribution:
        if m.kind != "pronoun" and cue_tok.pos_ in ("VERB", "AUX"):
            m = name_beside_verb(m, cue_tok, self.inside) or m
        cue = cue_tok.text
        start, end = cue_tok.idx, cue_tok.idx + len(cue_tok)
        if cue_tok.lower_ == "according":
            nxt = cue_tok.nbor(1) if cue_tok.i + 1 < len(cue_tok.doc) else None
            if nxt is not None and nxt.lower_ == "to":
                end = nxt.idx + len(nxt)
                cue = doc_text(self.doc)[start:end]
        return Attribution(m, cue, start, end, method, conf, partial=self._is_partial(q))

    def _distance(self, t: Token, a: int, b: int) -> int:
        if t.i < a:
            return a - t.i
        return t.i - b + 1

    def _context_tokens(self, a: int, b: int) -> list[Token]:
        """Tokens outside any quote in the sentences the quote touches."""
        doc = self.doc
        first = doc[a].sent
        last = doc[b - 1].sent
        # a closing mark often ends up as the first token of the next sentence
        out = []
        lo = first.start
        hi = last.end
        if hi < len(doc) and doc[hi - 1].is_punct and hi - 1 in self.inside:
            nxt = doc[hi].sent
            hi = nxt.end
        for t in doc[lo:hi]:
            if t.i not in self.inside:
                out.append(t)
        return out

    def _adjacent_cue(self, t: Token, a: int, b: int, q: QuoteSpan) -> bool:
        """Is speech verb ``t`` in the stretch right before or after the quote, with
        no other quote or sentence boundary between?"""
        doc = self.doc
        if t.i >= b:
            between = doc[b:t.i]
            ended = doc_text(doc)[q.start:q.end].rstrip("”\"'’ ").endswith(".")
            if ended and between and between[0].text[:1].isupper():
                return False  # '"… war." Cuba says …' starts a new sentence
        else:
            between = doc[t.i + 1:a]
        if len(between) > 8:
            return False
        return not any(x.i in self.inside for x in between) and not any(x.text in (".", "!", "?") for x in between)

    def _is_partial(self, q: QuoteSpan) -> bool:
        """A fragment inside reported speech: text runs on both sides within the sentence."""
        doc = self.doc
        a, b = _outer_tokens(doc, q)
        if b <= a:
            return False
        sent = doc[a].sent
        before = [t for t in doc[sent.start:a] if not t.is_punct and not t.is_space]
        qa, qb = _quote_tokens(doc, q)
        quote_words = [t for t in doc[qa:qb] if not t.is_punct]
        if not before:
            return False
        last_before = doc[a - 1] if a > 0 else None
        if last_before is not None and last_before.text in (":", ",") and quote_words and quote_words[0].is_title:
            return False
        return True


# "PENCE: And that's why…" inside a quoted transcript turn
_LABEL_IN_QUOTE = regex.compile(r"\s*(\p{Lu}[\p{Lu}.'’-]+(?:\s+\p{Lu}[\p{Lu}.'’-]+){0,3}):\s")
# "Sanders: Clinton needs to 'get away…'" (headline or interview label before the quote)
_LABEL_BEFORE = regex.compile(r"\s*(\p{Lu}[^:\n]{0,50}?):\s")
# "“…” ― Sonya Herridge" (a dash and a name after the quote)
# (horizontal space includes the no-break space that web pages put around the dash)
_DASH_AFTER = regex.compile(r"\h*(?:[―—–]|--?)\h*(\p{Lu}[\p{L}.'’-]*(?:\h+(?:\p{Lu}[\p{L}.'’-]*|de|da|van|von|del|la)){0,4})")


def headline_attribution(doc: Doc, q: QuoteSpan, paragraph_start: int) -> Attribution | None:
    """ "Hillary Clinton Speaks ‘Directly To White People’": in a Title Case headline the
    tagger cannot tell names from verbs, so read "Name Verbs … ‘quote’" off the words."""
    span = doc.char_span(paragraph_start, q.open_start, alignment_mode="contract")
    if span is None:
        return None
    tokens = list(span)
    for k in range(len(tokens) - 1, 0, -1):
        t = tokens[k]
        if t.i > 0 and _headline_verb(t.text) and t.text[:1].isupper() or t.lower_ in ("says", "said"):
            name = []
            for x in reversed(tokens[:k]):
                if x.is_punct or not x.text[:1].isupper() or len(name) >= 4:
                    break
                name.insert(0, x)
            if name:
                m = mention_from_chars(doc, name[0].idx, name[-1].idx + len(name[-1]))
                if m is not None and m.kind in ("person", "organisation"):
                    return Attribution(m, t.text, t.idx, t.idx + len(t), "headline", 0.7)
            return None
    return None


def surface_attribution(doc: Doc, q: QuoteSpan, paragraph_start: int) -> Attribution | None:
    """Attribution by layout rather than syntax: speaker labels and trailing dashes."""
    text = doc_text(doc)
    m = _DASH_AFTER.match(text, q.close_end)
    if m:
        mention = mention_from_chars(doc, m.start(1), m.end(1))
        if mention is not None and mention.kind in ("person", "organisation"):
            return Attribution(mention, text[q.close_end:m.start(1)].strip(), q.close_end, m.start(1), "dash", 0.8)
    m = _LABEL_BEFORE.match(text, paragraph_start)
    if m and m.end() <= q.open_start and len(m.group(1).split()) <= 6:
        mention = mention_from_chars(doc, m.start(1), m.end(1))
        span = doc.char_span(m.start(1), m.end(1), alignment_mode="expand")
        named = span is not None and (any(e.label_ in ("PERSON", "ORG") for e in span.ents)
                                      or (len(span) <= 3 and span[-1].lower_ in _person_words(doc)))
        if mention is not None and named and not regex.fullmatch(r"\p{Lu}+", mention.text):
            head = doc.char_span(m.start(1), m.end(1), alignment_mode="expand").root
            mention = mention_for(head) if head.pos_ == "PROPN" else mention
            return Attribution(mention, ":", m.end(1), m.end(1) + 1, "label", 0.7)
    return None
