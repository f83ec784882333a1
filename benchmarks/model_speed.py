"""Model speed: single-prediction latency against a pandas path, and training time by rows.

Single prediction: our path (`predict_streams`: features into a preallocated numpy row, then LightGBM)
against `pandas.DataFrame([row])` + `booster.predict`, in the same process on the same model. Training:
`CountRegressor` with the default parameters on synthetic rows of the model's width.

Usage: python -m benchmarks.model_speed
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from musicflow.features.merge import single_source
from musicflow.model.affinity import ArtistAffinity
from musicflow.model.estimator import CountRegressor
from musicflow.model.params import model_params
from musicflow.model.predict import predict_streams, verdict_thresholds
from musicflow.model.trained import TrainedModel
from musicflow.model.vectorize import FeatureLayout, vectorize

CALLS = 5_000


def synthetic(rows: int, layout: FeatureLayout, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.random((rows, layout.width))
    x[rng.random(x.shape) < 0.05] = np.nan
    y = np.minimum(rng.poisson(1 + 4 * np.nan_to_num(x[:, 0])), 30)
    return x, y.astype(np.float64)


def percentiles(samples: list[float]) -> tuple[float, float]:
    values = np.array(samples) * 1e6
    return float(np.percentile(values, 50)), float(np.percentile(values, 99))


def timed(call: object, calls: int = CALLS) -> list[float]:
    assert callable(call)
    for _ in range(200):
        call()
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    layout = FeatureLayout.full()
    x, y = synthetic(20_000, layout)
    estimator = CountRegressor(**model_params({}), feature_names=layout.columns).fit(x, y)
    model = TrainedModel(
        estimator.booster_.model_to_string(), layout, "bench", {}, {}, "", {}, verdict_thresholds(y.tolist())
    )
    song = single_source("catalog", {"energy": 0.8, "key": 3})
    affinity = ArtistAffinity(25, 4)
    row = dict(zip(layout.columns, vectorize(song, affinity, layout).tolist(), strict=True))
    ours = percentiles(timed(lambda: predict_streams(model, song, affinity)))
    pandas_path = percentiles(timed(lambda: model.booster.predict(pd.DataFrame([row]))))
    print(f"single prediction ({CALLS} calls, features cached, {layout.width} columns)")
    print(f"  ours (numpy row):        p50 {ours[0]:8.1f} us   p99 {ours[1]:8.1f} us")
    print(f"  pandas DataFrame([row]): p50 {pandas_path[0]:8.1f} us   p99 {pandas_path[1]:8.1f} us")
    print(f"  speed-up: {pandas_path[0] / ours[0]:.1f}x at p50, {pandas_path[1] / ours[1]:.1f}x at p99")
    print("training time (the parameters `train` uses: two boosters of 300 rounds)")
    for rows in (10_000, 50_000, 200_000):
        xs, ys = synthetic(rows, layout, seed=rows)
        for jobs in (1, 2):
            start = time.perf_counter()
            CountRegressor(**model_params({}), feature_names=layout.columns, n_jobs=jobs).fit(xs, ys)
            print(f"  {rows:>7} rows, {jobs} thread(s): {time.perf_counter() - start:6.2f} s")


if __name__ == "__main__":
    main()
