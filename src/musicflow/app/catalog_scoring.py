"""Batch use cases: score a whole catalog for a listener, and recommend songs they never played.

Both ship the listener's champion and history to the scorer as a `ScoringPack` (plain data), so the
local engine and Dask workers score alike. `recommend` reads the store's catalogs a batch at a time and
keeps only the best candidates, so its memory does not grow with the catalogs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from musicflow.app.serving import ServingModel
from musicflow.errors import CatalogNotFoundError, Hint, InputFileError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import polars as pl

    from musicflow.features.audio.folder import FileMapper
    from musicflow.features.catalog_files import ColumnMapping
    from musicflow.model.explain import Contribution
    from musicflow.scale.engines import Engine
    from musicflow.scale.job import JobInput, ScoreSummary
    from musicflow.scale.pack import ScoringPack
    from musicflow.store.base import Store

RECOMMEND_BATCH = 100_000
DEFAULT_PER_ARTIST = 2


@dataclass(frozen=True)
class Recommendation:
    song: str
    artist: str
    track_id: str | None
    predicted_streams: float
    reasons: list[Contribution] = field(default_factory=list)

    def as_document(self) -> dict[str, object]:
        return {
            "song": self.song,
            "artist": self.artist,
            "track_id": self.track_id,
            "predicted_streams": round(self.predicted_streams, 4),
            "reasons": [reason.words for reason in self.reasons],
        }


def parse_mapping(text: str | None) -> ColumnMapping | None:
    """`--mapping 'id=track_id,song=name,...'` for a catalog file in a layout of its own."""
    from musicflow.features.catalog_files import ColumnMapping

    return ColumnMapping.parse(text) if text else None


def engine_named(
    name: str, scheduler: str | None = None, on_dashboard: Callable[[str], None] | None = None
) -> Engine:
    """`local` or `dask` (at `scheduler`, or on a LocalCluster started for the job)."""
    from musicflow.scale.engines import engine_named as named

    return named(name, scheduler, on_dashboard)


@contextmanager
def audio_file_mapper(
    engine: str, scheduler: str | None, on_dashboard: Callable[[str], None] | None = None
) -> Iterator[FileMapper | None]:
    """None for the local engine; for dask, a mapper running one audio file per task on the cluster."""
    if engine == "local":
        engine_named(engine, scheduler)  # refuses --scheduler without --engine dask
        yield None
        return
    engine_named(engine, scheduler)
    from musicflow.scale.audio import dask_file_mapper

    with dask_file_mapper(scheduler, on_dashboard) as mapper:
        yield mapper


def scoring_pack(serving: ServingModel, store: Store, profile_id: int) -> ScoringPack:
    """The champion as LightGBM text with its checksum, and the listener's history as plain numbers."""
    from musicflow.core.songs import match_key
    from musicflow.scale.pack import ScoringPack, model_sha256

    listener = serving.listener
    played = store.history.played_tracks(profile_id)
    played_songs = {}
    for track in played:
        own = listener.affinity(track.artist, track.track_id)
        key = track.match_key or match_key(track.artist, track.name)
        played_songs[key] = (own.streams, own.songs, own.share, own.first_days, own.last_days)
    text = serving.model.booster.model_to_string()
    return ScoringPack(
        profile=serving.profile,
        model_version=serving.version,
        model_text=text,
        sha256=model_sha256(text),
        columns=tuple(serving.model.layout.columns),
        allow_spotify=serving.model.layout.allow_spotify,
        target_transform=serving.model.target_transform,
        artist_affinity={
            key: (a.streams, a.songs, a.share, a.first_days, a.last_days)
            for key, a in listener.artist_affinities().items()
        },
        played_songs=played_songs,
        played_ids={t.spotify_id: t.match_key for t in played if t.spotify_id and t.match_key},
    )


