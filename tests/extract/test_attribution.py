"""Speakers with the real spaCy model: each news attribution pattern on a small text."""


def quotes(nlp, text):
    return nlp(text)._.quotes


def one(nlp, text):
    result = quotes(nlp, text)
    assert len(result) == 1, result
    return result[0]


def test_speaker_after_quote(nlp):
    q = one(nlp, "“We will rebuild the bridge,” Mayor Anne Hidalgo said on Monday.")
    assert q.speaker == "Anne Hidalgo" and q.cue == "said"
    assert q.speaker_mention == "Mayor Anne Hidalgo"


def test_inverted_said_x(nlp):
    q = one(nlp, "“Prices will fall next year,” said John Smith, an economist at the bank.")
    assert q.speaker == "John Smith"


def test_speaker_before_colon(nlp):
    q = one(nlp, "The president told reporters: “There will be no new taxes this year.”")
    assert q.speaker_mention == "The president"


def test_split_quote_both_parts_same_speaker(nlp):
    result = quotes(nlp, "“We will act,” Maria Lopez said, “and we will win the vote next week.”")
    assert [q.speaker for q in result] == ["Maria Lopez", "Maria Lopez"]


def test_according_to(nlp):
    q = one(nlp, "According to Senator Tom Jones, the bill “will not pass the chamber this year.”")
    assert q.speaker == "Tom Jones" and q.cue.lower() == "according to"


def test_document_speaks_for_its_issuer(nlp):
    text = ("In a statement, the Ministry of Health announced new rules.\n\n"
            "“Masks will be required on all trains,” the statement read.")
    q = one(nlp, text)
    assert q.speaker_mention == "the statement"
    assert q.speaker == "Ministry of Health"


def test_appositive_gives_the_name(nlp):
    q = one(nlp, "Hugh Hill, a doctor at the clinic, said the outbreak was “completely under control.”")
    assert q.speaker == "Hugh Hill"
    assert q.kind == "partial"


def test_pronoun_resolved_to_person(nlp):
    text = ("Angela Merkel arrived in Paris on Tuesday for talks.\n\n"
            "“Europe must stand together in this crisis,” she said.")
    q = one(nlp, text)
    assert q.speaker_mention == "she" and q.speaker == "Angela Merkel"


def test_surname_resolved_to_full_name(nlp):
    text = ("Bruno Rodríguez met the envoy on Monday.\n\n"
            "Rodríguez said that the authorities had “initiated criminal proceedings against the recruiters.”")
    q = one(nlp, text)
    assert q.speaker == "Bruno Rodríguez" and q.speaker_mention == "Rodríguez"


def test_follow_on_quote_continues_previous_speaker(nlp):
    text = ("“We have done nothing wrong,” said Peter Black, the company's chief executive.\n\n"
            "“The investigation will clear our name and we will keep working.”")
    result = quotes(nlp, text)
    assert [q.speaker for q in result] == ["Peter Black", "Peter Black"]
    assert result[1].confidence < result[0].confidence


def test_partial_quote_inside_reported_speech(nlp):
    q = one(nlp, "The minister added that the country was using “the force of the law” to stop it.")
    assert q.text == "the force of the law" and q.kind == "partial"
    assert q.speaker_mention == "The minister"


def test_multi_paragraph_quote_keeps_the_speaker(nlp):
    text = ("Senator Mary Brown said: “This bill is a disaster for farmers.\n\n"
            "“It will raise costs for everyone and help nobody at all.”")
    result = quotes(nlp, text)
    assert len(result) == 2
    assert {q.speaker for q in result} == {"Mary Brown"}


def test_titles_nicknames_and_scare_quotes_are_not_quotations(nlp):
    text = ("Dwayne “The Rock” Johnson starred in the film “Jungle Cruise” last year. "
            "Critics called the plot a bit “thin” at times.")
    kinds = {q.text: q.kind for q in quotes(nlp, text)}
    assert kinds["The Rock"] == "nickname"
    assert kinds["Jungle Cruise"] == "title"
    assert kinds["thin"] in ("term", "partial")   # "called … “thin”": a scare quote or a partial quote


def test_layout_attributions_label_and_dash(nlp):
    text = ("“We deserve better than this campaign.” ― Maria Gomez\n\n"
            "\"PENCE: We will win Ohio and we will win it big.\"")
    result = [q for q in quotes(nlp, text) if q.is_speech]
    assert [q.speaker for q in result] == ["Maria Gomez", "PENCE"]


def test_organisation_pronoun_it(nlp):
    text = ("The Cuban foreign ministry has revealed a trafficking network.\n\n"
            "It said that some Cubans had been “incorporated into the military forces.”")
    q = one(nlp, text)
    assert q.speaker_mention == "It" and q.speaker == "Cuban foreign ministry"


def test_confidence_is_between_zero_and_one(nlp):
    for q in quotes(nlp, "“Yes,” he said. “We will see about that tomorrow morning,” said Ann Lee."):
        assert 0.0 <= q.confidence <= 1.0


