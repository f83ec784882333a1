"""`musicflow demo`: the whole job on the bundled demo export, offline, with no credentials."""

from __future__ import annotations

from typing import Annotated

import typer

from musicflow import demo
from musicflow.cli import render
from musicflow.cli import render_features as show
from musicflow.cli.common import ProfileOption, reports_errors, state_of
from musicflow.features.base import SystemClock
from musicflow.features.coverage import coverage
from musicflow.features.fetch import fetch_features
from musicflow.features.sources import open_sources
from musicflow.ingest.service import ingest_paths

OFFLINE_SOURCES = ["catalog"]
DAY = 86_400.0


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
    clock = SystemClock()
    with demo.export_path() as export, state.store() as store:
        with render.ByteProgress(state.err) as progress:
            report = ingest_paths([export], store, profile, settings, progress)
        render.ingest_report(state.out, report)
        profile_id = store.ensure_profile(profile)
        rows = store.track_streams(profile_id, settings.stream_min_ms, limit)
        render.top_table(state.out, rows, profile, settings.stream_min_ms)
        state.err.print("Getting features from the bundled catalog (offline)...")
        with (
            open_sources(OFFLINE_SOURCES, settings, store.features, clock) as sources,
            show.FetchBar(state.err) as bar,
        ):
            runs = fetch_features(
                store.features,
                profile_id,
                sources,
                clock=clock,
                miss_ttl_s=settings.miss_ttl_days * DAY,
                progress=bar,
            )
        show.fetch_runs(state.out, runs)
        show.coverage_table(
            state.out,
            coverage(
                store.features,
                profile_id,
                stream_min_ms=settings.stream_min_ms,
                precedence=settings.feature_precedence,
                now=clock.now(),
            ),
            profile,
        )
