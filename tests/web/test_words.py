"""What the pages say is true: an AUC said as what it means, labels never cut short, an unknown profile
named as the API names it."""

from __future__ import annotations

import re

from musicflow.app.taste import Standing, standing_of
from musicflow.app.vocabulary import Evaluation
from musicflow.config import Settings
from musicflow.errors import ProfileNotFoundError
from musicflow.model.split_scores import KNOWN_ARTISTS, NEW_ARTISTS
from musicflow.web import charts, words
from tests.web.test_same_as_api import Failing, client_of


def standing(
    ours: float, alone: float | None, known: float | None = None, new: float | None = None
) -> Standing | None:
    """A standing whose subsets by artist score `known` and `new` (the overall `ours` where not given,
    None: too few songs)."""
    metrics: dict[str, object] = {"ours": {"auc": {"mean": ours}}}
    for group, auc in ((KNOWN_ARTISTS, known), (NEW_ARTISTS, new)):
        metrics[group] = {"auc": {"mean": auc if auc is not None else ours}}
    if alone is not None:
        metrics["artist affinity alone"] = {"auc": {"mean": alone}}
    split = {"split": "time", "metrics": metrics, "test_sizes": {"streamed": 300, "others": 200}}
    return standing_of(3, Evaluation.from_dict({"splits": [split]}))


def test_an_auc_is_how_often_a_streamed_song_ranks_above_one_not_streamed() -> None:
    """0.92 is not "right 92 % of the time": it is 92 pairs in 100 ranked the right way round."""
    for said in (
        words.what_it_means(standing(0.92, None)),
        words.what_it_means(standing(0.92, 0.70)),
        words.what_it_means(standing(0.92, 0.95)),
        words.how_sure(standing(0.92, 0.70), True),
    ):
        ranked = "(ranks|ranked) (a song|one) you streamed above one you did not 92 times in 100"
        assert re.search(ranked, said), said
        assert not re.search(r"right|% of the time", said), said
    assert "your artist history alone 70" in words.what_it_means(standing(0.92, 0.70))
    assert "no better than your artist history alone (95 times in 100)" in words.what_it_means(
        standing(0.92, 0.95)
    )
    assert "barely better" in words.what_it_means(standing(0.925, 0.92))


def test_the_try_page_and_the_taste_page_judge_the_model_alike() -> None:
    """A model no better than the listener's artist history is never "fairly reliable" on one page and
    "barely better than your artist history" on the other."""
    for ours, alone, judged in ((0.85, 0.845, "barely better than"), (0.85, 0.90, "no better than")):
        said = (words.how_sure(standing(ours, alone), True), words.what_it_means(standing(ours, alone)))
        assert all(f"{judged} your artist history alone" in sentence for sentence in said), said
        assert "reliable" not in said[0]
    assert "It gives a fairly reliable hint" in words.how_sure(standing(0.85, 0.70), True)


def test_how_sure_quotes_the_figure_of_songs_like_the_one_asked() -> None:
    """A song by an artist the listener never streamed is judged by the model's test on such songs, not
    by its overall AUC; where the test had too few of them, the page says so and quotes nothing else."""
    judged = standing(0.84, 0.70, known=0.86, new=0.517)
    new = words.how_sure(judged, False)
    said = "for songs by artists new to you, the model ranked one you streamed above one you did not 52"
    assert said in new
    assert "(AUC 0.52;" in new and "84" not in new
    assert "It gives no more of a hint than a coin toss" in new  # 52 in 100 is no hint, weak or not
    assert "It gives a weak hint" in words.how_sure(standing(0.84, 0.70, known=0.86, new=0.60), False)
    known = words.how_sure(judged, True)
    assert "for songs by artists you stream" in known and "86 times in 100" in known
    metrics: dict[str, object] = {"ours": {"auc": {"mean": 0.84}}, KNOWN_ARTISTS: {"auc": {"mean": 0.86}}}
    split = {"split": "time", "metrics": metrics, "test_sizes": {"streamed": 300, "others": 200}}
    untested = words.how_sure(standing_of(3, Evaluation.from_dict({"splits": [split]})), False)
    assert "too few songs by artists new to you" in untested and "times in 100" not in untested


def test_a_long_label_wraps_and_keeps_its_numbers_whole() -> None:
    label = "you streamed Red Hot Chili Peppers 1,234 times, 1,200 of them other songs"
    svg = str(
        charts.diverging(
            [charts.Bar(label, 0.4, "+49 %"), charts.Bar("short", -0.1, "-10 %")], "t", head=("", "")
        )
    )
    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)
    assert "".join(lines[:-1]) == label and lines[-1] == "short"
    assert "…" not in svg
    bars = str(charts.hbars([charts.Bar(label, 3, "3"), charts.Bar("b", 1, "1")], "t", head=("", "")))
    bars = bars.split("</svg>")[0]  # what is drawn, not its table
    assert "1,234" in bars and "1,200" in bars and "…" not in bars


def test_a_label_of_any_length_is_written_whole_on_its_lines() -> None:
    label = " ".join(f"word{i}" for i in range(60))
    svg = str(charts.hbars([charts.Bar(label, 1, "1")], "t", head=("", "")))
    assert "…" not in svg and "".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)) == label


def test_an_unknown_profile_is_named_with_the_others_where_the_api_would_name_them() -> None:
    error = ProfileNotFoundError("profile 'nobody' has no data yet", known=["alice", "bob"])
    hidden = client_of(Failing(error, Settings())).get("/taste", params={"profile": "nobody"})
    assert hidden.status_code == 404 and "alice" not in hidden.text
    listed = client_of(Failing(error, Settings(api_list_profiles=True))).get(
        "/taste", params={"profile": "nobody"}
    )
    assert listed.status_code == 404 and "(profiles here: alice, bob)" in listed.text


def test_the_accuracy_summary_counts_what_the_log_holds_not_every_question_asked() -> None:
    """The command line logs only with --log: the page cannot say how often a model was asked."""
    from musicflow.app.prediction_accuracy import Accuracy
    from musicflow.model.judging import LAST_PLAY, Judgement
    from musicflow.web.views import accuracy_view

    judged = Judgement(4, 1_770_000_000.0, LAST_PLAY, False, 3, 1, 0, 0.0, None, None, ())
    view = accuracy_view(Accuracy("demo", (judged,), logged=3))
    assert view is not None
    assert view.summary.startswith("The prediction log holds model v4's answers about 3 songs.")
    assert "was asked" not in view.summary
