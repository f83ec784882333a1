"""What `train` shows of the zeros: where a kind of song lacked them, what made up for it."""

from __future__ import annotations

import io

from rich.console import Console

from musicflow.cli.render_model import training


def test_the_report_says_which_zeros_were_made_up_and_from_where() -> None:
    out = io.StringIO()
    training(
        Console(file=out, width=200),
        {
            "rows": {"streamed": 634, "others": 40, "catalog": 203, "shipped": 391},
            "zero_strategy": "others, then catalog, then shipped",
            "zeros": {
                "wanted": {"audio": 634},
                "drawn": {"audio": {"others": 40, "catalog": 203, "shipped": 391}},
                "made_up": {"audio": {"catalog": 203, "shipped": 391}},
            },
        },
    )
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "The model that serves trained on every row: 634 streamed, 40 others, 203 catalog, 391 shipped "
        "(zeros: others, then catalog, then shipped)."
    )
    assert lines[1] == (
        "  zeros with audio features: 203 catalog, 391 shipped made up for what the first sources lacked "
        "(634 wanted)"
    )
    assert len(lines) == 2


def test_a_feature_left_out_is_named_with_why() -> None:
    out = io.StringIO()
    document = {
        "rows": {"streamed": 2893, "shipped": 2893},
        "zero_strategy": "shipped, then catalog",
        "dropped_features": {"release_day": "available for 18% of streamed songs but 6% of shipped zeros"},
    }
    training(Console(file=out, width=300), document)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("The model that serves trained on every row: 2,893 streamed, 2,893 shipped")
    assert lines[1] == "  left out: release_day: available for 18% of streamed songs but 6% of shipped zeros"
    assert len(lines) == 2


def test_train_says_how_recommendations_will_be_ranked() -> None:
    out = io.StringIO()
    choice = {"ranker": "artist affinity", "found": {"MusicFlow": 4, "artist affinity": 9}, "later": 163}
    training(Console(file=out, width=300), {"rows": {"streamed": 10}, "recommend_ranking": choice})
    said = " ".join(out.getvalue().split())  # the console wraps it
    assert said[said.index("Recommendations:") :] == (
        "Recommendations: The first 20 ranked by your streams of the artist, then the catalog's popularity:"
        " on your own past, that found 9"
        " of the songs you went on to stream in its first 100, where MusicFlow's predicted streams alone"
        " found 4. After them, by MusicFlow's predicted streams times the square of the catalog's"
        " popularity, which found more of public listeners' later songs in the first 100 of such a list."
    )
