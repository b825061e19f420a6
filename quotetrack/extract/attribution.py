"""Find the cue and the speaker of each quotation in a parsed spaCy ``Doc``.

Patterns covered: the subject of a speech verb before or after the quote
("X said", "said X", "X said:"), split quotes, "according to X", documents that
speak ("the statement read"), appositives ("Hugh Hill, a doctor, said"), partial
quotes inside reported speech, pronouns, and follow-on quotes that continue the
previous speaker. The result is a ``Mention`` as written; turning mentions into
one canonical name per speaker is the job of ``speakers``.
"""
from __future__ import annotations

import functools

from dataclasses import dataclass, field

import numpy
import regex
from spacy.attrs import HEAD

from spacy.tokens import Doc, Token

from ..text import fold
from .quotes import QuoteSpan

SPEECH_VERBS = frozenset("""
say tell add state declare announce write tweet post explain note insist argue claim assert
warn stress emphasize emphasise ask reply respond answer continue conclude comment remark recall
acknowledge admit concede confirm deny suggest predict promise vow pledge urge describe label
read quip joke boast complain lament exclaim shout scream whisper mutter cry testify report
reveal disclose indicate observe contend maintain charge allege accuse criticize criticise praise
inform proclaim affirm reaffirm reiterate repeat summarize summarise muse wonder agree disagree
counter retort rebut object protest demand plead mock chant yell tout concur caution advise
recommend guarantee assure reassure signal hint speculate estimate forecast believe think feel
hope fear worry call dub term brand characterize characterise blast slam decry denounce condemn
thank apologize apologise tell text email message add put quote cite echo sum point
bark snap growl thunder roar sigh laugh scoff hiss gripe grumble bemoan marvel exult crow cheer
laud liken compare rate hail encourage scold lambast chide defend dismiss reject question
challenge ridicule assail rip bash propose brag gush rave fume vent rail opine recount
rule find determine
""".split())

# "make clear", "point out", "put it" and similar multiword cues are caught by their verb.
DOCUMENT_NOUNS = frozenset("""
statement report letter release communique communiqué memo post tweet note document filing
complaint lawsuit indictment ruling order study survey poll article editorial email message
transcript ad advertisement video petition resolution decree notice declaration speech
press briefing interview op-ed column book affidavit testimony motion brief
""".split())

PERSON_NOUNS = frozenset("""
spokesman spokeswoman spokesperson official minister president senator director lawyer attorney
professor analyst expert doctor officer chief leader secretary adviser advisor aide candidate
nominee governor mayor chairman chairwoman chair ceo executive economist source resident witness
man woman father mother son daughter wife husband friend member manager founder author writer
researcher scientist strategist consultant pollster representative congressman congresswoman
lawmaker legislator prosecutor judge justice sheriff commissioner ambassador diplomat envoy
general colonel captain sergeant soldier commander activist organizer supporter critic voter
student teacher coach player owner partner president-elect vice editor reporter journalist
correspondent historian physician nurse surgeon investigator agent detective officer chancellor
premier king queen prince pope bishop priest rabbi imam spokesperson campaigner protester
""".split())

ORG_NOUNS = frozenset("""
ministry government department agency company campaign committee party administration office
council court police army military embassy union group organization organisation firm bank
university newspaper board commission authority authorities institute foundation ngo coalition
regime kremlin pentagon congress senate house parliament cabinet team network station
corporation association federation league club school hospital service services
diplomacy secretariat presidency junta court tribunal
""".split())

_FEMALE = frozenset("""mrs ms miss madam woman women mother daughter wife girl lady sister grandmother
actress congresswoman spokeswoman chairwoman businesswoman queen princess she her""".split())
_MALE = frozenset("""mr sir man men father son husband boy brother grandfather congressman spokesman
chairman businessman king prince he him""".split())

PRONOUNS_PERSON = frozenset("he she him her i we they you".split())
PRONOUNS_THING = frozenset("it they".split())

