"""The settings as a user meets them: every wrong value, environment variable or config file is one line
naming the setting, exit 2, never a traceback, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from musicflow.cli.command_tree import app
from musicflow.config import unknown_variables

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def refused(*words: str) -> str:
    """`streams top` refused for its settings: exit 2, one line holding `words`, no store made."""
    code, out, err = run("streams", "top")
    assert (code, out) == (2, ""), err
    assert "Traceback" not in err and err.startswith("error: ") and len(err.strip().splitlines()) == 1
    for word in words:
        assert word in err
    return err.strip()


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        # an unknown log level ended in a traceback from the logging module
        ("LOG_LEVEL", "LOUD", ("MUSICFLOW_LOG_LEVEL: 'LOUD' is not a log level", "WARNING")),
        # an empty list of sources had `features fetch` ask nobody and say nothing
        (
            "FEATURE_SOURCES",
            "",
            ("MUSICFLOW_FEATURE_SOURCES: names no source", "catalog, spotify, reccobeats"),
        ),
        (
            "FEATURE_SOURCES",
            "catalog,catlog",
            ("MUSICFLOW_FEATURE_SOURCES: unknown feature source 'catlog'",),
        ),
        # a misspelt source in the precedence was taken, and ranked nothing
        (
            "FEATURE_PRECEDENCE",
            "catlog,reccobeats",
            ("MUSICFLOW_FEATURE_PRECEDENCE: unknown feature source",),
        ),
        # a database no store can be in was said as a failure of the store (exit 1), not naming the setting
        (
            "DATABASE_URL",
            "mysql://me@host/db",
            ("MUSICFLOW_DATABASE_URL: names a 'mysql' database", "SQLite"),
        ),
        ("DATABASE_URL", "musicflow.db", ("MUSICFLOW_DATABASE_URL: is not a database URL",)),
    ],
)
def test_a_wrong_value_names_its_setting(
    monkeypatch: pytest.MonkeyPatch, isolated_environment: Path, variable: str, value: str, words: tuple[str]
):
    monkeypatch.setenv(f"MUSICFLOW_{variable}", value)
    refused(*words)
    assert not isolated_environment.exists()


def test_a_log_level_is_taken_in_any_case(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MUSICFLOW_LOG_LEVEL", "error")
    code, _, err = run("streams", "top")
    assert code == 1 and "no MusicFlow store" in err  # the settings were fine


def test_a_config_file_named_that_is_not_there_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """It was passed over without a word: every setting in it silently at its default."""
    monkeypatch.setenv("MUSICFLOW_CONFIG_FILE", str(tmp_path / "musicflow.toml"))
    assert refused().endswith(
        f"MUSICFLOW_CONFIG_FILE names {tmp_path / 'musicflow.toml'}, which is not there"
    )
    monkeypatch.setenv("MUSICFLOW_CONFIG_FILE", str(tmp_path))
    assert refused().endswith(f"MUSICFLOW_CONFIG_FILE names {tmp_path}, a folder: name a TOML file")
    monkeypatch.setenv("MUSICFLOW_CONFIG_FILE", "")
    refused("MUSICFLOW_CONFIG_FILE is empty")


def test_keys_of_the_config_file_no_setting_has_are_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """A misspelt key, or one written as its environment variable, was ignored: its setting kept its
    default and nothing said so."""
    config = tmp_path / "musicflow.toml"
    config.write_text('stream_min_ms = 20000\nstreamminms = 3\nMUSICFLOW_LOG_LEVEL = "INFO"\n[api]\nx = 1\n')
    monkeypatch.setenv("MUSICFLOW_CONFIG_FILE", str(config))
    assert refused() == (
        f"error: invalid settings: the config file {config} has keys no setting has: 'MUSICFLOW_LOG_LEVEL'"
        " (did you mean 'log_level'?), 'api', 'streamminms' (did you mean 'stream_min_ms'?); its keys are"
        " the settings' names in lower case, without MUSICFLOW_ (the README's settings table)"
    )


def test_a_value_from_the_config_file_is_named_as_written_there(isolated_environment: Path):
    isolated_environment.mkdir()
    config = isolated_environment / "config.toml"
    config.write_text('stream_min_ms = "soon"\n')
    refused(f"stream_min_ms in {config}: Input should be a valid integer")


def test_a_config_file_that_is_not_toml_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    config = tmp_path / "musicflow.toml"
    config.write_text("stream_min_ms = \n")
    monkeypatch.setenv("MUSICFLOW_CONFIG_FILE", str(config))
    refused(f"the config file {config} is not valid TOML: Invalid value (at line 1, column 17)")


def test_a_variable_that_names_no_setting_is_warned_of(monkeypatch: pytest.MonkeyPatch):
    """A typo in a variable's name was ignored without a word; the command still runs."""
    monkeypatch.setenv("MUSICFLOW_STREAMMINMS", "20000")
    monkeypatch.setenv("MUSICFLOW_COLOUR", "blue")
    code, _, err = run("streams", "top")
    assert code == 1
    assert err.splitlines()[:2] == [
        "warning: MUSICFLOW_COLOUR is not a setting MusicFlow knows: it is ignored",
        "warning: MUSICFLOW_STREAMMINMS is not a setting MusicFlow knows (did you mean"
        " MUSICFLOW_STREAM_MIN_MS?): it is ignored",
    ]


def test_variables_read_elsewhere_are_no_unknown_setting():
    environ = {
        "MUSICFLOW_CONFIG_FILE": "x.toml",
        "MUSICFLOW_TEST_DATABASE_URL": "postgresql://x",
        "MUSICFLOW_SHARED_DATA": "/data",
        "MUSICFLOW_DATA_DIR": "/d",
        "HOME": "/root",
    }
    assert unknown_variables(environ) == []
