"""The page's upload: the listener sends their export from the browser, with a progress bar for the
sending and then for the job that takes it in (ingest, features, training), as `POST /api/uploads` does.

The same page gives the listener their data back: a finished import can be taken back from its job
page (its plays, and the models that learned from them, go), and everything MusicFlow holds of them can
be deleted (`/data/delete`, confirmed with a tick), as the API's `DELETE /api/uploads/{id}` and
`DELETE /api/profile` do.

The form works without script (a plain multipart POST, then the job's page, which says where it is and
offers to look again); `static/upload.js` adds the bars: it sends the form itself to follow the bytes,
then asks `/upload/{id}/state` once a second. Changing data needs the write scope on a server that asks
for tokens; every form carries the session's anti-forgery value.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from musicflow.app.error_map import MAX_MESSAGE_CHARS, cut, error_detail, http_message, http_status
from musicflow.app.vocabulary import MAX_UPLOAD_FILES, job_document, library_sentence, too_many_files_words
from musicflow.core.plurals import counted, listed
from musicflow.errors import MusicflowError
from musicflow.web import highscore
from musicflow.web.advice import advice, problem_of
from musicflow.web.signin import TEMPLATES, check_csrf, csrf_token, page_grant, signed_in

if TYPE_CHECKING:
    from collections.abc import Mapping

    from musicflow.app.access import Grant
    from musicflow.app.types import Job

router = APIRouter(include_in_schema=False)
JobId = Annotated[str, PathParam(min_length=1, max_length=64)]
STAGES = {
    "queued": "Waiting for its turn",
    "ingesting": "Reading your plays",
    "fetching features": "Finding the songs' features",
    "training": "Training your model",
    "done": "Done",
    "failed": "Failed",
    "undone": "Taken back",
}
FAILED_STEPS = {  # what did not happen, by the stage a job failed in after storing the plays
    "fetching features": "Finding the songs' features and training your model",
    "training": "Training your model",
}
IMPORTS = ("upload", "ingest")  # the jobs that read an export (a page's upload, or `musicflow ingest`)
EARLIER = 5  # the imports the upload page lists


def _page(request: Request, grant: Grant, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """The upload page for the visitor `grant` names: a read token is offered no form that changes data
    (it would only be refused)."""
    context = {
        "csrf": csrf_token(request.session),
        "signed_in": signed_in(request),
        "page": "upload",
        "profile": grant.profile,
        "reads_only": grant.scope != "write",
        "jobs": [],
        **context,
    }
    return TEMPLATES.TemplateResponse(request, "upload.html", context, status_code=status)


def _refused(request: Request, grant: Grant, refused: MusicflowError, **context: Any) -> HTMLResponse:
    """The page again, with what was refused and what would help, at the error's status."""
    said = http_message(refused, open_server=request.app.state.grants.open)  # the API's words
    problem = problem_of(advice(refused, grant.profile), said)
    return _page(request, grant, {"problem": problem, **context}, http_status(refused))


async def read_upload_form(request: Request) -> FormData:
    """The multipart form of an upload (the API's and the page's). One the form parser refuses (more
    than `MAX_UPLOAD_FILES` files, a body that is no multipart form) is invalid input, as every other bad
    upload is: 422, in our words (the parser's answer was 400 in its own)."""
    try:
        return await request.form(max_files=MAX_UPLOAD_FILES, max_fields=MAX_UPLOAD_FILES)
    except HTTPException as refused:
        if refused.status_code != 400:
            raise
        detail = str(refused.detail)
        if detail.startswith("Too many files"):
            raise MusicflowError(too_many_files_words()) from None
        raise MusicflowError(
            f"the upload is not a form of files MusicFlow can read ({cut(detail, 200)}): send the export"
            " in the field 'file' of a multipart form"
        ) from None


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request, profile: str | None = None) -> HTMLResponse:
    grant = page_grant(request, profile)
    return _page(request, grant, {"jobs": _imports(request, grant.profile)})


@router.post("/upload")
async def upload(request: Request, profile: str | None = None) -> Response:
    grant = page_grant(request, profile)
    try:
        form = await read_upload_form(request)
    except MusicflowError as refused:
        return _refused(request, grant, refused)
    try:
        check_csrf(request.session, str(form.get("csrf") or ""))
        grant.may_write()
        files = [
            (item.filename or "", item.file) for item in form.getlist("file") if isinstance(item, UploadFile)
        ]
        job, new = await run_in_threadpool(request.app.state.musicflow.start_upload, grant.profile, files)
    except MusicflowError as refused:
        return _refused(request, grant, refused)
    finally:
        await form.close()
    if new:
        request.app.state.jobs.wake()
    return RedirectResponse(f"/upload/{job.id}{_query(request, grant.profile)}", status_code=303)


