"""The data each page shows, built from the use cases' results: numbers for the charts, words for people."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from markupsafe import Markup

from musicflow.app.vocabulary import (
    COIN_TOSS,
    OURS,
    TASTE_FEATURES,
    age_words,
    library_sentence,
    row_name,
    streams_shown,
    times_in_100,
)
from musicflow.core.plurals import sentence
from musicflow.web import charts, words

if TYPE_CHECKING:
    from musicflow.app.types import Accuracy, Prediction, Score, Standing, Taste

# Each charted feature of the listener's sound, in their words, with the range its bar spans.
FEATURE_SCALES: Mapping[str, tuple[str, float, float]] = {
    "danceability": ("Danceable", 0.0, 1.0),
    "energy": ("Energy", 0.0, 1.0),
    "valence": ("Cheerful", 0.0, 1.0),
    "acousticness": ("Acoustic", 0.0, 1.0),
    "instrumentalness": ("Instrumental", 0.0, 1.0),
    "speechiness": ("Spoken words", 0.0, 1.0),
    "liveness": ("Live feel", 0.0, 1.0),
    "tempo": ("Tempo (BPM)", 50.0, 200.0),
}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SOURCE_NAMES = {"catalog": "offline catalogs", "reccobeats": "ReccoBeats", "spotify": "Spotify"}


@dataclass(frozen=True)
class SongView:
    title: str
    artist: str
    streams: float
    known: bool  # the listener played it already (the verdict says how often)
    emoji: str
    verdict: str
    facts: list[tuple[str, str]]
    version: int
    how_sure: str
    reasons: Markup | None
    against_taste: Markup | None
    sources: str
    basis: str
    did_you_mean: str | None  # the song answered for, when the name asked was not known as typed
    library: list[str]  # what the listener's library says of the song
    version_of: str | None  # the version of it they played, for a song they never did

    @property
    def streams_shown(self) -> str:
        return streams_shown(self.streams)


def song_view(prediction: Prediction, average: Mapping[str, float], standing: Standing | None) -> SongView:
    answer = prediction.answer
    query = answer.song.query
    values = answer.song.merged.values
    emoji, _, verdict = prediction.verdict.partition(" ")
    reasons = [charts.Bar(c.words, words.moved(c), words.change(c)) for c in answer.prediction.contributions]
    known_artist = answer.affinity.songs > 0  # the artist's other songs: this one is not counted
    streamed_alone = not known_artist and answer.history.song_streams > 0
    alone_in = answer.history.artist if streamed_alone else None
    return SongView(
        title=query.song,
        artist=query.artist,
        streams=answer.prediction.streams,
        known=prediction.in_history,
        emoji=emoji,
        library=prediction.library_facts,
        version_of=prediction.version_of,
        verdict=verdict,
        facts=_facts(values),
        version=prediction.model_version,
        how_sure=words.how_sure(standing, known_artist, alone_in),  # as the model saw it
        reasons=charts.diverging(
            reasons, "What moved this prediction, strongest first", head=("Reason", "Moved the prediction by")
        )
        if reasons
        else None,
        against_taste=against_taste(values, average),
        sources=", ".join(SOURCE_NAMES.get(s, s) for s in sorted(answer.song.merged.sources)),
        basis=answer.prediction.basis,
        did_you_mean=sentence(prediction.matched.did_you_mean) if prediction.matched else None,
    )


def _facts(values: Mapping[str, object]) -> list[tuple[str, str]]:
    facts: list[tuple[str, str]] = []
    year = values.get("release_year")
    if isinstance(year, int):
        facts.append(("Released", str(year)))
    length = values.get("duration_ms")
    if isinstance(length, int | float):
        facts.append(("Length", words.duration(length)))
    if values.get("explicit") is True:
        facts.append(("Lyrics", "explicit"))
    return facts


def against_taste(values: Mapping[str, object], average: Mapping[str, float]) -> Markup | None:
    """This song's sound next to the average of the listener's most streamed songs."""
    rows: list[charts.Pair] = []
    for name in TASTE_FEATURES:
        label, lo, hi = FEATURE_SCALES[name]
        value = values.get(name)
        if not isinstance(value, int | float) or isinstance(value, bool):
            continue
        mean = average.get(name)
        rows.append(
            charts.Pair(
                label,
                charts._fraction(float(value), lo, hi),
                charts._fraction(mean, lo, hi) if mean is not None else None,
                _feature_text(name, float(value)),
                _feature_text(name, mean) if mean is not None else "",
            )
        )
    if not rows:
        return None
    return charts.pairs(
        rows,
        "This song's sound against your most streamed songs",
        "This song",
        "Your top songs",
        row_head="Sound",
    )


def _feature_text(name: str, value: float) -> str:
    return f"{value:.0f}" if name == "tempo" else _percent(value)


def _percent(share: float) -> str:
    return f"{share:.0%}".replace("%", " %")


@dataclass(frozen=True)
class TasteView:
    taste: Taste
    artists: Markup | None
    tracks: Markup | None
    months: Markup | None
    hours: Markup
    weekdays: Markup
    sources: Markup | None
    seen_share: float
    sound: Markup | None
    auc: Markup | None
    sp_plus: Markup | None
    meaning: str
    tested_on: str
    age: str = ""  # how long ago the serving version was trained
    genres: Markup | None = None
    library: str | None = None  # what the library held, in one sentence
    genres_note: str = ""  # whether the model uses genres, and if not, why (its training's own reason)


def taste_view(taste: Taste) -> TasteView:
    artists = [charts.Bar(c.label, c.value, f"{c.value:,}") for c in taste.top_artists]
    tracks = [charts.Bar(f"{t.name} · {t.artist}", t.streams, f"{t.streams:,}") for t in taste.top_tracks]
    months = [(c.label, c.value) for c in taste.months]
    total = taste.streams or 1
    sources = [
        charts.Bar(SOURCE_NAMES.get(c.label, c.label), c.value / total, _percent(c.value / total))
        for c in taste.sources
    ]
    return TasteView(
        taste=taste,
        artists=charts.hbars(artists, "Your top artists by streams", head=("Artist", "Streams"))
        if artists
        else None,
        tracks=charts.hbars(tracks, "Your top tracks by streams", head=("Track · artist", "Streams"))
        if tracks
        else None,
        months=charts.columns(
            months, "Streams per month", every=max(1, len(months) // 4), head=("Month", "Streams")
        )
        if months
        else None,
        hours=charts.columns(
            [(f"{h}h", v) for h, v in enumerate(taste.hours)],
            f"Streams by hour ({taste.time_zone})",
            6,
            head=("Hour", "Streams"),
        ),
        weekdays=charts.columns(
            list(zip(WEEKDAYS, taste.weekdays, strict=True)),
            f"Streams by weekday ({taste.time_zone})",
            head=("Day", "Streams"),
        ),
        sources=charts.hbars(
            sources,
            "Share of your streams with features, by source",
            hi=1.0,
            head=("Source", "Share of streams"),
        )
        if sources
        else None,
        seen_share=taste.seen_streams / total,
        sound=_sound(taste.average_features),
        auc=_scores(
            taste.standing,
            lambda s: s.auc,
            "AUC: how many times in 100 each model ranks a song you streamed above one you did not",
            "AUC",
        ),
        sp_plus=_scores(
            taste.standing,
            lambda s: s.sp_plus,
            "Sp+: how well the order matches how much you streamed",
            "Sp+",
        ),
        meaning=words.what_it_means(taste.standing),
        tested_on=words.tested_on(taste.standing) if taste.standing else "",
        age=age_words(time.time() - taste.standing.created_at)
        if taste.standing and taste.standing.created_at is not None
        else "",
        genres=charts.hbars(
            [charts.Bar(name, share, _percent(share)) for name, share in taste.genres],
            "Your genres: your artists' genres, weighed by your streams of each artist",
            head=("Genre", "Share"),
        )
        if taste.genres
        else None,
        library=library_sentence(taste.library, named=False) if taste.library is not None else None,
        genres_note=genres_note(taste),
    )


def genres_note(taste: Taste) -> str:
    """What the taste page says under the genres: how the model matches them, or why it goes without
    them, in its own training's words (a reason holds for the store as it stood then)."""
    if taste.genres_used:
        return (
            "A song's match (a reason beside its prediction) is how much its artist's genres share with"
            ' yours, word by word ("dance pop" shares "pop" with "pop").'
        )
    if taste.genres_left_out is None:
        return "Your model does not use genres."
    zeros = taste.standing.zeros if taste.standing else {}
    learned = f' (the songs it learned "not streamed" from were {words.listed_zeros(zeros)})' if zeros else ""
    return (
        f"Your model does not use genres. When it was trained, its training left them out because"
        f" {taste.genres_left_out}{learned}. They enter when most of those songs are other listeners'."
    )