def catalog_input(store: Store, catalog: str, mapping: ColumnMapping | None = None) -> JobInput:
    """A catalog file (any layout `catalog add` reads), else the name of an imported catalog."""
    from musicflow.scale.job import JobInput
    from musicflow.scale.staging import file_rows

    path = Path(catalog)
    if path.exists():
        return JobInput.of_file(path, lambda: file_rows(path, mapping))
    if mapping is not None:
        raise InputFileError(f"{catalog}: no such file (a mapping is for a catalog file)")
    info = next((c for c in store.features.catalogs() if c.name == catalog), None)
    if info is None:
        raise CatalogNotFoundError(
            f"'{catalog}' is neither a catalog file nor an imported catalog", hint=Hint.LIST_CATALOGS
        )
    identity = {"catalog": info.name, "imported_at": info.imported_at, "rows": info.rows}
    return JobInput(info.name, identity, rows=lambda: store.features.catalog_rows(info.name))


def score_catalog(
    pack: ScoringPack,
    source: JobInput,
    output: Path,
    engine: Engine,
    *,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ScoreSummary:
    from musicflow.scale.job import run_job

    return run_job(pack, source, output, engine, resume=resume, progress=progress)


def recommend(
    serving: ServingModel,
    pack: ScoringPack,
    store: Store,
    catalogs: Sequence[str],
    top: int,
    per_artist: int = DEFAULT_PER_ARTIST,
) -> list[Recommendation]:
    """The `top` unplayed songs with the highest prediction, at most `per_artist` by one artist."""
    import numpy as np
    import polars as pl

    from musicflow.scale.frames import checked
    from musicflow.scale.score_rows import score_rows

    best: pl.DataFrame | None = None
    vectors = np.empty((0, len(pack.columns)))
    for rows in _batches(store, catalogs):
        good, _bad = checked(rows)
        scored = score_rows(pack, good)
        fresh = scored.frame.with_row_index("_at").with_columns(pl.col("_at").cast(pl.Int64))
        fresh = fresh.filter(~pl.col("played"))
        if best is not None:
            fresh = pl.concat([best, fresh.with_columns(pl.col("_at") + len(vectors))])
            vectors = np.vstack([vectors, scored.matrix])
        else:
            vectors = scored.matrix
        best = _best(fresh, top, per_artist)
        vectors, best = _compact(vectors, best)
    if best is None:
        return []
    return _explained(serving, best, vectors)


def _batches(store: Store, catalogs: Sequence[str]) -> Iterator[pl.DataFrame]:
    from musicflow.scale.staging import native_frame

    known = {c.name for c in store.features.catalogs()}
    for name in catalogs:
        if name not in known:
            raise CatalogNotFoundError(f"no catalog named '{name}'", hint=Hint.LIST_CATALOGS)
    for name in catalogs:
        batch = []
        for row in store.features.catalog_rows(name):
            batch.append(row)
            if len(batch) == RECOMMEND_BATCH:
                yield native_frame(batch).with_row_index("row", 1)
                batch = []
        if batch:
            yield native_frame(batch).with_row_index("row", 1)


def _best(frame: pl.DataFrame, top: int, per_artist: int) -> pl.DataFrame:
    """The best `per_artist` of each artist, then the best `top` of those: the same answer whatever
    order the rows come in, so it can be applied batch after batch."""
    import polars as pl

    ranked = frame.sort(["predicted_streams", "track_id", "song"], descending=[True, False, False])
    capped = ranked.filter(pl.int_range(pl.len()).over("artist_key") < per_artist)
    return capped.head(top)


def _compact(
    vectors: npt.NDArray[np.float64], best: pl.DataFrame
) -> tuple[npt.NDArray[np.float64], pl.DataFrame]:
    import polars as pl

    kept = vectors[best.get_column("_at").to_numpy()]
    return kept, best.with_columns(pl.int_range(pl.len()).alias("_at"))


def _explained(
    serving: ServingModel, best: pl.DataFrame, vectors: npt.NDArray[np.float64]
) -> list[Recommendation]:
    from musicflow.model.explain import top_contributions

    model = serving.model
    if not len(vectors):
        return []
    effects = model.explainer.contributions(vectors)
    found = []
    for i, row in enumerate(best.iter_rows(named=True)):
        reasons = top_contributions(model.layout.columns, vectors[i], effects[i], model.medians, 3)
        found.append(
            Recommendation(row["song"], row["artist"], row["track_id"], row["predicted_streams"], reasons)
        )
    return found