def test_inverted_said_with_long_appositive_and_quote_subject(nlp):
    # the parser makes the quote's own subject a subject of "said"
    q = one(nlp, "“Hillary Clinton’s campaign is in panic mode. Full panic mode,” said Leslie Wimes, "
                 "a South Florida-based president of the Democratic group.")
    assert q.speaker == "Leslie Wimes"


def test_any_verb_after_a_comma_quote(nlp):
    q = one(nlp, "“Go back to Univision,” Trump barked as a guard escorted the anchor out.")
    assert q.speaker == "Trump" and q.cue == "barked"


def test_colon_introduction_in_the_same_sentence(nlp):
    q = one(nlp, "Senator Ann Ross then addressed the supporters again: “Here is what I regret today.”")
    assert q.speaker == "Ann Ross"


def test_previous_paragraph_introduces_the_quote(nlp):
    text = ("When he died, President Clinton released the following statement:\n\n"
            "“Hillary and I offer our condolences to the family and friends of George Wallace.”")
    q = one(nlp, text)
    assert q.speaker == "Clinton" or q.speaker.endswith("Clinton")


def test_relative_pronoun_speaks_for_its_noun(nlp):
    q = one(nlp, "The plan was backed by Minyon Moore, who said the party must “stand together now.”")
    assert q.speaker == "Minyon Moore"


def test_headline_with_name_and_verb(nlp):
    q = one(nlp, "Hillary Clinton Speaks ‘Directly To White People’ After Latest Police Shooting.\n\n"
                 "Clinton spoke out on Tuesday.")
    assert q.speaker == "Hillary Clinton"


def test_belief_inside_reported_speech_goes_to_the_reporter(nlp):
    q = one(nlp, "Candidates who think “America has no interests in this region are wrong,” Hillary Clinton said.")
    assert q.speaker == "Hillary Clinton"


def test_participle_right_after_a_name(nlp):
    q = one(nlp, "Donald Trump spoke first. The ad uses footage of Hillary Clinton asking, "
                 "“Why aren’t I 50 points ahead, you might ask?”")
    assert q.speaker == "Hillary Clinton"


def test_name_before_a_dash_introduces_the_quote(nlp):
    text = ("A chorus of Republicans said the same, including Mitt Romney -- ''It is disqualifying "
            "for a nominee to refuse to release tax returns'' -- and others.")
    q = one(nlp, text)
    assert q.speaker == "Mitt Romney"


def test_figurative_message_is_not_a_speaker(nlp):
    q = one(nlp, "Michael Mulgrew said he hopes the day of action sends a message that "
                 "“communities are standing up for their public schools.”")
    assert q.speaker == "Michael Mulgrew"


def test_dash_signature_does_not_carry_to_the_next_quote(nlp):
    text = ("“We need better schools and better jobs now.” ― Ana Ruiz\n"
            "“I am afraid of what comes next for my family.”")
    result = [q for q in quotes(nlp, text) if q.is_speech]
    assert [q.speaker for q in result] == ["Ana Ruiz", None]


def test_dash_signature_with_no_break_spaces(nlp):
    # web pages put no-break spaces around the dash of a reader's signature
    text = ("Readers respond\n\n“He is an immature frat boy. He never grew up and thinks whatever he says is "
            "right. How did we get this low?”\u00a0― Jacklyn Ashley\u00a0\n“I just hope that this campaign gives "
            "the community the anger to vote.”\u00a0― Jorge Falcon\n")
    assert [q.speaker for q in quotes(nlp, text)] == ["Jacklyn Ashley", "Jorge Falcon"]


def test_pronoun_or_person_noun_as_clause_subject(nlp):
    q = one(nlp, "Maria Lopez praised the volunteers. She applauded them for fighting “over and over again for this town.”")
    assert q.speaker == "Maria Lopez" and q.method == "clause-subject"


def test_short_closing_clause_after_a_full_stop(nlp):
    result = quotes(nlp, "Officials met on Monday. “Four of the boats are still missing.” Harbour Master Jonas Berg said.")
    assert [q.speaker for q in result] == ["Jonas Berg"]


def test_name_appositive_then_the_verb_after_the_quote(nlp):
    q = one(nlp, "“We have a problem with turnout,” William M. Daley, the president's former chief of staff, said.")
    assert q.speaker == "William M. Daley"


def test_colon_after_an_object_is_not_its_speaker(nlp):
    q = one(nlp, "The senator, Jane Roe, sent a message to Donald Trump: “Release your tax returns now, like everybody else.”")
    assert q.speaker != "Donald Trump"


def test_appositive_subject_misparsed_as_a_participle(nlp):
    q = one(nlp, "Mike Beruff, a Scott ally, called the standards “strong and fair to every school in the state.”")
    assert q.speaker == "Mike Beruff"


def test_object_control_verb_gives_its_object(nlp):
    q = one(nlp, "The scandal led Senator Ann Hale to declare that the agency was “broken beyond any repair.”")
    assert q.speaker == "Ann Hale"
