"""Quotation spans: every mark convention news text uses, and broken input."""
from quotetrack.extract.quotes import find_quotes


def spans(text):
    return [text[q.start:q.end] for q in find_quotes(text)]


def test_straight_and_curly_double_quotes():
    assert spans('He said "we will win" today.') == ["we will win"]
    assert spans("He said “we will win” today.") == ["we will win"]


def test_nyt_double_apostrophe_pairs():
    text = "''It's anti-reform,'' said Mr. Holtz-Eakin. ''There's a lot of new complexity.''"
    assert spans(text) == ["It's anti-reform,", "There's a lot of new complexity."]


def test_single_quotes_are_quotes_but_apostrophes_are_not():
    assert spans("The minister said: 'We will act.' It wasn't clear.") == ["We will act."]
    assert spans("It’s the country’s plan for the ’90s, rock ’n’ roll.") == []
    assert spans("She said ‘never again’ and left.") == ["never again"]


def test_guillemets():
    assert spans("Le ministre a dit «nous agirons» hier.") == ["nous agirons"]


def test_nested_quotes_stay_inside_the_outer_quote():
    text = "“He told me ‘no way’ and left,” she said."
    result = find_quotes(text)
    assert [text[q.start:q.end] for q in result] == ["He told me ‘no way’ and left,"]
    assert result[0].nested == 1


def test_split_quote_gives_two_spans():
    text = "“We will act,” he said, “and we will win.”"
    assert spans(text) == ["We will act,", "and we will win."]


def test_multi_paragraph_quote_reopens_each_paragraph():
    text = "“First paragraph of the speech.\n\n“Second paragraph.\n\n“Last one,” she said.\n\nAfter."
    result = find_quotes(text)
    assert [text[q.start:q.end] for q in result] == ["First paragraph of the speech.", "Second paragraph.", "Last one,"]
    assert result[0].continues and result[1].continues and not result[2].continues
    assert result[1].continued_from == 0 and result[2].continued_from == 1
    assert not result[0].closed and result[2].closed


def test_unbalanced_mark_never_swallows_the_rest_of_the_document():
    text = "He said “this never closes.\n\nNext paragraph with “a real quote” here.\n\n“Another,” she said."
    got = spans(text)
    assert "a real quote" in got and "Another," in got
    assert all("\n" not in s for s in got)


def test_stray_closing_mark_is_ignored():
    assert spans("Oops” then “a quote” here.") == ["a quote"]


def test_offsets_point_into_original_text_with_crlf():
    text = "Intro line.\r\n\r\n“Quoted words,” he said.\r\n"
    (q,) = find_quotes(text)
    assert text[q.start:q.end] == "Quoted words,"
    assert text[q.open_start] == "“"


def test_double_quotation_nested_in_a_double_one_stays_inside():
    text = "“I’d rather live in what he calls “hell” than live in his world,” she wrote."
    assert spans(text) == ["I’d rather live in what he calls “hell” than live in his world,"]
    text = '"PENCE: Hillary Clinton thinks this is an episode of “Shark Tank.” But this is serious."'
    assert spans(text) == ["PENCE: Hillary Clinton thinks this is an episode of “Shark Tank.” But this is serious."]


def test_typo_curly_marks_still_pair():
    assert spans("”Fear. I am truly afraid,” she said.") == ["Fear. I am truly afraid,"]
    assert spans("It concluded his comments were “Mostly False.“ Then it moved on.") == ["Mostly False."]
