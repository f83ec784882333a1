"""`MusicFlow`: the application, opened once from the settings; every use case is one of its methods.

It owns the store, the clock, the model registry, the feature sources (opened on first use and kept, so
a server reuses its HTTP connections) and the serving models. Front ends parse, call, and render what
comes back; they never reach the store or the parts themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from musicflow.app.results import FetchResult, Prediction, SongLookup, Training
from musicflow.app.serving import ServingModel, ServingModels
from musicflow.config import Settings
from musicflow.core.clock import Clock, SystemClock
from musicflow.errors import (
    CatalogNotFoundError,
    Hint,
    ModelError,
    MusicflowError,
    ProfileNotFoundError,
)

if TYPE_CHECKING:
    from musicflow.app.scoring import Recommendation
    from musicflow.app.taste import Standing, Taste
    from musicflow.core.songs import SongRequest
    from musicflow.features.analyze import AnalyzeReport
    from musicflow.features.audio.folder import FileMapper
    from musicflow.features.base import FeatureSource
    from musicflow.features.catalog import CatalogImport
    from musicflow.features.coverage import CoverageReport
    from musicflow.features.fetch import FetchProgress
    from musicflow.ingest.report import IngestReport
    from musicflow.ingest.service import Progress
    from musicflow.model.registry import FileModelRegistry
    from musicflow.model.serving import Predictor
    from musicflow.scale.engines import Engine
    from musicflow.scale.job import ScoreSummary
    from musicflow.scale.pack import ScoringPack
    from musicflow.store.base import AliasMove, CatalogInfo, ListeningSummary, ModelVersion, TrackStreams
    from musicflow.store.sql import SqlStore

DAY_S = 86_400.0
LOCAL_SOURCES = frozenset({"catalog", "audio_files"})  # answer from this machine, no quota spent
TrainingProgress = Callable[[str, float], None]


class MusicFlow:
    """The use cases over one store. Thread-safe for predictions; one instance per process."""

    def __init__(self, settings: Settings, store: SqlStore, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self._store = store
        self._sources: list[FeatureSource] | None = None
        self._closing = ExitStack()
        self.serving = ServingModels(self._champion_version, self._load_serving)

    @classmethod
    def open(cls, settings: Settings, clock: Clock | None = None) -> MusicFlow:
        """Open (and migrate) the configured store."""
        from musicflow.store import open_store

        return cls(settings, open_store(settings), clock)

    def close(self) -> None:
        self._closing.close()
        self._store.close()

    def __enter__(self) -> MusicFlow:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    # -- profiles and plays -----------------------------------------------------------------------
    def profiles(self) -> list[str]:
        return self._store.profiles()

    def require_profile(self, profile: str) -> int:
        """The profile's id; an error with what to do when it holds no data yet."""
        profile_id = self._store.profile_id(profile)
        if profile_id is None:
            raise ProfileNotFoundError(
                f"profile '{profile}' has no data yet", hint=Hint.INGEST, profile=profile
            )
        return profile_id

    def ingest(self, paths: Sequence[Path], profile: str, progress: Progress | None = None) -> IngestReport:
        from musicflow.ingest.service import ingest_paths

        return ingest_paths(paths, self._store, profile, self.settings, progress)

    def top_streams(self, profile: str, limit: int | None) -> list[TrackStreams]:
        profile_id = self.require_profile(profile)
        return self._store.track_streams(profile_id, self.settings.stream_min_ms, limit)

    def listening_summary(self, profile: str) -> ListeningSummary:
        return self._store.listening_summary(self.require_profile(profile), self.settings.stream_min_ms)

    # -- catalogs and features --------------------------------------------------------------------
    def add_catalog(self, path: Path, name: str | None = None, mapping: str | None = None) -> CatalogImport:
        """Import a catalog file; `mapping` names the file's columns ('song=name,artist=artists,...')."""
        from musicflow.features.catalog import import_catalog_file
        from musicflow.features.catalog_files import ColumnMapping

        columns = ColumnMapping.parse(mapping) if mapping else None
        return import_catalog_file(self._store.features, path, name, columns)

    def catalogs(self) -> list[CatalogInfo]:
        return self._store.features.catalogs()

    def remove_catalog(self, name: str) -> None:
        if not self._store.features.remove_catalog(name):
            raise CatalogNotFoundError(f"no catalog named '{name}'", hint=Hint.LIST_CATALOGS)

    def fetch_features(
        self, profile: str, sources: Sequence[str] | None = None, progress: FetchProgress | None = None
    ) -> FetchResult:
        """Ask each source about the listener's tracks it has not answered yet; resumable."""
        from musicflow.features.fetch import fetch_features

        profile_id = self.require_profile(profile)
        with self._opened_sources(sources) as opened:
            runs = fetch_features(
                self._store.features,
                profile_id,
                opened,
                clock=self.clock,
                miss_ttl_s=self._miss_ttl_s,
                progress=progress,
            )
        return FetchResult(runs, self.coverage(profile))

    def coverage(self, profile: str) -> CoverageReport:
        from musicflow.features.coverage import coverage

        return coverage(
            self._store.features,
            self.require_profile(profile),
            stream_min_ms=self.settings.stream_min_ms,
            precedence=self.settings.feature_precedence,
            now=self.clock.now(),
        )

    def song_features(
        self,
        song: str,
        artist: str,
        sources: Sequence[str] | None = None,
        spotify_id: str | None = None,
    ) -> SongLookup:
        """One song's features as each source gave them and merged, asking sources that have not
        answered for it yet; a song no source knows is a `SongNotFoundError` naming what was asked
        (an upstream error instead when a source failed)."""
        from musicflow.features.lookup import missing_features_error, song_features

        with self._opened_sources(sources) as opened:
            found = song_features(
                self._store.features,
                song,
                artist,
                opened,
                precedence=self.settings.feature_precedence,
                clock=self.clock,
                miss_ttl_s=self._miss_ttl_s,
                spotify_id=spotify_id,
            )
            asked = [source.name for source in opened]
        if not found.merged.values:
            raise missing_features_error(song, artist, asked, found)
        raw = self._store.features.features_of([found.track.track_id]).get(found.track.track_id, [])
        return SongLookup(found, raw)

    def local_sources(self) -> list[str]:
        """The configured sources that answer from this machine (a question to them costs no quota)."""
        return [name for name in self.settings.feature_sources if name in LOCAL_SOURCES]

    def upstream_calls_for(self, song: str, artist: str) -> list[str]:
        """The configured network sources a question about this song would call now (none once each
        has answered or said it does not know the song): what a server spends of their quotas."""
        from musicflow.features.lookup import sources_to_ask

        remote = [name for name in self.settings.feature_sources if name not in LOCAL_SOURCES]
        return sources_to_ask(self._store.features, song, artist, remote, self.clock.now()) if remote else []

    def analyze_audio(
        self,
        folder: Path,
        progress: Callable[[int, int, Path], None] | None = None,
        map_files: FileMapper | None = None,
    ) -> AnalyzeReport:
        """`map_files` (see `scale.audio.dask_file_mapper`) spreads the files over a Dask cluster."""
        from musicflow.features.analyze import analyze_into_store, require_audio_extra

        require_audio_extra()
        return analyze_into_store(
            self._store.features,
            folder,
            max_seconds=self.settings.audio_max_seconds,
            miss_ttl_s=self._miss_ttl_s,
            now=self.clock.now(),
            progress=progress,
            map_files=map_files,
        )

    # -- models -----------------------------------------------------------------------------------
    def train(
        self, profile: str, *, force: bool = False, progress: TrainingProgress | None = None
    ) -> Training:
        """Train, evaluate under the protocol, register; the gate decides whether it serves."""
        from musicflow.app.training import train_and_publish

        self.require_profile(profile)
        return train_and_publish(self._store, self.registry, self.settings, profile, force, progress)

    def models(self, profile: str) -> list[ModelVersion]:
        return self.registry.list(profile)

    def model(self, profile: str, version: str = "champion") -> ModelVersion:
        return self.registry.show(profile, version)

    def promote(self, profile: str, version: str) -> AliasMove:
        from musicflow.model.refs import parse_ref

        number = parse_ref(version)
        if number is None:
            raise ModelError(f"'{version}' names the champion itself: give the version number to promote")
        return self.registry.promote(profile, number, note="by hand")

    def rollback(self, profile: str) -> AliasMove:
        return self.registry.rollback(profile)

    @property
    def registry(self) -> FileModelRegistry:
        from musicflow.model.registry import open_registry

        return open_registry(self._store, self.settings)

    # -- predictions ------------------------------------------------------------------------------
    def predict(
        self,
        profile: str,
        song: str,
        artist: str,
        spotify_id: str | None = None,
        *,
        sources: Sequence[str] | None = None,
    ) -> Prediction:
        """How many times will this listener stream this song; with the reasons and the model version.
        `sources` (default: the configured ones) are the ones asked when the song is not cached."""
        if not song.strip() or not artist.strip():
            raise MusicflowError("song and artist are both needed")
        serving = self.serving.get(profile)
        with self._predictor(serving, sources) as predictor:
            answer = predictor.predict(self._store.features, song, artist, spotify_id=spotify_id)
        return Prediction(serving.profile, serving.version, answer)

    def predict_many(self, profile: str, songs: Sequence[SongRequest]) -> list[Prediction | str]:
        """One answer per song, in order: a prediction, or the reason this song could not be predicted."""
        from musicflow.app.batch_predict import predict_in_bulk

        serving = self.serving.get(profile)
        with self._predictor(serving) as predictor:
            answers = predict_in_bulk(self._store.features, predictor, songs)
        return [a if isinstance(a, str) else Prediction(serving.profile, serving.version, a) for a in answers]

    # -- batch scoring ----------------------------------------------------------------------------
    def score_catalog(
        self,
        profile: str,
        catalog: str,
        output: Path,
        *,
        mapping: str | None = None,
        engine: Engine | None = None,
        resume: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> ScoreSummary:
        """Every row of a catalog file (or of an imported catalog, by name) scored into `output`;
        `mapping` names the columns of a file in a layout of its own, as for `add_catalog`."""
        from musicflow.app.scoring import catalog_input, parse_mapping, score_catalog
        from musicflow.scale.engines import LocalEngine

        pack = self.scoring_pack(profile)
        source = catalog_input(self._store, catalog, parse_mapping(mapping))
        return score_catalog(pack, source, output, engine or LocalEngine(), resume=resume, progress=progress)

    def recommend(
        self, profile: str, top: int = 20, catalogs: Sequence[str] | None = None, per_artist: int = 2
    ) -> list[Recommendation]:
        """The songs of the imported catalogs the listener never played, best predictions first."""
        from musicflow.app.scoring import recommend

        serving = self.serving.get(profile)
        pack = self.scoring_pack(profile)
        names = list(catalogs) if catalogs else [c.name for c in self.catalogs()]
        return recommend(serving, pack, self._store, names, top, per_artist)

    def scoring_pack(self, profile: str) -> ScoringPack:
        from musicflow.app.scoring import scoring_pack

        serving = self.serving.get(profile)
        return scoring_pack(serving, self._store, self.require_profile(profile))

    # -- the listener's taste (the web page) --------------------------------------------------------
    def taste(self, profile: str) -> Taste:
        """Top artists and tracks, when they listen, what the model sees, and how good it is."""
        from musicflow.app.taste import build_taste

        profile_id = self.require_profile(profile)
        return build_taste(self._store, self.registry, self.settings, profile, profile_id)

    def listener_average(self, profile: str) -> dict[str, float]:
        """The average sound of the listener's most streamed songs, to set a song against."""
        from musicflow.app.taste import listener_average

        return listener_average(self._store, self.settings, self.require_profile(profile))

    def standing(self, profile: str, version: int) -> Standing | None:
        """A model version's evaluation against the reference rows (None when it has none)."""
        from musicflow.app.taste import standing

        return standing(self.registry, profile, version)

    # -- plumbing ---------------------------------------------------------------------------------
    @property
    def _miss_ttl_s(self) -> float:
        return self.settings.miss_ttl_days * DAY_S

    def _champion_version(self, profile: str) -> int | None:
        champion = self.registry.champion(profile)
        return champion.version if champion is not None else None

    def _load_serving(self, profile: str) -> ServingModel:
        from musicflow.model.serving import Listener, load_model

        self.require_profile(profile)
        version, model = load_model(self.registry, profile)
        listener = Listener.load(self._store.history, profile, stream_min_ms=self.settings.stream_min_ms)
        return ServingModel(profile, version, model, listener)

    @contextmanager
    def _predictor(self, serving: ServingModel, names: Sequence[str] | None = None) -> Iterator[Predictor]:
        from musicflow.model.serving import Predictor

        with self._opened_sources(names) as sources:
            yield Predictor(
                serving.model,
                serving.listener,
                sources,
                self.settings.feature_precedence,
                self.clock,
                self._miss_ttl_s,
            )

    @contextmanager
    def _opened_sources(self, names: Sequence[str] | None) -> Iterator[list[FeatureSource]]:
        """The configured sources, opened once and kept; other names, opened for this call only."""
        from musicflow.features.sources import open_sources

        wanted = list(names) if names is not None else list(self.settings.feature_sources)
        if wanted == list(self.settings.feature_sources):
            if self._sources is None:
                self._sources = self._closing.enter_context(
                    open_sources(wanted, self.settings, self._store.features, self.clock)
                )
            yield self._sources
            return
        with open_sources(wanted, self.settings, self._store.features, self.clock) as opened:
            yield opened
