"""The booster's output on the scale of streams: what serving a prediction needs of the count model.

Kept apart from `estimator.py`, which imports LightGBM and scikit-learn (seconds of start-up), so that
answering a question from a stored model imports neither.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float64]


def streams_from(raw: Matrix, transform: str) -> Matrix:
    """The booster's output back on the scale of streams (never negative)."""
    return np.maximum(np.expm1(raw), 0.0) if transform == "log1p" else raw
