"""Cell parsers for the spellings real catalog files use for one value.

Files written by hand, by pandas or through Excel spell a key as `C#/Db`, a mode as `Minor`, a 4/4 time
signature as `4 beats` or (mangled into a date by Excel) `4-Apr`, a release date in four layouts, and a
duration as milliseconds or `m:ss`. Each parser takes a CSV text or an already typed Parquet value and
returns None for "missing"; it raises RowError for a value it cannot read.
"""

from __future__ import annotations

import ast
import math
import re
from datetime import date

from musicflow.features.catalog_formats.read_report import RowError

Cell = object  # str from CSV; int, float, bool, str or None from Parquet
DateParts = tuple[int | None, int | None, int | None]

MISSING_TEXTS = frozenset({"", "na", "n/a", "nan", "null", "none", "-"})
_NOTES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_MONTHS = {
    name: n
    for n, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")
_NOTE = re.compile(r"^([A-G])\s*([#♯b♭]?)(?:\s*/.*)?(?:\s+(?:major|minor|maj|min))?$", re.IGNORECASE)
_BEATS = re.compile(r"^(\d)\s*(?:beats?)?$", re.IGNORECASE)
_FRACTION = re.compile(r"^(\d)\s*/\s*4$")
_EXCEL_DATE = re.compile(r"^(\d{1,2})-([A-Za-z]{3})$")
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})(?:\.(\d+))?$")
_SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{22}$")
_ID_IN_TEXT = re.compile(r"(?:spotify:track:|open\.spotify\.com/(?:intl-[a-z]+/)?track/)([0-9A-Za-z]{22})")
_TWO_DIGIT_YEAR_PIVOT = date.today().year % 100 + 1  # "8/16/24" is 2024; "5/1/67" is 1967


def text_of(cell: Cell) -> str | None:
    """The cell as stripped text, None when it is one of the usual spellings of "missing"."""
    if cell is None:
        return None
    if isinstance(cell, float) and math.isnan(cell):
        return None
    text = str(cell).strip()
    return None if text.casefold() in MISSING_TEXTS else text


def number(cell: Cell, column: str) -> int | float | None:
    """An int when the text is a whole number (so INT features stay ints), else a float."""
    if isinstance(cell, bool):
        return int(cell)
    if isinstance(cell, int | float):
        return None if isinstance(cell, float) and math.isnan(cell) else cell
    text = text_of(cell)
    if text is None:
        return None
    if _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise RowError(f"not a number in '{column}'", f"'{column}' is not a number: {text[:30]!r}") from None


def pitch_class(cell: Cell, column: str) -> int | None:
    """A key as 0-11 (or -1), from a number or a note name: `C`, `C#`, `Db`, `C#/Db`, `A minor`."""
    text = text_of(cell)
    if text is None or not re.search(r"[A-Ga-g]", text):
        value = number(cell, column)
        return None if value is None else _whole(value, column)
    match = _NOTE.match(text)
    if not match:
        raise RowError(f"unknown key in '{column}'", f"'{column}' is not a key: {text[:30]!r}")
    base = _NOTES[match.group(1).upper()]
    accidental = match.group(2)
    shift = 1 if accidental in ("#", "♯") else -1 if accidental in ("b", "♭") else 0
    return (base + shift) % 12


def major_minor(cell: Cell, column: str) -> int | None:
    """Mode as 1 (major) or 0 (minor), from 1/0 or the words."""
    text = text_of(cell)
    if text is None:
        return None
    word = text.casefold()
    if word in ("major", "maj"):
        return 1
    if word in ("minor", "min"):
        return 0
    value = number(cell, column)
    return None if value is None else _whole(value, column)


def beats_per_bar(cell: Cell, column: str) -> int | None:
    """Time signature as beats per bar, from `4`, `4 beats`, `3/4`, or Excel's dates `4-Mar`, `03-Apr`.

    Excel read "3/4" as a date and wrote it back as either `4-Mar` (month 3, day 4) or `03-Apr` (day 3,
    month 4), depending on the locale: one of day and month is the 4 of "/4", the other is the beats.
    """
    text = text_of(cell)
    if text is None:
        return None
    for pattern in (_BEATS, _FRACTION):
        match = pattern.match(text)
        if match:
            return int(match.group(1))
    excel = _EXCEL_DATE.match(text)
    if excel and excel.group(2).casefold() in _MONTHS:
        day, month = int(excel.group(1)), _MONTHS[excel.group(2).casefold()]
        if month == 4:
            return day
        if day == 4:
            return month
    value = number(cell, column)
    return None if value is None else _whole(value, column)


