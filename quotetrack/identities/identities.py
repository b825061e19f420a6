"""One identity per real speaker across the whole database.

``quotetrack.extract.speakers`` gives each quote a canonical speaker name *within its article*
("Bruno Rodríguez", "Cuban foreign ministry", "foreign ministry of the Republic of
Cuba", "Cuba’s Foreign Ministry", "Cuban Ministry of Foreign Affairs"). This module
maps those names to identities (rows of ``speakers``) shared by every article:

- **Names are normalised** (:func:`identity_key`): accents, case, curly apostrophes,
  punctuation and a leading "the" never split an identity.
- **Organisations**: a country becomes its demonym wherever it stands ("Cuba's
  Foreign Ministry", "foreign ministry of the Republic of Cuba", "Cuba Foreign
  Ministry" -> "cuban foreign ministry"), and "Ministry of Foreign Affairs" /
  "Foreign Affairs Ministry" / "Ministry for Foreign Affairs" are "foreign ministry"
  (likewise "Ministry of Defense" -> "defence ministry", "Department of State" ->
  "state department"). A bare "the ministry" or "Foreign Ministry" joins a fuller
  identity ("cuban foreign ministry") only with evidence (below).
- **People**: titles and roles are split off the name and kept as a description
  ("Cuban Foreign Minister Bruno Rodríguez" -> "Bruno Rodríguez", described as
  "Cuban Foreign Minister"), and what page layout glued to a name is dropped
  (:func:`strip_glued`: "Said Trump", "Getty Images Trump", "CLOSE Donald Trump",
  "Overnight Health Care: Trump", "pic.twitter.com/… — Donald J. Trump", "Donald Trump
  Trump"; "president / Donald Trump" keeps "president" as a role). Full names are the
  identity, and one person's names with and without middle names are one identity
  (:func:`same_person_name`: "Donald J. Trump" = "Donald Trump", "James B. Comey" =
  "James Comey", "Hillary Rodham Clinton" = "Hillary Clinton"; not "Paul D. Ryan" /
  "Paul S. Ryan", "George W. Bush" / "George H. W. Bush", "Donald Trump" / "Donald Trump
  Jr."). A surname-only mention ("Rodríguez") or an initial ("B. Rodríguez") joins a
  full-name identity with that surname only with evidence, so two Smiths in different
  stories are not merged:

  1. the same article names the full person (another speaker, or the text, with or
     without middle initial), or
  2. their roles overlap ("Foreign Minister Rodríguez" / "Cuban Foreign Minister"), or
  3. the same outlet quoted the full-name identity within ``EVIDENCE_WINDOW_DAYS``, or,
     failing a single candidate with the strongest of these,
  4. one person dominates the surname across the corpus (``DOMINANT_SHARE`` of the
     quotes of the full-name identities with that surname, at least
     ``DOMINANT_MIN_QUOTES``): a bare "Trump" in a story that names nobody.

  Otherwise it gets a surname-only identity of its own (key "rodriguez", then
  "rodriguez#2", ...). When a full name appears after surname-only identities, those
  with evidence are merged in, and once a person dominates the surname the
  surname-only identities made before (with compatible initials and roles) join it.
  These rules apply as names are resolved: identities stored under older rules ("CLOSE
  Donald Trump", "trump#52") stay as they are (no migration re-keys them) until the
  database is built again from its articles.
- **Related speakers**: a person whose role names an organisation of the same country
  (the Cuban foreign minister and the Cuban foreign ministry), and a country's
  government and its bodies, are related (``speaker_relations``); statement grouping
  compares quotes of related speakers too (a minister reading out the ministry's
  statement).

Every name and mention under which an identity was quoted goes to ``speaker_aliases``
(``quotetrack.ingest.save_article`` does that).
"""
from __future__ import annotations

import datetime
import functools
import json
import re
import sqlite3
import unicodedata
from dataclasses import dataclass, field

from ..db.schema import KEY_LAST_WORD_SQL
from ..extract.names import GLUED_WORDS
from ..text import day as _date
from ..text import fold

__all__ = [
    "ArticleContext",
    "COUNTRIES",
    "fold",
    "org_key",
    "person_key",
    "split_person",
    "surname_of",
    "identity_key",
    "guess_kind",
    "description_from",
    "country_of",
    "resolve",
    "merge_speakers",
    "related_ids",
    "recompute_keys",
    "strip_glued",
    "name_parts",
    "same_person_name",
    "EVIDENCE_WINDOW_DAYS",
    "DOMINANT_SHARE",
    "DOMINANT_MIN_QUOTES",
]

#: how close in time two quotes of one outlet must be to count as evidence that a
#: surname-only mention is the full-name identity
EVIDENCE_WINDOW_DAYS = 30

