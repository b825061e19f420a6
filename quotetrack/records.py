"""The records every step hands on: an article as read from its source, and one
quotation with its speaker.

They live in their own module, which imports nothing of quotetrack, because sources,
extraction, store, ingest and CLI all speak them.
"""
from __future__ import annotations

import functools
import hashlib
import unicodedata
from dataclasses import asdict, dataclass, field


# Quoted strings somebody said (or may have said); the other kinds are titles of
# works, nicknames and scare quotes ("title", "nickname", "term").
SPEECH_KINDS = frozenset({"direct", "partial", "unattributed"})


@dataclass
class Quote:
    start: int                       # offsets of the quoted words (marks excluded) in Article.text
    end: int
    text: str                        # == article.text[start:end]
    kind: str = "direct"             # direct | partial (inside reported speech) | unattributed | title | nickname | term
    speaker: str | None = None       # canonical name within the article (pronoun/surname resolved)
    speaker_kind: str | None = None  # person | organisation | None
    speaker_mention: str | None = None   # the mention as written next to the quote
    speaker_start: int | None = None
    speaker_end: int | None = None
    cue: str | None = None           # the speech verb or phrase ("said", "according to", "read")
    cue_start: int | None = None
    cue_end: int | None = None
    confidence: float = 0.0          # 0..1, how sure the attribution is
    method: str | None = None        # which rule attributed it (for debugging and filtering)

    @property
    def is_speech(self) -> bool:
        return self.kind in SPEECH_KINDS

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Article:
    path: str                      # file the article came from (a .jsonl file for records)
    text: str                      # decoded original text; all offsets point into it
    paragraphs: list[tuple[int, int]] = field(default_factory=list)  # body paragraphs (start, end) in text, furniture removed
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    published: str | None = None   # ISO date YYYY-MM-DD (or full ISO timestamp) of publication, never a page's display date
    url: str | None = None
    record_id: str | None = None   # "id" field of a JSON Lines record
    line: int | None = None        # 1-based line number of a JSON Lines record
    encoding: str = "utf-8"
    # (start, end) of the headline line in ``text`` when the text carries one (not part of
    # ``paragraphs``); headlines can hold attributions ("Sanders: ... 'candidate of ...'").
    title_span: tuple[int, int] | None = None

    @property
    def where(self) -> str:
        """Where it came from, for error lines: ``path``, or ``path:line`` for a JSON Lines record."""
        return f"{self.path}:{self.line}" if self.line else self.path

    @property
    def body(self) -> str:
        """The body paragraphs joined with newlines (furniture removed)."""
        return "\n".join(self.text[s:e] for s, e in self.paragraphs)

    @functools.cached_property
    def content_hash(self) -> str:
        """Identity of an article: its body text, whitespace-normalised, not its path."""
        if self.paragraphs:
            body = "\n".join(" ".join(self.text[s:e].split()) for s, e in self.paragraphs)
        else:
            body = " ".join(self.text.split())
        body = unicodedata.normalize("NFC", body)
        return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass
class Original:
    """A statement as its speaker published it (a ministry's communiqué, a speech's
    transcript), in its own language: ``quotetrack originals add``, or a JSON Lines
    record marked ``"original": true``. The news quotes render its sentences."""
    path: str
    text: str
    speaker: str | None = None
    published: str | None = None   # ISO date YYYY-MM-DD
    lang: str | None = None        # ISO 639-1 code; guessed when None
    url: str | None = None
    title: str | None = None
    line: int | None = None        # 1-based line number of a JSON Lines record

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    @property
    def content_hash(self) -> str:
        """Identity of an original: its text, whitespace-normalised."""
        body = unicodedata.normalize("NFC", " ".join(self.text.split()))
        return hashlib.sha256(body.encode("utf-8")).hexdigest()
