"""An evaluation's notes are read later than they were written: what they say of the store is said of the
store as it stood when the model was trained, on the API and wherever else they are shown."""

from __future__ import annotations

from musicflow.api.documents import model_detail
from musicflow.model.reports import Evaluation
from musicflow.model.split_scores import NO_OTHER_LISTENER
from musicflow.store.ports import ModelVersion, VersionStatus

OLDER_NOTE = (
    "the 'no data of this listener' row is not available: the store holds no other listener (another"
    " listener's export, under a profile of its own, would give one)"
)


def test_a_note_on_the_store_says_it_was_so_when_the_model_was_trained() -> None:
    record = ModelVersion(
        "ash", 1, 0.0, VersionStatus.READY, "", (), {}, {"notes": [OLDER_NOTE, "another note"]}, {}, "", ()
    )
    written = model_detail(record, None).evaluation["notes"]
    assert isinstance(written, list)
    notes = [str(note) for note in written]
    assert notes[0].startswith(
        "the 'no data of this listener' row is not available: when this model was trained, the store held"
        " no other listener"
    )
    assert "holds no other" not in notes[0] and notes[1] == "another note"
    assert Evaluation.from_dict({"notes": [OLDER_NOTE]}).notes == notes[:1]  # the CLI's reading too
    assert Evaluation.from_dict({"notes": notes}).notes == notes  # said once
    assert NO_OTHER_LISTENER.startswith("when this model was trained")  # what training writes now
