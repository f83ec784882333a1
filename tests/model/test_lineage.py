"""What a version records of its features and plays comes back exactly: the features as the store gave
them (types included), the plays up to the cut-off only, and plays gone are named."""

from __future__ import annotations

from dataclasses import replace

import pytest

from musicflow.errors import NotReproducibleError
from musicflow.model.dataset import DEFAULT_ZEROS
from musicflow.model.lineage import (
    RunOptions,
    changes_since,
    code_version,
    features_digest,
    features_parquet,
    lineage_files,
    lineage_of,
    plays_up_to_cuts,
    read_features,
    without_profile,
)
from musicflow.model.snapshot import SnapshotInputs
from musicflow.store.ports import PlayFact, StoredFeatures, TrackFact

TRACKS = [
    TrackFact(3, "Song", "Artist", "sp3", "artist\x1fsong"),
    TrackFact(7, "Other", "Someone; Else", None, "someone\x1fother"),
    TrackFact(9, "Unknown", "Nobody", None, "nobody\x1funknown"),  # no source answered
]
ANSWERS = {
    3: [
        StoredFeatures(
            "catalog", "bundled", 1.5, {"energy": 0.1 + 0.2, "key": 5, "explicit": True}, "sp3", None
        ),
        StoredFeatures("audio_files", "a.flac", 2.0, {"tempo": 121.00000000000001}, None, "ISRC1"),
    ],
    7: [StoredFeatures("reccobeats", None, 3.25, {"mode": 0, "explicit": False}, None, None)],
}
PLAYS = [
    PlayFact(1, 3, 100, 60_000, "trackdone", False, play_id=1),
    PlayFact(2, 7, 110, 10_000, "fwdbtn", True, play_id=2),
    PlayFact(1, 7, 120, 60_000, None, None, play_id=3),
]
OPTIONS = RunOptions(30_000, False, DEFAULT_ZEROS, {"random_state": 0}, 0, (0, 1), ("time",))


def test_the_features_come_back_as_the_store_gave_them():
    tracks, answers = read_features(features_parquet(TRACKS, ANSWERS))
    assert tracks == TRACKS
    assert answers == ANSWERS
    assert [type(v) for v in answers[3][0].values.values()] == [float, int, bool]
    assert features_digest(tracks, answers) == features_digest(TRACKS, ANSWERS)
    changed = {**ANSWERS, 7: [ANSWERS[7][0]._replace(values={"mode": 1, "explicit": False})]}
    assert features_digest(TRACKS, changed) != features_digest(TRACKS, ANSWERS)


def test_the_plays_taken_back_are_those_up_to_the_cut_off_and_missing_ones_are_named():
    inputs = SnapshotInputs(PLAYS, TRACKS, ANSWERS, {"me": 1, "other": 2}, ("catalog",))
    files = lineage_files("me", inputs, "fingerprint", OPTIONS, [])
    lineage = lineage_of(files, "v1")
    assert lineage.cut_off.plays == 2 and lineage.cut_off.last_play_at == 120
    assert lineage.options == OPTIONS

    later = [*PLAYS, PlayFact(1, 3, 50, 60_000, None, None, play_id=4), PlayFact(1, 3, 500, 1, None, None, 5)]
    assert plays_up_to_cuts(lineage, sorted(later, key=lambda f: (f.ended_at, f.play_id))) == PLAYS
    with pytest.raises(NotReproducibleError, match="1 of the 1 plays of profile 'other''s history"):
        plays_up_to_cuts(lineage, [f for f in PLAYS if f.profile_id == 1])


def test_a_version_without_a_record_cannot_be_rebuilt_and_says_why():
    with pytest.raises(NotReproducibleError, match="trained before MusicFlow recorded"):
        lineage_of({"model.txt": b"", "model.json": b"{}"}, "model version 1 of profile 'me'")


def test_a_deleted_profile_leaves_its_figures_in_another_version_but_not_its_name():
    recorded = {
        "profile": "bob",
        "plays": {"bob": {"profile_id": 1, "plays": 5}, "alice": {"profile_id": 2, "plays": 9}},
        "profiles": {"bob": 1, "alice": 2},
    }
    scrubbed = without_profile(recorded, "alice")
    assert scrubbed is not None and "alice" not in str(scrubbed)
    assert scrubbed["plays"]["deleted profile 2"] == {"profile_id": 2, "plays": 9}
    assert scrubbed["profiles"] == {"bob": 1, "deleted profile 2": 2} and scrubbed["profile"] == "bob"
    assert without_profile(recorded, "carol") is None  # never read: nothing to change


def test_what_changed_in_the_code_since_is_said_in_words():
    """A version trained from a checkout, rebuilt by an installed package whose shipped songs differ: the
    notes say so in words (they said "code: git was 214cd4d, is None" and two raw digests)."""
    inputs = SnapshotInputs(PLAYS, TRACKS, ANSWERS, {"me": 1, "other": 2}, ("catalog",))
    lineage = lineage_of(lineage_files("me", inputs, "fingerprint", OPTIONS, []), "v1")
    now = code_version()
    then = {**now, "git": "214cd4d", "shipped_songs": "0" * 64}
    notes = changes_since(replace(lineage, code=then), [])
    said = "the code was commit 214cd4d of a checkout, is " + (
        f"commit {now['git']} of a checkout" if now["git"] else "an installed package"
    )
    assert said in notes
    assert "the list of songs MusicFlow ships (zeros are drawn from it) changed since" in notes
    assert not [note for note in notes if "None" in note or "0" * 64 in note]
    assert changes_since(lineage, []) == []  # the same code: nothing to say
