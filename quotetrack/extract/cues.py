"""Speech verbs and cues: which tokens report speech ("said", "according to", a
document noun), and whose subject speaks for a verb, up the clause chain when the
verb has none of its own."""
from __future__ import annotations

import regex
from spacy.tokens import Token

from .mentions import DOCUMENT_NOUNS, PERSON_NOUNS, Mention, _document_issuer, _person_words, mention_for


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

_SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj"}


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


def _headline_verb(word: str) -> bool:
    w = word.lower()
    return w in ("says", "said", "speaks", "sees") or (w.endswith("s") and w[:-1] in SPEECH_VERBS) \
        or (w.endswith("es") and w[:-2] in SPEECH_VERBS)
