"""The feature side of the store, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from musicflow.config import Settings
from musicflow.core.plays import ExportFormat, Play
from musicflow.core.songs import CatalogRow, FeatureRecord, NotFound, match_key
from musicflow.errors import CatalogError
from musicflow.features.catalog import CatalogSource, import_catalog_file
from musicflow.store import open_store
from musicflow.store.factory import create_store_engine
from musicflow.store.migrate import alembic_config
from musicflow.store.sql import SqlStore

NOW = 1_800_000_000.0


def row(song: str, artist: str, spotify_id: str | None, **values: float) -> CatalogRow:
    return CatalogRow(spotify_id, song, (artist,), dict(values), line=2)


def played(store: SqlStore, *songs: tuple[str, str, str | None]) -> int:
    profile = store.ensure_profile("default")
    store.add_plays(
        profile,
        [
            Play(1_700_000_000 + 60 * n, 100_000, song, artist, None, sid, None, None, ExportFormat.EXTENDED)
            for n, (song, artist, sid) in enumerate(songs)
        ],
    )
    return profile


def test_importing_a_catalog_again_replaces_it(store: SqlStore):
    features = store.features
    assert features.import_catalog("mine", "a.csv", "csv", [row("A", "X", "1" * 22, energy=0.5)]) == 1
    assert features.import_catalog("mine", "b.csv", "csv", [row("B", "Y", None), row("C", "Z", None)]) == 2
    (info,) = features.catalogs()
    assert (info.name, info.file_name, info.rows) == ("mine", "b.csv", 2)
    by_id, _ = features.catalog_matches(["1" * 22], [])
    assert by_id == {}


def test_a_catalog_reads_back_as_rows_and_as_columns_alike(store: SqlStore):
    features = store.features
    rows = [
        row("A", "X", "1" * 22, energy=0.5, tempo=120.0),
        CatalogRow(None, "B", ("Y", "Z"), {"key": 3, "explicit": True, "danceability": 0.25}, line=7),
        CatalogRow("2" * 22, "", (), {"loudness": -6.5}, line=9),
    ]
    features.import_catalog("mine", "a.csv", "csv", rows)
    features.import_catalog("other", "b.csv", "csv", [row("C", "W", None, energy=0.1)])
    stored = list(features.catalog_rows("mine"))
    assert [(r.spotify_id, r.song, r.artists, r.values) for r in stored] == [
        (r.spotify_id, r.song, r.artists, r.values) for r in rows
    ]
    for batch in (1, 2, 3, 10):
        columns = list(features.catalog_columns("mine", batch))
        assert [len(c["line"]) for c in columns] == [min(batch, 3 - at) for at in range(0, 3, batch)]
        as_rows = [
            (c["spotify_id"][at], c["song"][at], c["artists"][at], c["line"][at], c["explicit"][at])
            for c in columns
            for at in range(len(c["line"]))
        ]
        assert as_rows == [
            (r.spotify_id, r.song, "; ".join(r.artists), r.line, r.values.get("explicit")) for r in stored
        ]
        for name in ("energy", "tempo", "key", "danceability", "loudness", "popularity"):
            assert [v for c in columns for v in c[name]] == [r.values.get(name) for r in stored]
        # the loose key the store keeps, which the ranking choice reads instead of folding every title
        keys = [match_key(r.artists[0], r.song) if r.song and r.artists else "" for r in stored]
        assert [k for c in columns for k in c["match_key"]] == keys  # "" for a row without a name
    assert list(features.catalog_columns("nothing", 10)) == []
    # rows read again by their ids (a second look at rows a first pass chose): the same columns
    (whole,) = list(features.catalog_columns("mine", 10))
    wanted = [whole["line"][2], whole["line"][0], 10**9]  # any order; an id no row has is left out
    (again,) = list(features.catalog_columns_of(wanted))
    assert again == {name: [values[0], values[2]] for name, values in whole.items()}
    assert list(features.catalog_columns_of([])) == []


def test_catalog_names_are_spelled_as_the_catalog_spells_them(store: SqlStore):
    features = store.features
    features.import_catalog("mine", "a.csv", "csv", [row("Sugar", "Maroon 5", None, energy=0.8)])
    several = CatalogRow(None, "Girls Like You (feat. Cardi B)", ("Maroon 5", "Cardi B"), {}, line=3)
    features.import_catalog("more", "b.csv", "csv", [several, row("Sugar - Remix", "maroon 5", None)])
    names = features.catalog_names([match_key("Maroon 5", "Sugar"), match_key("Maroon 5", "Girls Like You")])
    assert names == {
        match_key("Maroon 5", "Sugar"): ("Sugar", "Maroon 5"),  # the first row of the key
        match_key("Maroon 5", "Girls Like You"): ("Girls Like You (feat. Cardi B)", "Maroon 5"),
    }
    assert features.catalog_names([match_key("Nobody", "Nothing")]) == {}


def test_the_catalog_keys_and_the_songs_of_several_credited_artists_are_read(store: SqlStore):
    features = store.features
    several = CatalogRow(None, "Girls Like You (feat. Cardi B)", ("Maroon 5", "Cardi B"), {}, line=2)
    features.import_catalog("mine", "a.csv", "csv", [row("Sugar", "Maroon 5", None), several])
    assert features.catalog_credits() == [
        (match_key("Maroon 5", "Girls Like You"), "Girls Like You (feat. Cardi B)", "Maroon 5; Cardi B")
    ]
    features.import_catalog("again", "b.csv", "csv", [row("Sugar - Remastered", "Maroon 5", None)])
    assert sorted(features.catalog_keys()) == [  # each key once, whichever catalogs hold it
        match_key("Maroon 5", "Girls Like You"),
        match_key("Maroon 5", "Sugar"),
    ]


def test_catalog_source_finds_by_id_then_by_loose_name(store: SqlStore):
    store.features.import_catalog(
        "mine",
        "a.csv",
        "csv",
        [
            row(
                "Let It Be - Remastered 2009",
                "The Beatles",
                "7iN1s7xHE4ifF5povM6A48",
                energy=0.4,
                tempo=143.5,
            ),
            row("Something Else", "Nobody", "0000000000000000000000", energy=0.9),
        ],
    )
    source = CatalogSource(store.features)
    track = store.features.ensure_track("Let It Be", "the beatles")
    other = store.features.ensure_track("Unknown", "Nobody")
    answers = source.fetch([track.query, other.query])
    found = answers[track.query.key]
    assert isinstance(found, FeatureRecord)
    assert found.values == {"energy": 0.4, "tempo": 143.5}
    assert (found.spotify_id, found.origin) == ("7iN1s7xHE4ifF5povM6A48", "mine")
    assert isinstance(answers[other.query.key], NotFound)


def test_pending_tracks_skip_answered_and_recent_misses(store: SqlStore):
    profile = played(store, ("A", "X", None), ("B", "X", None), ("C", "X", None))
    pending = store.features.pending_tracks(profile, "reccobeats", NOW)
    assert [p.query.song for p in pending] == ["A", "B", "C"]
    a, b, _ = pending
    record = FeatureRecord("reccobeats", {"energy": 0.3}, spotify_id="2" * 22, fetched_at=NOW)
    store.features.save_answers(
        "reccobeats", {a.track_id: record, b.track_id: NotFound("reccobeats")}, now=NOW, miss_ttl_s=100
    )
    assert [p.query.song for p in store.features.pending_tracks(profile, "reccobeats", NOW + 10)] == ["C"]
    assert [p.query.song for p in store.features.pending_tracks(profile, "reccobeats", NOW + 101)] == [
        "B",
        "C",
    ]
    assert [p.query.song for p in store.features.pending_tracks(profile, "catalog", NOW)] == ["A", "B", "C"]
    # The resolved id is adopted by the track, so id-only sources can ask about it.
    assert store.features.find_track("A", "X").query.spotify_id == "2" * 22  # type: ignore[union-attr]


def test_a_new_answer_replaces_the_old_one_and_clears_the_miss(store: SqlStore):
    profile = played(store, ("A", "X", None))
    (pending,) = store.features.pending_tracks(profile, "reccobeats", NOW)
    tid = pending.track_id
    store.features.save_answers("reccobeats", {tid: NotFound("reccobeats")}, now=NOW, miss_ttl_s=10)
    assert store.features.misses_of([tid], NOW) == {tid: {"reccobeats": "not found"}}
    first = FeatureRecord("reccobeats", {"energy": 0.3, "key": 5}, fetched_at=NOW)
    store.features.save_answers("reccobeats", {tid: first}, now=NOW, miss_ttl_s=10)
    second = FeatureRecord("reccobeats", {"energy": 0.6}, fetched_at=NOW + 1)
    store.features.save_answers("reccobeats", {tid: second}, now=NOW + 1, miss_ttl_s=10)
    (stored,) = store.features.features_of([tid])[tid]
    assert stored.values == {"energy": 0.6}  # key is missing now, not left over
    assert store.features.misses_of([tid], NOW) == {}


def test_source_pauses_are_kept_until_cleared(store: SqlStore):
    assert store.features.source_pause("spotify") is None
    store.features.pause_source("spotify", NOW + 3600, "Retry-After 3600 s")
    pause = store.features.source_pause("spotify")
    assert pause is not None and pause.resume_at == NOW + 3600
    store.features.clear_pause("spotify")
    assert store.features.source_pause("spotify") is None


def test_a_file_that_is_not_a_catalog_leaves_the_stored_ones_alone(store: SqlStore, tmp_path: Path):
    store.features.import_catalog("mine", "a.csv", "csv", [row("A", "X", "1" * 22, energy=0.5)])
    bad = tmp_path / "mine.csv"
    bad.write_text("name,colour\nfoo,blue\n")
    with pytest.raises(CatalogError, match="not a catalog"):
        import_catalog_file(store.features, bad, "mine")
    assert [c.rows for c in store.features.catalogs()] == [1]


def test_a_catalog_file_with_no_usable_row_leaves_the_stored_one_alone(store: SqlStore, tmp_path: Path):
    """Refused inside the import's transaction: the rows, the catalog's record and its answers stay."""
    store.features.import_catalog("mine", "a.csv", "csv", [row("A", "X", "1" * 22, energy=0.5)])
    bad = tmp_path / "mine.csv"
    bad.write_text("id,name,artists,danceability,energy,tempo\n" + "2" * 22 + ",B,Y,7,0.5,120\n")
    with pytest.raises(
        CatalogError, match=r"none of its 1 row could be used.*catalog 'mine' is left as it was"
    ):
        import_catalog_file(store.features, bad, "mine")
    assert [(c.file_name, c.rows) for c in store.features.catalogs()] == [("a.csv", 1)]
    by_id, _ = store.features.catalog_matches(["1" * 22], [])
    assert list(by_id) == ["1" * 22]


def upgraded_from(revision: str, settings: Settings, *inserts: str) -> SqlStore:
    """A store made at an older `revision`, holding what `inserts` wrote, opened (so upgraded) now."""
    from alembic import command

    engine = create_store_engine(settings)
    command.upgrade(alembic_config(engine), revision)
    with engine.begin() as conn:
        for insert in inserts:
            conn.execute(text(insert))
    engine.dispose()
    return open_store(settings)


def stream_inserts(where: str, count: int, first: int, spotify_id: str | None = None) -> list[str]:
    """`count` streams of the track `where` picks, by the profile 'default', a minute apart from minute
    `first` on, as an old store's INSERTs (an old revision's tables, not today's store methods)."""
    sid = f"'{spotify_id}'" if spotify_id else "NULL"
    return [
        "INSERT INTO plays (profile_id, track_id, ended_at, ended_minute, ms_played, spotify_id, source) "
        f"SELECT p.id, t.id, {60 * n}, {n}, 200000, {sid}, 'basic' FROM profiles p, tracks t WHERE {where}"
        for n in range(first, first + count)
    ]


