"""Lists of songs in and predictions out, as CSV: what `musicflow predict --input` reads and writes
(its JSON is the list's own document, `PredictionList.as_document`)."""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from musicflow.app.vocabulary import Prediction, SongRequest, streams_as_written
from musicflow.errors import InputFileError

if TYPE_CHECKING:
    from musicflow.app.types import Unanswered

REQUIRED = ("song", "artist")
ID_COLUMNS = ("spotify_id", "track_id")  # the Spotify id, and the name older MusicFlow versions gave it
OUTPUT_COLUMNS = (
    "song",
    "artist",
    "spotify_id",
    "predicted_streams",
    "your_streams",
    "version_of",
    "verdict",
    "basis",
    "reasons",
    "model_version",
    "did_you_mean",
    "error",
)


def read_songs(path: Path) -> list[SongRequest]:
    """Rows with `song` and `artist` (and optionally `spotify_id`, a Spotify track id, which older files
    call `track_id`), in file order."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip().lower() for name in reader.fieldnames or []]
            missing = [column for column in REQUIRED if column not in header]
            if missing:
                raise InputFileError(
                    f"{path}: needs the columns song and artist (optionally spotify_id); "
                    f"missing: {', '.join(missing)}; found: {', '.join(header) or 'no header'}"
                )
            reader.fieldnames = header
            given = next((column for column in ID_COLUMNS if column in header), None)
            return [
                SongRequest(
                    (row.get("song") or "").strip(),
                    (row.get("artist") or "").strip(),
                    ((row.get(given) or "").strip() or None) if given else None,
                )
                for row in reader
            ]
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputFileError(f"{path}: is a folder; give the CSV file itself") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror})") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputFileError(f"{path}: not a UTF-8 CSV file ({exc})") from exc


def write_predictions(
    path: Path | None,
    requests: Sequence[SongRequest],
    answers: Sequence[Prediction | Unanswered],
) -> None:
    """One output row per input row, in order, as CSV; a row that could not be predicted says why in
    `error`."""
    rows = [_row(request, answer) for request, answer in zip(requests, answers, strict=True)]
    if path is None:
        _write(sys.stdout, rows)
        return
    with path.open("w", encoding="utf-8", newline="") as handle:
        _write(handle, rows)


def _row(request: SongRequest, answer: Prediction | Unanswered) -> dict[str, object]:
    given = request.spotify_id
    row: dict[str, object] = {"song": request.song, "artist": request.artist, "spotify_id": given}
    if not isinstance(answer, Prediction):
        return {**row, "error": answer.reason}
    found = answer.answer.prediction
    return {
        **row,
        "spotify_id": answer.spotify_id or given,  # the song's, as the API answers it
        "predicted_streams": streams_as_written(found.streams),
        "your_streams": answer.known,
        "version_of": answer.version_of,
        "verdict": answer.verdict,
        "basis": found.basis,
        "reasons": "; ".join(c.signed_words for c in found.contributions),
        "model_version": answer.model_version,
        "did_you_mean": answer.matched.did_you_mean if answer.matched else None,
    }


def _write(handle: TextIO, rows: Sequence[dict[str, object]]) -> None:
    writer = csv.DictWriter(handle, fieldnames=OUTPUT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
