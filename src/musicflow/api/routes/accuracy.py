"""How right the listener's predictions were: the logged ones, judged against the plays since."""

from __future__ import annotations

from fastapi import APIRouter

from musicflow.api.deps import Asked
from musicflow.api.error_responses import ERRORS_OF_LISTENER_ROUTES
from musicflow.api.schemas import AccuracyBody

router = APIRouter(prefix="/api", tags=["models"], responses=ERRORS_OF_LISTENER_ROUTES)


@router.get("/accuracy")
def accuracy(asked: Asked) -> AccuracyBody:
    """Each model version's logged predictions against what the listener streamed after the last play it
    learned from: songs asked, streamed since, AUC, Spearman among the streamed, and calibration bands."""
    return AccuracyBody.model_validate(asked.app.accuracy(asked.profile).as_document())
