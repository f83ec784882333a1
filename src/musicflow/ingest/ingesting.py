"""The ingest use case: export paths in, plays stored, a report out.

Each history file is stored in its own transaction, and plays are keyed so that storing one twice is a
no-op: a run killed half-way, or a re-ingest of an overlapping export, never counts a play twice.
"""

from __future__ import annotations

import codecs
import logging
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import orjson

from musicflow.config import Settings
from musicflow.core.perf import collector_paused
from musicflow.core.plays import SkipReason
from musicflow.core.songs import track_key
from musicflow.errors import IngestError, NothingReadError
from musicflow.ingest.export_files import ArchiveLimits, ExportFile, list_export
from musicflow.ingest.export_formats import HistoryKind, ParsedFile, detect_kind, parse_history
from musicflow.ingest.library_export import ParsedLibrary, is_library, parse_library
from musicflow.ingest.report import LIBRARY, FileResult, IngestReport
from musicflow.store.ports import LibraryKind, Store

log = logging.getLogger(__name__)
LIBRARY_KINDS = tuple(kind.value for kind in LibraryKind)


class Progress(Protocol):
    def start(self, label: str, total: int) -> None: ...
    def advance(self, amount: int, label: str | None = None) -> None: ...


def archive_limits(settings: Settings) -> ArchiveLimits:
    return ArchiveLimits(
        max_member_bytes=settings.zip_max_member_bytes,
        max_ratio=settings.zip_max_ratio,
        max_total_bytes=settings.zip_max_total_bytes,
        max_file_bytes=settings.ingest_max_file_bytes,
    )


def ingest_paths(
    paths: Sequence[Path],
    store: Store,
    profile: str,
    settings: Settings,
    progress: Progress | None = None,
    import_id: str | None = None,
) -> IngestReport:
    """Read every history under `paths` into `profile`; files that are not histories are noted."""
    listing = list_export(paths, archive_limits(settings))
    report = IngestReport(profile=profile, stream_min_ms=settings.stream_min_ms)
    for skipped in listing.skipped:
        report.files.append(FileResult(skipped.label, note=skipped.reason))
    profile_id: int | None = None  # made when something is stored: a file of nothing makes no profile
    if progress:
        progress.start("reading export", sum(f.size for f in listing.files))
    libraries: list[ParsedLibrary] = []
    with collector_paused():
        for export_file in listing.files:
            result, parsed = _read_file(export_file)
            if isinstance(parsed, ParsedLibrary):
                libraries.append(parsed)
            elif parsed is not None:
                profile_id = store.ensure_profile(profile) if profile_id is None else profile_id
                result.new_plays = store.add_plays(profile_id, parsed.plays, import_id)
                _account(report, parsed, result)
            del parsed
            report.files.append(result)
            if progress:
                progress.advance(export_file.size, export_file.label)
    if libraries:
        profile_id = store.ensure_profile(profile) if profile_id is None else profile_id
        _store_library(store, profile_id, libraries, report)
    return report


NOTES_SAID = 3  # files passed over named in the error, at most


def nothing_read(paths: Sequence[Path], report: IngestReport, given: str | None = None) -> NothingReadError:
    """The error of an ingest that read no history and no library: nothing was stored (no profile
    made), and the first files passed over say why. `given`: what the paths were to the person who gave
    them (an upload's folder on the server is not theirs to read about)."""
    given = given or ", ".join(str(p) for p in paths)
    notes = [f"{Path(f.label).name}: {f.note}" for f in report.files if f.note]
    said = "; ".join(notes[:NOTES_SAID])
    if len(notes) > NOTES_SAID:
        said += f"; and {len(notes) - NOTES_SAID:,} more files"
    why = f" ({said})" if said else ""
    if report.files_damaged:  # a history too large, damaged or not in UTF-8 is not "no history"
        return NothingReadError(f"no play could be read from {given}{why}")
    return NothingReadError(f"nothing in {given} is a Spotify streaming history: no play was read{why}")


# What a record that did not become a music play was, as a sentence's end: (one, several).
_SKIPPED_WORDS = {
    SkipReason.PODCAST: ("is a podcast episode", "are podcast episodes"),
    SkipReason.AUDIOBOOK: ("is an audiobook chapter", "are audiobook chapters"),
    SkipReason.VIDEO: ("is a video", "are videos"),
    SkipReason.NO_TRACK: ("names no track or artist", "name no track or artist"),
    SkipReason.INVALID: ("could not be read", "could not be read"),
}


def no_music_play(paths: Sequence[Path], report: IngestReport, given: str | None = None) -> NothingReadError:
    """The error of an ingest whose histories held records but not one music play (and no library): what
    the records were instead, and the first that could not be read, so that a wrong or damaged file is
    told as such rather than stored as a listener with nothing to learn from."""
    given = given or ", ".join(str(p) for p in paths)
    said = []
    for reason, (one, several) in _SKIPPED_WORDS.items():
        count = report.skipped.get(reason, 0)
        if count:
            said.append(f"{count:,} {one if count == 1 else several}")
    first = f" (first: {report.invalid_examples[0]})" if report.invalid_examples else ""
    records = "record" if report.rows == 1 else "records"
    held = f"of its {report.rows:,} {records}, {'; '.join(said)}"
    return NothingReadError(f"no music play could be read from {given}: {held}{first}")


