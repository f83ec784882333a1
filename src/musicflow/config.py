"""All of MusicFlow's settings, in one place.

Values come, highest priority first, from arguments, `MUSICFLOW_*` environment variables, and an optional TOML
file named by `MUSICFLOW_CONFIG_FILE` (default: `config.toml` in the data directory, if it exists).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from pydantic import Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from musicflow.errors import ConfigError

ENV_PREFIX = "MUSICFLOW_"
MIB = 1024 * 1024


def _default_data_dir() -> Path:
    return platformdirs.user_data_path("musicflow", appauthor=False)


def _config_file() -> Path:
    named = os.environ.get(f"{ENV_PREFIX}CONFIG_FILE")
    if named:
        return Path(named)
    data_dir = os.environ.get(f"{ENV_PREFIX}DATA_DIR")
    return (Path(data_dir) if data_dir else _default_data_dir()) / "config.toml"


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
    log_level: str = Field(default="WARNING")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_config_file())
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
        problems = "; ".join(
            f"{ENV_PREFIX}{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from exc
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the config file {_config_file()}: {exc}") from exc
