"""identities: one identity per real speaker across the database."""
import pytest

from quotetrack import ingest as ingesting
from quotetrack.identities import identities
from quotetrack.identities.evidence import ArticleContext
from quotetrack.identities.identities import resolve
from quotetrack.identities.keys import description_from, identity_key, org_key, person_key, split_person
from quotetrack.identities.relations import related_ids
from quotetrack.records import Article, Quote


@pytest.fixture
def db():
    return ingesting.open_db(":memory:")


def ctx(n, outlet="Outlet", published="2024-01-10", text="", names=()):
    return ArticleContext(article_id=n, outlet=outlet, published=published, text=text, names=list(names))


@pytest.mark.parametrize("name", [
    "Cuban foreign ministry", "the Cuban Foreign Ministry", "Cuba's Foreign Ministry", "Cuba’s Foreign Ministry",
    "foreign ministry of the Republic of Cuba", "Cuban Ministry of Foreign Affairs",
    "The Ministry of Foreign Affairs of Cuba", "CUBAN FOREIGN MINISTRY", "Cuba Foreign Ministry",
])
def test_organisation_names_share_one_key(name):
    assert org_key(name) == "cuban foreign ministry"
    assert identity_key(name) == "cuban foreign ministry"   # kind guessed: organisation


def test_other_organisation_keys():
    assert org_key("Russian Ministry of Defense") == org_key("Russia's defence ministry") == "russian defence ministry"
    assert org_key("the U.S. Department of State") == org_key("US State Department") == "american state department"
    assert org_key("the Republic of Cuba") == org_key("Cuba") == "cuba"
    assert org_key("the White House") == "white house"
    assert org_key("Cuban foreign ministry") != org_key("Russian foreign ministry")


def test_people_accents_case_and_titles():
    assert person_key("Bruno Rodríguez") == person_key("bruno rodriguez") == person_key("BRUNO RODRÍGUEZ")
    assert person_key("Cuban Foreign Minister Bruno Rodríguez") == "bruno rodriguez"
    assert split_person("Cuban Foreign Minister Bruno Rodríguez") == ("Cuban Foreign Minister", "Bruno Rodríguez")
    assert split_person("Hugh Hill, a doctor") == ("a doctor", "Hugh Hill")
    assert split_person("Foreign Minister, Bruno Rodríguez") == ("Foreign Minister", "Bruno Rodríguez")
    assert description_from("Cuban Foreign Minister, Bruno Rodríguez", "Bruno Rodríguez") == "Cuban Foreign Minister"
    assert description_from("Rodríguez", "Bruno Rodríguez") is None
    assert description_from("he", "Bruno Rodríguez") is None


def test_ministry_identity_across_articles(db):
    names = ["Cuban foreign ministry", "foreign ministry of the Republic of Cuba", "Cuba’s Foreign Ministry",
             "Cuban Ministry of Foreign Affairs"]
    ids = {resolve(db, n, "organisation", context=ctx(i)) for i, n in enumerate(names)}
    assert len(ids) == 1
    row = db["speakers"].get(ids.pop())
    assert row["name"] == "Cuban Ministry of Foreign Affairs" and row["country"] == "cuban"


def test_accents_and_case_never_split_a_person(db):
    a = resolve(db, "Bruno Rodríguez", "person", context=ctx(1))
    b = resolve(db, "bruno rodriguez", "person", context=ctx(2, outlet="Elsewhere"))
    c = resolve(db, "Cuban Foreign Minister Bruno Rodríguez", "person", context=ctx(3, outlet="Third"))
    assert a == b == c
    row = db["speakers"].get(a)
    assert row["name"] == "Bruno Rodríguez" and row["description"] == "Cuban Foreign Minister"


def test_two_smiths_are_not_merged(db):
    john = resolve(db, "John Smith", "person", mention="Senator John Smith", context=ctx(1, "Daily", "2024-01-01"))
    jane = resolve(db, "Jane Smith", "person", mention="Jane Smith, a nurse", context=ctx(2, "Weekly", "2024-03-01"))
    assert john != jane
    # a bare "Smith" in an unrelated story: no evidence, no merge
    lone = resolve(db, "Smith", "person", mention="Smith", context=ctx(3, "Gazette", "2024-06-01"))
    assert lone not in (john, jane)
    # another bare "Smith", elsewhere and much later: not the first bare one either
    other = resolve(db, "Smith", "person", mention="Smith", context=ctx(4, "Herald", "2021-02-01"))
    assert other not in (john, jane, lone)
    assert db["speakers"].get(other)["key"] == "smith#2"


