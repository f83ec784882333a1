"""Finding history files in zips, folders and files, and refusing hostile archives."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from musicflow.errors import IngestError
from musicflow.ingest.export_files import ArchiveLimits, list_export

LIMITS = ArchiveLimits(max_member_bytes=10_000_000, max_ratio=200, max_total_bytes=50_000_000)
HISTORY = b'[{"endTime": "2020-01-01 10:00", "artistName": "A", "trackName": "B", "msPlayed": 40000}]'


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_download_layout_is_found_under_its_folders(tmp_path: Path):
    archive = make_zip(
        tmp_path / "my_spotify_data.zip",
        {
            "Spotify Account Data/StreamingHistory_music_0.json": HISTORY,
            "Spotify Extended Streaming History/Streaming_History_Audio_2024.json": b"[]",
            "MyData/StreamingHistory0.json": HISTORY,
            "Spotify Account Data/ReadMeFirst.pdf": b"%PDF",
        },
    )
    listing = list_export([archive], LIMITS)
    names = [f.label.split("!", 1)[1] for f in listing.files]
    assert names == [
        "MyData/StreamingHistory0.json",
        "Spotify Account Data/StreamingHistory_music_0.json",
        "Spotify Extended Streaming History/Streaming_History_Audio_2024.json",
    ]
    assert listing.files[0].read() == HISTORY
    assert listing.skipped == []


def test_folder_and_single_files(tmp_path: Path):
    folder = tmp_path / "my_spotify_data" / "Spotify Account Data"
    folder.mkdir(parents=True)
    (folder / "StreamingHistory_music_0.json").write_bytes(HISTORY)
    (folder / "notes.txt").write_text("hello")
    single = tmp_path / "StreamingHistory1.json"
    single.write_bytes(HISTORY)
    listing = list_export([tmp_path / "my_spotify_data", single], LIMITS)
    assert [Path(f.label).name for f in listing.files] == [
        "StreamingHistory_music_0.json",
        "StreamingHistory1.json",
    ]


def test_missing_path_is_a_clear_error(tmp_path: Path):
    with pytest.raises(IngestError, match="no such file or folder"):
        list_export([tmp_path / "nope.zip"], LIMITS)


def test_a_zip_that_is_not_a_zip(tmp_path: Path):
    fake = tmp_path / "my_spotify_data.zip"
    fake.write_text("<!DOCTYPE html><html>Sign in</html>")
    with pytest.raises(IngestError, match="not a zip archive"):
        list_export([fake], LIMITS)


def test_a_truncated_zip(tmp_path: Path):
    archive = make_zip(tmp_path / "full.zip", {"StreamingHistory0.json": HISTORY * 100})
    truncated = tmp_path / "my_spotify_data.zip"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(IngestError, match=r"not a readable zip archive.*download it again"):
        list_export([truncated], LIMITS)


def test_a_member_damaged_inside_is_reported_when_read(tmp_path: Path):
    archive = make_zip(tmp_path / "a.zip", {"StreamingHistory0.json": HISTORY * 200})
    data = bytearray(archive.read_bytes())
    data[60:80] = b"\x00" * 20  # corrupt the deflate stream of the only member
    archive.write_bytes(bytes(data))
    listing = list_export([archive], LIMITS)
    with pytest.raises(IngestError, match="damaged archive member"):
        listing.files[0].read()


def test_zip_bomb_by_ratio_is_refused_before_inflating(tmp_path: Path):
    archive = make_zip(
        tmp_path / "bomb.zip",
        {"StreamingHistory0.json": b" " * 5_000_000, "StreamingHistory1.json": HISTORY},
    )
    listing = list_export([archive], LIMITS)
    assert [f.label.endswith("StreamingHistory1.json") for f in listing.files] == [True]
    (skipped,) = listing.skipped
    assert skipped.label.endswith("StreamingHistory0.json")
    assert "looks like a zip bomb" in skipped.reason
    assert "MUSICFLOW_ZIP_MAX_RATIO" in skipped.reason


def test_member_over_the_size_limit_is_refused(tmp_path: Path):
    archive = make_zip(tmp_path / "big.zip", {"StreamingHistory0.json": HISTORY * 2000})
    small = ArchiveLimits(max_member_bytes=1000, max_ratio=10_000, max_total_bytes=10**9)
    listing = list_export([archive], small)
    assert listing.files == []
    assert "over the limit of 1,000 (MUSICFLOW_ZIP_MAX_MEMBER_BYTES)" in listing.skipped[0].reason


def test_archive_total_over_the_limit_is_refused(tmp_path: Path):
    members = {f"StreamingHistory{i}.json": HISTORY * 30 for i in range(4)}
    archive = make_zip(tmp_path / "many.zip", members)
    limits = ArchiveLimits(max_member_bytes=10**9, max_ratio=10_000, max_total_bytes=len(HISTORY) * 70)
    listing = list_export([archive], limits)
    assert len(listing.files) == 2
    assert all("MUSICFLOW_ZIP_MAX_TOTAL_BYTES" in s.reason for s in listing.skipped)


def test_member_lying_about_its_size_is_not_inflated_past_it(tmp_path: Path):
    data = HISTORY * 5000
    archive = make_zip(tmp_path / "liar.zip", {"StreamingHistory0.json": data})
    raw = bytearray(archive.read_bytes())
    claimed = (100).to_bytes(4, "little")
    local = raw.index(b"PK\x03\x04")
    central = raw.index(b"PK\x01\x02")
    raw[local + 22 : local + 26] = claimed  # uncompressed size in the local header
    raw[central + 24 : central + 28] = claimed  # and in the central directory
    archive.write_bytes(bytes(raw))
    listing = list_export([archive], LIMITS)
    assert listing.files[0].size == 100
    with pytest.raises(IngestError, match="damaged archive member"):
        listing.files[0].read()


def test_unsafe_member_names_are_not_read(tmp_path: Path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("../../etc/StreamingHistory0.json", HISTORY)
        out.writestr("/abs/StreamingHistory1.json", HISTORY)
        out.writestr("inner/my_spotify_data.zip", b"PK\x05\x06" + b"\x00" * 18)
        out.writestr("MyData/StreamingHistory2.json", HISTORY)
    listing = list_export([archive], LIMITS)
    assert [f.label.rsplit("!", 1)[1] for f in listing.files] == ["MyData/StreamingHistory2.json"]
    reasons = {s.label.rsplit("!", 1)[1]: s.reason for s in listing.skipped}
    assert "climbs out of the archive" in reasons["../../etc/StreamingHistory0.json"]
    assert "absolute path" in reasons["/abs/StreamingHistory1.json"]
    assert "archive inside the archive" in reasons["inner/my_spotify_data.zip"]
    assert not (tmp_path.parent / "etc").exists()


def test_a_member_whose_header_hides_its_size_is_not_inflated_past_the_file_limit(tmp_path: Path):
    """Its header says it is small, under the limit: reading stops at the limit all the same."""
    data = HISTORY * 5000
    archive = make_zip(tmp_path / "liar.zip", {"StreamingHistory0.json": data})
    raw = bytearray(archive.read_bytes())
    for header, at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # the local header, the central directory
        start = raw.index(header)
        raw[start + at : start + at + 4] = (500).to_bytes(4, "little")
    archive.write_bytes(bytes(raw))
    limits = ArchiveLimits(
        max_member_bytes=10**9, max_ratio=10**9, max_total_bytes=10**9, max_file_bytes=1_000
    )
    (member,) = list_export([archive], limits).files
    assert member.size == 500
    with pytest.raises(IngestError):
        member.read()


def test_a_file_is_refused_by_its_size_and_read_no_further_than_the_limit(tmp_path: Path):
    limits = ArchiveLimits(max_member_bytes=10**9, max_ratio=200, max_total_bytes=10**9, max_file_bytes=1_000)
    big = tmp_path / "StreamingHistory0.json"
    big.write_bytes(HISTORY * 20)
    (listed,) = list_export([big], limits).files
    with pytest.raises(
        IngestError, match=rf"^{len(HISTORY) * 20:,} bytes, more than the 1,000 a file of an export may have"
    ):
        listed.read()
    growing = tmp_path / "StreamingHistory1.json"
    growing.write_bytes(HISTORY)
    (listed,) = list_export([growing], limits).files
    with growing.open("ab") as more:  # it grows after it was listed (a file still being written)
        more.write(b" " * 5_000)
    with pytest.raises(IngestError, match="more bytes than that now, more than the 1,000"):
        listed.read()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_only_files_and_folders_are_read(tmp_path: Path):
    fifo = tmp_path / "StreamingHistory0.json"
    os.mkfifo(fifo)
    with pytest.raises(IngestError, match=r"a pipe \(FIFO\), not a file or a folder"):
        list_export([fifo], LIMITS)  # refused before it is opened: opening it would wait for a writer
    assert list_export([tmp_path], LIMITS).files == []  # in a folder, passed over
    if Path("/dev/zero").exists():
        with pytest.raises(IngestError, match="a device, not a file or a folder"):
            list_export([Path("/dev/zero")], LIMITS)


def test_a_file_named_only_by_its_extension_is_read(tmp_path: Path):
    """`.json` has no suffix to pathlib: it was passed over unsaid, in a folder and in an archive."""
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / ".json").write_bytes(HISTORY)
    archive = make_zip(tmp_path / "my_spotify_data.zip", {"MyData/.json": HISTORY})
    listing = list_export([folder, archive], LIMITS)
    assert [f.label for f in listing.files] == [str(folder / ".json"), f"{archive}!MyData/.json"]
