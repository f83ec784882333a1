"""Test audio made from numbers: kicks at a known tempo, chords in a known key, tones at a known level."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile

RATE = 22050
Signal = npt.NDArray[np.float32]

C_MAJOR_CHORDS = [[48, 60, 64, 67], [53, 65, 69, 72], [55, 67, 71, 74], [48, 60, 64, 67]]  # C F G C
A_MINOR_CHORDS = [[45, 57, 60, 64], [50, 62, 65, 69], [52, 64, 68, 71], [45, 57, 60, 64]]  # Am Dm E Am


def kick_track(bpm: float, seconds: float, *, level: float = 0.8, rate: int = RATE) -> Signal:
    """A bass-drum hit on every beat (a falling 60 Hz sine with a fast decay)."""
    track = np.zeros(round(rate * seconds), dtype=np.float32)
    t = np.arange(round(0.08 * rate)) / rate
    kick = (np.sin(2 * np.pi * 60 * t * (1 - 4 * t)) * np.exp(-t * 40)).astype(np.float32)
    for beat in np.arange(0, seconds, 60.0 / bpm):
        start = round(beat * rate)
        end = min(len(track), start + len(kick))
        track[start:end] += level * kick[: end - start]
    return track


def hats(bpm: float, seconds: float, *, per_beat: int = 4, level: float = 0.3, rate: int = RATE) -> Signal:
    """Short noise bursts `per_beat` times a beat: a busy hi-hat."""
    track = np.zeros(round(rate * seconds), dtype=np.float32)
    burst = np.random.default_rng(7).standard_normal(round(0.02 * rate)).astype(np.float32)
    burst *= np.exp(-np.arange(len(burst)) / (0.004 * rate)).astype(np.float32)
    for hit in np.arange(0, seconds, 60.0 / bpm / per_beat):
        start = round(hit * rate)
        end = min(len(track), start + len(burst))
        track[start:end] += level * burst[: end - start]
    return track


def chords(progression: list[list[int]], *, seconds_each: float = 1.0, repeats: int = 2) -> Signal:
    """Each chord (MIDI notes) as tones with two overtones, fading in and out, one after another."""
    parts = [_chord(notes, seconds_each) for notes in progression * repeats]
    return np.asarray(np.concatenate(parts), dtype=np.float32)


def _chord(notes: list[int], seconds: float, rate: int = RATE) -> Signal:
    t = np.arange(round(rate * seconds)) / rate
    wave = np.zeros_like(t)
    for note in notes:
        frequency = 440 * 2 ** ((note - 69) / 12)
        for overtone, weight in ((1, 1.0), (2, 0.5), (3, 0.25)):
            wave += weight * np.sin(2 * np.pi * frequency * overtone * t)
    envelope = np.minimum(1, np.minimum(t / 0.02, (seconds - t) / 0.05))
    return (0.2 * wave * envelope / len(notes)).astype(np.float32)


def sine(rms_db: float, seconds: float, *, frequency: float = 997.0, rate: int = RATE) -> Signal:
    """A sine whose RMS is `rms_db` dB below full scale."""
    t = np.arange(round(rate * seconds)) / rate
    peak = 10.0 ** (rms_db / 20) * np.sqrt(2)
    return np.asarray(peak * np.sin(2 * np.pi * frequency * t), dtype=np.float32)


def write(path: Path, signal: Signal, *, rate: int = RATE, subtype: str | None = None) -> Path:
    """The signal as an audio file; the format follows the extension (mp3 and ogg need a subtype)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    formats = {".ogg": ("OGG", "VORBIS"), ".mp3": ("MP3", "MPEG_LAYER_III"), ".aiff": ("AIFF", None)}
    container, default_subtype = formats.get(path.suffix, (None, None))
    soundfile.write(path, signal, rate, format=container, subtype=subtype or default_subtype)
    return path
