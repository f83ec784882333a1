"""What a prediction rests on: the song's audio features, what else is known of it, or the listener's
history of its artist alone.

No source knows every song, but the listener's history always knows the artist they streamed. A song is
answered from whatever is known and the answer says which; only a song with no features and an artist
the listener never streamed cannot be answered. Training, evaluation and serving use the same rule, and
the evaluation reports each basis on its own, since the answers are not equally good.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from musicflow.core.feature_spec import AUDIO_FEATURES
from musicflow.features.merge import MergedFeatures
from musicflow.model.affinity import ArtistAffinity
from musicflow.model.vectorize import usable_values


class Availability(StrEnum):
    """Which feature-table values a song has (the pattern the zeros must share with the positives)."""

    AUDIO = "audio"  # at least one audio feature
    METADATA = "metadata"  # no audio feature, but duration, release year, ...
    NONE = "none"  # nothing but its name and artist


class Basis(StrEnum):
    """What an answer rests on, as the listener reads it."""

    AUDIO = "audio features and your history"
    METADATA = "what is known of the song (no audio features) and your history of its artist"
    HISTORY = "your history of this artist only"


NOTHING_KNOWN = "nothing known of this song: no source has its features and you never streamed its artist"

_AUDIO = frozenset(AUDIO_FEATURES)
_BASIS_OF = {
    Availability.AUDIO: Basis.AUDIO,
    Availability.METADATA: Basis.METADATA,
    Availability.NONE: Basis.HISTORY,
}


def availability_of(features: MergedFeatures, allow_spotify: bool) -> Availability:
    return availability_of_values(usable_values(features, allow_spotify))


def availability_of_values(names: Collection[str]) -> Availability:
    """The availability of a song whose usable feature-table values are named `names`."""
    if not _AUDIO.isdisjoint(names):
        return Availability.AUDIO
    return Availability.METADATA if names else Availability.NONE


def basis_of(features: MergedFeatures, affinity: ArtistAffinity, allow_spotify: bool) -> Basis | None:
    """What a prediction of this song would rest on; None when nothing is known to answer from."""
    return basis_from(availability_of(features, allow_spotify), affinity)


def basis_from(available: Availability, affinity: ArtistAffinity) -> Basis | None:
    """`basis_of` a song of this availability pattern."""
    if available is Availability.NONE and affinity.streams <= 0:
        return None
    return _BASIS_OF[available]
