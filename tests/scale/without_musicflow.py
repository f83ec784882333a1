"""A Dask preload that makes a worker one without MusicFlow installed: every import of it fails there, as
it would on a machine where it is missing (tests/scale/test_engines.py)."""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType


class _NoMusicflow(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname == "musicflow" or fullname.startswith("musicflow."):
            raise ModuleNotFoundError(f"No module named '{fullname}'", name=fullname)
        return None


sys.meta_path.insert(0, _NoMusicflow())
for _name in [name for name in sys.modules if name == "musicflow" or name.startswith("musicflow.")]:
    del sys.modules[_name]
