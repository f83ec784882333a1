"""Building a model version again from what it recorded: `musicflow train --reproduce VERSION`.

The plays are the store's, up to the version's cut-off (plays stored since are left out, whatever their
time); the features, catalogs' identity, options and seeds are the version's own record
(`model/lineage.py`). The model that serves is fitted again (the evaluation is not measured again: it
is the stored one) and its predictions are set against the stored version's on every row it was fitted
on. Nothing is registered: the rebuilt files go only where the caller asks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from musicflow.core.timezone import iso_utc
from musicflow.errors import MusicflowError, NotReproducibleError
from musicflow.model.artifacts import DATA_FILE, LINEAGE_FILE, META_FILE, MODEL_FILE
from musicflow.model.lineage import (
    changes_since,
    lineage_of,
    recorded_inputs,
)
from musicflow.model.snapshot import snapshot_of
from musicflow.model.train import TrainingOptions, fit_final_on_rows
from musicflow.model.trained import TrainedModel

if TYPE_CHECKING:
    from musicflow.model.lineage import Lineage
    from musicflow.model.registry import FileModelRegistry
    from musicflow.store.ports import Store

# Two predictions this close are the same: the fit is deterministic, so a rebuilt model gives the stored
# predictions to the bit; the tolerance only forgives the last bits of a platform's floating point.
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Reproduction:
    """A version built again: how far its predictions are from the stored version's, and what changed."""

    profile: str
    version: int
    cut_off: int  # the last play its listener's history held (Unix seconds)
    plays: int  # its listener's plays it learned from
    rows: int  # the rows both models were asked about: every row it was fitted on
    max_difference: float
    same_model_file: bool  # the rebuilt booster's text is the stored one, byte for byte
    changes: tuple[str, ...]  # what differs now (catalogs, code), whether it mattered or not
    output: Path | None

    @property
    def identical(self) -> bool:
        return self.max_difference <= TOLERANCE

    def as_document(self) -> dict[str, object]:
        """What `train --reproduce --format json` writes: the cut-off as `accuracy` gives it, `cut_off_at`
        in ISO 8601, UTC (the `last_play_at` of `models show`'s `learned_from.cut_off`)."""
        return {
            "profile": self.profile,
            "model_version": self.version,
            "cut_off_at": iso_utc(self.cut_off),
            "plays": self.plays,
            "rows_compared": self.rows,
            "max_difference": self.max_difference,
            "tolerance": TOLERANCE,
            "identical": self.identical,
            "same_model_file": self.same_model_file,
            "changes_since": list(self.changes),
            "output": str(self.output) if self.output is not None else None,
        }


def reproduce_version(
    store: Store, registry: FileModelRegistry, profile: str, ref: str, output: Path | None
) -> Reproduction:
    """Build version `ref` of the profile again and compare it with the stored one (see the module)."""
    loaded = registry.load(profile, ref)
    version = loaded.version
    label = f"model version {version.version} of profile '{profile}'"
    lineage = lineage_of(loaded.artifacts, label)
    inputs = recorded_inputs(lineage, loaded.artifacts, store.history.plays())
    run = lineage.options
    snapshot = snapshot_of(inputs, stream_min_ms=run.stream_min_ms, allow_spotify=run.allow_spotify)
    if snapshot.fingerprint != version.data_fingerprint:
        raise NotReproducibleError(
            f"{label}: the plays and features taken back are not those it learned from (data fingerprint"
            f" {snapshot.fingerprint}, recorded {version.data_fingerprint})",
            profile=profile,
        )
    options = TrainingOptions(
        zeros=run.zeros,
        params={k: v for k, v in run.params.items() if k != "random_state"},
        seeds=run.seeds,
        splits=run.splits,
        seed=int(run.params.get("random_state", run.seed)),
        stream_min_ms=run.stream_min_ms,
        precedence=lineage.precedence,
        allow_spotify=run.allow_spotify,
    )
    stored = TrainedModel.from_artifacts(loaded.artifacts)
    left_out = stored.training.get("dropped_features") or {}  # the evaluation's choices, as it made them
    rebuilt, rows = fit_final_on_rows(snapshot, profile, run.zeros, options, store, left_out)
    difference = np.abs(stored.predict_matrix(rows) - rebuilt.predict_matrix(rows))
    same_file = rebuilt.model_text.encode() == loaded.artifacts[MODEL_FILE]
    rebuilt = replace(rebuilt, evaluation=stored.evaluation, created_at=stored.created_at)
    if output is not None:
        _write(output, rebuilt, loaded.artifacts, version.version, lineage)
    return Reproduction(
        profile=profile,
        version=version.version,
        cut_off=lineage.cut_off.last_play_at,
        plays=lineage.cut_off.plays,
        rows=len(rows),
        max_difference=float(difference.max()) if len(difference) else 0.0,
        same_model_file=same_file,
        changes=tuple(changes_since(lineage, store.features.catalogs())),
        output=output,
    )


def _write(
    folder: Path, model: TrainedModel, stored: dict[str, bytes], number: int, lineage: Lineage
) -> None:
    """The rebuilt version's files in `folder`: its model, and the stored record of what it learned from."""
    files = model.to_artifacts()
    meta = json.loads(files[META_FILE])
    meta["reproduced_from"] = {"profile": lineage.profile, "version": number, "evaluation": "as stored"}
    files[META_FILE] = json.dumps(meta, indent=2, sort_keys=True).encode()
    files[LINEAGE_FILE], files[DATA_FILE] = stored[LINEAGE_FILE], stored[DATA_FILE]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        clashes = sorted(name for name in files if (folder / name).exists())
        if clashes:
            raise MusicflowError(f"{folder} already holds {', '.join(clashes)}: choose an empty folder")
        for name, data in files.items():
            (folder / name).write_bytes(data)
    except OSError as exc:
        raise MusicflowError(f"cannot write the rebuilt model to {folder}: {exc.strerror or exc}") from exc
