"""What every command shares: the settings and consoles, the application, one way to show errors."""

from __future__ import annotations

import errno
import functools
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, ParamSpec, TextIO, TypeVar

import typer
from rich.console import Console
from rich.text import Text
from typer._click import Context  # the Click Typer ships, whose parser reads the command line
from typer._click.parser import _OptionParser, _ParsingState
from typer.core import TyperCommand

from musicflow.app.error_map import exit_code
from musicflow.app.profiles import profile_name_problem
from musicflow.app.version_refs import NEGATIVE
from musicflow.cli import error_hints, interrupted
from musicflow.errors import MusicflowError, ProfileNotFoundError

if TYPE_CHECKING:
    from musicflow.app.service import MusicFlow
    from musicflow.config import Settings

P = ParamSpec("P")
R = TypeVar("R")


def plain_text(value: str | None) -> str | None:
    """A name given on the command line (a title, an artist, a profile, a catalog), as text. The shell
    hands over bytes: ones that are not UTF-8 (a name typed in a Latin-1 terminal) reach Python as
    stand-ins no store can hold, so such a name is refused as a usage error (exit 2) that says so,
    rather than guessed at: a name with a replacement character in place of a letter would find
    nothing, or be stored misspelt. A typer callback; file paths, which may hold any bytes, are not
    checked."""
    if value is not None:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as bad:
            raw = value[bad.start : bad.end].encode("utf-8", "surrogateescape")
            raise typer.BadParameter(
                f"it holds bytes that are not UTF-8 text ({raw.hex(' ')}): give the name in UTF-8"
                " (is the terminal set to UTF-8?)"
            ) from None
    return value


def profile_name(value: str | None) -> str | None:
    """A profile's name as the CLI reads it, the one check of every `--profile`: without the spaces
    around it (as the API takes it); an empty one, one longer than the store keeps
    (`app/profiles.py`) or one that is not text is a usage error (exit 2), said before any store is
    opened. A typer callback."""
    if value is None:
        return None
    plain_text(value)
    problem = profile_name_problem(value)
    if problem is not None:
        raise typer.BadParameter(problem)
    return value.strip()


class _NegativeNumbersAreArguments(_OptionParser):
    """Click's parser, but a negative number ("-3") that no option of the command is named is read as
    an argument, as a command whose argument is a number needs: Click read it as an unknown option."""

    def _process_opts(self, arg: str, state: _ParsingState) -> None:
        if (
            NEGATIVE.fullmatch(arg)
            and self.allow_interspersed_args
            and arg[:2] not in self._short_opt
            and arg not in self._long_opt
        ):
            state.largs.append(arg)
            return
        super()._process_opts(arg, state)


class NumberArgumentCommand(TyperCommand):
    """A command whose argument is a number or an id (`models show VERSION`, `tokens revoke ID`, `ingest
    undo ID`): a negative number given for it ("-1", as a list is counted from its end) is taken as that
    argument, and the argument's own check answers it in words that say what it takes (a usage error,
    exit 2), where Click said "No such option: -1". Every such command is made with this class (`cls=`);
    an option's value ("--limit -3") was always read as the value it is."""

    def make_parser(self, ctx: Context) -> _OptionParser:
        parser = _NegativeNumbersAreArguments(ctx)
        for param in self.get_params(ctx):
            param.add_to_parser(parser, ctx)
        return parser


def numbered_from_one(what: str, listed_by: str, most: int) -> Callable[[int | None], int | None]:
    """A typer callback for an argument numbering things from 1 up to `most` (a token): any other number,
    a negative one above all, is a usage error (exit 2) saying what numbers them and where to find
    them, before any store is opened."""

    def check(value: int | None) -> int | None:
        if value is not None and value < 1:
            raise typer.BadParameter(
                f"{what}s are numbered from 1, not {value}: give a {what}'s number as `{listed_by}` shows it"
            )
        if value is not None and value > most:
            raise typer.BadParameter(f"{what}s are numbered up to {most:,}: there is no {what} {value}")
        return value

    return check


WHOSE = "Whose data: each profile is kept apart."


def profile_option(help_text: str = WHOSE, *, short: bool = True) -> Any:
    """`--profile` (and `-p`, unless `short` is off), checked as every one is (`profile_name`), with
    what it selects in its help."""
    names = ("--profile", "-p") if short else ("--profile",)
    return typer.Option(*names, metavar="NAME", callback=profile_name, help=help_text)


ProfileOption = Annotated[str, profile_option()]


def mapping_text(value: str | None) -> str | None:
    """A `--mapping` as the command line reads it, checked with the application's parser: one that is
    no mapping (`garbage`, a role no column can hold) is a usage error (exit 2), said before any file is
    read; one naming a column the file lacks is said once the file is opened (exit 1). A typer
    callback."""
    if value:
        from musicflow.app.catalog_scoring import parse_mapping
        from musicflow.errors import CatalogError

        try:
            parse_mapping(plain_text(value))
        except CatalogError as exc:
            raise typer.BadParameter(str(exc).removeprefix("mapping: ")) from None
    return value


