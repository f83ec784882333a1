"""The numbers behind each chart, on small listeners whose answers can be worked out by hand."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from musicflow.app.taste import (
    Count,
    Taste,
    average_features,
    source_shares,
    standing_of,
    streams_by_hour,
    streams_by_weekday,
    streams_per_month,
    top_songs_average,
)
from musicflow.app.vocabulary import TASTE_FEATURES, Evaluation
from musicflow.core.timezone import zone_named
from musicflow.web import charts, highscore, views, words


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def test_months_run_from_the_first_to_the_last_with_quiet_months_as_zero() -> None:
    plays = [at("2024-11-30T23:59:00"), at("2024-11-02T10:00:00"), at("2025-02-01T00:00:00")]
    assert streams_per_month(plays) == [
        Count("2024-11", 2),
        Count("2024-12", 0),
        Count("2025-01", 0),
        Count("2025-02", 1),
    ]
    assert streams_per_month([]) == []


def test_hours_and_weekdays_count_each_stream_once() -> None:
    plays = [at("2025-03-03T07:15:00"), at("2025-03-03T07:45:00"), at("2025-03-09T23:00:00")]  # Mon, Mon, Sun
    hours = streams_by_hour(plays)
    assert hours[7] == 2 and hours[23] == 1 and sum(hours) == 3
    assert streams_by_weekday(plays) == [2, 0, 0, 0, 0, 0, 1]


def test_the_average_leaves_out_songs_without_a_value() -> None:
    songs: list[dict[str, float | None]] = [
        {"energy": 0.2, "tempo": 100.0},
        {"energy": 0.6},
        {"energy": None, "tempo": 140.0, "mode": 1},
    ]
    assert average_features(songs) == pytest.approx({"energy": 0.4, "tempo": 120.0})


def test_the_taste_average_is_of_the_most_streamed_songs_with_features() -> None:
    songs = [(1, {"energy": 0.1}), (9, {"energy": 0.9}), (5, {}), (7, {"energy": 0.5}), (0, {"energy": 0.0})]
    assert top_songs_average(songs, limit=2) == pytest.approx({"energy": 0.7})
    assert top_songs_average(songs) == pytest.approx({"energy": 0.5})


def test_source_shares_count_streams_of_songs_each_source_knows() -> None:
    tracks = [(10, ["catalog"]), (5, ["catalog", "reccobeats"]), (3, []), (2, ["reccobeats"])]
    shares, seen = source_shares(tracks)
    assert shares == [Count("catalog", 15), Count("reccobeats", 7)]
    assert seen == 17


def test_the_standing_reads_the_time_split_means() -> None:
    evaluation = {
        "splits": [
            {"split": "random", "metrics": {"ours": {"auc": {"mean": 0.99}}}, "test_sizes": {}},
            {
                "split": "time",
                "metrics": {
                    "ours": {"auc": {"mean": 0.75}, "sp_plus": {"mean": 0.15}},
                    "artist affinity alone": {"auc": {"mean": 0.6}, "sp_plus": {"mean": None}},
                },
                "test_sizes": {"streamed": 300, "skipped": 100},
            },
        ]
    }
    standing = standing_of(4, Evaluation.from_dict(evaluation))
    assert standing is not None and standing.ours is not None
    assert (standing.ours.auc, standing.ours.sp_plus, standing.test_songs) == (0.75, 0.15, 400)
    assert (standing.streamed_songs, standing.zeros) == (300, {"skipped": 100})
    reference = standing.reference("artist affinity alone")
    assert reference is not None and reference.sp_plus is None
    assert standing_of(4, Evaluation.from_dict({"splits": []})) is None


def test_a_bar_is_as_long_as_its_share_of_the_largest() -> None:
    svg = charts.hbars([charts.Bar("a", 50, "50"), charts.Bar("b", 25, "25")], "t", head=("", ""))
    bars = [part.split('width="')[1].split('"')[0] for part in svg.split("<rect")[1:]]
    full, half = float(bars[1]), float(bars[3])  # each row: its track, then its bar
    assert half == pytest.approx(full / 2)


def test_the_song_is_set_against_the_average_on_the_same_scale() -> None:
    svg = views.against_taste({"energy": 0.8, "tempo": 125.0}, {"energy": 0.4, "tempo": 200.0})
    assert svg is not None
    assert "80 %" in svg and "40 %" in svg and "125" in svg
    assert set(views.FEATURE_SCALES) == set(TASTE_FEATURES)  # each averaged feature has its words and scale


def test_the_highscore_keeps_the_best_once_each_and_drops_garbage() -> None:
    session: dict[str, object] = {}
    for song, streams in [("C", 1.0), ("A", 2.0), ("B", 9.0), ("a", 4.0)]:
        highscore.record(session, highscore.Entry(song, "X", streams, "demo"))
    assert [(e.song, e.streams) for e in highscore.entries(session)] == [("B", 9.0), ("a", 4.0), ("C", 1.0)]
    session["highscore"] = [["Z", "X", "999", "demo"], "junk", ["Y", "X", 3.0, "demo"]]
    assert [e.song for e in highscore.entries(session)] == ["Y"]
    highscore.reset(session, "demo")
    assert highscore.entries(session) == []


def test_the_test_songs_are_the_answered_ones_the_listeners_apart_from_the_zeros() -> None:
    """ "Tested on N songs" counts the songs the model was scored on, and says which were the listener's
    and where the others came from, instead of one number that mixes them."""
    split = {
        "split": "time",
        "metrics": {"ours": {"auc": {"mean": 0.8}}},
        "test_sizes": {"streamed": 1139, "others": 1505},
        "answered": {"streamed": 789, "others": 581},
    }
    standing = standing_of(2, Evaluation.from_dict({"splits": [split]}))
    assert standing is not None
    assert (standing.streamed_songs, standing.zeros, standing.test_songs) == (789, {"others": 581}, 1370)
    text = words.tested_on(standing)
    assert text.startswith("789 songs you first heard after its training data and 581 you did not stream")
    assert "songs other listeners in this store streamed" in text
    answered = {"streamed": 40, "shipped": 30, "catalog": 5}
    mixed = standing_of(2, Evaluation.from_dict({"splits": [{**split, "answered": answered}]}))
    assert mixed is not None
    assert words.tested_on(mixed).endswith(
        "35 you did not stream (songs other people streamed, from the list MusicFlow ships: 30; "
        "catalog songs: 5)"
    )


def test_hours_weekdays_and_months_are_counted_in_the_listeners_time_zone() -> None:
    """The export's times are UTC; a listener in Berlin streams at 8 in winter and at 9 in summer what
    the export says was 7, and a Sunday 23:30 UTC stream is Monday in Berlin."""
    berlin = zone_named("Europe/Berlin")
    winter, summer = at("2025-01-06T07:15:00"), at("2025-07-07T07:15:00")  # both Mondays, 7:15 UTC
    late_sunday = at("2025-03-09T23:30:00")
    hours = streams_by_hour([winter, summer, late_sunday], berlin)
    assert (hours[8], hours[9], hours[0], sum(hours)) == (1, 1, 1, 3)
    assert streams_by_hour([winter, summer, late_sunday])[7] == 2  # in UTC, as the export has it
    assert streams_by_weekday([late_sunday], berlin) == [1, 0, 0, 0, 0, 0, 0]
    new_year = at("2024-12-31T23:30:00")
    assert streams_per_month([new_year], berlin) == [Count("2025-01", 1)]
    assert streams_per_month([new_year]) == [Count("2024-12", 1)]


def test_a_time_zone_is_an_iana_name_or_this_machines() -> None:
    assert zone_named("") is None and zone_named("  ") is None
    assert str(zone_named("America/New_York")) == "America/New_York"
    with pytest.raises(ValueError, match="not a time zone"):
        zone_named("Mars/Olympus_Mons")
    with pytest.raises(ValueError, match="not a time zone"):
        zone_named("../../etc/passwd")


def test_the_charts_name_the_zone_they_count_in() -> None:
    taste = Taste("me", 0, [], [], [], [0] * 24, [0] * 7, [], 0, time_zone="Europe/Berlin")
    view = views.taste_view(taste)
    assert "Streams by hour (Europe/Berlin)" in view.hours
    assert "Streams by weekday (Europe/Berlin)" in view.weekdays


def test_a_long_reason_is_written_whole_on_as_many_lines_as_it_takes() -> None:
    reason = (
        "↓ you streamed one song by Fall Out Boy: an estimate resting on one song leans down toward what a"
        " song by an artist new to you gets (21.1 from the model alone)"
    )
    drawn = str(charts.diverging([charts.Bar(reason, -0.5, "-46 %", "bad")], "Why", head=("", "")))
    written = "".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", drawn))
    assert written == reason
    assert "…" not in drawn


def test_a_charts_table_holds_every_bar_even_those_whose_label_is_not_drawn() -> None:
    months = [("2024-11", 2), ("2024-12", 0), ("2025-01", 1234), ("2025-02", 1)]
    drawn, table = str(charts.columns(months, "Streams per month", every=4, head=("Month", "Streams"))).split(
        "</svg>"
    )
    assert re.findall(r'class="tick"[^>]*>([^<]*)<', drawn) == ["2024-11", "most: 1,234"]  # one label in four
    assert '<th scope="col">Month</th><th scope="col">Streams</th>' in table
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th><td>([^<]*)</td></tr>', table)
    assert rows == [("2024-11", "2"), ("2024-12", "0"), ("2025-01", "1,234"), ("2025-02", "1")]
    pairs = str(charts.pairs([charts.Pair("Energy", 0.5, None, "50 %", "")], "t", "a", "b", row_head="Sound"))
    assert (
        re.findall(r"<tr>(.*?)</tr>", pairs.split("</svg>")[1])[1]
        == '<th scope="row">Energy</th><td>50 %</td><td></td>'
    )
