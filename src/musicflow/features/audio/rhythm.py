"""Tempo and how clear and dense the beat is, from librosa's onset envelope and beat tracker."""

from __future__ import annotations

from dataclasses import dataclass

import librosa
import numpy as np
import numpy.typing as npt

HOP_LENGTH = 256
"""~11.6 ms frames at 22050 Hz: fine enough that the tempo is not rounded to a coarse grid of lags."""

MIN_SECONDS = 4.0
"""Below this, too few beats to trust a tempo; rhythm measures stay missing."""

MIN_BEATS = 4

MIN_PULSE_CLARITY = 0.1
"""Below this the beat tracker is following noise (white noise scores ~0.01): no tempo is claimed."""

Mono = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Rhythm:
    """`tempo_bpm` is None when no steady beat was found (too short, silent, or no clear pulse)."""

    tempo_bpm: float | None
    pulse_clarity: float
    onset_rate: float


NO_RHYTHM = Rhythm(tempo_bpm=None, pulse_clarity=0.0, onset_rate=0.0)


def measure_rhythm(mono: Mono, sample_rate: int) -> Rhythm:
    """Tempo in BPM, pulse clarity in 0..1 and onsets per second of a mono signal."""
    seconds = len(mono) / sample_rate
    if seconds < MIN_SECONDS:
        return NO_RHYTHM
    envelope = librosa.onset.onset_strength(y=mono, sr=sample_rate, hop_length=HOP_LENGTH)
    if not envelope.any():
        return NO_RHYTHM
    _, beats = librosa.beat.beat_track(onset_envelope=envelope, sr=sample_rate, hop_length=HOP_LENGTH)
    tempo = _tempo_from_beats(librosa.frames_to_time(beats, sr=sample_rate, hop_length=HOP_LENGTH))
    onsets = librosa.onset.onset_detect(onset_envelope=envelope, sr=sample_rate, hop_length=HOP_LENGTH)
    frames_per_beat = None if tempo is None else 60.0 / tempo * sample_rate / HOP_LENGTH
    clarity = _pulse_clarity(envelope, frames_per_beat)
    return Rhythm(
        tempo_bpm=tempo if clarity >= MIN_PULSE_CLARITY else None,
        pulse_clarity=clarity,
        onset_rate=len(onsets) / seconds,
    )


def _tempo_from_beats(beat_times: npt.NDArray[np.floating]) -> float | None:
    """BPM from the slope of beat time against beat number.

    The tracker's own tempo is quantised to whole frame lags (117.5 or 120.2 BPM, never 120); a line fitted
    through all beat times averages that away, and one misplaced beat moves it little.
    """
    if len(beat_times) < MIN_BEATS:
        return None
    seconds_per_beat = float(np.polyfit(np.arange(len(beat_times)), beat_times, 1)[0])
    return 60.0 / seconds_per_beat if seconds_per_beat > 0 else None


def _pulse_clarity(envelope: npt.NDArray[np.floating], frames_per_beat: float | None) -> float:
    """How strongly the onset envelope repeats at the beat period: its normalised autocorrelation there.

    1 for a metronome, near 0 for noise or free-time music (after Lartillot et al., "pulse clarity").
    """
    if frames_per_beat is None:
        return 0.0
    centred = envelope - envelope.mean()
    lag = round(frames_per_beat)
    if lag + 1 >= len(centred):
        return 0.0
    correlation = librosa.autocorrelate(centred, max_size=lag + 2)
    if correlation[0] <= 0:
        return 0.0
    peak = float(correlation[lag - 1 : lag + 2].max() / correlation[0])
    return min(1.0, max(0.0, peak))
