"""One identity per speaker within an article.

A mention as written ("Rodríguez", "he", "the ministry", "the statement", "Cuba")
becomes a canonical name ("Bruno Rodríguez", "Cuban Ministry of Foreign Affairs"):
surnames and titles go to the full name given elsewhere in the article, pronouns to
the person or body they refer to, documents to the body that issued them, a short
"the ministry" to its fuller mention, and a country speaking through a statement to
the government body of that country that the article quotes.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex
from spacy.tokens import Doc

from .cues import _is_speech_verb, document_issuer_of
from .mentions import PERSON_NOUNS, Mention, doc_text, mention_for
from .names import GLUED_WORDS, FirstNames, first_name_gender

_HONORIFICS = regex.compile(
    r"^(?:(?:the|a|an)\s+)?(?:mr|mrs|ms|miss|dr|prof|sen|rep|gov|gen|col|capt|lt|sgt|rev|hon|sir|dame|lord|lady|"
    r"president|senator|governor|representative|minister|secretary|judge|justice|mayor|chancellor|"
    r"prime minister|vice president|speaker)\.?\s+",
    regex.IGNORECASE,
)
_DETERMINER = regex.compile(r"^(?:the|a|an)\s+", regex.IGNORECASE)
_POSSESSIVE = regex.compile(r"(?:'s|’s)$")
# Words that name the same kind of body: "Cuban diplomacy" speaks through the foreign ministry.
_BODY_SYNONYMS = {"diplomacy": ("foreign ministry", "ministry of foreign affairs", "foreign office",
                                "state department", "foreign affairs")}
_GENERIC_POSSESSOR = regex.compile(r"^(?:the\s+)?(?:country|nation|state|government|island|kingdom|republic)(?:'s|’s)\s+|^its\s+|^their\s+",
                                   regex.IGNORECASE)
_GOVERNMENT_HEADS = {"ministry", "government", "department", "office", "administration", "presidency",
                     "foreign", "affairs", "cabinet", "embassy", "kremlin", "diplomacy"}


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a name."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'")
    return regex.sub(r"\s+", " ", text).strip().casefold()


def display_name(text: str) -> str:
    text = regex.sub(r"\s+", " ", text).strip(" ,;:")
    return _DETERMINER.sub("", text)


def surname(name: str) -> str:
    tokens = [t for t in regex.split(r"\s+", _HONORIFICS.sub("", name.strip())) if t]
    while tokens and fold(tokens[-1]).strip(".") in {"jr", "sr", "ii", "iii", "iv"}:
        tokens.pop()
    return tokens[-1] if tokens else name


_INTERVIEW = regex.compile(r"(?i)\binterview(?:s|ed)?\b")
_NEVER_SPEAK = frozenset("LAW WORK_OF_ART EVENT PRODUCT DATE TIME MONEY PERCENT CARDINAL ORDINAL QUANTITY".split())


def _reported(tok) -> bool:
    """Is this subject inside reported speech ("Palmieri said Trump is reduced to …",
    "questioned the findings, saying Caudipteryx might …")? Such subjects are what is
    talked about, not who talks next."""
    t = tok.head
    for _ in range(12):
        if t.head.i == t.i:
            return False
        if t.dep_ in ("ccomp", "xcomp") and _is_speech_verb(t.head) and t.head.i < tok.i:
            return True   # the reporting verb comes first ("… scolded him: “…,” she said" is no report)
        t = t.head
    return False


@dataclass
class Candidate:
    """Something earlier in the text a pronoun or a short mention could refer to."""
    start: int
    mention: Mention
    is_subject: bool
    reported: bool = False   # subject inside what somebody is reported to say


def _candidates(doc: Doc, inside: set[int]) -> list[Candidate]:
    """Subjects and named entities outside quotations, in text order."""
    out: list[Candidate] = []
    seen: set[int] = set(inside)
    for tok in doc:
        if tok.i in inside:
            continue
        according = tok.dep_ == "pobj" and tok.head.lower_ == "to" and tok.head.i > 0 \
            and doc[tok.head.i - 1].lower_ == "according"
        if (tok.dep_ in ("nsubj", "nsubjpass") or according) and tok.pos_ in ("PROPN", "NOUN") \
                and tok.ent_type_ not in _NEVER_SPEAK:
            m = mention_for(tok)
            if m.kind in ("person", "organisation", "place", "document"):
                out.append(Candidate(m.start, m, True, _reported(tok)))
                seen.add(tok.i)
    for ent in doc.ents:
        if ent.label_ in ("PERSON", "ORG", "GPE", "NORP") and ent.root.i not in seen:
            if ent.label_ == "NORP" and ent.root.pos_ == "ADJ":
                continue
            kind = {"PERSON": "person", "ORG": "organisation", "GPE": "place", "NORP": "organisation"}[ent.label_]
            m = Mention(ent.start_char, ent.end_char, ent.text, kind,
                        ent.text if kind == "person" else None, None, ent.root.lemma_.lower())
            out.append(Candidate(ent.start_char, m, False))
    out.sort(key=lambda c: c.start)
    return out


_TITLE_WORD = regex.compile(r"(?i)^(?:(?:congress|assembly|council|alder|chair|spokes|committee|police)"
                            r"(?:man|woman|person|member)|councillor|councilor|"
                            r"officer|inspector|detective|constable|superintendent|commissioner|sheriff|"
                            r"attorney|voter|legislator|deputy|general|colonel|major|lieutenant|captain|"
                            r"sergeant|admiral|premier|chancellor|ambassador|archbishop|bishop|cardinal|"
                            r"father|rabbi|imam|pastor|reverend|professor|doctor|coach|chief|chairman|director|"
                            r"swami|sheikh|ayatollah|judge|prosecutor|prince|princess|king|queen|sultan|emir)$")


_POST_NOMINALS = frozenset("QC KC MP MEP MSP MLA MPP MBE OBE CBE KBE PhD MD Esq".split())


def clean_person_name(name: str) -> str:
    """A person's name without what layout and titles glue to it: "Said Trump" ->
    "Trump", "Getty Images Donald Trump" -> "Donald Trump", "Assemblywoman Selena
    Torres" -> "Selena Torres", "CLOSE Trump" -> "Trump". At least one word stays."""
    if "/" in name or "|" in name:
        # "president / Donald Trump", "AP Photo/Evan Vucci": the name is the last part
        parts = [p.strip() for p in regex.split(r"[/|]", name) if regex.search(r"\p{Lu}", p)]
        name = parts[-1] if parts else name
    words = name.split()
    while len(words) > 1 and (fold(words[0]).strip(".:/|,") in GLUED_WORDS
                              or _TITLE_WORD.match(words[0].strip(".,"))
                              or (words[0].isupper() and len(words[0]) > 2 and not words[1].isupper())):
        words = words[1:]
    while len(words) > 1 and (fold(words[-1]).strip(".:/|,") in ("said", "says", "photo", "images")
                              or words[-1].strip(".,") in _POST_NOMINALS):
        words = words[:-1]
    if "of" in words[2:]:
        words = words[:words.index("of", 2)]   # "Marc Ouellet of the Holy See"
    return " ".join(words)


