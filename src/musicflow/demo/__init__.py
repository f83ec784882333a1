"""The demo export bundled with MusicFlow, so the whole job runs with no data of your own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

DEMO_EXPORT = "my_spotify_data.zip"


@contextmanager
def export_path() -> Iterator[Path]:
    """A real path to the bundled `my_spotify_data.zip`, wherever the package is installed."""
    with resources.as_file(resources.files(__package__) / DEMO_EXPORT) as path:
        yield path