# entity types that never speak ("the 13th Amendment", "Monday", "the War on Drugs")
_NOT_SPEAKERS = frozenset("LAW WORK_OF_ART EVENT PRODUCT DATE TIME MONEY PERCENT CARDINAL ORDINAL QUANTITY LANGUAGE".split())
_NEVER_SUBJECTS = frozenset("DATE TIME LAW WORK_OF_ART EVENT PRODUCT LANGUAGE MONEY".split())
_PUBLISHING_VERBS = frozenset("release issue publish post write sign deliver".split())
_COGNITIVE = frozenset("think believe feel hope fear worry wonder expect know".split())
_SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj"}
_NP_DEPS = {"compound", "amod", "det", "poss", "nmod", "case", "flat", "nummod", "quantmod", "cc", "conj"}


@dataclass
class Mention:
    """A speaker mention as written, with what the parse tells about it."""
    start: int                 # char offsets in the doc
    end: int
    text: str
    kind: str                  # person | organisation | place | document | pronoun | unknown
    name: str | None = None    # the name part (PERSON entity inside the mention), if any
    role: str | None = None    # a description ("Cuban Foreign Minister", "a doctor")
    head_lemma: str = ""
    issuer: "Mention | None" = None   # for documents: who issued it, when the text says

    @property
    def gender(self) -> str | None:
        """'f' or 'm' where the words say so (Mrs., spokeswoman), for pronoun agreement."""
        words = regex.findall(r"\p{L}+", self.text.lower())
        if any(w in _FEMALE for w in words):
            return "f"
        if any(w in _MALE for w in words):
            return "m"
        return None


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


def _span_chars(doc: Doc, start_token: int, end_token: int) -> tuple[int, int]:
    return doc[start_token].idx, doc[end_token - 1].idx + len(doc[end_token - 1])


def _np_tokens(tok: Token, depth: int = 0) -> list[Token]:
    out = [tok]
    for child in tok.children:
        if child.dep_ in _NP_DEPS:
            out.extend(_np_tokens(child, depth + 1))
        elif child.dep_ == "punct" and child.text in ("'s", "’s", "'", "’", "-", "."):
            out.append(child)
        elif child.dep_ == "prep" and child.lower_ in ("of", "for", "at", "from") and depth < 2:
            objs = [c for c in child.children if c.dep_ == "pobj"]
            if objs:
                out.append(child)
                for o in objs:
                    out.extend(_np_tokens(o, depth + 1))
    return out


def _contiguous(tokens: list[Token], anchor: Token) -> tuple[int, int]:
    """Smallest contiguous token range around ``anchor`` made only of ``tokens``."""
    ids = {t.i for t in tokens}
    lo = hi = anchor.i
    while lo - 1 in ids:
        lo -= 1
    while hi + 1 in ids:
        hi += 1
    doc = anchor.doc
    while lo < hi and (doc[lo].is_punct or doc[lo].dep_ == "cc"):
        lo += 1
    while hi > lo and (doc[hi].is_punct and doc[hi].text not in (".",) or doc[hi].dep_ == "cc"):
        hi -= 1
    return lo, hi + 1


def _person_words(doc: Doc) -> frozenset[str]:
    """Words of the names the NER tags as people anywhere in the doc: the NER is not
    consistent ("Kasich" is a PERSON once and a GPE the next time)."""
    cached = doc.user_data.get("quotetrack_person_words")
    if cached is None:
        cached = frozenset(t.lower_ for ent in doc.ents if ent.label_ == "PERSON"
                           for t in ent if t.pos_ == "PROPN" and len(t) > 1)
        doc.user_data["quotetrack_person_words"] = cached
    return cached


def doc_text(doc: Doc) -> str:
    """``doc.text``, built once: spaCy joins all tokens on every access."""
    text = doc.user_data.get("quotetrack_text")
    if text is None:
        text = doc.text
        doc.user_data["quotetrack_text"] = text
    return text


