"""The few values front ends use at run time, importable without loading any heavy library."""

from musicflow.app.age_words import age_words
from musicflow.app.auc_words import (
    ARTISTS_WHOSE,
    COIN_TOSS,
    NO_TEST,
    by_artist_words,
    ranks_above,
    times_in_100,
    too_few_words,
)
from musicflow.app.catalog_scoring import DEFAULT_PER_ARTIST
from musicflow.app.library_words import KIND_WORDS as LIBRARY_KIND_WORDS
from musicflow.app.library_words import library_sentence
from musicflow.app.model_row_names import row_name
from musicflow.app.profiles import DEFAULT_PROFILE, MAX_PROFILE_NAME, profile_asked
from musicflow.app.recommendation_answers import RecommendationQuestion
from musicflow.app.results import Prediction, streams_as_written, streams_shown
from musicflow.app.taste import OURS, TASTE_FEATURES
from musicflow.app.upload_jobs import MAX_FILES as MAX_UPLOAD_FILES
from musicflow.app.upload_jobs import job_document, too_large_words, too_many_files_words
from musicflow.core.feature_spec import FEATURE_NAMES, SPECS
from musicflow.core.songs import MAX_NAME, SongRequest
from musicflow.features.source_port import BUNDLED_CATALOG
from musicflow.ingest.export_files import not_a_file_or_folder
from musicflow.model.reports import Evaluation, notes_as_trained

__all__ = [
    "ARTISTS_WHOSE",
    "BUNDLED_CATALOG",
    "COIN_TOSS",
    "DEFAULT_PER_ARTIST",
    "DEFAULT_PROFILE",
    "FEATURE_NAMES",
    "LIBRARY_KIND_WORDS",
    "MAX_NAME",
    "MAX_PROFILE_NAME",
    "MAX_UPLOAD_FILES",
    "NO_TEST",
    "OURS",
    "SPECS",
    "TASTE_FEATURES",
    "Evaluation",
    "Prediction",
    "RecommendationQuestion",
    "SongRequest",
    "age_words",
    "by_artist_words",
    "job_document",
    "library_sentence",
    "not_a_file_or_folder",
    "notes_as_trained",
    "profile_asked",
    "ranks_above",
    "row_name",
    "streams_as_written",
    "streams_shown",
    "times_in_100",
    "too_few_words",
    "too_large_words",
    "too_many_files_words",
]
