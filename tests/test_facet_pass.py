"""facet_pass answers a facet query as SQLite's GROUP BY ... ORDER BY count DESC,
value LIMIT n would: checked against SQLite itself on random columns."""
import random
import sqlite3
from collections import Counter

import pytest

from quotetrack.facet_pass import Pass


@pytest.mark.parametrize("seed", range(30))
def test_top_values_as_sqlite_orders_them(seed):
    rng = random.Random(seed)
    kind = seed % 3
    pool = {0: lambda: rng.randrange(40),                                   # ids: many ties
            1: lambda: rng.choice(["NPR", "Fox", "Ámbito", "bbc", "Zeit", "ß", "a b"]),
            2: lambda: rng.choice([3, 7, 2.5, "x", "Y", b"\x00", "10"])}[kind]  # mixed types
    values = [pool() for _ in range(rng.randrange(1, 400))]
    con = sqlite3.connect(":memory:")
    con.execute("create table t (v)")
    con.executemany("insert into t values (?)", [(v,) for v in values])
    limit = rng.choice([1, 3, 10, 11, 31])
    expected = con.execute("select v, count(*) as n from t group by v order by n desc, v limit ?", [limit]).fetchall()
    done = Pass(count=len(values), values={"v": Counter(values)})
    assert [tuple(r) for r in done.facet("v", limit).rows] == expected