@router.get("/upload/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: JobId, profile: str | None = None) -> HTMLResponse:
    grant = page_grant(request, profile)
    try:
        job = request.app.state.musicflow.job(job_id, grant.profile)
    except MusicflowError as missing:
        problem = problem_of(None, str(missing))
        return _page(request, grant, {"problem": problem}, http_status(missing))
    return _page(request, grant, {"job": job_view(job)})


@router.post("/upload/{job_id}/take-back")
async def take_back(
    request: Request,
    job_id: JobId,
    profile: str | None = None,
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Take a finished import back (`MusicFlow.undo_import`), then show its page, which says what went."""
    grant = page_grant(request, profile)
    try:
        check_csrf(request.session, csrf)
        grant.may_write()
        await run_in_threadpool(request.app.state.musicflow.undo_import, grant.profile, job_id)
    except MusicflowError as refused:
        try:
            job: dict[str, Any] | None = job_view(request.app.state.musicflow.job(job_id, grant.profile))
        except MusicflowError:
            job = None
        return _refused(request, grant, refused, job=job)
    return RedirectResponse(f"/upload/{job_id}{_query(request, grant.profile)}", status_code=303)


@router.post("/data/delete")
async def delete_everything(
    request: Request,
    profile: str | None = None,
    csrf: Annotated[str, Form(max_length=100)] = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Delete everything stored of the listener (`MusicFlow.delete_profile`) once they ticked that they
    mean it; a signed-in session ends with it (its token is gone too)."""
    grant = page_grant(request, profile)
    try:
        check_csrf(request.session, csrf)
        grant.may_write()
        if confirm != "yes":
            raise MusicflowError("nothing was deleted: tick the box to confirm that everything should go")
        erased = await run_in_threadpool(request.app.state.musicflow.delete_profile, grant.profile)
    except MusicflowError as refused:
        return _refused(request, grant, refused, jobs=_imports(request, grant.profile))
    for forget in request.app.state.on_erase:
        forget(grant.profile)
    highscore.reset(request.session, grant.profile)  # this browser's best songs of theirs go too
    was_signed_in = signed_in(request)
    if was_signed_in:
        request.session.clear()
    whose = None if was_signed_in else grant.profile  # signed out: the page names no listener
    return _page(request, grant, {"profile": whose, "erased": erased_sentence(erased.as_document())})


def erased_sentence(erased: dict[str, object]) -> str:
    """What a deletion removed, as the page says it: "16,816 plays, 4,161 songs only you had played and
    1 model version" (what it held none of is left out)."""
    names = (
        ("plays", "play", "plays"),
        ("tracks", "song only you had played", "songs only you had played"),
        ("library_entries", "entry of your library", "entries of your library"),
        ("model_versions", "model version", "model versions"),
        ("logged_predictions", "logged prediction", "logged predictions"),
        ("jobs", "job", "jobs"),
        ("tokens", "sign-in token", "sign-in tokens"),
    )
    said = [counted(n, one, many) for key, one, many in names if isinstance(n := erased.get(key), int) and n]
    return f"Deleted: {listed(said)}." if said else "There was nothing stored to delete."


def _imports(request: Request, profile: str) -> list[dict[str, Any]]:
    """The listener's last imports, as the upload page lists them."""
    imports = [job for job in request.app.state.musicflow.jobs(profile) if job.kind in IMPORTS]
    return [job_view(job) for job in imports[:EARLIER]]


def _query(request: Request, profile: str) -> str:
    """The profile in a page's address, where the server is open (a signed-in session names its own)."""
    return f"?profile={quote(profile)}" if request.app.state.grants.open else ""


@router.get("/upload/{job_id}/state")
def job_state(request: Request, job_id: JobId, profile: str | None = None) -> JSONResponse:
    """The job as the page's script follows it (the same document as `GET /api/jobs/{id}`, with words)."""
    who = page_grant(request, profile).profile
    try:
        job = request.app.state.musicflow.job(job_id, who)
    except MusicflowError as missing:
        # the API's one error shape ({"error": {"kind", "message", "hint"}}), as the script reads it
        detail = error_detail(missing, cut(str(missing), MAX_MESSAGE_CHARS), ("", ""), ())
        return JSONResponse({"error": detail}, status_code=http_status(missing))
    return JSONResponse(job_view(job))


def not_new_words(result: Mapping[str, Any]) -> str:
    """Why an import's plays were not all new, said beside "10,033 new plays of 10,070": the export's
    first upload leaves a reader asking where the others went (a play is stored once: `README`, "How
    plays are matched"). Empty when every play was new."""
    plays, new = result.get("plays"), result.get("new_plays")
    if not isinstance(plays, int) or not isinstance(new, int) or plays <= new:
        return ""
    others = plays - new
    were = "was" if others == 1 else "were"
    return f" (the other {others:,} {were} stored already, or the same play listed twice in the export)"


def job_view(job: Job) -> dict[str, Any]:
    """A job with what the page says of it: the stage in words, and how far (0 to 1) when known."""
    document = job_document(job)
    progress = document["progress"]
    fraction: float | None = None
    if job.stage == "ingesting" and progress.get("bytes_total"):
        fraction = progress.get("bytes_done", 0) / progress["bytes_total"]
    elif job.stage == "fetching features" and progress.get("tracks_total"):
        fraction = progress.get("tracks_done", 0) / progress["tracks_total"]
    elif job.stage == "training":
        fraction = float(progress.get("training", 0.0))
    elif job.state == "done":
        fraction = 1.0
    library = (job.result or {}).get("library")
    sentence = library_sentence(library) if isinstance(library, dict) else None
    words = STAGES.get(job.state if job.state == "undone" else job.stage, job.stage)
    when = time.strftime("%d %b %Y, %H:%M UTC", time.gmtime(job.created_at))
    how = {"upload": "from this page", "ingest": "with musicflow ingest"}.get(job.kind, "")
    failed_at = (job.result or {}).get("failed_at") if job.state == "failed" else None
    # What taking it back would take: a job that failed before storing a play or a library holds nothing
    # (its page neither says plays of it stay nor offers to take them back).
    holds = job.state == "done" or bool((job.result or {}).get("plays")) or sentence is not None
    return {
        **document,
        "holds": holds,
        "not_new": not_new_words(job.result or {}),
        "words": words,
        "listed": f"{words}: sent {when}{' ' + how if how else ''}",
        "fraction": fraction,
        "library": sentence,
        "failed_step": FAILED_STEPS.get(str(failed_at), "The rest"),
    }