def test_surname_joins_with_evidence(db):
    bruno = resolve(db, "Bruno Rodríguez", "person", mention="Cuban Foreign Minister Bruno Rodríguez",
                    context=ctx(1, "Wire", "2023-09-05"))
    # 1. the same article names the full person
    assert resolve(db, "Rodríguez", "person", context=ctx(2, "Other", None, names=["Bruno Rodríguez", "Rodríguez"])) == bruno
    assert resolve(db, "Rodríguez", "person",
                   context=ctx(3, "Other", None, text="Cuba's Bruno Rodríguez spoke. Rodríguez said ...")) == bruno
    # 2. the roles overlap
    assert resolve(db, "Rodríguez", "person", mention="Foreign Minister Rodríguez", context=ctx(4, "Other2", None)) == bruno
    # 3. the same outlet quoted him within the window
    with db.conn:
        db["articles"].insert({"id": 1, "path": "a", "content_hash": "h", "text": "x", "outlet": "Wire"})
        db["quotes"].insert({"article_id": 1, "start": 0, "end": 1, "text": "x", "speaker_id": bruno,
                             "outlet": "Wire", "published": "2023-09-05"})
    assert resolve(db, "Rodríguez", "person", context=ctx(5, "Wire", "2023-09-20")) == bruno
    # ... but not a year later, nor in another outlet
    assert resolve(db, "Rodríguez", "person", context=ctx(6, "Wire", "2024-12-01")) != bruno
    # an initial that contradicts the first name never joins
    assert resolve(db, "C. Rodríguez", "person", mention="Foreign Minister C. Rodríguez", context=ctx(7)) != bruno


def test_surname_first_then_full_name(db):
    partial = resolve(db, "Rodríguez", "person", mention="Foreign Minister Rodríguez", context=ctx(1, "Wire"))
    full = resolve(db, "Bruno Rodríguez", "person", mention="Cuban Foreign Minister Bruno Rodríguez",
                   context=ctx(2, "Elsewhere"))
    assert db["speakers"].count == 1 and db["speakers"].get(full)["name"] == "Bruno Rodríguez"
    assert not db["speakers"].count_where("id = ?", [partial]) or partial == full


def test_bare_ministry_joins_only_with_evidence(db):
    cuban = resolve(db, "Cuban foreign ministry", "organisation", context=ctx(1))
    russian = resolve(db, "Russian foreign ministry", "organisation", context=ctx(2))
    assert resolve(db, "the foreign ministry", "organisation",
                   context=ctx(3, names=["Cuban foreign ministry", "the foreign ministry"])) == cuban
    lone = resolve(db, "the foreign ministry", "organisation", context=ctx(4, outlet="Nowhere"))
    assert lone not in (cuban, russian)


def test_minister_and_ministry_are_related(db):
    ministry = resolve(db, "Cuba's Foreign Ministry", "organisation", context=ctx(1))
    minister = resolve(db, "Bruno Rodríguez", "person", mention="Cuban Foreign Minister Bruno Rodríguez", context=ctx(2))
    other = resolve(db, "Ana Li", "person", mention="Chinese Foreign Minister Ana Li", context=ctx(3))
    assert related_ids(db, minister) == {ministry}
    assert minister in related_ids(db, ministry) and other not in related_ids(db, ministry)


