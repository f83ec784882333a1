"""`musicflow serve` refuses a port it cannot listen on at once, in one line, before saying it serves."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from musicflow.cli.command_tree import app


def test_a_port_another_program_holds_is_a_usage_error_said_before_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MUSICFLOW_DATA_DIR", str(tmp_path / "data"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = CliRunner().invoke(app, ["serve", "--port", str(port)])
    assert done.exit_code == 2, done.output
    said = " ".join(done.stderr.split())
    assert f"cannot listen on 127.0.0.1:{port}: another program uses that port" in said
    assert "--port" in said and "Serving" not in done.output and "Traceback" not in done.output
    assert not (tmp_path / "data").exists()  # nothing was opened or created


def test_a_store_that_cannot_be_opened_is_said_in_one_line_before_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PostgreSQL server that is down (or a wrong password, or a store a newer MusicFlow made): one
    line naming the store, exit 1, where the server started and printed its start-up traceback (exit 3)."""
    nowhere, free = _free_port(), _free_port()
    monkeypatch.setenv("MUSICFLOW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv(
        "MUSICFLOW_DATABASE_URL",
        f"postgresql://musicflow:s3cret@127.0.0.1:{nowhere}/musicflow?connect_timeout=2",
    )
    done = CliRunner().invoke(app, ["serve", "--port", str(free)])
    assert done.exit_code == 1, done.output
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(
        f"error: cannot open the store at postgresql+psycopg://musicflow:***@127.0.0.1:{nowhere}/"
    )
    assert "s3cret" not in done.output and "Serving" not in done.output


def _free_port() -> int:
    """A port nothing listens on (once the socket that found it is closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
