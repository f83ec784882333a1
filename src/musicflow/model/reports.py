"""Plain, JSON-ready result objects and a renderer-free table model (the CLI draws them with Rich).

An evaluation is stored with its model version as JSON (`Evaluation.as_dict`); `Evaluation.from_dict`
reads a stored one back, older shapes included (a field an older evaluation lacks is empty), so every
reader names fields instead of string keys. Importing this module loads no heavy library: the CLI reads
evaluations without loading the model's libraries.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# The note of an evaluation whose "no data of this listener" row could not be measured, before the reason.
NO_LISTENER_NOTE = "a model of another listener, knowing nothing of yours, was not measured on your songs"
# How evaluations stored before it said that note, and the reason they gave when the store held no other
# listener (a row that does not apply, said no more).
_OLD_NO_LISTENER_NOTE = "the 'no data of this listener' row is not available: "
_OLD_ALONE = "the store holds no other listener"
_OLD_TOO_SMALL = "the other listener's data is too small"


@dataclass(frozen=True)
class Table:
    """Rows of text cells under named columns; no styling, so any front end can draw it."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"title": self.title, "columns": self.columns, "rows": self.rows, "notes": self.notes}


@dataclass(frozen=True)
class Spread:
    """One metric over several seeds."""

    mean: float | None
    std: float | None
    low: float | None
    high: float | None
    n: int

    @classmethod
    def of(cls, values: list[float | None]) -> Spread:
        known = [v for v in values if v is not None and not math.isnan(v)]
        if not known:
            return cls(None, None, None, None, 0)
        mean = sum(known) / len(known)
        std = math.sqrt(sum((v - mean) ** 2 for v in known) / len(known))
        return cls(mean, std, min(known), max(known), len(known))

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Spread:
        n = document.get("n")
        return cls(
            _number(document.get("mean")),
            _number(document.get("std")),
            _number(document.get("min")),
            _number(document.get("max")),
            n if isinstance(n, int) and not isinstance(n, bool) else 0,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "mean": _r(self.mean),
            "std": _r(self.std),
            "min": _r(self.low),
            "max": _r(self.high),
            "n": self.n,
        }

    def text(self, digits: int = 2) -> str:
        if self.mean is None:
            return "n/a"
        if not self.std:
            return f"{self.mean:.{digits}f}"
        return f"{self.mean:.{digits}f} ± {self.std:.{digits}f}"


@dataclass
class PatternCheck:
    """Rows per availability pattern and class, and how well the pattern alone tells the classes apart
    (AUC; 0.5 is not at all) before and after weighing (see `balance.py`)."""

    rows: dict[str, dict[str, int]] = field(default_factory=dict)  # pattern -> class -> rows
    left_out: list[str] = field(default_factory=list)
    auc_raw: float | None = None
    auc_weighted: float | None = None

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> PatternCheck:
        return cls(
            rows={str(p): _counts(c) for p, c in _mapping(document.get("rows")).items()},
            left_out=_texts(document.get("left_out")),
            auc_raw=_number(document.get("auc_raw")),
            auc_weighted=_number(document.get("auc_weighted")),
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "left_out": self.left_out,
            "auc_raw": _r(self.auc_raw),
            "auc_weighted": _r(self.auc_weighted),
        }


@dataclass
class FeatureCheck:
    """Availability of each feature-table value per class, and what was left out and why (see
    `hygiene.py`)."""

    availability: dict[str, dict[str, float]] = field(default_factory=dict)  # feature -> class -> share
    rows: dict[str, int] = field(default_factory=dict)  # class -> rows
    dropped: dict[str, str] = field(default_factory=dict)  # feature -> reason
    patterns: PatternCheck = field(default_factory=PatternCheck)

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> FeatureCheck:
        return cls(
            availability={
                str(f): _shares(shares) for f, shares in _mapping(document.get("availability")).items()
            },
            rows=_counts(document.get("rows")),
            dropped={str(f): str(reason) for f, reason in _mapping(document.get("dropped")).items()},
            patterns=PatternCheck.from_dict(_mapping(document.get("patterns"))),
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "availability": self.availability,
            "dropped": self.dropped,
            "patterns": self.patterns.as_dict(),
        }


