"""languages: the word lists behind the statement guards, in each supported language,
each with its counter-example. Fast: no embedding model."""
import pytest

from quotetrack.grouping import languages
from quotetrack.grouping.languages import guess_language, name_key, names, negated, numbers


@pytest.mark.parametrize("text, lang", [
    ("Cuba plays no role in the war in Ukraine.", "en"),
    ("Cuba no juega ningún papel en la guerra de Ucrania.", "es"),
    ("Cuba não faz parte do conflito na Ucrânia.", "pt"),
    ("Cuba ne joue aucun rôle dans la guerre en Ukraine.", "fr"),
    ("Cuba non ha alcun ruolo nella guerra in Ucraina.", "it"),
    ("Kuba spielt keine Rolle im Krieg in der Ukraine.", "de"),
    ("Um homem toca violão.", "pt"),
    ("Un homme joue de la guitare.", "fr"),
])
def test_language_of_short_sentences(text, lang):
    assert guess_language(text) == lang


@pytest.mark.parametrize("negative, positive", [
    ("Cuba plays no role in the war.", "Cuba plays a role in the war."),
    ("We don't accept it.", "We accept it."),
    ("Cuba no juega ningún papel en la guerra.", "Cuba juega un papel en la guerra."),
    ("Cuba não faz parte do conflito.", "Cuba faz parte do conflito."),
    ("Cuba ne joue aucun rôle dans la guerre.", "Cuba joue un rôle dans la guerre."),
    ("Cuba n'est pas partie au conflit.", "Cuba est partie au conflit."),
    ("Cuba non ha alcun ruolo nella guerra.", "Cuba ha un ruolo nella guerra."),
    ("Kuba spielt keine Rolle im Krieg.", "Kuba spielt eine Rolle im Krieg."),
    ("Das ist nicht wahr.", "Das ist wahr."),
])
def test_negations_in_each_language(negative, positive):
    assert negated(negative)
    assert not negated(positive)


def test_words_that_look_negative_but_are_not():
    # Portuguese "no" is "in the"; Spanish "no obstante" is "nevertheless"
    assert not negated("O ministro falou no Congresso.", "pt")
    assert negated("No vamos a permitirlo.", "es")
    assert not negated("No obstante, el gobierno actuará.", "es")
    # "without" is said in too many ways across languages to compare: not a negation
    assert not negated("Two homeless men stand outside.") and not negated("Deux hommes sans abri.")


@pytest.mark.parametrize("a, b", [
    ("About 1,000 people", "Unas 1.000 personas"),
    ("a 3.5 percent rise", "une hausse de 3,5 %"),
    ("Plus de 2 000 migrants", "More than 2,000 migrants"),
    ("three men were arrested", "tres hombres fueron detenidos"),
    ("three men were arrested", "drei Männer wurden verhaftet"),
    ("twenty soldiers", "vinte soldados"),
    ("$2.5 million", "2,5 millones de dólares"),
    ("the Nasdaq rose to 1,646.02", "le Nasdaq a atteint 1 646,02"),
])
def test_numbers_agree_across_languages(a, b):
    assert numbers(a) == numbers(b) and numbers(a)


def test_numbers_that_differ_and_words_that_are_not_numbers():
    assert numbers("About 200 people") != numbers("Unas 17 personas")
    assert numbers("three men") != numbers("dos hombres")
    # "one" / "un" / "ein" are articles as often as numbers; "por ciento" is "percent"
    assert numbers("un hombre") == numbers("a man") == frozenset()
    assert numbers("el 51 por ciento") == numbers("51 percent") == {"51"}


@pytest.mark.parametrize("a, b", [
    ("Cuba", "Kuba"), ("Ukraine", "Ucrania"), ("Ukraine", "Ucrânia"), ("Cuban", "cubano"),
    ("Rodríguez", "Rodriguez"), ("Russia", "Rusia"), ("Philippines", "Filipinas"),
])
def test_one_name_across_languages(a, b):
    assert name_key(a) == name_key(b)


def test_different_names_stay_different():
    assert name_key("Cuba") != name_key("Chile")
    assert name_key("Russia") != name_key("Ukraine")


def test_names_are_capitalised_words_inside_a_sentence():
    assert names("The ministry said Cuba plays no role in Ukraine.") == {name_key("Cuba"), name_key("Ukraine")}
    # a sentence's first word and function words are not names
    assert names("We will act.") == set()
    # German capitalises every noun: no names are read from German
    assert names("Kuba spielt keine Rolle im Krieg in der Ukraine.", "de") == set()


def test_every_language_has_every_table():
    for lang in languages.LANGS:
        assert languages.NEGATIONS[lang] and languages.NUMBER_WORDS[lang] and languages.STOPWORDS[lang]
