"""ReccoBeats through its fake: batching, matching rows by href, validation per row, not-found ids."""

from __future__ import annotations

import logging
import random
import string
from collections.abc import Iterator

import httpx
import pytest

from musicflow.core.songs import FeatureRecord, NotFound, TrackQuery
from musicflow.errors import InvalidPayloadError, UpstreamUnavailableError
from musicflow.features.reccobeats import ReccoBeatsOptions, ReccoBeatsSource
from musicflow.features.source_port import FeatureSource
from tests.fakes.clock import FakeClock
from tests.fakes.options import FAST_HTTP
from tests.fakes.reccobeats import AUDIO_PATH, TRACK_PATH, FakeReccoBeats, made_up_audio, made_up_track
from tests.fakes.server import html_page, json_response


def spotify_ids(count: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits
    return ["".join(rng.choice(alphabet) for _ in range(22)) for _ in range(count)]


def query(spotify_id: str | None, key: str | None = None) -> TrackQuery:
    return TrackQuery(key=key or f"key-{spotify_id}", song="Song", artist="Artist", spotify_id=spotify_id)


@pytest.fixture
def source(reccobeats_server: FakeReccoBeats, clock: FakeClock) -> Iterator[ReccoBeatsSource]:
    made = ReccoBeatsSource(
        ReccoBeatsOptions(base_url=reccobeats_server.base_url, http=FAST_HTTP), clock=clock
    )
    yield made
    made.close()


def test_features_and_metadata_are_mapped_to_the_feature_table(source, reccobeats_server):
    [song] = spotify_ids(1)
    reccobeats_server.add(song)
    reccobeats_server.override_track(
        song, availableCountries="US,GB,DE,FR", popularity=71, isrc="USUM72104140"
    )

    answer = source.fetch([query(song)])[f"key-{song}"]

    audio = made_up_audio(song)
    assert isinstance(answer, FeatureRecord)
    assert answer.source == "reccobeats" and answer.spotify_id == song and answer.isrc == "USUM72104140"
    assert answer.values["energy"] == audio["energy"] and answer.values["tempo"] == audio["tempo"]
    assert answer.values["key"] == audio["key"] and answer.values["mode"] == audio["mode"]
    assert answer.values["duration_ms"] == made_up_track(song)["durationMs"]
    assert answer.values["popularity"] == 71
    assert answer.values["n_markets"] == 4
    assert answer.values["n_artists"] == 1


def test_rows_in_shuffled_order_are_matched_by_href_not_position(source, reccobeats_server):
    songs = spotify_ids(30)
    reccobeats_server.add(*songs)

    answers = source.fetch([query(s) for s in songs])

    for song in songs:
        record = answers[f"key-{song}"]
        assert isinstance(record, FeatureRecord)
        assert record.values["danceability"] == made_up_audio(song)["danceability"]
        assert record.values["duration_ms"] == made_up_track(song)["durationMs"]


def test_more_than_40_ids_are_split_into_batches_of_at_most_40(source, reccobeats_server):
    songs = spotify_ids(95)
    reccobeats_server.add(*songs)

    answers = source.fetch([query(s) for s in songs])

    assert sorted(len(ids) for ids in reccobeats_server.ids_asked(AUDIO_PATH)) == [15, 40, 40]
    assert sorted(len(ids) for ids in reccobeats_server.ids_asked(TRACK_PATH)) == [15, 40, 40]
    assert reccobeats_server.statuses[400] == 0
    assert all(isinstance(answers[f"key-{s}"], FeatureRecord) for s in songs)


def test_fake_wire_format_more_than_40_ids_is_refused_with_400(reccobeats_server):
    """Guards the fake, on purpose: ReccoBeats answers 400 past 40 ids, and the batching test above
    means something only if the fake refuses an oversized batch the same way."""
    ids = ",".join(spotify_ids(41))
    response = httpx.get(reccobeats_server.base_url + "/audio-features", params={"ids": ids})
    assert response.status_code == 400


def test_unknown_ids_are_not_found_and_known_ones_answered(source, reccobeats_server):
    known, unknown = spotify_ids(2)
    reccobeats_server.add(known)

    answers = source.fetch([query(known), query(unknown)])

    assert isinstance(answers[f"key-{known}"], FeatureRecord)
    assert answers[f"key-{unknown}"] == NotFound("reccobeats")


def test_an_out_of_range_row_is_rejected_and_the_rest_of_the_batch_stands(source, reccobeats_server, caplog):
    bad, good = spotify_ids(2)
    reccobeats_server.add(good)
    reccobeats_server.override_audio(bad, energy=1.7)

    answers = source.fetch([query(bad), query(good)])

    assert f"key-{bad}" not in answers  # no answer at all: asked again next run, nothing of it stored
    assert isinstance(answers[f"key-{good}"], FeatureRecord)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == [
        "reccobeats: 1 row refused and not stored (asked again on the next fetch): energy should be"
        f" within 0..1 (e.g. track {bad} got 1.7)"
    ]


def test_rows_refused_are_warned_of_once_per_fault_with_each_at_debug(source, reccobeats_server, caplog):
    """One fault on every row of an answer was one warning a row: it is one a fault for the question, the
    most frequent first, said as it is answered (a server says it then, not when it stops), and each row
    is said at DEBUG."""
    caplog.set_level(logging.DEBUG, logger="musicflow.features.reccobeats")
    songs = spotify_ids(85)
    for song in songs[:80]:
        reccobeats_server.override_audio(song, energy=7.5 if song != songs[5] else 9.0)
    for song in songs[80:]:
        reccobeats_server.override_track(song, durationMs="three minutes")

    assert source.fetch([query(s) for s in songs]) == {}

    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == [
        "reccobeats: 80 rows refused and not stored (asked again on the next fetch): energy should be"
        f" within 0..1 (e.g. track {songs[0]} got 7.5)",
        "reccobeats: 5 rows refused and not stored (asked again on the next fetch): duration_ms should"
        f" be a int (e.g. track {songs[80]} got 'three minutes')",
    ]
    detail = [
        r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG and "refused" in r.getMessage()
    ]
    assert len(detail) == 85 and any(songs[5] in line and "got 9.0" in line for line in detail)


def test_a_bad_metadata_row_rejects_the_whole_song(source, reccobeats_server):
    [song] = spotify_ids(1)
    reccobeats_server.override_track(song, durationMs="three minutes")

    assert source.fetch([query(song)]) == {}


def test_queries_without_a_spotify_id_are_left_out_and_cost_no_request(source, reccobeats_server):
    answers = source.fetch([query(None, key="no-id")])

    assert answers == {}
    assert reccobeats_server.count(AUDIO_PATH) == 0


def test_a_malformed_spotify_id_is_not_found_without_spoiling_the_batch(source, reccobeats_server):
    [good] = spotify_ids(1)
    reccobeats_server.add(good)

    answers = source.fetch([query("not-an-id", key="bad"), query(good)])

    assert answers["bad"] == NotFound("reccobeats", "not a Spotify track id")
    assert isinstance(answers[f"key-{good}"], FeatureRecord)
    assert reccobeats_server.ids_asked(AUDIO_PATH) == [[good]]


def test_two_queries_for_one_id_are_asked_once_and_both_answered(source, reccobeats_server):
    [song] = spotify_ids(1)
    reccobeats_server.add(song)

    answers = source.fetch([query(song, key="a"), query(song, key="b")])

    assert answers["a"] == answers["b"]
    assert reccobeats_server.ids_asked(AUDIO_PATH) == [[song]]


def test_a_song_with_audio_but_no_track_row_keeps_its_audio_features(source, reccobeats_server):
    [song] = spotify_ids(1)
    reccobeats_server.add(song)
    reccobeats_server.without_track_row.add(song)

    record = source.fetch([query(song)])[f"key-{song}"]

    assert isinstance(record, FeatureRecord)
    assert "energy" in record.values and "duration_ms" not in record.values


def test_rows_naming_no_asked_track_are_ignored(source, reccobeats_server, caplog):
    caplog.set_level(logging.WARNING)
    [song] = spotify_ids(1)
    reccobeats_server.override_audio(song, href="https://example.com/whatever")

    answers = source.fetch([query(song)])

    record = answers[f"key-{song}"]
    assert isinstance(record, FeatureRecord) and "energy" not in record.values  # only the track row matched
    assert caplog.messages == [
        "reccobeats: 1 row of /audio-features ignored: its href names no track asked"
        " (e.g. 'https://example.com/whatever')"
    ]


def test_an_html_page_instead_of_json_is_an_invalid_payload(source, reccobeats_server):
    [song] = spotify_ids(1)
    reccobeats_server.script(AUDIO_PATH, html_page(200))

    with pytest.raises(InvalidPayloadError):
        source.fetch([query(song)])


def test_content_of_the_wrong_shape_is_an_invalid_payload(source, reccobeats_server):
    [song] = spotify_ids(1)
    reccobeats_server.script(AUDIO_PATH, json_response(200, {"content": {"rows": []}}))

    with pytest.raises(InvalidPayloadError, match="content"):
        source.fetch([query(song)])


def test_a_server_that_keeps_failing_is_unavailable(source, reccobeats_server):
    [song] = spotify_ids(1)
    reccobeats_server.script(AUDIO_PATH, *[json_response(500, {"error": "Internal Server Error"})] * 10)

    with pytest.raises(UpstreamUnavailableError, match="reccobeats"):
        source.fetch([query(song)])


def test_source_is_a_feature_source_with_batches_of_40(source):
    port: FeatureSource = source  # checked by mypy: the class implements the protocol
    assert port.name == "reccobeats"
    assert port.batch_size == 40
