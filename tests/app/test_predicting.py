"""`MusicFlow.predict_many` reads the store in bulk, and answers exactly as asking song by song does."""

from __future__ import annotations

import contextlib

import pytest

from musicflow.app.predicting import Unanswered
from musicflow.app.results import Prediction
from musicflow.app.service import MusicFlow
from musicflow.core.songs import SongRequest, base_title, featured_artists
from musicflow.errors import SongNotFoundError
from musicflow.model.basis import NOTHING_KNOWN
from musicflow.model.predict import Prediction as ModelPrediction
from tests.scale.catalogs import bundled_rows
from tests.trained import PROFILE


def _requests(app: MusicFlow) -> list[SongRequest]:
    played = [SongRequest(t.track, t.artist) for t in app.top_streams(PROFILE, 40)]
    never = [
        SongRequest(row["song"], row["artists"].split("; ")[0], row["spotify_id"] if i % 2 else None)
        for i, row in enumerate(bundled_rows(200, offset=5000).iter_rows(named=True))
        if row["song"] and row["artists"]
    ]
    odd = [SongRequest("No Such Song Anywhere", "Nobody At All"), SongRequest("Half a request", " ")]
    return played + never + odd


def test_bulk_predictions_are_those_of_one_song_at_a_time(app: MusicFlow):
    requests = _requests(app)
    bulk = app.predict_many(PROFILE, requests)
    assert isinstance(bulk[-1], Unanswered) and bulk[-1].reason == "song and artist are both needed"
    assert isinstance(bulk[-2], Unanswered) and bulk[-2].reason == NOTHING_KNOWN
    predicted = 0
    for request, answer in zip(requests, bulk, strict=True):
        if not request.artist.strip():
            continue
        try:
            one = app.predict(PROFILE, request.song, request.artist, request.spotify_id)
        except SongNotFoundError:
            assert isinstance(answer, Unanswered)
            continue
        assert isinstance(answer, Prediction), request
        assert answer.streams == one.streams, request  # one path: the same number to the last bit
        assert answer.answer.prediction.verdict == one.answer.prediction.verdict
        assert _reasons(answer.answer.prediction) == _reasons(one.answer.prediction)
        assert answer.answer.affinity == one.answer.affinity
        assert answer.model_version == one.model_version
        predicted += 1
    assert predicted > 150


def test_asking_twice_gives_the_same_answers(app: MusicFlow):
    """The second time the songs' tracks exist and some answers are stored: still the same."""
    requests = _requests(app)
    first = app.predict_many(PROFILE, requests)
    for request in requests[40:60]:
        with contextlib.suppress(SongNotFoundError):
            app.predict(PROFILE, request.song, request.artist, request.spotify_id)  # stores the answers
    second = app.predict_many(PROFILE, requests)
    assert [a.reason if isinstance(a, Unanswered) else a.streams for a in first] == [
        a.reason if isinstance(a, Unanswered) else a.streams for a in second
    ]


def _reasons(prediction: ModelPrediction) -> list[tuple[str, float, str]]:
    return [(c.feature, c.effect, c.words) for c in prediction.contributions]


def _exact(prediction: ModelPrediction) -> tuple[float, str, list[tuple[str, float, str]]]:
    return prediction.streams, prediction.verdict, _reasons(prediction)


@pytest.mark.parametrize("size", [0, 1])
def test_tiny_lists(app: MusicFlow, size: int):
    requests = _requests(app)[:size]
    assert len(app.predict_many(PROFILE, requests)) == size