def _entity_index(doc: Doc) -> dict:
    """Token index -> the entity span it belongs to (built once per doc)."""
    index = doc.user_data.get("quotetrack_entity_index")
    if index is None:
        index = {}
        for ent in doc.ents:
            for k in range(ent.start, ent.end):
                index[k] = ent
        doc.user_data["quotetrack_entity_index"] = index
    return index


def _kind_of(doc: Doc, head: Token, lo: int, hi: int) -> tuple[str, str | None]:
    if head.pos_ == "PRON" or head.lower_ in PRONOUNS_PERSON | PRONOUNS_THING:
        return "pronoun", None
    if head.pos_ == "PROPN" and head.lower_ in _person_words(doc) and head.ent_type_ != "PERSON":
        names = [t for t in doc[lo:hi] if t.pos_ == "PROPN"]
        return "person", " ".join(t.text for t in names) if names else head.text
    person = None
    org = None
    # entities inside the mention or around its head, looked up per token: scanning
    # doc.ents for every mention made long articles quadratic
    entity_at = _entity_index(doc)
    seen_ents = []
    for k in range(lo, hi):
        ent = entity_at.get(k)
        if ent is not None and (not seen_ents or seen_ents[-1] is not ent):
            seen_ents.append(ent)
    head_ent = entity_at.get(head.i)
    if head_ent is not None and head_ent not in seen_ents:
        seen_ents.append(head_ent)
    for ent in seen_ents:
        if ent.start >= lo and ent.end <= hi or (ent.start <= head.i < ent.end):
            if ent.label_ == "PERSON" and (person is None or len(ent) > len(person)):
                person = ent
            elif ent.label_ in ("ORG", "FAC", "NORP") and head.i < ent.end and head.i >= ent.start:
                org = ent
            elif ent.label_ in ("GPE", "LOC") and head.i < ent.end and head.i >= ent.start:
                org = org or ent
    lemma = head.lemma_.lower()
    if person is not None and person.start <= head.i < person.end:
        return "person", person.text
    if lemma in DOCUMENT_NOUNS:
        return "document", None
    if lemma in ORG_NOUNS:
        return "organisation", None
    if lemma in PERSON_NOUNS:
        return "person", person.text if person is not None else None
    if org is not None:
        if org.label_ in ("GPE", "LOC"):
            return "place", None
        if org.label_ == "NORP":
            if head.tag_ in ("NNP", "NN") and head.lemma_.lower() == head.lower_:
                return "person", None   # "a New Hampshire Democrat": one person
            return "group", None   # "Cubans", "Democrats": a collective, not one body
        return "organisation", None
    if person is not None:
        return "person", person.text
    if head.pos_ == "PROPN" and head.ent_type_ not in _NOT_SPEAKERS:
        # an unlabelled proper name: most speakers are people
        return "person", doc[lo:hi].text
    return "unknown", None


def mention_for(head: Token) -> Mention:
    """The noun phrase headed by ``head`` as a speaker mention (appositives give the name or role)."""
    doc = head.doc
    if head.lower_ in ("who", "that", "which") and head.head.dep_ == "relcl" and head.head.head.i != head.head.i:
        head = head.head.head   # "Minyon Moore, who said …": the relative pronoun's noun
    appos = [c for c in head.children if c.dep_ == "appos"]
    lo, hi = _contiguous(_np_tokens(head), head)
    kind, name = _kind_of(doc, head, lo, hi)
    role = None
    if appos:
        a = appos[0]
        alo, ahi = _contiguous(_np_tokens(a), a)
        akind, aname = _kind_of(doc, a, alo, ahi)
        if kind not in ("person",) or name is None:
            if akind == "person" and aname:
                # "Cuban Foreign Minister, Bruno Rodríguez, said": the appositive is the name
                role = doc[lo:hi].text
                s, e = _span_chars(doc, lo, ahi)
                return Mention(s, e, doc_text(doc)[s:e], "person", aname, role, a.lemma_.lower())
        if akind in ("person", "unknown", "organisation"):
            role = doc[alo:ahi].text
    s, e = _span_chars(doc, lo, hi)
    text = doc_text(doc)[s:e]
    if kind == "person" and name and name != text:
        role = role or text.replace(name, "").strip(" ,") or None
    m = Mention(s, e, text, kind, name, role, head.lemma_.lower())
    if kind == "document":
        m.issuer = _document_issuer(head)
    if kind == "person" and name is None and head.lemma_.lower() in PERSON_NOUNS:
        # "the spokesperson for Cuban diplomacy": an unnamed voice of an organisation
        for child in head.children:
            if child.dep_ == "prep" and child.lower_ in ("for", "of", "at"):
                for obj in child.children:
                    if obj.dep_ == "pobj":
                        inner = mention_for(obj)
                        if inner.kind in ("organisation", "place"):
                            m.issuer = inner
    return m


