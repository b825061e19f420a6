"""Speaker mentions as written: the noun phrase a cue points at, with its kind
(person, organisation, document, pronoun...), the name and the role in it, and the
person named beside a speech verb when the parser made a title or employer the
subject. Word lists of the nouns that name people, bodies and documents."""
from __future__ import annotations

from dataclasses import dataclass

import regex
from spacy.tokens import Doc, Token

from ..text import fold


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
