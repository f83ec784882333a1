"""`musicflow demo`: the whole job on the bundled demo export, offline, with no credentials."""

from __future__ import annotations

from typing import Annotated

import typer

from musicflow import demo
from musicflow.cli import render
from musicflow.cli.common import ProfileOption, reports_errors, state_of
from musicflow.cli.features import fetch_and_report
from musicflow.cli.progress import Bar
from musicflow.ingest.service import ingest_paths

OFFLINE_SOURCES = ["catalog"]


def register(app: typer.Typer) -> None:
    app.command("demo")(run_demo)


@reports_errors
def run_demo(
    ctx: typer.Context,
    profile: ProfileOption = "demo",
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many top tracks.")] = 10,
) -> None:
    """The whole job on the bundled demo export: ingest, top tracks, features from the bundled catalog."""
    state = state_of(ctx)
    settings = state.settings
    with demo.export_path() as export, state.store() as store:
        with Bar(state.err, bytes_=True) as progress:
            report = ingest_paths([export], store, profile, settings, progress)
        render.ingest_report(state.out, report)
        profile_id = store.ensure_profile(profile)
        rows = store.track_streams(profile_id, settings.stream_min_ms, limit)
        render.top_table(state.out, rows, profile, settings.stream_min_ms)
        state.err.print("Getting features from the bundled catalog (offline)...")
        fetch_and_report(state, store, profile, profile_id, OFFLINE_SOURCES)
