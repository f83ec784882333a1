"""How old a model version is, in the words every front end uses ("3 days", "5 hours", "12 minutes")."""

from __future__ import annotations

UNITS = ((86_400.0, "day"), (3_600.0, "hour"), (60.0, "minute"))


def age_words(seconds: float) -> str:
    """The largest whole unit of an age: "2 days", "1 hour", "under a minute"."""
    for size, unit in UNITS:
        count = int(seconds // size)
        if count >= 1:
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "under a minute"
