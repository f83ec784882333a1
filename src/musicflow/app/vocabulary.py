"""The few values front ends use at run time, importable without loading any heavy library."""

from musicflow.core.feature_spec import FEATURE_NAMES, SPECS
from musicflow.core.songs import SongRequest
from musicflow.model.gate import AUC_KINDS, TIME_SPLIT, metric_value

__all__ = ["AUC_KINDS", "FEATURE_NAMES", "SPECS", "TIME_SPLIT", "SongRequest", "metric_value"]