def missed_track_inserts(tracks: list[tuple[str, str, int]], key: Callable[[str, str], str]) -> list[str]:
    """An old store's INSERTs of each (title, artist, streams) as track 'k<i>' keyed by `key`, missed by
    the catalog (a miss remembered for decades) and streamed that many times, one after another."""
    inserts: list[str] = []
    n = 0
    for i, (title, artist, streams) in enumerate(tracks):
        quoted = title.replace("'", "''")  # keys fold the apostrophe away
        inserts.append(
            "INSERT INTO tracks (track_key, name, artist, match_key) "
            f"VALUES ('k{i}', '{quoted}', '{artist}', '{key(artist, title)}')"
        )
        inserts.append(
            "INSERT INTO fetch_misses (track_id, source, reason, expires_at) "
            f"SELECT id, 'catalog', 'not found', {FAR} FROM tracks WHERE track_key = 'k{i}'"
        )
        inserts += stream_inserts(f"t.track_key = 'k{i}'", streams, n)
        n += streams
    return inserts


def test_upgrading_a_store_of_the_first_schema_gives_its_tracks_match_keys(backend_settings: Settings):
    insert = "INSERT INTO tracks (track_key, name, artist) VALUES ('k', 'Song (feat. B)', 'A')"
    store = upgraded_from("0001", backend_settings, insert)
    try:
        found = store.features.find_track("song", "A")
        assert found is not None and found.query.song == "Song (feat. B)"
    finally:
        store.close()


