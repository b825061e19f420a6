"""The indexed attribute ruler gives exactly what spaCy's own component gives."""
from pathlib import Path

from spacy.pipeline import AttributeRuler

from quotetrack.extract.speedups import IndexedAttributeRuler
from quotetrack.extract.pipeline import load_nlp

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TRICKY = [
    "Y'all gonna get it. We ain't got nothin' to lose, c'mon. Let's go. I'd have done it. There's a cat.",
    "He gets it. She got it.  \n\n  Whether or not you like it, I told you and it. Is it? Did he?",
    "“We do not accept that,” said the minister, who has had enough. That is what they'd do.",
]


def _plain_model():
    """quotetrack's pipeline with spaCy's own attribute ruler put back."""
    nlp = load_nlp()
    patterns = nlp.get_pipe("attribute_ruler").patterns
    nlp.replace_pipe("attribute_ruler", "attribute_ruler").add_patterns(patterns)
    assert type(nlp.get_pipe("attribute_ruler")) is AttributeRuler
    return nlp


def test_indexed_ruler_matches_spacy_token_by_token():
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))] + TRICKY
    plain = _plain_model()
    ours = load_nlp()
    assert isinstance(ours.get_pipe("attribute_ruler"), IndexedAttributeRuler)
    assert ours.get_pipe("attribute_ruler").patterns == plain.get_pipe("attribute_ruler").patterns
    n = 0
    for a, b in zip(plain.pipe(texts), ours.pipe(texts)):
        for s, t in zip(a, b):
            n += 1
            assert (s.pos_, s.tag_, s.lemma_, str(s.morph), s.dep_) == (t.pos_, t.tag_, t.lemma_, str(t.morph), t.dep_), \
                f"{s.text!r} differs"
    assert n > 2000


def test_rules_still_apply_where_the_general_matcher_would():
    doc = load_nlp()("We ain't gonna do it, and he's not here.")
    lemmas = {t.text: t.lemma_ for t in doc}
    assert lemmas["gon"] == "go" and lemmas["na"] == "to"
    assert {t.text: t.pos_ for t in doc}["not"] == "PART"


def _spacy_model():
    import spacy

    from quotetrack.extract.pipeline import MODEL_NAMES
    for name in MODEL_NAMES:
        try:
            return spacy.load(name)
        except OSError:
            continue
    raise RuntimeError("no spaCy model installed")


def test_blas_ops_give_spacys_annotations():
    """Matrix products through numpy's BLAS instead of blis: the same tags, parses and
    entities on the seed articles (only the order of float32 sums differs)."""
    import numpy
    from thinc.api import NumpyOps

    from quotetrack.extract.speedups import NumpyBlasOps, use_blas_ops

    ops, blis = NumpyBlasOps(), NumpyOps()
    rng = numpy.random.default_rng(0)
    x, y = rng.random((50, 96), dtype="float32"), rng.random((96, 288), dtype="float32")
    for t1, t2 in ((False, False), (True, False), (False, True), (True, True)):
        a, b = (numpy.ascontiguousarray(x.T) if t1 else x), (numpy.ascontiguousarray(y.T) if t2 else y)
        assert numpy.allclose(ops.gemm(a, b, trans1=t1, trans2=t2), blis.gemm(a, b, trans1=t1, trans2=t2), rtol=1e-5)
        out = numpy.zeros((50, 288), dtype="float32")
        assert ops.gemm(a, b, out=out, trans1=t1, trans2=t2) is out and numpy.allclose(out, x @ y, rtol=1e-5)

    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))] + TRICKY
    plain, fast = _spacy_model(), _spacy_model()
    use_blas_ops(fast)
    assert any(isinstance(node.ops, NumpyBlasOps) for node in fast.get_pipe("tok2vec").model.walk())
    assert not any(isinstance(node.ops, NumpyBlasOps) for node in plain.get_pipe("tok2vec").model.walk())
    for a, b in zip(plain.pipe(texts), fast.pipe(texts)):
        assert [(t.tag_, t.dep_, t.head.i) for t in a] == [(t.tag_, t.dep_, t.head.i) for t in b]
        assert [(e.start, e.end, e.label_) for e in a.ents] == [(e.start, e.end, e.label_) for e in b.ents]
    assert any(isinstance(node.ops, NumpyBlasOps) for node in load_nlp().get_pipe("ner").model.walk())


def test_hash_embedding_sums_are_thincs_bit_for_bit():
    """gather_add (the hash embeddings' row sums) through numpy: the same floats as
    thinc's kernel, bit for bit, for the shapes and index types the models use."""
    import numpy
    import pytest
    from thinc.api import NumpyOps

    from quotetrack.extract.speedups import NumpyBlasOps

    ops, thinc_ops = NumpyBlasOps(), NumpyOps()
    rng = numpy.random.default_rng(0)
    for dtype in ("float32", "float64"):
        for rows, n, k in ((5000, 700, 4), (1000, 3, 4), (300, 50, 1)):
            table = rng.standard_normal((rows, 96)).astype(dtype)
            table[0] = -0.0                                   # signed zeros come out as thinc's
            for index_type in ("uint32", "int32"):
                indices = rng.integers(0, rows, (n, k)).astype(index_type)
                indices[0] = 0
                ours = ops.gather_add(table, indices)
                assert ours.dtype == table.dtype and ours.tobytes() == thinc_ops.gather_add(table, indices).tobytes()
    with pytest.raises(IndexError):
        ops.gather_add(table, numpy.array([[rows]], dtype="uint32"))


def test_memo_lemmatizer_gives_spacys_lemmas():
    from quotetrack.extract.speedups import MemoLemmatizer

    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))] + TRICKY
    plain = _spacy_model()   # spaCy's own lemmatizer
    ours = load_nlp()
    assert isinstance(ours.get_pipe("lemmatizer"), MemoLemmatizer)
    n = 0
    for _ in range(2):   # the second time from the memo
        for a, b in zip(plain.pipe(texts), ours.pipe(texts)):
            assert len(a) == len(b)
            for s, t in zip(a, b):
                n += 1
                assert (s.text, s.lemma_) == (t.text, t.lemma_)
    assert n > 4000
