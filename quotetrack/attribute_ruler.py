"""spaCy's attribute ruler with an indexed matcher: same rules, same results, less time.

en_core_web_sm sets coarse part-of-speech tags, some lemmas and morphology through an
``attribute_ruler`` of ~180 one- and two-token patterns. spaCy's general ``Matcher``
tries them all at every token, which took ~14% of quotetrack's extraction time. Every
pattern's first token names a tag, a lower-cased form or a dependency label, so the
patterns can be looked up by those instead of tried one by one. Matches are applied
exactly as spaCy does (sorted by rule, later rules win, through
``AttributeRuler.set_annotations``); ``tests/test_attribute_ruler.py`` checks the output
equals spaCy's own component token by token.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Callable

import regex
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

NAME = "quotetrack_attribute_ruler"
_KEYS = ("TAG", "LOWER", "DEP", "IS_SPACE")   # the token attributes en_core_web_sm's rules test

TokenView = tuple   # (tag_, lower_, dep_, is_space) of one token


def _predicate(key: str, value) -> Callable[[TokenView], bool]:
    k = _KEYS.index(key)
    if isinstance(value, dict):
        (op, arg), = value.items()
        if op == "IN":
            allowed = frozenset(arg)
            return lambda t: t[k] in allowed
        if op == "NOT_IN":
            banned = frozenset(arg)
            return lambda t: t[k] not in banned
        if op == "REGEX":
            rx = regex.compile(arg)
            return lambda t: rx.search(t[k]) is not None
        raise ValueError(f"unsupported operator {op}")
    return lambda t: t[k] == value


class IndexedAttributeRuler(AttributeRuler):
    """An ``AttributeRuler`` whose ``match`` looks patterns up by their first token."""

    _index: dict | None = None
    _indexed_count = -1

    def _build(self) -> None:
        index: dict[tuple, list] = defaultdict(list)
        anytime: list = []
        for attr_id, rule in enumerate(self.patterns):
            for alternative in rule["patterns"]:
                for spec in alternative:
                    if not set(spec) <= set(_KEYS):
                        raise ValueError(f"unsupported pattern {alternative}")
                checks = [[_predicate(k, v) for k, v in spec.items()] for spec in alternative]
                entry = (attr_id, checks)
                first = alternative[0]
                anchors = None
                for key in ("LOWER", "TAG", "DEP", "IS_SPACE"):
                    v = first.get(key)
                    if isinstance(v, (str, bool)):
                        anchors = [(key, v)]
                    elif isinstance(v, dict) and "IN" in v:
                        anchors = [(key, x) for x in v["IN"]]
                    if anchors:
                        break
                if anchors is None:
                    anytime.append(entry)
                else:
                    for a in anchors:
                        index[a].append(entry)
        self._index, self._anytime = dict(index), anytime
        self._indexed_count = len(self.attrs)

    def match(self, doc: Doc):
        if self._indexed_count != len(self.attrs):
            self._build()
        if not doc.has_annotation("DEP") or not doc.has_annotation("TAG"):
            return super().match(doc)   # rules on missing attributes: spaCy's own semantics
        views = [(t.tag_, t.lower_, t.dep_, t.is_space) for t in doc]
        index, n = self._index, len(views)
        found = set()
        for i, view in enumerate(views):
            entries = index.get(("LOWER", view[1]), []) + index.get(("TAG", view[0]), []) \
                + index.get(("DEP", view[2]), []) + index.get(("IS_SPACE", view[3]), []) + self._anytime
            for attr_id, checks in entries:
                end = i + len(checks)
                if end > n:
                    continue
                if all(all(c(views[i + j]) for c in spec) for j, spec in enumerate(checks)):
                    found.add((attr_id, i, end))
        return [(attr_id, 0, start, end) for attr_id, start, end in sorted(found)]


@Language.factory(NAME, default_config={"validate": False, "scorer": {"@scorers": "spacy.attribute_ruler_scorer.v1"}})
def make_indexed_attribute_ruler(nlp: Language, name: str, validate: bool, scorer):
    return IndexedAttributeRuler(nlp.vocab, name, validate=validate, scorer=scorer)


def speed_up(nlp: Language) -> None:
    """Replace the pipeline's ``attribute_ruler`` with the indexed one (same patterns)."""
    if "attribute_ruler" not in nlp.pipe_names:
        return
    old = nlp.get_pipe("attribute_ruler")
    if isinstance(old, IndexedAttributeRuler):
        return
    patterns = old.patterns
    new = nlp.replace_pipe("attribute_ruler", NAME)
    new.add_patterns(patterns)