OLD_KEY = "the offspring\x1fgone away 2021"  # as stores before revision 0006 keyed "Gone Away - 2021"


def test_upgrading_rekeys_titles_with_a_year_suffix_in_tracks_and_catalogs(backend_settings: Settings):
    store = upgraded_from(
        "0005",
        backend_settings,
        "INSERT INTO tracks (track_key, name, artist, match_key) "
        f"VALUES ('k', 'Gone Away - 2021', 'The Offspring', '{OLD_KEY}')",
        "INSERT INTO catalogs (name, file_name, format, rows, imported_at) "
        "VALUES ('mine', 'mine.csv', 'csv', 1, 0.0)",
        "INSERT INTO catalog_tracks (catalog_id, match_key, song, artists, energy) "
        f"SELECT id, '{OLD_KEY}', 'Gone Away - 2021', 'The Offspring; Someone', 0.5 FROM catalogs",
    )
    try:
        found = store.features.find_track("Gone Away", "The Offspring")
        assert found is not None and found.query.song == "Gone Away - 2021"
        plain = match_key("The Offspring", "Gone Away")
        _, by_key = store.features.catalog_matches([], [plain])
        assert [stored.values for stored in by_key[plain]] == [{"energy": 0.5}]
    finally:
        store.close()


# Songs as stores before revision 0015 keyed them: every version folded into the plain title.
VERSIONS = {"Despacito": 2, "Despacito - Remix": 5, "Despacito (Acoustic Version)": 1, "Live Forever": 4}


