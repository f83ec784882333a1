"""A user's own column names: which column holds the id, the title, the artists and each feature.

The CLI passes a mapping as text, `id=track_id,song=name,artist=artists,tempo=bpm`; columns already
named like a feature (`energy`, `tempo`, ...) are taken without being listed. A mapping that names a
column the file does not have, or a feature MusicFlow does not know, is refused with the choices.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from musicflow.errors import CatalogError
from musicflow.features.catalog_formats.layouts import TARGETS, CatalogFormat
from musicflow.features.catalog_formats.tables import normalise_header

_ROLE_ALIASES = {
    "id": "id",
    "spotify_id": "id",
    "uri": "id",
    "track_id": "id",
    "song": "song",
    "title": "song",
    "track": "song",
    "name": "song",
    "artist": "artists",
    "artists": "artists",
}
_SEPARATORS = {"comma": "comma", "semicolon": "semicolon", "single": "single", "list": "list"}


@dataclass(frozen=True)
class ColumnMapping:
    """Which of a file's columns mean what; `features` maps a feature name to its column."""

    id: str | None = None
    song: str | None = None
    artists: str | None = None
    features: Mapping[str, str] = field(default_factory=dict)
    artists_style: str = "single"  # how several artists share the cell: single, comma, semicolon, list
    percent: bool = False  # danceability, energy, ... written as 0-100

    @classmethod
    def parse(cls, text: str) -> ColumnMapping:
        """Read `role=column,...`; roles are id, song, artist and feature names (or release_date).

        Two options are accepted too: `artists_sep=comma|semicolon|single|list` and `percent=yes`.
        """
        roles: dict[str, str] = {}
        features: dict[str, str] = {}
        options: dict[str, str] = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            name, column = _pair(item)
            if name in ("artists_sep", "percent"):
                options[name] = column
            elif name in _ROLE_ALIASES:
                roles[_ROLE_ALIASES[name]] = column
            elif name in TARGETS:
                features[name] = column
            else:
                raise CatalogError(
                    f"mapping: {name!r} is not something a catalog column can hold; use id, song, "
                    f"artist, artists_sep, percent or a feature: {', '.join(sorted(TARGETS))}"
                )
        return cls(
            id=roles.get("id"),
            song=roles.get("song"),
            artists=roles.get("artists"),
            features=features,
            artists_style=_style(options.get("artists_sep", "single")),
            percent=options.get("percent", "no").casefold() in ("yes", "true", "1"),
        )

    def to_format(self, header: Sequence[str], label: str) -> CatalogFormat:
        """A layout for this file, after checking that every named column is in its header."""
        wanted = {"id": self.id, "song": self.song, "artist": self.artists, **self.features}
        columns = {role: normalise_header([column])[0] for role, column in wanted.items() if column}
        missing = {role: column for role, column in columns.items() if column not in header}
        if missing:
            listed = ", ".join(f"{role}={column!r}" for role, column in missing.items())
            raise CatalogError(
                f"{label}: the mapping names columns the file does not have ({listed}); "
                f"its columns are: {', '.join(header)}"
            )
        if not columns.get("id") and not (columns.get("song") and columns.get("artist")):
            raise CatalogError(f"{label}: the mapping needs an id column, or a song and an artist column")
        renames = {columns[name]: name for name in self.features}
        return CatalogFormat(
            "mapped columns",
            frozenset(columns.values()),
            columns.get("id"),
            columns.get("song"),
            columns.get("artist"),
            artists_style=self.artists_style,
            renames=renames,
            percent=self.percent,
        )


def _pair(item: str) -> tuple[str, str]:
    name, sep, column = item.partition("=")
    if not sep or not name.strip() or not column.strip():
        raise CatalogError(f"mapping: {item!r} should look like role=column, e.g. song=track_name")
    return name.strip().casefold(), column.strip()


def _style(text: str) -> str:
    style = _SEPARATORS.get(text.casefold())
    if style is None:
        raise CatalogError(f"mapping: artists_sep should be one of {', '.join(_SEPARATORS)}, got {text!r}")
    return style
