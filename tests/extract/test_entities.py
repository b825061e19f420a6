"""Entities come from the text outside long quotations, carried back by offsets."""
from quotetrack.extract.entities import NAME, _outside_quotes
from quotetrack.extract.pipeline import load_nlp
from quotetrack.extract.quotes import find_quotes

TEXT = ("“Washington has lied to the world about Cuba for sixty years and we will not accept it,” "
        "said Bruno Rodríguez, the Cuban foreign minister, in Havana on Tuesday. "
        "Dwayne “The Rock” Johnson was not there.")


def test_pipeline_runs_ner_through_the_outside_quote_component():
    nlp = load_nlp()
    assert NAME in nlp.pipe_names and "ner" not in nlp.pipe_names
    assert "ner" in nlp.component_names        # the model's recogniser, called by the component


def test_long_quotations_are_cut_short_ones_kept():
    spans = find_quotes(TEXT, [(0, len(TEXT))])
    text, starts, origins = _outside_quotes(TEXT, spans)
    assert "Washington" not in text and "said Bruno Rodríguez" in text
    assert "“The Rock”" in text
    assert text.startswith("“…”")
    assert starts[1:] and text[starts[1]:starts[1] + 30] == TEXT[origins[1]:origins[1] + 30]


def test_entities_outside_quotes_are_found_and_land_on_the_original_text():
    doc = load_nlp()(TEXT)
    ents = {(e.text, e.label_) for e in doc.ents}
    assert ("Bruno Rodríguez", "PERSON") in ents
    assert any(e.text == "Havana" for e in doc.ents)
    assert not any(e.start_char < TEXT.index("”") for e in doc.ents), "nothing from inside the long quotation"
    for e in doc.ents:
        assert TEXT[e.start_char:e.end_char] == e.text
    assert doc._.quotes and doc._.quotes[0].speaker == "Bruno Rodríguez"
