"""A CSV catalog's cells made into native rows a column at a time, exactly as `build_row` makes them one
row at a time (`features.catalog_formats.catalog_rows`), for converting a big CSV file before scoring.

A cell is read here only where it is spelled plainly: a number in ASCII digits (a decimal comma too),
true/false, a date `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, a mode as major/minor, a key as a note name, a
time signature as `4 beats`, `3/4` or Excel's `4-Apr`, a bare Spotify id or its link, a name with one
credit. Quirks are left out and values checked against the feature table as
`build_row` does. Names that are not ASCII or credit several artists are made by `build_row`'s own
functions, once per distinct spelling. A row with a cell spelled otherwise, or one `build_row` refuses,
is marked for `build_row` itself, which reads it and says why a bad one cannot be used; a row whose
only fault is having no audio feature is marked too, to be refused without reading it again.

Every row is first read the quick way (a feature is what polars makes of the cell as a number), then the
rows that way leaves out the thorough way (spaces around a value, "NA" for a missing one, a decimal comma,
a spelled-out mode).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from itertools import product

import polars as pl

from musicflow.core.artist_names import one_artist_names
from musicflow.core.feature_spec import AUDIO_FEATURES, FEATURE_NAMES, SPECS, FeatureSpec, Kind
from musicflow.features.catalog_formats.catalog_rows import MAX_QUIRKY_LOUDNESS_DB, ReadPlan
from musicflow.features.catalog_formats.layouts import RELEASE_DATE, UNIT_FEATURES
from musicflow.features.catalog_formats.text import repair_text, split_artists
from musicflow.features.catalog_formats.values import MISSING_TEXTS, text_of
from musicflow.scale.frames import ARTISTS, ID, SONG, native_schema

PLAIN = "plain"  # the row's native columns are what `build_row` makes of it
NO_AUDIO = "no_audio"  # plain but for having no audio feature: `build_row` refuses it for that alone
DATE_PARTS = ("release_year", "release_month", "release_day")
NAMES = (ID, SONG, ARTISTS)

# Every ASCII spelling of a missing value (`values.text_of` folds case), and the characters `str.strip`
# strips from ASCII text: polars' own strip leaves out \x1c-\x1f.
_MISSING = sorted({"".join(s) for text in MISSING_TEXTS for s in product(*({c, c.upper()} for c in text))})
_ASCII_SPACE = " \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"
_WHOLE = r"^[+-]?[0-9]+$"
_POINT = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)$"
_EXPONENT = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+$"
_COMMA = r"^-?[0-9]+,[0-9]+$"  # a decimal comma, as `values.number` reads it
_DATE = r"^([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?$"
_BARE_ID = r"^[0-9A-Za-z]{22}$"
_LINKED_ID = r"(?:spotify:track:|open\.spotify\.com/(?:intl-[a-z]+/)?track/)([0-9A-Za-z]{22})"  # as values
# `values.pitch_class`'s note names and `values.beats_per_bar`'s spellings, for ASCII text: `_S` is the
# `\s` of Python's re there (polars' own `\s` leaves out \x1c-\x1f).
_S = r"[ \t\n\x0B\x0C\r\x1C-\x1F]"
_NOTE = rf"(?i)^([A-G]){_S}*([#b]?)(?:{_S}*/.*)?(?:{_S}+(?:major|minor|maj|min))?$"
_NOTES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_BEATS = rf"(?i)^([0-9]){_S}*(?:beats?)?$"
_FRACTION = rf"^([0-9]){_S}*/{_S}*4$"
_EXCEL_DATE = r"^([0-9]{1,2})-([A-Za-z]{3})$"
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_TRUE = ("true", "1", "yes", "y", "t", "1.0")
_FALSE = ("false", "0", "no", "n", "f", "0.0")


def columnar(plan: ReadPlan) -> bool:
    """Whether the layout's cells can be read here: each feature read from one column only (not two
    columns for one feature, nor a release date beside a release year)."""
    targets = [target for _, _, target in plan.features]
    dated = RELEASE_DATE in targets and bool(set(targets) & set(DATE_PARTS))
    return len(set(targets)) == len(targets) and not dated


def native_rows(cells: pl.DataFrame, plan: ReadPlan) -> pl.DataFrame:
    """The native columns (`native_schema`) of every row of `cells` (a String column `c<position>` for
    each column the plan reads, null where empty), with PLAIN and NO_AUDIO."""
    quick = _rows(cells, plan, thorough=False)
    again = ~(quick.get_column(PLAIN) | quick.get_column(NO_AUDIO))
    if not again.any():
        return quick
    at = again.arg_true()
    closer = _rows(cells[at], plan, thorough=True).with_columns(at.alias("at"))
    done = quick.with_row_index("at").filter(~again).select(closer.columns)
    return pl.concat([done, closer]).sort("at").drop("at")


def _rows(cells: pl.DataFrame, plan: ReadPlan, *, thorough: bool) -> pl.DataFrame:
    values: list[pl.Expr] = []
    fine: list[pl.Expr] = []  # whether each cell is read plainly, once `values` are columns
    for position, _, target in plan.features:
        cell = pl.col(f"c{position}")
        if target == RELEASE_DATE:
            text, ascii_ = _text(cell)
            parts, read = _date(text)
            values += [part.alias(f"raw_{name}") for name, part in zip(DATE_PARTS, parts, strict=True)]
            fine.append(ascii_ & (text.is_null() | read))
            continue
        percent = plan.fmt.percent and target in UNIT_FEATURES
        if thorough:
            value, ok = _thorough(SPECS[target], cell, percent)
        else:  # a cell not read the quick way is read again the thorough way (a missing value's spelling)
            value, ok = (
                _quick(SPECS[target], cell, percent),
                cell.is_null() | pl.col(f"raw_{target}").is_not_null(),
            )
        values.append(value.alias(f"raw_{target}"))
        fine.append(ok)
    ident, known = _spotify_id(plan.id_at)
    names = [*_name(plan.title_at, SONG, lambda text: pl.lit(True))]
    style = plan.fmt.artists_style
    names += _name(plan.artists_at, ARTISTS, lambda text: _one_credit(text, style))
    raw = [expression.meta.output_name() for expression in values]
    frame = (
        cells.lazy()
        .with_columns(*values, ident.alias(ID), known.alias(PLAIN), *names)
        .select(
            *raw,
            ID,
            pl.all_horizontal(*fine, PLAIN).alias(PLAIN),
            *(expression.meta.output_name() for expression in names),
        )
        .collect()
    )
    frame = _named(frame, SONG, _songs)
    frame = _named(frame, ARTISTS, lambda cells: _artist_lists(cells, style))
    if style == "list":  # as `build_row`: a list literal counts credits exactly
        counted = pl.when(pl.col(f"{ARTISTS}_credits") > 0).then(pl.col(f"{ARTISTS}_credits"))
        given = [pl.col("raw_n_artists")] if "raw_n_artists" in frame.columns else []
        frame = frame.with_columns(pl.coalesce(*given, counted).alias("raw_n_artists"))
    present = [name for name in FEATURE_NAMES if f"raw_{name}" in frame.columns]
    checked, within = _checked(present)
    audio = [pl.col(name).is_not_null() for name in AUDIO_FEATURES if name in present]
    named = pl.col(ID).is_not_null() | (pl.col(SONG).is_not_null() & (pl.col(f"{ARTISTS}_credits") > 0))
    plain = pl.col(PLAIN) & pl.all_horizontal(*within, named)
    has_audio = pl.any_horizontal(audio) if audio else pl.lit(False)
    schema = native_schema()
    return (
        frame.lazy()
        .with_columns(checked)
        .select(
            *(
                pl.col(name) if name in present or name in NAMES else pl.lit(None).alias(name)
                for name in schema
            ),
            (plain & has_audio).alias(PLAIN),
            (plain & ~has_audio).alias(NO_AUDIO),
        )
        .cast(dict(schema))  # type: ignore[arg-type]
        .collect()
    )


def _text(cell: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(the cell as `values.text_of` makes it, null where missing; whether the cell is ASCII, where that
    is exactly what `text_of` makes of it)."""
    raw = cell.fill_null("")
    stripped = raw.str.strip_chars(_ASCII_SPACE)
    text = pl.when(stripped.is_in(_MISSING)).then(None).otherwise(stripped)
    return text, raw.str.len_bytes() == raw.str.len_chars()


