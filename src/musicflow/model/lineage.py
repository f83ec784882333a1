"""What a model version learned from, recorded beside its files so that it can be built again.

A version records (`lineage.json`) the cut-off of every listener's plays it read (the last play's id and
time, how many, and a digest of them: other listeners' songs are zeros too), the features it read
(`features.parquet`: every played track and what each source said of it, with a digest of that content),
the catalogs it could draw zeros from, the code (MusicFlow's version, `git describe` of a checkout, the
libraries, the digest of the shipped song list) and every option and seed of the run. The plays stay in
the store; `plays_up_to_cuts` takes back exactly those the version read, or says which are gone.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from musicflow.core.feature_spec import FEATURES, Kind
from musicflow.errors import Hint, ModelError, NotReproducibleError
from musicflow.model.artifacts import DATA_FILE, LINEAGE_FILE
from musicflow.model.dataset import ZeroStrategy
from musicflow.model.metadata import library_versions
from musicflow.model.shipped import SHIPPED_FILE
from musicflow.model.snapshot import SnapshotInputs
from musicflow.model.training_rows import ZeroSource
from musicflow.store.ports import CatalogInfo, PlayFact, StoredFeatures, TrackFact

if TYPE_CHECKING:
    import polars as pl

FORMAT = "musicflow-lineage/1"
_TRACK_COLUMNS = ("track_id", "name", "artist", "spotify_id", "match_key")
_ANSWER_COLUMNS = ("source", "origin", "fetched_at", "answer_spotify_id", "isrc")


@dataclass(frozen=True)
class RunOptions:
    """The options and seeds of a training run, as a version records them."""

    stream_min_ms: int
    allow_spotify: bool
    zeros: ZeroStrategy
    params: Mapping[str, Any]  # the estimator's, as fitted (its seed is `random_state`)
    seed: int
    seeds: Sequence[int]  # the evaluation's
    splits: Sequence[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "stream_min_ms": self.stream_min_ms,
            "allow_spotify": self.allow_spotify,
            "zeros": {
                "label": self.zeros.label,
                "sources": sorted(source.value for source in self.zeros.sources),
                "ratio": self.zeros.ratio,
                "fill": [source.value for source in self.zeros.fill],
                "shipped": "the list shipped with MusicFlow" if self.zeros.shipped is None else "given",
            },
            "params": dict(self.params),
            "seed": self.seed,
            "seeds": list(self.seeds),
            "splits": list(self.splits),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunOptions:
        zeros = data["zeros"]
        strategy = ZeroStrategy(
            frozenset(ZeroSource(name) for name in zeros["sources"]),
            float(zeros["ratio"]),
            tuple(ZeroSource(name) for name in zeros["fill"]),
        )
        return cls(
            stream_min_ms=int(data["stream_min_ms"]),
            allow_spotify=bool(data["allow_spotify"]),
            zeros=strategy,
            params=dict(data["params"]),
            seed=int(data["seed"]),
            seeds=tuple(int(s) for s in data["seeds"]),
            splits=tuple(str(s) for s in data["splits"]),
        )


@dataclass(frozen=True)
class ProfileCut:
    """One listener's plays a version read: up to the play of id `last_play_id`, at `last_play_at`."""

    profile: str
    profile_id: int
    plays: int
    last_play_at: int
    last_play_id: int
    digest: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "profile_id": self.profile_id,
            "plays": self.plays,
            "last_play_at": self.last_play_at,
            "last_play_id": self.last_play_id,
            "digest": self.digest,
        }


