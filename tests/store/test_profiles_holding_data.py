"""Which profiles hold data: those a message offering profiles to choose from names (a play or a library
entry), not one an upload that stored nothing, or a token, made."""

from __future__ import annotations

from musicflow.core.plays import ExportFormat, Play
from musicflow.store.ports import LibraryEntry, LibraryKind
from musicflow.store.sql import SqlStore

T0 = 1_700_000_000 - 1_700_000_000 % 60


def test_profiles_holding_data_are_those_with_a_play_or_a_library(store: SqlStore) -> None:
    played = store.ensure_profile("played")
    store.add_plays(played, [Play(T0, 200_000, "Song", "Artist", None, None, None, None, ExportFormat.BASIC)])
    saved = store.ensure_profile("saved")
    store.replace_library(saved, [LibraryEntry(LibraryKind.SAVED_SONG, "Artist", "Song", None)])
    store.ensure_profile("empty")
    store.jobs.add_job("j1", "uploaded", "upload", "digest", 0.0, "an export uploaded")  # it failed
    assert store.profiles() == ["empty", "played", "saved", "uploaded"]
    assert store.profiles(holding_data=True) == ["played", "saved"]