def test_upgrading_keeps_versions_apart_from_the_song_in_counts_and_catalogs(backend_settings: Settings):
    """A store from before revision 0015 counted a remix's streams as the song's: upgraded, each version
    is a song of its own, in a listener's counts and in the catalog rows that answer for it."""
    from musicflow.model.song_streams import song_streams
    from musicflow.store.migrations.frozen.match_key_0006 import match_key as key_before

    inserts = ["INSERT INTO profiles (name) VALUES ('default')"]
    for n, title in enumerate(VERSIONS):
        old = key_before("Luis Fonsi", title)
        inserts.append(
            "INSERT INTO tracks (track_key, name, artist, match_key) "
            f"VALUES ('k{n}', '{title}', 'Luis Fonsi', '{old}')"
        )
    plays = [(title, at) for title, streams in VERSIONS.items() for at in range(streams)]
    inserts += [
        "INSERT INTO plays (profile_id, track_id, ended_at, ended_minute, ms_played, source) "
        f"SELECT p.id, t.id, {60 * n}, {n}, 200000, 'basic' FROM profiles p, tracks t "
        f"WHERE t.name = '{title}'"
        for n, (title, _) in enumerate(plays)
    ]
    inserts.append(
        "INSERT INTO catalogs (name, file_name, format, rows, imported_at) "
        "VALUES ('mine', 'a.csv', 'csv', 2, 0)"
    )
    inserts += [
        "INSERT INTO catalog_tracks (catalog_id, match_key, song, artists, energy) "
        f"SELECT id, '{key_before('Luis Fonsi', title)}', '{title}', 'Luis Fonsi; Daddy Yankee', {energy} "
        "FROM catalogs"
        for title, energy in (("Despacito", 0.8), ("Despacito - Remix", 0.6))
    ]
    assert len({key_before("Luis Fonsi", title) for title in VERSIONS}) == 2  # how they were folded
    store = upgraded_from("0014", backend_settings, *inserts)
    try:
        profile = store.profile_id("default")
        assert profile is not None
        counted = song_streams(store.track_streams(profile, 30_000))
        assert [(song.track, song.streams) for song in counted] == [
            ("Despacito - Remix", 5),
            ("Live Forever", 4),
            ("Despacito", 2),
            ("Despacito (Acoustic Version)", 1),
        ]
        for title, energy in (("Despacito", 0.8), ("Despacito - Remix", 0.6), ("Despacito (Remix)", 0.6)):
            key = match_key("Luis Fonsi", title)
            _, by_key = store.features.catalog_matches([], [key])
            assert [stored.values for stored in by_key[key]] == [{"energy": energy}], title
        found = store.features.find_track("Despacito (Acoustic)", "Luis Fonsi")
        assert found is not None and found.query.song == "Despacito (Acoustic Version)"
    finally:
        store.close()


STUDIO, ACOUSTIC, REMIX = ("1" * 22, "3" * 22, "4" * 22)


