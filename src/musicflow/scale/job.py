"""A scoring job: the input cut into partitions, a manifest beside the output, and the final files.

The job folder (`.<output name>.job` beside the output) holds `job.json` (what is scored with which
model, and the partitions) and one output, one rejected-rows file and one done marker per finished
partition. `--resume` reuses it when the input, the model and the listener's history are the same, and
runs only the partitions without a done marker; otherwise a new job starts from scratch. Once every
partition is done, the parts are streamed into the output file and the rejected-rows file, both under
temporary names renamed once both are whole, and the job folder is removed. A job stopped by its cluster
or a full disk says which parts it keeps; those stay for `--resume`.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from musicflow.core.plurals import counted
from musicflow.errors import ClusterError, InputFileError, OutputFileError
from musicflow.scale.engines import Engine, PartitionTask
from musicflow.scale.frames import ARTISTS, REASON, ROW, SONG, is_native_parquet, parquet_rows
from musicflow.scale.pack import ScoringPack
from musicflow.scale.partitions import PARTS, done_path, part_path, rejected_path, score_partition, why
from musicflow.scale.score_rows import OUTPUT_COLUMNS
from musicflow.scale.staging import Rejected, numbered_by, stage

log = logging.getLogger(__name__)

PARTITION_ROWS = 250_000
MANIFEST = "job.json"
STAGED = "staged"
Progress = Callable[[int, int], None]  # partitions done, partitions in all
RowsSource = Callable[[], Any]  # () -> iterable of CatalogRow | Rejected, for inputs staged first


@dataclass(frozen=True)
class ScoreSummary:
    output: Path
    rejected_output: Path
    rows_scored: int
    rows_rejected: int
    partitions: int
    partitions_resumed: int  # finished by an earlier run and not scored again
    engine: str
    model_version: int  # the champion that scored every row (a resumed job's too: see `_identity`)


@dataclass(frozen=True)
class JobInput:
    """What is scored: a native Parquet file read in place, or rows converted first (`rows`).

    `where`: the name of the rejected file's column saying where each rejected row is in the input,
    "line" for a CSV file (the line the row starts on; the header is line 1), "row" for a Parquet file
    (the first row of data is 1) and for an imported catalog (the row's id in the store)."""

    label: str
    identity: dict[str, Any]
    path: Path | None = None
    rows: RowsSource | None = None
    where: str = "row"

    @classmethod
    def of_file(cls, path: Path, rows: RowsSource) -> JobInput:
        stat = path.stat()
        identity = {"path": str(path.resolve()), "size": stat.st_size, "mtime": stat.st_mtime}
        if is_native_parquet(path):
            return cls(path.name, identity, path, None, "row")
        return cls(path.name, identity, None, rows, numbered_by(path))


def job_dir_for(output: Path) -> Path:
    return output.with_name(f".{output.name}.job")


def run_job(
    pack: ScoringPack,
    source: JobInput,
    output: Path,
    engine: Engine,
    *,
    resume: bool = False,
    progress: Progress | None = None,
    task: PartitionTask = score_partition,
    partition_rows: int = PARTITION_ROWS,
) -> ScoreSummary:
    """Score every row of `source` into `output` (Parquet or CSV by its extension)."""
    writer = _writer_for(output)
    folder = job_dir_for(output)
    manifest = _identity(pack, source, partition_rows)
    with engine.opened():  # a cluster that cannot run the job is said before the input is read
        partitions = _resumed(folder, manifest) if resume else None
        if partitions is None:
            shutil.rmtree(folder, ignore_errors=True)
            try:
                partitions = _plan(folder, source, partition_rows)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)  # a file that is no catalog leaves nothing behind
                raise
            _write_manifest(folder, {**manifest, "partitions": partitions})
        pending = [p for p in partitions if not done_path(folder, int(p["index"])).exists()]
        finished = len(partitions) - len(pending)
        if finished:
            log.info("resuming: %d of %d partitions already scored", finished, len(partitions))
        if progress is not None:
            progress(finished, len(partitions))
        if pending:
            with _kept_said(folder, partitions):
                engine.run(task, pack, pending, folder, _counting(progress, finished, len(partitions)))
    with _kept_said(folder, partitions):
        return _finish(folder, partitions, output, writer, finished, engine.name, source.where, pack)


