"""`musicflow log export` (the prediction log written out) and `musicflow accuracy` (how right it was)."""

from __future__ import annotations

import sys
from dataclasses import asdict
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from musicflow.app.vocabulary import DEFAULT_PROFILE
from musicflow.cli.common import (
    ProfileOption,
    TableOrJson,
    TableOrJsonOption,
    profile_option,
    reports_errors,
    require_writable,
    state_of,
    usage_error,
    write_json,
)
from musicflow.core.plurals import counted
from musicflow.core.timezone import iso_utc


def _utc(timestamp: float) -> str:
    """When a prediction was asked, in the text exports: ISO 8601 in UTC to the microsecond, the same in
    CSV and JSON ("2026-12-06T10:41:07.689422+00:00"), as Parquet keeps it in a UTC timestamp."""
    return iso_utc(timestamp, "microseconds")


class LogFormat(StrEnum):
    PARQUET = "parquet"
    CSV = "csv"
    JSON = "json"


def register(app: typer.Typer) -> None:
    log = typer.Typer(
        help="The prediction log: every prediction given, kept for a while.", no_args_is_help=True
    )
    log.command("export")(log_export)
    app.add_typer(log, name="log")
    app.command("accuracy")(accuracy)


@reports_errors
def log_export(
    ctx: typer.Context,
    output_file: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="The file to write (csv and json: standard output if none)."),
    ] = None,
    output: Annotated[
        LogFormat, typer.Option("--format", "-f", help="parquet, csv or json.")
    ] = LogFormat.PARQUET,
    profile: Annotated[
        str | None,
        profile_option("Only this profile's predictions."),
    ] = None,
) -> None:
    """Write the prediction log out: profile, song, artist, Spotify id, model version, predicted streams,
    when (UTC) and through what (api, page, cli). CSV and JSON go to standard output without --output, as
    every command's do; Parquet, which is no text, needs a file."""
    if output_file is None and output is LogFormat.PARQUET:
        raise usage_error(
            ctx, "parquet is written to a file: add --output FILE (or choose --format csv or json)"
        )
    if output_file is not None:
        require_writable(ctx, output_file)  # said before the log is read
    state = state_of(ctx)
    with state.app(create=False) as app:
        entries = app.logged_predictions(profile)
    records = [asdict(entry) for entry in entries]
    texts = [{**r, "asked_at": _utc(r["asked_at"])} for r in records]
    if output is LogFormat.JSON and output_file is None:
        write_json(texts)
        return
    import polars as pl

    schema = {
        "profile": pl.String,
        "song": pl.String,
        "artist": pl.String,
        "spotify_id": pl.String,
        "model_version": pl.Int64,
        "predicted": pl.Float64,
        "asked_at": pl.Float64,
        "via": pl.String,
    }
    if output is LogFormat.CSV and output_file is None:  # the text on standard output
        sys.stdout.write(pl.DataFrame(texts, schema=schema | {"asked_at": pl.String}).write_csv())
        return
    assert output_file is not None
    try:
        if output is LogFormat.PARQUET:
            frame = pl.DataFrame(records, schema=schema).with_columns(
                pl.from_epoch(pl.col("asked_at"), time_unit="s").dt.replace_time_zone("UTC").alias("asked_at")
            )
            frame.write_parquet(output_file)
        elif output is LogFormat.CSV:
            pl.DataFrame(texts, schema=schema | {"asked_at": pl.String}).write_csv(output_file)
        else:
            write_json(texts, output_file)
    except OSError as exc:  # what only writing finds (a full disk); polars' errors carry no strerror
        raise usage_error(ctx, f"cannot write {output_file}: {exc.strerror or exc}") from None
    state.err.print(f"{counted(len(records), 'prediction')} written to {output_file}", highlight=False)


@reports_errors
def accuracy(
    ctx: typer.Context,
    profile: ProfileOption = DEFAULT_PROFILE,
    output: TableOrJsonOption = TableOrJson.TABLE,
) -> None:
    """How right were the predictions: each model version's logged predictions against what you streamed
    after the last play it learned from (AUC, Spearman, and predicted against streamed by band)."""
    from rich.table import Table

    state = state_of(ctx)
    with state.app(create=False) as app:
        judged = app.accuracy(profile)
    if output is TableOrJson.JSON:
        write_json(judged.as_document())
        return
    if judged.drift is not None:
        summary = judged.drift.summary  # a sentence of its own, said after a colon
        state.out.print(f"Drift: {summary[:1].lower()}{summary[1:]}", highlight=False)
    if not judged.versions:
        state.out.print(
            f"No prediction of '{profile}' is in the log yet: predictions the API and the page give (and"
            " `predict --log`) are judged once plays after the model's last one arrive.",
            highlight=False,
        )
        return
    table = Table(title=f"How right the predictions of '{profile}' were")
    for column in (
        "version",
        "learned up to",
        "songs asked",
        "streamed since",
        "plays since",
        "AUC",
        "Spearman",
    ):
        table.add_column(column, justify="left" if column in ("version", "learned up to") else "right")
    for judgement in judged.versions:
        day = datetime.fromtimestamp(judgement.cut_off, UTC).strftime("%Y-%m-%d")
        table.add_row(
            f"v{judgement.version} (removed)" if judgement.removed else f"v{judgement.version}",
            day if judgement.cut_off_exact else f"{day} ({judgement.cut_off_from})",
            f"{judgement.songs:,}",
            f"{judgement.streamed:,}",
            f"{judgement.plays_after:,} in {judgement.window_days:.0f} days",
            _figure(judgement.auc),
            _figure(judgement.spearman),
        )
    state.out.print(table)
    if any(judgement.removed for judgement in judged.versions):
        state.out.print(
            "A removed version (`models prune`) is judged all the same, from the last play it learned from"
            " as recorded when it was removed.",
            highlight=False,
        )
    newest = judged.versions[0]
    if not newest.plays_after:
        state.out.print(
            f"No play after v{newest.version}'s last one is here yet: ingest a newer export to judge it.",
            highlight=False,
        )
        return
    bands = Table(title=f"v{newest.version}: predicted against streamed since, by band")
    for column in ("predicted", "songs", "mean predicted", "mean streamed since"):
        bands.add_column(column, justify="right")
    for band in newest.bands:
        bands.add_row(
            f"{band.low:g} to {band.high:g}",
            f"{band.songs:,}",
            _figure(band.mean_predicted, 1),
            _figure(band.mean_streams, 1),
        )
    state.out.print(bands)
    state.out.print(
        "AUC: how often a song streamed since was given more streams than one not streamed (0.5: a coin"
        " toss); Spearman: among those streamed, whether more predicted meant more streamed; a figure"
        " needs five songs on each side.",
        highlight=False,
    )


def _figure(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"
