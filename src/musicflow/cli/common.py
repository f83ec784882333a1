"""What every command shares: the settings and consoles, the application, one way to show errors."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from musicflow.app.error_map import exit_code
from musicflow.cli import errors, interrupted
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


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Show our own errors as one clear line and a non-zero exit, never a traceback; Ctrl-C as `main` does."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except MusicflowError as exc:
            line = Text.assemble(("error: ", "bold red"), errors.message(exc))
            console = Console(stderr=True, soft_wrap=True)
            console.print(line, highlight=False)
            nearest = errors.suggestions(exc)
            if nearest:
                console.print(Text(nearest), highlight=False)
            raise typer.Exit(exit_code(exc)) from exc
        except KeyboardInterrupt:
            interrupted()

    return wrapper


def write_json(document: object) -> None:
    import orjson

    sys.stdout.write(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n")
