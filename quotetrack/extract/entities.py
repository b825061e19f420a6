"""Named entities from the text around quotations, not inside them.

en_core_web_sm's entity recogniser has its own token-to-vector layers and costs about
as much as tagging and parsing together. Speakers, candidates for pronouns and the
person/organisation distinction all come from text outside quotation marks, so the
recogniser reads a copy of each doc whose long quotations are cut down to an
ellipsis, and its entities are carried back onto the doc by character offsets. Short
quoted strings stay (``Dwayne “The Rock” Johnson`` is one name).
"""
from __future__ import annotations

import bisect
from typing import Iterable, Iterator

import regex
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans, minibatch

from .quotes import QuoteSpan, find_quotes, split_paragraphs

NAME = "quotetrack_entities"
PLACEHOLDER = "…"
KEEP_WORDS = 3   # quotations this short stay: nicknames and titles can be part of a name
_WORD = regex.compile(r"\w+")


def quote_spans(doc: Doc) -> list[QuoteSpan]:
    """The doc's quotations: as the driver found them, else found now (and kept for
    the quotes component)."""
    spans = doc.user_data.get("quotetrack_spans")
    if spans is None:
        paragraphs = [(a, b, i) for i, (a, b) in enumerate(split_paragraphs(doc.text))]
        spans = find_quotes(doc.text, [(a, b) for a, b, _ in paragraphs])
        doc.user_data["quotetrack_spans"] = spans
        doc.user_data["quotetrack_paragraphs"] = paragraphs
    return spans


def _outside_quotes(text: str, spans: list[QuoteSpan]) -> tuple[str, list[int], list[int]]:
    """The text with long quotations replaced by an ellipsis, and the start of each
    kept piece in the new text and in ``text``."""
    parts, starts, origins = [], [0], [0]
    pos = length = 0
    for q in spans:
        if q.start < pos or len(_WORD.findall(text, q.start, q.end)) <= KEEP_WORDS:
            continue   # nested inside a cut quotation, or short enough to keep
        parts.append(text[pos:q.start])
        length += q.start - pos
        parts.append(PLACEHOLDER)
        length += len(PLACEHOLDER)
        pos = q.end
        starts.append(length)
        origins.append(pos)
    parts.append(text[pos:])
    return "".join(parts), starts, origins


class OutsideQuoteEntities:
    """Sets ``doc.ents`` with the pipeline's own (disabled) ``ner`` component, run on
    the text outside long quotations."""

    def __init__(self, nlp: Language, ner: str = "ner"):
        self.nlp = nlp
        self.ner_name = ner

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 32) -> Iterator[Doc]:
        ner = self.nlp.get_pipe(self.ner_name)
        for batch in minibatch(docs, batch_size):
            copies, maps = [], []
            for doc in batch:
                text, starts, origins = _outside_quotes(doc.text, quote_spans(doc))
                copies.append(self.nlp.make_doc(text))
                maps.append((starts, origins))
            for doc, copy, (starts, origins) in zip(batch, ner.pipe(copies, batch_size=batch_size), maps):
                doc.ents = self._carried(doc, copy, starts, origins)
                yield doc

    @staticmethod
    def _carried(doc: Doc, copy: Doc, starts: list[int], origins: list[int]) -> list:
        out = []
        for ent in copy.ents:
            if PLACEHOLDER in ent.text:
                continue
            k = bisect.bisect_right(starts, ent.start_char) - 1
            k_end = bisect.bisect_right(starts, ent.end_char - 1) - 1
            if k != k_end:
                continue   # runs across a cut quotation
            shift = origins[k] - starts[k]
            span = doc.char_span(ent.start_char + shift, ent.end_char + shift, label=ent.label_,
                                 alignment_mode="expand")
            if span is not None:
                out.append(span)
        return filter_spans(out)


@Language.factory(NAME, default_config={"ner": "ner"})
def make_outside_quote_entities(nlp: Language, name: str, ner: str):
    return OutsideQuoteEntities(nlp, ner)


def install(nlp: Language) -> None:
    """Run the pipeline's ``ner`` through :class:`OutsideQuoteEntities` instead of on
    whole docs."""
    if "ner" not in nlp.pipe_names or NAME in nlp.pipe_names:
        return
    nlp.add_pipe(NAME, after="ner")
    nlp.disable_pipe("ner")
