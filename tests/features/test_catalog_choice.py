"""A song asked by name whose loose key several catalog rows share is answered for one recording, by one
rule: the most popular, rows without popularity last, then the earliest released."""

from __future__ import annotations

from collections.abc import Sequence

from musicflow.core.songs import FeatureRecord, FeatureValue, TrackQuery, track_key
from musicflow.features.catalog import CatalogSource, answer_by_name
from musicflow.store.ports import StoredFeatures


class Rows:
    """Catalog rows of one song, found by its loose key (and by id)."""

    def __init__(self, rows: Sequence[StoredFeatures]) -> None:
        self.rows = list(rows)

    def catalog_matches(
        self, spotify_ids: Sequence[str], match_keys: Sequence[str]
    ) -> tuple[dict[str, list[StoredFeatures]], dict[str, list[StoredFeatures]]]:
        by_id: dict[str, list[StoredFeatures]] = {}
        for row in self.rows:
            if row.spotify_id is not None and row.spotify_id in spotify_ids:
                by_id.setdefault(row.spotify_id, []).append(row)
        return by_id, {key: self.rows for key in match_keys}


def row(spotify_id: str | None, **values: FeatureValue) -> StoredFeatures:
    return StoredFeatures("catalog", "some catalog", 0.0, {"tempo": 120.0, **values}, spotify_id, None)


def answer(rows: Sequence[StoredFeatures], spotify_id: str | None = None) -> FeatureRecord:
    query = TrackQuery(
        track_key("Twenty One Pilots", "Heathens"), "Heathens", "Twenty One Pilots", spotify_id
    )
    found = CatalogSource(Rows(rows)).fetch([query])[query.key]
    assert isinstance(found, FeatureRecord)
    return found


def test_the_most_popular_row_wins_over_one_with_more_values():
    reissue = row("reissue", popularity=33, release_year=2023, release_month=7)
    original = row("original", popularity=83)
    for rows in ([reissue, original], [original, reissue]):
        found = answer(rows)
        assert found.spotify_id == "original"
        assert "release_year" not in found.values  # not taken from another recording


def test_rows_without_popularity_come_last_then_the_earliest_release_wins():
    assert answer([row("unknown", release_year=1990), row("known", popularity=10)]).spotify_id == "known"
    later = row("later", popularity=50, release_year=2020)
    earlier = row("earlier", popularity=50, release_year=2016, release_month=4)
    assert answer([later, earlier]).spotify_id == "earlier"
    assert answer([row("undated", popularity=50), later]).spotify_id == "later"


def test_the_listeners_own_spotify_id_comes_first():
    rows = [row("original", popularity=83), row("theirs", popularity=33)]
    assert answer(rows, spotify_id="theirs").spotify_id == "theirs"


def test_the_row_leading_an_answer_is_the_fullest_of_the_recording_chosen():
    """What `recommend` lists a song as: of the recording chosen (the most popular), its row with the
    most values, whose gaps the recording's other rows fill, as the answer to the song asked by name."""
    sparse = row("original", popularity=83)
    full = row("original", energy=0.5, valence=0.3)
    reissue = row("reissue", popularity=33, danceability=0.1, energy=0.2, valence=0.4)
    for rows in ([sparse, reissue, full], [full, reissue, sparse]):
        lead, found = answer_by_name(rows)
        assert lead is full
        assert found == answer(rows)
        assert dict(found.values) == {"tempo": 120.0, "energy": 0.5, "valence": 0.3, "popularity": 83}
