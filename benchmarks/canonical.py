"""Canonical speaker of direct quotations, against a hand-checked gold set.

    python benchmarks/canonical.py [--cmd ".venv/bin/quotetrack extract --json"]
                                   [--gold benchmarks/canonical_gold.jsonl]
                                   [--errors FILE] [--json-out FILE]
    python benchmarks/canonical.py --candidates [--per-source 160] [--seed 7]

The gold (``benchmarks/canonical_gold.jsonl``) holds about 300 quotations from
``wikinews/*.txt`` and PolNeAR dev (``polnear/dev/text/*.txt``), each labelled by
reading the article: the *canonical* speaker (the fullest name the article gives for
whoever said it, titles left out), how the attribution refers to them
(``mention``/``mention_kind``), whether the speaker is named at all (``named``) and
whether the quoted string is speech (``speech``). Offsets are character offsets of the
quoted words (marks excluded) in the file's text decoded as UTF-8.

Scoring: the command gets the gold files (copied to a temporary folder, base names
kept) and must follow the ``quotetrack extract --json`` contract (JSON Lines with
``path``, ``start``, ``end``, ``speaker``, ``speaker_mention``...). A prediction matches
a gold quote when the overlap is at least half of each span (greedy, one-to-one, largest
overlap first, as ``../shared/eval/score_extract.py``). For speech quotes with a named
speaker it reports, overall, per source and per ``mention_kind``:

* ``found``            the quote was output (recall of the quote);
* ``canonical_exact``  the predicted speaker equals the gold name after folding case,
                       accents and punctuation and dropping middle initials and suffixes
                       ("Jr.", "III");
* ``canonical_last``   the gold's last name token is among the predicted speaker's tokens
                       (the shared scorer's ``canonical_ok`` rule).

Rates are over all items of the group (a missed quote counts as wrong), and
``*_of_found`` over the found ones. Non-speech gold items output as quotes are counted
too. ``--candidates`` prints the quoted spans the gold was drawn from (plain regex over
quote marks, deterministic sample, no quotetrack involved) with their context, for
labelling by hand; it writes nothing into the repository.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "benchmarks" / "canonical_gold.jsonl"
DEFAULT_CMD = ".venv/bin/quotetrack extract --json"
MENTION_KINDS = ("full", "title-name", "surname", "pronoun", "nominal", "follow-on", "none")


def shared_dir() -> Path:
    return Path(os.environ.get("QUOTETRACK_SHARED", REPO.parent / "shared"))


def corpora_dir() -> Path:
    return shared_dir() / "corpora"


def read_text(path: Path) -> str:
    # the same text as load_polnear.py reads (the corpora have no \r, so newline="" agrees)
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


# --------------------------------------------------------------------------- candidates

_PAIRS = {"curly": re.compile(r"\u201c([^\u201c\u201d\n]+?)\u201d"),
          "straight": re.compile(r'"([^"\n]+?)"'),
          "nyt": re.compile(r"''([^\n]+?)''")}
_VERBS = r"(?:said|says|say|added|adds|told|tells|wrote|writes|explained|stated|noted|asked|continued|tweeted|argued|declared|insisted|warned|replied|recalled)"
_HARD = {
    "pronoun": re.compile(rf"\b(?:he|she|they|it|He|She|They|It)\s+(?:\w+ly\s+)?{_VERBS}\b|\b{_VERBS}\s+(?:he|she|they)\b"),
    "nominal": re.compile(rf"\b(?:[Tt]he|[Aa]n?)\s+(?:[a-z][\w-]*\s+){{1,3}}{_VERBS}\b|\b{_VERBS}\s+(?:the|a|an)\s+[a-z]"),
    "surname": re.compile(rf"(?<![A-Z][a-z]\.\s)(?<![A-Z]\w\s)(?<![A-Z]\w\w\s)(?<![A-Z]\w\w\w\s)\b[A-Z][a-z]+(?:'s)?\s+{_VERBS}\b|\b{_VERBS}\s+[A-Z][a-z]+[,.]"),
}


def quote_spans(text: str, nyt: bool):
    """(start, end) of quoted words per paragraph, only where a paragraph's marks of one
    kind pair up; spans of 4+ words."""
    pos = 0
    for para in text.split("\n"):
        kinds = ("curly", "straight") + (("nyt",) if nyt else ())
        for kind in kinds:
            if kind == "curly" and para.count("\u201c") != para.count("\u201d"):
                continue
            if kind == "straight" and para.count('"') % 2:
                continue
            if kind == "nyt" and para.count("''") % 2:
                continue
            for m in _PAIRS[kind].finditer(para):
                if len(m.group(1).split()) >= 4:
                    yield pos + m.start(1), pos + m.end(1), kind
        pos += len(para) + 1


def classify(text: str, s: int, e: int) -> str:
    """A sampling weight hint from the words near the quote (regex only, no parse):
    "standalone" = at most two words of the paragraph lie outside quote marks (a bare
    quote, or one with just "he said"); then pronoun / nominal / surname cues; "plain"."""
    ps = text.rfind("\n", 0, s) + 1
    pe = text.find("\n", e)
    pe = len(text) if pe < 0 else pe
    para = text[ps:pe]
    outside = re.sub(r"[\u201c\"].*?[\u201d\"]|''.*?''", " ", para)
    if len(outside.split()) <= 2:
        return "standalone"
    near = text[max(ps, s - 70):s] + " " + text[e:min(pe, e + 70)]
    for kind, rx in _HARD.items():
        if rx.search(near):
            return kind
    return "plain"


def bare_paragraph(text: str, s: int, e: int) -> bool:
    """The quote's paragraph holds nothing but quotations (no attribution in it)."""
    ps = text.rfind("\n", 0, s) + 1
    pe = text.find("\n", e)
    para = text[ps:len(text) if pe < 0 else pe]
    outside = re.sub(r"[\u201c\"].*?[\u201d\"]|''.*?''", " ", para)
    return not re.search(r"\w", outside)


