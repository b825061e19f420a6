"""Dates as the database stores them (ISO strings) turned into calendar days."""
from __future__ import annotations

import datetime


def day(value) -> datetime.date | None:
    """The calendar day of a stored date ("2023-09-05", "2023-09-05T10:00:00Z"), or None."""
    if not value:
        return None
    try:
        found = datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
    # date windows reach a year either side: a placeholder year 1 has no such neighbours
    return found if datetime.MINYEAR + 1 < found.year < datetime.MAXYEAR - 1 else None
