"""Scanning a folder: one outcome per file, in a stable order, and never an abort for one bad file."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Container, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from pathlib import Path

from musicflow.core.songs import FeatureRecord
from musicflow.errors import IngestError, MusicflowError
from musicflow.features.audio.analysis import DEFAULT_MAX_SECONDS, analyze_file
from musicflow.features.audio.files import file_fingerprint, find_audio_files
from musicflow.features.audio.identity import SongIdentity, read_identity

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, Path], None]
"""Called before each file with (files done so far, total files, the file about to be handled)."""
FileMapper = Callable[[Callable[[Path], "AnalysisResult"], Sequence[Path]], Iterator["AnalysisResult"]]
"""Runs the analysis of each file somewhere else (a Dask cluster's workers), results as they finish."""


class Outcome(StrEnum):
    ANALYSED = "analysed"
    UNCHANGED = "unchanged"  # fingerprint already known: not opened at all
    SKIPPED = "skipped"  # see `reason`


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    """What became of one file. `identity` may be set even when skipped (an M4A we cannot decode)."""

    path: Path
    fingerprint: str | None
    outcome: Outcome
    identity: SongIdentity | None = None
    record: FeatureRecord | None = None
    reason: str | None = None
    seconds: float = 0.0


def analyze_folder(
    folder: Path,
    *,
    max_seconds: float = DEFAULT_MAX_SECONDS,
    progress: Progress | None = None,
    known_fingerprints: Container[str] = frozenset(),
    map_files: FileMapper | None = None,
) -> Iterator[AnalysisResult]:
    """Every audio file below `folder` analysed in turn (lazily: the caller stores results as they come).

    Files whose `file_fingerprint` is in `known_fingerprints` are reported UNCHANGED without being opened.
    A file that cannot be named or decoded is reported SKIPPED with the reason; the scan goes on.
    Raises IngestError when `folder` is not a folder.
    """
    if not folder.is_dir():
        raise IngestError(f"{folder}: not a folder")
    files = find_audio_files(folder)
    if map_files is not None:
        yield from _mapped(files, folder, max_seconds, known_fingerprints, map_files, progress)
        return
    for done, path in enumerate(files):
        if progress is not None:
            progress(done, len(files), path)
        yield _analyze_one(path, folder, max_seconds, known_fingerprints)


def _mapped(
    files: Sequence[Path],
    root: Path,
    max_seconds: float,
    known: Container[str],
    map_files: FileMapper,
    progress: Progress | None,
) -> Iterator[AnalysisResult]:
    """Unchanged files are told here (no need to ship the fingerprints); the others analysed by
    `map_files`, one file per task, in the order they finish."""
    fresh: list[Path] = []
    for path in files:
        try:
            fingerprint = file_fingerprint(path)
        except OSError:
            fingerprint = None
        if fingerprint is not None and fingerprint in known:
            yield AnalysisResult(path, fingerprint, Outcome.UNCHANGED)
        else:
            fresh.append(path)
    done = len(files) - len(fresh)
    analyze = partial(_analyze_one, root=root, max_seconds=max_seconds, known=frozenset())
    for result in map_files(analyze, fresh):
        if progress is not None:
            progress(done, len(files), result.path)
        done += 1
        yield result


def _analyze_one(path: Path, root: Path, max_seconds: float, known: Container[str]) -> AnalysisResult:
    started = time.perf_counter()
    identity: SongIdentity | None = None
    fingerprint: str | None = None
    try:
        fingerprint = file_fingerprint(path)
        if fingerprint in known:
            return AnalysisResult(path, fingerprint, Outcome.UNCHANGED)
        identity = read_identity(path, root=root)
        record = analyze_file(path, identity, max_seconds=max_seconds)
    except (MusicflowError, OSError) as error:
        reason = _reason(error)
        logger.info("skipped %s: %s", path, reason)
        return AnalysisResult(
            path, fingerprint, Outcome.SKIPPED, identity, reason=reason, seconds=_since(started)
        )
    except Exception as error:  # decoders meet arbitrary files: one must never end the whole scan
        logger.warning("unexpected error analysing %s", path, exc_info=True)
        reason = f"unexpected error while analysing: {type(error).__name__}: {error}"
        return AnalysisResult(
            path, fingerprint, Outcome.SKIPPED, identity, reason=reason, seconds=_since(started)
        )
    return AnalysisResult(path, fingerprint, Outcome.ANALYSED, identity, record, seconds=_since(started))


def _reason(error: MusicflowError | OSError) -> str:
    if isinstance(error, OSError):
        return f"cannot read the file: {error.strerror or error}"
    return str(getattr(error, "reason", error))


def _since(started: float) -> float:
    return time.perf_counter() - started
