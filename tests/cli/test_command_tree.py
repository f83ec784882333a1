"""Every command's --help names the values it takes in words (`VERSION`, `--song SONG`, `--format
table|csv|json`), never by a Python type (`<str>`, `<path>`, `<int range>`, `paths... <list[Path]>`) or a
Python parameter name (`{paths}...`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from musicflow.cli.command_tree import app

PYTHON_TYPE = re.compile(r"<(str|path|int|float|bool|list\[|[a-z]+ range|[a-z|]+>)")


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(typer.main.get_command(app)))


def test_every_command_is_walked() -> None:
    assert {("ingest",), ("models", "show"), ("tokens", "revoke"), ("features", "analyze")} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda path: " ".join(path) or "musicflow")
def test_the_help_names_values_in_words(path: tuple[str, ...]) -> None:
    done = CliRunner().invoke(app, [*path, "--help"], terminal_width=100)
    assert done.exit_code == 0, done.output
    assert not PYTHON_TYPE.search(done.output), done.output
    usage = done.output.splitlines()[0]
    assert not re.search(r"\{[a-z_]+\}", usage), usage
