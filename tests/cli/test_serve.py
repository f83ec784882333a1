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