@dataclass(frozen=True)
class Coverage:
    """How many of the listener's played songs and streams have features, and the sources they came from."""

    songs: int
    songs_with_features: int
    streams: int
    streams_with_features: int
    by_source: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Coverage | None:
        """None for an evaluation stored without it (an empty document)."""
        if not document:
            return None
        counts = _counts(document)
        return cls(
            songs=counts.get("songs", 0),
            songs_with_features=counts.get("songs_with_features", 0),
            streams=counts.get("streams", 0),
            streams_with_features=counts.get("streams_with_features", 0),
            by_source=_counts(document.get("by_source")),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "songs": self.songs,
            "songs_with_features": self.songs_with_features,
            "streams": self.streams,
            "streams_with_features": self.streams_with_features,
            "by_source": self.by_source,
        }


@dataclass
class SplitEvaluation:
    split: str
    optimistic: bool
    seeds: list[int]
    metrics: dict[str, dict[str, Spread]]  # model -> metric -> spread over seeds
    train_sizes: dict[str, int]
    test_sizes: dict[str, int]
    features: FeatureCheck
    source_mix: dict[str, dict[str, int]]
    cutoff: int | None = None
    answered: dict[str, int] = field(default_factory=dict)  # class -> test songs the model could answer

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> SplitEvaluation:
        metrics = {
            str(model): {str(name): Spread.from_dict(_mapping(s)) for name, s in _mapping(scores).items()}
            for model, scores in _mapping(document.get("metrics")).items()
        }
        cutoff = document.get("cutoff")
        return cls(
            split=str(document.get("split", "")),
            optimistic=document.get("optimistic") is True,
            seeds=[s for s in _list(document.get("seeds")) if isinstance(s, int) and not isinstance(s, bool)],
            metrics=metrics,
            train_sizes=_counts(document.get("train_sizes")),
            test_sizes=_counts(document.get("test_sizes")),
            features=FeatureCheck.from_dict(_mapping(document.get("features"))),
            source_mix={str(k): _counts(mix) for k, mix in _mapping(document.get("source_mix")).items()},
            cutoff=cutoff if isinstance(cutoff, int) and not isinstance(cutoff, bool) else None,
            answered=_counts(document.get("answered")),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "split": self.split,
            "optimistic": self.optimistic,
            "seeds": self.seeds,
            "cutoff": self.cutoff,
            "train_sizes": self.train_sizes,
            "test_sizes": self.test_sizes,
            "metrics": {m: {k: s.as_dict() for k, s in v.items()} for m, v in self.metrics.items()},
            "features": self.features.as_dict(),
            "source_mix": self.source_mix,
            "answered": self.answered,
        }

    def label(self) -> str:
        """The split as a title names it: "time split: songs first heard after 13 Dec 2019"."""
        if self.optimistic:
            return "random split by song (optimistic)"
        if self.cutoff is None:  # stored before the cut-off was
            return "time split: songs first heard after the split's date"
        return f"time split: songs first heard after {day_words(self.cutoff)}"

    def headline(self, model: str, metric: str) -> float | None:
        spread = self.metrics.get(model, {}).get(metric)
        return spread.mean if spread else None


@dataclass
class Evaluation:
    profile: str
    zero_strategy: str
    splits: list[SplitEvaluation]
    coverage: Coverage | None = None
    notes: list[str] = field(default_factory=list)
    # How the splits were drawn (`evaluate.PROTOCOL`); one stored before the number was is 1. Figures of
    # two protocols are not compared (`app.training.champion_on_same_data` measures the older again).
    protocol: int = 1

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Evaluation:
        """A stored evaluation (`as_dict`'s JSON), of this version of MusicFlow or an older one."""
        protocol = document.get("protocol", 1)
        return cls(
            protocol=protocol if isinstance(protocol, int) and not isinstance(protocol, bool) else 1,
            profile=str(document.get("profile", "")),
            zero_strategy=str(document.get("zero_strategy", "")),
            splits=[
                SplitEvaluation.from_dict(s) for s in _list(document.get("splits")) if isinstance(s, Mapping)
            ],
            coverage=Coverage.from_dict(_mapping(document.get("coverage"))),
            notes=notes_as_trained(_texts(document.get("notes"))),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "zero_strategy": self.zero_strategy,
            "splits": [s.as_dict() for s in self.splits],
            "coverage": self.coverage.as_dict() if self.coverage else {},
            "notes": self.notes,
            "protocol": self.protocol,
        }

    def split(self, name: str) -> SplitEvaluation | None:
        return next((s for s in self.splits if s.split == name), None)

    def left_out(self) -> dict[str, str]:
        """The features a model evaluated here left out, and why."""
        return left_out_of((split.split, split.features) for split in self.splits)

    def tables(self) -> list[Table]:
        return [*(_metrics_table(s) for s in self.splits), *(_hygiene_table(s) for s in self.splits[:1])]


