"""How sure a recommendation says the model is: the figure of songs like it, or why there is none, in the
words the song page uses too."""

from __future__ import annotations

from musicflow.app.auc_words import how_sure
from musicflow.app.taste import standing_of
from musicflow.model.reports import Evaluation
from musicflow.model.split_scores import KNOWN_ARTISTS
from musicflow.web import words


def evaluation(metrics: dict[str, object]) -> Evaluation:
    split = {"split": "time", "metrics": metrics, "test_sizes": {"streamed": 76, "others": 18}}
    return Evaluation.from_dict({"splits": [split]})


def test_a_subset_the_test_had_too_few_songs_of_is_said_so_never_left_blank():
    """A listener whose test held songs by artists they stream but too few by new ones: a recommendation
    by a new artist says its test had too few such songs, as the song page says of it, and quotes no
    other figure."""
    tested = evaluation({"ours": {"auc": {"mean": 0.93}}, KNOWN_ARTISTS: {"auc": {"mean": 0.81}}})
    said = how_sure(tested)
    assert "81 times in 100" in said[True]
    assert said[False].startswith("its test held too few songs by artists new to you")
    assert "times in 100" not in said[False] and "93" not in said[False]
    page = words.how_sure(standing_of(3, tested), False)
    assert page == f"{said[False][0].upper()}{said[False][1:]}."


def test_a_model_with_no_test_says_to_take_its_answer_as_a_rough_guess():
    for untested in (Evaluation.from_dict({"splits": []}), evaluation({})):
        said = how_sure(untested)
        assert said[True] == said[False] and "no test on songs you heard after its training" in said[True]
        assert words.how_sure(standing_of(3, untested), True) == f"T{said[True][1:]}."
