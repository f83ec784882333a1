"""What the use cases return: plain data, rendered by the CLI and serialised by the API.

The JSON document of a prediction is built here, once, for every front end; so are the JSON forms of a
model version's records (its evaluation, its training report, what it learned from), whose times the
records keep in Unix seconds and every answer gives in ISO 8601, UTC, as it gives any time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from musicflow.core.plurals import times
from musicflow.core.timezone import iso_utc

if TYPE_CHECKING:
    from musicflow.core.songs import SongName
    from musicflow.features.coverage import CoverageReport
    from musicflow.features.fetch import SourceRun
    from musicflow.features.merge import MergedFeatures
    from musicflow.model.listener import SongPrediction
    from musicflow.model.pruning import Pruning
    from musicflow.model.publish import Publication
    from musicflow.store.ports import ModelVersion

    ModelRecord = ModelVersion  # a registered model version, as front ends read it


def streams_as_written(streams: float) -> float:
    """Predicted streams as every answer writes them (JSON, CSV, sentences): to two decimals, so one song
    reads the same as a prediction, in a list of predictions and in recommendations."""
    return round(streams, 2)


def streams_shown(streams: float) -> str:
    """Predicted streams as a screen shows them (the CLI's text, the page): the number JSON and CSV write,
    "2.45", never another rounding of it ("2.4")."""
    return f"{streams_as_written(streams):.2f}"


@dataclass(frozen=True)
class Prediction:
    """One song's prediction, with the profile and the model version that made it."""

    profile: str
    model_version: int
    answer: SongPrediction

    @property
    def streams(self) -> float:
        return self.answer.prediction.streams

    @property
    def matched(self) -> SongName | None:
        """The known song this answer is for when the name asked found nothing itself (else None)."""
        return self.answer.song.matched

    def as_document(self) -> dict[str, object]:
        """The one JSON form of a prediction: the original MusicFlow API's fields (the prediction to two
        decimals, its description, the message, the reasons) and what it rests on, the same in the API,
        `POST /api/predictions` and the CLI's `--format json`. `matched` and `did_you_mean` name the song
        answered for when the name asked was not known as typed (else null)."""
        query = self.answer.song.query
        matched = self.matched
        merged = self.answer.song.merged
        affinity = self.answer.affinity
        history = self.answer.history
        made = self.answer.prediction
        streams = streams_as_written(made.streams)
        emoji, _, text = self.verdict.partition(" ")
        return {
            "song": query.song,
            "artist": query.artist,
            "matched": matched.as_document() if matched else None,
            "did_you_mean": matched.did_you_mean if matched else None,
            "version_of": self.version_of,
            "prediction": streams,
            "description": self.description,
            "song_metadata": {"song": query.song, "artist": [query.artist], "album": None},
            "message": {"emoji": emoji, "text": text},
            "model_version": self.model_version,
            "profile": self.profile,
            "reasons": [
                {
                    "feature": c.feature,
                    "value": None if c.value is None or math.isnan(c.value) else round(c.value, 4),
                    "contribution": round(c.effect, 4),
                    "streams": None if c.streams is None else round(c.streams, 4),
                    "words": c.words,
                }
                for c in made.contributions
            ],
            "feature_sources": value_sources(merged),
            "basis": made.basis,
            "spotify_id": self.spotify_id,
            "artist_affinity": {"streams": affinity.streams, "songs": affinity.songs},
            "features": dict(merged.values),
            "history": {
                "song_streams": history.song_streams,
                "song_short_plays": history.short_plays,
                "artist": history.artist,
                "artist_streams": history.artist_streams,
                "artist_songs": history.artist_songs,
                "artist_share": round(history.artist_share, 4),
            },
            "library": {
                "saved": history.library.saved,
                "artist_followed": history.library.followed,
                "banned": history.library.banned.value if history.library.banned else None,
            },
        }

    @property
    def spotify_id(self) -> str | None:
        """The song's Spotify id: for a song the listener played, their own recording's (the id their
        export gave its track, where it gave one); else the one the features came with, else the one
        its track or the question carries."""
        song, history = self.answer.song, self.answer.history
        played = history.song_streams > 0 or history.short_plays > 0
        own = song.query.spotify_id if played and song.track_id is not None else None
        return own or song.merged.spotify_id or song.query.spotify_id

    @property
    def known(self) -> int:
        """How many times the listener already streamed this song (0: a song new to them)."""
        return self.answer.history.song_streams

    @property
    def played_only(self) -> int:
        """How many times the listener played this song without ever streaming it (each play shorter
        than a stream); 0 for a song they streamed or never played."""
        return self.answer.history.short_plays if not self.known else 0

    @property
    def in_history(self) -> bool:
        """The listener played the song already: what their history says of it comes first."""
        return bool(self.known or self.played_only) and not self.banned

    @property
    def verdict(self) -> str:
        """The answer in words: for a song already played, what the history says first."""
        if self.banned:
            return self.answer.prediction.verdict
        if self.known:
            return f"🔁 You have streamed it {times(self.known)} already"
        if self.played_only:
            return f"⏭ You have played it {times(self.played_only)}, {self._never_a_stream}"
        return self.answer.prediction.verdict

    @property
    def _never_a_stream(self) -> str:
        seconds = self.answer.history.stream_min_ms / 1000
        return f"never for {seconds:g} s or more"

    @property
    def banned(self) -> bool:
        """The listener banned the song or its artist: the answer is a firm zero."""
        return self.answer.history.library.banned is not None

    @property
    def version_of(self) -> str | None:
        """For a song they never played, the version of it they did: "a remix of Grip, which you
        streamed 40 times" (as a recommendation of it says)."""
        from musicflow.model.song_streams import version_words

        played = self.answer.history.other_version
        if played is None or self.banned:
            return None
        return version_words(self.answer.song.query.song, played)

    @property
    def library_facts(self) -> list[str]:
        """What the listener's library says of the song, beside the prediction (a ban is its verdict)."""
        library = self.answer.history.library
        facts = []
        if library.saved:
            facts.append("♥ in your Liked Songs")
        if library.followed:
            facts.append(f"you follow {self.answer.history.artist}")
        return facts

    @property
    def description(self) -> str:
        """One sentence: the prediction, and for a song the listener streamed, how often they did."""
        query = self.answer.song.query
        streams = streams_as_written(self.answer.prediction.streams)
        library = self.answer.history.library
        if library.banned is not None:
            what = "this song" if library.banned == "song" else query.artist
            return (
                f"'{query.song}' by {query.artist}: listener '{self.profile}' banned {what} in Spotify:"
                " 0 streams"
            )
        if self.known or self.played_only:
            what = (
                f"streamed it {times(self.known)}"
                if self.known
                else f"played it {times(self.played_only)}, {self._never_a_stream}"
            )
            return (
                f"'{query.song}' by {query.artist}: listener '{self.profile}' {what}; for a song like it"
                f" the model predicts about {streams:g} streams (0 to 30)"
            )
        return (
            f"'{query.song}' by {query.artist}: about {streams:g} streams predicted for listener"
            f" '{self.profile}' (0 to 30)"
        )


def value_sources(merged: MergedFeatures) -> dict[str, str]:
    """Which source (with its origin: `catalog:bundled`) gave each value, the first with it winning."""
    found: dict[str, str] = {}
    for answer in merged.answers:
        for name in answer.values:
            if name in merged.values and name not in found:
                found[name] = answer.label
    return found


@dataclass(frozen=True)
class FetchResult:
    runs: list[SourceRun]
    coverage: CoverageReport

    @property
    def stopped(self) -> bool:
        """A source paused or failed before it finished: running again resumes."""
        return any(run.stopped for run in self.runs)


@dataclass(frozen=True)
class Training:
    """A training run: its evaluation and training report, what the registry made of it, and the old
    versions removed after it (None when removing them failed; it is logged, and the run stands)."""

    evaluation: dict[str, Any]
    report: dict[str, Any]
    publication: Publication
    pruned: Pruning | None = None

    @property
    def versions_removed(self) -> int:
        return len(self.pruned.removed) if self.pruned is not None else 0


def evaluation_document(stored: Mapping[str, Any]) -> dict[str, Any]:
    """A version's stored evaluation as every answer gives it in JSON (`evaluate`, `models show`, `train`,
    `GET /api/models/{version}`): the record as kept, each split's `cutoff` (the time split's: the songs
    first heard after it are the test songs) in ISO 8601, UTC, where the record keeps Unix seconds; null
    for the random split, or a time split stored before the cut-off was. Read alike from a record of any
    MusicFlow version; a part in a form this one does not read is given as it is."""
    document = dict(stored)
    splits = document.get("splits")
    if isinstance(splits, list):
        document["splits"] = [
            _split_document(split) if isinstance(split, Mapping) else split for split in splits
        ]
    return document


def _split_document(split: Mapping[str, Any]) -> dict[str, Any]:
    document = _times_in_iso(split, "cutoff")
    if not isinstance(document.get("cutoff"), str):
        document["cutoff"] = None
    return document


def training_report_document(report: Mapping[str, Any]) -> dict[str, Any]:
    """What a version records of its training (`train --format json`'s `training`), its times in ISO 8601,
    UTC: `last_play_at`, the last play it learned from, and `recommend_ranking.cutoff`, where the
    recommendations' way of ranking was measured from."""
    document = _times_in_iso(report, "last_play_at")
    ranking = document.get("recommend_ranking")
    if isinstance(ranking, Mapping):
        document["recommend_ranking"] = _times_in_iso(ranking, "cutoff")
    return document


def lineage_document(learned: Mapping[str, Any]) -> dict[str, Any]:
    """A version's `lineage.json` as `models show --format json` gives it (`learned_from`): the record as
    written, its times (the last play learned from, each listener's, when each catalog was imported) in
    ISO 8601, UTC, where the file keeps Unix seconds. `cut_off` is the version's own listener's cut-off:
    `last_play_at`, how many `plays` up to it and their digest (the time an accuracy report gives as
    `cut_off_at`). A part in a form this MusicFlow does not read is given as it is."""
    document = dict(learned)
    cut = document.get("cut_off")
    if isinstance(cut, Mapping):
        document["cut_off"] = _times_in_iso(cut, "last_play_at")
    plays = document.get("plays")
    if isinstance(plays, Mapping):
        document["plays"] = {
            name: _times_in_iso(cut, "last_play_at") if isinstance(cut, Mapping) else cut
            for name, cut in plays.items()
        }
    catalogs = document.get("catalogs")
    if isinstance(catalogs, list):
        document["catalogs"] = [
            _times_in_iso(catalog, "imported_at") if isinstance(catalog, Mapping) else catalog
            for catalog in catalogs
        ]
    return document


def _times_in_iso(record: Mapping[str, Any], *names: str) -> dict[str, Any]:
    """`record` with the Unix seconds of `names` in ISO 8601 (what is not a number stays as it is)."""
    return {
        key: iso_utc(value)
        if key in names and isinstance(value, int | float) and not isinstance(value, bool)
        else value
        for key, value in record.items()
    }
