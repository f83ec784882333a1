"""Tempo, and how clear and how dense the beat is, from librosa's onset envelope and beat tracker.

Memory stays small for long excerpts: the spectrogram is built a chunk at a time, and the tempo is taken
from one autocorrelation of the whole envelope (librosa's own estimate averages a windowed tempogram,
which holds hundreds of MB for two minutes of audio).
"""

from __future__ import annotations

from dataclasses import dataclass

import librosa
import numpy as np
import numpy.typing as npt

HOP_LENGTH = 256
"""~11.6 ms frames at 22050 Hz: fine enough that beat times, and so the tempo, are not coarsely rounded."""
N_FFT = 2048
_FRAMES_PER_CHUNK = 2048  # ~24 s of spectrogram at a time

MIN_SECONDS = 4.0
"""Below this, too few beats to trust a tempo; rhythm measures stay missing."""
MIN_BEATS = 4
MIN_PULSE_CLARITY = 0.1
"""Below this the onsets do not repeat at any period (free time, random hits): no tempo is claimed."""
ONSET_MIN_RISE_DB = 0.5
"""An onset must rise this much (mean dB over mel bands) above its surroundings: steady tones and noise
have none, however the envelope is scaled."""

_TEMPO_RANGE_BPM = (30.0, 300.0)
_PRIOR_CENTRE_BPM = 120.0  # librosa's default: a log-normal prior, one octave wide, centred on 120 BPM
_PRIOR_WIDTH_OCTAVES = 1.0

Mono = npt.NDArray[np.float32]
Envelope = npt.NDArray[np.floating]


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
    envelope = _onset_envelope(mono, sample_rate)
    onset_rate = _onset_count(envelope, sample_rate) / seconds
    if onset_rate * seconds < MIN_BEATS:  # a steady tone, noise or near silence: nothing keeps time
        return Rhythm(tempo_bpm=None, pulse_clarity=0.0, onset_rate=onset_rate)
    autocorrelation = _normalised_autocorrelation(envelope, sample_rate)
    period = _beat_period_frames(autocorrelation, sample_rate)
    clarity = _pulse_clarity(autocorrelation, period)
    tempo = _tracked_tempo(envelope, sample_rate, period) if clarity >= MIN_PULSE_CLARITY else None
    return Rhythm(tempo_bpm=tempo, pulse_clarity=clarity, onset_rate=onset_rate)


def _onset_envelope(mono: Mono, sample_rate: int) -> Envelope:
    """librosa's spectral-flux onset strength, from a mel spectrogram computed ~24 s at a time.

    The chunks are cut on frame boundaries without centring, so their frames are exactly those of one long
    analysis; `onset_strength(center=True)` then shifts the envelope to frame centres as usual.
    """
    frames = 1 + (len(mono) - N_FFT) // HOP_LENGTH
    parts = []
    for first in range(0, frames, _FRAMES_PER_CHUNK):
        count = min(_FRAMES_PER_CHUNK, frames - first)
        piece = mono[first * HOP_LENGTH : (first + count - 1) * HOP_LENGTH + N_FFT]
        parts.append(
            librosa.feature.melspectrogram(
                y=piece, sr=sample_rate, n_fft=N_FFT, hop_length=HOP_LENGTH, center=False
            )
        )
    mel_db = librosa.power_to_db(np.concatenate(parts, axis=1), ref=np.max)
    return librosa.onset.onset_strength(S=mel_db, sr=sample_rate, n_fft=N_FFT, hop_length=HOP_LENGTH)


def _onset_count(envelope: Envelope, sample_rate: int) -> int:
    """Note and drum attacks: envelope peaks rising ONSET_MIN_RISE_DB above their surroundings.

    An absolute rise, not librosa's default relative one: normalising the envelope of a steady tone would
    turn rounding noise into hundreds of "onsets".
    """
    onsets = librosa.onset.onset_detect(
        onset_envelope=envelope,
        sr=sample_rate,
        hop_length=HOP_LENGTH,
        normalize=False,
        delta=ONSET_MIN_RISE_DB,
    )
    return len(onsets)


def _normalised_autocorrelation(envelope: Envelope, sample_rate: int) -> Envelope:
    """Autocorrelation of the centred envelope up to the slowest tempo's lag, 1 at lag 0 (0 if flat)."""
    longest_lag = _lag_for(_TEMPO_RANGE_BPM[0], sample_rate) + 2
    centred = envelope - envelope.mean()
    correlation = librosa.autocorrelate(centred, max_size=min(longest_lag, len(centred)))
    if correlation[0] <= 0:
        return np.zeros_like(correlation)
    return np.asarray(correlation / correlation[0], dtype=np.float64)


def _beat_period_frames(autocorrelation: Envelope, sample_rate: int) -> int | None:
    """The lag that repeats best, weighted towards ~120 BPM like librosa's tempo estimate."""
    shortest = _lag_for(_TEMPO_RANGE_BPM[1], sample_rate)
    lags = np.arange(shortest, len(autocorrelation))
    if len(lags) == 0:
        return None
    bpms = 60.0 * sample_rate / (HOP_LENGTH * lags)
    log_prior = -0.5 * ((np.log2(bpms) - np.log2(_PRIOR_CENTRE_BPM)) / _PRIOR_WIDTH_OCTAVES) ** 2
    strength = np.log1p(1e6 * np.clip(autocorrelation[lags], 0, None))
    return int(lags[np.argmax(strength + log_prior)])


def _pulse_clarity(autocorrelation: Envelope, period: int | None) -> float:
    """How strongly the onset envelope repeats at the beat period: its normalised autocorrelation there.

    1 for a metronome, near 0 for noise or free-time music (after Lartillot et al., "pulse clarity").
    """
    if period is None:
        return 0.0
    near = autocorrelation[max(1, period - 1) : period + 2]
    return min(1.0, max(0.0, float(near.max())))


def _tracked_tempo(envelope: Envelope, sample_rate: int, period: int | None) -> float | None:
    """BPM from the slope of beat time against beat number, beats tracked at the estimated period.

    The period is a whole number of frames (117.5 or 120.2 BPM, never 120); a line fitted through all
    tracked beat times averages that rounding away, and one misplaced beat moves it little.
    """
    if period is None:
        return None
    start_bpm = 60.0 * sample_rate / (HOP_LENGTH * period)
    _, beats = librosa.beat.beat_track(
        onset_envelope=envelope, sr=sample_rate, hop_length=HOP_LENGTH, bpm=start_bpm
    )
    if len(beats) < MIN_BEATS:
        return None
    beat_times = librosa.frames_to_time(beats, sr=sample_rate, hop_length=HOP_LENGTH)
    seconds_per_beat = float(np.polyfit(np.arange(len(beat_times)), beat_times, 1)[0])
    return 60.0 / seconds_per_beat if seconds_per_beat > 0 else None


def _lag_for(bpm: float, sample_rate: int) -> int:
    return round(60.0 * sample_rate / (HOP_LENGTH * bpm))
