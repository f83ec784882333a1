"""A server of many listeners keeps a bounded number of models in memory, the least recently asked
going first; a model dropped is loaded again when asked, and a swap of champion is still noticed."""

from __future__ import annotations

from dataclasses import dataclass, field

from musicflow.app.serving import ServingModel, ServingModels


@dataclass
class Registry:
    """Champions by profile, and how many times each model was loaded."""

    champions: dict[str, int]
    loads: list[str] = field(default_factory=list)

    def champion(self, profile: str) -> int | None:
        return self.champions.get(profile)

    def load(self, profile: str) -> ServingModel:
        self.loads.append(profile)
        return ServingModel(profile, self.champions[profile], None, None)  # type: ignore[arg-type]


def test_the_least_recently_asked_model_leaves_memory_first() -> None:
    registry = Registry({f"p{i}": 1 for i in range(5)})
    models = ServingModels(registry.champion, registry.load, check_every_s=3600, keep=3)
    for name in ("p0", "p1", "p2"):
        models.get(name)
    models.get("p0")  # asked again: now the most recent
    models.get("p3")  # one too many: p1, the least recently asked, goes
    assert len(models) == 3
    assert models.loaded("p1") is None and models.loaded("p0") is not None
    assert registry.loads == ["p0", "p1", "p2", "p3"]
    assert models.get("p1").profile == "p1"  # loaded again when asked again
    assert registry.loads[-1] == "p1" and models.loaded("p2") is None
    assert models.current("p0") is not None  # what the server's hot path reads


def test_a_new_champion_is_still_served_under_the_bound() -> None:
    registry = Registry({"a": 1, "b": 1})
    models = ServingModels(registry.champion, registry.load, check_every_s=0, keep=1)
    assert models.get("a").version == 1
    registry.champions["a"] = 2
    assert models.get("a").version == 2
    assert models.get("b").version == 1 and models.loaded("a") is None


def test_read_again_reloads_the_same_champion_and_keeps_the_one_in_memory_if_that_fails() -> None:
    from musicflow.errors import MusicflowError

    registry = Registry({"a": 1})
    models = ServingModels(registry.champion, registry.load, check_every_s=3600)
    first = models.get("a")
    assert models.get("a") is first and registry.loads == ["a"]  # within the check interval: kept
    models.read_again("a")  # new plays: the listener is read again at the next question
    assert models.current("a") is None and models.stale("a")  # the server's hot path waits for `get`
    second = models.get("a")
    assert not models.stale("a")
    assert second is not first and second.version == 1 and second.loaded > first.loaded

    damaged: list[str] = []

    def load(profile: str) -> ServingModel:
        if damaged:
            raise MusicflowError("the model file is damaged")
        return registry.load(profile)

    keeping = ServingModels(registry.champion, load, check_every_s=3600)
    loaded = keeping.get("a")
    damaged.append("a")
    keeping.read_again("a")
    assert keeping.get("a") is loaded  # the reload failed: the model in memory still answers


def test_forget_drops_the_model_at_once() -> None:
    registry = Registry({"a": 1})
    models = ServingModels(registry.champion, registry.load, check_every_s=3600)
    models.get("a")
    models.forget("a")  # the listener's data was deleted
    assert models.loaded("a") is None


def test_a_history_changed_by_another_process_is_read_again_at_the_next_check() -> None:
    registry = Registry({"a": 1})
    stamps = {"a": 100.0}
    models = ServingModels(registry.champion, registry.load, check_every_s=0, history_stamp_of=stamps.get)
    first = models.get("a")
    assert models.get("a") is first  # nothing changed: no reload
    stamps["a"] = 200.0  # an ingest finished in another process
    second = models.get("a")
    assert second is not first and second.version == 1 and models.get("a") is second