def test_upgrading_forgets_what_a_version_was_answered_for_the_song_before_0015(backend_settings: Settings):
    """Before revision 0015 a live version had the song's key, so the catalog answered it with the studio
    song, whose Spotify id it took: upgraded, its streams are its own again and the studio song's
    features and id are gone from it; answers a version's own recording gave are kept."""
    from musicflow.model.song_streams import song_streams
    from musicflow.store.migrations.frozen.match_key_0015 import match_key as key_0015

    songs = {  # title: (the track's id, the id its plays carry, the recording the catalog answered)
        "Everlong": (STUDIO, STUDIO, STUDIO),
        "Everlong - Live at the Pantages Theatre": (STUDIO, None, STUDIO),
        "Everlong - Acoustic Version": (ACOUSTIC, None, ACOUSTIC),
        "Everlong - Remix": (REMIX, REMIX, STUDIO),
    }
    streams = {"Everlong": 3, "Everlong - Live at the Pantages Theatre": 2, "Everlong - Acoustic Version": 1}
    streams["Everlong - Remix"] = 1
    inserts = [
        "INSERT INTO profiles (name) VALUES ('default')",
        "INSERT INTO catalogs (name, file_name, format, rows, imported_at) "
        "VALUES ('mine', 'a.csv', 'csv', 3, 0)",
    ]
    for title, sid in (("Everlong", STUDIO), ("Everlong - Acoustic Version", ACOUSTIC)):
        inserts.append(
            "INSERT INTO catalog_tracks (catalog_id, spotify_id, match_key, song, artists, energy) "
            f"SELECT id, '{sid}', '{key_0015('Foo Fighters', title)}', '{title}', 'Foo Fighters', 0.5 "
            "FROM catalogs"
        )
    n = 0
    for i, (title, (own, carried, answer)) in enumerate(songs.items()):
        inserts.append(
            "INSERT INTO tracks (track_key, name, artist, spotify_id, match_key) "
            f"VALUES ('k{i}', '{title}', 'Foo Fighters', '{own}', '{key_0015('Foo Fighters', title)}')"
        )
        inserts.append(
            "INSERT INTO track_features (track_id, source, spotify_id, fetched_at, energy) "
            f"SELECT id, 'catalog', '{answer}', 0, 0.5 FROM tracks WHERE name = '{title}'"
        )
        inserts += stream_inserts(f"t.name = '{title}'", streams[title], n, carried)
        n += streams[title]
    store = upgraded_from("0015", backend_settings, *inserts)
    try:
        profile = store.profile_id("default")
        assert profile is not None
        counted = song_streams(store.track_streams(profile, 30_000))
        assert sorted((song.track, song.streams) for song in counted) == sorted(streams.items())
        with store.engine.connect() as conn:
            ids: dict[str, str | None] = dict(conn.execute(text("SELECT name, spotify_id FROM tracks")).all())
            answered: dict[str, str | None] = dict(
                conn.execute(
                    text(
                        "SELECT t.name, f.spotify_id FROM track_features f JOIN tracks t ON t.id = f.track_id"
                    )
                ).all()
            )
        assert ids == {
            "Everlong": STUDIO,
            "Everlong - Live at the Pantages Theatre": None,
            "Everlong - Acoustic Version": ACOUSTIC,
            "Everlong - Remix": REMIX,
        }
        assert answered == {"Everlong": STUDIO, "Everlong - Acoustic Version": ACOUSTIC}
    finally:
        store.close()


# Spellings as stores before revision 0017 keyed them: a suffix naming the singer's own version apart.
OWN_VERSION = "Into the Unknown - Panic! At The Disco Version"
FROM_FILM = 'Into the Unknown - From "Frozen 2"'
DUET = "Girls Like You - Cardi B Version"  # Maroon 5's, with a guest verse: another version still
FAR = 4_000_000_000.0  # a miss that would be remembered for decades


def test_upgrading_makes_a_singers_own_version_their_song_in_counts_and_catalogs(backend_settings: Settings):
    """A store from before revision 0017 counted "Into the Unknown - Panic! At The Disco Version" apart
    from Panic! At The Disco's "Into the Unknown - From \"Frozen 2\"": upgraded, they are one song in a
    listener's counts and in the catalog rows that answer for it, and the catalog, which missed the film's
    spelling when it held only the other, is asked again; other misses stand."""
    from musicflow.model.song_streams import song_streams
    from musicflow.store.migrations.frozen.match_key_0015 import match_key as key_before

    songs = {
        OWN_VERSION: ("Panic! At The Disco", 2),
        FROM_FILM: ("Panic! At The Disco", 3),
        DUET: ("Maroon 5", 1),
    }
    assert key_before("Panic! At The Disco", OWN_VERSION) != key_before("Panic! At The Disco", FROM_FILM)
    inserts = [
        "INSERT INTO profiles (name) VALUES ('default')",
        "INSERT INTO catalogs (name, file_name, format, rows, imported_at) "
        "VALUES ('mine', 'a.csv', 'csv', 2, 0)",
    ]
    n = 0
    for i, (title, (artist, streams)) in enumerate(songs.items()):
        quoted = title.replace("'", "''")
        inserts.append(
            "INSERT INTO tracks (track_key, name, artist, match_key) "
            f"VALUES ('k{i}', '{quoted}', '{artist}', '{key_before(artist, title)}')"
        )
        inserts += stream_inserts(f"t.name = '{quoted}'", streams, n)
        n += streams
        for source in ("catalog", "spotify"):
            inserts.append(
                "INSERT INTO fetch_misses (track_id, source, reason, expires_at) "
                f"SELECT id, '{source}', 'not found', {FAR} FROM tracks WHERE name = '{quoted}'"
            )
    for title, artists, energy in (
        (OWN_VERSION, "Panic! At The Disco", 0.5),
        (DUET, "Maroon 5; Cardi B", 0.7),
    ):
        inserts.append(
            "INSERT INTO catalog_tracks (catalog_id, match_key, song, artists, energy) "
            f"SELECT id, '{key_before(artists.split('; ')[0], title)}', '{title}', '{artists}', {energy} "
            "FROM catalogs"
        )
    store = upgraded_from("0016", backend_settings, *inserts)
    try:
        profile = store.profile_id("default")
        assert profile is not None
        counted = song_streams(store.track_streams(profile, 30_000))
        assert [(song.track, song.streams) for song in counted] == [(FROM_FILM, 5), (DUET, 1)]
        plain = match_key("Panic! At The Disco", "Into the Unknown")
        _, by_key = store.features.catalog_matches([], [plain])
        assert [stored.values for stored in by_key[plain]] == [{"energy": 0.5}]
        duet = match_key("Maroon 5", DUET)
        assert duet != match_key("Maroon 5", "Girls Like You")
        _, by_key = store.features.catalog_matches([], [duet])
        assert [stored.values for stored in by_key[duet]] == [{"energy": 0.7}]
        with store.engine.connect() as conn:
            misses = conn.execute(
                text("SELECT t.name, m.source FROM fetch_misses m JOIN tracks t ON t.id = m.track_id")
            ).all()
        assert sorted(misses) == sorted(
            [(OWN_VERSION, "spotify"), (FROM_FILM, "spotify"), (DUET, "catalog"), (DUET, "spotify")]
        )
    finally:
        store.close()


