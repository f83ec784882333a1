"""`musicflow log export`: the prediction log written out, for a listener or an operator to study."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from musicflow.cli.common import reports_errors, state_of, write_json


def _utc(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat()


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


@reports_errors
def log_export(
    ctx: typer.Context,
    output_file: Annotated[
        Path | None, typer.Option("--output", "-o", help="The file to write (json: standard output if none).")
    ] = None,
    output: Annotated[
        LogFormat, typer.Option("--format", "-f", help="parquet, csv or json.")
    ] = LogFormat.PARQUET,
    profile: Annotated[
        str | None, typer.Option("--profile", "-p", metavar="NAME", help="Only this profile's predictions.")
    ] = None,
) -> None:
    """Write the prediction log out: profile, song, artist, Spotify id, model version, predicted streams,
    when (UTC) and through what (api, page, cli)."""
    state = state_of(ctx)
    with state.app() as app:
        entries = app.logged_predictions(profile)
    records = [asdict(entry) for entry in entries]
    if output is LogFormat.JSON and output_file is None:
        write_json([{**r, "asked_at": _utc(r["asked_at"])} for r in records])
        return
    if output_file is None:
        raise typer.BadParameter(f"--output FILE is needed for {output}", param_hint="--output")
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
    frame = pl.DataFrame(records, schema=schema).with_columns(
        pl.from_epoch(pl.col("asked_at"), time_unit="s").dt.replace_time_zone("UTC").alias("asked_at")
    )
    try:
        if output is LogFormat.PARQUET:
            frame.write_parquet(output_file)
        elif output is LogFormat.CSV:
            frame.write_csv(output_file)
        else:
            frame.write_json(output_file)
    except OSError as exc:
        raise typer.BadParameter(
            f"cannot write {output_file}: {exc.strerror}", param_hint="--output"
        ) from exc
    state.err.print(f"{len(records):,} predictions written to {output_file}", highlight=False)