def candidate_files() -> list[tuple[str, Path]]:
    root = corpora_dir()
    out = [("wikinews", p) for p in sorted((root / "wikinews").glob("*.txt"))]
    out += [("polnear", p) for p in sorted((root / "polnear" / "dev" / "text").glob("*.txt"))]
    return out


def sample_candidates(per_source: int, seed: int, cap: int = 4, bare: int = 12) -> list[dict]:
    """``per_source`` quotes per source, hard cases weighted 2.5x, at most ``cap`` per
    article; then ``bare`` more per source among quotes whose paragraph holds nothing but
    quotations (the speaker comes from an earlier paragraph), with a second seed."""
    rng = random.Random(seed)
    pools = collections.defaultdict(list)
    for source, path in candidate_files():
        text = read_text(path)
        rel = path.relative_to(corpora_dir()).as_posix()
        first_body = text.find("\n") + 1  # the first line is the headline
        # Wikinews interview transcripts ("((WN)) question", "((Name)) answer" turns): a
        # turn is its speaker's words without marks, and the marks inside it enclose
        # speech within speech, often hypothetical; they are left out from the first turn on
        m = re.search(r"^\(\(", text, re.M)
        transcript = m.start() if m else len(text)
        for s, e, mark in quote_spans(text, nyt=source == "polnear"):
            if s < first_body:
                continue
            hard = classify(text, s, e)
            w = 1.0 if hard == "plain" else 2.5
            key = rng.random() ** (1 / w)
            if s >= transcript:
                continue
            pools[source].append(dict(file=rel, start=s, end=e, mark=mark, hint=hard, key=key,
                                      bare=bare_paragraph(text, s, e)))
    chosen = []
    rng2 = random.Random(seed + 1)
    for source in sorted(pools):
        per_file = collections.Counter()
        picked = []
        for c in sorted(pools[source], key=lambda c: -c["key"]):
            if per_file[c["file"]] >= cap:
                continue
            per_file[c["file"]] += 1
            picked.append(c)
            if len(picked) == per_source:
                break
        taken = {id(c) for c in picked}
        extra = [c for c in pools[source] if c["bare"] and id(c) not in taken]
        keys = {id(c): rng2.random() for c in extra}
        n = 0
        for c in sorted(extra, key=lambda c: keys[id(c)]):
            if n == bare:
                break
            if per_file[c["file"]] >= cap:
                continue
            per_file[c["file"]] += 1
            c["hint"] = "bare"
            picked.append(c)
            n += 1
        chosen += picked
    chosen.sort(key=lambda c: (c["file"], c["start"]))
    return chosen


def show_candidates(cands: list[dict], context_paras: int = 2) -> None:
    texts = {}
    for i, c in enumerate(cands):
        if c["file"] not in texts:
            texts[c["file"]] = read_text(corpora_dir() / c["file"])
        text = texts[c["file"]]
        s, e = c["start"], c["end"]
        ps = text.rfind("\n", 0, s) + 1
        pe = text.find("\n", e)
        pe = len(text) if pe < 0 else pe
        before = text[:ps].rstrip("\n").split("\n")
        before = [p for p in before if p.strip()][-context_paras:]
        print(f"=== #{i} {c['file']} {s}-{e} [{c['hint']}]")
        for p in before:
            print("   | " + p)
        print(" >>| " + text[ps:s] + "[[" + text[s:e] + "]]" + text[e:pe])
        print()