def test_upgrading_makes_a_band_one_artist_with_and_without_its_leading_the(backend_settings: Settings):
    """A store from before revision 0020 keyed a listener's "I Gotta Feeling" by Black Eyed Peas (the
    export's name) apart from the catalog's row by The Black Eyed Peas: upgraded, the catalog answers it,
    the misses of every track rekeyed are asked again, and a listener who streamed it has it under
    either name; "The The" is "the" and an artist called "The" is left as it is."""
    from musicflow.model.song_streams import song_streams

    def key_0019(artist: str, title: str) -> str:  # as stores keyed songs before 0020
        first = artist.split("; ")[0].casefold()
        return f"{first}\x1f{title.casefold()}"

    tracks = [("I Gotta Feeling", "Black Eyed Peas", 2), ("Pump It", "The Black Eyed Peas", 3)]
    tracks += [("This Is the Day", "The The", 1), ("Song", "The", 1)]
    inserts = [
        "INSERT INTO profiles (name) VALUES ('default')",
        "INSERT INTO catalogs (name, file_name, format, rows, imported_at) "
        "VALUES ('mine', 'a.csv', 'csv', 2, 0)",
        "INSERT INTO catalog_tracks (catalog_id, match_key, song, artists, energy) SELECT id, "
        f"'{key_0019('The Black Eyed Peas', 'I Gotta Feeling')}', 'I Gotta Feeling', "
        "'The Black Eyed Peas; Fergie', 0.5 FROM catalogs",
    ]
    store = upgraded_from("0019", backend_settings, *inserts, *missed_track_inserts(tracks, key_0019))
    try:
        key = match_key("Black Eyed Peas", "I Gotta Feeling")
        assert key == match_key("The Black Eyed Peas", "I Gotta Feeling")
        _, by_key = store.features.catalog_matches([], [key])
        assert [stored.values for stored in by_key[key]] == [{"energy": 0.5}]
        found = store.features.find_track("Pump It", "Black Eyed Peas")
        assert found is not None and found.query.artist == "The Black Eyed Peas"
        with store.engine.connect() as conn:
            keys: dict[str, str] = dict(conn.execute(text("SELECT name, match_key FROM tracks")).all())
            misses = conn.execute(
                text("SELECT t.name FROM fetch_misses m JOIN tracks t ON t.id = m.track_id")
            ).all()
        assert keys["This Is the Day"] == "the\x1fthis is the day" == match_key("The The", "This Is the Day")
        assert keys["Song"] == "the\x1fsong" == match_key("The", "Song")
        assert [name for (name,) in misses] == ["Song"]  # the only key left as it was: its miss stands
        profile = store.profile_id("default")
        assert profile is not None
        counted = song_streams(store.track_streams(profile, 30_000))
        assert sorted((song.track, song.streams) for song in counted)[:2] == [
            ("I Gotta Feeling", 2),
            ("Pump It", 3),
        ]
    finally:
        store.close()


