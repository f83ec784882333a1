"""What a worker needs to score rows for one listener, as plain data: LightGBM's text model with its
checksum, the column layout, and the listener's artist affinity and played songs.

Nothing here is a pickle of our objects: a worker may run another build of MusicFlow, and a pickle runs
code when loaded. The booster is rebuilt from its text once per worker process, after its sha256 has
been checked.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from musicflow.errors import ModelIntegrityError
from musicflow.model.vectorize import FeatureLayout

if TYPE_CHECKING:
    import lightgbm as lgb

    from musicflow.model.tree_shap import TreeContributions

# streams, songs, share, first_days, last_days (see model.affinity.ArtistAffinity)
AffinityTuple = tuple[int, int, float, float, float, float]  # as `affinity_table` lays it out

_BOOSTERS: dict[str, lgb.Booster] = {}
_TABLES: dict[str, TreeContributions] = {}
_BOOSTERS_LOCK = threading.Lock()


@dataclass(frozen=True)
class ScoringPack:
    """One profile's champion and history, ready to travel to a worker."""

    profile: str
    model_version: int
    model_text: str
    sha256: str
    columns: tuple[str, ...]
    allow_spotify: bool
    target_transform: str
    artist_affinity: Mapping[str, AffinityTuple] = field(default_factory=dict)
    played_songs: Mapping[str, AffinityTuple | None] = field(default_factory=dict)  # match key -> own-out
    played_ids: Mapping[str, str] = field(default_factory=dict)  # Spotify id -> match key
    base_rate: float | None = None  # what thin evidence is estimated toward (model.evidence)
    banned_songs: frozenset[str] = frozenset()  # loose song keys and Spotify ids the listener banned
    banned_artists: frozenset[str] = frozenset()  # artist keys the listener banned
    listener_genres: Mapping[str, float] = field(default_factory=dict)  # for artists not streamed

    @property
    def layout(self) -> FeatureLayout:
        return FeatureLayout(self.columns, self.allow_spotify)

    @property
    def played_artists(self) -> frozenset[str]:
        """Artist keys of every played song: only rows by them can be a played song."""
        return frozenset(key.split("\x1f", 1)[0] for key in self.played_songs)

    def to_plain(self) -> dict[str, Any]:
        """Lists, dicts, strings and numbers only: what is sent to workers, with a digest of all of it
        (`pack_digest`: a worker keeps the pack it rebuilt for as long as the same one comes)."""
        plain = {
            "profile": self.profile,
            "model_version": self.model_version,
            "model_text": self.model_text,
            "sha256": self.sha256,
            "columns": list(self.columns),
            "allow_spotify": self.allow_spotify,
            "target_transform": self.target_transform,
            "artist_affinity": {k: list(v) for k, v in self.artist_affinity.items()},
            "played_songs": {k: list(v) if v is not None else None for k, v in self.played_songs.items()},
            "played_ids": dict(self.played_ids),
            "base_rate": self.base_rate,
            "banned_songs": sorted(self.banned_songs),
            "banned_artists": sorted(self.banned_artists),
            "listener_genres": dict(self.listener_genres),
        }
        listener = json.dumps({k: v for k, v in plain.items() if k != "model_text"}, sort_keys=True)
        plain["pack_digest"] = hashlib.sha256(listener.encode()).hexdigest()
        return plain

    def history_digest(self) -> str:
        """A digest of the listener's history and library as the pack carries them: what a stopped job
        resumed must share with the one that stopped (`scale.job`). Its numbers are rounded to 12
        places: genre matches are sums whose last bit differs between processes (their order follows
        Python's string hashing), with the same history."""

        def rounded(values: AffinityTuple | None) -> list[float] | None:
            return None if values is None else [round(v, 12) for v in values]

        history = {
            "artist_affinity": {k: rounded(v) for k, v in self.artist_affinity.items()},
            "played_songs": {k: rounded(v) for k, v in self.played_songs.items()},
            "played_ids": dict(self.played_ids),
            "base_rate": self.base_rate,
            "banned_songs": sorted(self.banned_songs),
            "banned_artists": sorted(self.banned_artists),
            "listener_genres": {k: round(v, 12) for k, v in self.listener_genres.items()},
        }
        text = json.dumps(history, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    @classmethod
    def from_plain(cls, plain: Mapping[str, Any]) -> ScoringPack:
        return cls(
            profile=str(plain["profile"]),
            model_version=int(plain["model_version"]),
            model_text=str(plain["model_text"]),
            sha256=str(plain["sha256"]),
            columns=tuple(plain["columns"]),
            allow_spotify=bool(plain["allow_spotify"]),
            target_transform=str(plain["target_transform"]),
            artist_affinity={k: _affinity(v) for k, v in plain["artist_affinity"].items()},
            played_songs={
                k: _affinity(v) if v is not None else None for k, v in plain["played_songs"].items()
            },
            played_ids=dict(plain["played_ids"]),
            base_rate=float(plain["base_rate"]) if plain.get("base_rate") is not None else None,
            banned_songs=frozenset(plain.get("banned_songs", ())),
            banned_artists=frozenset(plain.get("banned_artists", ())),
            listener_genres={str(k): float(v) for k, v in plain.get("listener_genres", {}).items()},
        )


def model_sha256(model_text: str) -> str:
    return hashlib.sha256(model_text.encode()).hexdigest()


def _checked(pack: ScoringPack) -> None:
    if model_sha256(pack.model_text) != pack.sha256:
        raise ModelIntegrityError(
            f"model v{pack.model_version} of '{pack.profile}' arrived damaged: its checksum does not match"
        )


def tables_of(pack: ScoringPack) -> TreeContributions:
    """The pack's model as the tables single predictions use (`model.tree_shap`: LightGBM's raw scores,
    to the bit, without loading LightGBM), built once per model in a process; refused when the text
    does not match its checksum or names other features than the pack's."""
    with _BOOSTERS_LOCK:
        cached = _TABLES.get(pack.sha256)
        if cached is not None:
            return cached
        _checked(pack)
        from musicflow.model.tree_shap import TreeContributions, model_header

        names = tuple(model_header(pack.model_text).get("feature_names", "").split())
        if names != pack.columns:
            raise ModelIntegrityError("the model's feature list does not match its booster")
        tables = TreeContributions.of_text(pack.model_text, lambda: booster_of(pack))
        _TABLES.clear()  # one model at a time, as boosters
        _TABLES[pack.sha256] = tables
        return tables


def booster_of(pack: ScoringPack) -> lgb.Booster:
    """The pack's booster, built once per process; refused when the text does not match its checksum."""
    with _BOOSTERS_LOCK:
        cached = _BOOSTERS.get(pack.sha256)
        if cached is not None:
            return cached
        _checked(pack)
        import lightgbm as lgb

        booster = lgb.Booster(model_str=pack.model_text)
        if tuple(booster.feature_name()) != pack.columns:
            raise ModelIntegrityError("the model's feature list does not match its booster")
        _BOOSTERS.clear()  # one model at a time per worker: a nightly job scores profile after profile
        _BOOSTERS[pack.sha256] = booster
        return booster


def _affinity(values: Any) -> AffinityTuple:
    streams, songs, share, first, last, genres = values
    return (int(streams), int(songs), float(share), float(first), float(last), float(genres))
