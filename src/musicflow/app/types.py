"""The vocabulary of the use cases: the types their answers are made of, for front ends to name.

Front ends import these from here, never from the parts or the store, so the parts can move without
touching a front end. Importing this module loads the parts (LightGBM among them): a front end that must
start fast imports it under `TYPE_CHECKING` and takes its few runtime values from `app.vocabulary`.
"""

from musicflow.app.access import Grant, NewToken
from musicflow.app.catalog_scoring import Recommendation
from musicflow.app.erasure import Erasure
from musicflow.app.predicting import Unanswered
from musicflow.app.prediction_accuracy import Accuracy
from musicflow.app.recommendation_answers import RecommendationQuestion, Recommendations
from musicflow.app.reproduce import Reproduction
from musicflow.app.results import FetchResult, Prediction, Training
from musicflow.app.serving import ServingModel
from musicflow.app.taste import Score, Standing, Taste
from musicflow.app.train_all import ProfileTraining, TrainingRound
from musicflow.core.feature_spec import FEATURE_NAMES, SPECS
from musicflow.core.songs import SongName, SongRequest
from musicflow.features.analyze import AnalyzeReport
from musicflow.features.catalog import CatalogAnswers, CatalogImport
from musicflow.features.catalog_files import ColumnMapping
from musicflow.features.coverage import CoverageReport
from musicflow.features.fetch import SourceRun
from musicflow.features.lookup import SongFeatures
from musicflow.ingest.report import IngestReport
from musicflow.model.explain import Contribution
from musicflow.model.judging import Band, Judgement
from musicflow.model.listener import SongPrediction
from musicflow.model.pruning import Pruning
from musicflow.model.publish import Publication
from musicflow.model.reports import Evaluation, FeatureCheck, SplitEvaluation, Spread
from musicflow.store.ports import (
    AliasMove,
    CatalogInfo,
    ImportUndone,
    Job,
    LoggedPrediction,
    ModelVersion,
    StoredFeatures,
    StoredToken,
    TrackStreams,
)

__all__ = [
    "FEATURE_NAMES",
    "SPECS",
    "Accuracy",
    "AliasMove",
    "AnalyzeReport",
    "Band",
    "CatalogAnswers",
    "CatalogImport",
    "CatalogInfo",
    "ColumnMapping",
    "Contribution",
    "CoverageReport",
    "Erasure",
    "Evaluation",
    "FeatureCheck",
    "FetchResult",
    "Grant",
    "ImportUndone",
    "IngestReport",
    "Job",
    "Judgement",
    "LoggedPrediction",
    "ModelVersion",
    "NewToken",
    "Prediction",
    "ProfileTraining",
    "Pruning",
    "Publication",
    "Recommendation",
    "RecommendationQuestion",
    "Recommendations",
    "Reproduction",
    "Score",
    "ServingModel",
    "SongFeatures",
    "SongName",
    "SongPrediction",
    "SongRequest",
    "SourceRun",
    "SplitEvaluation",
    "Spread",
    "Standing",
    "StoredFeatures",
    "StoredToken",
    "Taste",
    "TrackStreams",
    "Training",
    "TrainingRound",
    "Unanswered",
]
