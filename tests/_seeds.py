"""What the five seed articles hold (tests/ingest/test_seeds.py, tests/grouping/test_statements.py):
every quotation with its speaker, and the statements they form."""
import re

MINISTRY = "ministry"
RODRIGUEZ = "rodriguez"

# (seed file prefix, start of the quoted words, who said it)
EXPECTED = [
    ("000", "even some in Cuba", MINISTRY),
    ("000", "incorporated into the military forces", MINISTRY),
    ("000", "it does not form part of the conflict", MINISTRY),
    ("000", "Cuba has a firm and clear historical position", MINISTRY),
    ("000", "We will act decisively", MINISTRY),
    ("000", "the force of the law", RODRIGUEZ),
    ("001", "Cuba plays no role in the war in Ukraine,", MINISTRY),
    ("001", "It is acting and will act vigorously", MINISTRY),
    ("002", "Cuba plays no role in the war in Ukraine. It is acting", MINISTRY),
    ("003", "not part of the conflict in Ukraine", MINISTRY),
    ("003", "incorporated into the military forces", MINISTRY),
    ("003", "not part of the conflict in Ukraine", MINISTRY),
    ("003", "Cuba has a firm and clear historical position", MINISTRY),
    ("003", "We will act decisively", MINISTRY),
    ("003", "the force of the law", RODRIGUEZ),
    ("004", "summons", MINISTRY),
    ("004", "a firm and clear historical position", MINISTRY),
    ("004", "We will act energetically", MINISTRY),
    ("004", "the competent authorities have initiated", RODRIGUEZ),
]


# Each statement as the multiset of its quotes: (seed file, start of the quote).
# 002 quotes both sentences of the ministry's statement as one quote: it belongs to both.
MERGED_002 = ("002", "Cuba plays no role in the war in Ukraine. It is acting")
EXPECTED_STATEMENTS = {
    # "act decisively / energetically / vigorously": one statement in three translations
    tuple(sorted([("000", "We will act decisively"), ("001", "It is acting and will act vigorously"),
                  MERGED_002, ("003", "We will act decisively"), ("004", "We will act energetically")])),
    # "plays no role in the war" / "does not form part of the conflict" / "not part of the conflict"
    tuple(sorted([("000", "it does not form part of the conflict"), ("001", "Cuba plays no role in the war in Ukraine,"),
                  MERGED_002, ("003", "not part of the conflict in Ukraine"),
                  ("003", "not part of the conflict in Ukraine")])),
    # Rodríguez's own words stay apart
    (("000", "the force of the law"), ("003", "the force of the law")),
    (("004", "the competent authorities have initiated"),),
    # a truncation joins the fuller quote
    (("000", "Cuba has a firm and clear historical position"), ("003", "Cuba has a firm and clear historical position"),
     ("004", "a firm and clear historical position")),
    (("000", "incorporated into the military forces"), ("003", "incorporated into the military forces")),
    # short fragments never join an unrelated statement
    (("000", "even some in Cuba"),),
    # a one-word quote ("summons") is kept as a quote but is no statement of its own
}


def quote_label(path: str, text: str) -> tuple[str, str]:
    """(seed file, the EXPECTED start) of a stored quote."""
    file = re.search(r"(\d{3})_", path).group(1)
    if file == MERGED_002[0] and text.startswith(MERGED_002[1]):
        return MERGED_002
    starts = [t for f, t, _ in EXPECTED if f == file and text.startswith(t)]
    assert starts, (file, text)
    return file, max(starts, key=len)


def statement_groups(db) -> set[tuple]:
    """Every statement as the sorted tuple of its quotes' labels."""
    groups: dict[int, list] = {}
    for row in db.query("select qs.statement_id, q.text, a.path from quote_statements qs "
                        "join quotes q on q.id = qs.quote_id join articles a on a.id = q.article_id"):
        groups.setdefault(row["statement_id"], []).append(quote_label(row["path"], row["text"]))
    return {tuple(sorted(g)) for g in groups.values()}

