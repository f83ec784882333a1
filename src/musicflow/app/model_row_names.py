"""The names a listener reads for the rows of a model's evaluation: one name per row, in the CLI's tables
and on the taste page ("artist history alone" on both, where one said "affinity only")."""

from __future__ import annotations

ROW_NAMES = {
    "ours": "this model",
    "artist affinity alone": "artist history alone",
    "training mean": "average",
}


def row_name(name: str) -> str:
    """The row as a listener reads it: "ours: artists new to you" is "this model: artists new to you"."""
    head, colon, rest = name.partition(": ")
    return f"{ROW_NAMES.get(head, head)}{colon}{rest}"
