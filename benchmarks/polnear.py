"""Read PolNeAR (Newell, Margolin & Ruths, LREC 2018) as gold data for direct quotations.

The corpus is never copied into the repository: it is read from
``../shared/corpora/polnear/`` next to the repository root, or from
``$QUOTETRACK_SHARED/corpora/polnear/`` when that environment variable is set.

PolNeAR annotates *all* attributions (direct and indirect) in BRAT standoff:

* ``T`` lines: ``Tn<TAB>Label start end[;start end...]<TAB>text`` with labels
  ``Source``, ``Cue``, ``Content`` (plus an ``Attribution`` /
  ``Attribution-no-source`` anchor span and ``Discuss`` / ``Discard`` notes).
  Offsets are character offsets into the UTF-8 decoded ``text/*.txt`` file;
  ``;`` separates the pieces of a discontinuous span.
* ``E`` lines tie one attribution together:
  ``En<TAB>Attribution:Ta Content:Tb Cue:Tc Source:Td`` (roles in any order;
  ``Attribution-no-source:`` when there is no Source; a handful add
  ``Content2:`` for a second content span of the same attribution).

A *gold item* is one quoted piece of an attribution's Content: see
:func:`quote_segments` and :func:`gold_items` for the exact rules.
"""
from __future__ import annotations

import csv
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ENV_VAR = "QUOTETRACK_SHARED"

# A quote segment counts as (part of) an attribution's content when at least this
# share of its characters lies inside the attribution's Content span(s).
MIN_CONTENT_COVERAGE = 0.5


# --------------------------------------------------------------------------- paths

def shared_dir() -> Path:
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return Path(__file__).resolve().parents[1].parent / "shared"


def polnear_dir() -> Path:
    return shared_dir() / "corpora" / "polnear"


def require_polnear(split: str) -> Path:
    """Return the PolNeAR folder or exit with a readable message."""
    root = polnear_dir()
    text_dir = root / split / "text"
    if not (root / "metadata.tsv").is_file() or not text_dir.is_dir():
        sys.exit(
            f"PolNeAR corpus not found: expected {root}/metadata.tsv and {text_dir}/.\n"
            f"Put the shared data next to the repository (../shared/corpora/polnear/) "
            f"or set {ENV_VAR} to the folder that contains corpora/polnear/."
        )
    return root


# --------------------------------------------------------------------------- BRAT

@dataclass
class Entity:
    id: str
    label: str
    spans: list[tuple[int, int]]
    text: str

    @property
    def start(self) -> int:
        return min(s for s, _ in self.spans)

    @property
    def end(self) -> int:
        return max(e for _, e in self.spans)


@dataclass
class Attribution:
    id: str
    kind: str                      # "Attribution" or "Attribution-no-source"
    content: list[Entity]
    source: list[Entity]
    cue: list[Entity]

    @property
    def content_spans(self) -> list[tuple[int, int]]:
        return [sp for ent in self.content for sp in ent.spans]

    @property
    def source_spans(self) -> list[tuple[int, int]]:
        return [sp for ent in self.source for sp in ent.spans]

    @property
    def source_text(self) -> str:
        return " ".join(ent.text for ent in self.source)


REPORTING_WORDS = {"said", "says", "say", "told", "tells", "added", "adds", "wrote", "writes",
                   "stated", "asked", "noted", "explained", "according to"}