MappingOption = Annotated[
    str | None,
    typer.Option(
        "--mapping",
        callback=mapping_text,
        help="Your columns, e.g. 'id=track_id,song=name,artist=artists,tempo=bpm'.",
    ),
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


class _OutputConsole(Console):
    """Rich ends the program with exit code 1 when its reader closes the pipe: this one leaves a closed
    pipe to `reports_errors`, which answers it alike for every command, whatever wrote last."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError(errno.EPIPE, "the reader of standard output is gone")


def output_console() -> Console:
    """The console of results (stdout). Markup is off, so a song named "Intro [feat. X]" prints as it
    is (styles are given as styles). In a terminal, tables fit its width; written to a file or a pipe
    they take the width their cells need: no number is cut short and no cell ends in an ellipsis."""
    if _is_terminal(sys.stdout):
        return _OutputConsole(markup=False)
    return _OutputConsole(markup=False, width=UNLIMITED_WIDTH)


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
    def app(self, *, create: bool = True) -> Iterator[MusicFlow]:
        """The application over the configured store, for one command; closed afterwards. A command
        that only reads passes `create=False`: where no store is yet (a data directory never used, or
        mistyped), it says so and where it looked (`NoStoreError`, exit 1) rather than making an empty
        one there."""
        from musicflow.app.service import MusicFlow

        with MusicFlow.open(self.settings, create=create) as opened:
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


def require_writable(ctx: typer.Context, path: Path) -> None:
    """A file to write, named by an option (`--output`, `--out`), that cannot be: its folder is not
    there, or it is a folder itself. A usage error (exit 2), said before any store is opened or any work
    is done, as for a file to read that is not there (`require_paths`); what can only be known by
    writing (a full disk) is said when it happens."""
    folder = path.parent
    if path.is_dir():
        raise usage_error(ctx, f"cannot write {path}: it is a folder; name a file in it")
    if not folder.is_dir():
        raise usage_error(ctx, f"cannot write {path}: {folder}: no such folder")
    if not os.access(folder, os.W_OK):
        raise usage_error(ctx, f"cannot write {path}: {folder} may not be written in")


def require_empty_folder(ctx: typer.Context, path: Path) -> None:
    """A folder to write files into that must hold nothing else (where no file may be overwritten):
    one that holds anything, or a file of that name, is a usage error (exit 2) before any work. A
    folder not there yet is made by the command."""
    if path.is_dir():
        held = sorted(entry.name for entry in path.iterdir())
        if held:
            shown = ", ".join(held[:3]) + (f" and {len(held) - 3:,} more" if len(held) > 3 else "")
            raise usage_error(ctx, f"{path} is not empty (it holds {shown}): name an empty or new folder")
    elif path.exists():
        raise usage_error(ctx, f"{path} is a file: name an empty or new folder")


def reader_gone() -> NoReturn:
    """What every command does when the program reading its output stops reading (`musicflow ... |
    head`): ends quietly with exit 0, as the reader asked for no more, whatever was left unwritten.
    What would still be written goes nowhere (Python flushes standard output at exit: that must not
    fail again)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    raise typer.Exit(0)


def _output_is_a_pipe() -> bool:
    try:
        return stat.S_ISFIFO(os.fstat(sys.stdout.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):  # a replaced stream (tests), or closed
        return False


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Show our own errors as one clear line and a non-zero exit, never a traceback; Ctrl-C as `main`
    does; a closed pipe on standard output (its reader is gone) as `reader_gone` does."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except BrokenPipeError:
            if not _output_is_a_pipe():  # a pipe to something else than our reader: not ours to hide
                raise
            reader_gone()
        except MusicflowError as exc:
            where = _store_place(args, kwargs) if isinstance(exc, ProfileNotFoundError) else None
            said = error_hints.message(exc, where)
            line = Text.assemble(("error: ", "bold red"), said)
            console = Console(stderr=True, soft_wrap=True)
            console.print(line, highlight=False)
            nearest = error_hints.suggestions(exc)
            if nearest:
                console.print(Text(nearest), highlight=False)
            raise typer.Exit(exit_code(exc)) from exc
        except KeyboardInterrupt:
            interrupted()

    return wrapper


def _store_place(args: tuple[object, ...], kwargs: dict[str, object]) -> str | None:
    """Where the command's store is, for a message about a store that holds no listening history yet."""
    from musicflow.app.service import MusicFlow

    for given in (*args, *kwargs.values()):
        find_root = getattr(given, "find_root", None)  # the command's context (Typer's or Click's class)
        state = find_root().obj if callable(find_root) else None
        if isinstance(state, AppState):
            return MusicFlow.store_place(state.settings)
    return None


def write_json(document: object, path: Path | None = None) -> None:
    """The document as indented JSON, on stdout or into the file `path`."""
    import orjson

    text = orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n"
    if path is None:
        sys.stdout.write(text)
    else:
        path.write_text(text, encoding="utf-8")


def write_records(
    output: OutputFormat, columns: Sequence[str], records: Sequence[Mapping[str, object]]
) -> None:
    """Records as `--format csv` (under a header of `columns`) or `json` (a list) gives them."""
    if output is OutputFormat.CSV:
        write_csv(columns, records)
    else:
        write_json(records)


def write_csv(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> None:
    """Rows as CSV on stdout, under a header of `columns`; a missing value is an empty cell."""
    import csv

    writer = csv.DictWriter(sys.stdout, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
