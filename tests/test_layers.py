"""The house's rule, kept by a test: imports run one way, front ends -> application -> parts -> store -> core.

Each module's imports are read from its source (not by importing it), so a lazy import inside a function
counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "musicflow"
CORE = {"core", "errors", "config"}
PARTS = {"ingest", "features", "model", "scale"}
FRONT_ENDS = {"cli", "api", "web"}
# What each top-level package may import (besides itself and the core).
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "store": set(),
    "ingest": {"store"},
    "features": {"store"},
    "model": {"store", "features"},
    "scale": {"store", "features", "model"},
    "app": {"store"} | PARTS | {"demo"},
    "cli": {"app", "demo", "api"},
    "api": {"app", "web"},
    "web": {"app"},
}


def _top_package(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py") if len(relative.parts) > 1 else relative.stem


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "musicflow":
                names = [f"musicflow.{alias.name}" for alias in node.names]
        found.update(name.split(".")[1] for name in names if name.startswith("musicflow."))
    return found


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if _top_package(p) in ALLOWED)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_run_downward_only(path: Path) -> None:
    layer = _top_package(path)
    forbidden = _imported_packages(path) - ALLOWED[layer] - CORE - {layer, "__version__"}
    assert not forbidden, f"{path.relative_to(PACKAGE)} ({layer}) imports {sorted(forbidden)}"


def test_the_rule_sees_a_forbidden_import(tmp_path: Path) -> None:
    """The walker itself: an upward import inside a function is found."""
    module = tmp_path / "probe.py"
    module.write_text("def f():\n    from musicflow.model.train import train_profile\n")
    assert _imported_packages(module) == {"model"}