def milliseconds(cell: Cell, column: str) -> int | None:
    """A duration in ms, from a number of ms or a clock text `m:ss` / `h:mm:ss`."""
    text = text_of(cell)
    if text is not None and ":" in text:
        match = _CLOCK.match(text)
        if not match:
            raise RowError(f"bad duration in '{column}'", f"'{column}' is not a duration: {text[:30]!r}")
        hours, minutes, seconds, fraction = match.groups()
        total = (int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)
        return total * 1000 + (int(fraction[:3].ljust(3, "0")) if fraction else 0)
    value = number(cell, column)
    return None if value is None else round(value)


def true_false(cell: Cell, column: str) -> bool | None:
    """A flag from true/false, 1/0, yes/no."""
    if isinstance(cell, bool):
        return cell
    text = text_of(cell)
    if text is None:
        return None
    word = text.casefold()
    if word in ("true", "1", "yes", "y", "t", "1.0"):
        return True
    if word in ("false", "0", "no", "n", "f", "0.0"):
        return False
    raise RowError(f"not true/false in '{column}'", f"'{column}' is not true or false: {text[:30]!r}")


def release_date(cell: Cell, column: str) -> DateParts:
    """Year, month and day from `YYYY-MM-DD`, `YYYY-MM`, `YYYY`, `DD-MM-YYYY` or US `M/D/YY(YY)`."""
    if isinstance(cell, date):
        return cell.year, cell.month, cell.day
    text = text_of(cell)
    if text is None:
        return None, None, None
    text = text.split("T")[0].split(" ")[0]
    try:
        parts = _date_parts(text)
    except ValueError:
        raise RowError(f"bad date in '{column}'", f"'{column}' is not a date: {text[:30]!r}") from None
    return parts


def _date_parts(text: str) -> tuple[int, int | None, int | None]:
    if "/" in text:
        month_text, day_text, year_text = text.split("/")
        year = int(year_text)
        if len(year_text) <= 2:
            year += 2000 if year < _TWO_DIGIT_YEAR_PIVOT else 1900
        return _checked_date(year, int(month_text), int(day_text))
    pieces = text.split("-")
    if len(pieces) == 3 and len(pieces[2]) == 4:  # DD-MM-YYYY, as Excel rewrote it
        return _checked_date(int(pieces[2]), int(pieces[1]), int(pieces[0]))
    if len(pieces[0]) != 4 or len(pieces) > 3:
        raise ValueError(text)
    year = int(pieces[0])
    month = int(pieces[1]) if len(pieces) > 1 else None
    day = int(pieces[2]) if len(pieces) > 2 else None
    date(year, month or 1, day or 1)  # 2021-02-30 or month 13 is a bad date, not a quirk
    return year, month, day


def _checked_date(year: int, month: int, day: int) -> tuple[int, int, int]:
    date(year, month, day)
    return year, month, day


def spotify_id(cell: Cell, column: str) -> str | None:
    """A bare track id from a bare id, a `spotify:track:` URI or an open.spotify.com link."""
    text = text_of(cell)
    if text is None:
        return None
    if _SPOTIFY_ID.match(text):
        return text
    match = _ID_IN_TEXT.search(text)
    if match:
        return match.group(1)
    raise RowError(f"bad Spotify id in '{column}'", f"'{column}' is not a Spotify track id: {text[:40]!r}")


def list_literal(text: str) -> list[str] | None:
    """Names from a Python list literal such as `['A', "B's"]` (pandas wrote lists that way)."""
    if not (text.startswith("[") and text.endswith("]")):
        return None
    try:
        parsed = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None
    if not isinstance(parsed, list):
        return None
    return [str(name).strip() for name in parsed if str(name).strip()]


def _whole(value: int | float, column: str) -> int:
    if isinstance(value, float) and not value.is_integer():
        raise RowError(f"not a whole number in '{column}'", f"'{column}' should be whole: {value!r}")
    return int(value)
