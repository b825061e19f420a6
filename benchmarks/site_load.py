"""Load on the Datasette site: concurrent clients on 127.0.0.1 over search, facet,
statement and quote pages; latency percentiles per kind of page.

    python benchmarks/site_load.py DB [--requests 800] [--clients 8] [--port 8765]
                                      [--not-public] [--workers N] [--seed 0] [--slowest N]
                                      [--json-out FILE]

Starts ``quotetrack serve`` on a link named ``quotes.db`` (so the project's
``metadata.yml`` applies) in a temporary folder, with ``--public`` by default (the
shipped settings for publishing: immutable, no arbitrary SQL; ``quotetrack publish`` is
run first and timed apart), waits until it answers,
then ``--clients`` threads fetch ``--requests`` pages in total, drawn in a fixed order
(``--seed``) from four kinds:

* ``search``     ``/quotes/quotes?_search=WORD`` (full-text search, table page with facets)
* ``facet``      table pages with their default facets: quotes (speaker, outlet,
                 statement, date), statements, articles, and quotes filtered by an outlet
* ``statement``  ``/quotes/-/statement/ID`` for statements quoted most widely and at random
* ``quote``      ``/quotes/-/quote/ID`` for random quotes

It stops by itself after the fixed number of requests and prints p50/p95/p99 (ms)
per kind and overall, errors (non-200), how many pages said "facet timed out", and
the CPU time the server's processes used per request (user + system, all workers; less
sensitive to other load on the machine than the latencies; needs psutil).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

WORDS = ["president", "economy", "police", "border", "vaccine", "election", "climate", "court", "trade",
         "taxes", "war", "immigration", "health care", "jobs", "russia", "china", "congress", "senate",
         "votes", "security"]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(p / 100 * (len(s) - 1)))))
    return s[k]


def build_urls(db: Path, n: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    top = [r[0] for r in con.execute("select id from statements order by quote_count desc limit 50")]
    # ids that exist (merged statements leave gaps): a random page is a page, not a 404
    statement_ids = [r[0] for r in con.execute("select id from statements")] or [1]
    quote_ids = [r[0] for r in con.execute("select id from quotes")] or [1]
    outlets = [r[0] for r in con.execute(
        "select outlet from articles where outlet is not null group by outlet order by count(*) desc limit 20")]
    con.close()
    facets = ["/quotes/quotes", "/quotes/statements", "/quotes/articles"] + \
             [f"/quotes/quotes?outlet={urllib.parse.quote(o)}" for o in outlets[:5]]
    urls = []
    for i in range(n):
        kind = ("search", "facet", "statement", "quote")[i % 4]
        if kind == "search":
            url = f"/quotes/quotes?_search={urllib.parse.quote(rng.choice(WORDS))}"
        elif kind == "facet":
            url = rng.choice(facets)
        elif kind == "statement":
            sid = rng.choice(top) if top and rng.random() < 0.5 else rng.choice(statement_ids)
            url = f"/quotes/-/statement/{sid}"
        else:
            url = f"/quotes/-/quote/{rng.choice(quote_ids)}"
        urls.append((kind, url))
    return urls


def fetch(base: str, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(base + path, timeout=60) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def server_cpu(proc: subprocess.Popen) -> float | None:
    """CPU seconds (user + system) used so far by the server and its worker processes."""
    try:
        import psutil
    except ImportError:
        return None
    try:
        root = psutil.Process(proc.pid)
        total = 0.0
        for p in [root, *root.children(recursive=True)]:
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.NoSuchProcess:
                pass
        return total
    except psutil.NoSuchProcess:
        return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--requests", type=int, default=800)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--not-public", action="store_true", help="serve without --public (mutable, SQL on)")
    ap.add_argument("--workers", type=int, help="quotetrack serve --workers N (default: serve's own default)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--warmup", type=int, default=20, help="requests before measuring (not counted)")
    ap.add_argument("--json-out")
    ap.add_argument("--slowest", type=int, default=0, help="also print the N slowest requests")
    args = ap.parse_args()
    db = args.db.resolve()
    if not db.exists():
        sys.exit(f"{db}: no such database")
    urls = build_urls(db, args.requests + args.warmup, args.seed)

    tmp = Path(tempfile.mkdtemp(prefix="qt-site-"))
    link = tmp / "quotes.db"
    link.symlink_to(db)
    repo = Path(__file__).resolve().parents[1]
    cmd = [sys.executable, "-m", "quotetrack.cli", "serve", str(link), "--port", str(args.port),
           "--metadata", str(repo / "metadata.yml")]
    if not args.not_public:
        cmd.append("--public")
        # what serve --public would do first (summaries, ANALYZE, inspect data), timed apart
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "quotetrack.cli", "publish", str(link)], cwd=tmp,
                              capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"publish failed: {done.stderr[-2000:]}")
        print(f"quotetrack publish: {time.perf_counter() - started:.1f} s", flush=True)
    if args.workers:
        cmd += ["--workers", str(args.workers)]
    server = subprocess.Popen(cmd, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{args.port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                sys.exit(f"server exited: {server.stderr.read()[-2000:]}")
            try:
                if fetch(base, "/-/versions.json")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                sys.exit("server did not start within 60 s")
            time.sleep(0.3)
        for _, path in urls[:args.warmup]:
            fetch(base, path)
        work = urls[args.warmup:]
        lock = threading.Lock()
        nxt = [0]
        results: list[tuple[str, float, int, bool, str]] = []

        def client():
            while True:
                with lock:
                    i = nxt[0]
                    nxt[0] += 1
                if i >= len(work):
                    return
                kind, path = work[i]
                t0 = time.perf_counter()
                status, body = fetch(base, path)
                ms = (time.perf_counter() - t0) * 1000
                with lock:
                    results.append((kind, ms, status, "facet timed out" in body.lower(), path))

        cpu0 = server_cpu(server)
        own0 = time.process_time()
        t0 = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        own = time.process_time() - own0
        cpu1 = server_cpu(server)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(tmp)

    cpu_ms = None if cpu0 is None or cpu1 is None or not results else (cpu1 - cpu0) * 1000 / len(results)
    out = {"requests": len(results), "clients": args.clients, "seconds": wall, "public": not args.not_public,
           "load": os.getloadavg()[0], "server_cpu_ms_per_request": cpu_ms,
           "client_cpu_ms_per_request": own * 1000 / max(1, len(results)), "kinds": {}}
    print(f"{db.name}: {len(results)} requests, {args.clients} clients, {wall:.1f} s "
          f"({len(results) / wall:.1f} req/s), public={not args.not_public}, load average {os.getloadavg()[0]:.2f}"
          + (f", server CPU {cpu_ms:.1f} ms per request" if cpu_ms is not None else "")
          + f", load generator CPU {out['client_cpu_ms_per_request']:.1f} ms per request")
    print(f"{'page':10} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'facet timed out':>16}")
    for kind in ("search", "facet", "statement", "quote", "all"):
        rows = [r for r in results if kind == "all" or r[0] == kind]
        ms = [r[1] for r in rows]
        errors = sum(r[2] != 200 for r in rows)
        timeouts = sum(r[3] for r in rows)
        out["kinds"][kind] = {"n": len(rows), "p50": percentile(ms, 50), "p95": percentile(ms, 95),
                              "p99": percentile(ms, 99), "errors": errors, "facet_timed_out": timeouts}
        print(f"{kind:10} {len(rows):5} {percentile(ms, 50):8.0f} {percentile(ms, 95):8.0f} "
              f"{percentile(ms, 99):8.0f} {errors:7} {timeouts:16}")
    for kind, ms, status, _, path in sorted(results, key=lambda r: -r[1])[:args.slowest]:
        print(f"  {ms:7.0f} ms  {status}  {kind:9} {path}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(out, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
