"""The catalog layouts MusicFlow knows, each recognised by the columns of its header (never its name).

A layout says which column holds the Spotify id, the title and the artists (and how artists are joined),
and which columns carry features under another name. Columns already named like a feature in
`spec.FEATURE_NAMES` are taken as that feature in every layout. `release_date` is a pseudo feature that
fills release_year, release_month and release_day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from musicflow.core.feature_spec import AUDIO_FEATURES, FEATURE_NAMES

RELEASE_DATE = "release_date"
TARGETS: frozenset[str] = frozenset(FEATURE_NAMES) | {RELEASE_DATE}
UNIT_FEATURES = (
    "danceability",
    "energy",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
)


@dataclass(frozen=True)
class CatalogFormat:
    """How to read one layout; `signature` columns must all be in the header for it to be chosen."""

    name: str
    signature: frozenset[str]
    id_column: str | None
    title_column: str | None
    artists_column: str | None
    artists_style: str = "single"  # single | comma | semicolon | list (see text.split_artists)
    renames: Mapping[str, str] = field(default_factory=dict)  # source column -> feature (or release_date)
    percent: bool = False  # unit-interval features written as 0-100

    def feature_columns(self, header: Sequence[str]) -> dict[str, str]:
        """Source column -> target for this header: the renames plus every spec-named column."""
        columns = {column: target for column, target in self.renames.items() if column in header}
        renamed = set(columns.values())
        for column in header:
            if column in TARGETS and column not in columns and column not in renamed:
                columns[column] = column
        return columns


def _columns(names: str) -> frozenset[str]:
    return frozenset(names.split())


NATIVE = CatalogFormat(
    "musicflow native catalog",
    _columns("spotify_id song artists"),
    "spotify_id",
    "song",
    "artists",
    artists_style="semicolon",
)

KNOWN_FORMATS: tuple[CatalogFormat, ...] = (
    NATIVE,
    CatalogFormat(
        "hit predictor decades (Billboard target)",
        _columns("track artist uri chorus_hit target"),
        "uri",
        "track",
        "artist",
    ),
    CatalogFormat(
        "spotify popularity playlists 2024",
        _columns("track_id track_name track_artist track_popularity"),
        "track_id",
        "track_name",
        "track_artist",
        artists_style="comma",
        renames={"track_popularity": "popularity", "track_album_release_date": RELEASE_DATE},
    ),
    CatalogFormat(
        "top hits playlists by year",
        _columns("playlist_url track_id track_name artist_name artist_genres"),
        "track_id",
        "track_name",
        "artist_name",
        renames={"track_popularity": "popularity"},
    ),
    CatalogFormat(
        "weekly top songs with audio features",
        _columns("id artist_names track_name weeks_on_chart"),
        "id",
        "track_name",
        "artist_names",
        artists_style="comma",
    ),
    CatalogFormat(
        "most streamed songs 2023 (percent features)",
        _columns("track_name artist(s)_name bpm danceability_%"),
        None,
        "track_name",
        "artist(s)_name",
        artists_style="comma",
        percent=True,
        renames={
            "bpm": "tempo",
            "artist_count": "n_artists",
            "released_year": "release_year",
            "released_month": "release_month",
            "released_day": "release_day",
            **{f"{name}_%": name for name in UNIT_FEATURES},
        },
    ),
    CatalogFormat(
        "SpotifyFeatures by genre",
        _columns("genre artist_name track_name track_id popularity"),
        "track_id",
        "track_name",
        "artist_name",
    ),
    CatalogFormat(
        "tracks 1921-2020 (artists as lists)",
        _columns("id name artists id_artists release_date"),
        "id",
        "name",
        "artists",
        artists_style="list",
    ),
    CatalogFormat(
        "tracks by release year",
        _columns("artist track track_id popularity year"),
        "track_id",
        "track",
        "artist",
        renames={"year": "release_year"},
    ),
    CatalogFormat(
        "playlist songs with length",
        _columns("track_id name album artist release_date length"),
        "track_id",
        "name",
        "artist",
        renames={"length": "duration_ms"},
    ),
    CatalogFormat(
        "favourite songs (ids only)",
        _columns("track_id length favorite"),
        "track_id",
        None,
        None,
        renames={"length": "duration_ms"},
    ),
)

_ID_ALIASES = ("spotify_id", "track_id", "id", "uri", "track_uri", "spotify_uri")
_TITLE_ALIASES = ("song", "track_name", "title", "name", "track", "song_name")
_ARTIST_ALIASES = ("artists", "artist", "artist_name", "artist_names", "track_artist", "artist(s)_name")
MIN_GENERIC_FEATURES = 3


def detect_format(header: Sequence[str]) -> CatalogFormat | None:
    """The first known layout whose signature the (normalised) header holds."""
    columns = set(header)
    known = next((fmt for fmt in KNOWN_FORMATS if fmt.signature <= columns), None)
    return known or _generic_format(header)


def _generic_format(header: Sequence[str]) -> CatalogFormat | None:
    """A layout for a file we have not seen that uses Spotify's own column names.

    It needs an id column, or a title and an artist column, and at least three audio features named as
    in the feature table; anything less is too likely to be read wrong, and a mapping is asked for.
    """
    ident = _first_present(_ID_ALIASES, header)
    title = _first_present(_TITLE_ALIASES, header)
    artists = _first_present(_ARTIST_ALIASES, header)
    features = [column for column in header if column in AUDIO_FEATURES]
    if len(features) < MIN_GENERIC_FEATURES or not (ident or (title and artists)):
        return None
    columns = frozenset(c for c in (ident, title, artists) if c)
    return CatalogFormat("spotify-style columns", columns, ident, title, artists)


def _first_present(candidates: Sequence[str], header: Sequence[str]) -> str | None:
    return next((name for name in candidates if name in header), None)
