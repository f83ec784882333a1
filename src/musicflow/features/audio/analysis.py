"""Measuring one file: what can honestly be computed offline, and nothing else.

Computed: `tempo`, `key` and `mode`, `loudness`, `duration_ms`, `energy_estimate`, `danceability_estimate`.
Left missing on purpose: valence, acousticness, speechiness, instrumentalness, liveness and time_signature,
which need trained models we do not have; a made-up number would mislead the taste model more than a gap.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import librosa
import numpy as np

from musicflow.core.feature_spec import validate_values
from musicflow.core.songs import FeatureRecord
from musicflow.features.audio.decode import Excerpt, Samples, read_excerpt
from musicflow.features.audio.estimates import danceability_estimate, energy_estimate
from musicflow.features.audio.identity import SongIdentity
from musicflow.features.audio.loudness import FLOOR_LUFS, integrated_loudness
from musicflow.features.audio.rhythm import NO_RHYTHM, measure_rhythm
from musicflow.features.audio.tonality import NO_KEY, estimate_key

logger = logging.getLogger(__name__)

SOURCE = "audio_files"
ANALYSIS_RATE = 22050
"""Mono at 22050 Hz: enough for tempo, chroma and onsets (content up to 11 kHz), half the work of 44.1 kHz."""
DEFAULT_MAX_SECONDS = 120.0
"""Seconds analysed per file, from its middle: ~1 s per file, <100 MB above the imports (see benchmarks)."""


def analyze_file(
    path: Path, identity: SongIdentity | None = None, *, max_seconds: float = DEFAULT_MAX_SECONDS
) -> FeatureRecord:
    """Features of one audio file, validated against the feature table, as a `FeatureRecord`.

    `identity` is not needed for the measures; when given, its duration fills in if the decoder gives none.
    Raises AudioFileError when the file cannot be read or decoded (see `read_excerpt`), and ValueError
    when `max_seconds` is not positive.
    """
    if not max_seconds > 0:
        raise ValueError(f"max_seconds must be positive, got {max_seconds!r}")
    excerpt = read_excerpt(path, max_seconds)
    with _librosa_warnings_logged(path):
        values = _measure(excerpt)
    values["duration_ms"] = excerpt.file_duration_ms or (identity.duration_ms if identity else None)
    return FeatureRecord(source=SOURCE, values=validate_values(values, source=SOURCE, what=path.name))


def _measure(excerpt: Excerpt) -> dict[str, object]:
    loudness = integrated_loudness(excerpt.samples, excerpt.sample_rate)
    silent = loudness <= FLOOR_LUFS
    mono = _mono_at_analysis_rate(excerpt)
    rhythm = NO_RHYTHM if silent else measure_rhythm(mono, ANALYSIS_RATE)
    key = NO_KEY if silent else estimate_key(mono, ANALYSIS_RATE)
    values: dict[str, object] = {
        "loudness": round(loudness, 2),
        "tempo": None if rhythm.tempo_bpm is None else round(rhythm.tempo_bpm, 2),
        "key": key.pitch_class,
        "mode": key.mode,
        "energy_estimate": energy_estimate(loudness, rhythm),
        "danceability_estimate": danceability_estimate(rhythm),
    }
    return values


def _mono_at_analysis_rate(excerpt: Excerpt) -> Samples:
    mono = np.asarray(excerpt.samples.mean(axis=1), dtype=np.float32)
    if excerpt.sample_rate == ANALYSIS_RATE:
        return mono
    resampled = librosa.resample(mono, orig_sr=excerpt.sample_rate, target_sr=ANALYSIS_RATE)
    return np.asarray(resampled, dtype=np.float32)


@contextmanager
def _librosa_warnings_logged(path: Path) -> Iterator[None]:
    """librosa warns about short or odd signals; one line per file in the debug log, not on the terminal."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for warning in caught:
        logger.debug("%s: %s", path.name, warning.message)
