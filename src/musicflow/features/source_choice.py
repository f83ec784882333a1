"""Choosing the configured feature sources: the one place that turns settings into source adapters."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager

from musicflow.config import Settings
from musicflow.core.clock import Clock
from musicflow.errors import ConfigError, Hint
from musicflow.features.catalog import CatalogSource, ensure_bundled_catalog
from musicflow.features.http import HttpOptions
from musicflow.features.reccobeats import ReccoBeatsOptions, ReccoBeatsSource
from musicflow.features.source_port import FeatureSource
from musicflow.features.spotify import SpotifyOptions, SpotifySource
from musicflow.features.spotify_auth import SpotifyCredentials
from musicflow.features.throttle import ThrottleOptions
from musicflow.store.ports import FeatureStore

AUDIO_FILES = "audio_files"
FETCHABLE = ("catalog", "spotify", "reccobeats")


def http_options(settings: Settings, max_requests: int) -> HttpOptions:
    return HttpOptions(
        connect_timeout=settings.http_connect_timeout,
        read_timeout=settings.http_read_timeout,
        retry_budget=settings.http_retry_budget,
        max_retry_after=settings.http_max_retry_after,
        throttle=ThrottleOptions(max_requests=max_requests, window_seconds=settings.rate_window_seconds),
    )


def spotify_credentials(settings: Settings) -> SpotifyCredentials | None:
    if not settings.spotify_client_id or settings.spotify_client_secret is None:
        return None
    return SpotifyCredentials(settings.spotify_client_id, settings.spotify_client_secret.get_secret_value())


@contextmanager
def open_sources(
    names: Sequence[str], settings: Settings, store: FeatureStore, clock: Clock
) -> Iterator[list[FeatureSource]]:
    """The named sources, ready to ask, closed afterwards; an unknown name is a ConfigError."""
    builders: dict[str, Callable[[], FeatureSource]] = {
        "catalog": lambda: _catalog(settings, store),
        "spotify": lambda: SpotifySource(
            spotify_credentials(settings),
            SpotifyOptions(
                api_base_url=settings.spotify_api_url,
                token_url=settings.spotify_token_url,
                market=settings.spotify_market,
                http=http_options(settings, settings.spotify_max_requests),
            ),
            clock=clock,
        ),
        "reccobeats": lambda: ReccoBeatsSource(
            ReccoBeatsOptions(
                base_url=settings.reccobeats_url,
                http=http_options(settings, settings.reccobeats_max_requests),
            ),
            clock=clock,
        ),
    }
    for name in names:
        if name == AUDIO_FILES:
            raise ConfigError(
                "audio_files is not a source that is asked: its features come from your own audio files",
                hint=Hint.ANALYZE_AUDIO,
            )
        if name not in builders:
            raise ConfigError(f"unknown feature source {name!r}: choose from {', '.join(FETCHABLE)}")
    with ExitStack() as stack:
        sources: list[FeatureSource] = []
        for name in names:
            source = builders[name]()
            close = getattr(source, "close", None)
            if close is not None:
                stack.callback(close)
            sources.append(source)
        yield sources


def _catalog(settings: Settings, store: FeatureStore) -> CatalogSource:
    if settings.use_bundled_catalog:
        ensure_bundled_catalog(store)
    return CatalogSource(store)
