"""Uploads of a listener's export, and the jobs that take them in: ingest, features, training."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from musicflow.api.deps import Asked
from musicflow.api.error_responses import ERROR, ERRORS_OF_LISTENER_ROUTES
from musicflow.api.schemas import JobBody, UndoneBody, UploadAccepted
from musicflow.app.vocabulary import job_document
from musicflow.web.upload_pages import read_upload_form

router = APIRouter(prefix="/api", tags=["uploads"], responses=ERRORS_OF_LISTENER_ROUTES)
JobId = Annotated[str, Path(min_length=1, max_length=64, description="The job's id, as the upload answered.")]
UPLOAD_ERRORS: dict[int | str, dict[str, object]] = {
    403: {**ERROR, "description": "The token may read, not change, this profile"},
    413: {**ERROR, "description": "The upload is larger than the server accepts"},
}
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "array",
                            "minItems": 1,
                            "items": {"type": "string", "format": "binary"},
                            "description": "my_spotify_data.zip as downloaded, or its JSON files",
                        }
                    },
                }
            }
        },
    }
}


@router.post(
    "/uploads",
    status_code=202,
    response_model=UploadAccepted,
    responses=UPLOAD_ERRORS,
    openapi_extra=UPLOAD_BODY,
)
async def upload(request: Request, asked: Asked) -> JSONResponse:
    """Take the listener's Spotify export (the field `file`, once or repeated): 202 with the job that
    ingests it, fetches features and trains (`GET /api/jobs/{id}`). The same export sent again answers
    with the job that already took it. Needs a token with the write scope."""
    asked.grant.may_write()
    form = await read_upload_form(request)
    try:
        files = [
            (item.filename or "", item.file) for item in form.getlist("file") if isinstance(item, UploadFile)
        ]
        job, new = await run_in_threadpool(asked.app.start_upload, asked.profile, files)
    finally:
        await form.close()
    if new:
        request.app.state.jobs.wake()
    document = {**job_document(job), "new": new}
    return JSONResponse(document, status_code=202, headers={"Location": f"/api/jobs/{job.id}"})


@router.get("/jobs/{job_id}")
def job(job_id: JobId, asked: Asked) -> JobBody:
    """A job of the listener's: `state` (queued, running, done, failed), its stage and progress, and its
    result or error."""
    return JobBody.model_validate(job_document(asked.app.job(job_id, asked.profile)))


@router.get("/jobs")
def jobs(asked: Asked) -> list[JobBody]:
    """The listener's jobs, newest first."""
    return [JobBody.model_validate(job_document(found)) for found in asked.app.jobs(asked.profile)]


TAKE_BACK_ERRORS: dict[int | str, dict[str, object]] = {
    403: UPLOAD_ERRORS[403],
    409: {**ERROR, "description": "The import, or another job of the profile, is still queued or running"},
}


@router.delete("/uploads/{job_id}", responses=TAKE_BACK_ERRORS)
def take_back(job_id: JobId, asked: Asked) -> UndoneBody:
    """Take an upload back: the plays only it brought go, those another export also holds stay, the
    listener's model versions that learned from the plays removed go with them, and a retrain of the
    profile follows when plays are left. Needs a token with the write scope."""
    asked.grant.may_write()
    return UndoneBody.model_validate(asked.app.undo_import(asked.profile, job_id).as_document())