def test_save_article_uses_identities_and_records_aliases(db):
    body = ('Cuba\'s Foreign Ministry said "we will not take part in any war". '
            'Cuban Foreign Minister Bruno Rodríguez said "the law will be applied with full force".')
    article = Article(path="x.txt", text=body, outlet="Wire", published="2023-09-05", paragraphs=[(0, len(body))])
    quotes = []
    for quoted, speaker, mention, kind in [
        ("we will not take part in any war", "Cuba’s Foreign Ministry", "Cuba's Foreign Ministry", "organisation"),
        ("the law will be applied with full force", "Bruno Rodríguez", "Cuban Foreign Minister Bruno Rodríguez", "person"),
    ]:
        start = body.index(quoted)
        quotes.append(Quote(start=start, end=start + len(quoted), text=quoted, speaker=speaker, speaker_kind=kind,
                            speaker_mention=mention))
    ingesting.save_article(db, article, quotes, content_hash="c1")
    body2 = 'The Cuban Ministry of Foreign Affairs said "we will never take part in any war".'
    article2 = Article(path="y.txt", text=body2, outlet="Daily", published="2023-09-06", paragraphs=[(0, len(body2))])
    start = body2.index("we will")
    ingesting.save_article(db, article2, [Quote(start=start, end=start + 33, text=body2[start:start + 33],
                                            speaker="Cuban Ministry of Foreign Affairs", speaker_kind="organisation",
                                            speaker_mention="The Cuban Ministry of Foreign Affairs")],
                       content_hash="c2")
    assert db["speakers"].count == 2
    ministry = db.execute("select id from speakers where key = 'cuban foreign ministry'").fetchone()[0]
    aliases = {r["alias"] for r in db["speaker_aliases"].rows_where("speaker_id = ?", [ministry])}
    assert {"Cuba’s Foreign Ministry", "Cuban Ministry of Foreign Affairs",
            "The Cuban Ministry of Foreign Affairs"} <= aliases


def test_merge_speakers_moves_everything(db):
    a = resolve(db, "Ana Li", "person", context=ctx(1))
    b = resolve(db, "Li", "person", mention="Dr. Li", context=ctx(2, outlet="Far"))
    assert a != b
    db["speaker_aliases"].insert({"speaker_id": b, "alias": "Dr. Li", "quote_count": 2})
    identities.merge_speakers(db, a, b)
    assert not db["speakers"].count_where("id = ?", [b])
    assert {r["alias"] for r in db["speaker_aliases"].rows_where("speaker_id = ?", [a])} == {"Dr. Li"}


@pytest.mark.parametrize("key", ["ministry", "foreign ministry", "cuban foreign ministry", "smith#2",
                                 "o'brien", "x", "the state department  "])
def test_last_word_sql_matches_python(db, key):
    """The indexed SQL expression that finds identities ending in a bare "ministry"."""
    got = db.execute(f"select {identities.KEY_LAST_WORD_SQL} from (select ? as key)", [key]).fetchone()[0]
    assert got == key.split(" ")[-1]


def test_bare_ministry_is_found_among_many_bodies(db):
    """The candidates of a bare "the foreign ministry" come from an index on the last
    word of the key; identities ending otherwise are not candidates."""
    for i, country in enumerate(["Russian", "Chinese", "French", "German", "Cuban"]):
        resolve(db, f"{country} foreign ministry", "organisation", context=ctx(i))
        resolve(db, f"{country} foreign ministry spokesman office", "organisation", context=ctx(i))
    german = db.execute("select id from speakers where key = 'german foreign ministry'").fetchone()[0]
    assert resolve(db, "the foreign ministry", "organisation",
                   context=ctx(9, names=["German foreign ministry", "the foreign ministry"])) == german
    plan = " ".join(r[-1] for r in db.execute(
        f"explain query plan select id from speakers where {identities.KEY_LAST_WORD_SQL} = 'ministry' "
        "and key like '% foreign ministry'"))
    assert "idx_speakers_key_last_word" in plan


def test_people_relate_only_to_bodies(db):
    """A minister's relations are the bodies of her country her role names, never
    another person of that country, however many there are."""
    ministry = resolve(db, "Cuba's Foreign Ministry", "organisation", context=ctx(1))
    people = [resolve(db, f"Ana Pérez{i}", "person", mention=f"Cuban Foreign Minister Ana Pérez{i}", context=ctx(i))
              for i in range(2, 6)]
    for p in people:
        assert related_ids(db, p) == {ministry}
    assert related_ids(db, ministry) == set(people)


