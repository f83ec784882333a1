"""The plays an import brought: those it holds that no other import holds, however many runs stored them."""

from __future__ import annotations

from musicflow.core.plays import ExportFormat, Play
from musicflow.store.sql import SqlStore

T0 = 1_700_000_000 - 1_700_000_000 % 60


def play(minute: int) -> Play:
    return Play(T0 + 600 * minute, 200_000, "Song", "Artist", None, None, None, None, ExportFormat.BASIC)


def test_the_plays_an_import_brought_are_those_no_other_holds(store: SqlStore) -> None:
    profile = store.ensure_profile("me")
    for job_id in ("first", "upload"):
        store.jobs.add_job(job_id, "me", "upload", job_id, 0.0)
    store.add_plays(profile, [play(0), play(1)], "first")
    store.add_plays(profile, [play(1), play(2)], "upload")  # its first run, stopped after a file
    store.add_plays(profile, [play(1), play(2), play(3)], "upload")  # run again: every file once more
    assert store.plays_brought("upload") == 2  # plays 2 and 3; play 1 the first import brought
    assert store.plays_brought("first") == 1
    assert store.plays_brought("no such import") == 0
