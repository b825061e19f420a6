"""Property-based tests (hypothesis) of the extractor on generated texts full of
quotation marks, apostrophes, newlines and Unicode.

For ``quotes.find_quotes`` (fast, many examples) and for the full extractor with the
real spaCy model (fewer examples): it never raises, every offset is in range,
``text[start:end]`` is the quote, and the same input always gives the same output.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quotetrack.extract.parallel import extract_articles
from quotetrack.extract.pipeline import extract_text
from quotetrack.extract.quotes import find_quotes, split_paragraphs
from quotetrack.sources.layout import make_article

MARKS = ['"', "“", "”", "„", "‟", "«", "»", "‹", "›", "‘", "’", "'", "''", "``", "‚"]
SEPARATORS = [" ", " ", " ", "\n", "\n\n", "\r\n", "\t", "\u00a0", "\u2028", "\u2029", "\x0c", "\x85", ""]
WORDS = ["said", "says", "told", "according to", "the minister", "Ana Torres", "Torres", "he", "she", "they",
         "we", "will", "act", "don't", "O'Brien", "rock 'n' roll", "'90s", "’90s", "country’s", "Cuba",
         "the statement read", "Rodríguez", "Bruno Rodríguez", "Ministry", ":", ",", ".", "?", "!", "—", "-",
         "(", ")", "…", "...", "Mr.", "U.S.", "2023", "said:", "added", "wrote", "in a statement", "that"]
UNICODE = ("aé ÉñßøØ漢字かなΩπЖж\u0301\u0308\u200b\u200d\u200e\u200f\ufeffעבריתالعربية😀👍🏽"
           "\U0001F1E8\U0001F1FA\ufffd\x00\x01\x1b\x7f")


def _texts(max_tokens: int):
    token = st.one_of(
        st.sampled_from(MARKS),
        st.sampled_from(MARKS),
        st.sampled_from(SEPARATORS),
        st.sampled_from(WORDS),
        st.text(alphabet=UNICODE, min_size=1, max_size=3),
    )
    return st.lists(token, max_size=max_tokens).map("".join)


def _check_spans(text, spans, paragraphs):
    previous_end = 0
    for i, q in enumerate(spans):
        assert 0 <= q.open_start <= q.start < q.end <= q.close_end <= len(text), q
        inner = text[q.start:q.end]
        assert inner and not inner[0].isspace() and not inner[-1].isspace()
        # spans come in text order and never overlap (nested quotes stay inside the outer one)
        assert q.open_start >= previous_end, (spans[i - 1], q)
        previous_end = q.close_end
        # a quotation never runs past its paragraph
        p_start, p_end = paragraphs[q.paragraph]
        assert p_start <= q.open_start and q.close_end <= p_end
        if q.continued_from is not None:
            prev = spans[q.continued_from]
            assert q.continued_from < i and prev.continues and prev.paragraph == q.paragraph - 1


@settings(max_examples=1500, deadline=None)
@given(_texts(60))
def test_find_quotes_offsets_and_determinism(text):
    paragraphs = split_paragraphs(text)
    spans = find_quotes(text)
    _check_spans(text, spans, paragraphs)
    assert find_quotes(text) == spans
    assert find_quotes(text, paragraphs) == spans


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(MARKS + [" ", "\n", "x", "said", "\n\n"]), max_size=400).map("".join))
def test_find_quotes_on_mark_storms(text):
    spans = find_quotes(text)
    _check_spans(text, spans, split_paragraphs(text))


def _check_quotes(text, quotes):
    for q in quotes:
        assert 0 <= q.start < q.end <= len(text), q
        assert text[q.start:q.end] == q.text
        for a, b in ((q.speaker_start, q.speaker_end), (q.cue_start, q.cue_end)):
            assert (a is None) == (b is None), q
            if a is not None:
                assert 0 <= a <= b <= len(text), q
        if q.speaker_start is not None and q.speaker_mention is not None:
            assert text[q.speaker_start:q.speaker_end] == q.speaker_mention, q
        assert 0.0 <= q.confidence <= 1.0


_SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                          HealthCheck.data_too_large])


@pytest.mark.slow
@_SLOW
@given(_texts(120))
def test_extractor_never_raises_and_offsets_hold(nlp, text):
    quotes = extract_text(text, nlp)
    _check_quotes(text, quotes)
    assert [q.to_dict() for q in extract_text(text, nlp)] == [q.to_dict() for q in quotes]


@pytest.mark.slow
@_SLOW
@given(st.lists(_texts(40), min_size=1, max_size=4).map("\n\n".join))
def test_article_extraction_offsets_point_into_the_article(nlp, text):
    """Through sources (headline and furniture removal) and the condensing driver."""
    article = make_article("generated.txt", text)
    _, quotes = next(extract_articles([article], nlp))
    _check_quotes(article.text, quotes)
    _, again = next(extract_articles([make_article("generated.txt", text)], nlp))
    assert [q.to_dict() for q in again] == [q.to_dict() for q in quotes]