@dataclass
class Described:
    """A person the article names together with a description: "Mayor Chidi Okafor",
    "Sarah Brown, the team's goalkeeper", "the goalkeeper, Sarah Brown"."""
    start: int
    name: str
    words: frozenset[str]      # lemmas of the description ("team", "goalkeeper")


_ROLE_POS = ("NOUN", "PROPN", "ADJ")


_SMALL_WORDS = frozenset("a an the of in on and or for to at by with from as is".split())

# abbreviated titles, as the description words they stand for
_TITLE_ABBREVIATIONS = {"sen": "senator", "rep": "representative", "gov": "governor", "gen": "general",
                        "pres": "president", "amb": "ambassador", "sec": "secretary", "atty": "attorney",
                        "supt": "superintendent", "insp": "inspector", "det": "detective", "lt": "lieutenant",
                        "col": "colonel", "capt": "captain", "sgt": "sergeant", "prof": "professor",
                        "dr": "doctor", "rev": "reverend", "cllr": "councillor"}


def _description_words(tokens) -> frozenset[str]:
    out = set()
    for t in tokens:
        if t.pos_ in _ROLE_POS and t.ent_type_ != "PERSON" and len(t) > 1:
            word = t.lemma_.lower().rstrip(".")
            out.add(_TITLE_ABBREVIATIONS.get(word, word))
    return frozenset(out)