def test_government_relates_to_its_executive_not_to_every_body(db):
    """A country's government speaks through its ministries and embassies, not through
    its courts, newspapers or "the American people"; a "U.S. senator" does not work
    for an organisation called "U.S."."""
    government = resolve(db, "U.S.", "organisation", context=ctx(1))
    department = resolve(db, "U.S. State Department", "organisation", context=ctx(2))
    court = resolve(db, "U.S. Supreme Court", "organisation", context=ctx(3))
    paper = resolve(db, "USA Today editorial board", "organisation", context=ctx(4))
    senator = resolve(db, "Ann Roe", "person", mention="U.S. Senator Ann Roe", context=ctx(5))
    assert department in related_ids(db, government)
    assert court not in related_ids(db, government) and paper not in related_ids(db, government)
    assert senator not in related_ids(db, government) and related_ids(db, senator) == set()


def test_migration_drops_relations_of_the_wider_rules(tmp_path):
    """A database made under the older rules loses the relations they gave, keeps the others."""
    db = ingesting.open_db(tmp_path / "q.db")
    government = resolve(db, "U.S.", "organisation", context=ctx(1))
    department = resolve(db, "U.S. State Department", "organisation", context=ctx(2))
    court = resolve(db, "U.S. Supreme Court", "organisation", context=ctx(3))
    db.conn.executemany("insert or ignore into speaker_relations values (?, ?, 'government')",
                        [(government, court), (court, government)])
    db.execute("delete from _sqlite_migrations where name = 'm007_narrower_relations'")
    db.conn.commit()
    db.close()
    db = ingesting.open_db(tmp_path / "q.db")
    assert related_ids(db, government) == {department}
    assert related_ids(db, court) == set()


# ---------------------------------------------------------------------------
# one person, one identity: glued words, middle names, surnames across a corpus


def quoted(db, speaker_id, n=1, outlet="Wire", published="2024-01-10"):
    """``n`` quotes of ``speaker_id`` (each in an article of its own)."""
    with db.conn:
        for _ in range(n):
            article = db["articles"].insert({"path": "p", "content_hash": f"h{db['articles'].count}", "text": "x",
                                             "outlet": outlet}).last_pk
            db["quotes"].insert({"article_id": article, "start": 0, "end": 1, "text": "x", "speaker_id": speaker_id,
                                 "outlet": outlet, "published": published})


@pytest.mark.parametrize("name, expected", [
    ("Said Roe", (None, "Roe")),                               # a speech verb glued to the name
    ("Says Ann Roe", (None, "Ann Roe")),
    ("Getty Images Ann Roe", (None, "Ann Roe")),               # photo credits
    ("AP Photo Roe", (None, "Roe")),
    ("REUTERS Roe", (None, "Roe")),
    ("Saul Loeb/AFP Roe", (None, "Roe")),
    ("CLOSE Ann Roe", (None, "Ann Roe")),                      # captions and page furniture
    ("JUST WATCHED Roe", (None, "Roe")),
    ("Twitter Pinterest Roe", (None, "Roe")),
    ("Photo: Ann Roe", (None, "Ann Roe")),
    ("Overnight Health Care: Roe", (None, "Roe")),             # a header
    ("0:40 Ann Roe", (None, "Ann Roe")),                       # a video's time
    ("https://t.co/x pic.twitter.com/y — Ann B. Roe", (None, "Ann B. Roe")),   # a tweet's signature
    ("By Ann Roe", (None, "Ann Roe")),                         # a byline
    ("Ann Roe Roe", (None, "Ann Roe")),                        # a repeated surname
    ("Roe Roe", (None, "Roe")),
    ("president / Ann Roe", ("president", "Ann Roe")),         # a role before a separator stays a role
    ("president-elect Ann Roe", ("president-elect", "Ann Roe")),
    ("strategist Ann Roe", ("strategist", "Ann Roe")),
    ("Candidate Roe", ("Candidate", "Roe")),
    # names that only look glued are kept
    ("Glenn Close", (None, "Glenn Close")),
    ("Edward Said", (None, "Edward Said")),
    ("ANN ROE", (None, "ANN ROE")),
    ("JD Roe", (None, "JD Roe")),
    ("Bill de Blasio", (None, "Bill de Blasio")),
])
def test_glued_words_are_not_part_of_a_name(name, expected):
    assert split_person(name) == expected


