"""Sample artifacts, metadata and evaluations for the registry's tests."""

from __future__ import annotations

from typing import Any

from musicflow.model.registry import ModelMetadata


def metadata(auc: float = 0.8, sp_plus: float = 0.2, **extra: object) -> ModelMetadata:
    return ModelMetadata(
        data_fingerprint="f" * 64,
        feature_names=("energy", "tempo", "artist_affinity"),
        parameters={"objective": "poisson", "num_leaves": 15},
        evaluation={**evaluation(auc, sp_plus), **extra},
        library_versions={"lightgbm": "4.6.0"},
    )


def evaluation(auc: float | None, sp_plus: float | None) -> dict[str, Any]:
    """An evaluation in the shape `model.evaluate.Evaluation.as_dict()` gives (only what the gate reads)."""
    ours: dict[str, Any] = {}
    if auc is not None:
        ours["auc"] = {"mean": auc, "std": 0.01, "n": 3}
    if sp_plus is not None:
        ours["sp_plus"] = {"mean": sp_plus, "std": 0.02, "n": 3}
    return {
        "splits": [
            {"split": "random", "optimistic": True, "metrics": {"ours": {"auc": {"mean": 0.99}}}},
            {
                "split": "time",
                "optimistic": False,
                "metrics": {"ours": ours},
                "test_sizes": {"streamed": 120},
            },
        ]
    }


def artifacts(seed: str = "a") -> dict[str, bytes]:
    return {"model.txt": f"tree\nversion={seed}\n".encode(), "features.json": b'["energy", "tempo"]'}
