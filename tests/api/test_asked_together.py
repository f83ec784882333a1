"""Questions asked at one moment are made together: each request still gets its own song's answer, the
same as asked alone, and a song that cannot be answered fails only its own request."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest

from musicflow.api.asked_together import AskedTogether
from musicflow.app.results import Prediction
from musicflow.app.service import MusicFlow
from musicflow.app.serving import ServingModel
from musicflow.config import Settings
from musicflow.core.songs import SongRequest
from musicflow.errors import MusicflowError, SongNotFoundError
from tests.api.test_answers import run
from tests.trained import PROFILE, copy_of


class CountingMusicFlow(MusicFlow):
    """The application, counting the lists it is asked to make together."""

    lists: tuple[int, ...] = ()

    def predict_together(
        self, serving: ServingModel, songs: Sequence[SongRequest]
    ) -> list[Prediction | MusicflowError]:
        self.lists = (*self.lists, len(songs))
        return super().predict_together(serving, songs)


@pytest.fixture
def app(two_versions_listener: Path, isolated_environment: Path) -> CountingMusicFlow:
    copy_of(two_versions_listener, isolated_environment)
    return CountingMusicFlow.open(Settings(data_dir=isolated_environment))


def test_songs_asked_at_once_are_made_in_one_list_each_answer_its_own(app: CountingMusicFlow) -> None:
    with app:
        top = [(t.track, t.artist) for t in app.top_streams(PROFILE, 12)]
        asked = [*top, ("Zzyzx Qwerty Nonsense", "Nobody Anyone Knows"), (" ", "Someone")]
        serving = app.serving.get(PROFILE)
        alone = [app.predict(PROFILE, song, artist, keep=False, serving=serving) for song, artist in top]
        together = AskedTogether(app)

        async def ask_all() -> list[Prediction | BaseException]:
            questions = [together.predict(serving, song, artist) for song, artist in asked]
            return await asyncio.gather(*questions, return_exceptions=True)

        answers = run(ask_all())
    assert app.lists == (len(asked),)  # one list for the whole moment
    for (song, artist), one, answer in zip(top, alone, answers, strict=False):
        assert isinstance(answer, Prediction), answer
        assert (answer.answer.song.query.song, answer.answer.song.query.artist) == (song, artist)
        assert answer.as_document() == one.as_document()  # the same as asked alone, reasons and all
    unknown, blank = answers[-2:]
    assert isinstance(unknown, SongNotFoundError)
    assert "Zzyzx Qwerty Nonsense" in str(unknown)
    assert isinstance(blank, MusicflowError)
    assert "both needed" in str(blank)


def test_questions_of_two_moments_are_two_lists(app: CountingMusicFlow) -> None:
    with app:
        top = [(t.track, t.artist) for t in app.top_streams(PROFILE, 4)]
        serving = app.serving.get(PROFILE)
        together = AskedTogether(app)

        async def ask_in_turn() -> list[Prediction]:
            first = await together.predict(serving, *top[0])
            rest = await asyncio.gather(*(together.predict(serving, s, a) for s, a in top[1:]))
            return [first, *rest]

        answers = run(ask_in_turn())
    assert app.lists == (1, 3)
    assert [a.answer.song.query.song for a in answers] == [song for song, _ in top]