@dataclass(frozen=True)
class Lineage:
    """What one version learned from (see the module docstring)."""

    profile: str
    data_fingerprint: str
    cuts: tuple[ProfileCut, ...]  # the version's own listener first
    profiles: Mapping[str, int]
    precedence: tuple[str, ...]
    features_digest: str
    tracks: int
    answers: int
    catalogs: tuple[Mapping[str, Any], ...]
    code: Mapping[str, Any]
    options: RunOptions

    @property
    def cut_off(self) -> ProfileCut:
        """The version's own listener's cut-off: the last play it learned from."""
        return self.cuts[0]

    def as_dict(self) -> dict[str, Any]:
        own = self.cut_off
        return {
            "format": FORMAT,
            "profile": self.profile,
            "data_fingerprint": self.data_fingerprint,
            "cut_off": {"last_play_at": own.last_play_at, "plays": own.plays, "plays_digest": own.digest},
            "plays": {cut.profile: cut.as_dict() for cut in self.cuts},
            "profiles": dict(self.profiles),
            "features": {
                "file": DATA_FILE,
                "digest": self.features_digest,
                "tracks": self.tracks,
                "answers": self.answers,
                "precedence": list(self.precedence),
            },
            "catalogs": [dict(c) for c in self.catalogs],
            "code": dict(self.code),
            "options": self.options.as_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Lineage:
        if data.get("format") != FORMAT:
            raise ModelError(f"not a lineage this MusicFlow reads (format {data.get('format')!r})")
        profile = str(data["profile"])
        cuts = [
            ProfileCut(
                name,
                int(cut["profile_id"]),
                int(cut["plays"]),
                int(cut["last_play_at"]),
                int(cut["last_play_id"]),
                str(cut["digest"]),
            )
            for name, cut in data["plays"].items()
        ]
        cuts.sort(key=lambda cut: cut.profile != profile)
        features = data["features"]
        return cls(
            profile=profile,
            data_fingerprint=str(data["data_fingerprint"]),
            cuts=tuple(cuts),
            profiles={str(k): int(v) for k, v in data["profiles"].items()},
            precedence=tuple(features["precedence"]),
            features_digest=str(features["digest"]),
            tracks=int(features["tracks"]),
            answers=int(features["answers"]),
            catalogs=tuple(data["catalogs"]),
            code=dict(data["code"]),
            options=RunOptions.from_dict(data["options"]),
        )


# -- recording ----------------------------------------------------------------------------------------
def lineage_files(
    profile: str,
    inputs: SnapshotInputs,
    fingerprint: str,
    options: RunOptions,
    catalogs: Sequence[CatalogInfo],
) -> dict[str, bytes]:
    """The two files a version records beside its model: `lineage.json` and `features.parquet`."""
    lineage = Lineage(
        profile=profile,
        data_fingerprint=fingerprint,
        cuts=_cuts(profile, inputs.facts, inputs.profiles),
        profiles=dict(inputs.profiles),
        precedence=tuple(inputs.precedence),
        features_digest=features_digest(inputs.tracks, inputs.answers),
        tracks=len(inputs.tracks),
        answers=sum(len(inputs.answers.get(t.track_id, ())) for t in inputs.tracks),
        catalogs=tuple(catalog_record(c) for c in sorted(catalogs, key=lambda c: c.name)),
        code=code_version(),
        options=options,
    )
    text = json.dumps(lineage.as_dict(), indent=2, sort_keys=True, allow_nan=False)
    return {LINEAGE_FILE: text.encode(), DATA_FILE: features_parquet(inputs.tracks, inputs.answers)}


def without_profile(recorded: Mapping[str, Any], gone: str) -> dict[str, Any] | None:
    """A version's `lineage.json` (as read) with a deleted profile's name taken out: its cut-off stays,
    named "deleted profile N" by its store id (a rebuild then says its plays are gone); None when the
    version never read that profile's plays."""
    plays = dict(recorded.get("plays") or {})
    profiles = dict(recorded.get("profiles") or {})
    if gone not in plays and gone not in profiles:
        return None
    profile_id = profiles.get(gone, (plays.get(gone) or {}).get("profile_id"))
    name = f"deleted profile {profile_id}"
    if gone in plays:
        plays[name] = plays.pop(gone)
    if gone in profiles:
        profiles[name] = profiles.pop(gone)
    return {**recorded, "plays": plays, "profiles": profiles}


def without_tracks(
    recorded: Mapping[str, Any], data: bytes, track_ids: Collection[int]
) -> tuple[dict[str, Any], bytes] | None:
    """A version's `lineage.json` (as read) and `features.parquet` with the tracks `track_ids` taken out
    (those only a deleted profile played: their names are that listener's), the lineage's count and
    digest of the features following the file; None when the file holds none of them."""
    import polars as pl

    frame = _features_frame(data)
    gone = pl.col("track_id").is_in(sorted(set(track_ids)))
    if not frame.select(gone.any()).item():  # most versions: looked at without reading every row
        return None
    buffer = io.BytesIO()
    frame.filter(~gone).write_parquet(buffer, compression="zstd", statistics=False)
    kept, answers = read_features(buffer.getvalue())
    features = dict(recorded.get("features") or {})
    features |= {
        "digest": features_digest(kept, answers),
        "tracks": len(kept),
        "answers": sum(len(given) for given in answers.values()),
    }
    return {**recorded, "features": features}, buffer.getvalue()


def catalog_record(catalog: CatalogInfo) -> dict[str, Any]:
    """What identifies an imported catalog: importing it again changes its import time."""
    return {
        "name": catalog.name,
        "file_name": catalog.file_name,
        "format": catalog.format,
        "rows": catalog.rows,
        "imported_at": catalog.imported_at,
    }


def code_version() -> dict[str, Any]:
    """MusicFlow's version, `git describe` of the checkout it runs from (None when it is not one), the
    libraries the model depends on, and the digest of the song list MusicFlow ships (zeros come from it)."""
    return {
        "musicflow": library_versions().get("musicflow"),
        "git": _git_describe(),
        "libraries": library_versions(("lightgbm", "numpy", "scikit-learn", "polars")),
        "shipped_songs": _file_digest(SHIPPED_FILE),
    }


def _build(described: object) -> str:
    """What `code_version` recorded of the code, in words: a commit of a checkout, or a package."""
    return f"commit {described} of a checkout" if described else "an installed package"


@lru_cache(maxsize=1)
def _git_describe() -> str | None:
    """`git describe` of the MusicFlow checkout this code runs from; None for an installed package (or
    a package installed inside some other repository, whose commits say nothing of MusicFlow)."""
    folder = Path(__file__).resolve().parent
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top is None or (Path(top) / "src" / "musicflow").resolve() != folder.parent:
        return None
    return _git(folder, "describe", "--always", "--dirty", "--tags")


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=folder, capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    answer = done.stdout.strip()
    return answer if done.returncode == 0 and answer else None


@lru_cache(maxsize=4)
def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _cuts(profile: str, facts: Sequence[PlayFact], profiles: Mapping[str, int]) -> tuple[ProfileCut, ...]:
    name_of = {pid: name for name, pid in profiles.items()}
    grouped: dict[int, list[PlayFact]] = {}
    for fact in facts:
        grouped.setdefault(fact.profile_id, []).append(fact)
    cuts = [
        ProfileCut(
            name_of.get(pid, str(pid)),
            pid,
            len(rows),
            max(f.ended_at for f in rows),
            max(f.play_id for f in rows),
            plays_digest(rows),
        )
        for pid, rows in sorted(grouped.items())
    ]
    cuts.sort(key=lambda cut: cut.profile != profile)
    return tuple(cuts)


def plays_digest(facts: Sequence[PlayFact]) -> str:
    """A digest of plays, everything the model reads of each (in the order given, oldest first)."""
    digest = hashlib.sha256()
    for f in facts:
        digest.update(
            f"{f.play_id},{f.track_id},{f.ended_at},{f.ms_played},{f.reason_end},{f.skipped};".encode()
        )
    return digest.hexdigest()


def features_digest(tracks: Sequence[TrackFact], answers: Mapping[int, Sequence[StoredFeatures]]) -> str:
    """A digest of the tracks and what each source said of them, independent of how they are stored."""
    digest = hashlib.sha256()
    for track in sorted(tracks, key=lambda t: t.track_id):
        digest.update(
            repr((track.track_id, track.name, track.artist, track.spotify_id, track.match_key)).encode()
        )
        for answer in sorted(answers.get(track.track_id, ()), key=lambda a: a.source):
            values = sorted((name, repr(value)) for name, value in answer.values.items())
            fields = (answer.source, answer.origin, repr(answer.fetched_at), answer.spotify_id, answer.isrc)
            digest.update(repr((fields, values)).encode())
    return digest.hexdigest()


def features_parquet(tracks: Sequence[TrackFact], answers: Mapping[int, Sequence[StoredFeatures]]) -> bytes:
    """One row per track and source answer (a track no source answered: one row, no source), every
    feature in a column of its type, null where the source did not give it."""
    import polars as pl

    columns: dict[str, list[Any]] = {name: [] for name in (*_TRACK_COLUMNS, *_ANSWER_COLUMNS)}
    columns.update({spec.name: [] for spec in FEATURES})
    for track in sorted(tracks, key=lambda t: t.track_id):
        given: Sequence[StoredFeatures | None] = answers.get(track.track_id) or [None]
        for answer in given:
            for name, value in zip(_TRACK_COLUMNS, _track_fields(track), strict=True):
                columns[name].append(value)
            fields = (
                (answer.source, answer.origin, answer.fetched_at, answer.spotify_id, answer.isrc)
                if answer is not None
                else (None,) * len(_ANSWER_COLUMNS)
            )
            for name, value in zip(_ANSWER_COLUMNS, fields, strict=True):
                columns[name].append(value)
            values = answer.values if answer is not None else {}
            unknown = set(values) - set(_feature_types())
            if unknown:
                raise ModelError(f"features no column records: {', '.join(sorted(unknown))}")
            for spec in FEATURES:
                columns[spec.name].append(values.get(spec.name))
    schema: dict[str, Any] = {"track_id": pl.Int64, "fetched_at": pl.Float64}
    schema |= {name: pl.String for name in (*_TRACK_COLUMNS, *_ANSWER_COLUMNS) if name not in schema}
    schema |= _feature_types()
    buffer = io.BytesIO()
    pl.DataFrame(columns, schema=schema).write_parquet(buffer, compression="zstd", statistics=False)
    return buffer.getvalue()


def _track_fields(track: TrackFact) -> tuple[Any, ...]:
    return (track.track_id, track.name, track.artist, track.spotify_id, track.match_key)


@lru_cache(maxsize=1)
def _feature_types() -> dict[str, Any]:
    """Each feature's column type (polars is imported only when a file is written or read)."""
    import polars as pl

    types = {Kind.FLOAT: pl.Float64, Kind.INT: pl.Int64, Kind.BOOL: pl.Boolean}
    return {spec.name: types[spec.kind] for spec in FEATURES}


def _features_frame(data: bytes) -> pl.DataFrame:
    """The table `features_parquet` wrote; `ModelError` for a file that cannot be read."""
    import polars as pl

    try:
        return pl.read_parquet(io.BytesIO(data))
    except Exception as exc:  # polars raises several kinds for a damaged file
        raise ModelError(f"the recorded features cannot be read: {exc}") from exc


def read_features(data: bytes) -> tuple[list[TrackFact], dict[int, list[StoredFeatures]]]:
    """The tracks and source answers `features_parquet` wrote, as the store gave them."""
    frame = _features_frame(data)
    names = [spec.name for spec in FEATURES]
    tracks: dict[int, TrackFact] = {}
    answers: dict[int, list[StoredFeatures]] = {}
    for row in frame.iter_rows(named=True):
        track_id = int(row["track_id"])
        if track_id not in tracks:
            tracks[track_id] = TrackFact(
                track_id, row["name"], row["artist"], row["spotify_id"], row["match_key"]
            )
        if row["source"] is None:
            continue
        values = {name: row[name] for name in names if row[name] is not None}
        answers.setdefault(track_id, []).append(
            StoredFeatures(
                row["source"], row["origin"], row["fetched_at"], values, row["answer_spotify_id"], row["isrc"]
            )
        )
    return list(tracks.values()), answers


def lineage_of(files: Mapping[str, bytes], label: str) -> Lineage:
    """The lineage a version's files record; `NotReproducibleError` for a version trained before
    versions recorded it."""
    if LINEAGE_FILE not in files or DATA_FILE not in files:
        raise NotReproducibleError(
            f"{label} was trained before MusicFlow recorded what a version learned from: it cannot be"
            " rebuilt (a version trained now can)",
            hint=Hint.RETRAIN,
        )
    try:
        return Lineage.from_dict(json.loads(files[LINEAGE_FILE]))
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{label}: its {LINEAGE_FILE} cannot be read ({exc})") from exc


def recorded_inputs(
    lineage: Lineage, files: Mapping[str, bytes], facts: Sequence[PlayFact]
) -> SnapshotInputs:
    """The facts the version learned from: its recorded features, and the plays up to its cut-offs taken
    from `facts` (the store's plays now); `NotReproducibleError` saying what is gone or changed."""
    tracks, answers = read_features(files[DATA_FILE])
    if features_digest(tracks, answers) != lineage.features_digest:
        raise NotReproducibleError(
            f"the features recorded in {DATA_FILE} are not those the version learned from"
        )
    return SnapshotInputs(
        plays_up_to_cuts(lineage, facts), tracks, answers, lineage.profiles, lineage.precedence
    )


def plays_up_to_cuts(lineage: Lineage, facts: Sequence[PlayFact]) -> list[PlayFact]:
    """The plays each listener had up to its cut-off (by play id: plays stored since, even of earlier
    times, are left out), checked against the recorded counts and digests."""
    cut_of = {cut.profile_id: cut for cut in lineage.cuts}
    kept = [f for f in facts if f.profile_id in cut_of and f.play_id <= cut_of[f.profile_id].last_play_id]
    grouped: dict[int, list[PlayFact]] = {}
    for fact in kept:
        grouped.setdefault(fact.profile_id, []).append(fact)
    problems = []
    for cut in lineage.cuts:
        found = grouped.get(cut.profile_id, [])
        whose = "its listener's" if cut.profile == lineage.profile else f"profile '{cut.profile}''s"
        if len(found) < cut.plays:
            problems.append(
                f"{cut.plays - len(found):,} of the {cut.plays:,} plays of {whose} history it learned from"
                " are gone from the store (an import taken back, or the profile deleted)"
            )
        elif plays_digest(found) != cut.digest:
            problems.append(
                f"the plays of {whose} history up to its cut-off are not those it learned from"
                f" ({cut.plays:,} then, {len(found):,} now with the same play numbers)"
            )
    if problems:
        raise NotReproducibleError("; ".join(problems))
    return kept


def changes_since(lineage: Lineage, catalogs: Sequence[CatalogInfo]) -> list[str]:
    """What differs now from what the version recorded beyond its plays and features: the catalogs it
    could draw zeros from, the code. Either may or may not change the model; the predictions tell."""
    notes: list[str] = []
    now = {c.name: catalog_record(c) for c in catalogs}
    then = {str(c["name"]): dict(c) for c in lineage.catalogs}
    for name in sorted(then.keys() - now.keys()):
        notes.append(f"catalog '{name}' was removed since")
    for name in sorted(now.keys() - then.keys()):
        notes.append(f"catalog '{name}' was imported since")
    for name in sorted(then.keys() & now.keys()):
        if then[name] != now[name]:
            notes.append(
                f"catalog '{name}' was imported again since ({then[name]['rows']:,} rows then,"
                f" {now[name]['rows']:,} now)"
            )
    code = code_version()
    then_code, now_code = lineage.code, code
    if then_code.get("musicflow") != now_code.get("musicflow"):
        notes.append(f"MusicFlow was {then_code.get('musicflow')}, is {now_code.get('musicflow')}")
    if then_code.get("git") != now_code.get("git"):
        notes.append(f"the code was {_build(then_code.get('git'))}, is {_build(now_code.get('git'))}")
    if then_code.get("shipped_songs") != now_code.get("shipped_songs"):
        notes.append("the list of songs MusicFlow ships (zeros are drawn from it) changed since")
    then_libs, now_libs = dict(lineage.code.get("libraries", {})), dict(code["libraries"])
    for name in sorted(then_libs.keys() | now_libs.keys()):
        if name != "musicflow" and then_libs.get(name) != now_libs.get(name):
            notes.append(f"library {name} was {then_libs.get(name)}, is {now_libs.get(name)}")
    return notes
