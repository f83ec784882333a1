"""The `features analyze` use case: the user's audio files in, features of the songs they hold stored.

Each file's song is matched to a stored track by its loose key (so "Song (feat. X)" in a tag finds the
"Song" of the export); a song nobody played yet gets a track of its own, so `features show` knows it.
Every file is remembered by its fingerprint, the unusable ones too: a rescan opens only what changed.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from musicflow.errors import ConfigError, Hint
from musicflow.store.ports import FeatureStore

if TYPE_CHECKING:
    from musicflow.features.audio.folder import FileMapper

AnalyzeProgress = Callable[[int, int, Path], None]
SOURCE = "audio_files"


@dataclass
class AnalyzeReport:
    files: int = 0
    analysed: int = 0
    unchanged: int = 0
    matched_played: int = 0
    new_songs: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)


def require_audio_extra() -> None:
    """Audio analysis needs the optional `audio` extra (librosa and friends, ~380 MB)."""
    if importlib.util.find_spec("librosa") is None or importlib.util.find_spec("tinytag") is None:
        raise ConfigError(
            "analysing audio files needs the optional audio libraries (musicflow[audio])",
            hint=Hint.INSTALL_AUDIO,
        )


def analyze_into_store(
    store: FeatureStore,
    folder: Path,
    *,
    max_seconds: float,
    miss_ttl_s: float,
    now: float,
    progress: AnalyzeProgress | None = None,
    map_files: FileMapper | None = None,
) -> AnalyzeReport:
    """`map_files` spreads the analysis (one file per task) over a Dask cluster's workers."""
    require_audio_extra()
    from musicflow.features.audio_files import Outcome, analyze_folder  # heavy: only when asked

    report = AnalyzeReport()
    known = store.audio_fingerprints()
    for result in analyze_folder(
        folder, max_seconds=max_seconds, progress=progress, known_fingerprints=known, map_files=map_files
    ):
        report.files += 1
        if result.outcome is Outcome.UNCHANGED:
            report.unchanged += 1
            continue
        track_id = None
        if result.outcome is Outcome.ANALYSED and result.identity and result.record:
            identity = result.identity
            found = store.find_track(identity.song, identity.artist)
            if found is None:
                found = store.ensure_track(identity.song, identity.artist)
                report.new_songs += 1
            else:
                report.matched_played += 1
            track_id = found.track_id
            record = replace(result.record, origin=result.path.name)
            store.save_answers(SOURCE, {track_id: record}, now=now, miss_ttl_s=miss_ttl_s)
            report.analysed += 1
        else:
            reason = result.reason or "not usable"
            report.skipped[reason] += 1
            if len(report.examples) < 10:
                report.examples.append(f"{result.path.name}: {reason}")
        if result.fingerprint:
            store.remember_audio_file(
                result.fingerprint, result.path.name, track_id, result.outcome.value, result.reason
            )
    return report
