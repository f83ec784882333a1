"""What every command shares: the settings and consoles, the application, one way to show errors."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TextIO, TypeVar, cast

import typer
from rich.console import Console
from rich.text import Text

from musicflow.app.error_map import exit_code
from musicflow.cli import error_hints, interrupted
from musicflow.core.plurals import counted
from musicflow.errors import MusicflowError

if TYPE_CHECKING:
    from musicflow.app.service import MusicFlow
    from musicflow.config import Settings

P = ParamSpec("P")
R = TypeVar("R")

ProfileOption = Annotated[
    str, typer.Option("--profile", "-p", metavar="NAME", help="Whose data: each profile is kept apart.")
]


class OutputFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


class TableOrJson(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="table, csv or json.")]
TableOrJsonOption = Annotated[TableOrJson, typer.Option("--format", "-f", help="table or json.")]


# Wider than any table: output to a file or a pipe is read whole, never cut to a terminal's width.
UNLIMITED_WIDTH = 100_000


def output_console() -> Console:
    """The console of results (stdout). Markup is off, so a song named "Intro [feat. X]" prints as it
    is (styles are given as styles). In a terminal, tables fit its width; written to a file or a pipe
    they take the width their cells need: no number is cut short and no cell ends in an ellipsis."""
    if _is_terminal(sys.stdout):
        return Console(markup=False)
    return Console(markup=False, width=UNLIMITED_WIDTH)


def message_console() -> Console:
    """The console of messages, progress and logs (stderr). In a terminal, lines wrap at its width;
    written to a file or a pipe a line is never wrapped, so a command it names (`musicflow ingest undo
    ID`) stays on one line to copy and paste."""
    if _is_terminal(sys.stderr):
        return Console(stderr=True)
    return Console(stderr=True, soft_wrap=True)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False


@dataclass
class AppState:
    settings: Settings
    out: Console
    err: Console

    @contextmanager
    def app(self) -> Iterator[MusicFlow]:
        """The application over the configured store, for one command; closed afterwards."""
        from musicflow.app.service import MusicFlow

        with MusicFlow.open(self.settings) as opened:
            yield opened


def state_of(ctx: typer.Context) -> AppState:
    state = ctx.find_root().obj
    assert isinstance(state, AppState)
    return state


class UsageError(typer.BadParameter):
    """The command line is wrong as a whole (options that do not go together, one without its pair):
    the command shows its usage and this line, and exits 2 (`app/error_map.py`), as Typer does for a
    missing or invalid option."""

    def format_message(self) -> str:
        return self.message


def usage_error(ctx: typer.Context, message: str) -> UsageError:
    return UsageError(message, ctx=ctx)


def require_paths(ctx: typer.Context, paths: Iterable[Path], what: str = "file") -> None:
    """A file or folder named on the command line that is not there is a usage error (exit 2), said
    before any store is opened. One that is there but cannot be read, or is damaged, is left to the
    command, which says why (exit 1, or 3 for a damaged file of an export)."""
    for path in paths:
        try:
            there = path.exists()
        except OSError:  # there, but not to be looked into: reading it says why
            there = True
        if not there:
            raise usage_error(ctx, f"{path}: no such {what}")


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Show our own errors as one clear line and a non-zero exit, never a traceback; Ctrl-C as `main` does."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except MusicflowError as exc:
            said = _what_would_help(exc, [*args, *kwargs.values()])
            line = Text.assemble(("error: ", "bold red"), error_hints.message(said))
            console = Console(stderr=True, soft_wrap=True)
            console.print(line, highlight=False)
            nearest = error_hints.suggestions(exc)
            if nearest:
                console.print(Text(nearest), highlight=False)
            raise typer.Exit(exit_code(exc)) from exc
        except KeyboardInterrupt:
            interrupted()

    return wrapper


def _what_would_help(error: MusicflowError, arguments: Sequence[object]) -> MusicflowError:
    """The error as the user should read it: "no model yet: run `musicflow train`" is said instead as
    what training needs when the profile has too little listening history for training to succeed."""
    from musicflow.errors import Hint, ModelVersionNotFoundError, NoModelError

    if not isinstance(error, NoModelError) or isinstance(error, ModelVersionNotFoundError):
        return error
    # The command's context (Typer passes its own click's class, not `typer.Context`).
    ctx = next((cast("typer.Context", a) for a in arguments if hasattr(a, "find_root")), None)
    if error.hint is not Hint.TRAIN or not error.profile or ctx is None:
        return error
    from musicflow.app.training import streamed_songs_short

    try:
        with state_of(ctx).app() as app:
            short = streamed_songs_short(app.top_streams(error.profile, None))
    except MusicflowError:
        return error
    if short is None:
        return error
    streamed, needed = short
    return NoModelError(
        f"{error} and too little listening history to train one: {counted(streamed, 'streamed song')},"
        f" where training needs at least {needed}; an export with more of this listener's history"
        " would give them",
        hint=Hint.INGEST,
        profile=error.profile,
    )


def write_json(document: object, path: Path | None = None) -> None:
    """The document as indented JSON, on stdout or into the file `path`."""
    import orjson

    text = orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n"
    if path is None:
        sys.stdout.write(text)
    else:
        path.write_text(text, encoding="utf-8")


def write_csv(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> None:
    """Rows as CSV on stdout, under a header of `columns`; a missing value is an empty cell."""
    import csv

    writer = csv.DictWriter(sys.stdout, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
