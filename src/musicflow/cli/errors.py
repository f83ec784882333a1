"""The CLI's one place for errors: an error's kind becomes an exit code, its hint a command to run.

Exit codes: 0 done; 1 failed (nothing more was changed); 2 the settings or the command line are wrong;
3 partly done (a source paused or a file was damaged: run the same command again to resume);
130 interrupted (Ctrl-C; what was committed stays).
"""

from __future__ import annotations

from musicflow.errors import ErrorKind, Hint, MusicflowError

FAILED = 1
USAGE = 2
PARTIAL = 3
INTERRUPTED = 130

EXIT_CODES: dict[ErrorKind, int] = {ErrorKind.CONFIG: USAGE, ErrorKind.RATE_LIMITED: PARTIAL}

COMMANDS: dict[Hint, str] = {
    Hint.INGEST: "musicflow ingest my_spotify_data.zip{profile}",
    Hint.FETCH_FEATURES: "musicflow features fetch{profile}` or `musicflow catalog add FILE",
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
}


def exit_code(error: MusicflowError) -> int:
    return EXIT_CODES.get(error.kind, FAILED)


def message(error: MusicflowError) -> str:
    """The error's own words, then what to run about it."""
    text = str(error)
    if error.hint is None:
        return text
    profile = f" --profile {error.profile}" if error.profile and error.profile != "default" else ""
    return f"{text}: run `{COMMANDS[error.hint].format(profile=profile)}`"