# fmt: off
#: country (folded) -> demonym (folded). Aliases ("us", "britain") included.
COUNTRIES: dict[str, str] = {
    "afghanistan": "afghan", "albania": "albanian", "algeria": "algerian", "angola": "angolan",
    "argentina": "argentine", "armenia": "armenian", "australia": "australian", "austria": "austrian",
    "azerbaijan": "azerbaijani", "bahrain": "bahraini", "bangladesh": "bangladeshi", "belarus": "belarusian",
    "belgium": "belgian", "bolivia": "bolivian", "bosnia": "bosnian", "brazil": "brazilian",
    "bulgaria": "bulgarian", "cambodia": "cambodian", "cameroon": "cameroonian", "canada": "canadian",
    "chile": "chilean", "china": "chinese", "colombia": "colombian", "congo": "congolese",
    "costa rica": "costa rican", "croatia": "croatian", "cuba": "cuban", "cyprus": "cypriot",
    "czech republic": "czech", "czechia": "czech", "denmark": "danish", "dominican republic": "dominican",
    "ecuador": "ecuadorian", "egypt": "egyptian", "el salvador": "salvadoran", "estonia": "estonian",
    "ethiopia": "ethiopian", "finland": "finnish", "france": "french", "georgia": "georgian",
    "germany": "german", "ghana": "ghanaian", "greece": "greek", "guatemala": "guatemalan",
    "haiti": "haitian", "honduras": "honduran", "hungary": "hungarian", "iceland": "icelandic",
    "india": "indian", "indonesia": "indonesian", "iran": "iranian", "iraq": "iraqi",
    "ireland": "irish", "israel": "israeli", "italy": "italian", "jamaica": "jamaican",
    "japan": "japanese", "jordan": "jordanian", "kazakhstan": "kazakh", "kenya": "kenyan",
    "kuwait": "kuwaiti", "latvia": "latvian", "lebanon": "lebanese", "libya": "libyan",
    "lithuania": "lithuanian", "malaysia": "malaysian", "mexico": "mexican", "moldova": "moldovan",
    "mongolia": "mongolian", "morocco": "moroccan", "mozambique": "mozambican", "myanmar": "myanmar",
    "nepal": "nepali", "netherlands": "dutch", "new zealand": "new zealand", "nicaragua": "nicaraguan",
    "nigeria": "nigerian", "north korea": "north korean", "norway": "norwegian", "oman": "omani",
    "pakistan": "pakistani", "palestine": "palestinian", "panama": "panamanian", "paraguay": "paraguayan",
    "peru": "peruvian", "philippines": "philippine", "poland": "polish", "portugal": "portuguese",
    "qatar": "qatari", "romania": "romanian", "russia": "russian", "rwanda": "rwandan",
    "saudi arabia": "saudi", "senegal": "senegalese", "serbia": "serbian", "singapore": "singaporean",
    "slovakia": "slovak", "slovenia": "slovenian", "somalia": "somali", "south africa": "south african",
    "south korea": "south korean", "spain": "spanish", "sri lanka": "sri lankan", "sudan": "sudanese",
    "sweden": "swedish", "switzerland": "swiss", "syria": "syrian", "taiwan": "taiwanese",
    "tanzania": "tanzanian", "thailand": "thai", "tunisia": "tunisian", "turkey": "turkish",
    "uganda": "ugandan", "ukraine": "ukrainian", "united arab emirates": "emirati", "uae": "emirati",
    "united kingdom": "british", "uk": "british", "u k": "british", "britain": "british",
    "great britain": "british", "united states": "american", "united states of america": "american",
    "us": "american", "u s": "american", "usa": "american", "u s a": "american", "america": "american",
    "uruguay": "uruguayan", "uzbekistan": "uzbek", "venezuela": "venezuelan", "vietnam": "vietnamese",
    "yemen": "yemeni", "zambia": "zambian", "zimbabwe": "zimbabwean", "korea": "korean",
}
# fmt: on
DEMONYMS = frozenset(COUNTRIES.values())
_COUNTRY_ALT = "|".join(sorted((re.escape(c) for c in COUNTRIES), key=len, reverse=True))
_STATE_FORMS = r"(?:(?:federal|islamic|people's|peoples|democratic|socialist|arab|bolivarian|french|italian|hellenic|)\s*)*(?:republic|kingdom|state|commonwealth|federation|government|people)\s+of\s+(?:the\s+)?"

_PERSON_TITLES = frozenset(
    """mr mrs ms miss mx dr prof professor sir dame lord lady rev reverend father sister brother
    president vice prime deputy minister secretary foreign interior defence defense finance health
    education economy economic trade energy justice home state affairs general attorney senator
    sen rep representative congressman congresswoman congressmember gov governor lt lieutenant
    mayor judge chief justice chancellor ambassador envoy spokesman spokeswoman spokesperson
    spokesmen press officer commissioner director chairman chairwoman chair ceo cfo coo head leader
    captain capt colonel col gen major maj sergeant sgt admiral adm commander cmdr officer detective
    det inspector superintendent coach manager king queen prince princess pope cardinal bishop
    archbishop rabbi imam sheikh former acting then incoming outgoing interim assistant associate
    executive senior junior first lady gentleman honourable honorable hon speaker leader majority
    minority whip member mp mep delegate councillor councilor alderman sheriff marshal
    u s uk un eu white house republican democratic democrat gop party national federal top elect
    senate candidate nominee presidential hopeful special counsel
    """.split()
)
_NAME_PARTICLES = frozenset("de da del della di van von der den la le du bin al el dos das ter st".split())
_NAME_SUFFIXES = frozenset("jr sr ii iii iv v phd md esq".split())
_DETERMINERS = frozenset("the a an its their his her our".split())
_PRONOUNS = frozenset("he she they it we i you him her them us his its their who".split())
_ORG_HEADS = frozenset(
    """ministry department government office agency embassy police army military navy council
    committee court commission parliament congress senate house administration presidency cabinet
    kremlin bureau service services authority authorities force forces party union organisation
    organization association institute foundation company corporation bank university school
    hospital board group church diplomacy spokesperson""".split()
)
_ROLE_STEMS = {"minister": "ministry", "ministers": "ministry", "secretary": "department",
               "spokesman": "spokesperson", "spokeswoman": "spokesperson"}


def _drop_determiner(s: str) -> str:
    words = s.split()
    while words and words[0] in _DETERMINERS:
        words = words[1:]
    return " ".join(words)


# ---------------------------------------------------------------------------
# organisations


_MINISTRY_OF = re.compile(r"\b(ministry|department|secretariat|office)\s+(?:of|for)\s+(?:the\s+)?(.+)$")
_FOREIGN = re.compile(r"\b(?:foreign|external)\s+affairs\b|\bforeign\s+relations\b")


@functools.lru_cache(maxsize=16384)
def org_key(name: str | None) -> str:
    """Identity key of an organisation name.

    >>> org_key("foreign ministry of the Republic of Cuba")
    'cuban foreign ministry'
    >>> org_key("Cuba’s Foreign Ministry") == org_key("The Cuban Ministry of Foreign Affairs")
    True
    """
    s = _drop_determiner(fold(name))
    if not s:
        return ""
    # a country speaking as itself: "the Republic of Cuba" -> "cuba"
    m = re.fullmatch(rf"{_STATE_FORMS}({_COUNTRY_ALT})", s)
    if m:
        return m.group(1)
    # "X of (the Republic of) Cuba" -> "cuban X"
    m = re.fullmatch(rf"(.+?)\s+(?:of|for|in)\s+(?:the\s+)?(?:{_STATE_FORMS})?({_COUNTRY_ALT})", s)
    if m and m.group(2) not in ("us",):
        s = f"{COUNTRIES[m.group(2)]} {_drop_determiner(m.group(1))}"
    # "Cuba's X" / "Cuba X" -> "cuban X"
    m = re.match(rf"({_COUNTRY_ALT})(?:'s|')?\s+(.+)$", s)
    if m and (m.group(1) not in ("us",) or "'" in s[:4] or m.group(2).split()[0] in _ORG_HEADS | {"state", "foreign"}):
        s = f"{COUNTRIES[m.group(1)]} {m.group(2)}"
    s = _FOREIGN.sub("foreign", s)
    m = _MINISTRY_OF.search(s)
    if m:
        s = s[:m.start()] + f"{_drop_determiner(m.group(2))} {m.group(1)}"
    s = re.sub(r"\bdefense\b", "defence", s)
    s = re.sub(r"\bforeign foreign\b", "foreign", s)
    s = re.sub(r"\bforeign office\b", "foreign ministry", s)
    s = re.sub(r"\bministry of state\b", "state ministry", s)
    s = s.replace("'s ", " ")
    return " ".join(s.split())