def _described_people(doc: Doc, inside: set[int]) -> list[Described]:
    """Every person entity outside quotations with the words that describe it: titles
    and roles before the name, appositives after it or around it."""
    out: list[Described] = []
    for ent in doc.ents:
        if ent.label_ != "PERSON" or ent.root.i in inside:
            continue
        root = ent.root
        before = [t for t in doc[root.left_edge.i:ent.start] if t.i not in inside]
        words = set(_description_words(before))
        for child in root.children:
            if child.dep_ == "appos" and child.i not in inside:
                words |= _description_words(t for t in child.subtree if t.i not in inside)
        if root.dep_ == "appos" and root.head.i not in inside:
            head = root.head
            words |= _description_words(t for t in head.subtree if t.i < ent.start and t.i not in inside)
        if words:
            out.append(Described(ent.start_char, ent.text.strip(), frozenset(words)))
    return out


# person nouns beyond the attribution's list that a definite description uses for somebody
_EXTRA_ROLES = frozenset("""goalkeeper striker forward defender midfielder quarterback pitcher
archbishop cardinal cleric pastor actor actress singer musician artist filmmaker director
host anchor entrepreneur billionaire businessman businesswoman banker lawmaker veteran""".split())


# the head words of "the agency", "the company": a body named earlier by its full name
# (a body whose name holds the word itself, "the ministry" -> "Cuba's Foreign Ministry",
# is found by ``fuller_org``)
_ORG_CLASS_WORDS = frozenset("""agency company firm group organization organisation network newspaper
broadcaster airline carrier manufacturer retailer startup charity automaker insurer utility""".split())


