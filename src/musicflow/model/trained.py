"""A trained model and its safe artifacts: LightGBM's own text model plus one JSON document.

Never a pickle (loading one runs code). Loading checks that the JSON's feature list, the booster's and the
columns this version of MusicFlow can compute are the same, and refuses the model otherwise. A model
answers from its text (the explainer's tables give the raw score to the bit): LightGBM, and the
scikit-learn it imports, seconds of start-up, are loaded only where something asks for the booster.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from musicflow.errors import Hint, ModelError
from musicflow.model.artifacts import META_FILE, MODEL_FILE
from musicflow.model.evidence import BASE_RATE
from musicflow.model.metadata import library_versions
from musicflow.model.stream_scale import Matrix, streams_from
from musicflow.model.tree_shap import TreeContributions, model_header

if TYPE_CHECKING:
    import lightgbm as lgb
from musicflow.model.vectorize import FeatureLayout

# How LightGBM turns a raw score into its output, per objective (C's exp, as LightGBM's own code calls);
# an objective not named here is left to LightGBM.
_OUTPUTS: dict[str, Callable[[float], float]] = {
    "tweedie": math.exp,
    "poisson": math.exp,
    "gamma": math.exp,
    "regression": float,
    "l2": float,
}


def output_of_raw(objective: str, raw: Matrix) -> Matrix:
    """LightGBM's output for these raw scores under `objective` (one of `_OUTPUTS`), to the bit."""
    output_of = _OUTPUTS[objective]
    return np.array([output_of(value) for value in raw.tolist()], dtype=np.float64)


def computes_output(objective: str) -> bool:
    """Whether `output_of_raw` knows this objective (else LightGBM computes the output)."""
    return objective in _OUTPUTS


FORMAT = "musicflow-model/2"  # 2: the booster may predict log(1 + streams) (params' target_transform)
READABLE_FORMATS = ("musicflow-model/1", FORMAT)  # 1: the booster predicts streams
LIBRARIES = ("lightgbm", "numpy", "scikit-learn")  # besides Python and MusicFlow, which every version records


