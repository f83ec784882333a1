"""One partition of a scoring job, scored by whoever runs it: read, check, score, write, mark done.

This is the function a Dask worker runs: it takes plain data (the pack as a dict, the partition as a
dict, the job folder as text), reads its own slice of the input and writes its own output, so no rows
pass through the client. Outputs are written under a temporary name and renamed, and the done marker
last: a partition killed half-way leaves nothing that counts, and one run twice (a worker lost after
finishing) writes the same file again, so every row is written exactly once.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from musicflow.errors import InputFileError, OutputFileError
from musicflow.scale.frames import ARTISTS, REASON, ROW, SONG, checked, read_slice
from musicflow.scale.pack import ScoringPack
from musicflow.scale.score_rows import OUTPUT_COLUMNS, score_rows

PARTS = "parts"
_PACKS: dict[tuple[str, str], ScoringPack] = {}
_PACKS_LOCK = threading.Lock()


def part_path(job_dir: Path, index: int) -> Path:
    return job_dir / PARTS / f"part-{index:05d}.parquet"


def rejected_path(job_dir: Path, index: int) -> Path:
    return job_dir / PARTS / f"rejected-{index:05d}.parquet"


def done_path(job_dir: Path, index: int) -> Path:
    return job_dir / PARTS / f"part-{index:05d}.done"


def score_partition(
    pack: Mapping[str, Any], partition: Mapping[str, Any], job_dir: str, threads: int = 1
) -> dict[str, int]:
    """Score one partition (`index`, `path`, `offset`, `length`); returns its row counts."""
    import polars as pl

    folder = Path(job_dir)
    index = int(partition["index"])
    source = Path(partition["path"])
    try:
        frame = read_slice(source, int(partition["offset"]), int(partition["length"]))
    except (OSError, pl.exceptions.PolarsError) as exc:  # deleted, cut short or replaced meanwhile
        raise InputFileError(
            f"{source}: could not be read any more while it was scored ({why(exc)})"
        ) from None
    if "source_row" in frame.columns:
        frame = frame.with_columns(pl.col("source_row").alias(ROW))
    good, bad = checked(frame)
    scored = score_rows(_pack(pack), good, threads).frame
    _write(bad.select(ROW, SONG, ARTISTS, REASON), rejected_path(folder, index))
    _write(scored.select(*OUTPUT_COLUMNS), part_path(folder, index))
    counts = {"index": index, "rows": scored.height, "rejected": bad.height}
    _write_text(done_path(folder, index), json.dumps(counts))
    return counts


def _pack(plain: Mapping[str, Any]) -> ScoringPack:
    """The pack, rebuilt from plain data once per worker process and pack (the model, the listener's
    history and library: a new ban scores with the same model, but not with the same pack)."""
    key = (str(plain["pack_digest"]), str(plain["profile"]))
    with _PACKS_LOCK:
        if key not in _PACKS:
            _PACKS.clear()
            _PACKS[key] = ScoringPack.from_plain(plain)
        return _PACKS[key]


def _write(frame: Any, path: Path) -> None:
    _written(path, lambda temporary: frame.write_parquet(temporary))


def _write_text(path: Path, text: str) -> None:
    _written(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def _written(path: Path, write: Callable[[Path], object]) -> None:
    """`write` to a temporary name beside `path`, then renamed: a part is there whole or not at all; a
    write that fails (a full disk) leaves nothing behind and says so in one line."""
    import polars as pl

    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(temporary)
        temporary.replace(path)
    except (OSError, pl.exceptions.PolarsError) as exc:
        temporary.unlink(missing_ok=True)
        raise OutputFileError(f"cannot write {path}: {why(exc)}") from None


def why(exc: BaseException) -> str:
    """What the system said of a failed read or write: "No space left on device", not polars' whole
    "parquet: File out of specification: underlying IO error: No space left on device (os error 28)"."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    said = re.search(r"([^:]+?) \(os error \d+\)", text)
    return said.group(1).strip() if said else text
