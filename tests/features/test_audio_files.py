"""The audio-file source on synthesised audio: measures, tags, file names, damaged files and folder scans."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from mutagen.aiff import AIFF
from mutagen.flac import FLAC
from mutagen.id3 import ID3, TALB, TIT2, TPE1
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

from musicflow.core.feature_spec import SPECS, validate_values
from musicflow.errors import IngestError
from musicflow.features.audio.filename import guess_from_path
from musicflow.features.audio_files import (
    AudioFileError,
    Outcome,
    SongNotNamedError,
    analyze_file,
    analyze_folder,
    file_fingerprint,
    find_audio_files,
    read_identity,
)

from .audio_synth import A_MINOR_CHORDS, C_MAJOR_CHORDS, RATE, chords, hats, kick_track, sine, write

pytestmark = pytest.mark.usefixtures("compiled_audio")  # librosa compiled once per run (tests/numba_cache.py)

NOT_ESTIMATED = {"valence", "acousticness", "speechiness", "instrumentalness", "liveness", "time_signature"}


def _values(path: Path, **kwargs: float) -> dict[str, float | int | bool]:
    record = analyze_file(path, **kwargs)  # type: ignore[arg-type]
    assert record.source == "audio_files"
    assert validate_values(record.values, source="test", what=path.name) == dict(record.values)
    assert not NOT_ESTIMATED & record.values.keys()
    return dict(record.values)


# --- measures ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("bpm", "suffix"), [(120, ".wav"), (90, ".flac"), (140, ".ogg"), (120, ".mp3")])
def test_tempo_of_a_kick_track_is_its_bpm(tmp_path: Path, bpm: int, suffix: str) -> None:
    values = _values(write(tmp_path / f"kick{suffix}", kick_track(bpm, 8)))

    assert values["tempo"] == pytest.approx(bpm, abs=2)
    assert values["danceability_estimate"] > 0.6


@pytest.mark.parametrize(
    ("progression", "key", "mode"), [(C_MAJOR_CHORDS, 0, 1), (A_MINOR_CHORDS, 9, 0)], ids=["C", "Am"]
)
def test_key_and_mode_of_a_chord_progression(
    tmp_path: Path, progression: list[list[int]], key: int, mode: int
) -> None:
    values = _values(write(tmp_path / "chords.flac", chords(progression)))

    assert (values["key"], values["mode"]) == (key, mode)


@pytest.mark.parametrize("rms_db", [-12.0, -20.0, -35.0])
def test_loudness_of_a_tone_is_its_rms_level(tmp_path: Path, rms_db: float) -> None:
    values = _values(write(tmp_path / "tone.wav", sine(rms_db, 3)))

    assert values["loudness"] == pytest.approx(rms_db, abs=1)


def test_loudness_is_the_same_from_a_44100_hz_stereo_file(tmp_path: Path) -> None:
    mono = sine(-20, 3, rate=44100)
    values = _values(write(tmp_path / "stereo.flac", np.stack([mono, mono], axis=1), rate=44100))

    assert values["loudness"] == pytest.approx(-17, abs=1)  # two channels at -20 each: +3 dB, as BS.1770


def test_silence_is_at_the_floor_with_no_energy_tempo_or_key(tmp_path: Path) -> None:
    values = _values(write(tmp_path / "silence.wav", np.zeros(RATE * 5, dtype=np.float32)))

    assert values["loudness"] == -60
    assert values["energy_estimate"] < 0.05
    assert values["danceability_estimate"] == 0
    assert values["key"] == -1
    assert "tempo" not in values
    assert "mode" not in values


def test_loud_dense_music_has_more_energy_than_quiet_sparse_music(tmp_path: Path) -> None:
    loud = _values(write(tmp_path / "loud.wav", kick_track(128, 8) + hats(128, 8)))
    quiet = _values(write(tmp_path / "quiet.wav", kick_track(70, 8, level=0.05)))

    assert loud["energy_estimate"] > quiet["energy_estimate"] + 0.3


@pytest.mark.parametrize(
    "signal",
    [(np.random.default_rng(1).standard_normal(RATE * 8) * 0.05).astype(np.float32), sine(-20, 8)],
    ids=["noise", "steady tone"],
)
def test_sound_without_attacks_has_no_tempo_or_danceability(tmp_path: Path, signal: np.ndarray) -> None:
    values = _values(write(tmp_path / "steady.wav", signal))

    assert "tempo" not in values
    assert values["danceability_estimate"] == 0


def test_noise_has_no_key(tmp_path: Path) -> None:
    noise = (np.random.default_rng(1).standard_normal(RATE * 8) * 0.05).astype(np.float32)

    assert _values(write(tmp_path / "noise.wav", noise))["key"] == -1


def test_only_max_seconds_are_analysed_but_the_whole_duration_is_reported(tmp_path: Path) -> None:
    silence = np.zeros(RATE * 20, dtype=np.float32)
    path = write(tmp_path / "long.wav", np.concatenate([silence, sine(-20, 5), silence]))

    values = _values(path, max_seconds=4)

    assert values["loudness"] == pytest.approx(-20, abs=1)  # the middle: the tone, not the silence
    assert values["duration_ms"] == 45_000


def test_every_value_is_within_the_feature_table(tmp_path: Path) -> None:
    mix = kick_track(128, 6) + hats(128, 6) + chords(C_MAJOR_CHORDS)[: RATE * 6]
    values = _values(write(tmp_path / "mix.ogg", mix))

    for name, value in values.items():
        spec = SPECS[name]
        assert spec.low is not None and spec.high is not None
        assert spec.low <= value <= spec.high, name


# --- damaged files ----------------------------------------------------------------------------------------


def test_garbage_with_an_audio_extension_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "noise.mp3"
    path.write_bytes(np.random.default_rng(3).bytes(20_000))

    with pytest.raises(AudioFileError, match=r"noise\.mp3: not a readable audio file"):
        analyze_file(path)


@pytest.mark.parametrize("suffix", [".flac", ".ogg", ".mp3"])
def test_a_truncated_file_is_a_clear_error(tmp_path: Path, suffix: str) -> None:
    path = write(tmp_path / f"cut{suffix}", kick_track(120, 8))
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])

    with pytest.raises(AudioFileError, match=rf"cut\{suffix}: (damaged|truncated|no audio)"):
        analyze_file(path)


def test_an_empty_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "empty.flac").touch()

    with pytest.raises(AudioFileError, match=r"empty\.flac: the file is empty"):
        analyze_file(tmp_path / "empty.flac")


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AudioFileError, match=r"gone\.wav: cannot read the file: No such file"):
        analyze_file(tmp_path / "gone.wav")


def test_aac_audio_is_not_decodable_here_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "song.m4a").write_bytes(b"\x00\x00\x00\x20ftypM4A " + bytes(200))

    with pytest.raises(AudioFileError, match=r"cannot decode \.m4a \(AAC\)"):
        analyze_file(tmp_path / "song.m4a")


# --- identity: tags ---------------------------------------------------------------------------------------


def _tag_vorbis(tags: FLAC | OggVorbis) -> None:
    tags["title"] = "Vorbis Song"
    tags["artist"] = ["Singer", "Guest"]
    tags["album"] = "Album"
    tags.save()


def _tag_id3(tags: ID3) -> None:
    tags.add(TIT2(encoding=3, text="Id3 Song"))
    tags.add(TPE1(encoding=3, text="Singer"))
    tags.add(TALB(encoding=3, text="Album"))


def test_vorbis_comments_name_the_song_in_flac_and_ogg(tmp_path: Path) -> None:
    flac = write(tmp_path / "untitled.flac", kick_track(120, 2))
    ogg = write(tmp_path / "untitled.ogg", kick_track(120, 2))
    _tag_vorbis(FLAC(flac))
    _tag_vorbis(OggVorbis(ogg))

    for path in (flac, ogg):
        identity = read_identity(path)
        assert (identity.song, identity.artist, identity.album) == (
            "Vorbis Song",
            "Singer",
            "Album",
        )  # the primary artist
        assert identity.from_tags
        assert identity.duration_ms == pytest.approx(2000, abs=50)


def test_id3_tags_name_the_song_in_mp3_wav_and_aiff(tmp_path: Path) -> None:
    mp3 = write(tmp_path / "a.mp3", kick_track(120, 2))
    tags = ID3()
    _tag_id3(tags)
    tags.save(mp3)
    wav = write(tmp_path / "b.wav", kick_track(120, 2))
    aiff = write(tmp_path / "c.aiff", kick_track(120, 2))
    for container in (WAVE(wav), AIFF(aiff)):
        container.add_tags()
        _tag_id3(container.tags)
        container.save()

    for path in (mp3, wav, aiff):
        identity = read_identity(path)
        assert (identity.song, identity.artist, identity.album, identity.from_tags) == (
            "Id3 Song",
            "Singer",
            "Album",
            True,
        )


def test_placeholder_tags_give_way_to_the_file_name(tmp_path: Path) -> None:
    path = write(tmp_path / "Real Artist - Real Song.flac", kick_track(120, 1))
    tags = FLAC(path)
    tags["title"] = "Track 01"
    tags["artist"] = "Unknown Artist"
    tags.save()

    identity = read_identity(path)

    assert (identity.song, identity.artist, identity.from_tags) == ("Real Song", "Real Artist", False)


# --- identity: file names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "song", "artist", "album"),
    [
        ("Artist - Title.mp3", "Title", "Artist", None),
        ("01 - Artist - Title.mp3", "Title", "Artist", None),
        ("Queen/Opera/01. Death on Two Legs.flac", "Death on Two Legs", "Queen", "Opera"),
        ("Queen/Live Killers/03 - Mustapha - Live.mp3", "Mustapha - Live", "Queen", "Live Killers"),
        ("Queen/Live Killers/Queen feat. X - Mustapha.mp3", "Mustapha", "Queen feat. X", "Live Killers"),
        ("Adele/25/01 Hello.ogg", "Hello", "Adele", "25"),
        ("Nena/Nena/99 Luftballons.mp3", "99 Luftballons", "Nena", "Nena"),
        ("AC_DC_-_Thunderstruck.mp3", "Thunderstruck", "AC DC", None),
        ("Adele/Hello.mp3", "Hello", None, None),
        ("Music/Adele/Hello.mp3", "Hello", None, None),
        ("Various Artists/Hits/07 - Nena - 99 Luftballons.mp3", "99 Luftballons", "Nena", None),
        ("Unknown Artist/Unknown Album/Track 03.mp3", None, None, None),
    ],
)
def test_file_names_and_folders_name_the_song(
    relative: str, song: str | None, artist: str | None, album: str | None
) -> None:
    root = Path("/music")
    guess = guess_from_path(root / relative, root)

    assert (guess.song, guess.artist, guess.album) == (song, artist, album)


def test_folders_above_the_scanned_one_are_not_an_artist() -> None:
    guess = guess_from_path(Path("/home/me/Some Album/01. Song.mp3"), Path("/home/me/Some Album"))

    assert (guess.song, guess.artist, guess.album) == ("Song", None, None)


def test_an_untagged_file_is_named_from_its_path(tmp_path: Path) -> None:
    path = write(tmp_path / "Portishead" / "Dummy" / "03. Sour Times.wav", kick_track(120, 1))

    identity = read_identity(path, root=tmp_path)

    assert (identity.song, identity.artist, identity.album, identity.from_tags) == (
        "Sour Times",
        "Portishead",
        "Dummy",
        False,
    )


def test_a_file_that_names_no_song_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path / "Track 07.wav", kick_track(120, 1))

    with pytest.raises(SongNotNamedError, match=r"Track 07\.wav: no title tag"):
        read_identity(path, root=tmp_path)


def test_a_title_without_an_artist_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path / "Sour Times.wav", kick_track(120, 1))

    with pytest.raises(SongNotNamedError, match="no artist tag"):
        read_identity(path, root=tmp_path)


# --- folders ----------------------------------------------------------------------------------------------


def test_audio_files_are_found_below_the_folder_in_a_stable_order(tmp_path: Path) -> None:
    for name in ["b/Song.FLAC", "a/z.mp3", "a/Y.ogg", "notes.txt", ".hidden/x.mp3", "a/._x.mp3", "c.opus"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).touch()

    found = [path.relative_to(tmp_path).as_posix() for path in find_audio_files(tmp_path)]

    assert found == ["a/Y.ogg", "a/z.mp3", "b/Song.FLAC", "c.opus"]


def test_a_folder_scan_reports_each_file_and_goes_on_past_bad_ones(tmp_path: Path) -> None:
    write(tmp_path / "Band - Good Song.wav", kick_track(120, 5))
    (tmp_path / "Band - Broken.flac").write_bytes(b"fLaC" + bytes(100))
    write(tmp_path / "Track 01.wav", kick_track(120, 1))
    calls: list[tuple[int, int, str]] = []

    def progress(done: int, total: int, path: Path) -> None:
        calls.append((done, total, path.name))

    results = list(analyze_folder(tmp_path, progress=progress))

    assert [(r.path.name, r.outcome) for r in results] == [
        ("Band - Broken.flac", Outcome.SKIPPED),
        ("Band - Good Song.wav", Outcome.ANALYSED),
        ("Track 01.wav", Outcome.SKIPPED),
    ]
    broken, good, unnamed = results
    assert broken.identity is not None and broken.identity.song == "Broken"
    assert broken.reason is not None and "readable audio" in broken.reason
    assert good.record is not None and good.record.values["tempo"] == pytest.approx(120, abs=2)
    assert unnamed.identity is None and unnamed.reason is not None and "no title tag" in unnamed.reason
    assert calls == [(0, 3, "Band - Broken.flac"), (1, 3, "Band - Good Song.wav"), (2, 3, "Track 01.wav")]


def test_files_with_a_known_fingerprint_are_not_opened_again(tmp_path: Path) -> None:
    path = write(tmp_path / "Band - Song.wav", kick_track(120, 5))
    first = list(analyze_folder(tmp_path))
    known = {result.fingerprint for result in first if result.fingerprint is not None}

    again = list(analyze_folder(tmp_path, known_fingerprints=known))
    write(path, kick_track(100, 6))
    after_change = list(analyze_folder(tmp_path, known_fingerprints=known))

    assert [r.outcome for r in (*first, *again, *after_change)] == [
        Outcome.ANALYSED,
        Outcome.UNCHANGED,
        Outcome.ANALYSED,
    ]
    assert after_change[0].fingerprint == file_fingerprint(path) != first[0].fingerprint


def test_an_unexpected_failure_skips_only_that_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "Band - Song.wav", kick_track(120, 5))

    def explode(*_args: object, **_kwargs: object) -> None:
        raise IndexError("decoder bug")

    monkeypatch.setattr("musicflow.features.audio.folder.analyze_file", explode)

    (result,) = analyze_folder(tmp_path)

    assert result.outcome is Outcome.SKIPPED
    assert result.reason == "unexpected error while analysing: IndexError: decoder bug"


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="not a folder"):
        list(analyze_folder(tmp_path / "nowhere"))
