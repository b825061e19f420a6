"""Facts about people's names shared by the extraction and the identities: which words
page layout glues to a name, and which first names are men's and which are women's,
for pronoun agreement ("she" cannot be Donald Trump).

The counts are the US Census 1990 first-name lists as the ``names`` package ships them
(MIT licence, read from its package data; no download). A name counts as one gender
when that gender holds at least nine tenths of its frequency.
"""
from __future__ import annotations

import functools
import importlib.resources
from dataclasses import dataclass

DOMINANCE = 0.9

#: words glued before a person's name that are not part of it: speech verbs of an
#: inverted "Said Trump", photo credits, captions and page furniture ("Getty Images",
#: "AP Photo", "CLOSE", "JUST WATCHED", "Add", "Twitter Pinterest"), bylines ("By")
GLUED_VERBS = frozenset(
    """said says say saying told tells added adds asked asks wrote writes tweeted tweets posted
    noted notes explained explains continued continues argued argues stated states declared
    declares claimed claims warned warns insisted insists replied replies responded responds
    according recalled recalls announced announces answered answers remarked remarks concluded
    concludes quipped joked admitted admits acknowledged acknowledges countered counters""".split())
GLUED_LAYOUT = frozenset(
    """getty images image photo photos photograph photographs ap afp reuters epa pool file credit
    credits caption captions hide close watched watch just add video videos via by pic twitter
    pinterest facebook instagram share email print advertisement related bloomberg xinhua
    shutterstock istock associated that this read more""".split())
GLUED_WORDS = GLUED_VERBS | GLUED_LAYOUT


@dataclass(frozen=True)
class FirstNames:
    """First name (upper case) -> frequency per 100 people of each gender."""
    male: dict[str, float]
    female: dict[str, float]


def _read(filename: str) -> dict[str, float]:
    text = importlib.resources.files("names").joinpath(filename).read_text(encoding="ascii")
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            out[parts[0]] = float(parts[1])
    return out


@functools.lru_cache(maxsize=1)
def load_first_names() -> FirstNames:
    """The census lists, read once per process (about 5,500 names)."""
    return FirstNames(_read("dist.male.first"), _read("dist.female.first"))


def first_name_gender(first: str, names: FirstNames | None = None) -> str | None:
    """'m', 'f' or None (unknown, or used for both: "Jordan", "Leslie")."""
    names = names or load_first_names()
    key = first.strip(".,").upper()
    if len(key) < 3:
        return None   # "Ma", "Li", "Jo": surnames as often as first names
    m = names.male.get(key, 0.0)
    f = names.female.get(key, 0.0)
    if m + f == 0:
        return None
    if m / (m + f) >= DOMINANCE:
        return "m"
    if f / (m + f) >= DOMINANCE:
        return "f"
    return None
