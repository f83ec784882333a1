"""Finding the JSON files of an export in what a user points us at: a zip, a folder, or files.

Archives are read member by member in memory, never extracted, so a hostile archive cannot write anywhere;
each member is bounded in size and compression ratio before it is inflated.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from musicflow.errors import IngestError, UnsafeArchiveError

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"


@dataclass(frozen=True)
class ArchiveLimits:
    max_member_bytes: int
    max_ratio: float
    max_total_bytes: int


@dataclass(frozen=True)
class ExportFile:
    """A JSON file of an export, read only when asked."""

    label: str
    size: int
    read: Callable[[], bytes]


@dataclass(frozen=True)
class SkippedInput:
    label: str
    reason: str


@dataclass
class ExportListing:
    files: list[ExportFile]
    skipped: list[SkippedInput]


def list_export(paths: Sequence[Path], limits: ArchiveLimits) -> ExportListing:
    """Every JSON file under the given paths, in a stable order, and what was passed over and why."""
    listing = ExportListing(files=[], skipped=[])
    for path in paths:
        if not path.exists():
            raise IngestError(f"{path}: no such file or folder")
        if path.is_dir():
            _list_folder(path, listing, limits)
        elif _is_zip(path):
            _list_zip(path, listing, limits)
        elif path.suffix.lower() == ".zip":
            raise IngestError(f"{path}: not a zip archive (it does not start like one)")
        else:
            listing.files.append(_plain_file(path, str(path)))
    return listing


def _plain_file(path: Path, label: str) -> ExportFile:
    return ExportFile(label=label, size=path.stat().st_size, read=path.read_bytes)


def _is_zip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) in (ZIP_MAGIC, EMPTY_ZIP_MAGIC)


def _list_folder(folder: Path, listing: ExportListing, limits: ArchiveLimits) -> None:
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        suffix = path.suffix.lower()
        if suffix == ".json":
            listing.files.append(_plain_file(path, str(path)))
        elif suffix == ".zip" and _is_zip(path):
            _list_zip(path, listing, limits)
        elif suffix == ".zip":  # said, not passed over in silence: it was meant to be the export
            listing.skipped.append(SkippedInput(str(path), "not a zip archive (it does not start like one)"))


def _list_zip(path: Path, listing: ExportListing, limits: ArchiveLimits) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError(f"{path}: not a readable zip archive ({exc}); download it again") from exc
    total = 0
    for info in sorted(archive.infolist(), key=lambda i: i.filename):
        label = f"{path}!{info.filename}"
        if info.is_dir():
            continue
        problem = _unsafe_name(info.filename)
        if problem:
            listing.skipped.append(SkippedInput(label, problem))
            continue
        suffix = PurePosixPath(info.filename).suffix.lower()
        if suffix == ".zip":
            listing.skipped.append(
                SkippedInput(label, "an archive inside the archive: unpack it and ingest it on its own")
            )
            continue
        if suffix != ".json":
            continue
        total += info.file_size
        try:
            _check_declared(info, limits, total)
        except UnsafeArchiveError as exc:
            listing.skipped.append(SkippedInput(label, str(exc)))
            continue
        listing.files.append(
            ExportFile(label=label, size=info.file_size, read=_member_reader(archive, info, limits))
        )


def _unsafe_name(name: str) -> str | None:
    pure = PurePosixPath(name.replace("\\", "/"))
    if pure.is_absolute() or (len(name) > 1 and name[1] == ":"):
        return "an absolute path inside the archive: not read"
    if ".." in pure.parts:
        return "a path that climbs out of the archive ('..'): not read"
    return None


def _check_declared(info: zipfile.ZipInfo, limits: ArchiveLimits, total: int) -> None:
    if info.file_size > limits.max_member_bytes:
        raise UnsafeArchiveError(
            f"would inflate to {info.file_size:,} bytes, over the limit of "
            f"{limits.max_member_bytes:,} (MUSICFLOW_ZIP_MAX_MEMBER_BYTES)"
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if ratio > limits.max_ratio:
        raise UnsafeArchiveError(
            f"compressed {ratio:,.0f}:1, over the limit of {limits.max_ratio:,.0f}:1 "
            "(MUSICFLOW_ZIP_MAX_RATIO): looks like a zip bomb"
        )
    if total > limits.max_total_bytes:
        raise UnsafeArchiveError(
            f"the archive would inflate past {limits.max_total_bytes:,} bytes (MUSICFLOW_ZIP_MAX_TOTAL_BYTES)"
        )


def _member_reader(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ArchiveLimits
) -> Callable[[], bytes]:
    def read() -> bytes:
        """Inflate at most the declared size (and the limit), whatever the stream claims."""
        cap = min(info.file_size, limits.max_member_bytes)
        try:
            with archive.open(info) as member:
                data = member.read(cap + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            raise IngestError(f"damaged archive member ({exc}); download the export again") from exc
        if len(data) > cap:
            raise UnsafeArchiveError(f"inflates past its declared size of {cap:,} bytes")
        return data

    return read
