"""Starting `musicflow serve` in tests: a free port on loopback, and waiting until it is ready."""

from __future__ import annotations

import socket
import subprocess
import time
from typing import Any

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_ready(url: str, process: subprocess.Popen[Any], timeout_s: float = 60.0) -> None:
    """Until `/api/health/ready` answers 200; fails the test if the server exits or takes too long."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"musicflow serve exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/api/health/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"musicflow serve was not ready within {timeout_s:.0f} s")
