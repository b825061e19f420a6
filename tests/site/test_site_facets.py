"""The quotetrack facet type counts a facet as SQLite's GROUP BY ... ORDER BY count DESC,
value LIMIT n would: checked against SQLite itself on random columns."""
import random
import sqlite3
from collections import Counter

import pytest

from quotetrack.site.facets import by_day, top_values


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
    assert top_values(Counter(values), limit) == expected


def test_days_are_what_sqlites_date_makes_of_each_value():
    """The pass counts a date facet by the column's values, then turns each distinct
    value into its day: the same days and counts as GROUP BY date(column)."""
    con = sqlite3.connect(":memory:")
    values = ["2023-09-01", "2023-09-01T10:00", "2023-09-01 23:59:59", "2016-02-30", "2016-02-29",
              "2015-02-29", "9/1/23", "2023-9-1", "", None, 2457679.5, 0, "2023-09-01x"]
    counts = Counter({v: i + 1 for i, v in enumerate(values)})
    con.execute("create table t (d)")
    con.executemany("insert into t values (?)", [(v,) for v, n in counts.items() for _ in range(n)])
    expected = dict(con.execute("select date(d), count(*) from t where date(d) is not null group by date(d)").fetchall())
    assert dict(by_day(con, counts)) == expected


def test_a_pass_reads_text_that_is_not_utf8_and_keeps_the_time_limit():
    from quotetrack.site.facets import FacetSpec, TimedOut, one_pass

    con = sqlite3.connect(":memory:")
    con.text_factory = lambda b: str(b, "utf-8", "replace")          # as Datasette reads text
    con.execute("create table t (id integer primary key, outlet text)")
    con.executemany("insert into t (outlet) values (?)", [("NPR",), ("NPR",), ("BBC",)])
    con.execute("insert into t (outlet) values (cast(x'ff4e5052' as text))")   # not UTF-8
    counted = one_pass(con, "select * from t", {}, [FacetSpec("outlet", "column")], 1000)
    assert counted["outlet"]["NPR"] == 2 and sum(counted["outlet"].values()) == 4
    assert con.text_factory is not str                               # the connection as it was
    con.execute("create table big as with recursive n(i) as (select 1 union all select i + 1 from n "
                "where i < 3000000) select i as outlet from n")
    with pytest.raises(TimedOut):
        one_pass(con, "select * from big b1", {}, [FacetSpec("outlet", "column")], 1)
