"""Making en_core_web_sm cheaper without changing what it finds.

* Matrix products through numpy's BLAS instead of blis (:class:`NumpyBlasOps`):
  ~30% less extraction time, identical quotes and speakers on 600 BBC and 600
  AllSides articles; the hash embeddings' row sums through numpy too (the same
  floats, bit for bit).
* A faster stand-in for the attribute ruler: same rules, same results, less time.
* The rule lemmatizer run a doc at a time (:class:`MemoLemmatizer`): same lemmas.

``tests/extract/test_speedups.py`` checks both against spaCy's own results token by token.

en_core_web_sm sets coarse part-of-speech tags, some lemmas and morphology through an
``attribute_ruler`` of ~180 one- and two-token patterns. spaCy's general ``Matcher``
tries them all at every token, which took ~14% of quotetrack's extraction time. Every
pattern's first token names a tag, a lower-cased form or a dependency label, so the
patterns can be looked up by those instead of tried one by one. Matches are applied
exactly as spaCy does (sorted by rule, later rules win, through
``AttributeRuler.set_annotations``). (spaCy's rule lemmatizer, next in the pipeline,
was tried the same way: its cost is in the rules for unseen forms, not the walk.)
"""
from __future__ import annotations

from collections import defaultdict
from typing import Callable

import numpy
import regex
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, ORTH, POS, TAG
from spacy.tokens import Doc
from thinc.api import NumpyOps

NAME = "quotetrack_attribute_ruler"
LEMMATIZER = "quotetrack_lemmatizer"
_KEYS = ("TAG", "LOWER", "DEP", "IS_SPACE")   # the token attributes en_core_web_sm's rules test

TokenView = tuple   # (tag, lower, dep) string hashes and is_space (0/1) of one token


def _predicate(key: str, value, strings) -> Callable[[TokenView], bool]:
    """A test on one token's (tag, lower, dep, is_space) hashes."""
    k = _KEYS.index(key)
    h = (lambda v: v) if key == "IS_SPACE" else strings.add
    if isinstance(value, dict):
        (op, arg), = value.items()
        if op == "IN":
            allowed = frozenset(h(x) for x in arg)
            return lambda t: t[k] in allowed
        if op == "NOT_IN":
            banned = frozenset(h(x) for x in arg)
            return lambda t: t[k] not in banned
        if op == "REGEX":
            rx = regex.compile(arg)
            answers: dict[int, bool] = {}

            def test(t):
                if t[k] not in answers:
                    answers[t[k]] = rx.search(strings[t[k]]) is not None
                return answers[t[k]]
            return test
        raise ValueError(f"unsupported operator {op}")
    v = h(value)
    return lambda t: t[k] == v


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
                checks = [[_predicate(k, v, self.vocab.strings) for k, v in spec.items()] for spec in alternative]
                entry = (attr_id, checks)
                first = alternative[0]
                anchors = None
                for key in ("LOWER", "TAG", "DEP", "IS_SPACE"):
                    v = first.get(key)
                    h = (lambda x: int(x)) if key == "IS_SPACE" else self.vocab.strings.add
                    if isinstance(v, (str, bool)):
                        anchors = [(_KEYS.index(key), h(v))]
                    elif isinstance(v, dict) and "IN" in v:
                        anchors = [(_KEYS.index(key), h(x)) for x in v["IN"]]
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
        views = [tuple(row) for row in doc.to_array([TAG, LOWER, DEP, IS_SPACE]).tolist()]
        index, n, none = self._index, len(views), ()
        found = set()
        for i, view in enumerate(views):
            entries = [*index.get((1, view[1]), none), *index.get((0, view[0]), none),
                       *index.get((2, view[2]), none), *index.get((3, view[3]), none), *self._anytime]
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