def _document_issuer(head: Token) -> Mention | None:
    """Who issued a document: "statement issued by X", "X's statement", "the ministry statement"."""
    for child in head.children:
        if child.dep_ == "poss":
            return mention_for(child)
        if child.dep_ == "acl":
            for g in child.children:
                if g.dep_ == "agent":
                    for obj in g.children:
                        if obj.dep_ == "pobj":
                            return mention_for(obj)
        if child.dep_ == "prep" and child.lower_ in ("from", "by", "of"):
            for obj in child.children:
                if obj.dep_ == "pobj":
                    return mention_for(obj)
    compounds = [c for c in head.children if c.dep_ in ("compound", "amod", "nmod") and c.i < head.i]
    if compounds:
        nouns = [c for c in compounds if c.pos_ in ("NOUN", "PROPN")]
        if nouns:
            org_head = nouns[-1]
            lo = min(t.i for t in _np_tokens(org_head) + compounds if t.dep_ != "det")
            doc = head.doc
            s, e = _span_chars(doc, lo, org_head.i + 1)
            kind, name = _kind_of(doc, org_head, lo, org_head.i + 1)
            if kind in ("organisation", "person", "place"):
                return Mention(s, e, doc_text(doc)[s:e], kind, name, None, org_head.lemma_.lower())
    return None


def _is_speech_verb(tok: Token) -> bool:
    if tok.pos_ not in ("VERB", "AUX") and tok.lemma_.lower() not in ("say",):
        return False
    lemma = tok.lemma_.lower()
    if lemma in SPEECH_VERBS:
        return True
    if lemma == "make" and any(c.lower_ == "clear" for c in tok.children):
        return True
    if lemma == "make" and any(c.lower_ == "clear" for c in tok.subtree if c.head == tok or c.head.head == tok):
        return True
    return False


def _subject_of(verb: Token, exclude: frozenset | set = frozenset()) -> Token | None:
    """The verb's subject (or passive agent), never one inside a quotation: the
    parser often makes the quote's own subject a subject of "said"."""
    for child in verb.children:
        if child.dep_ in _SUBJECT_DEPS and child.i not in exclude:
            return child
    for child in verb.children:
        if child.dep_ == "agent":
            for obj in child.children:
                if obj.dep_ == "pobj":
                    return obj
    return None


