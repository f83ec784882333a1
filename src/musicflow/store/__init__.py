"""The store: where plays, tracks and (later) features and models live, behind one small interface."""

from musicflow.store.factory import open_store
from musicflow.store.ports import ListeningSummary, Store, TrackStreams

__all__ = ["ListeningSummary", "Store", "TrackStreams", "open_store"]