def _is_short_org(key: str) -> bool:
    """A generic body with no country or name of its own ("ministry", "foreign ministry")."""
    words = key.split()
    if not words or len(words) > 2 or words[-1] not in _ORG_HEADS:
        return False
    return not any(w in DEMONYMS or w in COUNTRIES for w in words)


# ---------------------------------------------------------------------------
# people


def _is_role_word(word: str) -> bool:
    f = fold(word).strip(".")
    if "-" in f.strip("-"):                     # "president-elect", "vice-president"
        return all(_is_role_word(part) for part in f.split("-") if part)
    return (f in _DETERMINERS or f in _PERSON_TITLES or f in DEMONYMS or f in COUNTRIES
            or f in ("of", "for", "and", "to") or f.endswith("'s"))


_GLUED = GLUED_WORDS
# separators after which the name starts: "Overnight Health Care: Trump", "… — Donald J.
# Trump" (a tweet's signature), "president / Donald Trump", "Saul Loeb/AFP Sessions"
_NAME_SEPARATORS = re.compile(r":\s|\s*(?:\||—|--|\s[–/]\s|/)\s*")


def _glued_word(word: str, following: str) -> bool:
    """Is ``word``, at the start of a name and followed by ``following``, page furniture
    rather than part of the name: a word of ``_GLUED``, or a layout word in capitals
    ("CLOSE", "WATCHED", "REUTERS") before a name that is not ("CLOSE Donald Trump"; "FBI
    Director James Comey" keeps its "FBI": a role follows)?"""
    f = fold(word).strip(".")
    if f in _GLUED:
        return True
    return (len(word) >= 3 and word.isalpha() and word.isupper() and not following.isupper()
            and not _is_role_word(word) and not _is_role_word(following))


@functools.lru_cache(maxsize=16384)
def strip_glued(name: str) -> str:
    """A person's name without what page layout glued to it: a speech verb ("Said
    Trump" -> "Trump"), photo credits and captions ("Getty Images Trump", "CLOSE Donald
    Trump", "AP Photo Tillerson", "Saul Loeb/AFP Sessions"), a header or signature before
    a separator ("Overnight Health Care: Trump", "pic.twitter.com/x — Donald J. Trump"),
    digits and links ("0:40 Donald Trump") and a repeated word ("Donald Trump Trump").
    A role before a separator stays ("president / Donald Trump" -> "president Donald
    Trump"); the last word always stays."""
    text = " ".join((name or "").split())
    parts = [p.strip() for p in _NAME_SEPARATORS.split(text)]
    if len(parts) > 1:
        def has_name(part):
            words = part.split()
            return any(re.search(r"[^\W\d_]", w) and fold(w).strip(".") not in _GLUED
                       and not _is_role_word(w) and "://" not in w for w in words)
        keep = next((i for i in range(len(parts) - 1, -1, -1) if has_name(parts[i])), None)
        if keep is not None:
            head = parts[keep - 1] if keep else ""
            text = parts[keep]
            if head and all(_is_role_word(w) for w in head.split()):
                text = f"{head} {text}"
    words = text.split()
    # links, times and numbers before the name
    while len(words) > 1 and (not re.search(r"[^\W\d_]", words[0]) or "://" in words[0]
                              or fold(words[0]).startswith(("pic twitter", "t co "))):
        words = words[1:]
    while len(words) > 1 and _glued_word(words[0], words[1]):
        words = words[1:]
    out: list[str] = []
    for w in words:                           # "Donald Trump Trump", "Trump Trump"
        if out and fold(w).strip(".") == fold(out[-1]).strip(".") and len(fold(w).strip(".")) > 1:
            continue
        out.append(w)
    return " ".join(out)


@functools.lru_cache(maxsize=16384)
def split_person(name: str) -> tuple[str | None, str]:
    """``(role, name)`` of a person's name with its titles: "Cuban Foreign Minister
    Bruno Rodríguez" -> ("Cuban Foreign Minister", "Bruno Rodríguez"); "Dr. Ana Li"
    -> ("Dr.", "Ana Li"); "Hugh Hill, a doctor" -> ("a doctor", "Hugh Hill");
    "Rodríguez" -> (None, "Rodríguez")."""
    text = (name or "").replace("\u2019", "'")
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text)
    text = strip_glued(" ".join(text.split()).strip(" ,;:"))
    text = re.sub(r"'s$", "", text)
    if "," in text:
        head, _, tail = (x.strip() for x in text.partition(","))
        if head and all(_is_role_word(w) for w in head.split()):   # "Foreign Minister, Bruno Rodríguez"
            role, person = split_person(tail)
            return " ".join(x for x in (head, role) if x) or None, person
        role, person = split_person(head)
        return " ".join(x for x in (role, tail) if x) or None, person
    words = text.split()
    # a lower-case word before a capitalised name is a role too ("strategist Ford O'Connell")
    cased = any(w[:1].isupper() for w in words)
    i = 0
    while i < len(words) - 1 and (_is_role_word(words[i]) or (
            cased and words[i].islower() and fold(words[i]) not in _NAME_PARTICLES
            and any(w[:1].isupper() for w in words[i + 1:]))):
        i += 1
    role = " ".join(words[:i]) or None
    if role and all(fold(w) in _DETERMINERS for w in role.split()):
        role = None
    return role, " ".join(words[i:])


@functools.lru_cache(maxsize=16384)
def _name_words(name: str) -> tuple[str, ...]:
    return tuple(w.strip(".") for w in fold(name).split() if w.strip("."))


@functools.lru_cache(maxsize=16384)
def person_key(name: str | None) -> str:
    """Identity key of a person: the folded name without titles ("Cuban Foreign
    Minister Bruno Rodríguez" and "bruno rodriguez" -> "bruno rodriguez")."""
    return " ".join(_name_words(split_person(name or "")[1]))


@functools.lru_cache(maxsize=16384)
def surname_of(name: str) -> str:
    """Folded surname (with particles: "de blasio") of a person's name."""
    words = list(_name_words(split_person(name)[1]))
    while len(words) > 1 and words[-1] in _NAME_SUFFIXES:
        words.pop()
    if not words:
        return ""
    i = len(words) - 1
    while i > 0 and words[i - 1] in _NAME_PARTICLES:
        i -= 1
    return " ".join(words[i:])