def test_upgrading_makes_a_film_song_and_a_radio_version_the_song_in_counts_and_catalogs(
    backend_settings: Settings,
):
    """A store from before revision 0021 counted "Piya Milenge (From \"Raanjhanaa\")" apart from "Piya
    Milenge", and "Show Me Love - Radio Version" apart from the catalog's "Show Me Love": upgraded, each is
    one song in the listener's counts, the catalog answers the radio version and is asked again for the
    tracks rekeyed; an extended take is no longer the song, and a title that keys as before keeps its
    miss."""
    from musicflow.model.song_streams import song_streams
    from musicflow.store.migrations.frozen.match_key_0015 import match_key as key_0015

    def key_0020(artist: str, title: str) -> str:  # 0017's key, the artist without a leading "the"
        return key_0015(artist, title).removeprefix("the ")

    tracks = [
        ("Piya Milenge", "A.R. Rahman", 1),
        ('Piya Milenge (From "Raanjhanaa")', "A.R. Rahman", 29),
        ("Show Me Love - Radio Version", "Robyn", 2),
        ("Part of the Game (Extended Version)", "50 Cent", 3),
        ("Part of the Game", "50 Cent", 1),
        ("Can't Hide (From Love)", "Someone", 1),
    ]
    assert key_0020("A.R. Rahman", tracks[0][0]) != key_0020("A.R. Rahman", tracks[1][0])
    assert key_0020("50 Cent", tracks[3][0]) == key_0020("50 Cent", tracks[4][0])
    inserts = [
        "INSERT INTO profiles (name) VALUES ('default')",
        "INSERT INTO catalogs (name, file_name, format, rows, imported_at) "
        "VALUES ('mine', 'a.csv', 'csv', 1, 0)",
        "INSERT INTO catalog_tracks (catalog_id, match_key, song, artists, energy) "
        f"SELECT id, '{key_0020('Robyn', 'Show Me Love')}', 'Show Me Love', 'Robyn', 0.5 FROM catalogs",
    ]
    store = upgraded_from("0020", backend_settings, *inserts, *missed_track_inserts(tracks, key_0020))
    try:
        profile = store.profile_id("default")
        assert profile is not None
        counted = {song.track: song.streams for song in song_streams(store.track_streams(profile, 30_000))}
        assert counted == {
            'Piya Milenge (From "Raanjhanaa")': 30,
            "Part of the Game (Extended Version)": 3,
            "Show Me Love - Radio Version": 2,
            "Part of the Game": 1,
            "Can't Hide (From Love)": 1,
        }
        radio = match_key("Robyn", "Show Me Love - Radio Version")
        assert radio == match_key("Robyn", "Show Me Love")
        _, by_key = store.features.catalog_matches([], [radio])
        assert [stored.values for stored in by_key[radio]] == [{"energy": 0.5}]
        with store.engine.connect() as conn:
            misses = conn.execute(
                text("SELECT t.name FROM fetch_misses m JOIN tracks t ON t.id = m.track_id")
            ).all()
        assert sorted(name for (name,) in misses) == ["Can't Hide (From Love)", "Part of the Game"]
    finally:
        store.close()


def test_upgrading_makes_an_artist_whose_name_reads_as_several_credits_one_artist(backend_settings: Settings):
    """A store from before revision 0022 keyed "EARFQUAKE" by Tyler, The Creator as a song of "Tyler", and its
    catalog row, whose credits a file split at every comma, as "Tyler; The Creator; Playboi Carti":
    upgraded, the listener's song and the catalog's are one, keyed by Tyler, The Creator, the catalog's
    credits are joined back and it is asked again for the tracks rekeyed; "Lil Nas X" is no longer "Lil
    Nas", an extended take is keyed as one whatever its label ("- Extended", "(Extended Version)"), a
    composer's "Main Title" of one film is not another film's, and another artist called Tyler and a
    credit of two ("Drake, Future") key as before, their misses standing."""
    from musicflow.store.migrations.frozen.match_key_0021 import match_key as key_0021

    tracks = [
        ("EARFQUAKE", "Tyler, The Creator", 5),
        ("Old Town Road", "Lil Nas X", 2),
        ("Lonely Road", "Tyler", 1),
        ("Life Is Good", "Drake, Future", 1),
        ("Part of the Game (Extended Version)", "50 Cent", 1),
        ('Main Title (From "Rudy")', "Jerry Goldsmith", 1),
        ('Main Title (From "Stagecoach")', "Jerry Goldsmith", 1),
    ]
    assert key_0021("Tyler, The Creator", "EARFQUAKE") == key_0021("Tyler", "EARFQUAKE")
    assert key_0021("Jerry Goldsmith", tracks[-1][0]) == key_0021("Jerry Goldsmith", tracks[-2][0])
    inserts = [
        "INSERT INTO profiles (name) VALUES ('default')",
        "INSERT INTO catalogs (name, file_name, format, rows, imported_at) "
        "VALUES ('mine', 'a.csv', 'csv', 2, 0)",
        "INSERT INTO catalog_tracks (catalog_id, match_key, song, artists, energy) "
        f"SELECT id, '{key_0021('Tyler', 'EARFQUAKE')}', 'EARFQUAKE', "
        "'Tyler; The Creator; Playboi Carti', 0.5 FROM catalogs",
        "INSERT INTO catalog_tracks (catalog_id, match_key, song, artists, energy) "
        f"SELECT id, '{key_0021('Tyler', 'Lonely Road')}', 'Lonely Road', 'Tyler', 0.3 FROM catalogs",
    ]
    store = upgraded_from("0021", backend_settings, *inserts, *missed_track_inserts(tracks, key_0021))
    try:
        key = match_key("Tyler, The Creator", "EARFQUAKE")
        assert key != match_key("Tyler", "EARFQUAKE")
        _, by_key = store.features.catalog_matches([], [key])
        assert [stored.values for stored in by_key[key]] == [{"energy": 0.5}]
        other = match_key("Tyler", "Lonely Road")
        _, by_key = store.features.catalog_matches([], [other])
        assert [stored.values for stored in by_key[other]] == [{"energy": 0.3}]
        with store.engine.connect() as conn:
            keys: dict[str, str] = dict(conn.execute(text("SELECT name, match_key FROM tracks")).all())
            credits = conn.execute(text("SELECT artists FROM catalog_tracks ORDER BY song")).scalars().all()
            misses = conn.execute(
                text("SELECT t.name FROM fetch_misses m JOIN tracks t ON t.id = m.track_id")
            ).all()
        assert keys == {title: match_key(artist, title) for title, artist, _ in tracks}
        assert keys["Old Town Road"].startswith("lil nas x\x1f")
        assert keys["Part of the Game (Extended Version)"] == match_key(
            "50 Cent", "Part of the Game - Extended"
        )
        assert credits == ["Tyler, The Creator; Playboi Carti", "Tyler"]
        assert sorted(name for (name,) in misses) == ["Life Is Good", "Lonely Road"]
    finally:
        store.close()