def _speaker_from_verb(verb: Token, exclude: frozenset | set = frozenset()) -> Token | None:
    """The speaker of a speech verb: its subject, else the subject up the clause chain
    ("X published the statement, adding that ..."), skipping "was said to" passives."""
    before = verb.doc[verb.i - 1] if verb.i > 0 else None
    if verb.tag_ == "VBG" and before is not None and before.i not in exclude and before.pos_ == "PROPN" and (
            before.ent_type_ == "PERSON" or before.lower_ in _person_words(verb.doc)):
        return before   # "footage of Trump saying during the debate, “…”"
    if verb.dep_ in ("acl", "relcl") and (verb.tag_ == "VBD" or verb.tag_ == "VBN" and verb.i > 0
                                          and verb.doc[verb.i - 1].text == ",") \
            and verb.head.i not in exclude and verb.head.i < verb.i \
            and not any(c.dep_ in _SUBJECT_DEPS for c in verb.children) \
            and (verb.head.ent_type_ in ("PERSON", "ORG") or verb.head.lower_ in _person_words(verb.doc)):
        return verb.head   # "Beruff, a Scott ally, called the standards “strong.”" parsed as a participle
    if verb.dep_ == "acl" and verb.tag_ == "VBG" and verb.head.i not in exclude and (
            verb.head.pos_ == "PROPN" or verb.head.ent_type_ in ("PERSON", "ORG")
            or verb.head.lemma_.lower() in PERSON_NOUNS or verb.head.lemma_.lower() in DOCUMENT_NOUNS):
        return verb.head   # "footage of Hillary Clinton asking, “…”" (but not "emailed supporters saying")
    tok = verb
    for _ in range(6):
        subj = _subject_of(tok, exclude)
        if subj is not None:
            if subj.dep_ == "nsubjpass" and tok.lemma_.lower() == "say" and tok is not verb:
                return subj  # "X was said to have published ..., adding": X is the speaker
            return subj
        if tok.dep_ in ("ROOT",) or tok.head.i == tok.i:
            return None
        if tok.dep_ == "xcomp" and tok.head.lemma_.lower() in _OBJECT_CONTROL:
            # object control: "led her to declare", "prompted the tabloid to run a cover saying"
            objs = [c for c in tok.head.children if c.dep_ in ("dobj", "dative") and c.i < tok.i
                    and c.i not in exclude and c.pos_ in ("NOUN", "PROPN", "PRON")]
            if objs:
                return objs[0]
        if tok.dep_ in ("advcl", "xcomp", "conj", "ccomp", "acl", "pcomp", "prep", "pobj", "relcl"):
            tok = tok.head
        else:
            tok = tok.head
    return None


_SAID_FORMS = frozenset("said says wrote writes told added adds tweeted read".split())
# "“… are missing.” Trump said.": a closing clause that only names the speaker
_SHORT_SAID = regex.compile(
    r"\h*((?:\p{Lu}[\p{L}.'’-]*\h+){0,3}\p{Lu}[\p{L}'’-]+|[Hh]e|[Ss]he|[Tt]hey)\h+"
    r"(said|says|wrote|writes|added|adds|told|tells|tweeted|explained|continued|noted|recalled|insisted)\b"
    r"[^.!?\n“\"]{0,40}\.")
# verbs whose object does what the next verb says: "led her to declare"
_OBJECT_CONTROL = frozenset("""lead prompt urge ask force persuade encourage cause invite push pressure inspire
spur move compel convince tell challenge dare""".split())


def _is_object(tok: Token) -> bool:
    """Does the noun phrase ``tok`` ends stand as an object ("a message to Trump:",
    "quotes Alfred Kahn:", "on Twitter:"), not as who speaks before a colon?"""
    head = tok
    while head.dep_ in ("compound", "flat", "poss", "case") and head.head.i != head.i and head.head.i > head.i:
        head = head.head
    first = min(t.i for t in head.subtree) if head.i >= tok.i else tok.i
    doc = tok.doc
    if first > 0 and doc[first - 1].text in ("-", "--", "—", "–", "―"):
        return False   # "Pollsters agree - Carl Bialik:": a label after a dash
    if head.dep_ == "pobj":
        return True
    return head.dep_ in ("dobj", "dative") and _is_speech_verb(head.head)


def _according_to(tokens) -> Token | None:
    for t in tokens:
        if t.lower_ == "according":
            for c in list(t.children) + list(t.rights):
                if c.lower_ == "to":
                    for obj in c.children:
                        if obj.dep_ == "pobj":
                            return obj
            nxt = t.nbor(1) if t.i + 1 < len(t.doc) else None
            if nxt is not None and nxt.lower_ == "to":
                for obj in nxt.children:
                    if obj.dep_ == "pobj":
                        return obj
    return None


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