def test_glued_words_never_split_an_identity(db):
    ann = resolve(db, "Ann Roe", "person", context=ctx(1))
    for i, name in enumerate(["CLOSE Ann Roe", "Getty Images Ann Roe", "Add Ann Roe", "0:40 Ann Roe",
                              "Ann Roe Roe", "president / Ann Roe", "pic.twitter.com/x — Ann Roe"], start=2):
        assert resolve(db, name, "person", context=ctx(i, outlet=f"O{i}")) == ann, name
    row = db["speakers"].get(ann)
    assert row["name"] == "Ann Roe" and row["description"] == "president"
    # a mention's layout words are no role either
    assert description_from("CLOSE Ann Roe", "Ann Roe") is None
    assert description_from("Said Roe", "Roe") is None


@pytest.mark.parametrize("a, b, same", [
    ("Donald J. Trump", "Donald Trump", True),
    ("james b comey", "James Comey", True),
    ("Ann Bea Roe", "Ann Roe", True),                # a middle name on one side
    ("Ann B. Roe", "Ann Bea Roe", True),             # an initial and its name
    ("Ann B. Roe", "Ann C. Roe", False),             # two initials that disagree
    ("Gil W. Bard", "Gil H. W. Bard", False),
    ("Ann Roe", "Ann Roe Jr.", False),               # father and son
    ("John Smith", "Jane Smith", False),
    ("Ann Roe", "Bob Roe", False),
    ("Roe", "Ann Roe", False),                       # a surname alone is not a full name
])
def test_same_person_name(a, b, same):
    assert identities.same_person_name(a, b) is same
    assert identities.same_person_name(b, a) is same


def test_middle_initials_and_names_join_one_identity(db):
    ann = resolve(db, "Ann Roe", "person", context=ctx(1))
    assert resolve(db, "Ann B. Roe", "person", context=ctx(2, outlet="Other")) == ann
    assert resolve(db, "Sen. Ann Bea Roe", "person", context=ctx(3, outlet="Third")) == ann
    assert db["speakers"].get(ann)["name"] == "Ann Roe"      # the shown name keeps its middle (none)
    # the full form first, the shorter one later
    tom = resolve(db, "Thomas J. Kay", "person", context=ctx(4))
    assert resolve(db, "Thomas Kay", "person", context=ctx(5, outlet="Other")) == tom
    assert resolve(db, "Thomas John Kay", "person", context=ctx(6, outlet="Third")) == tom
    # different initials, a suffix, another first name: other people
    assert resolve(db, "Thomas R. Kay", "person", context=ctx(7)) != tom
    assert resolve(db, "Ann Roe Jr.", "person", context=ctx(8)) != ann
    assert resolve(db, "Bob Roe", "person", context=ctx(9)) != ann
    gil = resolve(db, "Gil W. Bard", "person", context=ctx(10))
    assert resolve(db, "Gil H. W. Bard", "person", context=ctx(11)) != gil


def test_middle_initial_known_for_another_person_does_not_join(db):
    """"Paul Ryan" quoted mostly as "Paul D. Ryan": a "Paul S. Ryan" is someone else."""
    pat = resolve(db, "Pat Ryle", "person", context=ctx(1))
    assert resolve(db, "Pat D. Ryle", "person", context=ctx(2)) == pat
    db["speaker_aliases"].insert_all([{"speaker_id": pat, "alias": "Pat Ryle", "quote_count": 5},
                                      {"speaker_id": pat, "alias": "Pat D. Ryle", "quote_count": 5}])
    other = resolve(db, "Pat S. Ryle", "person", context=ctx(3))
    assert other != pat
    assert resolve(db, "Pat D. Ryle", "person", context=ctx(4)) == pat


