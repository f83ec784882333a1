"""What every command shares: the settings and consoles, one way to show errors, common options."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from musicflow.cli import errors
from musicflow.config import Settings

if TYPE_CHECKING:
    from musicflow.app.service import MusicFlow
from musicflow.errors import MusicflowError, ProfileNotFoundError
from musicflow.store import open_store
from musicflow.store.sql import SqlStore

P = ParamSpec("P")
R = TypeVar("R")

ProfileOption = Annotated[
    str, typer.Option("--profile", "-p", help="Whose data: each profile is kept apart.")
]


class OutputFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


@dataclass
class AppState:
    settings: Settings
    out: Console
    err: Console

    @contextmanager
    def store(self) -> Iterator[SqlStore]:
        store = open_store(self.settings)
        try:
            yield store
        finally:
            store.close()

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
    """Show our own errors as one clear line and a non-zero exit, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except MusicflowError as exc:
            line = Text.assemble(("error: ", "bold red"), errors.message(exc))
            Console(stderr=True, soft_wrap=True).print(line, highlight=False)
            raise typer.Exit(errors.exit_code(exc)) from exc

    return wrapper


def require_profile(store: SqlStore, profile: str) -> int:
    """The profile's id, or an error that says what to run first."""
    profile_id = store.profile_id(profile)
    if profile_id is None:
        raise ProfileNotFoundError(
            f"profile '{profile}' has no data yet: run `musicflow ingest my_spotify_data.zip"
            f" --profile {profile}` first"
        )
    return profile_id
