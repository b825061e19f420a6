"""The record every extraction step hands on: one quotation with its speaker.

It lives in its own module because sources, pipeline, store and CLI all speak it.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass


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
