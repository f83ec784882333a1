"""Missing features must not tell streamed songs from zeros: the training weights and the check of it."""

from __future__ import annotations

import numpy as np

from musicflow.features.merge import MergedFeatures, single_source
from musicflow.model.affinity import NO_AFFINITY, ArtistAffinity
from musicflow.model.balance import pattern_check, pattern_weights
from musicflow.model.basis import Basis, basis_of
from musicflow.model.hygiene import check_features
from musicflow.model.reports import FeatureCheck
from musicflow.model.training_rows import Row, RowKind

AUDIO = single_source("catalog", {"energy": 0.5, "duration_ms": 200_000})
METADATA = single_source("catalog", {"duration_ms": 200_000})


def rows(kind: RowKind, target: int, audio: int, metadata: int, nothing: int) -> list[Row]:
    made = [(AUDIO, audio), (METADATA, metadata), (MergedFeatures(), nothing)]
    return [Row(i, kind, target, features, "artist") for features, n in made for i in range(n)]


def test_weights_make_the_availability_pattern_say_nothing_about_the_class() -> None:
    # Most streamed songs have no features, most zeros have audio features: absence says "streamed".
    training = rows(RowKind.STREAMED, 2, 20, 10, 70) + rows(RowKind.OTHERS, 0, 60, 20, 20)
    weights = pattern_weights(training, allow_spotify=False)
    check = pattern_check(training, weights, allow_spotify=False)
    assert check.auc_raw is not None and check.auc_raw > 0.7
    assert check.auc_weighted is not None and abs(check.auc_weighted - 0.5) < 1e-9
    positive = np.array([row.is_positive for row in training])
    assert np.isclose(weights[positive].sum(), 100) and np.isclose(weights[~positive].sum(), 100)
    features = check_features(training, allow_spotify=False, weights=weights.tolist())
    assert "energy" not in features.dropped and "duration_ms" not in features.dropped
    assert "energy" in check_features(training, allow_spotify=False).dropped  # unweighted, it would leak


def test_zeros_that_make_up_for_one_pattern_are_checked_on_that_pattern() -> None:
    """Other listeners' songs lack audio features, shipped songs make up for them: each kind alone has
    other shares than the streamed songs, but not within the patterns it fills."""
    training = rows(RowKind.STREAMED, 2, 60, 0, 40) + rows(RowKind.OTHERS, 0, 20, 0, 40)
    training += rows(RowKind.SHIPPED, 0, 40, 0, 0)
    weights = pattern_weights(training, allow_spotify=False)
    check = check_features(training, allow_spotify=False, weights=weights.tolist())
    assert _left_out(check) == set()
    # each kind as weighed against the streamed songs of its own patterns: half of the others' weight
    # on songs with audio features (as on the streamed songs beside them), all of the shipped songs'
    assert check.availability["energy"] == {"streamed": 0.6, "others": 0.5, "shipped": 1.0}
    popular = single_source("catalog", {"energy": 0.5, "duration_ms": 200_000, "popularity": 50})
    training[-40:] = [Row(i, RowKind.SHIPPED, 0, popular, "artist") for i in range(40)]
    check = check_features(training, allow_spotify=False, weights=weights.tolist())
    assert _left_out(check) == {"popularity"}  # the streamed songs with audio features never have it
    assert "energy" in check_features(training, allow_spotify=False).dropped  # unweighted, it would leak


def _left_out(check: FeatureCheck) -> set[str]:
    """The features left out because their presence differs between the classes."""
    return {feature for feature, reason in check.dropped.items() if reason != "not available"}


def test_a_release_year_more_of_the_streamed_songs_have_is_balanced_not_left_out() -> None:
    """A catalog dates 60 of 100 streamed songs but 30 of 100 zeros: weighed, "has a year" says nothing
    about the class, so the year stays in the model; unweighed it would be left out as a leak."""
    dated = single_source("catalog", {"energy": 0.5, "duration_ms": 200_000, "release_year": 2019})
    training = [Row(i, RowKind.STREAMED, 2, dated, "artist") for i in range(60)]
    training += [Row(i, RowKind.STREAMED, 2, AUDIO, "artist") for i in range(40)]
    training += [Row(i, RowKind.OTHERS, 0, dated, "artist") for i in range(30)]
    training += [Row(i, RowKind.OTHERS, 0, AUDIO, "artist") for i in range(70)]
    assert "release_year" in _left_out(check_features(training, allow_spotify=False))
    weights = pattern_weights(training, allow_spotify=False)
    assert weights.all()  # no row is left out for it
    check = check_features(training, allow_spotify=False, weights=weights.tolist())
    assert _left_out(check) == set()
    assert check.availability["release_year"]["streamed"] == check.availability["release_year"]["others"]
    # too few dated zeros to weigh them apart: they count with the rest, and the year is left out
    training[100:130] = [Row(i, RowKind.OTHERS, 0, AUDIO, "artist") for i in range(25)] + training[100:105]
    weights = pattern_weights(training, allow_spotify=False)
    assert weights.all()
    check = check_features(training, allow_spotify=False, weights=weights.tolist())
    assert "release_year" in _left_out(check)


def test_a_pattern_one_class_lacks_is_not_trained_on() -> None:
    training = rows(RowKind.STREAMED, 2, 40, 0, 30) + rows(RowKind.OTHERS, 0, 40, 0, 3)
    weights = pattern_weights(training, allow_spotify=False)
    check = pattern_check(training, weights, allow_spotify=False)
    assert check.left_out == ["none"]
    assert not weights[40:70].any() and not weights[-3:].any()


def test_the_basis_says_what_an_answer_rests_on() -> None:
    known = ArtistAffinity(streams=12, songs=3)
    assert basis_of(AUDIO, NO_AFFINITY, allow_spotify=False) is Basis.AUDIO
    assert basis_of(METADATA, known, allow_spotify=False) is Basis.METADATA
    assert basis_of(MergedFeatures(), known, allow_spotify=False) is Basis.HISTORY
    assert basis_of(MergedFeatures(), NO_AFFINITY, allow_spotify=False) is None
    spotify_only = single_source("spotify", {"energy": 0.9})
    assert basis_of(spotify_only, NO_AFFINITY, allow_spotify=False) is None
    assert basis_of(spotify_only, NO_AFFINITY, allow_spotify=True) is Basis.AUDIO


def test_the_genre_match_enters_only_when_most_zeros_are_other_listeners_songs() -> None:
    from musicflow.model.hygiene import layout_for
    from musicflow.model.vectorize import GENRE_MATCH

    streamed = rows(RowKind.STREAMED, 2, 60, 0, 0)
    among_listeners = check_features(
        streamed + rows(RowKind.OTHERS, 0, 50, 0, 0) + rows(RowKind.SHIPPED, 0, 10, 0, 0), False
    )
    assert GENRE_MATCH not in among_listeners.dropped
    assert GENRE_MATCH in layout_for(among_listeners, False).columns
    alone = check_features(
        streamed + rows(RowKind.SHIPPED, 0, 60, 0, 0) + rows(RowKind.SKIPPED, 0, 30, 0, 0), False
    )
    assert "other listeners' songs" in alone.dropped[GENRE_MATCH]
    assert GENRE_MATCH not in layout_for(alone, False).columns
    assert "artist_streams" in layout_for(alone, False).columns
