"""`musicflow demo`: the whole job on the bundled demo export, offline, with no credentials."""

from __future__ import annotations

from typing import Annotated

import typer

from musicflow import demo
from musicflow.app.vocabulary import SongRequest
from musicflow.cli import render
from musicflow.cli import render_model as show_model
from musicflow.cli.common import ProfileOption, reports_errors, state_of
from musicflow.cli.feature_commands import fetch_and_report
from musicflow.cli.progress import Bar

OFFLINE_SOURCES = ["catalog"]
SERVED_AT = "http://127.0.0.1:8000/"  # where `musicflow serve` listens unless told otherwise
# Songs the demo listener never played, not even for a second, from several corners of the bundled catalog
# (its history holds many famous songs, "Bohemian Rhapsody" among them: these are not), reaching several
# verdicts; shown with the most predicted streams first.
DEMO_SONGS = [
    SongRequest("Bad Guy", "Billie Eilish"),
    SongRequest("Aneurysm", "Nirvana"),
    SongRequest("Lose Yourself", "Eminem"),
    SongRequest("Animals", "Maroon 5"),
    SongRequest("Hey, Soul Sister", "Train"),
]


def register(app: typer.Typer) -> None:
    app.command("demo")(run_demo)


@reports_errors
def run_demo(
    ctx: typer.Context,
    profile: ProfileOption = "demo",
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=1000, help="How many top tracks.")] = 10,
) -> None:
    """The whole job on the bundled demo export: ingest, features, a model of the listener, predictions."""
    state = state_of(ctx)
    with demo.export_path() as export, state.app() as app:
        with Bar(state.err, bytes_=True) as progress:
            report = app.ingest([export], profile, progress)
        render.ingest_report(state.out, report)
        render.top_table(state.out, app.top_streams(profile, limit), profile, state.settings.stream_min_ms)
        state.err.print("Getting features from the bundled catalog (offline)...")
        fetch_and_report(state, app, profile, OFFLINE_SOURCES)
        state.err.print("Training a model of this listener's taste...")
        with Bar(state.err) as bar:
            training = app.train(
                profile, progress=lambda message, f: bar.files_done(round(f * 100), 100, message)
            )
        show_model.training_run(state.out, training)
        made = app.predict_many(profile, DEMO_SONGS)
    songs, answers = show_model.most_streams_first(DEMO_SONGS, made)
    show_model.prediction_table(state.out, songs, answers, title="How much would this listener stream these?")
    state.out.print(
        f"Try your own: musicflow predict --profile {profile} --song TITLE --artist NAME", highlight=False
    )
    state.out.print(f"Or see it in your browser: musicflow serve --profile {profile}", highlight=False)
    state.out.print(f"then open {SERVED_AT}", highlight=False)