# tokens a speaker's noun phrase is made of beside its verb ("the National Institute of
# Allergy and Infectious Diseases' director Anthony Fauci", "study co-author Carl Lipo")
_CHAIN_POS = {"PROPN", "NOUN", "ADJ", "DET", "PART", "NUM"}
_CHAIN_WORDS = {"of", "-", "'", "’", "'s", "’s", "&", "for"}


def _is_person_token(tok: Token) -> bool:
    return tok.pos_ == "PROPN" and (tok.ent_type_ == "PERSON" or tok.lower_ in _person_words(tok.doc)) \
        or (tok.ent_type_ == "PERSON" and tok.text[:1].isupper())


def _noun_chain(verb: Token, before: bool, inside: set[int]) -> list[Token]:
    """The run of noun-phrase tokens right before (or after) ``verb``, nearest first."""
    doc = verb.doc
    step = -1 if before else 1
    k = verb.i + step
    out: list[Token] = []
    while 0 <= k < len(doc) and len(out) < 16:
        t = doc[k]
        if k in inside or "\n" in t.text or t.is_space:
            break
        if not (t.pos_ in _CHAIN_POS or t.lower_ in _CHAIN_WORDS or t.ent_type_ in ("ORG", "PERSON", "GPE", "NORP")
                and t.text not in (",", ";", ":", "(", ")")):
            break
        if t.lower_ in ("that", "this", "these", "those") or t.pos_ == "PART" and t.lower_ not in ("'s", "’s", "'", "’"):
            break
        out.append(t)
        if before and t.is_sent_start:
            break
        k += step
    return out


def name_beside_verb(m: Mention, verb: Token, inside: set[int]) -> Mention | None:
    """The person named right beside the speech verb when the parser made a title, an
    employer or a place the subject: "President of Ukraine Volodymyr Zelenskyy said",
    "said study co-author Carl Lipo", "Rocky Linux's founder Gregory Kurtzer wrote:".
    The person's name is the head of the noun phrase, so it must end the phrase at the
    verb (or end the phrase that follows it); the words before it are the role."""
    doc = verb.doc
    before = m.end <= verb.idx
    chain = _noun_chain(verb, before, inside)
    if not chain:
        return None
    chain.sort(key=lambda t: t.i)
    if not before:
        # "said study co-author Ted Scambos of CU Boulder's institute": the phrase after
        # the name qualifies it
        for n, t in enumerate(chain):
            if n and t.lower_ in ("of", "for", "from", "at") and _is_person_token(chain[n - 1]):
                chain = chain[:n]
                break
    lo_c, hi_c = chain[0].idx, chain[-1].idx + len(chain[-1])
    if m.end <= lo_c or m.start >= hi_c:
        return None   # the mention is not this phrase
    # the person run at the head end of the phrase
    end = len(chain)
    while end > 0 and chain[end - 1].text in (".", "'", "’"):
        end -= 1
    k = end
    while k > 0 and (_is_person_token(chain[k - 1]) or chain[k - 1].pos_ == "PROPN"
                     and chain[k - 1].text[:1].isupper() and chain[k - 1].ent_type_ in ("", "PERSON", "ORG")
                     and chain[k - 1].lower_ not in _ROLE_TITLES
                     or regex.fullmatch(r"\p{Lu}\.", chain[k - 1].text) and k < end):
        k -= 1
    run = chain[k:end]
    titled = k > 1 and chain[k - 1].lower_ == "of" and len(run) >= 3 and (
        chain[k - 2].lower_ in _ROLE_TITLES or chain[k - 2].lemma_.lower() in PERSON_NOUNS)
    if titled:
        run = run[-2:]   # "President of Ukraine Volodymyr Zelenskyy": the country is not a name
    # "archbishop Wojciech Polak", "herpetologist David Blackburn": a common noun for a
    # person's occupation right before a two-word name, whatever the NER made of it
    described = k > 0 and len(run) >= 2 and chain[k - 1].pos_ == "NOUN" and chain[k - 1].text.islower() \
        and chain[k - 1].lemma_ not in ORG_NOUNS and chain[k - 1].lemma_ not in DOCUMENT_NOUNS \
        and all(t.pos_ == "PROPN" for t in run)
    if not run or not (titled or described or any(_is_person_token(t) for t in run)):
        return None
    while run and (run[0].lower_ in _ROLE_TITLES or run[0].text in ("'s", "’s")):
        run = run[1:]
    if not run:
        return None
    name = " ".join(t.text for t in run)
    if m.kind == "person" and m.name and fold(m.name).endswith(fold(name)) and len(m.name) >= len(name):
        return None   # already the same person
    s = min(m.start, lo_c)
    e = max(m.end, hi_c)
    role_tokens = [t for t in chain if t.i < run[0].i and t.pos_ != "DET"]
    role = " ".join(t.text for t in role_tokens).replace(" - ", "-").strip(" ,'’") or m.role
    return Mention(s, e, doc_text(doc)[s:e], "person", name, role, run[-1].lemma_.lower())


