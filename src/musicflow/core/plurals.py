"""A count and its noun, agreeing in number, for every sentence that says how many; a share as a
sentence says it; a list of things as a sentence names them; words that open a sentence."""

from __future__ import annotations


def sentence(words: str) -> str:
    """Words that open a sentence, with a capital letter (the rest as written: names keep their case)."""
    return words[:1].upper() + words[1:]


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """ "1 row", "0 rows", "2,906 rows"; `plural` where an added s is wrong ("entry", "entries")."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def times(count: int) -> str:
    """How often: "once", "2 times", "1,204 times"."""
    return "once" if count == 1 else f"{count:,} times"


def listed(items: list[str]) -> str:
    """Things as a sentence lists them: "A", "A and B", "A, B and C"."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def share(fraction: float) -> str:
    """A share of a whole to a tenth of a percent: "12.3%"; one too small to show is "under 0.1%", never
    "0.0%" of something there is some of."""
    if 0 < fraction < 0.0005:
        return "under 0.1%"
    return f"{fraction:.1%}"
