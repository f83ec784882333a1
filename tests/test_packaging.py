"""What `pip install` of a built MusicFlow gets: the wheel and the source distribution, built as a packager
or an operator builds them (pyproject.toml's build backend, at the oldest setuptools it allows, with no
network), hold every file of the package (the demo export, the catalogs, the templates, the static files,
the migrations, the provenance of the data), the licence, and dependencies pinned as the README says."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from email.parser import Parser
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "musicflow"
BUILD = """
import sys
from setuptools import build_meta
out = sys.argv[1]
sdist = build_meta.build_sdist(out)
wheel = build_meta.build_wheel(out)
print("built", sdist, wheel)
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sdist and the wheel of a copy of the project's sources (a build writes beside its sources)."""
    copy = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in"):
        shutil.copy2(ROOT / name, copy / name)
    shutil.copytree(PACKAGE, copy / "src" / "musicflow", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tests", copy / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-c", BUILD, str(out)], cwd=copy, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    sdist, wheel = done.stdout.splitlines()[-1].split()[1:]
    return out / sdist, out / wheel


def _package_files() -> set[str]:
    return {
        path.relative_to(PACKAGE.parent).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.mark.slow
def test_the_wheel_holds_every_file_of_the_package_and_nothing_else(built: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(built[1]) as wheel:
        names = set(wheel.namelist())
    info = {name for name in names if name.startswith("musicflow-")}
    assert {name for name in names - info} == _package_files()
    for bundled in (
        "musicflow/demo/my_spotify_data.zip",
        "musicflow/demo/PROVENANCE.txt",
        "musicflow/features/data/catalog.parquet",
        "musicflow/web/templates/index.html",
        "musicflow/web/static/apidocs/swagger-ui-bundle.js",
        "musicflow/store/migrations/versions/0001_plays_and_tracks.py",
        "musicflow/store/migrations/script.py.mako",
    ):
        assert bundled in names
    dist_info = built[1].name.split("-py3")[0] + ".dist-info"
    assert f"{dist_info}/licenses/LICENSE" in info


@pytest.mark.slow
def test_the_wheel_says_its_licence_entry_point_and_pinned_dependencies(built: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(built[1]) as wheel:
        dist_info = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")).rsplit("/", 1)[0]
        metadata = Parser().parsestr(wheel.read(f"{dist_info}/METADATA").decode())
        entry_points = wheel.read(f"{dist_info}/entry_points.txt").decode()
    assert metadata["License-Expression"] == "MIT"
    assert "musicflow = musicflow.cli:main" in entry_points
    requirements = metadata.get_all("Requires-Dist") or []
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert len([r for r in requirements if "extra ==" not in r]) == len(declared["dependencies"])
    for requirement in requirements:  # every one, the extras' too, at one version (README: "pinned")
        assert "==" in requirement and ">" not in requirement.split(";")[0], requirement
    assert set(metadata.get_all("Provides-Extra") or []) == set(declared["optional-dependencies"])


@pytest.mark.slow
def test_the_source_distribution_builds_the_same_package_without_the_tests(built: tuple[Path, Path]) -> None:
    with tarfile.open(built[0]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"pyproject.toml", "README.md", "LICENSE"} <= names
    assert {name for name in names if name.startswith("src/musicflow/")} >= {
        f"src/{name}" for name in _package_files()
    }
    assert not any(name.startswith("tests/") for name in names)  # a few of them, without their fixtures


def test_the_build_uses_the_oldest_setuptools_the_project_allows() -> None:
    """The wheels above are built by the setuptools the dev extra pins, the floor [build-system] declares:
    so the floor is one that builds MusicFlow. It said 69, and setuptools 69 to 76 stop on `license =
    "MIT"` ("project.license must be valid exactly by one definition"), which needs 77."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (floor,) = [r.split(">=")[1] for r in project["build-system"]["requires"] if r.startswith("setuptools")]
    (pinned,) = [
        r.split("==")[1]
        for r in project["project"]["optional-dependencies"]["dev"]
        if r.startswith("setuptools==")
    ]
    assert floor.split(".")[0] == pinned.split(".")[0]
    assert version("setuptools") == pinned