# --------------------------------------------------------------------------- scoring

_SUFFIX = {"jr", "sr", "ii", "iii", "iv"}


def fold(s: str | None) -> str:
    s = unicodedata.normalize("NFKD", s or "")
    return "".join(c for c in s if not unicodedata.combining(c)).lower()


def name_key(s: str | None) -> tuple[str, ...]:
    """Folded name tokens, without punctuation, middle initials and suffixes."""
    toks = re.findall(r"[a-z0-9]+", fold(s).replace("'", "").replace("\u2019", ""))
    toks = [t for t in toks if t not in _SUFFIX]
    if len(toks) > 2:
        toks = [toks[0]] + [t for t in toks[1:-1] if len(t) > 1] + [toks[-1]]
    return tuple(toks)


def last_ok(gold: str, pred: str | None) -> bool:
    last = fold(gold).split()[-1] if gold and gold.split() else ""
    return bool(last) and last in {fold(t) for t in re.findall(r"[\w'\-]+", pred or "")}


def ov(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def match(gold: list[dict], pred: list[dict]) -> dict[int, int]:
    """gold index -> pred index, greedy one-to-one by largest overlap share."""
    pairs = []
    for gi, g in enumerate(gold):
        gl = max(1, g["end"] - g["start"])
        for pi, p in enumerate(pred):
            o = ov((g["start"], g["end"]), (p["start"], p["end"]))
            pl = max(1, p["end"] - p["start"])
            if o and o / gl >= 0.5 and o / pl >= 0.5:
                pairs.append((o / gl, gi, pi))
    out, used = {}, set()
    for _, gi, pi in sorted(pairs, key=lambda t: (-t[0], t[1], t[2])):
        if gi in out or pi in used:
            continue
        out[gi] = pi
        used.add(pi)
    return out


def load_gold(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def run_cmd(cmd: str, files: list[str]) -> tuple[dict[str, list[dict]], float, int]:
    """Run CMD over copies of FILES (base names kept); predictions keyed by base name."""
    preds: dict[str, list[dict]] = collections.defaultdict(list)
    bad = 0
    with tempfile.TemporaryDirectory(prefix="canonical-") as td:
        paths = []
        for f in files:
            dst = os.path.join(td, os.path.basename(f))
            shutil.copyfile(corpora_dir() / f, dst)
            paths.append(dst)
        t0 = time.perf_counter()
        res = subprocess.run(shlex.split(cmd) + paths, capture_output=True, text=True, cwd=REPO)
        secs = time.perf_counter() - t0
    if res.returncode != 0:
        print(res.stderr[-2000:], file=sys.stderr)
        sys.exit(f"command failed with exit code {res.returncode}: {cmd}")
    for line in res.stdout.splitlines():
        if not line.strip():
            continue
        try:
            p = json.loads(line)
            preds[os.path.basename(p["path"])].append(p)
        except (ValueError, KeyError, TypeError):
            bad += 1
    return preds, secs, bad


def rate(n: int, d: int) -> float | None:
    return round(n / d, 3) if d else None


def summarise(rows: list[dict]) -> dict:
    n = len(rows)
    found = sum(r["found"] for r in rows)
    exact = sum(r["exact"] for r in rows)
    last = sum(r["last"] for r in rows)
    return dict(n=n, found=rate(found, n), canonical_exact=rate(exact, n), canonical_last=rate(last, n),
                exact_of_found=rate(exact, found), last_of_found=rate(last, found))


def score(gold: list[dict], preds: dict[str, list[dict]], texts: dict[str, str]):
    rows, errors = [], []
    nonspeech = dict(n=0, output=0)
    unnamed = dict(n=0, found=0, speaker_given=0)
    by_file = collections.defaultdict(list)
    for g in gold:
        by_file[g["file"]].append(g)
    for f, gs in by_file.items():
        pred = preds.get(os.path.basename(f), [])
        m = match(gs, pred)
        text = texts[f]
        for gi, g in enumerate(gs):
            p = pred[m[gi]] if gi in m else None
            if not g["speech"]:
                nonspeech["n"] += 1
                nonspeech["output"] += p is not None
                if p is not None:
                    errors.append(dict(error="non-speech output", **_err(g, p, text)))
                continue
            if not g["named"]:
                unnamed["n"] += 1
                unnamed["found"] += p is not None
                unnamed["speaker_given"] += bool(p and p.get("speaker"))
                continue
            # "A; B": a joint statement of several speakers, any one of them counts
            names = [n.strip() for n in g["speaker"].split(";") if n.strip()]
            pk = name_key(p.get("speaker")) if p else ()
            r = dict(source=g["file"].split("/")[0], kind=g["mention_kind"], found=p is not None,
                     exact=bool(p) and any(pk == name_key(n) for n in names),
                     last=bool(p) and any(last_ok(n, p.get("speaker")) for n in names))
            rows.append(r)
            if not r["exact"]:
                kind = "missed" if p is None else ("wrong speaker" if not r["last"] else "not exact")
                errors.append(dict(error=kind, **_err(g, p, text)))
    out = dict(overall=summarise(rows))
    for src in sorted({r["source"] for r in rows}):
        out[src] = summarise([r for r in rows if r["source"] == src])
    out["by_mention_kind"] = {k: summarise([r for r in rows if r["kind"] == k])
                              for k in MENTION_KINDS if any(r["kind"] == k for r in rows)}
    out["non_speech"] = nonspeech
    out["unnamed_speaker"] = unnamed
    return out, errors


def _err(g: dict, p: dict | None, text: str) -> dict:
    s, e = g["start"], g["end"]
    return dict(file=g["file"], start=s, end=e, quote=text[s:e][:200], gold_speaker=g["speaker"],
                gold_mention=g.get("mention"), mention_kind=g.get("mention_kind"),
                predicted_speaker=p.get("speaker") if p else None,
                predicted_mention=p.get("speaker_mention") if p else None,
                predicted_span=[p["start"], p["end"]] if p else None,
                method=p.get("method") if p else None,
                context=text[max(0, s - 400):min(len(text), e + 120)])


def print_table(res: dict) -> None:
    def line(name, d):
        f = lambda v: "  -  " if v is None else f"{v:5.3f}"
        print(f"{name:<12} {d['n']:>4}  {f(d['found'])}  {f(d['canonical_exact'])}  {f(d['canonical_last'])}"
              f"   {f(d['exact_of_found'])}  {f(d['last_of_found'])}")
    print(f"{'group':<12} {'n':>4}  found  exact  last    exact|found last|found")
    line("overall", res["overall"])
    for src in ("wikinews", "polnear"):
        if src in res:
            line(src, res[src])
    for k, d in res["by_mention_kind"].items():
        line("  " + k, d)
    ns, un = res["non_speech"], res["unnamed_speaker"]
    print(f"non-speech gold output as quotes: {ns['output']}/{ns['n']}; "
          f"unnamed speakers: {un['found']}/{un['n']} found, {un['speaker_given']} given a speaker name")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cmd", default=DEFAULT_CMD, help=f"extractor command (default: {DEFAULT_CMD!r})")
    ap.add_argument("--gold", default=str(GOLD))
    ap.add_argument("--errors", help="write every missed or wrong item with context here (JSON)")
    ap.add_argument("--json-out", help="write the figures here (JSON)")
    ap.add_argument("--candidates", action="store_true", help="print the sampled candidate quotes with context")
    ap.add_argument("--per-source", type=int, default=160)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    if not (corpora_dir() / "wikinews").is_dir() or not (corpora_dir() / "polnear" / "dev" / "text").is_dir():
        print(f"{corpora_dir()}: wikinews / PolNeAR dev not found (set QUOTETRACK_SHARED to the folder "
              f"holding corpora/); skipping.")
        sys.exit(0)
    if a.candidates:
        show_candidates(sample_candidates(a.per_source, a.seed))
        return
    gold = load_gold(Path(a.gold))
    files = sorted({g["file"] for g in gold})
    texts = {f: read_text(corpora_dir() / f) for f in files}
    bad_offsets = [g for g in gold if not texts[g["file"]][g["start"]:g["end"]].startswith(g["text"][:60])]
    if bad_offsets:
        sys.exit(f"{len(bad_offsets)} gold items do not match their file text, e.g. {bad_offsets[0]}")
    preds, secs, bad = run_cmd(a.cmd, files)
    res, errors = score(gold, preds, texts)
    summary = dict(set="canonical-gold", gold=len(gold), files=len(files), cmd=a.cmd,
                   predictions=sum(len(v) for v in preds.values()), unparsable_lines=bad,
                   seconds=round(secs, 1), **res)
    print(json.dumps(summary))
    print_table(res)
    if a.errors:
        with open(a.errors, "w", encoding="utf-8") as fh:
            json.dump(errors, fh, ensure_ascii=False, indent=1)
        print(f"{len(errors)} errors written to {a.errors}")
    if a.json_out:
        with open(a.json_out, "w", encoding="utf-8") as fh:
            json.dump(summary, fh, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