def test_surname_joins_the_person_its_article_names_in_two_ways(db):
    ann = resolve(db, "Ann Roe", "person", context=ctx(1))
    article = ctx(2, outlet="Elsewhere", published="2020-01-01", names=["Ann Roe", "Ann B. Roe", "Roe"],
                  text="Ann B. Roe, known as Ann Roe, spoke. Roe said ...")
    assert resolve(db, "Ann B. Roe", "person", context=article) == ann
    assert resolve(db, "Roe", "person", context=article) == ann
    # the text alone names her with a middle initial the identity was not created with
    bob = resolve(db, "Bob Kay", "person", context=ctx(3))
    assert resolve(db, "Kay", "person", context=ctx(4, outlet="Far", published="2020-01-01",
                                                      text="Bob T. Kay arrived. Kay said ...")) == bob


def test_bare_surname_joins_the_person_who_dominates_it(db):
    """"Trump" in a story that names nobody: the one Trump the corpus quotes most."""
    ann = resolve(db, "Ann Roe", "person", context=ctx(1))
    bob = resolve(db, "Bob Roe", "person", context=ctx(2))
    quoted(db, ann, 12)
    quoted(db, bob, 1)
    assert resolve(db, "Roe", "person", context=ctx(3, outlet="Nowhere", published="2001-01-01")) == ann
    assert resolve(db, "Said Roe", "person", context=ctx(4, outlet="Nowhere", published="2001-01-01")) == ann
    # ... unless the article names the other one, or an initial says it is not her
    assert resolve(db, "Roe", "person", context=ctx(5, names=["Bob Roe", "Roe"])) == bob
    assert resolve(db, "B. Roe", "person", context=ctx(6, outlet="Nowhere", published="2001-01-01")) != ann
    assert resolve(db, "C. Roe", "person", context=ctx(7, outlet="Nowhere", published="2001-01-01")) not in (ann, bob)
    # a name quoted a few times dominates nothing
    cy = resolve(db, "Cy Lund", "person", context=ctx(8))
    quoted(db, cy, 3)
    assert resolve(db, "Lund", "person", context=ctx(9, outlet="Nowhere", published="2001-01-01")) != cy


def test_surname_identities_join_a_person_once_they_dominate(db):
    """A bare "Kay" from a story that never named him, before "Tom Kay" was known:
    it joins him once his quotes make him the corpus's one Kay ("sondland")."""
    early = resolve(db, "Kay", "person", context=ctx(1, outlet="Far", published="2001-01-01"))
    again = resolve(db, "Kay", "person", context=ctx(2, outlet="Farther", published="2003-01-01"))
    assert db["speakers"].get(again)["key"] == "kay#2"
    quoted(db, early)
    tom = resolve(db, "Tom Kay", "person", context=ctx(3))
    assert tom != early
    quoted(db, tom, 12)
    assert resolve(db, "Tom Kay", "person", context=ctx(4)) == tom
    assert not db["speakers"].count_where("id in (?, ?)", [early, again])
    assert db.execute("select count(*) from quotes where speaker_id = ?", [tom]).fetchone()[0] == 13


def test_two_smiths_stay_apart_however_quoted(db):
    john = resolve(db, "John Smith", "person", context=ctx(1))
    jane = resolve(db, "Jane Smith", "person", context=ctx(2))
    quoted(db, john, 12)
    quoted(db, jane, 12)
    lone = resolve(db, "Smith", "person", context=ctx(3, outlet="Gazette", published="1999-06-01"))
    assert lone not in (john, jane)          # neither dominates: as before
    assert resolve(db, "Smith", "person", context=ctx(4, names=["Jane Smith", "Smith"])) == jane
    # an article naming both leaves a bare Smith undecided
    both = resolve(db, "Smith", "person", context=ctx(5, outlet="Gazette", published="1999-06-02",
                                                       names=["John Smith", "Jane Smith", "Smith"]))
    assert both not in (john, jane)
    # once John is the corpus's Smith, a bare Smith is John; Jane stays herself
    quoted(db, john, 100)
    assert resolve(db, "Smith", "person", context=ctx(6, outlet="Gazette", published="1999-06-03")) == john
    assert resolve(db, "Jane Smith", "person", context=ctx(7)) == jane
    assert resolve(db, "Smith", "person", context=ctx(8, names=["Jane Smith", "Smith"])) == jane
    assert db["speakers"].count_where("key in ('john smith', 'jane smith')") == 2
