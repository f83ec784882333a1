"""What every command shares: the settings and consoles, the application, one way to show errors."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TextIO, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from musicflow.app.error_map import exit_code
from musicflow.cli import error_hints, interrupted
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
            line = Text.assemble(("error: ", "bold red"), error_hints.message(exc))
            console = Console(stderr=True, soft_wrap=True)
            console.print(line, highlight=False)
            nearest = error_hints.suggestions(exc)
            if nearest:
                console.print(Text(nearest), highlight=False)
            raise typer.Exit(exit_code(exc)) from exc
        except KeyboardInterrupt:
            interrupted()

    return wrapper


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
