"""`musicflow jobs run|list`: the background work (uploads, retrains, feature refreshes), run here or
looked at."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from musicflow.cli.common import (
    TableOrJson,
    TableOrJsonOption,
    profile_option,
    reports_errors,
    state_of,
    write_json,
)
from musicflow.core.plurals import counted

if TYPE_CHECKING:
    from musicflow.app.types import Job


def register(app: typer.Typer) -> None:
    jobs = typer.Typer(
        help="Background jobs: uploads, retrains and feature refreshes (some queued by the schedule).",
        no_args_is_help=True,
    )
    jobs.command("run")(jobs_run)
    jobs.command("list")(jobs_list)
    app.add_typer(jobs, name="jobs")


@reports_errors
def jobs_run(ctx: typer.Context) -> None:
    """Queue what the schedule asks for when it is due (retrains, feature refreshes), then run the queued
    jobs one after another, and exit when none is left (a server runs them itself: run this where no
    server does)."""
    state = state_of(ctx)
    done = 0
    with state.app(create=False) as app:
        scheduled = app.run_schedule()
        while app.run_next_job():
            done += 1
        finished = app.jobs()[:done]
    if scheduled is not None:
        state.out.print(f"The schedule queued {counted(len(scheduled.queued), 'job')}.", highlight=False)
        for job in scheduled.queued:
            state.out.print(f"  {job.kind} of {job.profile}: {job.reason}", highlight=False)
    for job in reversed(finished):
        outcome = _failure(job) if job.state == "failed" else _result(job.result)
        state.out.print(f"job {job.id} ({job.kind}, {job.profile}): {job.state}: {outcome}", highlight=False)
    if not done:
        state.out.print("No job is waiting.", highlight=False)


@reports_errors
def jobs_list(
    ctx: typer.Context,
    profile: Annotated[
        str | None,
        profile_option("Only this profile's jobs."),
    ] = None,
    output: TableOrJsonOption = TableOrJson.TABLE,
) -> None:
    """Every job, newest first: its profile, kind, why it was queued, state, stage and when it was made."""
    from rich.table import Table

    from musicflow.app.vocabulary import job_document

    state = state_of(ctx)
    with state.app(create=False) as app:
        found = app.jobs(profile)
    if output is TableOrJson.JSON:
        write_json([job_document(job) for job in found])
        return
    if not found:
        state.out.print("No job yet: an upload (POST /api/uploads, or the page) makes one.", highlight=False)
        return
    table = Table(title="Jobs")
    for column in ("id", "profile", "kind", "why", "state", "stage", "made", "result or error"):
        table.add_column(column, overflow="fold")
    for job in found:
        made = datetime.fromtimestamp(job.created_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
        outcome = ""
        if job.state == "failed":
            outcome = _failure(job)
        elif job.state == "done":
            outcome = _result(job.result)
        elif job.state == "undone":
            outcome = _taken_back(job.result)
        why = job.reason or ""
        table.add_row(job.id, job.profile, job.kind, why, job.state, job.stage, made, outcome)
    state.out.print(table)


def _failure(job: Job) -> str:
    """Why a job failed, and what it had stored before (kept: the listener is told their plays are)."""
    kept = _result(job.result) if job.result else ""
    return f"{job.error or 'failed'}{f' (kept: {kept})' if kept else ''}"


def _result(result: object) -> str:
    if not isinstance(result, dict):
        return ""
    words = []
    if "plays" in result:
        words.append(f"{counted(result.get('new_plays', 0), 'new play')} of {result.get('plays', 0):,}")
    unreadable = result.get("files_unreadable")
    if isinstance(unreadable, list) and unreadable:
        which = "; ".join(map(str, unreadable))
        words.append(f"{counted(len(unreadable), 'file')} could not be read ({which})")
    if "features_fetched" in result:
        words.append(f"{counted(result['features_fetched'], 'song')} got features")
    if result.get("still_missing"):
        words.append(f"{result['still_missing']:,} still without")
    if "model_version" in result:
        serving = "serving" if result.get("serving") else "not serving (the champion is better)"
        words.append(f"model v{result['model_version']} {serving}")
        if result.get("old_versions_removed"):
            words.append(f"{counted(result['old_versions_removed'], 'old version')} removed")
    elif "training" in result:
        words.append(str(result["training"]))
    return "; ".join(words)


def _taken_back(result: object) -> str:
    """What taking an import back removed, as its row records it (nothing for one undone before it did)."""
    taken = result.get("taken_back") if isinstance(result, dict) else None
    if not isinstance(taken, dict):
        return ""
    words = [f"{counted(taken.get('plays_removed', 0), 'play')} removed"]
    versions = taken.get("model_versions_removed") or []
    if versions:
        words.append(f"with them model {', '.join(f'v{v}' for v in versions)}")
    return ", ".join(words)
