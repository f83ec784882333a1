"""Reading a bounded excerpt of an audio file, so time and memory stay small whatever the file's length."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile

from musicflow.features.audio.file_errors import AudioFileError

Samples = npt.NDArray[np.float32]

DECODABLE_HERE = "WAV, AIFF, FLAC, Ogg Vorbis/Opus and MP3"
_NEEDS_OTHER_DECODER = frozenset({".m4a", ".aac"})
_TOLERATED_SHORTFALL = 0.02  # MP3 lengths come from headers or estimates; a few percent off is not damage
_TOLERATED_SHORTFALL_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class Excerpt:
    """Samples of (part of) a file, `(frames, channels)` at the file's own rate; the whole file's length."""

    samples: Samples
    sample_rate: int
    file_duration_ms: int


def read_excerpt(path: Path, max_seconds: float) -> Excerpt:
    """At most `max_seconds` of audio from the middle of the file (the whole file when it is shorter).

    The middle skips intros and fade-outs, which say little about a song's tempo, key or level.
    Raises AudioFileError naming what is wrong: empty, not audio, damaged or truncated, or a format the
    decoder here cannot read (AAC/M4A needs a decoder that libsndfile does not include).
    """
    try:
        if path.stat().st_size == 0:
            raise AudioFileError(path, "the file is empty")
        with soundfile.SoundFile(path) as audio:
            return _read_middle(path, audio, max_seconds)
    except soundfile.LibsndfileError as error:
        raise AudioFileError(path, _decoder_problem(path, error)) from error
    except OSError as error:
        raise AudioFileError(path, f"cannot read the file: {error.strerror or error}") from error


def _read_middle(path: Path, audio: soundfile.SoundFile, max_seconds: float) -> Excerpt:
    rate = int(audio.samplerate)
    frames = int(audio.frames)
    if frames <= 0 or rate <= 0:
        raise AudioFileError(path, "no audio in the file (damaged or truncated?)")
    wanted = min(frames, max(1, round(max_seconds * rate)))
    start = (frames - wanted) // 2 if audio.seekable() else 0
    if start:
        audio.seek(start)
    samples: Samples = audio.read(wanted, dtype="float32", always_2d=True)
    _check_complete(path, len(samples), wanted, rate)
    if not np.isfinite(samples).all():
        raise AudioFileError(path, "the decoded samples are not numbers (damaged file)")
    return Excerpt(samples=samples, sample_rate=rate, file_duration_ms=round(frames * 1000 / rate))


def _check_complete(path: Path, decoded: int, wanted: int, rate: int) -> None:
    missing = wanted - decoded
    if missing > max(_TOLERATED_SHORTFALL * wanted, _TOLERATED_SHORTFALL_SECONDS * rate):
        raise AudioFileError(
            path,
            f"truncated or damaged: expected {wanted / rate:.1f} s of audio here, "
            f"could decode only {decoded / rate:.1f} s",
        )


def _decoder_problem(path: Path, error: soundfile.LibsndfileError) -> str:
    """Our reason for a decoder failure; libsndfile's own text is kept at the end for the curious."""
    detail = str(error).split(": ", 1)[-1].strip() or "unknown error"
    if path.suffix.lower() in _NEEDS_OTHER_DECODER:
        return f"cannot decode {path.suffix.lower()} (AAC) audio here, only {DECODABLE_HERE}"
    if "open" in str(error).lower():
        return f"not a readable audio file (unknown format or damaged header; decoder says: {detail})"
    return f"damaged audio (decoder says: {detail})"
