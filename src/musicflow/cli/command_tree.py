"""The command tree: global options, logging, and the commands of each area."""

from __future__ import annotations

import logging
from typing import Annotated, Any

import typer

from musicflow import __version__
from musicflow.cli import (
    access_commands,
    demo,
    feature_commands,
    ingest,
    job_commands,
    log_commands,
    model_commands,
    score_commands,
    serve,
)
from musicflow.cli.common import AppState, reports_errors

app = typer.Typer(
    name="musicflow",
    help="How much will I stream this song? A model of your own taste, from your Spotify data export.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _values_in_words() -> None:
    """In --help a value is named by what to give (`VERSION`, `--song SONG`, `--days DAYS`), never by a
    Python type. Typer shows an option's type where it has no metavar (`--song <str>`, `--catalog
    <list[str]>`, `--top <int range>`), an argument's type even beside its metavar (`VERSION <str>`,
    `paths... <list[Path]>`), and an argument without a metavar by its Python name (`{paths}...`). Here a
    metavar is the word; without one, the parameter's name in capitals; choices stay (`table|csv|json`)."""
    from typer.core import TyperArgument, TyperOption

    typed = TyperOption.display_type_rich

    def option_value(self: TyperOption, ctx: Any) -> str | None:
        if self.metavar is not None:
            return self.metavar
        choices = (typed(self, ctx=ctx) or "").strip("<>")
        if "|" in choices and "[" not in choices:
            return choices
        return (self.name or "value").upper()

    def argument_value(self: TyperArgument, ctx: Any) -> None:
        return None  # its name says it

    def argument_name(self: TyperArgument) -> str:
        return self.metavar if self.metavar is not None else (self.name or "value").upper()

    setattr(TyperOption, "display_type_rich", option_value)  # noqa: B010 - a method of the library's class
    setattr(TyperArgument, "display_type_rich", argument_value)  # noqa: B010 - as above
    setattr(TyperArgument, "display_name_raw", property(argument_name))  # noqa: B010 - as above


_values_in_words()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"musicflow {__version__}")
        raise typer.Exit()


QUIET_HTTP_LOGGERS = ("httpx", "httpcore")


@app.callback()
@reports_errors
def main_options(
    ctx: typer.Context,
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, metavar="", help="More log output (-vv: debug).")
    ] = 0,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    from rich.logging import RichHandler

    from musicflow.cli.common import message_console, output_console
    from musicflow.config import load_settings, unknown_variables

    settings = load_settings()
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else settings.log_level.upper()
    err = message_console()
    # The handler filters too: records of libraries that set their loggers' own level (Dask's scheduler
    # and workers log at INFO) are shown only at the level asked for.
    handler = RichHandler(console=err, show_path=False, level=level)
    logging.basicConfig(level=level, format="%(message)s", handlers=[handler], force=True)
    # httpx logs each request's whole address at INFO: a Spotify search's names the song asked (a
    # listener's question). Our sources log their failures with the path alone.
    for library in QUIET_HTTP_LOGGERS:
        logging.getLogger(library).setLevel(logging.WARNING)
    for variable, meant in unknown_variables():
        guess = f" (did you mean {meant}?)" if meant else ""
        err.print(
            f"warning: {variable} is not a setting MusicFlow knows{guess}: it is ignored", highlight=False
        )
    ctx.obj = AppState(settings=settings, out=output_console(), err=err)


ingest.register(app)
feature_commands.register(app)
model_commands.register(app)
score_commands.register(app)
demo.register(app)
serve.register(app)
access_commands.register(app)
log_commands.register(app)
job_commands.register(app)


def run() -> None:
    """Run the command line; exits with the command's code (see `cli/error_hints.py`)."""
    app()