@dataclass
class TrainedModel:
    """What serves predictions: the booster (as LightGBM's text), its column layout, and what is known
    about it."""

    model_text: str
    layout: FeatureLayout
    profile: str
    params: dict[str, Any]
    evaluation: dict[str, Any]
    fingerprint: str
    medians: dict[str, float]
    thresholds: dict[str, float]
    training: dict[str, Any] = field(default_factory=dict)  # rows, zero strategy, dropped features
    created_at: float = field(default_factory=time.time)
    libraries: dict[str, str] = field(default_factory=lambda: library_versions(LIBRARIES))
    _explainer: TreeContributions | None = field(default=None, init=False, repr=False, compare=False)
    _booster: lgb.Booster | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def booster(self) -> lgb.Booster:
        """LightGBM's booster, loaded from the text on first use."""
        booster = self._booster
        if booster is None:
            import lightgbm as lgb

            booster = self._booster = lgb.Booster(model_str=self.model_text)
        return booster

    @property
    def features(self) -> tuple[str, ...]:
        return self.layout.columns

    @property
    def target_transform(self) -> str:
        """What the booster predicts: "log1p" (log(1 + streams)) or "none" (streams; older models)."""
        return str(self.params.get("target_transform", "none"))

    @property
    def base_rate(self) -> float | None:
        """What the model predicts for a song by an artist new to the listener, which an estimate
        resting on few of an artist's songs moves toward (`evidence.py`); None for a model trained
        before it was recorded (its predictions are then the booster's alone)."""
        value = self.training.get(BASE_RATE)
        return float(value) if isinstance(value, int | float) else None

    @property
    def explainer(self) -> TreeContributions:
        """The booster's raw scores and per-feature contributions from tables built once (a fraction of
        a second), many times faster than asking LightGBM for each prediction."""
        built = self._explainer
        if built is None:
            try:
                built = TreeContributions.of_text(self.model_text, lambda: self.booster)
            except (KeyError, ValueError, IndexError) as exc:  # a tree that is not LightGBM's text
                raise ModelError(f"the model files cannot be read: {exc!r}", hint=Hint.RETRAIN) from exc
            self._explainer = built
        return built

    def prepare(self) -> None:
        """Build what predictions need ahead of the first one (a server does it when it loads a model)."""
        self._explainer = self.explainer

    def predict_matrix(self, rows: Matrix) -> Matrix:
        """Predicted streams of each row."""
        return self.predictions(rows, explain=False)[0]

    def predictions(self, rows: Matrix, *, explain: bool) -> tuple[Matrix, Matrix | None]:
        """Predicted streams of each row and, when `explain`, each feature's contribution (LightGBM's
        `pred_contrib`, the bias last). The booster's output is computed as LightGBM computes it, to the
        bit: its raw score, then the objective's exponential where it has one."""
        explainer = self.explainer
        objective = str(self.params.get("objective"))
        if explainer.fallback is not None or not computes_output(objective):
            output = np.asarray(self.booster.predict(rows, num_threads=1), dtype=np.float64)
            effects = explainer.contributions(rows) if explain else None
        else:
            if explain:
                raw, effects = explainer.raw_score_and_contributions(rows)
            else:
                raw, effects = explainer.raw_score(rows), None
            output = output_of_raw(objective, raw)
        return streams_from(output, self.target_transform), effects

    def streams_of_raw(self, raw: Sequence[float]) -> list[float] | None:
        """The model's predicted streams for these raw scores (the booster's, with a push taken away or
        added: what a reason changed), computed as `predictions` computes them (`streams_from`), for a
        few scores at a time; None for an objective whose output LightGBM alone computes."""
        output_of = _OUTPUTS.get(str(self.params.get("objective")))
        if output_of is None:
            return None
        outputs = [output_of(value) for value in raw]
        if self.target_transform == "log1p":
            return [max(math.expm1(value), 0.0) for value in outputs]
        return outputs

    def metadata(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "profile": self.profile,
            "features": list(self.layout.columns),
            "allow_spotify": self.layout.allow_spotify,
            "params": self.params,
            "evaluation": self.evaluation,
            "data_fingerprint": self.fingerprint,
            "medians": self.medians,
            "verdict_thresholds": self.thresholds,
            "training": self.training,
            "created_at": self.created_at,
            "libraries": self.libraries,
        }

    def to_artifacts(self) -> dict[str, bytes]:
        """The files a registry stores: `model.txt` (LightGBM text) and `model.json`."""
        meta = json.dumps(self.metadata(), indent=2, sort_keys=True, allow_nan=False, default=_plain)
        return {MODEL_FILE: self.model_text.encode(), META_FILE: meta.encode()}

    @classmethod
    def from_artifacts(cls, files: dict[str, bytes]) -> TrainedModel:
        """Load what `to_artifacts` wrote; a feature-list mismatch or a foreign file is refused."""
        missing = {MODEL_FILE, META_FILE} - files.keys()
        if missing:
            raise ModelError(f"the model is incomplete: {', '.join(sorted(missing))} missing")
        try:
            meta = json.loads(files[META_FILE])
            text = files[MODEL_FILE].decode()
            names = tuple(model_header(text)["feature_names"].split())
        except (ValueError, UnicodeDecodeError) as exc:
            raise ModelError(f"the model files cannot be read: {exc}") from exc
        except KeyError:
            raise ModelError("the model files cannot be read: model.txt is not a LightGBM model") from None
        if meta.get("format") not in READABLE_FORMATS:
            raise ModelError(f"not a MusicFlow model of this version (format {meta.get('format')!r})")
        features = tuple(meta["features"])
        if names != features:
            raise ModelError("the model's feature list does not match its booster", hint=Hint.RETRAIN)
        try:
            layout = FeatureLayout(features, bool(meta["allow_spotify"]))
        except ValueError as exc:
            raise ModelError(
                f"this MusicFlow cannot compute the model's features ({exc}): retrain it"
            ) from exc
        return cls(
            model_text=text,
            layout=layout,
            profile=meta["profile"],
            params=meta["params"],
            evaluation=meta["evaluation"],
            fingerprint=meta["data_fingerprint"],
            medians=meta["medians"],
            thresholds=meta["verdict_thresholds"],
            training=meta.get("training", {}),
            created_at=meta["created_at"],
            libraries=meta["libraries"],
        )


def _plain(value: object) -> object:
    """JSON for numpy scalars that slipped into a report."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
