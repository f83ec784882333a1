"""One catalog record to one CatalogRow: names, id, and features checked against the feature table.

Known quirks are handled here once for every layout: tempo 0 means "unknown" and a loudness a little
above 0 dB is what Spotify's analyser reports for some very loud masters; neither may be stored (the
table says 0-500 BPM is a tempo, -60..0 dB a loudness), so the field is left out and counted as a note,
and the rest of the row is kept. Any other value outside the table rejects the row: a file that gets
one field that wrong is not trusted for the others of the same row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import polars as pl

from musicflow.core.feature_spec import AUDIO_FEATURES, SPECS, Kind, validate_values
from musicflow.core.songs import CatalogRow, FeatureValue
from musicflow.errors import InvalidPayloadError
from musicflow.features.catalog_formats import values as parse
from musicflow.features.catalog_formats.layouts import RELEASE_DATE, UNIT_FEATURES, CatalogFormat
from musicflow.features.catalog_formats.read_report import RowError
from musicflow.features.catalog_formats.tables import Record
from musicflow.features.catalog_formats.text import repair_text, split_artists

MAX_QUIRKY_LOUDNESS_DB = 10.0
NOTE_TEMPO_ZERO = "tempo 0 (unknown) left out"
NOTE_LOUD = "loudness above 0 dB left out"
NOTE_YEAR_ZERO = "release year 0 (unknown) left out"

_PARSERS: dict[str, Callable[[object, str], object]] = {
    "key": parse.pitch_class,
    "mode": parse.major_minor,
    "time_signature": parse.beats_per_bar,
    "duration_ms": parse.milliseconds,
    "explicit": parse.true_false,
}


@dataclass(frozen=True)
class ReadPlan:
    """A layout resolved against one file's header: column positions, looked up once per file."""

    fmt: CatalogFormat
    width: int
    id_at: int | None
    title_at: int | None
    artists_at: int | None
    features: tuple[tuple[int, str, str], ...]  # (position, source column, target)


def plan_for(fmt: CatalogFormat, header: Sequence[str]) -> ReadPlan:
    def at(column: str | None) -> int | None:
        return header.index(column) if column else None

    features = tuple((header.index(col), col, target) for col, target in fmt.feature_columns(header).items())
    return ReadPlan(
        fmt, len(header), at(fmt.id_column), at(fmt.title_column), at(fmt.artists_column), features
    )


def build_row(
    plan: ReadPlan, record: Record, values: dict[str, FeatureValue] | None = None
) -> tuple[CatalogRow, list[str]]:
    """The row and the notes about it; raises RowError when the row cannot be used.

    `values`: the row's features as `typed_values` checked them, else read from its cells here. The
    RowError of a row names its song and artists when the file gives them, whatever the row failed on
    (a row of more fields than the header excepted: which cell is the name is not known)."""
    cells = record.cells
    notes: list[str] = []
    song = _name(cells, plan.title_at, notes)
    artists_text = _name(cells, plan.artists_at, notes)
    artists = tuple(split_artists(artists_text, plan.fmt.artists_style)) if artists_text else ()
    try:
        cells = _checked_width(plan, cells)
        ident = (
            parse.spotify_id(cells[plan.id_at], plan.fmt.id_column or "") if plan.id_at is not None else None
        )
        if ident is None and not (song and artists):
            raise RowError("no Spotify id and no title or artist")
        if values is None:
            raw = _raw_values(plan, cells)
            if plan.fmt.artists_style == "list" and artists and raw.get("n_artists") is None:
                raw["n_artists"] = len(artists)  # a list literal counts credits exactly, unlike "A, B" text
            _drop_known_quirks(raw, notes)
            values = _validated(raw, plan.fmt.name, record.line)
            if not any(name in values for name in AUDIO_FEATURES):
                raise RowError("no audio features")
    except RowError as exc:
        if len(cells) <= plan.width and exc.song is None and exc.artists is None:
            exc.song, exc.artists = song or None, "; ".join(artists) or None
        raise
    return CatalogRow(ident, song, artists, values, record.line), notes


def _checked_width(plan: ReadPlan, cells: Sequence[object]) -> Sequence[object]:
    if len(cells) < plan.width:
        raise RowError("truncated row", f"truncated row ({len(cells)} of {plan.width} fields)")
    if len(cells) > plan.width and any(parse.text_of(cell) for cell in cells[plan.width :]):
        raise RowError("more fields than the header", f"{len(cells)} fields, header has {plan.width}")
    return cells


def _name(cells: Sequence[object], at: int | None, notes: list[str]) -> str:
    if at is None or at >= len(cells):  # a truncated row may end before its names
        return ""
    text = parse.text_of(cells[at])
    if text is None:
        return ""
    repaired, note = repair_text(text)
    if note:
        notes.append(note)
    return repaired


