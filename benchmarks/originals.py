"""How well the seed quotes are linked to the sentences of an original, per language.

    python benchmarks/originals.py [--no-partial]

The originals are the small communiqué of our own in five languages
(``tests/grouping/originals/cuba-{es,pt,fr,it,de}.txt``); the expected links are those of
``tests/grouping/test_originals.py``. Prints, per language:

1. pairs: ``same_statement(original sentence, seed quote sentence)`` over every expected
   (sentence, quote sentence) pair - how many are judged the same - and over every other
   pair of a ministry sentence and a seed quote sentence (false links);
2. end to end: ``add_original`` on a database of the ingested seeds - quote sentences
   linked to their right sentence, to a wrong one, and not linked.

``--no-partial`` turns off the judgement's ``partial`` step (clause runs across
languages), to show what it adds.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "grouping"))

from quotetrack import ingest  # noqa: E402
from quotetrack.grouping import originals, variants  # noqa: E402
from quotetrack.records import Original  # noqa: E402
from test_originals import LANGS, MINISTRY, RENDERS, HERE  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-partial", action="store_true", help="without the judgement's partial step")
    args = parser.parse_args()
    if args.no_partial:
        variants._partial = lambda *a, **k: None
    with tempfile.TemporaryDirectory() as tmp:
        seeds_db = Path(tmp) / "seeds.db"
        subprocess.run([sys.executable, "-m", "quotetrack.cli", "ingest", str(ROOT / "seeds"), "--db", str(seeds_db),
                        "--quiet"], check=True, cwd=ROOT)
        db = ingest.open_db(seeds_db)
        db.execute("pragma wal_checkpoint(truncate)")
        units = sorted({r[0] for r in db.execute("select coalesce(qs.text, q.text) from quote_statements qs "
                                                 "join quotes q on q.id = qs.quote_id")})
        db.close()
        print(f"{'lang':5} {'pairs linked':>13} {'false links':>12} {'e2e right':>10} {'wrong':>6} {'missed':>7}")
        for lang in LANGS:
            text = (HERE / f"cuba-{lang}.txt").read_text("utf-8")
            sentences = originals.sentences(text)
            linked = expected = false = others = 0
            for unit in units:
                want = next(v for k, v in RENDERS.items() if unit.startswith(k))
                for i, s in enumerate(sentences):
                    same = variants.same_statement(s.text, unit)
                    if i == want:
                        expected += 1
                        linked += same
                    else:
                        others += 1
                        false += same
            path = Path(tmp) / f"{lang}.db"
            shutil.copy(seeds_db, path)
            db = ingest.open_db(path)
            originals.add_original(db, Original(f"cuba-{lang}.txt", text, speaker=MINISTRY, published="2023-09-04"))
            position = {r[0]: r[1] for r in db.execute("select statement_id, position from original_sentences")}
            right = wrong = missed = 0
            for statement_id, unit in db.execute("select qs.statement_id, coalesce(qs.text, q.text) "
                                                 "from quote_statements qs join quotes q on q.id = qs.quote_id"):
                want = next(v for k, v in RENDERS.items() if unit.startswith(k))
                got = position.get(statement_id)
                if want is None:
                    wrong += got is not None
                elif got == want:
                    right += 1
                elif got is None:
                    missed += 1
                else:
                    wrong += 1
            db.close()
            print(f"{lang:5} {linked:>6}/{expected:<6} {false:>5}/{others:<6} {right:>10} {wrong:>6} {missed:>7}")


if __name__ == "__main__":
    main()