def _quick(spec: FeatureSpec, cell: pl.Expr, percent: bool) -> pl.Expr:
    """The value of a cell polars reads as a number the way `values.number` does, or true/false; null
    for any other cell."""
    if spec.kind is Kind.BOOL:  # `values.true_false`
        word = cell.str.to_lowercase()
        return pl.when(word.is_in(_TRUE)).then(True).when(word.is_in(_FALSE)).then(False)
    real = cell.cast(pl.Float64, strict=False)  # what Python's float() makes of it, or null
    read = real.is_finite()
    if spec.kind is Kind.FLOAT:
        # "-0" is the int 0 to `values.number`, so 0.0, not -0.0: left to the thorough way.
        read &= ~((real == 0) & (1 / real < 0))
        return pl.when(read).then(real / 100 if percent else real)
    # A whole number, also written as a float ("4.0"); a key's letters are a note (`pitch_class`), so
    # "1e1" is not read as a number there. A duration that is not whole is rounded: left to `build_row`.
    whole = real.cast(pl.Int64, strict=False)  # null beyond Int64: outside the feature table anyway
    read &= real.floor() == real
    if spec.name == "key":
        read &= ~cell.str.contains("[eE]")
    return pl.when(read).then(whole)


def _thorough(spec: FeatureSpec, cell: pl.Expr, percent: bool) -> tuple[pl.Expr, pl.Expr]:
    """(the value `build_row` reads from a plainly spelled cell, null otherwise; whether the cell is
    one, or missing)."""
    text, ascii_ = _text(cell)
    if spec.kind is Kind.BOOL:  # `values.true_false`
        word = text.str.to_lowercase()
        flag = pl.when(word.is_in(_TRUE)).then(True).when(word.is_in(_FALSE)).then(False)
        return flag, ascii_ & (text.is_null() | flag.is_not_null())
    whole = text.str.contains(_WHOLE)
    point = text.str.contains(_POINT)
    comma = text.str.contains(_COMMA)
    exponent = text.str.contains(_EXPONENT)
    dotted = pl.when(comma).then(text.str.replace(",", ".", literal=True)).otherwise(text)
    real = dotted.cast(pl.Float64, strict=False)
    integer = text.cast(pl.Int64, strict=False)
    value: pl.Expr
    if spec.kind is Kind.FLOAT:  # `values.number`: an int where the text is one, else a float
        value = pl.when(whole).then(integer.cast(pl.Float64)).when(point | comma | exponent).then(real)
        if percent:
            value = value / 100
    else:
        floats = point | comma if spec.name == "key" else point | comma | exponent
        integral = real.is_finite() & (real.floor() == real)
        value = pl.when(whole).then(integer).when(floats & integral).then(real.cast(pl.Int64, strict=False))
        if spec.name == "key":  # `values.pitch_class`: a note name, `C#`, `Db`, `C#/Db`, `A minor`
            value = _note(text).fill_null(value)
        if spec.name == "time_signature":  # `values.beats_per_bar`: `4 beats`, `3/4`, Excel's `4-Apr`
            value = _beats(text).fill_null(value)
        if spec.name == "mode":  # `values.major_minor`
            word = text.str.to_lowercase()
            value = (
                pl.when(word.is_in(("major", "maj")))
                .then(1)
                .when(word.is_in(("minor", "min")))
                .then(0)
                .otherwise(value)
            )
    return value, ascii_ & (text.is_null() | value.is_not_null())