@functools.lru_cache(maxsize=16384)
def _is_partial(name: str) -> bool:
    """Surname only ("Rodríguez", "de Blasio") or initial + surname ("B. Rodríguez")."""
    words = list(_name_words(name))
    while len(words) > 1 and words[-1] in _NAME_SUFFIXES:
        words.pop()
    sur = surname_of(name).split()
    rest = words[: len(words) - len(sur)]
    return all(len(w) == 1 for w in rest)


@functools.lru_cache(maxsize=16384)
def name_parts(name: str) -> tuple[str, tuple[str, ...], str, str]:
    """``(first, middles, surname, suffix)`` of a person's name, folded: "Donald J.
    Trump" -> ("donald", ("j",), "trump", ""); "Donald Trump Jr." -> ("donald", (),
    "trump", "jr"); "Rodríguez" -> ("", (), "rodriguez", "")."""
    words = list(_name_words(split_person(name)[1]))
    suffix = []
    while len(words) > 1 and words[-1] in _NAME_SUFFIXES:
        suffix.insert(0, words.pop())
    if not words:
        return "", (), "", " ".join(suffix)
    i = len(words) - 1
    while i > 0 and words[i - 1] in _NAME_PARTICLES:
        i -= 1
    core = words[:i]
    return (core[0] if core else ""), tuple(core[1:]), " ".join(words[i:]), " ".join(suffix)


