"""Bad catalogs: a clear reason naming the column and the row for each row that cannot be scored,
the good rows scored all the same, and no traceback for a file that is no catalog at all."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from musicflow.app.service import MusicFlow
from musicflow.errors import CatalogError, InputFileError
from musicflow.features.merge import MergedFeatures
from musicflow.model.affinity import ArtistAffinity
from musicflow.model.vectorize import FeatureLayout, affinity_table, model_matrix, vectorize, vectorize_many
from musicflow.scale.frames import checked, feature_values
from musicflow.scale.job import ScoreSummary
from musicflow.scale.staging import native_frame
from musicflow.store.ports import StoredFeatures
from tests.scale.catalogs import bundled_rows, native_catalog
from tests.trained import PROFILE

CSV_HEADER = "track_id,track_name,artist_name,danceability,energy,tempo,key,mode,loudness"


def _rejected(summary: ScoreSummary) -> pl.DataFrame:
    reader = pl.read_parquet if summary.rejected_output.suffix == ".parquet" else pl.read_csv
    return reader(summary.rejected_output)


def test_bad_values_in_a_parquet_catalog_name_the_column_and_row(app: MusicFlow, tmp_path: Path):
    rows = bundled_rows(20).with_columns(pl.col("tempo").cast(pl.String))
    rows = rows.with_columns(
        pl.when(pl.int_range(pl.len()) == 3).then(pl.lit("fast")).otherwise(pl.col("tempo")).alias("tempo"),
        pl.when(pl.int_range(pl.len()) == 7).then(1.5).otherwise(pl.col("energy")).alias("energy"),
    )
    catalog = tmp_path / "bad.parquet"
    rows.write_parquet(catalog)
    summary = app.score_catalog(PROFILE, str(catalog), tmp_path / "out.parquet")
    assert summary.rows_scored == 18
    assert summary.rows_rejected == 2
    bad = _rejected(summary)
    assert bad.get_column("row").to_list() == [4, 8]
    reasons = bad.get_column("reason").to_list()
    assert "tempo should be a number, got fast" in reasons[0]
    assert "energy outside 0..1, got 1.5" in reasons[1]


def test_a_csv_catalog_with_unreadable_and_wrong_rows_still_scores_the_good_ones(
    app: MusicFlow, tmp_path: Path
):
    catalog = tmp_path / "mine.csv"
    catalog.write_text(
        f"{CSV_HEADER}\n"
        "id00000000000000000001,Good One,Somebody,0.5,0.6,120,1,1,-5\n"
        "id00000000000000000002,Truncated,Somebody\n"
        "id00000000000000000003,Loud,Somebody,0.5,0.6,120,1,1,-5\n"
        "id00000000000000000004,Bad Energy,Somebody,0.5,seven,120,1,1,-5\n",
        encoding="utf-8",
    )
    summary = app.score_catalog(PROFILE, str(catalog), tmp_path / "out.csv")
    assert summary.rows_scored == 2
    assert summary.rows_rejected == 2
    bad = _rejected(summary)
    assert bad.get_column("line").to_list() == [3, 5]  # of the file: the header is line 1
    assert bad.get_column("song").to_list() == ["Truncated", "Bad Energy"]
    assert "truncated row" in bad.get_column("reason")[0]
    assert "energy" in bad.get_column("reason")[1]
    assert pl.read_csv(summary.output).get_column("song").to_list() == ["Good One", "Loud"]


def test_a_row_without_any_audio_feature_is_rejected_with_its_names_and_the_reason_once(
    app: MusicFlow, tmp_path: Path
):
    catalog = tmp_path / "names.csv"
    catalog.write_text("title,singer\nEverlong,Foo Fighters\n", encoding="utf-8")
    summary = app.score_catalog(
        PROFILE, str(catalog), tmp_path / "out.csv", mapping="song=title,artist=singer"
    )
    assert (summary.rows_scored, summary.rows_rejected) == (0, 1)
    assert _rejected(summary).rows() == [(2, "Everlong", "Foo Fighters", "no audio features")]


def test_a_catalog_without_a_feature_column_is_scored_with_that_feature_unknown(
    app: MusicFlow, tmp_path: Path
):
    catalog = tmp_path / "no-tempo.parquet"
    bundled_rows(50).drop("tempo").write_parquet(catalog)
    summary = app.score_catalog(PROFILE, str(catalog), tmp_path / "out.parquet")
    assert summary.rows_scored + summary.rows_rejected == 50
    assert summary.rows_scored > 0


def test_an_empty_file_and_a_file_that_is_no_catalog_are_clear_errors(app: MusicFlow, tmp_path: Path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CatalogError, match="empty"):
        app.score_catalog(PROFILE, str(empty), tmp_path / "out.parquet")
    foreign = tmp_path / "foreign.csv"
    foreign.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="columns: a, b"):
        app.score_catalog(PROFILE, str(foreign), tmp_path / "out.parquet")
    assert not (tmp_path / ".out.parquet.job").exists()
    with pytest.raises(InputFileError, match=r"\.parquet or \.csv"):
        app.score_catalog(PROFILE, str(foreign), tmp_path / "out.json")


def test_a_catalog_of_no_rows_writes_empty_files(app: MusicFlow, tmp_path: Path):
    header_only = tmp_path / "none.csv"
    header_only.write_text(f"{CSV_HEADER}\n", encoding="utf-8")
    summary = app.score_catalog(PROFILE, str(header_only), tmp_path / "out.csv")
    assert (summary.rows_scored, summary.rows_rejected) == (0, 0)
    assert pl.read_csv(summary.output).columns == [
        "spotify_id",
        "song",
        "artist",
        "predicted_streams",
        "model_version",
        "played",
        "banned",
    ]
    empty_parquet = native_catalog(tmp_path / "none.parquet", 0)
    assert app.score_catalog(PROFILE, str(empty_parquet), tmp_path / "o.parquet").rows_scored == 0


def test_catalog_columns_make_the_same_model_input_as_merged_features(tmp_path: Path):
    """A catalog's columns and the same rows as merged features give the same model input, and a song
    alone gets its row of the batch, on real catalog rows."""
    rows = bundled_rows(400, offset=1000)
    good, _ = checked(rows.with_row_index("row", 1))
    rng = np.random.default_rng(0)
    affinities = [
        ArtistAffinity(
            int(s), int(s) // 3, float(s) / 500, float(rng.uniform(0, 900)), float(rng.uniform(0, 9))
        )
        if s
        else ArtistAffinity()
        for s in rng.integers(0, 50, good.height)
    ]
    layout = FeatureLayout.full()
    merged = [
        MergedFeatures(values, (StoredFeatures("catalog", None, 0.0, values, None, None),))
        for values in (
            {
                k: v
                for k, v in row.items()
                if k in good.columns
                and v is not None
                and k not in ("spotify_id", "song", "artists", "row", "source_row")
            }
            for row in good.iter_rows(named=True)
        )
    ]
    expected = vectorize_many(list(zip(merged, affinities, strict=True)), layout)
    from_columns = model_matrix(feature_values(good), affinity_table(affinities), layout)
    np.testing.assert_array_equal(from_columns, expected)
    for i in range(0, len(merged), 37):  # a song alone: its row of the batch
        np.testing.assert_array_equal(vectorize(merged[i], affinities[i], layout), expected[i])
    assert native_frame([]).height == 0
