"""The house's rule, kept by a test: imports run one way, front ends -> application -> parts -> store -> core.

Each module's imports are read from its source (not by importing it), so a lazy import inside a function
counts too. Above the store, modules see its ports (`store/ports.py`) only: the SQL adapter is named by
one composition root, which builds the application.
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


# What a module outside store/ may import of it: the ports, and the store's canonical JSON text.
STORE_PORTS = {"ports", "json_text"}
# The one module above the store that builds the adapter (`MusicFlow.open`, through `open_store`).
COMPOSITION_ROOT = "app/service.py"
STORE_FACTORY = "factory"


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


def _store_modules(path: Path) -> set[str]:
    """The store modules `path` imports; a name imported from the package counts as the module it comes
    from (`from musicflow.store import open_store` imports the factory)."""
    store = PACKAGE / "store"
    exported = _package_exports(store / "__init__.py")
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(_store_part(alias.name) for alias in node.names if _is_store(alias.name))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "musicflow" and any(alias.name == "store" for alias in node.names):
                found.add("__init__")
            elif node.module == "musicflow.store":
                for alias in node.names:
                    is_module = (store / f"{alias.name}.py").exists()
                    found.add(alias.name if is_module else exported.get(alias.name, "__init__"))
            elif _is_store(node.module):
                found.add(_store_part(node.module))
    return found


def _is_store(module: str) -> bool:
    return module == "musicflow.store" or module.startswith("musicflow.store.")


def _store_part(module: str) -> str:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 else "__init__"


def _package_exports(init: Path) -> dict[str, str]:
    """Each name the store package re-exports, with the store module it comes from."""
    exports: dict[str, str] = {}
    for node in ast.walk(ast.parse(init.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and _is_store(node.module):
            exports.update((alias.asname or alias.name, _store_part(node.module)) for alias in node.names)
    return exports


def _outside_store() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if _top_package(p) != "store")


def test_only_the_composition_root_names_the_store_adapter() -> None:
    offenders = []
    for path in _outside_store():
        relative = path.relative_to(PACKAGE).as_posix()
        allowed = STORE_PORTS | ({STORE_FACTORY} if relative == COMPOSITION_ROOT else set())
        adapter = _store_modules(path) - allowed
        if adapter:
            offenders.append(f"{relative} imports store.{', store.'.join(sorted(adapter))}")
    assert not offenders, "type these against the ports in store/ports.py:\n" + "\n".join(offenders)


def test_the_rule_sees_the_adapter_however_it_is_imported(tmp_path: Path) -> None:
    module = tmp_path / "probe.py"
    module.write_text(
        "from musicflow.store.ports import Store\n"
        "from musicflow.store import json_text, open_store\n"
        "def f():\n    import musicflow.store.sql\n"
        "    from musicflow.store.sql_features import SqlFeatureStore\n"
    )
    assert _store_modules(module) == {"ports", "json_text", "factory", "sql", "sql_features"}