def left_out_of(checks: Iterable[tuple[str, FeatureCheck]]) -> dict[str, str]:
    """The features the checks of the named splits left out, each with the first split's reason."""
    found: dict[str, str] = {}
    for name, check in checks:
        for feature, reason in check.dropped.items():
            found.setdefault(feature, f"{reason} (the {name} split)")
    return found


def day_words(timestamp: int) -> str:
    """A day as a sentence says it: "13 Dec 2019" (UTC, as the export's times are)."""
    day = datetime.fromtimestamp(timestamp, UTC)
    return f"{day.day} {day:%b %Y}"


def _as_said_now(note: str) -> str | None:
    """A stored note in today's words; None for a note that is no longer said."""
    if not note.startswith(_OLD_NO_LISTENER_NOTE):
        return note
    reason = note.removeprefix(_OLD_NO_LISTENER_NOTE)
    if reason.startswith(_OLD_ALONE):
        return None
    if reason.startswith(_OLD_TOO_SMALL):
        reason = "the other listener's history is too small to learn from"
    return f"{NO_LISTENER_NOTE}: {reason}"


def _metrics_table(split: SplitEvaluation) -> Table:
    label = split.label()
    columns = ["model", "AUC vs others", "AUC vs skips", "AUC all zeros", "Sp+", "MAE", "RMSE"]
    keys = ("auc_others", "auc_skipped", "auc", "sp_plus", "mae", "rmse")
    rows = [[model, *(split.metrics[model][k].text() for k in keys)] for model in split.metrics]
    notes = [
        f"test: {_sizes_text(split.test_sizes)}; train: {_sizes_text(split.train_sizes)}; "
        f"mean ± spread over seeds {', '.join(map(str, split.seeds))}"
    ]
    return Table(label, columns, rows, notes)


def _hygiene_table(split: SplitEvaluation) -> Table:
    classes = sorted(split.train_sizes)
    rows = []
    for feature, shares in split.features.availability.items():
        dropped = split.features.dropped.get(feature, "used")
        rows.append([feature, *(f"{shares.get(c, 0.0):.0%}" for c in classes), dropped])
    return Table(
        "feature availability per class (training rows)", ["feature", *classes, "in the model"], rows
    )


def _sizes_text(sizes: Mapping[str, int]) -> str:
    return ", ".join(f"{count:,} {kind}" for kind, count in sizes.items()) or "none"


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# -- reading stored JSON: a value of another type than expected counts as absent -------------------------
def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _counts(value: object) -> dict[str, int]:
    return {str(k): n for k, n in _mapping(value).items() if isinstance(n, int) and not isinstance(n, bool)}


def _shares(value: object) -> dict[str, float]:
    numbers = {str(k): _number(share) for k, share in _mapping(value).items()}
    return {k: share for k, share in numbers.items() if share is not None}


def notes_as_trained(notes: Iterable[str]) -> list[str]:
    """An evaluation's notes as they are shown later, in today's words (`_as_said_now`): a note older
    versions wrote of a row that was never shown, or of the store in the present tense ("the store holds
    no other listener", true when the model was trained, perhaps not when read), is not shown. The API
    and the CLI read them so."""
    return [said for note in notes if (said := _as_said_now(note))]


def _texts(value: object) -> list[str]:
    return [str(item) for item in _list(value)]
