"""Ctrl-C that Python swallowed where it landed (a garbage collector's callback prints "Exception
ignored" and goes on) still ends the command as interrupted: exit 130 and the one line."""

from __future__ import annotations

import gc
import io
import os
import signal
import subprocess
import sys
import weakref

import pytest
from rich.console import Console

import musicflow.cli as cli
from musicflow.cli import INTERRUPTED_LINE
from musicflow.cli.progress import Bar


class _Node:
    pass


def ctrl_c_in_a_gc_callback() -> None:
    """Press Ctrl-C while Python runs a weakref callback: its KeyboardInterrupt is swallowed."""
    node = _Node()
    kept = weakref.ref(node, lambda _ref: os.kill(os.getpid(), signal.SIGINT))
    del node
    gc.collect()
    assert kept() is None


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the swallowing itself
def test_a_swallowed_ctrl_c_still_ends_the_command_as_interrupted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import musicflow.cli.command_tree as tree

    monkeypatch.setattr(tree, "run", ctrl_c_in_a_gc_callback)
    monkeypatch.setattr(cli, "_CTRL_C", type(cli._CTRL_C)())
    before = signal.getsignal(signal.SIGINT)
    try:
        with pytest.raises(SystemExit) as ended:
            cli.main()
    finally:
        signal.signal(signal.SIGINT, before)
    assert ended.value.code == 130
    assert INTERRUPTED_LINE in capsys.readouterr().err


def test_the_progress_bar_raises_a_swallowed_ctrl_c_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_CTRL_C", type(cli._CTRL_C)())
    with Bar(Console(file=io.StringIO())) as bar:
        bar.start("reading", 10)
        bar.advance(1)
        cli._CTRL_C.set()
        with pytest.raises(KeyboardInterrupt):
            bar.advance(1)


def test_a_command_that_ends_without_ctrl_c_keeps_its_exit_code() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "musicflow", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and INTERRUPTED_LINE not in done.stderr
