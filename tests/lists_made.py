"""Which listeners' recommendation lists were made, as they are made: a record kept around the one
function that makes every list (`app.catalog_scoring.recommend`), which it calls unchanged. For the
tests of lists a server makes ahead of the asking."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

import musicflow.app.catalog_scoring as catalog_scoring


class ListsMade:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.profiles: list[str] = []
        self._changed = threading.Condition()
        making = catalog_scoring.recommend

        def recorded(serving: Any, *args: Any, **kwargs: Any) -> Any:
            made = making(serving, *args, **kwargs)
            with self._changed:
                self.profiles.append(serving.profile)
                self._changed.notify_all()
            return made

        monkeypatch.setattr(catalog_scoring, "recommend", recorded)

    def wait_for(self, count: int, timeout_s: float = 60.0) -> list[str]:
        """The profiles of the first `count` lists made, once that many are (or what was made by then)."""
        end = time.monotonic() + timeout_s
        with self._changed:
            while len(self.profiles) < count and (left := end - time.monotonic()) > 0:
                self._changed.wait(left)
            return list(self.profiles)
