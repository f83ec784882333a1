"""`musicflow demo`: the whole job on the bundled demo export, offline, with no credentials."""

from __future__ import annotations

from typing import Annotated

import typer

from musicflow import demo
from musicflow.cli import render
from musicflow.cli import render_model as show_model
from musicflow.cli.common import ProfileOption, reports_errors, state_of
from musicflow.cli.features import fetch_and_report
from musicflow.cli.model import train_and_publish
from musicflow.cli.progress import Bar
from musicflow.core.clock import SystemClock
from musicflow.features.sources import open_sources
from musicflow.ingest.service import ingest_paths
from musicflow.model.registry import open_registry
from musicflow.model.serving import Listener, Predictor, SongRequest, load_model

OFFLINE_SOURCES = ["catalog"]
DAY = 86_400.0
# Songs the demo listener never played, from several corners of the bundled catalog.
DEMO_SONGS = [
    SongRequest("Smells Like Teen Spirit", "Nirvana"),
    SongRequest("Bohemian Rhapsody", "Queen"),
    SongRequest("Blinding Lights", "The Weeknd"),
    SongRequest("Bad Guy", "Billie Eilish"),
    SongRequest("Levitating", "Dua Lipa"),
]


def register(app: typer.Typer) -> None:
    app.command("demo")(run_demo)


@reports_errors
def run_demo(
    ctx: typer.Context,
    profile: ProfileOption = "demo",
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many top tracks.")] = 10,
) -> None:
    """The whole job on the bundled demo export: ingest, features, a model of the listener, predictions."""
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
        state.err.print("Training a model of this listener's taste...")
        published = train_and_publish(state, store, profile, force=False)
        show_model.publication(state.out, published)
        version, model = load_model(open_registry(store, settings), profile)
        listener = Listener.load(
            store, profile, stream_min_ms=settings.stream_min_ms, precedence=settings.feature_precedence
        )
        clock = SystemClock()
        with open_sources(OFFLINE_SOURCES, settings, store.features, clock) as sources:
            predictor = Predictor(
                model, listener, sources, settings.feature_precedence, clock, settings.miss_ttl_days * DAY
            )
            answers = predictor.predict_many(store, DEMO_SONGS)
    show_model.prediction_table(state.out, DEMO_SONGS, answers, version)
    state.out.print(
        "Try your own: musicflow predict --profile demo --song TITLE --artist NAME", highlight=False
    )
