"""`energy_estimate` and `danceability_estimate`: simple, documented formulas, NOT Spotify's values.

Spotify's energy and danceability come from undisclosed models; these are transparent stand-ins computed
from the same kind of evidence, on a 0..1 scale, stored under their own names so nobody mistakes them for
Spotify's. Compare them with each other, not with Spotify's numbers.
"""

from __future__ import annotations

import math

from musicflow.features.audio.rhythm import Rhythm

QUIET_LUFS = -40.0
"""At or below this loudness the level part of energy is 0."""
LOUD_LUFS = -5.0
"""At or above this loudness (a loud modern master) the level part of energy is 1."""
BUSY_ONSETS_PER_SECOND = 6.0
"""Onset rate at which the density part of energy is 1 (sixteenth notes at ~90 BPM)."""
DANCE_TEMPO_BPM = 120.0
"""Tempo that fits dancing best; the fit halves about an octave away (60 or 240 BPM count little)."""


def energy_estimate(loudness_lufs: float, rhythm: Rhythm) -> float:
    """0.7 x level + 0.3 x density.

    level = (loudness - (-40)) / 35, clipped to 0..1: how loud the excerpt is (integrated LUFS).
    density = onsets per second / 6, clipped to 0..1: how busy it is (note and drum attacks).
    Silence is 0; a loud, busy master approaches 1.
    """
    level = _clip01((loudness_lufs - QUIET_LUFS) / (LOUD_LUFS - QUIET_LUFS))
    density = _clip01(rhythm.onset_rate / BUSY_ONSETS_PER_SECOND)
    return round(0.7 * level + 0.3 * density, 4)


def danceability_estimate(rhythm: Rhythm) -> float:
    """pulse clarity x (0.6 + 0.4 x tempo fit).

    pulse clarity (0..1): how strongly and regularly the beat repeats (see `rhythm._pulse_clarity`).
    tempo fit (0..1): exp(-(log2(tempo / 120) / 0.6)² / 2), so 120 BPM gives 1, 90 or 160 BPM about 0.8,
    60 or 240 BPM about 0.25. No steady beat gives 0; a metronome-clear groove at 120 BPM gives 1.
    """
    if rhythm.tempo_bpm is None:
        return 0.0
    octaves_away = math.log2(rhythm.tempo_bpm / DANCE_TEMPO_BPM)
    tempo_fit = math.exp(-0.5 * (octaves_away / 0.6) ** 2)
    return round(_clip01(rhythm.pulse_clarity * (0.6 + 0.4 * tempo_fit)), 4)


def _clip01(value: float) -> float:
    return min(1.0, max(0.0, value))