def test_a_spotify_id_finds_its_own_recording_whatever_the_name(app: MusicFlow):
    """The id is the exact recording: asked with a name the store knows as another recording, the answer
    is the id's; asked with a name nobody knows, it is still the listener's song, with their streams."""
    top = app.top_streams(PROFILE, 1)[0]
    mine = app.predict(PROFILE, top.track, top.artist)
    own_id = mine.answer.song.merged.spotify_id
    assert own_id and mine.answer.history.song_streams == top.streams
    assert top.spotify_id and mine.as_document()["spotify_id"] == top.spotify_id  # theirs, as exported
    other = next(
        row
        for row in bundled_rows(50, offset=7000).iter_rows(named=True)
        if row["spotify_id"] and row["spotify_id"] != own_id
    )

    elsewhere = app.predict(PROFILE, top.track, top.artist, other["spotify_id"])
    assert elsewhere.answer.song.merged.spotify_id == other["spotify_id"]
    assert elsewhere.answer.history.song_streams == 0

    unnamed = app.predict(PROFILE, "A Name Nobody Gave It", top.artist, own_id)
    assert unnamed.answer.history.song_streams == top.streams
    assert unnamed.streams == mine.streams


def test_an_id_nobody_knows_beside_the_name_of_a_song_of_theirs_is_that_song(app: MusicFlow):
    """An id no store or source holds (pasted from another release, or mistyped) finds nothing: the song
    is the one its name finds, and a song they streamed says so with their streams, as asked without an
    id, never "another version" of itself with 0 streams."""
    top = app.top_streams(PROFILE, 1)[0]
    mine = app.predict(PROFILE, top.track, top.artist)
    unknown = app.predict(PROFILE, top.track, top.artist, "0000000000000000000000")
    assert unknown.answer.history.song_streams == top.streams
    assert unknown.answer.history.other_version is None
    assert unknown.streams == mine.streams
    assert unknown.answer.prediction.verdict == mine.answer.prediction.verdict


def test_a_song_of_theirs_asked_by_part_of_its_artist_s_name_is_the_first_suggestion(app: MusicFlow):
    """ "Crawling" by "Linkin", for a listener of Linkin Park's "Crawling": their song is offered first
    (it was left out of the suggestions, as if it were the title typed by an artist of theirs that no
    one knows, and another band's song offered instead)."""
    top = next(
        t
        for t in app.top_streams(PROFILE, 50)
        if len(t.artist.split()) == 2 and len(t.artist.split()[0]) >= 5 and "(" not in t.track
    )
    part = top.artist.split()[0]  # near enough to be looked at, not to be answered for
    with pytest.raises(SongNotFoundError) as lost:
        app.predict(PROFILE, top.track, part)
    first = lost.value.suggestions[0]
    assert (first.song, first.artist) == (top.track, top.artist)


def test_a_song_asked_by_an_artist_its_title_features_is_the_song_they_streamed(app: MusicFlow):
    """ "Cracker Island" by Thundercat, for a listener of "Cracker Island (feat. Thundercat)" by Gorillaz
    (their export names Gorillaz alone): their song, with their streams, "did you mean" it (it was "you
    never streamed 'Thundercat'", or an answer from the featured artist's history that never said they
    streamed the song)."""
    listener = app.serving.get(PROFILE).listener
    credited = next(
        (t, featured)
        for t in app.top_streams(PROFILE, None)
        for featured in featured_artists(t.track)
        if " - " not in t.track and not listener.knows_artist(featured)
    )
    track, featured = credited
    asked = base_title(track.track)
    answer = app.predict(PROFILE, asked, featured)
    assert answer.answer.history.song_streams == track.streams
    assert answer.matched is not None and answer.matched.song == track.track


def test_a_song_asked_by_an_artist_they_stream_is_named_by_their_spelling_of_the_artist(app: MusicFlow):
    """ "Hey Jude" by "beatles": the answer is The Beatles', as its reasons say, not "beatles" in its title
    line and "The Beatles" under it."""
    listener = app.serving.get(PROFILE).listener
    artist = next(a.name for a in listener.top_artists(50) if a.name.startswith("The "))
    typed = artist.removeprefix("The ").lower()
    answer = app.predict(PROFILE, "A Song No Catalog Has", typed)
    assert answer.answer.song.query.artist == artist == answer.answer.history.artist
    assert answer.as_document()["artist"] == artist
