"""The public listeners split once into a design set and a report set: fixed, disjoint, every name in one."""

from __future__ import annotations

from benchmarks.listeners_store import ALL_LISTENERS
from benchmarks.plain_model import listener_sets


def test_the_sets_are_fixed_and_disjoint() -> None:
    sets = listener_sets()
    design, report = set(sets["design"]), set(sets["report"])
    assert not design & report and design | report == set(ALL_LISTENERS)
    # The README reports these: a change here changes which listeners its figures are about.
    assert design == {"muskan123b", "mungeraiden", "mica92", "kechiemerole", "ashleyjmurray", "pikachu"}
    assert listener_sets() == sets