_ROLE_TITLES = frozenset("""mr mrs ms miss dr prof sen rep gov gen col capt lt sgt rev hon sir dame lord lady
president senator governor representative minister secretary judge justice mayor chancellor speaker
ambassador chairman chairwoman chair director founder author co-author spokesman spokeswoman
former us u.s. study chief ceo coach king queen prince pope""".split())


def document_issuer_of(d: Token) -> Mention | None:
    """Who issued the document ``d``: named in its own phrase, or the subject of the
    verb it belongs to ("In a statement, X called ...", "X released a statement")."""
    own = _document_issuer(d)
    if own is not None:
        return own
    v = d.head
    hops = 0
    while v.pos_ not in ("VERB", "AUX") and v.head.i != v.i and hops < 3:
        v = v.head
        hops += 1
    if d.dep_ in ("pobj", "dobj") and v.pos_ in ("VERB", "AUX"):
        subj = _speaker_from_verb(v)
        if subj is not None and subj.lemma_.lower() not in DOCUMENT_NOUNS:
            m = mention_for(subj)
            if m.kind in ("person", "organisation", "place", "pronoun"):
                return m
    return None


def mention_from_chars(doc: Doc, start: int, end: int) -> Mention | None:
    """A mention for a stretch of text found by a surface pattern (a label, a byline dash)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    head = span.root
    kind, name = _kind_of(doc, head, span.start, span.end)
    if kind in ("unknown", "place") and any(t.pos_ == "PROPN" or t.is_upper for t in span):
        kind, name = "person", name or span.text
    if kind == "person" and not name:
        name = span.text if any(t.pos_ == "PROPN" for t in span) else None
    return Mention(span.start_char, span.end_char, span.text, kind, name, None, head.lemma_.lower())


# "PENCE: And that's why…" inside a quoted transcript turn
_LABEL_IN_QUOTE = regex.compile(r"\s*(\p{Lu}[\p{Lu}.'’-]+(?:\s+\p{Lu}[\p{Lu}.'’-]+){0,3}):\s")
# "Sanders: Clinton needs to 'get away…'" (headline or interview label before the quote)
_LABEL_BEFORE = regex.compile(r"\s*(\p{Lu}[^:\n]{0,50}?):\s")
# "“…” ― Sonya Herridge" (a dash and a name after the quote)
# (horizontal space includes the no-break space that web pages put around the dash)
_DASH_AFTER = regex.compile(r"\h*(?:[―—–]|--?)\h*(\p{Lu}[\p{L}.'’-]*(?:\h+(?:\p{Lu}[\p{L}.'’-]*|de|da|van|von|del|la)){0,4})")


def _headline_verb(word: str) -> bool:
    w = word.lower()
    return w in ("says", "said", "speaks", "sees") or (w.endswith("s") and w[:-1] in SPEECH_VERBS) \
        or (w.endswith("es") and w[:-2] in SPEECH_VERBS)


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
