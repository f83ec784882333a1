"""Integrated loudness after ITU-R BS.1770-4 (the LUFS measure behind Spotify's `loudness`), simplified.

What it is exactly: the K-weighted, gated mean power of the analysed excerpt, in LUFS (dB relative to full
scale). K-weighting is a high shelf (+4 dB above ~1.5 kHz) and a high-pass (~38 Hz), designed for the file's
own sample rate with the usual biquad approximations of the standard's 48 kHz filters. The power is
measured in 400 ms blocks overlapping by 75 %; blocks below -70 LUFS (absolute gate) and then those more
than 10 LU below the mean of the rest (relative gate) are left out, so pauses do not pull the level down.
Channel powers are summed with weight 1 (surround weights are ignored). A 1 kHz sine whose RMS is -20 dBFS
measures about -20 LUFS in one channel. The result is clipped to -60..0, the feature table's range, and
silence is -60.

How it differs from Spotify's value: Spotify measures the whole track (we measure an excerpt, by default the
middle two minutes) with its own implementation; values are comparable in spirit and scale, not identical.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy.signal import sosfilt

FLOOR_LUFS = -60.0
_ABSOLUTE_GATE_LUFS = -70.0
_RELATIVE_GATE_LU = -10.0
_BLOCK_STEP_SECONDS = 0.1
_SEGMENTS_PER_BLOCK = 4  # 400 ms blocks
_SEGMENTS_PER_CHUNK = 50  # filter 5 s at a time
_OFFSET_DB = -0.691  # from BS.1770: makes a 997 Hz full-scale sine read -3.01 LUFS per channel

Signal = npt.NDArray[np.floating]


def integrated_loudness(samples: Signal, sample_rate: int) -> float:
    """Gated K-weighted loudness in LUFS, within -60..0; `samples` is `(frames, channels)`."""
    block_powers = _block_powers(_segment_energies(samples, sample_rate), _segment_length(sample_rate))
    loud_enough = block_powers[_lufs(block_powers) > _ABSOLUTE_GATE_LUFS]
    if loud_enough.size == 0:
        return FLOOR_LUFS
    relative_gate = _lufs(np.array([loud_enough.mean()]))[0] + _RELATIVE_GATE_LU
    kept = loud_enough[_lufs(loud_enough) > relative_gate]
    level = float(_lufs(np.array([kept.mean()]))[0]) if kept.size else FLOOR_LUFS
    return min(0.0, max(FLOOR_LUFS, level))


def _segment_length(sample_rate: int) -> int:
    return max(1, round(_BLOCK_STEP_SECONDS * sample_rate))


def _segment_energies(samples: Signal, sample_rate: int) -> Signal:
    """Sum of K-weighted squares per 100 ms segment, over all channels.

    Filtered a few seconds at a time (the filter state carries over), so memory stays a few MB whatever
    the excerpt's length; 400 ms blocks are then sums of four segments.
    """
    segment = _segment_length(sample_rate)
    whole_segments = len(samples) // segment
    energies = np.zeros(whole_segments, dtype=np.float64)
    if whole_segments == 0:
        return energies
    filters = _k_weighting(sample_rate)
    chunk = segment * _SEGMENTS_PER_CHUNK
    for channel in range(samples.shape[1]):
        state = np.zeros((filters.shape[0], 2))
        for start in range(0, whole_segments * segment, chunk):
            piece = samples[start : min(start + chunk, whole_segments * segment), channel].astype(np.float64)
            weighted, state = sosfilt(filters, piece, zi=state)
            energies[start // segment : start // segment + len(piece) // segment] += (
                np.square(weighted).reshape(-1, segment).sum(axis=1)
            )
    return energies


def _block_powers(energies: Signal, segment: int) -> Signal:
    """Mean square per 400 ms block stepping by 100 ms; one block for excerpts shorter than that."""
    if len(energies) < _SEGMENTS_PER_BLOCK:
        return np.array([energies.sum() / (len(energies) * segment)]) if len(energies) else energies
    cumulative = np.concatenate([[0.0], np.cumsum(energies)])
    sums = cumulative[_SEGMENTS_PER_BLOCK:] - cumulative[:-_SEGMENTS_PER_BLOCK]
    return np.asarray(sums / (_SEGMENTS_PER_BLOCK * segment), dtype=np.float64)


def _k_weighting(sample_rate: int) -> Signal:
    """Both K-weighting stages as second-order sections for `sosfilt`."""
    shelf_b, shelf_a = _high_shelf(sample_rate, gain_db=4.0, q=1 / math.sqrt(2), cutoff_hz=1500.0)
    pass_b, pass_a = _high_pass(sample_rate, q=0.5, cutoff_hz=38.0)
    return np.array([[*shelf_b, *shelf_a], [*pass_b, *pass_a]])


def _lufs(power: Signal) -> Signal:
    with np.errstate(divide="ignore"):
        return np.asarray(_OFFSET_DB + 10 * np.log10(power), dtype=np.float64)


def _high_shelf(rate: int, *, gain_db: float, q: float, cutoff_hz: float) -> tuple[Signal, Signal]:
    """The RBJ cookbook high shelf: the "pre-filter" stage of K-weighting."""
    a = 10 ** (gain_db / 40)
    w0 = 2 * math.pi * cutoff_hz / rate
    alpha = math.sin(w0) / (2 * q)
    cos_w0, root_a = math.cos(w0), math.sqrt(a)
    b = [
        a * ((a + 1) + (a - 1) * cos_w0 + 2 * root_a * alpha),
        -2 * a * ((a - 1) + (a + 1) * cos_w0),
        a * ((a + 1) + (a - 1) * cos_w0 - 2 * root_a * alpha),
    ]
    den = [
        (a + 1) - (a - 1) * cos_w0 + 2 * root_a * alpha,
        2 * ((a - 1) - (a + 1) * cos_w0),
        (a + 1) - (a - 1) * cos_w0 - 2 * root_a * alpha,
    ]
    return np.array(b) / den[0], np.array(den) / den[0]


def _high_pass(rate: int, *, q: float, cutoff_hz: float) -> tuple[Signal, Signal]:
    """The RBJ cookbook high-pass: the "RLB" stage of K-weighting, which discounts deep bass."""
    w0 = 2 * math.pi * cutoff_hz / rate
    alpha = math.sin(w0) / (2 * q)
    cos_w0 = math.cos(w0)
    b = [(1 + cos_w0) / 2, -(1 + cos_w0), (1 + cos_w0) / 2]
    den = [1 + alpha, -2 * cos_w0, 1 - alpha]
    return np.array(b) / den[0], np.array(den) / den[0]
