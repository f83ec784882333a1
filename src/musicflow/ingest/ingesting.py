"""The ingest use case: export paths in, plays stored, a report out.

Each history file is stored in its own transaction, and plays are keyed so that storing one twice is a
no-op: a run killed half-way, or a re-ingest of an overlapping export, never counts a play twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import orjson

from musicflow.config import Settings
from musicflow.core.perf import collector_paused
from musicflow.core.songs import track_key
from musicflow.errors import IngestError
from musicflow.ingest.export_files import ArchiveLimits, ExportFile, list_export
from musicflow.ingest.export_formats import HistoryKind, ParsedFile, detect_kind, parse_history
from musicflow.ingest.report import FileResult, IngestReport
from musicflow.store.ports import Store

log = logging.getLogger(__name__)


class Progress(Protocol):
    def start(self, label: str, total: int) -> None: ...
    def advance(self, amount: int, label: str | None = None) -> None: ...


def archive_limits(settings: Settings) -> ArchiveLimits:
    return ArchiveLimits(
        max_member_bytes=settings.zip_max_member_bytes,
        max_ratio=settings.zip_max_ratio,
        max_total_bytes=settings.zip_max_total_bytes,
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
    profile_id = store.ensure_profile(profile)
    if progress:
        progress.start("reading export", sum(f.size for f in listing.files))
    with collector_paused():
        for export_file in listing.files:
            result, parsed = _read_file(export_file)
            if parsed is not None:
                result.new_plays = store.add_plays(profile_id, parsed.plays, import_id)
                _account(report, parsed, result)
            del parsed
            report.files.append(result)
            if progress:
                progress.advance(export_file.size, export_file.label)
    return report


def _read_file(export_file: ExportFile) -> tuple[FileResult, ParsedFile | None]:
    label = export_file.label
    try:
        raw = export_file.read()
    except IngestError as exc:
        return FileResult(label, note=str(exc), damaged=True), None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        log.info("%s is not JSON: %s", label, exc)
        return FileResult(label, note=_not_json_note(raw, exc), damaged=True), None
    kind = detect_kind(data)
    if kind is None:
        return FileResult(label, note="not a streaming history (another file of the export)"), None
    assert isinstance(data, list)
    is_video = kind is HistoryKind.EXTENDED and "video" in Path(label).name.lower()
    parsed = parse_history(kind, data, label, is_video=is_video)
    for example in parsed.invalid_examples:
        log.warning("skipped %s", example)
    return FileResult(label, kind=kind.value, rows=parsed.rows, music_plays=len(parsed.plays)), parsed


def _not_json_note(raw: bytes, exc: orjson.JSONDecodeError) -> str:
    head = raw.lstrip()[:256].lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "an HTML page, not JSON: was it saved from the browser instead of downloaded?"
    if not raw.strip():
        return "empty file"
    return f"not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"


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
