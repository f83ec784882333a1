"""An evaluation's notes are read later than they were written: a note an older version wrote of the store
in the present tense ("the store holds no other listener"), of a row no table shows, is not shown, on the
API and in the CLI alike; other notes are shown as written."""

from __future__ import annotations

from musicflow.api.documents import model_detail
from musicflow.model.reports import NO_LISTENER_NOTE, Evaluation
from musicflow.store.ports import ModelVersion, VersionStatus

ALONE = (
    "the 'no data of this listener' row is not available: the store holds no other listener (another"
    " listener's export, under a profile of its own, would give one)"
)
TOO_SMALL = (
    "the 'no data of this listener' row is not available: the other listener's data is too small (only 1"
    " streamed songs to learn from)"
)


def test_older_notes_on_the_store_are_said_in_todays_words_or_not_at_all() -> None:
    record = ModelVersion(
        "ash",
        1,
        0.0,
        VersionStatus.READY,
        "",
        (),
        {},
        {"notes": [ALONE, TOO_SMALL, "another note"]},
        {},
        "",
        (),
    )
    written = model_detail(record, None).model_dump(mode="json")["evaluation"]["notes"]
    assert isinstance(written, list)
    notes = [str(note) for note in written]
    assert notes == [
        f"{NO_LISTENER_NOTE}: the other listener's history is too small to learn from",
        "another note",
    ]
    assert Evaluation.from_dict({"notes": [ALONE, TOO_SMALL, "another note"]}).notes == notes  # the CLI's
    assert Evaluation.from_dict({"notes": notes}).notes == notes  # said once
