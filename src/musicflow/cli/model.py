"""Commands about the model: `train`, `evaluate`, `predict`, and `models list|show|promote|rollback`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer

from musicflow.cli import render_model as show
from musicflow.cli.common import (
    AppState,
    OutputFormat,
    ProfileOption,
    reports_errors,
    require_profile,
    state_of,
)
from musicflow.cli.progress import Bar
from musicflow.cli.songs_csv import read_songs, write_predictions
from musicflow.core.clock import SystemClock
from musicflow.errors import ConfigError, MusicflowError
from musicflow.features.sources import open_sources
from musicflow.model.dataset import ZeroStrategy
from musicflow.model.publish import Publication, publish
from musicflow.model.registry import ModelMetadata, open_registry
from musicflow.model.serving import Listener, Predictor, load_model
from musicflow.model.train import TrainingOptions, train_profile
from musicflow.store.sql import SqlStore

DAY = 86_400.0
TableOrJson = Annotated[OutputFormat, typer.Option("--format", "-f", help="table or json.")]
VersionArgument = Annotated[str, typer.Argument(help="A version number (3 or v3), or 'champion'.")]


def register(app: typer.Typer) -> None:
    app.command("train")(train)
    app.command("evaluate")(evaluate)
    app.command("predict")(predict)
    models = typer.Typer(help="Your model versions and which one serves.", no_args_is_help=True)
    models.command("list")(models_list)
    models.command("show")(models_show)
    models.command("promote")(models_promote)
    models.command("rollback")(models_rollback)
    app.add_typer(models, name="models")


@reports_errors
def train(
    ctx: typer.Context,
    profile: ProfileOption = "default",
    force: Annotated[
        bool, typer.Option("--force", help="Serve the new version even if it evaluates worse.")
    ] = False,
) -> None:
    """Train a model of your taste, evaluate it honestly, and register it as a new version."""
    state = state_of(ctx)
    with state.store() as store:
        require_profile(store, profile)
        publication = train_and_publish(state, store, profile, force=force)
    show.publication(state.out, publication)


def train_and_publish(state: AppState, store: SqlStore, profile: str, *, force: bool) -> Publication:
    """Train with a progress bar, show the evaluation, register; the gate decides what serves."""
    settings = state.settings
    options = TrainingOptions(
        zeros=zero_strategy(settings.model_zeros),
        stream_min_ms=settings.stream_min_ms,
        precedence=tuple(settings.feature_precedence),
        allow_spotify=settings.spotify_features_for_model,
    )
    with Bar(state.err) as bar:
        model = train_profile(
            store,
            profile,
            options,
            progress=lambda message, fraction: bar.files_done(round(fraction * 100), 100, message),
        )
    show.evaluation(state.out, model.evaluation)
    show.training(state.out, model.training)
    metadata = ModelMetadata(
        model.fingerprint, model.features, model.params, model.evaluation, model.libraries
    )
    return publish(open_registry(store, settings), profile, model.to_artifacts(), metadata, force=force)


@reports_errors
def evaluate(
    ctx: typer.Context,
    version: Annotated[
        str, typer.Option("--version", help="Which version (default: champion).")
    ] = "champion",
    output: TableOrJson = OutputFormat.TABLE,
    profile: ProfileOption = "default",
) -> None:
    """The stored evaluation of a model version."""
    state = state_of(ctx)
    with state.store() as store:
        found = open_registry(store, state.settings).show(profile, version)
    if output is OutputFormat.JSON:
        _json({"profile": profile, "version": found.version, "evaluation": found.evaluation})
    else:
        state.out.print(f"Model v{found.version} of '{profile}'", highlight=False)
        show.evaluation(state.out, found.evaluation)


@reports_errors
def predict(
    ctx: typer.Context,
    song: Annotated[str | None, typer.Option("--song", help="The song's title.")] = None,
    artist: Annotated[str | None, typer.Option("--artist", help="Its (main) artist.")] = None,
    input_csv: Annotated[
        Path | None, typer.Option("--input", help="A CSV of songs: columns song, artist, optional track_id.")
    ] = None,
    output_csv: Annotated[
        Path | None, typer.Option("--output", help="Write the predictions of --input here (default: stdout).")
    ] = None,
    output: TableOrJson = OutputFormat.TABLE,
    profile: ProfileOption = "default",
) -> None:
    """How many times will you stream this song? One song, or a CSV of songs."""
    if input_csv is None and (not song or not artist):
        raise MusicflowError("say which song: --song TITLE --artist NAME, or --input SONGS.csv")
    state = state_of(ctx)
    settings = state.settings
    clock = SystemClock()
    with state.store() as store:
        require_profile(store, profile)
        version, model = load_model(open_registry(store, settings), profile)
        listener = Listener.load(
            store, profile, stream_min_ms=settings.stream_min_ms, precedence=settings.feature_precedence
        )
        with open_sources(settings.feature_sources, settings, store.features, clock) as sources:
            predictor = Predictor(
                model, listener, sources, settings.feature_precedence, clock, settings.miss_ttl_days * DAY
            )
            if input_csv is not None:
                requests = read_songs(input_csv)
                answers = predictor.predict_many(store, requests)
                write_predictions(output_csv, requests, answers, version)
                if output_csv is not None:
                    show.batch_summary(state.out, answers, output_csv)
                return
            assert song is not None and artist is not None
            answer = predictor.predict(store, song, artist)
    if output is OutputFormat.JSON:
        _json(show.prediction_json(answer, version))
    else:
        show.prediction(state.out, answer, version)


@reports_errors
def models_list(ctx: typer.Context, profile: ProfileOption = "default") -> None:
    """Every version of your model, newest first; the champion serves predictions."""
    state = state_of(ctx)
    with state.store() as store:
        versions = open_registry(store, state.settings).list(profile)
    show.versions(state.out, profile, versions)


@reports_errors
def models_show(ctx: typer.Context, version: VersionArgument, profile: ProfileOption = "default") -> None:
    """One version: what it was trained on, its features, its evaluation."""
    state = state_of(ctx)
    with state.store() as store:
        found = open_registry(store, state.settings).show(profile, version)
    show.version(state.out, found)


@reports_errors
def models_promote(ctx: typer.Context, version: VersionArgument, profile: ProfileOption = "default") -> None:
    """Make a version the champion (the one that serves)."""
    state = state_of(ctx)
    with state.store() as store:
        move = open_registry(store, state.settings).promote(profile, version, note="by hand")
    show.move(state.out, move)


@reports_errors
def models_rollback(ctx: typer.Context, profile: ProfileOption = "default") -> None:
    """Return to the previous champion."""
    state = state_of(ctx)
    with state.store() as store:
        move = open_registry(store, state.settings).rollback(profile)
    show.move(state.out, move)


def zero_strategy(text: str) -> ZeroStrategy | None:
    """The zeros setting: `auto` lets training choose by what the store holds."""
    if text.strip().lower() == "auto":
        return None
    try:
        return ZeroStrategy.parse(text)
    except ValueError:
        raise ConfigError(
            f"MUSICFLOW_MODEL_ZEROS: {text!r} is not a zero strategy: use auto, or skips, others and "
            "catalog joined with + (for example skips+others)"
        ) from None


def _json(document: object) -> None:
    sys.stdout.write(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n")