def _sound(average: Mapping[str, float]) -> Markup | None:
    rows = []
    for name in TASTE_FEATURES:
        if name in average:
            label, lo, hi = FEATURE_SCALES[name]
            text = _feature_text(name, average[name])
            rows.append(charts.Bar(label, charts._fraction(average[name], lo, hi), text, "other"))
    return (
        charts.hbars(rows, "The sound of your most streamed songs", hi=1.0, head=("Sound", "Your top songs"))
        if rows
        else None
    )


def _scores(
    standing: Standing | None, metric: Callable[[Score], float | None], title: str, name: str
) -> Markup | None:
    if standing is None:
        return None
    bars = []
    for score in standing.scores:
        value = metric(score)
        tone = "main" if score.model == OURS else "muted"
        text = f"{value:.2f}" if value is not None else "n/a"
        bars.append(charts.Bar(row_name(score.model), value or 0.0, text, tone))
    return charts.hbars(bars, title, lo=0.0, hi=1.0, head=("Model", name)) if bars else None


@dataclass(frozen=True)
class AccuracyView:
    """How right the newest judged model version was, in words and a calibration chart."""

    version: int
    summary: str
    auc: str
    chart: Markup | None


def accuracy_view(accuracy: Accuracy) -> AccuracyView | None:
    """None when no prediction of this listener is in the log yet."""
    if not accuracy.versions:
        return None
    newest = accuracy.versions[0]
    since = datetime.fromtimestamp(newest.cut_off, UTC).strftime("%-d %B %Y")
    asked = f"{newest.songs:,} song{'s' if newest.songs != 1 else ''}"
    logged = f"The prediction log holds model v{newest.version}'s answers about {asked}."
    if not newest.plays_after:
        summary = (
            f"{logged} It learned from your plays up to {since}; no play after that is here yet: add a"
            " newer export to see how right it was."
        )
        return AccuracyView(newest.version, summary, "", None)
    summary = (
        f"{logged} Since its last play ({since}) you played {newest.plays_after:,} times in"
        f" {newest.window_days:.0f} days and streamed {newest.streamed:,} of those songs."
    )
    auc = (
        f"A song you streamed since was given more streams than one you did not {times_in_100(newest.auc)}"
        f" times in 100 ({COIN_TOSS})."
        if newest.auc is not None
        else "Too few songs on one side (five needed) to say how well it ranked them."
    )
    # A band none of whose songs is judged yet has no mean of streams since (None): it is left out rather
    # than drawn as a mean of 0 (`app/prediction_accuracy.with_unjudged_means_unknown`).
    bands = [band for band in newest.bands if band.songs and band.mean_streams is not None]
    top = max([1.0, *(b.mean_predicted or 0 for b in bands), *(b.mean_streams or 0 for b in bands)])
    rows = [
        charts.Pair(
            f"predicted {band.low:g} to {band.high:g} ({band.songs} song{'s' if band.songs != 1 else ''})",
            (band.mean_predicted or 0.0) / top,
            (band.mean_streams or 0.0) / top,
            f"{band.mean_predicted or 0.0:.1f}",
            f"{band.mean_streams or 0.0:.1f}",
        )
        for band in bands
    ]
    title = "Predicted streams against streams since, by band of prediction"
    chart = (
        charts.pairs(rows, title, "predicted (mean)", "streamed since (mean)", row_head="Band of prediction")
        if rows
        else None
    )
    return AccuracyView(newest.version, summary, auc, chart)
