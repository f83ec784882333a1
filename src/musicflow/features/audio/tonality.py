"""Key and mode: mean chroma correlated with the Krumhansl-Kessler key profiles (the Krumhansl-Schmuckler
key-finding algorithm), over all 24 major and minor keys."""

from __future__ import annotations

from dataclasses import dataclass

import librosa
import numpy as np
import numpy.typing as npt

_MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
_CHROMA_HOP = 2048  # ~93 ms: plenty for an average over minutes, and 4x cheaper than the default
_SAMPLES_PER_CHUNK = _CHROMA_HOP * 256
_MIN_CHROMA_VARIATION = 0.1
"""Mean chroma flatter than this (std/mean) is noise or unpitched sound: no key is claimed."""

NOT_DETECTED = -1


@dataclass(frozen=True, slots=True)
class Key:
    """`pitch_class` 0 = C ... 11 = B, or -1 when not detected (then `mode` is None)."""

    pitch_class: int
    mode: int | None
    correlation: float


NO_KEY = Key(NOT_DETECTED, None, 0.0)


def estimate_key(mono: npt.NDArray[np.float32], sample_rate: int) -> Key:
    """The best-correlated of the 24 keys; mode 1 is major, 0 minor."""
    if len(mono) < _CHROMA_HOP * 4:
        return NO_KEY
    chroma = _mean_chroma(mono, sample_rate)
    mean = float(chroma.mean())
    if mean <= 0 or float(chroma.std()) / mean < _MIN_CHROMA_VARIATION:
        return NO_KEY
    return max(_candidates(chroma), key=lambda key: key.correlation)


def _mean_chroma(mono: npt.NDArray[np.float32], sample_rate: int) -> npt.NDArray[np.floating]:
    """Mean CQT chroma, in pieces of ~24-48 s: the constant-Q transform of minutes is memory hungry."""
    pieces = max(1, len(mono) // _SAMPLES_PER_CHUNK)
    bounds = [round(len(mono) * index / pieces) // _CHROMA_HOP * _CHROMA_HOP for index in range(pieces)]
    total = np.zeros(12)
    frames = 0
    for start, end in zip(bounds, [*bounds[1:], len(mono)], strict=True):
        chroma = librosa.feature.chroma_cqt(y=mono[start:end], sr=sample_rate, hop_length=_CHROMA_HOP)
        total += chroma.sum(axis=1)
        frames += chroma.shape[1]
    return total / max(frames, 1)


def _candidates(chroma: npt.NDArray[np.floating]) -> list[Key]:
    return [
        Key(tonic, mode, float(np.corrcoef(chroma, np.roll(profile, tonic))[0, 1]))
        for mode, profile in ((1, _MAJOR_PROFILE), (0, _MINOR_PROFILE))
        for tonic in range(12)
    ]