def test_the_songs_several_catalog_rows_hold_are_read_with_each_rows_line(store: SqlStore):
    """What listing each song once reads: every loose key more than one row holds, in one catalog or
    across catalogs, with its rows (what each says and its line, as `catalog_columns` numbers it, in
    import order); a song of one row, and rows without a name, are left out."""
    features = store.features
    heathens = [row("Heathens", "Twenty One Pilots", "1" * 22, popularity=80)]
    heathens.append(row("Heathens", "Twenty One Pilots", "1" * 22, tempo=90.0))
    nameless = CatalogRow(None, "", (), {"energy": 0.2}, line=3)
    features.import_catalog("a", "a.csv", "csv", [*heathens, row("Alone", "X", None, energy=0.1), nameless])
    features.import_catalog("b", "b.csv", "csv", [row("HEATHENS", "Twenty One Pilots", "2" * 22), nameless])
    repeats = features.catalog_repeats()
    key = match_key("Twenty One Pilots", "Heathens")
    assert list(repeats) == [key]
    said = [(found.origin, found.spotify_id, dict(found.values)) for _, found in repeats[key]]
    assert said == [
        ("a", "1" * 22, {"popularity": 80}),
        ("a", "1" * 22, {"tempo": 90.0}),
        ("b", "2" * 22, {}),
    ]
    songs = {
        line: song
        for name in ("a", "b")
        for columns in features.catalog_columns(name, 10)
        for line, song in zip(columns["line"], columns["song"], strict=True)
    }
    lines = [line for line, _ in repeats[key]]
    assert lines == sorted(lines) and [songs[line] for line in lines] == ["Heathens", "Heathens", "HEATHENS"]


def test_a_spotify_id_finds_the_track_that_holds_it_else_one_of_its_catalog_songs(store: SqlStore):
    features = store.features
    listener = store.ensure_profile("alice")
    mine, catalogs_own, nobodys = "1" * 22, "2" * 22, "3" * 22
    store.add_plays(
        listener,
        [
            Play(
                1_700_000_000 + 60 * i,
                200_000,
                "Glycerine",
                "Bush",
                None,
                mine,
                None,
                None,
                ExportFormat.BASIC,
            )
            for i in range(3)
        ]
        + [
            Play(
                1_700_100_000,
                200_000,
                "Glycerine - Remastered",
                "Bush",
                None,
                None,
                None,
                None,
                ExportFormat.BASIC,
            )
        ],
    )
    features.import_catalog("mine", "a.csv", "csv", [row("Glycerine - 2011 Remaster", "Bush", catalogs_own)])
    found = features.tracks_by_spotify_id([mine, catalogs_own, nobodys])
    assert found[mine].query.song == "Glycerine"  # the track holding the id
    assert found[catalogs_own].query.song == "Glycerine"  # the most played track of the catalog row's song
    assert nobodys not in found