def _note(text: pl.Expr) -> pl.Expr:
    """A key's pitch class from a note name, as `values.pitch_class` reads it; null for any other text
    (a number, or text `build_row` refuses)."""
    letter = text.str.extract(_NOTE, 1).str.to_uppercase()
    base = letter.replace_strict(_NOTES, default=None, return_dtype=pl.Int64)
    accidental = text.str.extract(_NOTE, 2)  # "B" (a capital) sharpens or flattens nothing there
    shift = pl.when(accidental == "#").then(1).when(accidental == "b").then(-1).otherwise(0)
    return (base + shift + 12) % 12


def _beats(text: pl.Expr) -> pl.Expr:
    """Beats per bar from `4 beats` or `3/4`, or Excel's dates of "3/4", `4-Mar` or `03-Apr` (one of day
    and month is the 4), as `values.beats_per_bar` reads them; null for any other text."""
    day = text.str.extract(_EXCEL_DATE, 1).cast(pl.Int64)
    month = text.str.extract(_EXCEL_DATE, 2).str.to_lowercase()
    number = month.replace_strict({name: n for n, name in enumerate(_MONTHS, start=1)}, default=None)
    month_number = number.cast(pl.Int64)
    excel = pl.when(month_number == 4).then(day).when(day == 4).then(month_number)
    return pl.coalesce(
        text.str.extract(_BEATS, 1).cast(pl.Int64),
        text.str.extract(_FRACTION, 1).cast(pl.Int64),
        excel,
    )


