"""What deleting a listener's data removed: the answer of `MusicFlow.delete_profile`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from musicflow.store.ports import ProfileErasure


@dataclass(frozen=True)
class Erasure:
    """The profile gone, and what went with it."""

    profile: str
    stored: ProfileErasure
    model_files: int
    models_dir: Path
    other_versions_unnamed: int = 0  # other listeners' versions whose lineage named it, now no longer

    def as_document(self) -> dict[str, object]:
        return {
            "profile": self.profile,
            "plays": self.stored.plays,
            "tracks": self.stored.tracks,
            "model_versions": self.stored.model_versions,
            "model_files": self.model_files,
            "other_versions_unnamed": self.other_versions_unnamed,
            "tokens": self.stored.tokens,
            "logged_predictions": self.stored.logged_predictions,
            "jobs": self.stored.jobs,
            "library_entries": self.stored.library_entries,
        }
