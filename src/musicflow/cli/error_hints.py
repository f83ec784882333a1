"""The CLI's words for errors: an error's hint becomes a command to run; a song not found lists the
nearest songs known.

Its exit code is the one the application's map gives its kind (`app/error_map.py`, with the codes).
"""

from __future__ import annotations

import shlex

from musicflow.app.vocabulary import DEFAULT_PROFILE
from musicflow.errors import Hint, MusicflowError, ProfileNotFoundError, SongNotFoundError

COMMANDS: dict[Hint, str] = {
    Hint.INGEST: "musicflow ingest my_spotify_data.zip{profile}",
    Hint.FETCH_FEATURES: "musicflow features fetch{profile}` or `musicflow catalog add FILE",
    Hint.ADD_ZEROS: "musicflow catalog add FILE` or `musicflow ingest EXPORT.zip --profile ANOTHER",
    Hint.AUTO_ZEROS: "MUSICFLOW_MODEL_ZEROS=auto musicflow train{profile}",
    Hint.ADD_FEATURE_SOURCE: (
        "musicflow catalog add FILE`, enable another source (MUSICFLOW_FEATURE_SOURCES), or"
        " `musicflow features analyze FOLDER"
    ),
    Hint.ANALYZE_AUDIO: "musicflow features analyze FOLDER",
    Hint.TRAIN: "musicflow train{profile}",
    Hint.RETRAIN: "musicflow train{profile}",
    Hint.LIST_MODELS: "musicflow models list{profile}",
    Hint.PROMOTE: "musicflow models promote V{profile}",
    Hint.LIST_CATALOGS: "musicflow catalog list",
    Hint.INSTALL_AUDIO: "pip install 'musicflow[audio]'",
    Hint.LIST_TOKENS: "musicflow tokens list",
    Hint.LIST_JOBS: "musicflow jobs list",
    Hint.TOKEN: "musicflow tokens create --profile NAME",
    Hint.WRITE_TOKEN: "musicflow tokens create --profile NAME --scope write",
}


def profile_flag(profile: str | None) -> str:
    """What a command to run needs to be about `profile`: " --profile NAME" (quoted for a shell where
    the name needs it), nothing for the default profile."""
    if not profile or profile == DEFAULT_PROFILE:
        return ""
    return f" --profile {shlex.quote(profile)}"


def message(error: MusicflowError, store: str | None = None) -> str:
    """The error's own words (for an unknown profile, the profiles there are, or where the store that
    holds none is: `store`), then what to run about it."""
    text = str(error)
    if isinstance(error, ProfileNotFoundError):
        known = ", ".join(error.known)
        if not known:
            text += f" ({store or 'this store'} holds no listening history yet)"
        elif error.hint is None:  # a command about a profile by name (a delete): there is nothing to add
            text += f" (profiles in this store: {known})"
        else:
            one = f"--profile {shlex.quote(error.known[0])}" if len(error.known) == 1 else "--profile NAME"
            text += f" (profiles in this store: {known}; to use one, add `{one}`)"
    if error.hint is None:
        return text
    return f"{text}: run `{COMMANDS[error.hint].format(profile=profile_flag(error.profile))}`"


def suggestions(error: MusicflowError) -> str | None:
    """The nearest songs known, for a song not found; None when there are none."""
    if not isinstance(error, SongNotFoundError) or not error.suggestions:
        return None
    return "\n".join(["the nearest songs known:", *(f"  {name.words}" for name in error.suggestions)])
