"""Who said it: the canonical speaker of each quote, one test per error class of the
speakers issue, on short hand-written articles run through the real driver
(``extract_text``: condensing, the spaCy model, attribution, coreference)."""
import pytest

from quotetrack.extract.names import first_name_gender
from quotetrack.extract.pipeline import extract_text
from quotetrack.extract.speakers import clean_person_name


def speakers(nlp, text, include_all=False):
    """{first words of each quote: canonical speaker} (speech only unless ``include_all``)."""
    out = {}
    for q in extract_text(text, nlp):
        if include_all or q.is_speech:
            out[" ".join(q.text.split()[:3])] = q.speaker if q.is_speech else q.kind
    return out


# 1. a quotation standing alone after the paragraph that introduces its speaker

def test_quote_paragraph_after_reported_speech_and_a_chain(nlp):
    text = ("Clinic overwhelmed as winter arrives\n\n"
            "Dr. Maria Lee says the clinic is full most nights. She has run it for ten years.\n\n"
            "“We turn people away every night. It breaks my heart.”\n\n"
            "“Nobody should sleep outside in this cold.”\n\n"
            "The city council will meet on Tuesday.\n")
    got = speakers(nlp, text)
    assert got["We turn people"] == "Maria Lee"
    assert got["Nobody should sleep"] == "Maria Lee"


def test_quote_paragraph_after_a_quote_of_someone_else_reported_later(nlp):
    # the paragraph before quotes one person, then reports another: the later one speaks next
    text = ("Budget talks\n\n"
            "“We are close,” said Tom Baker, the council leader. Anna Reyes, the treasurer, said the gap "
            "was still large.\n\n"
            "“There is a hole of forty million in the plan and nobody has filled it.”\n")
    assert speakers(nlp, text)["There is a"] == "Anna Reyes"


# 2. coreference: pronouns, descriptions, surnames, particles

STADIUM = ("Stadium vote delayed\n\n"
           "Mayor Chidi Okafor met the team owners on Monday. Sarah Brown, the team's goalkeeper, "
           "attended the meeting too.\n\n"
           "\"We need a deal that works for taxpayers,\" Okafor said.\n\n"
           "\"I have played here for twelve years and I want to finish here,\" the goalkeeper said.\n\n"
           "The mayor added: \"Nobody is walking away from this table.\"\n\n"
           "Finance Minister Anna Smith-Jones was not at the meeting. \"The budget has no room for a "
           "stadium this year,\" the finance minister said.\n\n"
           "She also said that \"every dollar will be accounted for by the end of the year.\"\n\n"
           "The Federal Aviation Administration reviewed the plans. \"The flight path is not affected "
           "by the new roof,\" the agency said.\n\n"
           "Jan van der Berg, an architect, also spoke. \"The roof can be built in two years,\" "
           "van der Berg said.\n")


@pytest.mark.parametrize("quote, speaker", [
    ("We need a", "Chidi Okafor"),                       # surname -> full name
    ("I have played", "Sarah Brown"),                    # "the goalkeeper" -> appositive
    ("Nobody is walking", "Chidi Okafor"),               # "the mayor" -> "Mayor Chidi Okafor"
    ("The budget has", "Anna Smith-Jones"),              # "the finance minister", hyphenated name
    ("every dollar will", "Anna Smith-Jones"),           # "she"
    ("The flight path", "Federal Aviation Administration"),   # "the agency"
    ("The roof can", "Jan van der Berg"),                # particle name kept whole
])
def test_descriptions_surnames_and_pronouns_reach_the_full_name(nlp, quote, speaker):
    assert speakers(nlp, STADIUM)[quote] == speaker


