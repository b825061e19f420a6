"""Identity keys from a name alone: normalisation, organisation keys (a country as its
demonym, "Ministry of Foreign Affairs" as "foreign ministry"), people's names split
from their roles and from what page layout glued to them, and countries. Pure
functions of the text: nothing here reads the database."""
from __future__ import annotations

import functools
import re

from ..extract.names import GLUED_WORDS
from ..text import fold

__all__ = [
    "COUNTRIES",
    "org_key",
    "person_key",
    "split_person",
    "surname_of",
    "identity_key",
    "guess_kind",
    "description_from",
    "country_of",
    "strip_glued",
    "name_parts",
    "same_person_name",
]


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
