"""Batch use cases: score a whole catalog for a listener, and recommend songs they never played.

Both ship the listener's champion and history to the scorer as a `ScoringPack` (plain data), so the
local engine and Dask workers score alike. `recommend` reads the store's catalogs a batch at a time and
keeps only the best candidates, so its memory grows little with the catalogs: ranked by two places, a
first pass keeps each candidate's predicted streams, popularity and id (24 bytes a row), and a second
reads again only the rows placed well enough. A song several catalog entries hold is a candidate once,
as the entry predicting it by name answers from (`ListedRecordings`), so the number beside it is the
one `predict` gives for its name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from musicflow.app.results import streams_as_written
from musicflow.app.serving import ServingModel
from musicflow.errors import CatalogNotFoundError, Hint, InputFileError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import polars as pl

    from musicflow.app.ranker_choice import Reference
    from musicflow.features.audio.folder import FileMapper
    from musicflow.features.catalog_files import ColumnMapping
    from musicflow.model.explain import Contribution
    from musicflow.model.song_streams import Streamed
    from musicflow.scale.engines import Engine
    from musicflow.scale.job import JobInput, ScoreSummary
    from musicflow.scale.pack import ScoringPack
    from musicflow.store.ports import Store

    Floats = npt.NDArray[np.float64]

RECOMMEND_BATCH = 100_000
CANDIDATES_PER_PLACE = 8  # best-scored rows looked at per place of the list, to drop repeats from
DEFAULT_PER_ARTIST = 2
POPULARITY_COLUMN = "popularity"
ARTIST_STREAMS_COLUMN = "artist_streams"


@dataclass(frozen=True)
class Recommendation:
    song: str
    artist: str
    spotify_id: str | None  # the catalog's Spotify id of the song, where it has one
    predicted_streams: float
    reasons: list[Contribution] = field(default_factory=list)
    version_of: str | None = None  # "a remix of Grip, which you streamed 40 times"
    how_sure: str | None = None  # what the model's test says of songs like it
    ranked_by: str | None = None  # how the list was ranked, and why (`ranker_choice.py`)
    by_prediction: bool = True  # the list is ranked by predicted streams (else `ranked_by` says how)
    popularity: float | None = None  # the catalog's (0-100), where it has one
    artist_streams: int = 0  # the listener's streams of the artist, as the taste page counts them
    # What the list is ranked by besides predicted streams: POPULARITY_COLUMN, ARTIST_STREAMS_COLUMN.
    ranked_on: tuple[str, ...] = ()

    @property
    def artist_words(self) -> str:
        """The artists as a person reads them: "XXXTENTACION and Trippie Redd" for the catalog's
        "XXXTENTACION; Trippie Redd" (`artist`, what CSV and JSON carry)."""
        from musicflow.core.songs import artists_words

        return artists_words(self.artist)

    @property
    def reason_words(self) -> list[str]:
        """What a person reads: another version of a song they streamed says so first; then each reason
        with the way it moved the estimate ("↑ ...", "↓ ...")."""
        return [*([self.version_of] if self.version_of else []), *(r.signed_words for r in self.reasons)]

    def shown_beside(self) -> list[tuple[str, str]]:
        """What the list is ranked by besides the predicted streams, for this song, as a list shows it
        beside them (what, and its value): ("popularity", "84"), ("your streams of the artist", "58")."""
        shown = []
        for name in self.ranked_on:
            if name == POPULARITY_COLUMN:
                shown.append(
                    ("popularity", "unknown" if self.popularity is None else f"{self.popularity:.0f}")
                )
            elif name == ARTIST_STREAMS_COLUMN:
                shown.append(("your streams of the artist", f"{self.artist_streams:,}"))
        return shown

    def as_document(self) -> dict[str, object]:
        return {
            "song": self.song,
            "artist": self.artist,
            "spotify_id": self.spotify_id,
            "predicted_streams": streams_as_written(self.predicted_streams),
            "version_of": self.version_of,
            "how_sure": self.how_sure,
            "popularity": self.popularity,
            "artist_streams": self.artist_streams,
            "reasons": self.reason_words,
        }


def parse_mapping(text: str | None) -> ColumnMapping | None:
    """`--mapping 'id=track_id,song=name,...'` for a catalog file in a layout of its own."""
    from musicflow.features.catalog_files import ColumnMapping

    return ColumnMapping.parse(text) if text else None


def engine_named(
    name: str, scheduler: str | None = None, on_dashboard: Callable[[str], None] | None = None
) -> Engine:
    """`local` or `dask` (at `scheduler`, or on a LocalCluster started for the job)."""
    from musicflow.scale.engines import engine_named as named

    return named(name, scheduler, on_dashboard)


@contextmanager
def audio_file_mapper(
    engine: str, scheduler: str | None, on_dashboard: Callable[[str], None] | None = None
) -> Iterator[FileMapper | None]:
    """None for the local engine; for dask, a mapper running one audio file per task on the cluster."""
    if engine == "local":
        engine_named(engine, scheduler)  # refuses --scheduler without --engine dask
        yield None
        return
    engine_named(engine, scheduler)
    from musicflow.scale.audio import dask_file_mapper

    with dask_file_mapper(scheduler, on_dashboard) as mapper:
        yield mapper


def scoring_pack(serving: ServingModel) -> ScoringPack:
    """The champion as LightGBM text with its checksum, and the listener's history as plain numbers (read
    from the serving model's listener, as a prediction reads it)."""
    from musicflow.scale.pack import ScoringPack, model_sha256

    listener = serving.listener
    played_songs = {key: mine.as_tuple() for key, mine in listener.played_song_affinities().items()}
    text = serving.model.model_text
    return ScoringPack(
        profile=serving.profile,
        model_version=serving.version,
        model_text=text,
        sha256=model_sha256(text),
        columns=tuple(serving.model.layout.columns),
        allow_spotify=serving.model.layout.allow_spotify,
        target_transform=serving.model.target_transform,
        artist_affinity={key: a.as_tuple() for key, a in listener.artist_affinities().items()},
        played_songs=played_songs,
        played_ids=listener.played_id_keys(),
        base_rate=serving.model.base_rate,
        banned_songs=listener.library.banned_songs,
        banned_artists=listener.library.banned_artists,
        listener_genres=listener.genre_words,
    )


