"""A model's age in words: the largest whole unit, singular where it is one."""

from __future__ import annotations

import pytest

from musicflow.app.age_words import age_words


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (5, "under a minute"),
        (60, "1 minute"),
        (7_199, "1 hour"),
        (7_200, "2 hours"),
        (86_400 * 3 + 5, "3 days"),
    ],
)
def test_an_age_reads_as_a_person_says_it(seconds: float, words: str) -> None:
    assert age_words(seconds) == words