class MemoLemmatizer:
    """spaCy's rule lemmatizer, read and written a whole doc at a time.

    The rule lemmatizer's answer depends only on a token's form, part of speech and
    morphology (the key of its own cache), but its ``__call__`` walks the doc in
    Python, making token objects and a morphology object per token, which took ~10%
    of extraction time. Here the keys come from ``Doc.to_array``, each key is
    lemmatized once per process by the wrapped component, and the lemmas go back
    with ``Doc.from_array``: the same lemmas, token by token."""

    def __init__(self, lemmatizer=None):
        self.lemmatizer = lemmatizer
        self._lemmas: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        lemmatizer = self.lemmatizer
        if lemmatizer is None or lemmatizer.mode != "rule":
            return lemmatizer(doc) if lemmatizer is not None else doc
        if not len(doc):
            return doc
        table = doc.to_array([ORTH, POS, MORPH, LEMMA])
        lemmas = table[:, 3].copy()
        memo, strings, overwrite = self._lemmas, doc.vocab.strings, lemmatizer.overwrite
        for i, (orth, pos, morph, lemma) in enumerate(table.tolist()):
            if lemma and not overwrite:
                continue   # set by the attribute ruler
            key = (orth, pos, morph)
            value = memo.get(key)
            if value is None:
                value = memo[key] = strings.add(lemmatizer.lemmatize(doc[i])[0])
            lemmas[i] = value
        doc.from_array([LEMMA], lemmas)
        return doc

    def pipe(self, docs, batch_size: int = 128):
        for doc in docs:
            yield self(doc)


@Language.factory(LEMMATIZER)
def make_memo_lemmatizer(nlp: Language, name: str):
    return MemoLemmatizer()


def speed_up(nlp: Language) -> None:
    """Replace the pipeline's ``attribute_ruler`` with the indexed one (same patterns),
    run its lemmatizer through :class:`MemoLemmatizer`, and compute matrix products
    through numpy's BLAS."""
    use_blas_ops(nlp)
    if "attribute_ruler" in nlp.pipe_names:
        old = nlp.get_pipe("attribute_ruler")
        if not isinstance(old, IndexedAttributeRuler):
            patterns = old.patterns
            nlp.replace_pipe("attribute_ruler", NAME).add_patterns(patterns)
    if "lemmatizer" in nlp.pipe_names:
        old = nlp.get_pipe("lemmatizer")
        if not isinstance(old, MemoLemmatizer) and getattr(old, "mode", None) == "rule":
            nlp.replace_pipe("lemmatizer", LEMMATIZER).lemmatizer = old


class NumpyBlasOps(NumpyOps):
    """thinc's CPU ops with matrix products through numpy's BLAS (OpenBLAS in the numpy
    wheels) instead of the ``blis`` package. On the AVX-512 cores this project is
    measured on, blis's kernels reach ~28 GFLOPS single-threaded and OpenBLAS ~90 for
    the token-to-vector layers' shapes: the same sums, in another order (results equal
    to float32 rounding). The same idea as thinc-apple-ops, which routes ``gemm`` to
    Apple's Accelerate."""

    name = "quotetrack-numpy-blas"

    def gemm(self, x, y, out=None, trans1=False, trans2=False):
        if trans1:
            x = x.T
        if trans2:
            y = y.T
        if out is None:
            return numpy.matmul(x, y)
        numpy.matmul(x, y, out=out)
        return out

    def gather_add(self, table, indices):
        """The sum of ``table``'s rows named in each row of ``indices`` (the hash
        embeddings' lookup), added with numpy: thinc's kernel adds them one row at a
        time through blis's ``axpy``, which this blis build runs with its generic
        reference code. The same additions in the same order (0 + r0 + r1 + ...), so
        the same floats, bit for bit."""
        if indices.ndim != 2 or table.ndim != 2 or table.dtype not in (numpy.float32, numpy.float64):
            return super().gather_add(table, indices)
        if indices.size and (indices.min() < 0 or indices.max() >= table.shape[0]):
            raise IndexError("embedding index out of bounds")
        out = numpy.zeros((indices.shape[0], table.shape[1]), dtype=table.dtype)
        rows = numpy.empty_like(out)
        for column in numpy.ascontiguousarray(indices.T):
            # "wrap" never wraps here (checked above), and writes straight into ``rows``
            # ("raise" would go through a buffer)
            numpy.take(table, column, axis=0, out=rows, mode="wrap")
            numpy.add(out, rows, out=out)
        return out


def use_blas_ops(nlp: Language) -> None:
    """Every thinc layer of the pipeline computes with :class:`NumpyBlasOps`."""
    ops = NumpyBlasOps()
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if model is None or not hasattr(model, "walk"):
            continue
        for node in model.walk():
            if type(node.ops) is NumpyOps:
                node.ops = ops