def _raw_values(plan: ReadPlan, cells: Sequence[object]) -> dict[str, object]:
    raw: dict[str, object] = {}
    for position, column, target in plan.features:
        cell = cells[position]
        if target == RELEASE_DATE:
            year, month, day = parse.release_date(cell, column)
            raw.update(release_year=year, release_month=month, release_day=day)
            continue
        value = _PARSERS.get(target, parse.number)(cell, column)
        if plan.fmt.percent and target in UNIT_FEATURES and isinstance(value, int | float):
            value = value / 100
        raw[target] = value
    return raw


def _drop_known_quirks(raw: dict[str, object], notes: list[str]) -> None:
    tempo, loudness = raw.get("tempo"), raw.get("loudness")
    if tempo == 0:
        raw["tempo"] = None
        notes.append(NOTE_TEMPO_ZERO)
    if isinstance(loudness, int | float) and 0 < loudness <= MAX_QUIRKY_LOUDNESS_DB:
        raw["loudness"] = None
        notes.append(NOTE_LOUD)
    if raw.get("release_year") == 0:
        raw.update(release_year=None, release_month=None, release_day=None)
        notes.append(NOTE_YEAR_ZERO)


def _validated(raw: dict[str, object], source: str, line: int) -> dict[str, FeatureValue]:
    try:
        return validate_values(raw, source=source, what=f"line {line}")
    except InvalidPayloadError as exc:
        field = _first_invalid(raw, source)
        raise RowError(f"{field} outside the feature table", str(exc).split(": ", 2)[-1]) from None


def _first_invalid(raw: dict[str, object], source: str) -> str:
    for name, value in raw.items():
        try:
            validate_values({name: value}, source=source, what="")
        except InvalidPayloadError:
            return name
    return "a value"


def typed_values(plan: ReadPlan, batch: pl.DataFrame) -> list[dict[str, FeatureValue] | None] | None:
    """The features of a batch of typed (Parquet) rows, checked a column at a time; each row's are what
    `build_row` makes of its cells one by one, so a row gets them only where that is plain: None for a
    row with a quirk to note, a value the table refuses or no audio feature (`build_row` says which),
    and None for the whole batch when a column is not plainly typed (text, dates, percents, list-style
    artists: read cell by cell)."""
    targets = [target for _, _, target in plan.features]
    if plan.fmt.percent or plan.fmt.artists_style == "list" or len(set(targets)) < len(targets):
        return None
    if not set(targets) & set(AUDIO_FEATURES) or batch.width != plan.width:
        return None
    columns: list[pl.Series] = []
    plain = pl.repeat(True, batch.height, eager=True)
    audio = pl.repeat(False, batch.height, eager=True)
    for position, _, target in plan.features:
        checked = _typed_column(batch.to_series(position), target)
        if checked is None:
            return None
        column, fine = checked
        columns.append(column.alias(target))
        plain &= fine
        if target in AUDIO_FEATURES:
            audio |= column.is_not_null()
    usable = (plain & audio).to_list()
    rows = pl.DataFrame(columns).iter_rows()
    return [
        {name: value for name, value in zip(targets, row, strict=True) if value is not None} if ok else None
        for row, ok in zip(rows, usable, strict=True)
    ]


def _typed_column(raw: pl.Series, target: str) -> tuple[pl.Series, pl.Series] | None:
    """The column's values as the table stores them (null where missing) and, per row, whether the value
    is one `build_row` takes as it is; None when its type is not one read plainly."""
    spec = SPECS.get(target)
    if spec is None:  # release_date: a date to split
        return None
    if spec.kind is Kind.BOOL:
        if raw.dtype != pl.Boolean:
            return None
        return raw, pl.repeat(True, raw.len(), eager=True)
    if raw.dtype.is_integer():
        number = raw.cast(pl.Float64)
    elif raw.dtype.is_float() and target not in _PARSERS:  # a key or a duration as a float: its text is read
        number = raw.cast(pl.Float64).fill_nan(None)
    else:
        return None
    low = spec.low if spec.low is not None else float("-inf")
    high = spec.high if spec.high is not None else float("inf")
    taken = number.is_between(low, high) & number.is_finite() & ~_quirk(target, number)
    if spec.kind is Kind.INT:  # a float is taken as a whole number only when it is one
        taken &= number.round(0) == number
    fine = (number.is_null() | taken).fill_null(False)
    if spec.kind is Kind.FLOAT:
        return number, fine
    return (raw if raw.dtype.is_integer() else number).cast(pl.Int64, strict=False), fine


def _quirk(target: str, number: pl.Series) -> pl.Series:
    """Where `_drop_known_quirks` would leave the value out with a note."""
    if target in ("tempo", "release_year"):
        return number == 0
    if target == "loudness":
        return (number > 0) & (number <= MAX_QUIRKY_LOUDNESS_DB)
    return pl.repeat(False, number.len(), eager=True)
