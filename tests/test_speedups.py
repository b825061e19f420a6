"""The indexed attribute ruler gives exactly what spaCy's own component gives."""
from pathlib import Path

from spacy.pipeline import AttributeRuler

from quotetrack.speedups import IndexedAttributeRuler
from quotetrack.pipeline import load_nlp

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
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
