"""The catalog source: features from catalog files imported into the store (offline, no credentials).

Looks a song up by Spotify id first (the same recording), else by its loose song key (`match_key`).
A song asked by name whose key several recordings share (an original and its reissue, a single and its
album track) is answered for one chosen by one rule (`by_name`): the most popular, rows without
popularity last, then the earliest released. Of the rows of the recording chosen, the one with the most
values wins and the others fill its gaps. `answer_by_name` is that rule, the only place it is computed:
`recommend` lists such a song as the same recording, so the number beside it is the one predicting it
by name gives.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from musicflow.core.plurals import counted
from musicflow.core.songs import (
    CatalogRow,
    FeatureRecord,
    FeatureValue,
    NotFound,
    SourceAnswer,
    TrackQuery,
    match_key,
)
from musicflow.errors import CatalogError
from musicflow.features.catalog_files import (
    CatalogRead,
    CatalogReport,
    ColumnMapping,
    bundled_catalog_path,
    read_catalog,
)
from musicflow.features.source_port import BUNDLED_CATALOG
from musicflow.store.ports import FeatureStore, StoredFeatures

log = logging.getLogger(__name__)

SOURCE = "catalog"
BUNDLED = BUNDLED_CATALOG


@dataclass(frozen=True)
class CatalogAnswers:
    """How many of a listener's songs the catalogs answer for, asked again once a catalog was added or
    removed (every answer of the catalogs is dropped with the change)."""

    profile: str
    songs: int
    answered: int
    before: int  # answered before the change


@dataclass(frozen=True)
class CatalogImport:
    name: str
    stored: int
    report: CatalogReport
    answers: tuple[CatalogAnswers, ...] = ()


def import_catalog_file(
    store: FeatureStore, path: Path, name: str | None = None, mapping: ColumnMapping | None = None
) -> CatalogImport:
    """Read a catalog file and replace the catalog of that name with it (all or nothing)."""
    read = read_catalog(path, mapping)
    catalog_name = name or path.stem
    existing = any(info.name == catalog_name for info in store.catalogs())
    rows = _some_rows(
        read, f"catalog '{catalog_name}' is left as it was" if existing else "nothing is imported"
    )
    stored = store.import_catalog(catalog_name, path.name, read.format_name, rows)
    log.info("catalog %s: %d rows stored from %s", catalog_name, stored, path.name)
    return CatalogImport(catalog_name, stored, read.report)


def _some_rows(read: CatalogRead, kept: str) -> Iterator[CatalogRow]:
    """The rows of `read`; a file none of whose rows can be used (only a header, every row refused) is a
    CatalogError raised inside the store's transaction, so a catalog of that name stays as it was: such a
    file replaced a catalog of 14,369 rows with one of none, and said it had imported it."""
    any_row = False
    for row in read:
        any_row = True
        yield row
    if any_row:
        return
    report = read.report
    if not report.rows_read:
        raise CatalogError(f"{read.path}: the file holds no rows: {kept}")
    reasons = ", ".join(f"{count:,} {reason}" for reason, count in report.reasons.most_common())
    first = f"; the first: {report.examples[0]}" if report.examples else ""
    rows = counted(report.rows_read, "row")
    raise CatalogError(f"{read.path}: none of its {rows} could be used ({reasons}{first}): {kept}")


def ensure_bundled_catalog(store: FeatureStore) -> CatalogImport | None:
    """Import the catalog shipped with MusicFlow unless the store has it already, or the user removed it
    (`catalog add bundled` brings it back)."""
    if any(info.name == BUNDLED for info in store.catalogs()) or store.catalog_removed(BUNDLED):
        return None
    with bundled_catalog_path() as path:
        return import_catalog_file(store, path, BUNDLED)


class CatalogRows(Protocol):
    """Where catalog rows are looked up: the store, or the song index that holds them in memory."""

    def catalog_matches(
        self, spotify_ids: Sequence[str], match_keys: Sequence[str]
    ) -> tuple[dict[str, list[StoredFeatures]], dict[str, list[StoredFeatures]]]: ...


class CatalogSource:
    """Implements `FeatureSource` over the catalogs in the store."""

    name = SOURCE
    batch_size = 500

    def __init__(self, store: CatalogRows) -> None:
        self._store = store

    def fetch(self, queries: Sequence[TrackQuery]) -> dict[str, SourceAnswer]:
        ids = sorted({q.spotify_id for q in queries if q.spotify_id})
        keys = sorted({match_key(q.artist, q.song) for q in queries})
        by_id, by_key = self._store.catalog_matches(ids, keys)
        answers: dict[str, SourceAnswer] = {}
        for query in queries:
            rows = by_id.get(query.spotify_id or "")
            named = None if rows else by_key.get(match_key(query.artist, query.song))
            if rows:
                answers[query.key] = _record(rows)
            elif named:
                answers[query.key] = answer_by_name(named)[1]
            else:
                answers[query.key] = NotFound(SOURCE, "in no imported catalog")
        return answers


def answer_by_name(rows: Sequence[StoredFeatures]) -> tuple[StoredFeatures, FeatureRecord]:
    """What a song asked by name is answered from the rows of its loose key: the recording `by_name`
    picks, and of its rows the one whose values lead (the others fill its gaps), with the answer. The
    leading row is given so a list of songs can show each as that entry (`recommend`)."""
    chosen = by_name(rows)
    return min(chosen, key=_fullest), _record(chosen)


def by_name(rows: Sequence[StoredFeatures]) -> list[StoredFeatures]:
    """Of the rows of one loose key, those of the recording a song asked by name is answered for: the
    most popular (rows without popularity last), then the earliest released, then the one with the most
    values; with the other rows of its Spotify id."""
    best = min(rows, key=_preference)
    if not best.spotify_id:
        return [best]
    return [row for row in rows if row.spotify_id == best.spotify_id]


def _preference(row: StoredFeatures) -> tuple[bool, float, bool, tuple[int, int, int], int, str]:
    values = row.values
    popularity = values.get("popularity")
    year = values.get("release_year")
    released = (
        (int(year), int(values.get("release_month") or 1), int(values.get("release_day") or 1))
        if year
        else None
    )
    return (
        popularity is None,
        -float(popularity or 0),
        released is None,
        released or (0, 0, 0),
        -len(values),
        row.origin or "",
    )


def _fullest(row: StoredFeatures) -> tuple[int, str]:
    """Of the rows of one recording, the one with the most values first (then by catalog name)."""
    return -len(row.values), row.origin or ""


def _record(rows: list[StoredFeatures]) -> FeatureRecord:
    ranked = sorted(rows, key=_fullest)  # stable: the first of equals leads, as `min` picks it
    best = ranked[0]
    values: dict[str, FeatureValue] = dict(best.values)
    for other in ranked[1:]:
        if other.spotify_id and other.spotify_id == best.spotify_id:
            for name, value in other.values.items():
                values.setdefault(name, value)
    return FeatureRecord(
        source=SOURCE,
        values=values,
        spotify_id=best.spotify_id,
        fetched_at=best.fetched_at,
        origin=best.origin,
    )