def parts_kept(output: Path) -> str | None:
    """What the stopped job writing `output` keeps and how to go on from it (`kept_words`, or the
    catalog converted before any part was scored); None when there is no such job, or it kept nothing."""
    folder = job_dir_for(output)
    try:
        partitions = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["partitions"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    kept = sum(done_path(folder, int(p["index"])).exists() for p in partitions)
    if kept:
        return kept_words(kept, len(partitions))
    staged = (folder / STAGED).resolve()
    if any(Path(p["path"]).resolve().parent == staged and Path(p["path"]).exists() for p in partitions):
        return (
            f"the catalog is converted and kept, none of its {counted(len(partitions), 'part')} scored yet:"
            " the same command with --resume goes on from it"
        )
    return None


def rejected_output(output: Path) -> Path:
    return output.with_name(f"{output.stem}.rejected{output.suffix}")


def _writer_for(output: Path) -> str:
    kind = output.suffix.lower().lstrip(".")
    if kind not in ("parquet", "csv"):
        raise InputFileError(f"{output}: write predictions to a .parquet or .csv file")
    if not output.parent.is_dir():
        raise InputFileError(f"{output.parent}: no such folder for the predictions")
    return kind


def _identity(pack: ScoringPack, source: JobInput, partition_rows: int) -> dict[str, Any]:
    """What a resumed job must share with the stopped one: the input, the model, and the listener's
    history and library as the pack carries them (a resumed job after an ingest or a ban would score
    its later parts with another history than its first ones)."""
    return {
        "input": source.identity,
        "model": pack.sha256,
        "profile": pack.profile,
        "listener": pack.history_digest(),
        "partition_rows": partition_rows,
    }


@contextmanager
def _kept_said(folder: Path, partitions: Sequence[dict[str, Any]]) -> Iterator[None]:
    """A job stopped by its cluster or a full disk says which parts it keeps and how to go on."""
    try:
        yield
    except (ClusterError, OutputFileError) as error:
        kept = sum(done_path(folder, int(p["index"])).exists() for p in partitions)
        if not kept:
            raise
        raise type(error)(f"{error}; {kept_words(kept, len(partitions))}") from None


def kept_words(kept: int, total: int) -> str:
    """What a stopped job keeps, and how to go on from it."""
    verb = "is" if kept == 1 else "are"
    return (
        f"{kept:,} of {counted(total, 'part')} {verb} scored and kept: the same command with --resume"
        " goes on from them"
    )


def _resumed(folder: Path, manifest: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The earlier job's partitions, if it scored the same input with the same model and history."""
    try:
        earlier = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if {k: earlier.get(k) for k in manifest} != manifest:
        log.info("the earlier job scored another input or model: starting again")
        return None
    partitions: list[dict[str, Any]] = earlier["partitions"]
    return partitions


def _plan(folder: Path, source: JobInput, partition_rows: int) -> list[dict[str, Any]]:
    (folder / PARTS).mkdir(parents=True)
    if source.path is not None:
        slices = [(source.path, parquet_rows(source.path))]
    else:
        assert source.rows is not None
        staged, _ = stage(source.rows(), folder / STAGED, partition_rows)
        slices = [(path, parquet_rows(path)) for path in staged]
    partitions: list[dict[str, Any]] = []
    for path, rows in slices:
        for offset in range(0, max(rows, 1), partition_rows):
            length = min(partition_rows, rows - offset) if rows else 0
            partition = {"index": len(partitions), "path": str(path), "offset": offset, "length": length}
            partitions.append(partition)
    return partitions


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    try:
        (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise OutputFileError(f"cannot write {folder / MANIFEST}: {why(exc)}") from None


def _counting(progress: Progress | None, finished: int, total: int) -> Callable[[dict[str, int]], None]:
    count = [finished]

    def one_done(_result: dict[str, int]) -> None:
        count[0] += 1
        if progress is not None:
            progress(count[0], total)

    return one_done


def _finish(
    folder: Path,
    partitions: Sequence[dict[str, Any]],
    output: Path,
    kind: str,
    resumed: int,
    engine: str,
    where: str,
    pack: ScoringPack,
) -> ScoreSummary:
    """Stream the parts into the output files (in partition order), then remove the job folder."""
    import polars as pl

    counts = [json.loads(done_path(folder, int(p["index"])).read_text()) for p in partitions]
    parts = [part_path(folder, int(p["index"])) for p in partitions]
    rejected = [rejected_path(folder, int(p["index"])) for p in partitions]
    staged_rejects = folder / STAGED / "rejected.parquet"
    if staged_rejects.exists():
        rejected.insert(0, staged_rejects)
    rejected_rows = sum(c["rejected"] for c in counts) + (
        pl.scan_parquet(staged_rejects).select(pl.len()).collect().item() if staged_rejects.exists() else 0
    )
    bad = (
        pl.scan_parquet(rejected)
        .sort(ROW)
        .select(pl.col(ROW).alias(where), SONG, pl.col(ARTISTS).alias("artist"), REASON)
    )
    finals = [(pl.scan_parquet(parts).select(*OUTPUT_COLUMNS), output), (bad, rejected_output(output))]
    written: list[tuple[Path, Path]] = []
    try:  # both files whole under temporary names first, then renamed: never one without the other
        for frame, path in finals:
            written.append((_temporary(path), path))
            _sink(frame, written[-1][0], kind)
    except (OSError, pl.exceptions.PolarsError) as exc:
        for temporary, _ in written:
            temporary.unlink(missing_ok=True)
        raise OutputFileError(f"cannot write {written[-1][1]}: {why(exc)}") from None
    for temporary, path in written:
        temporary.replace(path)
    shutil.rmtree(folder, ignore_errors=True)
    return ScoreSummary(
        output,
        rejected_output(output),
        sum(c["rows"] for c in counts),
        int(rejected_rows),
        len(partitions),
        resumed,
        engine,
        pack.model_version,
    )


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.writing")


def _sink(frame: Any, path: Path, kind: str) -> None:
    if kind == "parquet":
        frame.sink_parquet(path)
    else:
        frame.sink_csv(path)


__all__ = [
    "JobInput",
    "Rejected",
    "ScoreSummary",
    "job_dir_for",
    "parts_kept",
    "rejected_output",
    "run_job",
]