def _date(text: pl.Expr) -> tuple[list[pl.Expr], pl.Expr]:
    """(year, month, day of `YYYY`, `YYYY-MM` or `YYYY-MM-DD` as `values.release_date` reads them; whether
    the text is such a date and a real one)."""
    year, month, day = (text.str.extract(_DATE, group).cast(pl.Int64) for group in (1, 2, 3))
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    days = (
        pl.when(month == 2)
        .then(pl.when(leap).then(29).otherwise(28))
        .when(month.is_in((4, 6, 9, 11)))
        .then(30)
        .otherwise(31)
    )
    real = (
        (year >= 1) & (month.is_null() | month.is_between(1, 12)) & (day.is_null() | day.is_between(1, days))
    )
    return [year, month, day], year.is_not_null() & real.fill_null(False)


def _checked(names: list[str]) -> tuple[list[pl.Expr], list[pl.Expr]]:
    """Each feature with the quirks `build_row` leaves out left out (tempo 0, a loudness a little above
    0 dB, release year 0), and whether the rest is within the feature table."""
    raw = {name: pl.col(f"raw_{name}") for name in names}
    dropped: dict[str, pl.Expr] = {}
    if "tempo" in raw:
        dropped["tempo"] = raw["tempo"] == 0
    if "loudness" in raw:
        dropped["loudness"] = (raw["loudness"] > 0) & (raw["loudness"] <= MAX_QUIRKY_LOUDNESS_DB)
    if "release_year" in raw:
        for part in DATE_PARTS:
            if part in raw:
                dropped[part] = raw["release_year"] == 0
    values, within = [], []
    for name, value in raw.items():
        spec = SPECS[name]
        left_out = dropped.get(name, pl.lit(False)).fill_null(False)
        values.append(pl.when(left_out).then(None).otherwise(value).alias(name))
        if spec.kind is Kind.BOOL:
            continue
        low = spec.low if spec.low is not None else float("-inf")
        high = spec.high if spec.high is not None else float("inf")
        within.append(value.is_null() | left_out | value.is_between(low, high))
    return values, within


def _spotify_id(at: int | None) -> tuple[pl.Expr, pl.Expr]:
    """(the id as `values.spotify_id` reads it, whether it reads it plainly: a bare id or a link)."""
    if at is None:
        return pl.lit(None, dtype=pl.String), pl.lit(True)
    text, ascii_ = _text(pl.col(f"c{at}"))
    ident = pl.when(text.str.contains(_BARE_ID)).then(text).otherwise(text.str.extract(_LINKED_ID, 1))
    return ident, ascii_ & (text.is_null() | ident.is_not_null())


def _name(at: int | None, name: str, one: Callable[[pl.Expr], pl.Expr]) -> list[pl.Expr]:
    """The name column as `build_row` reads it where the cell is ASCII and `one` says the text is one
    name; `<name>_cell`, the cell, where `_named` is to make it."""
    if at is None:
        return [
            pl.lit(None, dtype=pl.String).alias(name),
            pl.lit(None, dtype=pl.String).alias(f"{name}_cell"),
        ]
    cell = pl.col(f"c{at}")
    text, ascii_ = _text(cell)
    made_here = ascii_ & one(text).fill_null(True)
    return [text.alias(name), pl.when(~made_here).then(cell.fill_null("")).alias(f"{name}_cell")]


