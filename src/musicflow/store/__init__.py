"""The store: where plays, tracks and (later) features and models live, behind one small interface."""

from musicflow.store.base import ListeningSummary, Store, TrackStreams
from musicflow.store.factory import open_store

__all__ = ["ListeningSummary", "Store", "TrackStreams", "open_store"]
