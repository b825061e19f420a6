"""Publication dates as the sources write them, read as ISO days."""
from __future__ import annotations

import datetime as _dt
import re


# --------------------------------------------------------------------------- dates

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|rsday|urday)?\.?,?"
_DATE_RES = [
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)"),
    re.compile(_MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})(?!\d)", re.I),
    re.compile(r"(?<!\d)(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+(?P<y>\d{4})(?!\d)", re.I),
    re.compile(r"(?<![\d/])(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}|\d{2})(?![\d/])"),
]
# A line that is nothing but a date (page display date, Wikinews dateline): "Tuesday, April 30, 2024".
_DATE_LINE = re.compile(
    r"(?:" + _WEEKDAY + r"\s*)?(?:"
    r"\d{4}-\d{1,2}-\d{1,2}"
    r"|" + _MONTH.replace("?P<mon>", "?:") + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTH.replace("?P<mon>", "?:") + r",?\s+\d{4}"
    r"|\d{1,2}/\d{1,2}/\d{4}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTH.replace("?P<mon>", "?:") +
    r"|" + _MONTH.replace("?P<mon>", "?:") + r"\s+\d{1,2}(?:st|nd|rd|th)?"
    r")(?:\s*(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?)?\s*",
    re.I,
)


EARLIEST_YEAR = 1800   # earlier "publication dates" are placeholders of a content system


def _placeholder_date(s: str) -> bool:
    """ "0001-11-30": an ISO date with a year no article was published in."""
    m = re.match(r"\s*(\d{1,4})-\d{1,2}-\d{1,2}", s)
    return m is not None and int(m.group(1)) < EARLIEST_YEAR


def parse_date(s: str | None) -> str | None:
    """The first date in ``s`` as ISO ``YYYY-MM-DD``, or None."""
    if not s:
        return None
    best = None
    for rx in _DATE_RES:
        m = rx.search(s)
        if not m or (best and m.start() >= best[0]):
            continue
        g = m.groupdict()
        try:
            year = int(g["y"])
            if len(g["y"]) == 2:       # "10/18/16": a content system's short year
                year += 2000 if year <= _dt.date.today().year % 100 + 1 else 1900
            day = int(g["d"])
            if g.get("mon"):
                month = _MONTHS[g["mon"].lower()[:3]]
            else:
                month = int(g["m"])
                if rx is _DATE_RES[3] and month > 12 >= day:   # 31/12/2023: day first
                    month, day = day, month
            if year < EARLIEST_YEAR:
                continue   # "0001-11-30": a placeholder, not a publication date
            iso = _dt.date(year, month, day).isoformat()
        except (ValueError, KeyError):
            continue
        best = (m.start(), iso)
    return best[1] if best else None


def publication_date(s: str | None) -> str | None:
    """A date given as metadata (a JSON Lines field, a metadata file's column): its ISO
    day, else as written, but no date for a content system's placeholder ("0001-11-30")."""
    if not s:
        return None
    return parse_date(s) or (None if _placeholder_date(s) else s)


_NAME_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?![\d])")


def date_in_name(name: str) -> str | None:
    """The date a file name starts with ("2019-10-09-storm-hits-coast.txt"), as an ISO day."""
    m = _NAME_DATE.match(name)
    return parse_date(m.group(1)) if m else None
