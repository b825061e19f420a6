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

from .attribution import Mention, document_issuer_of, mention_for

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


@dataclass
class Candidate:
    """Something earlier in the text a pronoun or a short mention could refer to."""
    start: int
    mention: Mention
    is_subject: bool


def _candidates(doc: Doc, inside: set[int]) -> list[Candidate]:
    """Subjects and named entities outside quotations, in text order."""
    out: list[Candidate] = []
    seen: set[int] = set(inside)
    for tok in doc:
        if tok.i in inside:
            continue
        if tok.dep_ in ("nsubj", "nsubjpass") and tok.pos_ in ("PROPN", "NOUN"):
            m = mention_for(tok)
            if m.kind in ("person", "organisation", "place", "document"):
                out.append(Candidate(m.start, m, True))
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


class ArticleSpeakers:
    """Resolve speaker mentions of one article (one ``Doc``) to canonical names."""

    def __init__(self, doc: Doc, inside: set[int] | None = None):
        self.doc = doc
        self.candidates = _candidates(doc, inside or set())
        self.persons: list[str] = []
        for c in self.candidates:
            if c.mention.kind == "person" and c.mention.name:
                self.persons.append(_HONORIFICS.sub("", c.mention.name).strip())
        self.speakers: list[tuple[int, str, str]] = []   # (position, canonical, kind) of resolved speakers
        self._by_surname: dict[str, list[str]] | None = None

    # -- people -----------------------------------------------------------------
    def full_person_name(self, name: str) -> str:
        name = _POSSESSIVE.sub("", _HONORIFICS.sub("", display_name(name))).strip()
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
        clash = {"he": "f", "she": "m"}.get(pronoun.lower())
        if clash:
            prior = [c for c in prior if c.mention.gender != clash]
        if pronoun.lower() in ("he", "she"):
            # a named person beats an unnamed "woman" or "reporter" a little closer
            named = [c for c in prior if c.mention.name]
            if named and (not prior or prior[-1].start - named[-1].start < 400):
                prior = named
        if not prior:
            return None
        subjects = [c for c in prior if c.is_subject]
        return (subjects or prior)[-1].mention

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
            return self.fuller_org(m, m.start), "organisation"
        if m.kind == "group":
            return display_name(m.text), "organisation"
        return display_name(m.text), None

    def record(self, position: int, canonical: str | None, kind: str | None) -> None:
        if canonical:
            self.speakers.append((position, canonical, kind or "unknown"))