def catalog_input(
    store: Store,
    catalog: str,
    mapping: ColumnMapping | None = None,
    reading: Callable[[int, int], None] | None = None,
) -> JobInput:
    """A catalog file (any layout `catalog add` reads), else the name of an imported catalog; `reading`
    is told how many bytes of a CSV file are read (of how many) while it is converted for scoring."""
    from musicflow.scale.job import JobInput
    from musicflow.scale.staging import file_rows

    path = Path(catalog)
    if path.exists():
        return JobInput.of_file(path, lambda: file_rows(path, mapping, reading))
    if mapping is not None:
        raise InputFileError(f"{catalog}: no such file (a mapping is for a catalog file)")
    info = next((c for c in store.features.catalogs() if c.name == catalog), None)
    if info is None:
        raise CatalogNotFoundError(
            f"'{catalog}' is neither a catalog file nor an imported catalog", hint=Hint.LIST_CATALOGS
        )
    identity = {"catalog": info.name, "imported_at": info.imported_at, "rows": info.rows}
    return JobInput(info.name, identity, rows=lambda: store.features.catalog_rows(info.name))


def score_catalog(
    pack: ScoringPack,
    source: JobInput,
    output: Path,
    engine: Engine,
    *,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ScoreSummary:
    from musicflow.scale.job import run_job

    return run_job(pack, source, output, engine, resume=resume, progress=progress)


def parts_kept(output: Path) -> str | None:
    """What a stopped `score` job writing `output` keeps, and that `--resume` goes on from it ("3 of 6
    parts are scored and kept: ...", or the catalog converted before any part was scored); None when there
    is no such job, or it kept nothing."""
    from musicflow.scale.job import parts_kept as kept

    return kept(output)


def recommend(
    serving: ServingModel,
    pack: ScoringPack,
    store: Store,
    catalogs: Sequence[str],
    top: int,
    per_artist: int = DEFAULT_PER_ARTIST,
    *,
    new_songs_only: bool = False,
    by_prediction: bool = False,
) -> list[Recommendation]:
    """The `top` unplayed songs ranked the way chosen for the listener when their model was trained
    (`ranker_choice.py`; by predicted streams for a model trained before, or with `by_prediction`), at
    most `per_artist` by one artist, each song once however many catalog entries it has, none without a
    title or an artist; another version of a song the listener streamed (a remix, a live or acoustic
    version) says so, or is left out with `new_songs_only`.

    A song several catalog entries hold (an original and its reissue) is listed as the entry predicting
    it by name answers from, with that entry's Spotify id: its number and reasons are what `predict`
    gives for its title and artist, or for that id. `catalogs` say which songs may be listed; which entry
    answers for a song is chosen among every imported catalog, as `predict` looks, so a song of these
    catalogs may be listed as another catalog's entry of it (the one a listener asking about it gets)."""
    from musicflow.app.ranker_choice import FIRST_OF_WAY, MODEL, PLACED, WEIGHED, RankerChoice, list_words

    versions = serving.listener.version_families()
    leave_out = frozenset(versions) if new_songs_only else frozenset()
    choice = None if by_prediction else RankerChoice.of_model(serving.model.training)
    way = choice.ranker if choice is not None else MODEL
    # A list capped per artist goes on by WEIGHED after the chosen way's first songs: it found more of
    # the public listeners' later songs in its first 100 on every seed (docs/recommend-quality.md).
    spliced = goes_on_another_way(top, per_artist, by_prediction=by_prediction)
    asked = [(way, FIRST_OF_WAY if spliced else top)]
    if spliced:  # room for the songs the first ones take and for their artists' places
        asked.append((WEIGHED, top + 2 * FIRST_OF_WAY))
    listed = ListedRecordings.read(store)
    room = _room(top, per_artist)
    placed = way in PLACED
    first = _first_pass(pack, store, catalogs, listed, [w for w, _ in asked], room) if placed else None
    found = _best_of(pack, store, catalogs, listed, asked, per_artist, leave_out, first)
    if (
        first is not None
        and first.selected is not None
        and any(
            best is None or best.height < wanted for (best, _), (_, wanted) in zip(found, asked, strict=True)
        )
    ):
        # The rows the first pass kept held too few once repeats and each artist's cap were dropped.
        whole = FirstPass(first.reference, None)
        found = _best_of(pack, store, catalogs, listed, asked, per_artist, leave_out, whole)
    best, vectors = found[0]
    if spliced and best is not None:
        best, vectors = _spliced(best, vectors, *found[1], top, per_artist)
    if best is None:
        return []
    ranked_by = list_words(choice, spliced, asked=by_prediction)
    return _explained(serving, best, vectors, versions, ranked_by, way, spliced)


def goes_on_another_way(top: int, per_artist: int, *, by_prediction: bool) -> bool:
    """Whether a list of `top` songs goes on by predicted streams weighed by popularity after the chosen
    way's first FIRST_OF_WAY songs (and says so): a list longer than those, capped per artist as by
    default, ranked the way chosen for the listener."""
    from musicflow.app.ranker_choice import FIRST_OF_WAY

    return not by_prediction and top > FIRST_OF_WAY and per_artist <= DEFAULT_PER_ARTIST


def _spliced(
    first: pl.DataFrame,
    first_vectors: npt.NDArray[np.float64],
    rest: pl.DataFrame | None,
    rest_vectors: npt.NDArray[np.float64],
    top: int,
    per_artist: int,
) -> tuple[pl.DataFrame, npt.NDArray[np.float64]]:
    """`first` (the chosen way's first songs), then the songs of `rest` (ranked WEIGHED) that are not
    among them, at most `per_artist` by one artist over the whole list, to `top` songs."""
    import numpy as np
    import polars as pl

    from musicflow.core.songs import credited_artists, subtitle_free_key

    def song_of(row: dict[str, object]) -> str:
        return subtitle_free_key(str(row["artist"] or ""), str(row["song"] or ""))

    taken = {song_of(row) for row in first.iter_rows(named=True)}
    artists = Counter(
        a for credit in first.get_column("artist").to_list() for a in credited_artists(credit or "")
    )
    kept: list[int] = []
    for at, row in enumerate(rest.iter_rows(named=True) if rest is not None else ()):
        if first.height + len(kept) >= top:
            break
        song, credits = song_of(row), credited_artists(str(row["artist"] or ""))
        if song in taken or any(artists[artist] >= per_artist for artist in credits):
            continue
        taken.add(song)
        artists.update(credits)
        kept.append(at)
    if rest is None or not kept:
        return first, first_vectors
    after = rest[kept].select(first.columns)
    vectors = np.vstack(
        [first_vectors[first.get_column("_at").to_numpy()], rest_vectors[after.get_column("_at").to_numpy()]]
    )
    whole = pl.concat([first.drop("_rank"), after.drop("_rank")])  # each part ranked by its own way
    return whole.with_columns(pl.int_range(pl.len()).alias("_at")), vectors


@dataclass(frozen=True)
class FirstPass:
    """What ranking by a way of PLACED needs before any row can be placed: every candidate's predicted
    streams, popularity and artist affinity, each sorted (`reference`), and the catalog rows
    (`source_row`) whose place is good enough to be among the best (`selected`; None: all of them)."""

    reference: Reference
    selected: frozenset[int] | None


def _room(top: int, per_artist: int) -> int:
    """Rows kept by the first pass: enough that repeats and each artist's cap rarely leave too few (when
    they do, `recommend` reads every row again)."""
    return (top + per_artist) * CANDIDATES_PER_PLACE * 8


def _first_pass(
    pack: ScoringPack,
    store: Store,
    catalogs: Sequence[str],
    listed: ListedRecordings,
    ways: Sequence[str],
    room: int,
) -> FirstPass:
    """Every candidate scored once: the sorted columns the first of `ways` places each row among, and the
    rows each way places among its first `room` (ties included), the only ones the second pass scores
    again."""
    import numpy as np

    from musicflow.app.ranker_choice import rank_keys, ranked_columns, scored_candidates, sorted_reference
    from musicflow.scale.frames import checked

    columns: list[tuple[Floats, Floats, Floats]] = []
    rows: list[npt.NDArray[np.int64]] = []
    for batch in listed.batches(store, catalogs):
        good, _bad = checked(batch)
        kept, _ = scored_candidates(pack, good, by="tables")
        columns.append(ranked_columns(kept, pack))
        lines = kept.join(good.select("row", "source_row"), on="row", how="left", maintain_order="left")
        rows.append(lines.get_column("source_row").to_numpy().astype(np.int64))
    empty = np.empty(0)
    predicted, popularity, artist_streams = (
        np.concatenate([c[i] for c in columns]) if columns else empty for i in range(3)
    )
    reference = sorted_reference(predicted, popularity, artist_streams)
    if len(predicted) <= room:
        return FirstPass(reference, None)
    ids = np.concatenate(rows)
    selected: set[int] = set()
    for way in ways:
        keys = rank_keys(way, predicted, popularity, artist_streams, reference)
        bar = np.partition(keys, len(keys) - room)[len(keys) - room]
        selected.update(ids[keys >= bar].tolist())
    return FirstPass(reference, frozenset(selected))


def _best_of(
    pack: ScoringPack,
    store: Store,
    catalogs: Sequence[str],
    listed: ListedRecordings,
    asked: Sequence[tuple[str, int]],
    per_artist: int,
    leave_out: frozenset[str],
    first: FirstPass | None,
) -> list[tuple[pl.DataFrame | None, npt.NDArray[np.float64]]]:
    """For each (way, top) asked: the best `top` candidates ranked by that way and the model input of
    each (of the rows `first` selected, when it did), every batch read and scored once for them all."""
    import numpy as np
    import polars as pl

    from musicflow.app.ranker_choice import rank_keys, ranked_columns, scored_candidates
    from musicflow.scale.frames import checked

    reference = first.reference if first is not None else None
    selected = first.selected if first is not None else None
    found: list[tuple[pl.DataFrame | None, npt.NDArray[np.float64]]] = [
        (None, np.empty((0, len(pack.columns)))) for _ in asked
    ]
    if selected is None:
        batches = listed.batches(store, catalogs)
    else:
        batches = (listed.only_listed(rows) for rows in rows_of(store, selected))
    for rows in batches:
        good, _bad = checked(rows)
        scored, vectorised = scored_candidates(pack, good, by="tables")  # no LightGBM to load; no ban
        columns = ranked_columns(scored, pack)
        for i, (way, top) in enumerate(asked):
            best, vectors = found[i]
            fresh = scored.with_columns(pl.Series("_rank", rank_keys(way, *columns, reference)))
            if best is not None:
                fresh = pl.concat([best, fresh.with_columns(pl.col("_at") + len(vectors))])
                vectors = np.vstack([vectors, vectorised])
            else:
                vectors = vectorised
            vectors, best = _compact(vectors, _best(fresh, top, per_artist, leave_out))
            found[i] = (best, vectors)
    return found


def recommendable() -> pl.Expr:
    """A row that may be recommended: unplayed, not banned, with a title and an artist to name, and
    names that can be read: a catalog's mis-decoded name ("Se��o" for "Señorita", 51 rows of the bundled
    catalog) is neither a song anyone can look for nor one the listener's history can be matched with."""
    import polars as pl

    named = (pl.col("song").str.strip_chars().str.len_chars() > 0) & (
        pl.col("artist").str.strip_chars().str.len_chars() > 0
    )
    garbled = pl.col("song").str.contains(REPLACED, literal=True) | pl.col("artist").str.contains(
        REPLACED, literal=True
    )
    return ~pl.col("played") & ~pl.col("banned") & named.fill_null(False) & ~garbled.fill_null(False)


REPLACED = "\ufffd"  # what a decoder puts where bytes were not text


def catalog_batches(store: Store, catalogs: Sequence[str]) -> Iterator[pl.DataFrame]:
    """The named catalogs' rows as scoring reads them, a batch at a time (an unknown name: an error)."""
    from musicflow.scale.staging import stored_frame

    known = {c.name for c in store.features.catalogs()}
    for name in catalogs:
        if name not in known:
            raise CatalogNotFoundError(f"no catalog named '{name}'", hint=Hint.LIST_CATALOGS)
    for name in catalogs:
        for columns in store.features.catalog_columns(name, RECOMMEND_BATCH):
            yield stored_frame(columns).with_row_index("row", 1)


def rows_of(store: Store, row_ids: frozenset[int]) -> Iterator[pl.DataFrame]:
    """The catalog rows of these ids as `catalog_batches` gives them (`source_row` their id)."""
    from musicflow.scale.staging import stored_frame

    for columns in store.features.catalog_columns_of(sorted(row_ids)):
        yield stored_frame(columns).with_row_index("row", 1)


@dataclass(frozen=True)
class ListedRecordings:
    """The entry each song several catalog rows hold is listed as: the one predicting the song by name
    answers from (`features/catalog.py`'s `answer_by_name`, where the rule is computed), chosen among
    every imported catalog as `predict` looks, with the values of the other rows of its recording
    filling its gaps as they fill the prediction's. Read once per list, before any batch, so every batch,
    in whatever order, keeps the same row of a song (`_best` needs that)."""

    lines: Mapping[str, int]  # the loose key of a song of several rows -> the row it is listed as
    catalogs: Mapping[int, str]  # that row -> its catalog
    values: pl.DataFrame  # that row's values as `_best` reads them (`source_row`, then every feature)

    @classmethod
    def read(cls, store: Store) -> ListedRecordings:
        import polars as pl

        from musicflow.core.feature_spec import FEATURE_NAMES
        from musicflow.features.catalog import answer_by_name
        from musicflow.scale.frames import native_schema

        lines: dict[str, int] = {}
        catalogs: dict[int, str] = {}
        values: dict[str, list[Any]] = {"source_row": [], **{name: [] for name in FEATURE_NAMES}}
        for key, rows in store.features.catalog_repeats().items():
            lead, answer = answer_by_name([features for _, features in rows])
            line = next(line for line, features in rows if features is lead)
            lines[key], catalogs[line] = line, lead.origin or ""
            values["source_row"].append(line)
            for name in FEATURE_NAMES:
                values[name].append(answer.values.get(name))
        schema = {"source_row": pl.Int64(), **{name: native_schema()[name] for name in FEATURE_NAMES}}
        return cls(lines, catalogs, pl.DataFrame(values, schema=schema))

    def only_listed(self, rows: pl.DataFrame) -> pl.DataFrame:
        """Catalog rows as `catalog_batches` gives them, but of a song of several entries only the one it
        is listed as, its gaps filled."""
        import polars as pl

        if not self.lines:
            return rows
        other = pl.col("match_key").is_in(list(self.lines)) & ~pl.col("source_row").is_in(list(self.catalogs))
        return rows.filter(~other).update(self.values, on="source_row", how="left")

    def batches(self, store: Store, catalogs: Sequence[str]) -> Iterator[pl.DataFrame]:
        """The named catalogs' rows as `recommend` reads them (`only_listed`), a batch at a time; then the
        entries another catalog holds that songs of theirs are listed as."""
        import polars as pl

        seen: set[str] = set()
        for rows in catalog_batches(store, catalogs):
            repeated = rows.filter(pl.col("match_key").is_in(list(self.lines)))
            seen.update(repeated.get_column("match_key").to_list())
            yield self.only_listed(rows)
        lines = (self.lines[key] for key in seen)
        elsewhere = frozenset(line for line in lines if self.catalogs[line] not in catalogs)
        if elsewhere:
            yield from (self.only_listed(rows) for rows in rows_of(store, elsewhere))


def _best(frame: pl.DataFrame, top: int, per_artist: int, leave_out: frozenset[str]) -> pl.DataFrame:
    """Each song once (its best-ranked row; a song of several catalog entries comes as one already, the
    entry `ListedRecordings` lists it as), none of the families in `leave_out`, the best
    `per_artist` of each artist, then the best `top` of those: the same answer whatever order the rows
    come in, so it can be applied batch after batch."""
    import polars as pl

    from musicflow.scale.score_rows import ARTIST_KEY

    ranked = frame.sort(
        ["_rank", "predicted_streams", "spotify_id", "song"], descending=[True, True, False, False]
    )
    # An artist's rows after their first few are never listed, however many repeats those hold: room
    # for repeats is kept per artist, so a catalog led by one artist's thousand songs lists the others.
    ranked = ranked.filter(pl.int_range(pl.len()).over(ARTIST_KEY) < per_artist * CANDIDATES_PER_PLACE)
    room = (top + per_artist) * CANDIDATES_PER_PLACE
    while True:
        found = _distinct(ranked.head(room), top, per_artist, leave_out)
        if found.height >= top or room >= ranked.height:
            return found
        room *= 4  # repeats and left-out versions took more room than was kept for them


def _distinct(head: pl.DataFrame, top: int, per_artist: int, leave_out: frozenset[str]) -> pl.DataFrame:
    """Of `head` (ranked best first): each song once, none of `leave_out`, `per_artist` of each artist."""
    import polars as pl

    from musicflow.core.songs import credited_artists, subtitle_free_key, version_family

    pairs = list(zip(head.get_column("artist").to_list(), head.get_column("song").to_list(), strict=True))
    head = head.with_columns(  # one song under two titles, one with a subtitle, is listed once
        pl.Series("_song", [subtitle_free_key(a or "", s or "") for a, s in pairs], dtype=pl.String),
        pl.Series("_family", [version_family(a or "", s or "") for a, s in pairs], dtype=pl.String),
    )
    once = head.unique(subset="_song", keep="first", maintain_order=True)
    kept = once.filter(~pl.col("_family").is_in(list(leave_out))) if leave_out else once
    taken: Counter[str] = Counter()
    capped: list[int] = []
    for at, artists in enumerate(kept.get_column("artist").to_list()):
        credits = credited_artists(artists or "")  # a song counts for every artist it credits
        if any(taken[artist] >= per_artist for artist in credits):
            continue
        taken.update(credits)
        capped.append(at)
        if len(capped) == top:
            break
    return kept[capped].drop("_song", "_family")


def _compact(
    vectors: npt.NDArray[np.float64], best: pl.DataFrame
) -> tuple[npt.NDArray[np.float64], pl.DataFrame]:
    import polars as pl

    kept = vectors[best.get_column("_at").to_numpy()]
    return kept, best.with_columns(pl.int_range(pl.len()).alias("_at"))


def _explained(
    serving: ServingModel,
    best: pl.DataFrame,
    vectors: npt.NDArray[np.float64],
    versions: Mapping[str, Streamed],
    ranked_by: str | None,
    way: str,
    spliced: bool = False,
) -> list[Recommendation]:
    from musicflow.app.auc_words import how_sure
    from musicflow.app.ranker_choice import AFFINITY, ALL_THREE, MIXED, MODEL
    from musicflow.core.songs import version_family
    from musicflow.model.history_words import worded
    from musicflow.model.predict import reasons_for
    from musicflow.model.reports import Evaluation
    from musicflow.model.song_streams import version_words

    model = serving.model
    if not len(vectors):
        return []
    ranked_on = {  # what a list ranked `way` shows beside the predicted streams, that it is ranked by
        MIXED: (POPULARITY_COLUMN,),
        ALL_THREE: (POPULARITY_COLUMN, ARTIST_STREAMS_COLUMN),
        AFFINITY: (ARTIST_STREAMS_COLUMN, POPULARITY_COLUMN),  # the popularity orders a tie
    }.get(way, ())
    if spliced and POPULARITY_COLUMN not in ranked_on:  # the songs after the first are ranked with it
        ranked_on = (*ranked_on, POPULARITY_COLUMN)
    predicted, effects = model.predictions(vectors, explain=True)
    assert effects is not None
    model_says = predicted.tolist()
    sure = how_sure(Evaluation.from_dict(model.evaluation))
    found = []
    for i, row in enumerate(best.iter_rows(named=True)):
        song, artist = row["song"] or "", row["artist"] or ""  # a catalog row may lack either
        history = serving.listener.history(artist, None)
        reasons = worded(  # from the listener's history, as a prediction of the song is
            reasons_for(
                model,
                vectors[i],
                effects[i],
                history.artist_songs,
                model_says[i],
                row["predicted_streams"],
                3,
            ),
            history,
        )
        played = versions.get(version_family(artist, song))
        version_of = version_words(song, played) if played is not None else None
        known_artist = history.artist_streams > 0
        found.append(
            Recommendation(
                song,
                artist,
                row["spotify_id"],
                row["predicted_streams"],
                reasons,
                version_of=version_of,
                how_sure=sure[known_artist],
                ranked_by=ranked_by,
                by_prediction=way == MODEL and not spliced,
                popularity=_popularity(row.get("popularity")),
                artist_streams=history.artist_streams,
                ranked_on=ranked_on,
            )
        )
    return found


def _popularity(value: object) -> float | None:
    """A catalog row's popularity as a list shows it; None where it has none (-1 when ranked)."""
    return float(value) if isinstance(value, int | float) and value >= 0 else None
