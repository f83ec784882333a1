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
        "Trained on 634 streamed, 40 others, 203 catalog, 391 shipped "
        "(zeros: others, then catalog, then shipped)."
    )
    assert lines[1] == (
        "  zeros with audio features: 203 catalog, 391 shipped made up for what the first sources lacked "
        "(634 wanted)"
    )
    assert len(lines) == 2
