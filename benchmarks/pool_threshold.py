"""When a pool of worker processes pays for itself: `quotetrack extract --json` on the
first K BBC files in one process and with a pool of N processes forced (whatever
``parallel.MIN_ARTICLES_PER_WORKER`` says), for several K, wall time of the whole
command. The K where the pool starts to win is what ``MIN_ARTICLES_PER_WORKER`` is
chosen from (no pool below twice it).

    python benchmarks/pool_threshold.py [--sizes 8 16 32 64 128] [--workers 2] [--repeat 3]

Runs alternate (one process, pool, one process, ...) so a change in the machine's load
hits both; the best of ``--repeat`` runs of each is printed, with the load average at
the start.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# the CLI with every input long enough for a pool
FORCED = ("import sys; from quotetrack.extract import parallel; parallel.MIN_ARTICLES_PER_WORKER = 1; "
          "from quotetrack.cli import cli; cli(sys.argv[1:], prog_name='quotetrack')")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[8, 16, 32, 64, 128])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    root = Path(os.environ.get("QUOTETRACK_SHARED", REPO.parent / "shared")) / "corpora" / "bbc"
    if not root.is_dir():
        sys.exit(f"{root}: BBC corpus not found (set QUOTETRACK_SHARED to the folder holding corpora/)")
    files = sorted(str(p) for p in root.glob("*.txt") if p.name.lower() != "readme.txt")
    print(f"load average {os.getloadavg()[0]:.2f}")
    for k in args.sizes:
        base = ["extract", *files[:k], "--json", "--all"]
        commands = {"1 process": [sys.executable, "-m", "quotetrack.cli", *base, "--workers", "1"],
                    f"pool of {args.workers}": [sys.executable, "-c", FORCED, *base, "--workers", str(args.workers)]}
        best: dict[str, float] = {}
        outputs = set()
        for _ in range(args.repeat):
            for name, cmd in commands.items():
                t0 = time.perf_counter()
                proc = subprocess.run(cmd, capture_output=True, text=True)
                secs = time.perf_counter() - t0
                outputs.add(proc.stdout)
                best[name] = min(best.get(name, secs), secs)
        same = "same output" if len(outputs) == 1 else "OUTPUTS DIFFER"
        print(f"{k:5d} files: " + ", ".join(f"{name} {secs:.2f} s" for name, secs in best.items())
              + f" ({same}; load {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
