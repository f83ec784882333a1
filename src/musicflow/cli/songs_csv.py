"""Lists of songs in and predictions out, as CSV: what `musicflow predict --input` reads and writes."""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from musicflow.errors import InputFileError
from musicflow.model.serving import SongPrediction, SongRequest

REQUIRED = ("song", "artist")
OUTPUT_COLUMNS = (
    "song",
    "artist",
    "track_id",
    "predicted_streams",
    "verdict",
    "basis",
    "reasons",
    "model_version",
    "error",
)


def read_songs(path: Path) -> list[SongRequest]:
    """Rows with `song` and `artist` (and optionally `track_id`, a Spotify track id), in file order."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip().lower() for name in reader.fieldnames or []]
            missing = [column for column in REQUIRED if column not in header]
            if missing:
                raise InputFileError(
                    f"{path}: needs the columns song and artist (optionally track_id); "
                    f"missing: {', '.join(missing)}; found: {', '.join(header) or 'no header'}"
                )
            reader.fieldnames = header
            return [
                SongRequest(
                    (row.get("song") or "").strip(),
                    (row.get("artist") or "").strip(),
                    (row.get("track_id") or "").strip() or None,
                )
                for row in reader
            ]
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputFileError(f"{path}: not a UTF-8 CSV file ({exc})") from exc


def write_predictions(
    path: Path | None,
    requests: Sequence[SongRequest],
    answers: Sequence[SongPrediction | str],
    model_version: int,
) -> None:
    """One output row per input row, in order; a row that could not be predicted says why."""
    if path is None:
        _write(sys.stdout, requests, answers, model_version)
        return
    with path.open("w", encoding="utf-8", newline="") as handle:
        _write(handle, requests, answers, model_version)


def _write(
    handle: TextIO, requests: Sequence[SongRequest], answers: Sequence[SongPrediction | str], version: int
) -> None:
    writer = csv.DictWriter(handle, fieldnames=OUTPUT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for request, answer in zip(requests, answers, strict=True):
        row: dict[str, object] = {
            "song": request.song,
            "artist": request.artist,
            "track_id": request.spotify_id or "",
            "model_version": version,
        }
        if isinstance(answer, str):
            row["error"] = answer
        else:
            row["predicted_streams"] = round(answer.prediction.streams, 2)
            row["verdict"] = answer.prediction.verdict
            row["basis"] = answer.prediction.basis
            row["reasons"] = "; ".join(c.words for c in answer.prediction.contributions)
        writer.writerow(row)