def test_description_far_back_reaches_the_quote(nlp):
    # the description is five paragraphs before the quote: parsing keeps its sentence
    text = ("Cup final\n\n"
            "Sarah Brown, the team's goalkeeper, has played for the club since 2012. She grew up here.\n\n"
            "The final was played on Saturday in front of 40,000 people. The weather was cold.\n\n"
            "Tickets sold out within an hour. Fans queued overnight outside the stadium.\n\n"
            "The mayor declared a holiday for Monday. Schools will be closed.\n\n"
            "A parade is planned for the afternoon. Roads in the centre will be closed.\n\n"
            "\"I have waited my whole life for this,\" the goalkeeper said after the match.\n")
    assert speakers(nlp, text)["I have waited"] == "Sarah Brown"


def test_pronoun_is_the_last_speaker_not_the_last_name(nlp):
    # "Trump" is the last name before "she", but it is reported, and "she" cannot be Donald
    text = ("Campaign trail\n\n"
            "Donald Trump spoke in Ohio on Monday. Campaign director Jennifer Palmieri said Trump "
            "was reduced to insults because he cannot defend his record. \"You could dismiss these "
            "actions as schoolyard behavior, but this man is running to be president,\" she said.\n")
    assert speakers(nlp, text)["You could dismiss"] == "Jennifer Palmieri"


def test_pronoun_skips_the_subject_inside_reported_speech(nlp):
    text = ("Dinosaur wings\n\n"
            "John Hutchinson, a biologist at the Royal Veterinary College, questioned the findings, "
            "saying Caudipteryx might have held its arms tight. \"However, this study does lay "
            "groundwork that could be built upon,\" he told reporters.\n")
    assert speakers(nlp, text)["However, this study"] == "John Hutchinson"


def test_pronoun_gender_from_the_first_name(nlp):
    text = ("Debate night\n\n"
            "Hillary Clinton met Donald Trump on the stage. Trump attacked her record on trade. "
            "\"What kind of genius loses a billion dollars in a single year?\" she said.\n")
    assert speakers(nlp, text)["What kind of"] == "Hillary Clinton"


def test_first_name_gender_table():
    assert first_name_gender("Hillary") == "f"
    assert first_name_gender("Donald") == "m"
    assert first_name_gender("Jordan") is None       # used for both
    assert first_name_gender("Chidi") is None        # not in the table: unknown, never a guess


def test_first_person_in_an_interview_is_the_interviewee(nlp):
    text = ("Wikinews interviews candidate Maria Okonkwo\n\n"
            "Maria Okonkwo is running for mayor. Wikinews spoke to her about the campaign.\n\n"
            "Okonkwo answered questions by email. She described the first weeks of the race.\n\n"
            "When the council asked me about the budget, I told them, \"We cannot cut the library again.\"\n")
    assert speakers(nlp, text)["We cannot cut"] == "Maria Okonkwo"


def test_first_person_outside_an_interview_invents_nobody(nlp):
    # an essay's "I" is its author, whom the text does not name: no speaker rather than a guess
    text = ("My father and the devil\n\n"
            "My father began his studies at MIT at sixteen. Donald Trump was in the news that year.\n\n"
            "Once, when my mother mentioned the devil, I laughed and said, \"I don't believe in the devil.\"\n")
    assert speakers(nlp, text)["I don't believe"] is None


def test_unexplained_role_is_the_person_quoted_just_before(nlp):
    # nobody is described as a professor: the definite role varies the last speaker's name
    text = ("Ice shelves\n\n"
            "\"Warm water is attacking the shelves from below,\" said study co-author Karen Alley. "
            "The professor added, \"These effects matter for the whole continent.\"\n")
    got = speakers(nlp, text)
    assert got["Warm water is"] == "Karen Alley"
    assert got["These effects matter"] == "Karen Alley"


# 3. titles and roles before names

@pytest.mark.parametrize("text, speaker", [
    ("\"We will not give up a single town,\" President of Ukraine Volodymyr Zelenskyy said.",
     "Volodymyr Zelenskyy"),
    ("\"The statues were moved upright, rocking from side to side,\" said study co-author Carl Lipo.",
     "Carl Lipo"),
    ("\"Now we see warm water cut into the shelf,\" said study co-author Ted Scambos of the "
     "University of Colorado.", "Ted Scambos"),
    ("\"I am deeply disturbed by what I saw in the film,\" the senior Polish archbishop Wojciech "
     "Polak said.", "Wojciech Polak"),
    ("\"It is really exciting to be part of this,\" said newly elected Assemblywoman Selena Torres.",
     "Selena Torres"),
])
def test_title_before_name_is_the_person(nlp, text, speaker):
    assert list(speakers(nlp, "Title\n\n" + text + "\n").values()) == [speaker]