def _named(frame: pl.DataFrame, name: str, made: Callable[[pl.Series], pl.DataFrame]) -> pl.DataFrame:
    """The name column made by `made` where `_name` left the cell, once per distinct cell (`made` gives
    `cell`, `name` and `credits` of each); `<name>_credits`: how many credits the name has."""
    cells = frame.get_column(f"{name}_cell")
    names = frame.get_column(name)
    credits = names.is_not_null().cast(pl.Int64)
    at = cells.is_not_null().arg_true()
    if len(at):
        left = cells.gather(at)
        of = made(left.unique())
        names = names.scatter(
            at, left.replace_strict(of["cell"], of["name"], default=None, return_dtype=pl.String)
        )
        credits = credits.scatter(at, left.replace_strict(of["cell"], of["credits"], return_dtype=pl.Int64))
    return frame.with_columns(names.alias(name), credits.alias(f"{name}_credits")).drop(f"{name}_cell")


def _one_by_one(cells: pl.Series, make: Callable[[str], tuple[str | None, int]]) -> pl.DataFrame:
    made = [make(cell) for cell in cells.to_list()]
    return pl.DataFrame(
        {"cell": cells, "name": [m[0] for m in made], "credits": [m[1] for m in made]},
        schema={"cell": pl.String, "name": pl.String, "credits": pl.Int64},
    )


def _songs(cells: pl.Series) -> pl.DataFrame:
    return _one_by_one(cells, _song)


def _artist_lists(cells: pl.Series, style: str) -> pl.DataFrame:
    """Artists of several credits split where the file's style splits them ("A; B" or "A, B"), as
    `split_artists` does when no credits join back into one known artist (`first_credits`): ASCII
    text, and no credit a known one-artist name could begin with; the others one by one."""
    separator = {"semicolon": ";", "comma": ", "}.get(style)
    text, ascii_ = _text(pl.col("cell"))
    if separator is None:
        return _one_by_one(cells, lambda cell: _artists(cell, style))
    parts = text.str.split(separator, literal=True).list.eval(pl.element().str.strip_chars(_ASCII_SPACE))
    parts = parts.list.eval(pl.element().filter(pl.element() != ""))
    canonical = (
        pl.element()
        .str.replace_all("[&+]", " and ")
        .str.to_lowercase()
        .str.replace_all("['`]", "")
        .str.replace_all(r"[^0-9A-Za-z_]+", " ")
        .str.strip_chars(" ")
    )
    joins = parts.list.eval(canonical.is_in(_credit_starts()).any()).list.first()
    literal = text.str.starts_with("[") & text.str.ends_with("]")
    split = pl.DataFrame({"cell": cells}).select(
        "cell",
        pl.when(parts.list.len() > 0).then(parts.list.join("; ")).alias("name"),
        parts.list.len().cast(pl.Int64).alias("credits"),
        (ascii_ & text.is_not_null() & ~literal & ~joins.fill_null(True)).alias("here"),
    )
    others = split.filter(~pl.col("here")).get_column("cell")
    return pl.concat([split.filter("here").drop("here"), _one_by_one(others, lambda c: _artists(c, style))])


@lru_cache(maxsize=1)
def _credit_starts() -> list[str]:
    """Where a credit could begin a known one-artist name (`core.artist_names`): every first word or
    words of one, canonical, and "" (a credit of no letters, that joins on to the next)."""
    starts = {""}
    for known in one_artist_names():
        words = known.split(" ")
        starts.update(" ".join(words[:count]) for count in range(1, len(words)))
    return sorted(starts)


def _one_credit(text: pl.Expr, style: str) -> pl.Expr:
    """Whether `split_artists` gives the (ASCII) text as one artist: no list literal, no place where the
    file's style splits (for the single style, a featuring word at most: "feat", "ft.")."""
    literal = text.str.starts_with("[") & text.str.ends_with("]")
    if style == "semicolon":
        split = text.str.contains(";", literal=True)
    elif style == "comma":
        split = text.str.contains(", ", literal=True)
    else:
        word = text.str.to_lowercase()
        split = word.str.contains("feat", literal=True) | word.str.contains("ft.", literal=True)
    return ~(literal | split)


def _song(cell: str) -> tuple[str | None, int]:
    text = text_of(cell)
    song = repair_text(text)[0] if text is not None else ""
    return song or None, 1 if song else 0


def _artists(cell: str, style: str) -> tuple[str | None, int]:
    text = text_of(cell)
    joined = repair_text(text)[0] if text is not None else ""
    artists = split_artists(joined, style) if joined else []
    return "; ".join(artists) or None, len(artists)
