"""All of MusicFlow's settings, in one place.

Values come, highest priority first, from arguments, `MUSICFLOW_*` environment variables, and an optional TOML
file named by `MUSICFLOW_CONFIG_FILE` (default: `config.toml` in the data directory, if it exists).
"""

from __future__ import annotations

import difflib
import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

import platformdirs
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from musicflow.core.timezone import zone_named
from musicflow.errors import ConfigError

ENV_PREFIX = "MUSICFLOW_"
MIB = 1024 * 1024
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# The sources `features fetch` can ask, and every source a value can come from (`audio_files` is the
# analysis of the listener's own files, never asked): features/source_choice.py builds them.
ASKED_SOURCES = ("catalog", "spotify", "reccobeats")
VALUE_SOURCES = ("catalog", "reccobeats", "audio_files", "spotify")
DATABASES = ("sqlite", "postgresql")


def _default_data_dir() -> Path:
    return platformdirs.user_data_path("musicflow", appauthor=False)


def _config_file() -> Path:
    named = os.environ.get(f"{ENV_PREFIX}CONFIG_FILE")
    if named:
        return Path(named)
    data_dir = os.environ.get(f"{ENV_PREFIX}DATA_DIR")
    return (Path(data_dir) if data_dir else _default_data_dir()) / "config.toml"


def _config_file_named() -> Path | None:
    """The file `MUSICFLOW_CONFIG_FILE` names, when it names one: that file must be there (the default
    one, `config.toml` in the data directory, is read only when it exists)."""
    named = os.environ.get(f"{ENV_PREFIX}CONFIG_FILE")
    if named is None:
        return None
    if not named.strip():
        raise ConfigError(
            f"invalid settings: {ENV_PREFIX}CONFIG_FILE is empty: name a TOML file, or leave it unset for"
            " config.toml in the data directory"
        )
    path = Path(named)
    if path.is_dir():
        raise ConfigError(
            f"invalid settings: {ENV_PREFIX}CONFIG_FILE names {path}, a folder: name a TOML file"
        )
    if not path.exists():
        raise ConfigError(f"invalid settings: {ENV_PREFIX}CONFIG_FILE names {path}, which is not there")
    return path