def _store_library(
    store: Store, profile_id: int, libraries: list[ParsedLibrary], report: IngestReport
) -> None:
    """The library files of this run (one per export given) become the profile's library, each entry
    once: a library is a picture of one moment, so it replaces the one stored before; unless not one of
    its entries could be read (a damaged file), which would erase the stored one for nothing."""
    entries = list(dict.fromkeys(entry for parsed in libraries for entry in parsed.entries))
    report.library_unreadable = sum(parsed.unreadable for parsed in libraries)
    if not entries and report.library_unreadable:
        return  # nothing readable: the library stored before is kept, and the file's note says why
    store.replace_library(profile_id, entries)
    counts = Counter(entry.kind.value for entry in entries)
    report.library = {kind: counts[kind] for kind in LIBRARY_KINDS}


def _library_note(library: ParsedLibrary) -> str | None:
    """What of a library file was left out, by why."""
    nameless = library.unreadable - library.unfit
    said = [f"{nameless:,} entries without names"] if nameless else []
    if library.unfit:
        unfit = f"{library.unfit:,} with a name or id that cannot be kept (a NUL, or over 200 characters)"
        said.append(unfit)
    return f"{' and '.join(said)} left out" if said else None


def _read_file(export_file: ExportFile) -> tuple[FileResult, ParsedFile | ParsedLibrary | None]:
    label = export_file.label
    try:
        raw = export_file.read()
    except IngestError as exc:
        return FileResult(label, note=str(exc), damaged=True), None
    text = _as_json_text(raw)
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        log.info("%s is not JSON: %s", label, exc)
        return FileResult(
            label, note=_not_json_note(raw, exc, decoded=isinstance(text, str)), damaged=True
        ), None
    del raw, text
    if is_library(data):
        assert isinstance(data, dict)
        library = parse_library(data)
        note = _library_note(library)
        return FileResult(label, kind=LIBRARY, rows=len(library.entries), note=note), library
    kind = detect_kind(data)
    if kind is None:
        return FileResult(label, note="not a streaming history (another file of the export)"), None
    assert isinstance(data, list)
    is_video = kind is HistoryKind.EXTENDED and "video" in Path(label).name.lower()
    parsed = parse_history(kind, data, label, is_video=is_video)
    for example in parsed.invalid_examples:  # the report says them to the user; the log, when asked (-v)
        log.info("skipped %s", example)
    return FileResult(label, kind=kind.value, rows=parsed.rows, music_plays=len(parsed.plays)), parsed


# Byte order marks, the longer first: UTF-32's little-endian one begins with UTF-16's.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _as_json_text(raw: bytes) -> bytes | memoryview | str:
    """What the JSON parser reads of a file: UTF-8 as Spotify writes it, without the byte order mark an
    editor may have put before it (Notepad's "UTF-8 with BOM"); a file an editor saved as UTF-16 or UTF-32
    with its byte order mark ("Unicode") decoded, since the mark says how. Anything else as it is: a file
    in another encoding is not guessed at (`_not_json_note` says so)."""
    if raw.startswith(codecs.BOM_UTF8):
        return memoryview(raw)[len(codecs.BOM_UTF8) :]
    for bom, encoding in _WIDE_BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                return raw  # its note says it is not UTF-8
    return raw


def _not_json_note(raw: bytes, exc: orjson.JSONDecodeError, *, decoded: bool = False) -> str:
    """Why a file is not JSON; `decoded`: it was decoded by its byte order mark (UTF-16, UTF-32), so it is
    text, and what is wrong is its JSON."""
    raw = raw.removeprefix(codecs.BOM_UTF8)
    head = raw.lstrip()[:256].lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "an HTML page, not JSON: was it saved from the browser instead of downloaded?"
    if not raw.strip():
        return "empty file"
    encoding = None if decoded else _not_utf8(raw)
    if encoding:
        return (
            f"not UTF-8 JSON as Spotify writes it ({encoding}): ingest the file as Spotify sent it, or"
            " save it again as UTF-8"
        )
    return f"not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"


def _not_utf8(raw: bytes) -> str | None:
    """How a file is not UTF-8 text, in words; None when it is."""
    wide = next((encoding for bom, encoding in _WIDE_BOMS if raw.startswith(bom)), None)
    if wide:
        return f"it starts with the byte order mark of {wide.upper()} but does not decode as such"
    head = raw[:64]
    if head[1::2].count(0) > len(head) // 4 or head[::2].count(0) > len(head) // 4:
        return "it looks like UTF-16 text without a byte order mark"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        line = raw.count(b"\n", 0, bad.start) + 1
        column = bad.start - (raw.rfind(b"\n", 0, bad.start) + 1) + 1
        return (
            f"byte 0x{raw[bad.start]:02X} at line {line}, column {column} is not UTF-8: the file was saved"
            " in another encoding, such as Latin-1 or Windows-1252"
        )
    return None


def _account(report: IngestReport, parsed: ParsedFile, result: FileResult) -> None:
    report.rows += parsed.rows
    report.music_plays += len(parsed.plays)
    report.new_plays += result.new_plays
    report.skipped.update(parsed.skipped)
    report.invalid_examples.extend(parsed.invalid_examples)
    threshold = report.stream_min_ms
    report.streams += sum(1 for play in parsed.plays if play.ms_played >= threshold)
    spellings = {(play.artist, play.track) for play in parsed.plays}
    report.track_keys.update(track_key(artist, track) for artist, track in spellings)
    if parsed.plays:
        first = min(p.ended_at for p in parsed.plays)
        last = max(p.ended_at for p in parsed.plays)
        if report.first_ended_at is None or first < report.first_ended_at:
            report.first_ended_at = first
        if report.last_ended_at is None or last > report.last_ended_at:
            report.last_ended_at = last
