"""The CLI's one mapping of errors: each kind an exit code, each hint a command to run."""

from __future__ import annotations

import ast
from pathlib import Path

from musicflow.app.error_map import EXIT_CODES, HTTP_STATUSES, exit_code
from musicflow.cli.error_hints import COMMANDS, message
from musicflow.errors import (
    ConfigError,
    ErrorKind,
    Hint,
    NoModelError,
    ProfileNotFoundError,
    RateLimitedError,
)

SRC = Path(__file__).resolve().parents[2] / "src" / "musicflow"
FRONT_ENDS = {"cli", "api", "web"}


def test_every_hint_has_a_command():
    assert set(COMMANDS) == set(Hint)


def test_a_hint_becomes_the_command_for_that_profile():
    error = NoModelError("profile 'alice' has no model yet", hint=Hint.TRAIN, profile="alice")
    assert message(error) == "profile 'alice' has no model yet: run `musicflow train --profile alice`"
    plain = ProfileNotFoundError("profile 'default' has no data yet", hint=Hint.INGEST, profile="default")
    assert message(plain).endswith("run `musicflow ingest my_spotify_data.zip`")


def test_an_unknown_profile_names_the_profiles_there_are():
    """A mistyped profile is not only a profile to start: the line says which ones the store holds."""
    typo = ProfileNotFoundError(
        "profile 'alcie' has no data yet", hint=Hint.INGEST, profile="alcie", known=["alice", "bob"]
    )
    assert message(typo) == (
        "profile 'alcie' has no data yet (profiles in this store: alice, bob; to use one, add "
        "`--profile NAME`): "
        "run `musicflow ingest my_spotify_data.zip --profile alcie`"
    )
    demo = ProfileNotFoundError(
        "profile 'default' has no data yet", hint=Hint.INGEST, profile="default", known=["demo"]
    )
    assert message(demo) == (  # the demo's store, a first command without --profile
        "profile 'default' has no data yet (profiles in this store: demo; to use one, add "
        "`--profile demo`): run `musicflow ingest my_spotify_data.zip`"
    )
    empty = ProfileNotFoundError("profile 'default' has no data yet", hint=Hint.INGEST)
    assert "(this store holds no listening history yet)" in message(empty)


def test_kinds_become_exit_codes():
    assert set(EXIT_CODES) == set(HTTP_STATUSES) == set(ErrorKind)  # every kind, in one map each
    assert exit_code(ConfigError("bad")) == 2
    assert exit_code(RateLimitedError("later", source="spotify", resume_at=0.0)) == 3
    assert exit_code(NoModelError("none")) == 1


def test_no_message_below_the_front_ends_names_a_command():
    """Domain messages say what is wrong; what to type is the CLI's words (in `cli/error_hints.py`)."""
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.relative_to(SRC).parts[0] in FRONT_ENDS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "`musicflow " in node.value:
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    docstrings = {o for o in offenders if _is_docstring(o)}
    assert sorted(set(offenders) - docstrings) == []


def _is_docstring(place: str) -> bool:
    name, line = place.rsplit(":", 1)
    tree = ast.parse((SRC / name).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            doc = node.body[0] if node.body else None
            if isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant) and doc.lineno == int(line):
                return True
    return False


def test_no_model_says_what_training_needs_when_training_could_not_succeed(tmp_path: Path) -> None:
    """A profile of one streamed song has no model: the hint is not `train` (which would fail) but what
    training needs, more listening history; `train` says the same."""
    import json

    from typer.testing import CliRunner

    from musicflow.cli.command_tree import app

    history = tmp_path / "StreamingHistory_music_0.json"
    play = {"endTime": "2024-01-01 10:00", "artistName": "A", "trackName": "B", "msPlayed": 200_000}
    history.write_text(json.dumps([play]))
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(history), "--profile", "z"]).exit_code == 0
    for command in (["predict", "--song", "B", "--artist", "A"], ["recommend"], ["evaluate"], ["train"]):
        result = runner.invoke(app, [*command, "--profile", "z"])
        said = " ".join(result.stderr.split())
        assert result.exit_code == 1, said
        assert "1 streamed song" in said and "at least 20" in said and "1 streamed songs" not in said
        assert said.endswith(": run `musicflow ingest my_spotify_data.zip --profile z`"), said
        assert "musicflow train" not in said