def parse_ann(path: Path) -> tuple[dict[str, Entity], list[Attribution]]:
    entities: dict[str, Entity] = {}
    events: list[tuple[str, list[tuple[str, str]]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 2:
            label, _, offsets = parts[1].partition(" ")
            spans = []
            for piece in offsets.split(";"):
                a, b = piece.split()
                spans.append((int(a), int(b)))
            entities[parts[0]] = Entity(parts[0], label, spans, parts[2] if len(parts) > 2 else "")
        elif line.startswith("E") and len(parts) >= 2:
            roles = [tuple(r.split(":", 1)) for r in parts[1].split() if ":" in r]
            events.append((parts[0], roles))  # type: ignore[arg-type]
        # R / A / # lines do not occur in PolNeAR; ignored if present.
    attributions = []
    for eid, roles in events:
        kind = roles[0][0] if roles else "Attribution"
        content, source, cue = [], [], []
        for role, tid in roles:
            ent = entities.get(tid)
            if ent is None:
                continue
            base = role.rstrip("0123456789")      # Content2 -> Content
            if base == "Content":
                content.append(ent)
            elif base == "Source":
                source.append(ent)
            elif base == "Cue":
                cue.append(ent)
        # A few annotations swap the labels ("said" as Source, "David Plouffe" as Cue):
        # repair when the Source is a bare reporting verb and the Cue is not.
        if (source and cue and all(e.text.strip().lower() in REPORTING_WORDS for e in source)
                and not any(e.text.strip().lower() in REPORTING_WORDS for e in cue)):
            source, cue = cue, source
        attributions.append(Attribution(eid, kind, content, source, cue))
    return entities, attributions


# --------------------------------------------------------------------------- quote marks

_LETTER = re.compile(r"\w")
_MARK = re.compile(r"''|[“”\"‘’']")  # '' is the NYT archive's straight double quote
_OPEN_CONTEXT = set(" \t\n([{—–-/“\"‘'")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Non-empty lines of the text (PolNeAR has one paragraph per line)."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            spans.append((pos, end))
        pos = end + 1
    return spans


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@dataclass
class QuoteSegment:
    start: int            # first character inside the marks
    end: int              # one past the last character inside the marks
    open_mark: str
    closed: bool          # False: the paragraph ended before a closing mark


def quote_segments(text: str) -> list[QuoteSegment]:
    """Top-level quoted segments, one paragraph at a time, without the marks.

    * “ opens and ” closes (back to the matching opener, closing any nested
      quote left open).  Mixed-up pairs “…", "…”, “…“ and ”…” are accepted,
      judged by context (an opener follows a space / bracket / dash, a closer
      follows a non-space and precedes a non-letter).
    * straight " (and '' as the NYT archive writes it) closes when the same mark
      is open, else opens; a " that can only
      be a closer (``systems" including``) with nothing open is ignored.
    * ‘ and straight ' open only after a space / bracket / dash / other quote mark
      and before a non-space; ’ and ' close an open single quote only when not
      followed by a letter or digit (so don’t, Clinton’s, ’90s are apostrophes).
    * quotes nested inside a quote are part of the outer segment.
    * a quote still open at the end of its paragraph (the multi-paragraph
      convention, where each paragraph reopens and only the last closes, or a
      plain unbalanced mark) runs to the end of the paragraph; nothing carries
      over to the next paragraph.
    """
    out: list[QuoteSegment] = []
    for p_start, p_end in paragraphs(text):
        stack: list[tuple[str, int]] = []   # (mark, position just after the mark)
        for m in _MARK.finditer(text, p_start, p_end):
            ch, i, j = m.group(0), m.start(), m.end()
            prev = text[i - 1] if i > p_start else " "
            nxt = text[j] if j < p_end else " "
            closing_pos = None
            looks_open = prev in _OPEN_CONTEXT and not nxt.isspace()
            looks_close = not prev.isspace() and not _LETTER.match(nxt)
            dbl = next((k for k in range(len(stack) - 1, -1, -1) if stack[k][0] in ("“", "”", '"', "''")), None)
            if ch == "“":
                if dbl is not None and stack[dbl][0] == "“" and looks_close and not looks_open:
                    closing_pos = dbl                 # “…“ typo for “…”
                else:
                    stack.append((ch, j))
            elif ch == "”":
                if dbl is not None:
                    closing_pos = dbl                 # also "…” (mixed-up marks)
                elif looks_open and not looks_close:
                    stack.append((ch, j))             # ”…” used as both marks
            elif ch in ('"', "''"):
                straight = next((k for k in range(len(stack) - 1, -1, -1) if stack[k][0] == ch), None)
                if straight is not None:
                    closing_pos = straight
                elif dbl is not None and looks_close and not looks_open:
                    closing_pos = dbl                 # “…" (mixed-up marks)
                elif looks_close and not looks_open and not stack:
                    pass                              # orphan closing mark: its opener is lost
                else:
                    stack.append((ch, j))
            else:  # single quotes / apostrophes
                is_open_ch = ch in "‘'"
                is_close_ch = ch in "’'"
                idx = next((k for k in range(len(stack) - 1, -1, -1) if stack[k][0] in "‘'"), None)
                if (is_close_ch and idx is not None and not _LETTER.match(nxt)
                        and not prev.isspace()
                        and (ch == "’" or stack[idx][0] == "'")):
                    closing_pos = idx
                elif is_open_ch and (prev in _OPEN_CONTEXT) and not nxt.isspace():
                    if ch == "'" and not stack:
                        # a top-level straight ' opens only if it closes in this paragraph
                        rest = text[j:p_end]
                        if not re.search(r"(?<=\S)'(?!\w)", rest):
                            continue
                    stack.append((ch, j))
            if closing_pos is not None:
                if closing_pos == 0:
                    mark, o = stack[0]
                    s, e = _strip(text, o, i)
                    if e > s:
                        out.append(QuoteSegment(s, e, mark, True))
                del stack[closing_pos:]
        if stack:
            mark, o = stack[0]
            s, e = _strip(text, o, p_end)
            if e > s:
                out.append(QuoteSegment(s, e, mark, False))
    return out


# --------------------------------------------------------------------------- gold items

@dataclass
class GoldItem:
    start: int
    end: int
    text: str
    source_spans: list[tuple[int, int]]
    source_text: str | None            # None for Attribution-no-source
    cue_text: str
    attribution: str                   # E id
    kind: str                          # "direct" (quote ≈ whole content) or "mixed"
    closed: bool                       # closing mark found in the same paragraph
    # for pronoun sources ("he", "she said"): candidate names it stands for, see
    # _resolve_pronoun_sources and add_entity_antecedents
    antecedents: list[str] = field(default_factory=list)

    @property
    def pronoun_source(self) -> bool:
        return is_pronoun(self.source_text)


@dataclass
class GoldDoc:
    name: str                           # file name without .txt
    path: Path
    text: str
    publisher: str
    annotator: str
    primary_annotator: str
    items: list[GoldItem] = field(default_factory=list)

    @property
    def used_fallback(self) -> bool:
        return self.annotator != self.primary_annotator

    @property
    def words(self) -> int:
        return len(self.text.split())


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


_MARKS_PUNCT = re.compile(r"[\s“”\"‘’'.,;:!?—–\-()\[\]…]+")


def _core_len(text: str, spans) -> int:
    return sum(len(_MARKS_PUNCT.sub("", text[a:b])) for a, b in spans)


def gold_items(text: str, attributions: list[Attribution]) -> list[GoldItem]:
    """Quoted pieces of attributions' Content spans.

    Each top-level quote segment of the text (see :func:`quote_segments`) becomes
    one gold item when at least half of its characters lie inside the Content
    span(s) of some attribution.  Content spans may or may not include the marks,
    a trailing comma, or the lead-in words of a mixed quote; the gold span is
    always the whole quote segment (marks excluded), not clipped to the content.
    When several attributions cover a segment (an attribution nested inside a
    quote, e.g. “Clinton said she would raise taxes,” Trump said), the one whose
    content covers most of it wins, ties going to the longer content (the outer
    one).  Quote segments outside every Content (titles, scare quotes nobody is
    reported as saying) and contents without quote marks (indirect speech)
    give no gold item.
    """
    items: list[GoldItem] = []
    segments = quote_segments(text)
    for seg in segments:
        best = None
        for att in attributions:
            spans = att.content_spans
            if not spans:
                continue
            cov = sum(_overlap((seg.start, seg.end), sp) for sp in spans)
            if cov < MIN_CONTENT_COVERAGE * (seg.end - seg.start):
                continue
            key = (cov, sum(b - a for a, b in spans))
            if best is None or key > best[0]:
                best = (key, att)
        if best is None:
            continue
        att = best[1]
        # direct: the quote is (nearly) all of the content piece(s) it lies in;
        # mixed: those pieces also hold unquoted words ("called it a ''disaster''")
        pieces = [sp for sp in att.content_spans if _overlap((seg.start, seg.end), sp)]
        content_core = _core_len(text, pieces)
        quoted_core = 0
        for seg2 in segments:
            for sp in pieces:
                ov = (max(seg2.start, sp[0]), min(seg2.end, sp[1]))
                if ov[1] > ov[0]:
                    quoted_core += _core_len(text, [ov])
        kind = "direct" if quoted_core >= 0.9 * content_core else "mixed"
        items.append(GoldItem(
            start=seg.start, end=seg.end, text=text[seg.start:seg.end],
            source_spans=att.source_spans,
            source_text=att.source_text if att.source else None,
            cue_text=" ".join(c.text for c in att.cue),
            attribution=att.id, kind=kind, closed=seg.closed,
        ))
    _resolve_pronoun_sources(items, attributions)
    return items


# --------------------------------------------------------------------------- names

PRONOUNS = {
    "i", "me", "my", "mine", "we", "us", "our", "ours", "you", "your", "yours",
    "he", "him", "his", "she", "her", "hers", "it", "its", "they", "them", "their",
    "theirs", "who", "whom", "whose", "which", "that", "this", "these", "those",
    "himself", "herself", "itself", "themselves", "ourselves", "myself", "one",
}
STOPWORDS = PRONOUNS | {
    "the", "a", "an", "of", "and", "or", "in", "on", "at", "for", "to", "from", "by",
    "with", "as", "s", "said", "says", "say", "told", "according", "also", "who", "both",
    "all", "some", "many", "other", "another", "new",
    # titles and roles
    "mr", "mrs", "ms", "miss", "dr", "prof", "rev", "sir", "jr", "sr", "hon",
    "president", "vice", "former", "presidential", "sen", "senator", "rep", "representative",
    "gov", "governor", "mayor", "secretary", "state", "gen", "general", "lt", "col", "sgt",
    "chairman", "chairwoman", "chair", "spokesman", "spokeswoman", "spokesperson",
    "candidate", "nominee", "leader", "director", "chief", "officer", "press", "speaker",
    "attorney", "judge", "justice", "u", "us", "usa", "america", "american", "democratic",
    "republican", "democrat", "democrats", "republicans", "gop", "party", "campaign",
    "official", "officials", "source", "sources", "aide", "aides", "adviser", "advisers",
    "advisor", "advisors", "staff", "team", "supporters", "critics", "experts", "analysts",
    "voters", "people", "group", "statement", "report", "reports", "poll", "survey",
    "nominee", "running", "mate", "executive", "manager", "senior", "top",
}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)


def name_tokens(text: str | None, capitalised_only: bool = True) -> set[str]:
    """Lower-cased name-like tokens: capitalised words minus stopwords, titles, roles, pronouns.

    Possessive 's is dropped (Clinton's -> clinton); parentheses such as "(R-Fla.)" are ignored.
    """
    if not text:
        return set()
    text = re.sub(r"\([^)]*\)", " ", text)          # "(R-Fla.)" is not a name
    out = set()
    for m in _WORD.finditer(text):
        w = m.group(0)
        w = re.sub(r"['’]s$", "", w)
        if capitalised_only and not w[:1].isupper():
            continue
        lw = w.lower()
        if len(lw) < 2 or lw in STOPWORDS:
            continue
        out.add(lw)
    return out


def is_pronoun(text: str | None) -> bool:
    if not text:
        return False
    words = [w.lower() for w in _WORD.findall(text)]
    return bool(words) and any(w in PRONOUNS for w in words) and not name_tokens(text)


def _resolve_pronoun_sources(items: list[GoldItem], attributions: list[Attribution]) -> None:
    """Gold-side stand-in for coreference, part 1: a pronoun source ("he", "she
    said") may stand for the nearest preceding gold Source (any attribution of
    the document) that has name tokens."""
    named = sorted(
        (sp[0], att.source_text)
        for att in attributions if att.source and name_tokens(att.source_text)
        for sp in att.source_spans[:1]
    )
    for it in items:
        if not is_pronoun(it.source_text) or not it.source_spans:
            continue
        pos = it.source_spans[0][0]
        before = [t for s, t in named if s < pos]
        if before:
            it.antecedents.append(before[-1])


PERSON_PRONOUNS = {"he", "him", "his", "himself", "she", "her", "hers", "herself",
                   "who", "whom", "whose", "i", "me", "my"}


def add_entity_antecedents(doc: GoldDoc, ents: list[tuple[int, int, str, str]]) -> None:
    """Gold-side stand-in for coreference, part 2: a pronoun source may also stand
    for the nearest named entity ending before it (spaCy NER: PERSON for he / she /
    who / I, PERSON / ORG / GPE / NORP for it / they / which ...).  ``ents`` are
    (start_char, end_char, label, text) of the document's entities."""
    for it in doc.items:
        if not it.pronoun_source or not it.source_spans:
            continue
        pos = it.source_spans[0][0]
        words = {w.lower() for w in _WORD.findall(it.source_text or "")}
        labels = {"PERSON"} if words & PERSON_PRONOUNS else {"PERSON", "ORG", "GPE", "NORP"}
        best = None
        for start, end, label, text in ents:
            if end <= pos and label in labels and name_tokens(text):
                best = text
        if best and best not in it.antecedents:
            it.antecedents.append(best)


# --------------------------------------------------------------------------- corpus

def read_metadata(root: Path) -> dict[str, dict[str, str]]:
    with open(root / "metadata.tsv", encoding="utf-8", newline="") as fh:
        return {row["filename"]: row for row in csv.DictReader(fh, delimiter="\t")}


def load_split(split: str = "dev", limit: int | None = None) -> tuple[list[GoldDoc], dict]:
    """Gold documents of a split, plus notes (missing annotations, fallbacks)."""
    root = require_polnear(split)
    meta = read_metadata(root)
    text_dir = root / split / "text"
    att_dir = root / split / "attributions"
    docs: list[GoldDoc] = []
    notes = {"fallback_annotator": [], "no_annotation": [], "no_metadata": []}
    files = sorted(text_dir.glob("*.txt"))
    if limit:
        files = files[:limit]
    for path in files:
        name = path.stem
        row = meta.get(name)
        if row is None:
            notes["no_metadata"].append(name)
            annotators, publisher = [], name.split("_", 1)[0]
        else:
            annotators = [a for a in row.get("annotators", "").split("|") if a and a != "None"]
            publisher = row.get("publisher") or name.split("_", 1)[0]
        existing = [a for a in annotators if (att_dir / f"{name}_{a}.ann").is_file()]
        if not existing:  # annotator not listed in metadata: take any file for this article
            existing = sorted(p.stem[len(name) + 1:] for p in att_dir.glob(f"{name}_*.ann"))
        primary = annotators[0] if annotators else (existing[0] if existing else "")
        text = path.read_bytes().decode("utf-8")
        if not existing:
            notes["no_annotation"].append(name)
            docs.append(GoldDoc(name, path, text, publisher, "", primary, []))
            continue
        annotator = primary if primary in existing else existing[0]
        if annotator != primary:
            notes["fallback_annotator"].append(f"{name}: {primary} -> {annotator}")
        _, atts = parse_ann(att_dir / f"{name}_{annotator}.ann")
        docs.append(GoldDoc(name, path, text, publisher, annotator, primary, gold_items(text, atts)))
    return docs, notes


if __name__ == "__main__":  # python benchmarks/polnear.py [split] [file-stem]: print gold items
    split = sys.argv[1] if len(sys.argv) > 1 else "dev"
    docs, notes = load_split(split)
    if len(sys.argv) > 2:
        docs = [d for d in docs if d.name.startswith(sys.argv[2])]
    for d in docs:
        print(f"== {d.name} [{d.publisher}, annotator {d.annotator}] {len(d.items)} items")
        for it in d.items:
            flag = "" if it.closed else " (unclosed)"
            print(f"  {it.start}-{it.end} {it.kind}{flag} src={it.source_text!r}"
                  f"{' ~ ' + repr(it.antecedents) if it.antecedents else ''}\n    {it.text[:160]!r}")
    print(f"{len(docs)} docs, {sum(len(d.items) for d in docs)} gold items; notes: "
          + ", ".join(f"{k}={len(v)}" for k, v in notes.items()))