# 4. colon introductions

def test_colon_intro_is_the_subject_not_the_employer(nlp):
    text = ("Linux fork\n\nThe project forked within days. Rocky Linux's founder Gregory Kurtzer "
            "wrote: \"We will keep the community edition alive for as long as people need it.\"\n")
    assert list(speakers(nlp, text).values()) == ["Gregory Kurtzer"]


# 5. speakers that are not speakers

def test_organisation_role_before_a_name_is_the_person(nlp):
    text = ("Vaccines\n\n\"The trials are going well and we expect results by spring,\" the National "
            "Institute of Allergy and Infectious Diseases' director Anthony Fauci said.\n")
    assert list(speakers(nlp, text).values()) == ["Anthony Fauci"]


def test_role_word_alone_gives_way_to_the_name_beside_it(nlp):
    text = "Summit\n\n\"America must lead, and lead from strength,\" Former US Ambassador Nikki Haley said.\n"
    assert list(speakers(nlp, text).values()) == ["Nikki Haley"]


def test_a_thing_is_not_a_speaker(nlp):
    text = ("Storm\n\nThe attack on the depot said \"a great deal about how unprepared the city "
            "has been for this kind of event,\" in the view of many.\n")
    assert set(speakers(nlp, text).values()) <= {None}


# 6. names as layout glues them

@pytest.mark.parametrize("raw, clean", [
    ("Said Trump", "Trump"),
    ("Getty Images Donald Trump", "Donald Trump"),
    ("CLOSE Trump", "Trump"),
    ("president / Donald Trump", "Donald Trump"),
    ("Assemblywoman Selena Torres", "Selena Torres"),
    ("Detective Inspector Steven Jones", "Steven Jones"),
    ("Trump", "Trump"),
    ("Norman Ham", "Norman Ham"),             # a first name ending in "man" is no title
    ("Jan van der Berg", "Jan van der Berg"),
])
def test_glued_words_leave_the_name(raw, clean):
    assert clean_person_name(raw) == clean


# 7. page furniture

def test_one_letter_quote_is_not_speech(nlp):
    text = "Menu\n\nClick \"n\" for the next story, said the site.\n"
    assert speakers(nlp, text) == {}
    assert set(speakers(nlp, text, include_all=True).values()) == {"term"}


# 8. quoted strings that are not speech

def test_show_titles_and_listed_words_are_not_speech(nlp):
    text = ("Words of the year\n\n"
            "The senator said on \"Face the Nation\" that the bill would pass.\n\n"
            "\"Rizz,\" \"delulu\" and \"mid\" made the list of the year's most searched words.\n\n"
            "The minister told \"Morning Edition\" that talks would resume.\n")
    assert speakers(nlp, text) == {}
    kinds = speakers(nlp, text, include_all=True)
    assert kinds["Face the Nation"] == "title" and kinds["Morning Edition"] == "title"
    assert kinds["Rizz,"] == kinds["delulu"] == kinds["mid"] == "term"


def test_words_reported_as_somebody_s_stay_speech(nlp):
    text = ("Tweets\n\nTrump tweeted early on Friday that Machado was \"disgusting\" and \"a con\".\n")
    assert set(speakers(nlp, text).values()) == {"Trump"}


def test_single_quoted_subheading_is_not_speech(nlp):
    text = ("Flood\n\nThe river rose overnight, officials said.\n\n‘A town under water’\n\n"
            "Residents left their homes before dawn.\n")
    assert speakers(nlp, text) == {}
    assert speakers(nlp, text, include_all=True) == {"A town under": "title"}
