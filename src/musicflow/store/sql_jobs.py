"""The SQL adapter for jobs: rows claimed with a conditional UPDATE, so two runners never take one job."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import Engine, Row, func, insert, select, update

from musicflow.store import json_text
from musicflow.store.db import guarded, insert_ignore
from musicflow.store.ports import Job, JobState
from musicflow.store.profile_rows import profile_row
from musicflow.store.schema import job_schedule, jobs, profiles


class SqlJobStore:
    """Implements `JobStore` on the same engine as the plays."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add_job(
        self, job_id: str, profile: str, kind: str, digest: str | None, now: float, reason: str | None = None
    ) -> Job:
        with guarded(self.engine) as conn:
            profile_id = profile_row(self.engine, conn, profile)
            conn.execute(
                insert(jobs),
                {
                    "id": job_id,
                    "profile_id": profile_id,
                    "kind": kind,
                    "state": "queued",
                    "stage": "queued",
                    "progress": json_text.dumps({}),
                    "digest": digest,
                    "attempts": 0,
                    "created_at": now,
                    "updated_at": now,
                    "reason": reason,
                },
            )
        found = self.job(job_id)
        assert found is not None
        return found

    def job(self, job_id: str) -> Job | None:
        with guarded(self.engine, transaction=False) as conn:
            row = conn.execute(_joined().where(jobs.c.id == job_id)).first()
        return _job(row) if row is not None else None

    def jobs(self, profile: str | None = None) -> list[Job]:
        query = _joined().order_by(jobs.c.created_at.desc(), jobs.c.id)
        if profile is not None:
            query = query.where(profiles.c.name == profile)
        with guarded(self.engine, transaction=False) as conn:
            return [_job(row) for row in conn.execute(query)]

    def job_with_digest(self, profile: str, digest: str) -> Job | None:
        query = (
            _joined()
            .where(
                profiles.c.name == profile,
                jobs.c.kind == "upload",
                jobs.c.digest == digest,
                jobs.c.state.notin_(("failed", "undone")),
            )
            .order_by(jobs.c.created_at)
        )
        with guarded(self.engine, transaction=False) as conn:
            row = conn.execute(query).first()
        return _job(row) if row is not None else None

    def waiting(self, profile: str, kind: str) -> Job | None:
        query = (
            _joined()
            .where(profiles.c.name == profile, jobs.c.kind == kind, jobs.c.state == "queued")
            .order_by(jobs.c.created_at)
        )
        with guarded(self.engine, transaction=False) as conn:
            row = conn.execute(query).first()
        return _job(row) if row is not None else None

    def last_finished(self, profile: str) -> float | None:
        query = (
            select(func.max(jobs.c.updated_at))
            .select_from(jobs.join(profiles, profiles.c.id == jobs.c.profile_id))
            .where(profiles.c.name == profile, jobs.c.state.in_(("done", "undone")))
        )
        with guarded(self.engine, transaction=False) as conn:
            found = conn.execute(query).scalar()
        return float(found) if found is not None else None

    def claim_next(self, now: float) -> Job | None:
        with guarded(self.engine) as conn:
            for (job_id,) in conn.execute(
                select(jobs.c.id).where(jobs.c.state == "queued").order_by(jobs.c.created_at).limit(5)
            ).all():
                claimed = conn.execute(
                    update(jobs)
                    .where(jobs.c.id == job_id, jobs.c.state == "queued")
                    .values(state="running", attempts=jobs.c.attempts + 1, updated_at=now)
                ).rowcount
                if claimed:
                    break
            else:
                return None
        return self.job(job_id)

    def update_job(
        self,
        job_id: str,
        now: float,
        *,
        state: JobState | None = None,
        stage: str | None = None,
        progress: Mapping[str, Any] | None = None,
        result: Mapping[str, Any] | None = None,
        error: str | None = None,
        digest: str | None = None,
    ) -> None:
        values: dict[str, Any] = {"updated_at": now}
        if state is not None:
            values["state"] = state
        if stage is not None:
            values["stage"] = stage
        if progress is not None:
            values["progress"] = json_text.dumps(dict(progress))
        if result is not None:
            values["result"] = json_text.dumps(dict(result))
        if error is not None:
            values["error"] = error
        if digest is not None:
            values["digest"] = digest
        with guarded(self.engine) as conn:
            conn.execute(update(jobs).where(jobs.c.id == job_id).values(**values))

    def schedule_ran(self, name: str) -> float | None:
        with guarded(self.engine, transaction=False) as conn:
            ran = conn.execute(select(job_schedule.c.ran_at).where(job_schedule.c.name == name)).scalar()
        return float(ran) if ran is not None else None

    def claim_schedule(self, name: str, last: float | None, now: float) -> bool:
        with guarded(self.engine) as conn:
            if last is None:  # the first run: the row that is there now says who made it
                conn.execute(insert_ignore(self.engine, job_schedule), {"name": name, "ran_at": now})
                ran = conn.execute(select(job_schedule.c.ran_at).where(job_schedule.c.name == name)).scalar()
                return ran == now
            moved = conn.execute(
                update(job_schedule)
                .where(job_schedule.c.name == name, job_schedule.c.ran_at == last)
                .values(ran_at=now)
            )
            return bool(moved.rowcount)

    def requeue_running(self, now: float, stale_before: float) -> int:
        left = (jobs.c.state == "running") & (jobs.c.updated_at < stale_before)
        with guarded(self.engine) as conn:
            return int(conn.execute(update(jobs).where(left).values(state="queued", updated_at=now)).rowcount)


def _joined() -> Any:
    return select(jobs, profiles.c.name.label("profile")).join(profiles, profiles.c.id == jobs.c.profile_id)


def _job(row: Row[Any]) -> Job:
    return Job(
        id=str(row.id),
        profile=str(row.profile),
        kind=str(row.kind),
        state=cast(JobState, row.state),
        stage=str(row.stage),
        progress=json_text.loads(row.progress),
        result=json_text.loads(row.result) if row.result is not None else None,
        error=row.error,
        digest=row.digest,
        attempts=int(row.attempts),
        created_at=float(row.created_at),
        updated_at=float(row.updated_at),
        reason=row.reason,
    )
