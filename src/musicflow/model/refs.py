"""Naming versions: "7", "v7" or "champion", and where a rollback of the champion goes."""

from __future__ import annotations

from collections.abc import Sequence

from musicflow.errors import ModelError
from musicflow.store.ports import CHAMPION, AliasMove, MoveReason

VersionRef = int | str  # a version number, "7", "v7", or "champion"


def parse_ref(ref: VersionRef) -> int | None:
    """A version number from 7, "7" or "v7"; None for "champion"."""
    return _parsed(ref, " or 'champion'")


def parse_number(ref: VersionRef) -> int:
    """A version number from 7, "7" or "v7"; "champion" is refused (promoting needs a number), and a
    word that names no version is told to give a number alone: 'champion' is no answer there."""
    number = _parsed(ref, "")
    if number is None:
        raise ModelError(f"'{ref}' names the champion itself: give the version number to promote")
    return number


def _parsed(ref: VersionRef, champion: str) -> int | None:
    """The number `ref` names, None for "champion"; `champion` is what the error adds to "give a
    number" when a word names no version (what else the command takes)."""
    if isinstance(ref, int) and not isinstance(ref, bool):
        number = ref
    elif isinstance(ref, str) and ref.strip().lower() == CHAMPION:
        return None
    elif isinstance(ref, str) and ref.strip().lower().removeprefix("v").isdigit():
        number = int(ref.strip().lower().removeprefix("v"))
    else:
        raise ModelError(f"{ref!r} is not a model version: give a number (e.g. 3){champion}")
    if number < 1:
        raise ModelError(f"model versions are numbered from 1, not {number}")
    return number


def previous_champion(moves: Sequence[AliasMove]) -> int | None:
    """Where a rollback goes, given the moves newest first: the champion before the last promotion
    that no rollback has undone yet (so rolling back twice goes back two champions)."""
    undone = 0
    for move in moves:
        if move.reason == MoveReason.ROLLBACK:
            undone += 1
        elif undone:
            undone -= 1
        else:
            return move.from_version
    return None
