"""How fast and how lean is audio-file analysis? Prints seconds per minute of audio and peak memory.

    .venv/bin/python benchmarks/audio_analysis.py [--minutes 4] [--files 2]

Synthesised songs (kicks, hi-hats and chords, 44.1 kHz stereo, like a ripped CD) are written as WAV, FLAC
and MP3 to a temporary folder, then analysed in a fresh process per setting: the default excerpt (two
minutes from the middle), and whole files. Memory is the process's peak resident size, before the first
analysis (librosa imported) and at the end, so the difference is what analysing costs.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from tests.features.audio_synth import C_MAJOR_CHORDS, chords, hats, kick_track, write

REPO = Path(__file__).resolve().parents[1]
RATE = 44100
FORMATS = (".wav", ".flac", ".mp3")


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark audio-file analysis on synthesised songs.")
    parser.add_argument("--minutes", type=float, default=4.0, help="length of each synthesised song")
    parser.add_argument("--files", type=int, default=2, help="files per format")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child process's folder
    parser.add_argument("--max-seconds", type=float, default=120.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.max_seconds)
        return
    with tempfile.TemporaryDirectory() as folder:
        write_songs(Path(folder), args.minutes, args.files)
        print(f"{args.files} files per format, {args.minutes:g} min each, 44.1 kHz stereo")
        for max_seconds in (120.0, args.minutes * 60):
            child = [sys.executable, "-m", "benchmarks.audio_analysis", "--measure", folder]
            subprocess.run([*child, "--max-seconds", str(max_seconds)], check=True, cwd=REPO)


def song(minutes: float) -> np.ndarray:
    seconds = minutes * 60
    beats = kick_track(124, seconds, rate=RATE) + hats(124, seconds, rate=RATE)
    harmony = np.resize(chords(C_MAJOR_CHORDS), round(seconds * 22050))
    harmony = np.repeat(harmony, 2)[: len(beats)]  # 22050 -> 44100 Hz by repeating samples
    return np.stack([beats + harmony, 0.9 * beats + harmony], axis=1).astype(np.float32)


def write_songs(folder: Path, minutes: float, per_format: int) -> None:
    audio = song(minutes)
    for suffix in FORMATS:
        for index in range(per_format):
            write(folder / f"Band - Song {index}{suffix}", audio, rate=RATE)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def measure(folder: Path, max_seconds: float) -> None:
    """In a fresh process: import and warm-up cost, then time and memory per format."""
    started = time.perf_counter()
    from musicflow.features.audio_files import analyze_file, find_audio_files

    imported = time.perf_counter() - started
    files = find_audio_files(folder)
    started = time.perf_counter()
    analyze_file(files[0], max_seconds=8)
    warmed = time.perf_counter() - started
    baseline = peak_rss_mb()
    print(f"\nmax_seconds={max_seconds:g}: import {imported:.2f} s, first (warm-up) analysis {warmed:.2f} s")
    for suffix in FORMATS:
        chosen = [path for path in files if path.suffix == suffix]
        analysed_minutes = 0.0
        started = time.perf_counter()
        for path in chosen:
            record = analyze_file(path, max_seconds=max_seconds)
            analysed_minutes += min(max_seconds * 1000, float(record.values["duration_ms"])) / 60_000
        seconds = time.perf_counter() - started
        print(
            f"  {suffix:5s} {seconds / len(chosen):5.2f} s per file, "
            f"{seconds / analysed_minutes:5.2f} s per minute of audio analysed"
        )
    print(f"  peak resident memory {peak_rss_mb():.0f} MB ({peak_rss_mb() - baseline:+.0f} MB for analysing)")


if __name__ == "__main__":
    main()
