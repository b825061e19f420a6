"""Dates as the database stores them (ISO strings) turned into calendar days."""
from __future__ import annotations

import datetime


def day(value) -> datetime.date | None:
    """The calendar day of a stored date ("2023-09-05", "2023-09-05T10:00:00Z"), or None."""
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
