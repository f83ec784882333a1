"""The promotion gate, and what `train` does with its answer (on both backends)."""

from __future__ import annotations

import math

import pytest

from musicflow.errors import ChampionMovedError
from musicflow.model.gate import gate_metrics, metric_value, should_promote
from musicflow.model.publish import publish
from musicflow.model.registry import FileModelRegistry, MoveReason
from tests.model.registry.samples import artifacts, evaluation, metadata


def test_the_first_version_passes():
    assert should_promote(evaluation(0.5, 0.0), None) == (True, "the first model of this profile")


def test_at_least_as_good_on_every_metric_passes():
    promote, reason = should_promote(evaluation(0.80, 0.25), evaluation(0.80, 0.20))
    assert promote
    assert (
        reason
        == "at least as good as the champion: time-split AUC 0.800 vs 0.800, time-split Sp+ 0.250 vs 0.200"
    )


def test_worse_on_one_metric_fails_and_says_which():
    promote, reason = should_promote(evaluation(0.85, 0.19), evaluation(0.80, 0.20))
    assert not promote
    assert reason == "time-split Sp+ 0.190 is worse than the champion's 0.200"


def test_a_tolerance_absorbs_noise():
    assert should_promote(evaluation(0.795, 0.2), evaluation(0.80, 0.2), tolerance=0.01).promote
    assert not should_promote(evaluation(0.785, 0.2), evaluation(0.80, 0.2), tolerance=0.01).promote


def test_lower_is_better_metrics():
    new = {"time_split": {"mae": 2.0}}
    old = {"time_split": {"mae": 2.5}}
    assert should_promote(
        new, old, metric_keys=["time_split.mae"], lower_is_better={"time_split.mae"}
    ).promote
    assert not should_promote(
        old, new, metric_keys=["time_split.mae"], lower_is_better={"time_split.mae"}
    ).promote


def test_a_new_version_without_a_metric_cannot_pass():
    promote, reason = should_promote(evaluation(None, 0.3), evaluation(0.7, 0.2))
    assert not promote and reason == "the new version has no time-split AUC to compare"
    assert not should_promote(evaluation(math.nan, 0.3), evaluation(0.7, 0.2)).promote


def test_a_champion_without_a_metric_does_not_block():
    promote, reason = should_promote(evaluation(0.7, 0.3), evaluation(None, 0.2))
    assert promote and "champion has none" in reason


def test_metric_values_are_finite_numbers_at_a_path():
    data = {"a": {"b": 1, "flag": True, "text": "0.5", "none": None, "zero": 0}}
    assert metric_value(data, "a.b") == 1.0
    assert metric_value(data, "a.zero") == 0.0
    for missing in ("a.flag", "a.text", "a.none", "a.c", "a.b.c", "x"):
        assert metric_value(data, missing) is None


def test_a_path_picks_list_elements_by_a_field():
    data = {"splits": [{"split": "random", "auc": 0.9}, {"split": "time", "auc": 0.7}], "n": [1]}
    assert metric_value(data, "splits[split=time].auc") == 0.7
    assert metric_value(data, "splits[split=random].auc") == 0.9
    for missing in ("splits[split=other].auc", "n[split=time].auc", "a[split=time]", "splits[x=time].auc"):
        assert metric_value(data, missing) is None


def test_metrics_can_be_plain_paths_labelled_by_themselves():
    new = {"time_split": {"auc": 0.7}}
    promote, reason = should_promote(new, {"time_split": {"auc": 0.8}}, metric_keys="time_split.auc")
    assert not promote and reason.startswith("time_split.auc 0.700 is worse")


def test_a_gate_needs_a_metric():
    with pytest.raises(ValueError, match="at least one metric"):
        should_promote({}, {}, metric_keys=[])


def test_train_promotes_a_version_that_passes_and_keeps_one_that_fails(registry: FileModelRegistry):
    first = publish(registry, "default", artifacts("a"), metadata(auc=0.80, sp_plus=0.20))
    assert first.promoted and first.move is not None and first.move.reason == MoveReason.AUTO_PROMOTE

    worse = publish(registry, "default", artifacts("b"), metadata(auc=0.70, sp_plus=0.20))
    assert not worse.promoted and "worse" in worse.decision.reason
    assert registry.champion("default").version == 1  # type: ignore[union-attr]
    assert worse.version.version == 2 and not worse.version.is_champion

    better = publish(registry, "default", artifacts("c"), metadata(auc=0.81, sp_plus=0.21))
    assert better.promoted and registry.champion("default").version == 3  # type: ignore[union-attr]


def test_force_promotes_over_the_gate_and_says_so(registry: FileModelRegistry):
    publish(registry, "default", artifacts("a"), metadata(auc=0.80))
    forced = publish(registry, "default", artifacts("b"), metadata(auc=0.60), force=True)
    assert forced.move is not None and forced.move.reason == MoveReason.FORCED
    assert forced.move.note.startswith("forced over the gate: time-split AUC vs all zeros 0.600 is worse")
    assert registry.rollback("default").to_version == 1


def test_train_never_overwrites_a_promotion_made_meanwhile(registry: FileModelRegistry):
    publish(registry, "default", artifacts("a"), metadata())
    registry.register("default", artifacts("b"), metadata())
    original_register = registry.register

    def register_while_someone_promotes(*args, **kwargs):
        version = original_register(*args, **kwargs)
        registry.promote("default", 2)
        return version

    registry.register = register_while_someone_promotes  # type: ignore[method-assign]
    with pytest.raises(ChampionMovedError):
        publish(registry, "default", artifacts("c"), metadata(auc=0.9, sp_plus=0.9))
    assert registry.champion("default").version == 2  # type: ignore[union-attr]
    assert [v.version for v in registry.list("default")] == [3, 2, 1]


def _with_kinds(**aucs: float) -> dict[str, object]:
    """A time-split evaluation with an AUC against each named kind of zeros (auc, auc_others, ...)."""
    ours = {key: {"mean": value} for key, value in aucs.items()} | {"sp_plus": {"mean": 0.2}}
    return {"splits": [{"split": "time", "metrics": {"ours": ours}}]}


def test_the_gate_compares_auc_against_the_same_kind_of_zeros():
    """A champion measured against catalog zeros (flattering) does not block a version measured against
    other listeners' songs: both are compared on the kind they share."""
    champion = _with_kinds(auc=0.83, auc_skipped=0.70)
    new = _with_kinds(auc=0.78, auc_others=0.75, auc_skipped=0.72)
    keys = gate_metrics(new, champion)
    assert keys["time-split AUC vs your skips"].endswith("auc_skipped.mean")
    decision = should_promote(new, champion, metric_keys=keys)
    assert decision.promote, decision.reason
    assert should_promote(new, champion).promote is False  # the all-zeros AUC alone would refuse it


def test_the_gate_prefers_other_listeners_songs_when_both_have_them():
    keys = gate_metrics(_with_kinds(auc=0.9, auc_others=0.7), _with_kinds(auc=0.8, auc_others=0.72))
    assert list(keys) == ["time-split AUC vs others' songs", "time-split Sp+"]