def _middles_agree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Middle names of one person: one side has none, or word by word they are equal or
    one is the initial of the other ("J." / "John"); "H. W." and "W." disagree."""
    if not a or not b:
        return True
    return len(a) == len(b) and all(x == y or (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y))
                                    for x, y in zip(a, b))


def same_person_name(a: str, b: str) -> bool:
    """Do two full names denote one person: same first name, surname and suffix, and
    middle names that agree ("Donald J. Trump" = "Donald Trump" = "Donald John Trump";
    "James B. Comey" = "James Comey"; "Hillary Rodham Clinton" = "Hillary Clinton"; not
    "Paul D. Ryan" / "Paul S. Ryan", "George W. Bush" / "George H. W. Bush", "Donald Trump"
    / "Donald Trump Jr.", "John Smith" / "Jane Smith")."""
    fa, ma, sa, xa = name_parts(a)
    fb, mb, sb, xb = name_parts(b)
    return bool(fa and sa) and (fa, sa, xa) == (fb, sb, xb) and _middles_agree(ma, mb)


@functools.lru_cache(maxsize=16384)
def _initials(name: str) -> str:
    first, middles, _, _ = name_parts(name)
    return "".join(w[0] for w in (first, *middles) if w)


@functools.lru_cache(maxsize=16384)
def guess_kind(name: str) -> str | None:
    """``organisation`` when the name ends in a body's head word or is a country,
    ``person`` for two or more capitalised words, else None."""
    key = fold(name)
    words = _drop_determiner(key).split()
    if not words:
        return None
    okey = org_key(name)
    if words[-1] in _ORG_HEADS or okey in COUNTRIES or (okey.split() and okey.split()[-1] in _ORG_HEADS) \
            or any(w in ("ministry", "department", "government", "embassy") for w in words):
        return "organisation"
    caps = [w for w in name.split() if w[:1].isupper()]
    if len(caps) >= 2:
        return "person"
    return None


def identity_key(name: str | None, kind: str | None = None) -> str:
    """The ``speakers.key`` for a canonical name (before any evidence-based joining)."""
    if not name or not name.strip():
        return ""
    kind = kind or guess_kind(name)
    return person_key(name) if kind == "person" else org_key(name)


def description_from(mention: str | None, name: str) -> str | None:
    """The role a mention adds to a person's name: "Cuban Foreign Minister, Bruno
    Rodríguez" -> "Cuban Foreign Minister"; "Hugh Hill, a doctor" -> "doctor";
    None for "Rodríguez", "he" or "the statement"."""
    if not mention:
        return None
    m_words = strip_glued(mention.replace("\u2019", "'")).split()    # no "CLOSE", "Getty Images"
    folded = [fold(w).strip(".") for w in m_words]
    name_set = set(_name_words(name))
    keep = [w for w, f in zip(m_words, folded) if f and f not in name_set]
    if not keep or len(keep) == len(m_words):
        return None  # the mention does not contain the name (pronoun, document, ...)
    text = " ".join(keep).strip(" ,;:()-")
    text = re.sub(r"\s*,\s*", " ", text)
    text = " ".join(w for i, w in enumerate(text.split()) if not (i == 0 and fold(w) in _DETERMINERS))
    if not text or fold(text) in _PRONOUNS or fold(text) in ("said", "says"):
        return None
    return text


@functools.lru_cache(maxsize=16384)
def country_of(text: str | None) -> str | None:
    """The demonym of the first country or demonym in ``text`` ("Cuban Foreign
    Minister" -> "cuban", "foreign ministry of the Republic of Cuba" -> "cuban")."""
    s = fold(text)
    if not s:
        return None
    padded = f" {s.replace(chr(39) + 's', '')} "
    best = None
    for country, demonym in COUNTRIES.items():
        for form in (demonym, country):
            i = padded.find(f" {form} ")
            if i >= 0 and (best is None or i < best[0]) and not (form == "us" and i > 0):
                best = (i, demonym)
    return best[1] if best else None


# country names of several words ("u s", "united states"), removed before the words are taken
_COUNTRY_PHRASES = re.compile(r"\b(?:{})\b".format("|".join(
    re.escape(c) for c in sorted((c for c in COUNTRIES if " " in c), key=len, reverse=True))))


@functools.lru_cache(maxsize=16384)
def _affiliation(text: str | None) -> frozenset[str]:
    """Words of a role or organisation key, minister -> ministry, without country."""
    out = set()
    for w in _COUNTRY_PHRASES.sub(" ", fold(text).replace("'s", " ")).split():
        w = _ROLE_STEMS.get(w, w)
        if w in DEMONYMS or w in COUNTRIES or w in _DETERMINERS or w in ("of", "for", "the", "and"):
            continue
        out.add(w)
    if {"foreign", "affairs"} <= out:
        out.discard("affairs")
    return frozenset(out)


# ---------------------------------------------------------------------------
# the database side


@dataclass
class ArticleContext:
    """What the article being stored tells about its speakers (evidence for joining)."""
    article_id: int | None = None
    outlet: str | None = None
    published: str | None = None
    text: str = ""
    names: list[str] = field(default_factory=list)   # canonical speaker names in the article
    _folded_text: str | None = None
    _person_keys: frozenset | None = None
    _full_names: tuple | None = None
    _org_keys: frozenset | None = None

    @property
    def folded_text(self) -> str:
        if self._folded_text is None:
            self._folded_text = f" {fold(self.text)} "
        return self._folded_text

    @property
    def person_keys(self) -> frozenset:
        """:func:`person_key` of every name in ``names``."""
        if self._person_keys is None:
            self._person_keys = frozenset(person_key(n) for n in self.names)
        return self._person_keys

    @property
    def full_names(self) -> tuple:
        """The names in ``names`` that give a person's first name and surname."""
        if self._full_names is None:
            self._full_names = tuple(dict.fromkeys(
                n for n in self.names if n and not _is_partial(split_person(n)[1]) and name_parts(n)[0]
                and guess_kind(n) != "organisation"))
        return self._full_names

    @property
    def org_keys(self) -> frozenset:
        """:func:`org_key` of every name in ``names``."""
        if self._org_keys is None:
            self._org_keys = frozenset(org_key(n) for n in self.names)
        return self._org_keys


def _append_description(db, speaker_id: int, description: str | None) -> None:
    if not description:
        return
    row = db.execute("select description from speakers where id = ?", [speaker_id]).fetchone()
    current = row[0] if row and row[0] else ""
    parts = [p for p in current.split("; ") if p]
    if fold(description) in {fold(p) for p in parts} or len(parts) >= 8:
        return
    parts.append(description)
    db.execute("update speakers set description = ? where id = ?", ["; ".join(parts), speaker_id])


_MINOR_WORDS = frozenset("of for the and in on at to de del la".split())


def _better_name(new: str, old: str) -> bool:
    """Should ``new`` replace ``old`` as the display name of one identity? Prefer a
    capitalised start, then every significant word capitalised ("Cuban Ministry of
    Foreign Affairs" over "Cuban foreign ministry"), then no possessive, then
    accented letters kept ("Rodríguez"), then the longer; a tie keeps the first."""
    def score(n: str):
        words = n.split()
        return (n[:1].isupper(),
                all(w[:1].isupper() for w in words if w.casefold() not in _MINOR_WORDS),
                not re.search(r"['\u2019]s\b", n),
                sum(1 for c in unicodedata.normalize("NFD", n) if unicodedata.combining(c)),
                len(n))
    return score(new) > score(old)


def _display(name: str, kind: str | None) -> str:
    name = " ".join(name.split()).strip(" ,;:")
    if kind == "person":
        return split_person(name)[1] or name
    words = name.split()
    while len(words) > 1 and fold(words[0]) in _DETERMINERS:
        words = words[1:]
    return " ".join(words)


def _get_or_create(db, key: str, display: str, kind: str | None, *, surname: str | None = None,
                   country: str | None = None) -> tuple[int, bool]:
    row = db.execute("select id, name, kind, country from speakers where key = ?", [key]).fetchone()
    if row:
        speaker_id, old_name, old_kind, old_country = row
        updates = {}
        if _better_name(display, old_name) and (
                kind != "person" or name_parts(display)[1] == name_parts(old_name)[1]):
            updates["name"] = display      # a person's shown name keeps its middle names
        if kind and not old_kind:
            updates["kind"] = kind
        if country and not old_country:
            updates["country"] = country
        if updates:
            db.execute(f"update speakers set {', '.join(f'{c} = ?' for c in updates)} where id = ?",
                       [*updates.values(), speaker_id])
        return speaker_id, False
    return _insert_speaker(db, display, kind, key, surname, country), True


def _insert_speaker(db, name: str, kind: str | None, key: str, surname: str | None, country: str | None) -> int:
    return db.execute("insert into speakers (name, kind, key, surname, country) values (?, ?, ?, ?, ?)",
                      [name, kind, key, surname, country]).lastrowid


def _quoted_in_outlet_ids(db, speaker_ids, context: ArticleContext | None) -> set[int]:
    """Which of ``speaker_ids`` the article's outlet quoted within
    ``EVIDENCE_WINDOW_DAYS`` of its date (any time when it has none): one query."""
    ids = sorted(set(speaker_ids))
    if context is None or not context.outlet or not ids:
        return set()
    sql = ("select j.value from json_each(?) j where exists (select 1 from quotes where speaker_id = j.value "
           "and outlet = ?")
    params = [json.dumps(ids), context.outlet]
    day = _date(context.published)
    if day is not None:
        sql += " and published >= ? and published <= ?"
        params += [(day - datetime.timedelta(days=EVIDENCE_WINDOW_DAYS)).isoformat(),
                   (day + datetime.timedelta(days=EVIDENCE_WINDOW_DAYS)).isoformat() + "~"]
    return {r[0] for r in db.execute(sql + ")", params).fetchall()}


def _quoted_in_outlet(db, speaker_id: int, context: ArticleContext | None) -> bool:
    return speaker_id in _quoted_in_outlet_ids(db, [speaker_id], context)


def _roles_overlap(a: str | None, b: str | None) -> bool:
    """Do two role descriptions share a telling word ("foreign", "minister")?"""
    generic = {"former", "acting", "official", "officials", "spokesperson", "member", "the", "head"}
    wa, wb = _affiliation(a) - generic, _affiliation(b) - generic
    return bool(wa & wb)


def _article_evidence(candidate: tuple, description: str | None, context: ArticleContext | None) -> int:
    """3 when the article names ``candidate`` in full (as a speaker, or in its text,
    with or without a middle initial), 2 when the roles overlap, else 0."""
    speaker_id, key, name, cand_description = candidate
    if context is not None:
        if key in context.person_keys:
            return 3
        if key and f" {key} " in context.folded_text:
            return 3
        if name:
            first, _, surname, suffix = name_parts(name)
            tail = " ".join(x for x in (surname, suffix) if x)
            if first and re.search(rf" {re.escape(first)}(?: \w)* {re.escape(tail)} ", context.folded_text):
                return 3      # "Donald Trump", "Donald J. Trump" in the text
            if first and any(same_person_name(name, n) for n in context.full_names):
                return 3
    if description and _roles_overlap(description, cand_description):
        return 2
    return 0


def _evidence(db, candidate: tuple, surname: str, description: str | None,
              context: ArticleContext | None) -> int:
    """How strongly the article ties a surname-only mention to ``candidate`` (0 = not):
    3 the article names it in full, 2 the roles overlap, 1 the same outlet quoted it
    within ``EVIDENCE_WINDOW_DAYS``."""
    found = _article_evidence(candidate, description, context)
    if not found and _quoted_in_outlet(db, candidate[0], context):
        return 1
    return found


def _scored(db, candidates, description, context) -> tuple[int, list[int]]:
    """``(score, ids)``: the strongest :func:`_evidence` among ``candidates`` and the
    candidates that have it (``(0, [])`` when none has any). The outlet's quotes (the
    weakest evidence) are looked up, in one query, only when no candidate has stronger."""
    scored = [(_article_evidence(c, description, context), c[0]) for c in candidates]
    if not any(s >= 2 for s, _ in scored):
        quoted = _quoted_in_outlet_ids(db, [i for s, i in scored if not s], context)
        scored = [(s or int(i in quoted), i) for s, i in scored]
    scored = [s for s in scored if s[0] > 0]
    if not scored:
        return 0, []
    best = max(s for s, _ in scored)
    return best, [i for s, i in scored if s == best]


def _pick(db, candidates, surname, description, context) -> int | None:
    """The candidate with the strongest :func:`_evidence`, if exactly one has it."""
    _, winners = _scored(db, candidates, description, context)
    return winners[0] if len(winners) == 1 else None


#: a surname-only mention with no evidence in its article joins the one person of that
#: surname who holds at least ``DOMINANT_SHARE`` of the quotes of the full-name
#: identities with that surname, and at least ``DOMINANT_MIN_QUOTES`` ("Trump" in a
#: 2017 news corpus; not "Sanders" where Bernie and Sarah Sanders are both quoted, nor a
#: name quoted once or twice)
DOMINANT_SHARE = 0.8
DOMINANT_MIN_QUOTES = 10


def _quote_counts(db, ids) -> dict[int, int]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    return dict(db.execute(
        "select speaker_id, count(*) from quotes where speaker_id in (select value from json_each(?)) "
        "group by speaker_id", [json.dumps(ids)]).fetchall())


def _people(candidates) -> list[list[tuple]]:
    """Full-name identities grouped into people (:func:`same_person_name`): the
    fragments "Donald Trump" / "Donald J. Trump" of a database made by older rules are
    one person."""
    groups: list[list[tuple]] = []
    for c in candidates:
        for g in groups:
            if same_person_name(g[0][2], c[2]):
                g.append(c)
                break
        else:
            groups.append([c])
    return groups


def _dominant(db, candidates) -> int | None:
    """The identity of the person who dominates ``candidates`` (full-name identities
    sharing a surname) by quotes, if one does (``DOMINANT_SHARE``,
    ``DOMINANT_MIN_QUOTES``): that person's most quoted identity."""
    if not candidates:
        return None
    counts = _quote_counts(db, [c[0] for c in candidates])
    totals = sorted(((sum(counts.get(c[0], 0) for c in g), g) for g in _people(candidates)),
                    key=lambda t: -t[0])
    everyone = sum(t for t, _ in totals)
    top, group = totals[0]
    if top < DOMINANT_MIN_QUOTES or top < DOMINANT_SHARE * everyone:
        return None
    return max(group, key=lambda c: (counts.get(c[0], 0), -c[0]))[0]


def _full_candidates(db, surname: str, initials: str = "") -> list[tuple]:
    """Full-name person identities with ``surname`` (their names under today's rules:
    "Getty Images Trump" made by older ones is not a full name) whose initials begin
    with ``initials``."""
    return [
        c for c in db.execute(
            "select id, key, name, description from speakers where kind = 'person' and surname = ? "
            "and key not like '%#%'", [surname]).fetchall()
        if not _is_partial(c[2]) and name_parts(c[2])[0]
        and (not initials or _initials(c[2]).startswith(initials))
    ]


def _partial_identities(db, surname: str, exclude: int | None = None) -> list[tuple]:
    return [c for c in db.execute(
        "select id, key, name, description from speakers where kind = 'person' and surname = ? "
        "and (key = ? or key like ?)", [surname, surname, surname + "#%"]).fetchall()
        if c[0] != exclude and _is_partial(c[2])]


def _absorb_dominated(db, speaker_id: int, surname: str, full: list[tuple]) -> None:
    """``speaker_id`` dominates the people of ``surname`` (:func:`_dominant`): the
    surname-only identities made before it did ("sondland" from a story that never
    named Gordon Sondland, the "trump#52" of older rules) join it, unless their initials
    contradict its first name or their role is another candidate's and not its own."""
    me = next((c for c in full if c[0] == speaker_id), None)
    if me is None:
        return
    mine = _initials(me[2])
    others = [c for c in full if not same_person_name(c[2], me[2])]
    for pid, _, pname, pdesc in _partial_identities(db, surname, exclude=speaker_id):
        if not mine.startswith(_initials(pname)):
            continue
        if pdesc and not _roles_overlap(pdesc, me[3]) and any(_roles_overlap(pdesc, o[3]) for o in others):
            continue
        merge_speakers(db, speaker_id, pid)


def _resolve_partial_person(db, name: str, description: str | None, context) -> int:
    surname = surname_of(name)
    initials = _initials(name)
    if context is not None:
        # the same article names the full person (however many ways: "Donald Trump",
        # "Donald J. Trump"): that is who this is
        fulls = [n for n in context.full_names
                 if surname_of(n) == surname and _initials(n).startswith(initials)]
        if fulls and all(same_person_name(fulls[0], n) for n in fulls[1:]):
            return resolve(db, fulls[0], "person", context=context)
    full = _full_candidates(db, surname, initials)
    best, winners = _scored(db, full, description, context)
    if len(winners) == 1:
        return winners[0]
    # the article says nothing conclusive (or names two people of that surname, one of
    # whom dominates the corpus): the one person the corpus knows by that surname
    dominant = _dominant(db, full)
    if dominant is not None and (not winners or dominant in winners or best < 2):
        _absorb_dominated(db, dominant, surname, full)
        return dominant
    # surname-only identities already there: join one with evidence, else a new one
    partial = _partial_identities(db, surname)
    if partial:
        chosen = _pick(db, [(i, None, n, d) for i, _, n, d in partial], surname, description, context)
        if chosen is not None:
            return chosen
    taken = {r[0] for r in db.execute("select key from speakers where key = ? or (key >= ? and key < ?)",
                                      [surname, surname + "#", surname + "$"])}
    key, n = surname, 1
    while key in taken:
        n += 1
        key = f"{surname}#{n}"
    return _insert_speaker(db, _display(name, "person"), "person", key, surname, country_of(description))


def _resolve_full_person(db, pname: str, description: str | None, country: str | None, context) -> int:
    """A full name: the identity with its key, else the one person with the same first
    name and surname whose middle names agree (:func:`same_person_name`: "Donald J.
    Trump" joins "Donald Trump", "James Comey" joins "James B. Comey"), else a new one,
    which takes in the surname-only identities it has evidence for. Surname-only
    identities made before this person dominated the surname join it."""
    key = person_key(pname)
    surname = surname_of(pname)
    display = _display(pname, "person")
    row = db.execute("select id from speakers where key = ?", [key]).fetchone()
    if row is None:
        first = name_parts(pname)[0]
        same = [c for c in db.execute(
            "select id, key, name from speakers where kind = 'person' and surname = ? and key >= ? and key < ? "
            "and key not like '%#%' order by id", [surname, first + " ", first + "!"]).fetchall()
            if same_person_name(pname, c[2])]
        same = [c for c in same if not _middle_conflict(db, c[0], pname)]
        if same and all(same_person_name(same[0][2], c[2]) for c in same[1:]):
            key = same[0][1]
    speaker_id, created = _get_or_create(db, key, display, "person", surname=surname, country=country)
    if created:
        _absorb_partials(db, speaker_id, surname, description, context)
    elif surname and _partial_identities(db, surname):
        full = _full_candidates(db, surname)
        if _dominant(db, full) == speaker_id:
            _absorb_dominated(db, speaker_id, surname, full)
    return speaker_id


#: a name with middle initials ("Paul S. Ryan") does not join an identity known
#: without them ("Paul Ryan") when at least this share of its quotes came under other
#: middle initials ("Paul D. Ryan"): those are two people
MIDDLE_CONFLICT_SHARE = 0.25


def _middle_conflict(db, speaker_id: int, name: str) -> bool:
    """Has ``speaker_id`` been quoted (``speaker_aliases``) mostly enough under the same
    first name and surname with middle names that disagree with those of ``name``?"""
    first, middles, surname, _ = name_parts(name)
    if not middles:
        return False
    total = conflict = 0
    for alias, n in db.execute("select alias, quote_count from speaker_aliases where speaker_id = ?",
                               [speaker_id]).fetchall():
        a_first, a_middles, a_surname, _ = name_parts(alias)
        if (a_first, a_surname) != (first, surname):
            continue
        total += n or 0
        if a_middles and not _middles_agree(a_middles, middles):
            conflict += n or 0
    return conflict > 0 and conflict >= MIDDLE_CONFLICT_SHARE * total


def _absorb_partials(db, speaker_id: int, surname: str, description: str | None, context) -> None:
    """A new full name: merge in the surname-only identities it has evidence for."""
    for pid, pkey, pname, pdesc in db.execute(
            "select id, key, name, description from speakers where kind = 'person' and surname = ? "
            "and id != ? and (key = ? or key like ?)", [surname, speaker_id, surname, surname + "#%"]).fetchall():
        if not _is_partial(pname):
            continue
        if (description and pdesc and _roles_overlap(description, pdesc)) or _quoted_in_outlet(db, pid, context):
            merge_speakers(db, speaker_id, pid)


# KEY_LAST_WORD_SQL, the last word of ``speakers.key`` in SQL (indexed by
# ``idx_speakers_key_last_word``), is defined with that index (quotetrack.db.schema)


def _resolve_short_org(db, key: str, display: str, kind, context) -> int:
    candidates = db.execute(
        f"select id, key, name, description from speakers where {KEY_LAST_WORD_SQL} = ? and key like ? "
        "and kind is not 'person'", [key.split()[-1], "% " + key]).fetchall()
    chosen = None
    if candidates:
        scored = []
        for c in candidates:
            score = 0
            if context is not None and c[1] in context.org_keys:
                score = 3
            elif context is not None and f" {c[1]} " in context.folded_text:
                score = 2
            scored.append((score, c[0]))
        if not any(score for score, _ in scored):      # the outlet's quotes only when nothing stronger
            quoted = _quoted_in_outlet_ids(db, [i for _, i in scored], context)
            scored = [(int(i in quoted), i) for _, i in scored]
        scored = [s for s in scored if s[0]]
        if scored:
            best = max(s for s, _ in scored)
            winners = [i for s, i in scored if s == best]
            chosen = winners[0] if len(winners) == 1 else None
    if chosen is not None:
        return chosen
    return _get_or_create(db, key, display, kind or "organisation")[0]


def relation_reason(a: tuple, b: tuple, country: str) -> str | None:
    """Why two identities of ``country``, each ``(kind, key, description)``, are
    related: ``"role"`` (a person whose role names the organisation's words: the Cuban
    foreign minister and the Cuban foreign ministry), ``"government"`` (a country's
    government and a body of its executive), else None."""
    (kind, key, description), (okind, okey, odesc) = a, b

    def government(k):
        return k in COUNTRIES or k == f"{country} government"

    if kind == "person" and okind == "person":
        return None
    if kind == "person" or okind == "person":
        org, role = (okey, description) if kind == "person" else (key, odesc)
        org_words = _affiliation(org)
        if role and org_words and any(org_words <= _affiliation(d) for d in role.split("; ")):
            return "role"
        return None
    if (government(key) and (government(okey) or is_executive_body(okey))) \
            or (government(okey) and is_executive_body(key)):
        return "government"
    return None


def _update_relations(db, speaker_id: int) -> None:
    """(Re)compute ``speaker_relations`` of one identity against identities of the
    same country: person <-> organisation whose words its role contains, and a
    country's government <-> its bodies."""
    row = db.execute("select kind, key, description, country from speakers where id = ?", [speaker_id]).fetchone()
    if row is None:
        return
    kind, key, description, country = row
    if not country:
        return
    if kind == "person":
        if not description:
            return
        # a person relates only to bodies
        others = db.execute(
            "select id, kind, key, description from speakers where country = ? and id != ? "
            "and kind is not 'person'", [country, speaker_id]).fetchall()
    else:
        others = db.execute(
            "select id, kind, key, description from speakers where country = ? and id != ?", [country, speaker_id]
        ).fetchall()

    for oid, okind, okey, odesc in others:
        reason = relation_reason((kind, key, description), (okind, okey, odesc), country)
        if reason:
            db.conn.executemany(
                "insert or ignore into speaker_relations (speaker_id, related_id, reason) values (?, ?, ?)",
                [(speaker_id, oid, reason), (oid, speaker_id, reason)])


#: last words of the keys of bodies that speak for a country's government (its
#: ministries, embassies, presidency...): a government is related to these only, not
#: to every organisation of its country (courts, parliaments, parties, newspapers,
#: "the American people"), which made a country's statements candidates for those of
#: hundreds of identities
_EXECUTIVE_HEADS = frozenset(
    """ministry department government embassy consulate mission administration presidency cabinet
    kremlin pentagon treasury office spokesperson spokesman spokeswoman""".split())


def is_executive_body(key: str) -> bool:
    """Does the organisation key name a body of a government's executive ("cuban foreign
    ministry", "state department", "white house", "kremlin")?"""
    words = key.split()
    return bool(words) and (words[-1] in _EXECUTIVE_HEADS or "white house" in key)


def related_ids(db, speaker_id: int | None) -> set[int]:
    """Identities related to ``speaker_id`` (not including itself)."""
    if speaker_id is None:
        return set()
    try:
        return {r[0] for r in db.execute(
            "select related_id from speaker_relations where speaker_id = ?", [speaker_id]).fetchall()}
    except sqlite3.OperationalError:      # no speaker_relations table (a database not upgraded yet)
        return set()


#: identities sharing a surname that statement grouping looks through, at most: those
#: with the most statements (a split identity's fragments join the main one; looking
#: through every "trump#52" would cost more than it finds)
SAME_SURNAME_LIMIT = 50


def same_surname_ids(db, speaker_id: int | None) -> set[int]:
    """Other person identities with the surname of ``speaker_id`` ("Trump", "Donald
    Trump", "Donald J. Trump"), the ``SAME_SURNAME_LIMIT`` with the most statements:
    plausibly the same person, so statement grouping looks at their statements too (the judgement of the words still decides; two Smiths who
    said different things stay apart)."""
    if speaker_id is None:
        return set()
    try:
        return {r[0] for r in db.execute(
            "select b.id from speakers a join speakers b on b.surname = a.surname and b.kind = 'person' "
            "where a.id = ? and a.kind = 'person' and a.surname is not null and b.id != a.id "
            "order by (select count(*) from statements s where s.speaker_id = b.id) desc, b.id "
            f"limit {SAME_SURNAME_LIMIT}", [speaker_id]).fetchall()}
    except sqlite3.OperationalError:      # no surname column (a database not upgraded yet)
        return set()


def resolve(db, name: str | None, kind: str | None = None, *, mention: str | None = None,
            context: ArticleContext | None = None) -> int | None:
    """The ``speakers.id`` of the identity a canonical speaker name denotes, created
    if new. ``mention`` (the speaker as written next to the quote) adds a role to a
    person's description; ``context`` supplies the evidence that lets a surname-only
    mention or a bare "the ministry" join a fuller identity."""
    if not name or not name.strip() or not fold(name):
        return None
    kind = kind or guess_kind(name)
    if kind == "person":
        role, pname = split_person(name)
        if not fold(pname):
            pname, role = name, None
        description = description_from(mention, pname) or role
        if description:
            words = description.split()
            while words and fold(words[0]) in _DETERMINERS:
                words = words[1:]
            description = " ".join(words) or None
        country = country_of(description)
        if _is_partial(pname) and surname_of(pname):
            speaker_id = _resolve_partial_person(db, pname, description, context)
        else:
            speaker_id = _resolve_full_person(db, pname, description, country, context)
        before = db.execute("select description, country from speakers where id = ?", [speaker_id]).fetchone()
        _append_description(db, speaker_id, description)
        if country and not before[1]:
            db.execute("update speakers set country = ? where id = ?", [country, speaker_id])
        after = db.execute("select description, country from speakers where id = ?", [speaker_id]).fetchone()
        if after != before or not db.execute(
                "select 1 from speaker_relations where speaker_id = ? limit 1", [speaker_id]).fetchone():
            _update_relations(db, speaker_id)
        return speaker_id
    key = org_key(name)
    if not key:
        return None
    display = _display(name, kind)
    if _is_short_org(key):
        return _resolve_short_org(db, key, display, kind, context)
    speaker_id, created = _get_or_create(db, key, display, kind, country=country_of(key))
    if created:
        _update_relations(db, speaker_id)
    return speaker_id


def merge_speakers(db, keep_id: int, drop_id: int) -> None:
    """Fold identity ``drop_id`` into ``keep_id``: quotes, statements, aliases,
    relations and description move over and ``drop_id`` is deleted."""
    if keep_id == drop_id:
        return
    db.execute("update quotes set speaker_id = ? where speaker_id = ?", [keep_id, drop_id])
    if db["statements"].exists():
        db.execute("update statements set speaker_id = ? where speaker_id = ?", [keep_id, drop_id])
    for alias, count in db.execute(
            "select alias, quote_count from speaker_aliases where speaker_id = ?", [drop_id]).fetchall():
        db.execute(
            "insert into speaker_aliases (speaker_id, alias, quote_count) values (?, ?, ?) "
            "on conflict (speaker_id, alias) do update set quote_count = quote_count + excluded.quote_count",
            [keep_id, alias, count])
    db.execute("delete from speaker_aliases where speaker_id = ?", [drop_id])
    drop = db.execute("select name, description, country from speakers where id = ?", [drop_id]).fetchone()
    if drop:
        for d in (drop[1] or "").split("; "):
            _append_description(db, keep_id, d or None)
        if drop[2]:
            db.execute("update speakers set country = coalesce(country, ?) where id = ?", [drop[2], keep_id])
    if db["speaker_relations"].exists():
        for (other,) in db.execute(
                "select related_id from speaker_relations where speaker_id = ?", [drop_id]).fetchall():
            if other != keep_id:
                db["speaker_relations"].insert_all(
                    [{"speaker_id": keep_id, "related_id": other, "reason": "merged"},
                     {"speaker_id": other, "related_id": keep_id, "reason": "merged"}],
                    pk=("speaker_id", "related_id"), ignore=True)
        db.execute("delete from speaker_relations where speaker_id = ? or related_id = ?", [drop_id, drop_id])
    db.execute("delete from speakers where id = ?", [drop_id])


def recompute_keys(db) -> None:
    """Give every identity the key of the current rules, merging identities whose
    keys now coincide (used by the migration that introduced this module)."""
    rows = db.execute("select id, name, kind from speakers order by id").fetchall()
    seen: dict[str, int] = {}
    for speaker_id, name, kind in rows:
        key = identity_key(name, kind) or f"#{speaker_id}"
        surname = surname_of(name) if (kind or guess_kind(name)) == "person" else None
        if key in seen:
            merge_speakers(db, seen[key], speaker_id)
            continue
        seen[key] = speaker_id
        db.execute("update speakers set key = ?, surname = ?, country = ? where id = ?",
                   [f"#tmp{speaker_id}", surname, country_of(key if kind != "person" else None), speaker_id])
    for key, speaker_id in seen.items():
        db.execute("update speakers set key = ? where id = ?", [key, speaker_id])
