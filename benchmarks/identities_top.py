"""How many speaker identities the most quoted people are spread over.

    python benchmarks/identities_top.py DB [DB ...] [--top 20] [--show N]

For each database (opened read-only), the person identities (``speakers.kind =
'person'``) that have quotes are grouped into *people*, by a notion of "the same
person" that is independent of ``quotetrack.identities`` (so that databases made by
older and newer code are measured alike):

* a name is folded (accents, case, punctuation dropped) and cleaned of the words that
  are not part of it: titles and roles ("President", "Sen.", "former"), speech verbs
  ("Said Trump", "Says"), caption, layout and credit words ("Getty Images", "AP Photo",
  "CLOSE", "Reuters", "By") wherever they stand at its start, and credit words at its
  end; a ``#2`` suffix of a key is ignored (the display name is used);
* a name whose last word is not capitalised ("one senior administration official",
  "president") is no person's name and is left out;
* the *surname* is the last word left (with "Jr.", "II"... kept apart: "Donald Trump
  Jr." is not "Donald Trump"), the *first name* the first word when two or more are left;
* identities with the same surname and the same full first name are one person;
  an identity with no first name ("Trump", "trump#52") or an initial ("D. Trump") joins
  the most quoted person whose surname matches and whose first name the initial starts
  (a lone one with no such person is a person of its own). Middle names and initials
  are ignored ("Donald J. Trump" is "Donald Trump", and "George W. Bush" and "George H.
  W. Bush" are one person here); a different first name is a different person ("Roger
  Penske Trump", a caption, counts as a person "Roger ... Trump", not as Donald Trump).

The 20 people with the most quotes are listed with their quote count and the number of
identities (``speakers`` rows) those quotes are spread over, and the totals. With
several databases the table has a column pair per database, for the people ranked by
the first one. ``--show N`` lists the N most quoted identities of each person.
"""
from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

TITLES = frozenset(
    """mr mrs ms miss dr prof professor sir dame lord lady rev reverend president vice prime deputy
    minister secretary senator sen rep representative congressman congresswoman gov governor lt
    lieutenant mayor judge justice chief chancellor ambassador attorney general former then
    incoming outgoing acting candidate nominee presidential democratic republican democrat gop
    speaker leader majority minority first lady us u s the a an gen sgt col capt adm""".split())
VERBS = frozenset(
    """said says say saying told tells tell added adds asked asks wrote writes tweeted tweets
    posted noted notes explained explains continued continues argued argues stated states
    declared declares claimed claims warned warns insisted insists replied replies responded
    responds according recalled recalls announced announces answered answers remarked
    remarks concluded concludes shouted yelled quipped joked admitted admits""".split())
CREDITS = frozenset(
    """getty images image photo photos photograph photographer ap afp reuters epa pool file
    credit credits caption close video watch via by bloomberg xinhua shutterstock istock
    associated press advertisement related""".split())
JUNK = TITLES | VERBS | CREDITS
SUFFIXES = frozenset("jr sr ii iii iv".split())


def fold_words(name: str) -> list[str]:
    s = unicodedata.normalize("NFKD", name or "")
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = s.replace("\u2019", "'")
    s = re.sub(r"'s\b", "", s)
    s = re.sub(r"#\d+$", "", s)
    return re.sub(r"[^\w\s]+", " ", s).split()


def person_of(name: str) -> tuple[str, str, str | None] | None:
    """``(surname, suffix, first)`` of a speaker name, ``first`` None when there is no
    first name and one letter for an initial; None when no name is left."""
    tokens = [t for t in (name or "").split() if fold_words(t)]
    while tokens and fold_words(tokens[-1])[-1] in CREDITS | SUFFIXES:
        tokens.pop()
    if not tokens or not tokens[-1].lstrip("\"'“‘(@.")[:1].isupper():
        return None        # "one senior administration official", "official#33": not a person's name
    words = [w for w in fold_words(name) if not w.isdigit()]
    while words and words[0] in JUNK:
        words.pop(0)
    while words and words[-1] in CREDITS:
        words.pop()
    suffix = ""
    while len(words) > 1 and words[-1] in SUFFIXES:
        suffix = words.pop()
    if not words:
        return None
    return words[-1], suffix, (words[0] if len(words) > 1 else None)


def people(conn: sqlite3.Connection) -> dict:
    """person label -> {"quotes": n, "identities": [(quotes, name, key), ...]}."""
    rows = conn.execute(
        "select s.id, s.name, s.key, count(*) from quotes q join speakers s on s.id = q.speaker_id "
        "where s.kind = 'person' group by s.id").fetchall()
    full: dict[tuple, list] = defaultdict(list)
    partial: list[tuple] = []
    for speaker_id, name, key, n in rows:
        p = person_of(name)
        if p is None:
            continue
        if p[2] and len(p[2]) > 1:
            full[p].append((n, name, key))
        else:
            partial.append((p, (n, name, key)))
    total = {p: sum(i[0] for i in ids) for p, ids in full.items()}
    by_surname: dict[tuple, list] = defaultdict(list)
    for p in full:
        by_surname[p[:2]].append(p)
    groups: dict[tuple, list] = {p: list(ids) for p, ids in full.items()}
    for p, ident in partial:
        surname, suffix, first = p
        candidates = [c for c in by_surname.get((surname, suffix), []) if not first or c[2].startswith(first)]
        if candidates:
            target = max(candidates, key=lambda c: (total[c], c))
        else:
            target = p
        groups.setdefault(target, []).append(ident)
    out = {}
    for p, ids in groups.items():
        ids.sort(reverse=True)
        out[p] = {"quotes": sum(i[0] for i in ids), "identities": ids, "label": ids[0][1]}
    return out


def label(p: tuple) -> str:
    surname, suffix, first = p
    return " ".join(x for x in (first, surname, suffix) if x)


def open_ro(path: str) -> sqlite3.Connection:
    if not Path(path).exists():
        sys.exit(f"{path}: no such database")
    return sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dbs", nargs="+", metavar="DB")
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--show", type=int, default=0, help="list the N most quoted identities of each person")
    args = ap.parse_args(argv)

    results = []
    for path in args.dbs:
        conn = open_ro(path)
        results.append(people(conn))
        conn.close()
    first = results[0]
    top = sorted(first, key=lambda p: (-first[p]["quotes"], label(p)))[: args.top]

    head = f"{'person':<28}" + "".join(f" | {Path(p).name[:22]:>22} {'':>7}" for p in args.dbs)
    sub = f"{'':<28}" + "".join(f" | {'quotes':>22} {'idents':>7}" for _ in args.dbs)
    print(head)
    print(sub)
    print("-" * len(sub))
    totals = [[0, 0] for _ in results]
    for p in top:
        line = f"{first[p]['label'][:28]:<28}"
        for i, res in enumerate(results):
            r = res.get(p, {"quotes": 0, "identities": []})
            totals[i][0] += r["quotes"]
            totals[i][1] += len(r["identities"])
            line += f" | {r['quotes']:>22,} {len(r['identities']):>7,}"
        print(line)
    print("-" * len(sub))
    print(f"{'total (top ' + str(len(top)) + ')':<28}" + "".join(f" | {q:>22,} {n:>7,}" for q, n in totals))
    if args.show:
        for i, (path, res) in enumerate(zip(args.dbs, results)):
            print(f"\n{path}")
            for p in top:
                r = res.get(p)
                if not r:
                    continue
                shown = ", ".join(f"{name!r} [{key}] {n}" for n, name, key in r["identities"][: args.show])
                print(f"  {label(p)}: {shown}")


if __name__ == "__main__":
    main()