class ArticleSpeakers:
    """Resolve speaker mentions of one article (one ``Doc``) to canonical names."""

    def __init__(self, doc: Doc, inside: set[int] | None = None, first_names: "FirstNames | None" = None):
        self.doc = doc
        self.candidates = _candidates(doc, inside or set())
        self.described = _described_people(doc, inside or set())
        self.first_names = first_names
        self.persons: list[str] = []
        for c in self.candidates:
            if c.mention.kind == "person" and c.mention.name and not self._in_title_case(c.start):
                self.persons.append(clean_person_name(_HONORIFICS.sub("", c.mention.name).strip()))
        self.speakers: list[tuple[int, str, str]] = []   # (position, canonical, kind) of resolved speakers
        self._by_surname: dict[str, list[str]] | None = None

    def _in_title_case(self, position: int) -> bool:
        """Inside a Title Case headline the NER glues words to names ("Gold Star Mom
        Corners Obama"): such names never stand for a person's full name."""
        span = self.doc.char_span(position, position + 1, alignment_mode="expand")
        if span is None:
            return False
        # words outside names: "Minister Ana Torres spoke on Monday" is a sentence
        words = [t for t in span[0].sent if t.is_alpha and t.lower_ not in _SMALL_WORDS and not t.ent_type_]
        return len(words) >= 3 and sum(t.text[0].isupper() for t in words) >= 0.8 * len(words)

    # -- people -----------------------------------------------------------------
    def full_person_name(self, name: str) -> str:
        name = clean_person_name(_POSSESSIVE.sub("", _HONORIFICS.sub("", display_name(name))).strip())
        best = name
        for full in self._persons_by_surname().get(fold(surname(name)), ()):
            if len(full.split()) > len(best.split()):
                best = full
        return best

    def _persons_by_surname(self) -> dict[str, list[str]]:
        if self._by_surname is None:
            self._by_surname = {}
            for full in dict.fromkeys(_POSSESSIVE.sub("", p) for p in self.persons):
                self._by_surname.setdefault(fold(surname(full)), []).append(full)
        return self._by_surname

    def person_by_surname(self, text: str) -> str | None:
        """A one-word mention the NER took for something else but that is the
        surname of a person named in the article ("Rodríguez said")."""
        words = display_name(text).split()
        if len(words) != 1:
            return None
        key = fold(_POSSESSIVE.sub("", words[0]))
        for full in self._persons_by_surname().get(key, ()):
            if len(full.split()) > 1:
                return self.full_person_name(full)
        return None

    def document_issuer(self, m: Mention) -> Mention | None:
        """ "the statement read": the issuer of the latest earlier mention of the same
        kind of document ("In a statement, Cuba's Foreign Ministry called ...")."""
        best = None
        for tok in self.doc:
            if tok.idx >= m.start:
                break
            if tok.lemma_.lower() != m.head_lemma or tok.pos_ not in ("NOUN", "PROPN"):
                continue
            issuer = document_issuer_of(tok)
            if issuer is not None:
                best = issuer
        return best

    def described_person(self, m: Mention) -> str | None:
        """ "the goalkeeper", "the finance minister", "the study's co-author": the person
        the article described that way, the latest before the mention (else the first
        after it), every word of the description matching."""
        if m.name or not regex.match(r"(?i)(?:the|this|that|our|their|its|his|her)\b|\p{L}+(?:'s|’s)\s", m.text):
            return None
        span = self.doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is None:
            return None
        words = _description_words(t for t in span if t.lower_ not in ("the", "this", "that"))
        if not words or m.head_lemma not in words:
            return None
        head_only = frozenset({m.head_lemma})
        best = None
        for d in self.described:
            # every word described, or the role word with one more ("the Democratic mayor")
            if not (words <= d.words or head_only <= d.words and len(words) <= 2):
                continue
            if d.start < m.start:
                best = d
            elif best is None:
                best = d
                break
        return self.full_person_name(best.name) if best else None

    def trailing_person(self, m: Mention) -> str | None:
        """ "the topmost senior Polish archbishop Wojciech Polak", "selection committee member
        Ulf Danielsson": a person's name that ends the mention is its head; the words
        before it describe the person."""
        span = self.doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is None or len(span) < 3:
            return None
        end = span.end
        while end > span.start and self.doc[end - 1].is_punct:
            end -= 1
        last = self.doc[end - 1]
        if last.ent_type_ != "PERSON" or last.ent_iob_ == "O":
            return None
        ent = next((e for e in self.doc.ents if e.start <= last.i < e.end), None)
        if ent is None or ent.end != end or ent.start <= span.start or len(ent) < 2:
            return None
        before = self.doc[ent.start - 1]
        if before.lower_ in ("and", "or", "of", "for", "with", "by") or before.text in (",", "(", "and"):
            return None   # "the firm of John Smith", "X and John Smith": not one person's role
        if m.name and fold(m.name) == fold(ent.text):
            return None
        return ent.text

    def appositive_name(self, m: Mention) -> str | None:
        """ "the director of Argentina's Amnesty International, Mariela Belski, said": the
        name standing right after a role, between commas, is the speaker's."""
        doc = self.doc
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is None or span.end + 2 >= len(doc) or doc[span.end].text != ",":
            return None
        first = doc[span.end + 1]
        ent = next((e for e in doc.ents if e.start == first.i and e.label_ == "PERSON"), None)
        if ent is None or len(ent) < 2:
            return None
        after = doc[ent.end] if ent.end < len(doc) else None
        if after is not None and not (after.text in (",", ":", "—") or after.pos_ in ("VERB", "AUX")):
            return None
        return self.full_person_name(ent.text)

    def salient_person(self, m: Mention) -> str | None:
        """ "the Vermont senator added", "The Wooster professor said": a definite role
        that describes nobody named in the article is another way of naming the person
        quoted just before (news style varies the name), when that is a named person."""
        if not regex.match(r"(?i)the\s", m.text) or m.head_lemma not in PERSON_NOUNS | _EXTRA_ROLES:
            return None
        if any(m.head_lemma in d.words for d in self.described):
            return None   # the role describes somebody: ``described_person`` decided
        prev = self.last_speaker(m.start, ("person",))
        if prev is None:
            return None
        position = max(pos for pos, canonical, _ in self.speakers if canonical == prev[0])
        if m.start - position > 1500 or len(prev[0].split()) < 2:
            return None
        return prev[0]

    def named_body(self, m: Mention) -> str | None:
        """ "the agency", "the company": the latest organisation named in full before it."""
        words = fold(display_name(m.text)).split()
        if len(words) != 1 or words[0] not in _ORG_CLASS_WORDS or not regex.match(r"(?i)the\s", m.text):
            return None
        best = None
        for ent in self.doc.ents:
            if ent.start_char >= m.start:
                break
            if ent.label_ == "ORG" and len(ent) >= 2 and m.start - ent.start_char < 3000:
                best = ent
        return display_name(best.text) if best is not None else None

    # -- organisations ------------------------------------------------------------
    def fuller_org(self, m: Mention, before: int) -> str:
        """'the ministry' -> the fullest earlier mention with the same head word."""
        text = display_name(m.text)
        short = _GENERIC_POSSESSOR.sub("", text)
        words = fold(short).split()
        if not words:
            return text
        head = words[-1]
        for synonym_head, bodies in _BODY_SYNONYMS.items():
            if head == synonym_head:
                for c in self.candidates:
                    if c.mention.kind == "organisation" and any(b in fold(c.mention.text) for b in bodies):
                        return display_name(c.mention.text)
        if len(words) > 2 or (short == text and len(words) > 1 and not any(w in _GOVERNMENT_HEADS for w in words[:-1])):
            return text
        best = text
        for c in self.candidates:
            if c.start >= before + 1000:
                break
            if c.mention.kind != "organisation":
                continue
            cand = display_name(c.mention.text)
            cf = fold(cand)
            if (head in cf.split() or (head == "ministry" and "ministry" in cf)) and len(cand) > len(best):
                best = cand
                if c.start > before:
                    break
        return best

    def _government_of(self, place: str) -> tuple[str, str] | None:
        """The body that speaks for a country in this article ("Cuba" -> "Cuba's Foreign Ministry")."""
        stem = fold(place)[:-1] if len(place) >= 4 else fold(place)
        best = None
        for _, canonical, kind in self.speakers:
            cf = fold(canonical)
            if kind == "organisation" and stem in cf and _GOVERNMENT_HEADS & set(cf.replace("'s", "").split()):
                best = (canonical, kind)
        if best:
            return best
        for c in self.candidates:
            cf = fold(c.mention.text)
            if c.mention.kind == "organisation" and stem in cf and _GOVERNMENT_HEADS & set(cf.split()):
                return display_name(c.mention.text), "organisation"
        return None

    # -- pronouns -------------------------------------------------------------------
    def antecedent(self, position: int, pronoun: str) -> Mention | None:
        """Nearest earlier subject of a fitting kind (centering: subjects are what
        pronouns pick up), else the nearest fitting name."""
        want = {"he": ("person",), "she": ("person",), "i": ("person",), "we": ("organisation", "person"),
                "it": ("organisation", "place", "document"), "they": ("organisation", "person")}.get(pronoun.lower())
        if want is None:
            return None
        prior = [c for c in self.candidates if c.start < position and c.mention.kind in want]
        wanted = {"he": "m", "she": "f"}.get(pronoun.lower())
        if wanted:
            prior = [c for c in prior if self.gender_of(c.mention) in (wanted, None)]
        if pronoun.lower() in ("he", "she"):
            # a named person beats an unnamed "woman" or "reporter" a little closer
            named = [c for c in prior if c.mention.name]
            if named and (not prior or prior[-1].start - named[-1].start < 400):
                prior = named
        if not prior:
            return None
        # the last subject of a main clause (who acts or speaks), then the last subject
        # inside reported speech, then the last name (centering)
        main = [c for c in prior if c.is_subject and not c.reported]
        subjects = [c for c in prior if c.is_subject]
        return (main or subjects or prior)[-1].mention

    def interviewee(self) -> tuple[str | None, str | None]:
        """The person an interview is with: the one the article names most often."""
        counts: dict[str, int] = {}
        for full in self.persons:
            key = fold(surname(full))
            counts[key] = counts.get(key, 0) + 1
        if not counts:
            return None, None
        key = max(counts, key=lambda k: (counts[k], -list(counts).index(k)))
        return self.full_person_name(self._persons_by_surname()[key][0]), "person"

    def gender_of(self, m: Mention) -> str | None:
        """'m' or 'f' from the words (Mrs., spokeswoman) or the person's first name
        as this article gives it in full; None when nothing tells."""
        if m.kind != "person":
            return None
        said = m.gender
        if said:
            return said
        name = self.full_person_name(m.name) if m.name else None
        if not name or len(name.split()) < 2:
            return None
        return first_name_gender(name.split()[0], self.first_names)

    def last_speaker(self, position: int, kinds: tuple[str, ...]) -> tuple[str, str] | None:
        for pos, canonical, kind in reversed(self.speakers):
            if pos < position and kind in kinds:
                return canonical, kind
        return None

    # -- the whole step ---------------------------------------------------------------
    def resolve(self, m: Mention | None, depth: int = 0) -> tuple[str | None, str | None]:
        """(canonical name, kind) for a mention; (None, None) when it cannot be told."""
        if m is None or depth > 3:
            return None, None
        if m.kind == "pronoun" and m.text.lower() in ("i", "me", "you"):
            # first person outside quotation marks: the interviewee of an interview (the
            # person it is about); in an essay the unnamed author, and "you" is nobody
            if m.text.lower() != "you" and _INTERVIEW.search(doc_text(self.doc)):
                return self.interviewee()
            return None, None
        if m.kind == "pronoun":
            ante = self.antecedent(m.start, m.text)
            if ante is None:
                prev = self.last_speaker(m.start, ("person",) if m.text.lower() in ("he", "she") else
                                         ("organisation", "person"))
                return prev if prev else (None, None)
            return self.resolve(ante, depth + 1)
        if m.kind == "document":
            if m.issuer is not None:
                return self.resolve(m.issuer, depth + 1)
            earlier = self.document_issuer(m)
            if earlier is not None:
                return self.resolve(earlier, depth + 1)
            prev = self.last_speaker(m.start, ("organisation",)) or self.last_speaker(m.start, ("person",))
            if prev:
                return prev
            for c in reversed(self.candidates):
                if c.start < m.start and c.is_subject and c.mention.kind in ("organisation", "person"):
                    return self.resolve(c.mention, depth + 1)
            return None, None
        if m.kind in ("person", "organisation", "unknown"):
            head_name = self.trailing_person(m)
            if head_name:
                return self.full_person_name(head_name), "person"
        if m.kind in ("person", "unknown") and not m.name:
            described = self.appositive_name(m) or self.described_person(m) or self.salient_person(m)
            if described:
                return described, "person"
        if m.kind == "person":
            if m.issuer is not None and not m.name:
                return self.resolve(m.issuer, depth + 1)
            if m.name:
                return self.full_person_name(m.name), "person"
            return display_name(m.text), "person"
        if m.kind == "place":
            gov = self._government_of(m.text)
            if gov:
                return gov
            return display_name(m.text), "organisation"
        if m.kind in ("organisation", "unknown", "group"):
            person = self.person_by_surname(m.text)
            if person:
                return person, "person"
        if m.kind == "organisation":
            fuller = self.fuller_org(m, m.start)
            if fold(fuller) == fold(display_name(m.text)):
                fuller = self.named_body(m) or fuller
            return fuller, "organisation"
        if m.kind == "unknown":
            body = self.named_body(m)
            if body:
                return body, "organisation"
        if m.kind == "group":
            return display_name(m.text), "organisation"
        # "the attack", "work", "One of these groups": no speaker rather than an invented one;
        # a capitalised head the tagger took for a common noun ("Trump tweeted") is a name
        span = self.doc.char_span(m.start, m.end, alignment_mode="expand")
        head = span.root if span is not None else None
        if head is not None and head.pos_ in ("NOUN", "PROPN") and head.text[:1].isupper() \
                and not head.is_stop and len(span) <= 4:
            return display_name(m.text), None
        return None, None

    def record(self, position: int, canonical: str | None, kind: str | None) -> None:
        if canonical:
            self.speakers.append((position, canonical, kind or "unknown"))
