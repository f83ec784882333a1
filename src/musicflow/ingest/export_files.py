"""Finding the JSON files of an export in what a user points us at: a zip, a folder, or files.

Archives are read member by member in memory, never extracted, so a hostile archive cannot write anywhere;
each member is bounded in size and compression ratio before it is inflated. Every JSON file, a member or a
file of its own, is read whole and parsed whole, so each is bounded too (`max_file_bytes`): by the size its
header or the file system declares, before anything is read, and again while reading (a header can lie, a
file can grow). Only regular files and folders are read: a device or a pipe (`/dev/zero`, a FIFO) would
never end.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from musicflow.errors import IngestError, UnsafeArchiveError

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
MAX_FILE_BYTES = 64 * 1024 * 1024  # MUSICFLOW_INGEST_MAX_FILE_BYTES' default
# A zip named (or found in a folder) that holds no JSON file: said, as a file that is no history is.
NO_JSON_IN_ZIP = "a zip archive with no JSON file in it: not a Spotify data export"


@dataclass(frozen=True)
class ArchiveLimits:
    max_member_bytes: int
    max_ratio: float
    max_total_bytes: int
    max_file_bytes: int = MAX_FILE_BYTES  # any one JSON file, a member or not: it is parsed whole in memory


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
        problem = not_a_file_or_folder(path)
        if problem:
            raise IngestError(f"{path}: {problem}")
        if path.is_dir():
            _list_folder(path, listing, limits)
        elif _is_zip(path):
            _list_zip(path, listing, limits)
        elif path.suffix.lower() == ".zip":
            raise IngestError(f"{path}: not a zip archive (it does not start like one)")
        else:
            listing.files.append(_plain_file(path, str(path), limits))
    return listing


def not_a_file_or_folder(path: Path) -> str | None:
    """Why `path` cannot be read as an export, when it is neither a regular file nor a folder (a device,
    a pipe, a socket: reading one may never end); None otherwise, and when it cannot be looked at (reading
    it says why)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    elif stat.S_ISFIFO(mode):
        kind = "a pipe (FIFO)"
    else:
        kind = "a socket" if stat.S_ISSOCK(mode) else "a special file"
    return f"{kind}, not a file or a folder: name my_spotify_data.zip, its unpacked folder or its JSON files"


def _plain_file(path: Path, label: str, limits: ArchiveLimits) -> ExportFile:
    size = path.stat().st_size

    def read() -> bytes:
        """The file, refused unread when its size is over the limit, and read no further than the limit
        whatever it holds by then."""
        if size > limits.max_file_bytes:
            raise _too_large(f"{size:,} bytes", limits)
        try:
            with path.open("rb") as handle:
                data = handle.read(limits.max_file_bytes + 1)
        except OSError as exc:
            raise IngestError(f"cannot be read ({exc.strerror or exc})") from exc
        if len(data) > limits.max_file_bytes:
            raise _too_large("more bytes than that now", limits)
        return data

    return ExportFile(label=label, size=size, read=read)


def _too_large(size: str, limits: ArchiveLimits) -> IngestError:
    """A file (or member) larger than any file of a Spotify export, which would be parsed whole in memory:
    its size, the limit and the setting that moves it."""
    return IngestError(
        f"{size}, more than the {limits.max_file_bytes:,} a file of an export may have"
        " (MUSICFLOW_INGEST_MAX_FILE_BYTES): Spotify's own files are a few MB each; if this one is yours,"
        " raise the setting and run again"
    )


def _is_zip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) in (ZIP_MAGIC, EMPTY_ZIP_MAGIC)


def _list_folder(folder: Path, listing: ExportListing, limits: ArchiveLimits) -> None:
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if _system_metadata(path.relative_to(folder).as_posix()):
            continue
        suffix = _suffix(path.name)
        if suffix == ".json":
            listing.files.append(_plain_file(path, str(path), limits))
        elif suffix == ".zip" and _is_zip(path):
            _list_zip(path, listing, limits)
        elif suffix == ".zip":  # said, not passed over in silence: it was meant to be the export
            listing.skipped.append(SkippedInput(str(path), "not a zip archive (it does not start like one)"))


def _list_zip(path: Path, listing: ExportListing, limits: ArchiveLimits) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError(f"{path}: not a readable zip archive ({exc}); download it again") from exc
    said = len(listing.files) + len(listing.skipped)
    total = 0
    for info in sorted(archive.infolist(), key=lambda i: i.filename):
        label = f"{path}!{info.filename}"
        if info.is_dir() or _system_metadata(info.filename):
            continue
        problem = _unsafe_name(info.filename)
        if problem:
            listing.skipped.append(SkippedInput(label, problem))
            continue
        suffix = _suffix(PurePosixPath(info.filename).name)
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
    if len(listing.files) + len(listing.skipped) == said:  # said, not passed over in silence
        listing.skipped.append(SkippedInput(str(path), NO_JSON_IN_ZIP))


def _system_metadata(name: str) -> bool:
    """Whether a file is what macOS writes beside a user's files when it zips or copies them (under
    `__MACOSX/`, or an AppleDouble `._<name>` file): binary, never part of the export, though its name
    may end in `.json`. Read, each was a damaged file, and a whole export zipped again on a Mac failed."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return "__MACOSX" in parts or (bool(parts) and parts[-1].startswith("._"))


def _suffix(name: str) -> str:
    """The extension of a file name, lower case; a name that is only an extension (`.json`) has it too,
    so that such a file is read by its content like any other rather than passed over unsaid."""
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


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
        """Inflate at most the declared size (and the limits), whatever the stream claims."""
        if info.file_size > limits.max_file_bytes:  # as its header says, before anything is inflated
            raise _too_large(f"{info.file_size:,} bytes", limits)
        cap = min(info.file_size, limits.max_member_bytes, limits.max_file_bytes)
        try:
            with archive.open(info) as member:
                data = member.read(cap + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            raise IngestError(f"damaged archive member ({exc}); download the export again") from exc
        if len(data) > cap:
            raise UnsafeArchiveError(f"inflates past its declared size of {cap:,} bytes")
        return data

    return read