class Settings(BaseSettings):
    """MusicFlow's settings; see the README's settings table for each one."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the store; default: SQLite file musicflow.db in data_dir.",
    )
    stream_min_ms: int = Field(default=30_000, ge=0, description="A play counts as a stream from here.")
    sqlite_busy_timeout_ms: int = Field(default=10_000, ge=0)
    zip_max_member_bytes: int = Field(default=1024 * MIB, gt=0)
    zip_max_ratio: float = Field(default=200.0, gt=1.0)
    zip_max_total_bytes: int = Field(default=8 * 1024 * MIB, gt=0)
    ingest_max_file_bytes: int = Field(
        default=64 * MIB,
        gt=0,
        description="Largest JSON file of an export (a zip member or not) ingest reads: each is parsed whole"
        " in memory, at about six times its size; Spotify's own files are a few MB each (an extended"
        " history is split near 12 MB).",
    )
    log_level: str = Field(default="WARNING")

    # -- features ---------------------------------------------------------------------------------
    feature_sources: Annotated[list[str], NoDecode] = Field(
        default=["catalog"],
        description="Sources `features fetch` asks, in this order (catalog, spotify, reccobeats).",
    )
    feature_precedence: Annotated[list[str], NoDecode] = Field(
        default=["catalog", "reccobeats", "audio_files", "spotify"],
        description="When sources disagree on a value, the first of these that has it wins.",
    )
    use_bundled_catalog: bool = Field(default=True, description="Import the bundled catalog on first use.")
    spotify_features_for_model: bool = Field(
        default=False,
        description="Let values from Spotify's Web API become model inputs (see README: Developer Policy).",
    )
    miss_ttl_days: float = Field(default=30.0, gt=0, description="How long a 'not found' is remembered.")
    spotify_client_id: str | None = None
    spotify_client_secret: SecretStr | None = None
    spotify_api_url: str = "https://api.spotify.com/v1"
    spotify_token_url: str = "https://accounts.spotify.com/api/token"
    spotify_market: str | None = None
    spotify_max_requests: int = Field(default=60, ge=0, description="Requests per rolling window.")
    reccobeats_url: str = "https://api.reccobeats.com/v1"
    reccobeats_max_requests: int = Field(default=100, ge=0, description="Requests per rolling window.")
    rate_window_seconds: float = Field(default=30.0, gt=0)
    http_connect_timeout: float = Field(default=5.0, gt=0)
    http_read_timeout: float = Field(default=20.0, gt=0)
    http_retry_budget: float = Field(default=60.0, ge=0)
    http_max_retry_after: float = Field(
        default=60.0, ge=0, description="Longest Retry-After slept through; a longer one pauses the job."
    )
    model_zeros: str = Field(
        default="auto",
        description="Zeros the model trains on: skips, others, catalog, shipped joined with +, or auto.",
    )
    model_evaluation_seeds: int = Field(
        default=3,
        ge=1,
        le=10,
        description="Seeds each evaluation split is drawn with (its spread); 1 trains about twice as fast.",
    )
    model_keep_versions: int = Field(
        default=5,
        description="Model versions of a listener kept besides the champion and the version a rollback "
        "returns to: the newest N; older ones are removed after each training and by `models prune`.",
    )
    audio_max_seconds: float = Field(default=120.0, gt=0, description="Seconds of each audio file analysed.")

    # -- web page ---------------------------------------------------------------------------------
    web_session_secret: SecretStr | None = Field(
        default=None,
        description="Key that signs the web page's session cookie (the highscore), 32+ characters; "
        "without one, a random key per process.",
    )
    web_production: bool = Field(
        default=False,
        description="Production: no start without a strong web_session_secret; cookie over HTTPS only.",
    )
    time_zone: str = Field(
        default="",
        description="IANA time zone (e.g. Europe/Berlin) of the hours, weekdays and months on the taste "
        "page; empty: this machine's.",
    )

    # -- HTTP API (`musicflow serve`) -------------------------------------------------------------
    api_rate_limit: str = Field(
        default="120/minute", description="Requests per client to the listener routes (limits' notation)."
    )
    api_upstream_per_client: str = Field(
        default="10/minute", description="Questions about uncached songs per client (each may call upstream)."
    )
    api_upstream_global: str = Field(
        default="60/minute", description="Questions about uncached songs from all clients together."
    )
    api_access: Literal["auto", "tokens", "open"] = Field(
        default="auto",
        description=(
            "Who may reach the listeners' data. auto: a token on every route but the health probes, unless"
            " the server listens on loopback with no proxy in front (api_trusted_proxies empty); tokens:"
            " always; open: never (one listener on their own machine; `serve --open` too)."
        ),
    )
    serving_models: int = Field(
        default=100,
        ge=1,
        description="Profiles whose model a server keeps in memory (least recently asked out).",
    )
    upload_max_bytes: int = Field(
        default=512 * MIB, gt=0, description="Largest upload of an export over HTTP (all its files together)."
    )
    retrain_every_hours: float = Field(
        default=24.0,
        ge=0,
        description="How often the job runner queues retrains (profiles with new plays) and feature "
        "refreshes (songs without features); 0: never.",
    )
    prediction_log: bool = Field(
        default=True,
        description="Record each prediction the API and the page give (profile, song, model, value, time).",
    )
    prediction_log_days: int = Field(default=365, ge=1, description="Days a logged prediction is kept.")
    api_rate_limit_storage: str = Field(
        default="memory://",
        description=(
            "Where rate-limit counts are kept: memory:// (each worker its own), or a storage every worker"
            " shares, e.g. redis://host:6379 (needs the redis client installed)."
        ),
    )
    api_trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default=[], description="Addresses whose X-Forwarded-For names the client."
    )
    api_cors_origins: Annotated[list[str], NoDecode] = Field(
        default=[], description="Origins a browser may call the API from; none by default."
    )
    api_cors_credentials: bool = Field(default=False, description="Let those origins send cookies.")
    api_max_body_bytes: int = Field(default=64 * 1024, gt=0, description="Largest POST body accepted.")
    api_list_profiles: bool = Field(default=False, description="Name the existing profiles in a 404.")
    api_access_log: bool = Field(
        default=True, description="Log each request (method, path, status, time, profile) at INFO."
    )
    api_recommend_ahead: bool = Field(
        default=True,
        description=(
            "Make a listener's Discover list in the background when the server loads their model, at"
            " their sign-in and after a training it ran made a version that serves, so that the page"
            " answers at once."
        ),
    )
    api_answer_ttl_s: float = Field(
        default=5.0,
        ge=0,
        description="Seconds a prediction may be reused for the same song (0: never).",
    )

    @field_validator(
        "feature_sources", "feature_precedence", "api_trusted_proxies", "api_cors_origins", mode="before"
    )
    @classmethod
    def _comma_list(cls, value: object) -> object:
        """`catalog,reccobeats` in an environment variable, or a JSON list, or a TOML list."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        """A level Python's logging knows, checked at start (an unknown one ended in a traceback)."""
        if value.strip().upper() not in LOG_LEVELS:
            raise ValueError(
                f"{value!r} is not a log level: use {', '.join(LOG_LEVELS[:-1])} or {LOG_LEVELS[-1]}"
            )
        return value.strip().upper()

    @field_validator("feature_sources")
    @classmethod
    def _asked_sources(cls, value: list[str]) -> list[str]:
        """Sources there are, at least one: an empty list would have `features fetch` ask nobody, and
        say nothing of it."""
        if not value:
            raise ValueError(f"names no source: name one or more of {', '.join(ASKED_SOURCES)}")
        for name in value:
            if name == "audio_files":
                raise ValueError(
                    "audio_files is not a source that is asked: its features come from your own audio"
                    " files (`features analyze`)"
                )
            if name not in ASKED_SOURCES:
                raise ValueError(f"unknown feature source {name!r}: choose from {', '.join(ASKED_SOURCES)}")
        return value

    @field_validator("feature_precedence")
    @classmethod
    def _value_sources(cls, value: list[str]) -> list[str]:
        """Only sources there are: a misspelt one would rank nothing, and its source would come last."""
        for name in value:
            if name not in VALUE_SOURCES:
                raise ValueError(f"unknown feature source {name!r}: choose from {', '.join(VALUE_SOURCES)}")
        return value

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str | None) -> str | None:
        """A URL of a database the store can be in, checked at start (the store is opened later)."""
        if value is None or not value.strip():
            return None
        scheme, separator, _ = value.partition("://")
        if not separator or not scheme:
            raise ValueError(
                "is not a database URL: give sqlite:///FILE or postgresql://user:password@host/db"
            )
        backend = scheme.split("+", 1)[0].lower()
        if backend not in DATABASES:
            raise ValueError(
                f"names a {backend!r} database: the store is SQLite (sqlite:///FILE) or PostgreSQL"
                " (postgresql://user:password@host/db)"
            )
        return value

    @field_validator("data_dir", mode="before")
    @classmethod
    def _some_folder(cls, value: object) -> object:
        """An empty value (a shell variable that was never set) would put the store in whatever folder
        the command runs in: refused, naming the setting."""
        if isinstance(value, str | Path) and not str(value).strip():
            raise ValueError("is empty: name a folder, or leave it unset for the default")
        return value

    @field_validator("model_keep_versions")
    @classmethod
    def _keep_some(cls, value: int) -> int:
        """At least the newest version is kept: 0 or less would remove every version but the champion."""
        if value < 1:
            raise ValueError(f"is {value}: keep 1 or more of the newest model versions (default 5)")
        return value

    @field_validator("api_rate_limit", "api_upstream_per_client", "api_upstream_global")
    @classmethod
    def _rate(cls, value: str) -> str:
        """A rate in the `limits` notation (`10/minute`, `100 per hour`), checked at start."""
        from limits import parse

        parse(value)
        return value

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        """A zone the machine knows, checked at start rather than when the page is drawn."""
        zone_named(value)
        return value.strip()

    @model_validator(mode="after")
    def _no_wildcard_with_credentials(self) -> Settings:
        """Browsers refuse `*` with credentials, and allowing any origin to send cookies is never meant."""
        if self.api_cors_credentials and "*" in self.api_cors_origins:
            raise ValueError("CORS origin '*' cannot be combined with credentials: name the origins")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_config_file_named() or _config_file())
        unknown = sorted(set(toml.toml_data) - set(settings_cls.model_fields))
        if unknown:
            raise ConfigError(f"invalid settings: {_unknown_keys(unknown, settings_cls, _config_file())}")
        return (init_settings, env_settings, toml)

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'musicflow.db'}"


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning a validation failure into a message a user can act on."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(f"{_setting_named(err['loc'])}: {_words(err['msg'])}" for err in exc.errors())
        raise ConfigError(f"invalid settings: {problems}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"the config file {_config_file()} is not valid TOML: {exc}") from exc
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the config file {_config_file()}: {exc}") from exc


def _setting_named(loc: tuple[int | str, ...]) -> str:
    """The setting a problem is about, as the user gave it: its environment variable, or its key in the
    config file when the value came from there."""
    key = "_".join(str(p) for p in loc)
    variable = f"{ENV_PREFIX}{key.upper()}"
    if variable not in os.environ and key in _keys_in_file():
        return f"{key} in {_config_file()}"
    return variable


def _keys_in_file() -> set[str]:
    try:
        with _config_file().open("rb") as file:
            return set(tomllib.load(file))
    except (OSError, ValueError):
        return set()


def _unknown_keys(keys: list[str], settings_cls: type[BaseSettings], file: Path) -> str:
    """Keys of the config file no setting has, each with the one it was likely meant as."""
    fields = set(settings_cls.model_fields)
    said = []
    for key in keys:
        plain = key.lower().removeprefix(ENV_PREFIX.lower())
        meant = plain if plain in fields else None
        if meant is None:
            close = difflib.get_close_matches(plain, fields, n=1, cutoff=0.8)
            meant = close[0] if close else None
        said.append(f"{key!r}" + (f" (did you mean {meant!r}?)" if meant else ""))
    return (
        f"the config file {file} has {'a key' if len(keys) == 1 else 'keys'} no setting has: "
        f"{', '.join(said)}; its keys are the settings' names in lower case, without {ENV_PREFIX}"
        " (the README's settings table)"
    )


# Variables with the prefix that are not settings but are read elsewhere: the config file's name, and
# those of the tests and benchmarks.
NOT_SETTINGS = frozenset({"CONFIG_FILE", "SHARED_DATA", "ARTIFACTS"})


def unknown_variables(environ: Mapping[str, str] | None = None) -> list[tuple[str, str | None]]:
    """Each `MUSICFLOW_` environment variable that names no setting (a typo is otherwise ignored without a
    word), with the setting it was likely meant as: ("MUSICFLOW_STREAMMINMS", "MUSICFLOW_STREAM_MIN_MS")."""
    fields = {name.upper() for name in Settings.model_fields}
    said: list[tuple[str, str | None]] = []
    for variable in sorted(os.environ if environ is None else environ):
        if not variable.startswith(ENV_PREFIX):
            continue
        name = variable.removeprefix(ENV_PREFIX)
        if name in fields or name in NOT_SETTINGS or name.startswith("TEST_"):
            continue
        close = difflib.get_close_matches(name, fields, n=1, cutoff=0.8)
        said.append((variable, f"{ENV_PREFIX}{close[0]}" if close else None))
    return said


def _words(message: str) -> str:
    """A validator's own message, without the "Value error, " pydantic puts before it."""
    return message.removeprefix("Value error, ")
