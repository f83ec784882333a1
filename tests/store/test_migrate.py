"""A store made by another MusicFlow, opened by this one: commands started together on a store that needs
migrating all work (one migrates, the others wait for it), and a store made by a newer MusicFlow is refused
in one line that says so, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text
from typer.testing import CliRunner

from musicflow.cli.command_tree import app
from musicflow.config import Settings
from musicflow.store.factory import create_store_engine, sqlite_file
from musicflow.store.migrate import LATEST, _migrating, alembic_config

OLDER = "0018"  # the schema of a MusicFlow some hundred and fifty commits back


def _env(settings: Settings) -> dict[str, str]:
    """The settings a command needs to find this store."""
    env = {"MUSICFLOW_DATA_DIR": str(settings.data_dir)}
    if settings.database_url:
        env["MUSICFLOW_DATABASE_URL"] = settings.database_url
    return env


def _revision(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())


def _waits_for_the_store(process: subprocess.Popen[str], engine: Engine, database: Path | None) -> bool:
    """Whether the command has reached the store and waits on it (PostgreSQL: a session waiting on a
    lock; SQLite: the command holds the database file open)."""
    if database is None:
        with engine.connect() as conn:
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
        return bool(waiting)
    fds = Path(f"/proc/{process.pid}/fd")
    try:
        return any(str(fd.readlink()) == str(database) for fd in fds.iterdir())
    except OSError:
        return False  # the process is between two states of its file table


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux's /proc to see the wait")
def test_a_command_started_while_another_migrates_the_store_waits_for_it(backend_settings: Settings) -> None:
    """After an upgrade, a server and `musicflow jobs run` (or a server's workers) start together: the one
    that comes second waits for the first one's migration and then works, where it failed on the columns
    the first had just added ("duplicate column name: model_versions_given", exit 1)."""
    engine = create_store_engine(backend_settings)
    command.upgrade(alembic_config(engine), OLDER)
    database = sqlite_file(backend_settings)
    with _migrating(engine) as first:  # another process, half-way through its migration
        command.upgrade(alembic_config(connection=first), "head")
        second = subprocess.Popen(
            [sys.executable, "-m", "musicflow", "tokens", "list", "--format", "json"],
            env={
                **{k: v for k, v in os.environ.items() if not k.startswith("MUSICFLOW_")},
                **_env(backend_settings),
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while not _waits_for_the_store(second, engine, database):
            assert second.poll() is None, second.communicate()
            assert time.monotonic() < deadline, "the second command never reached the store"
            time.sleep(0.05)
        time.sleep(0.5)  # well into its wait
        assert second.poll() is None  # it waits while the first migrates
    out, err = second.communicate(timeout=120)
    assert (second.returncode, err) == (0, "")
    assert out.strip() == "[]"
    assert _revision(engine) == LATEST
    engine.dispose()


def test_a_store_made_by_a_newer_musicflow_is_refused_in_one_line(backend_settings: Settings) -> None:
    """Going back to an older MusicFlow after a newer one opened the store: every command says so in one
    line (exit 1) and leaves the store as it is, where it printed Alembic's traceback."""
    engine = create_store_engine(backend_settings)
    command.upgrade(alembic_config(engine), "head")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    result = CliRunner().invoke(app, ["streams", "top"], env=_env(backend_settings))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "was made by a newer MusicFlow (its schema is at revision 9999" in lines[0]
    assert f"this version knows up to {LATEST}" in lines[0]
    assert "restore the backup" in lines[0]
    assert _revision(engine) == "9999"
    engine.dispose()


def test_a_migration_that_fails_half_way_leaves_the_store_as_it_was(backend_settings: Settings) -> None:
    """The migrations from an older store run in one transaction: one that fails (here the last, on a
    table in its way; in life a kill or a full disk) leaves the older store whole, and the next command
    migrates it. On SQLite the columns the first migrations had added stayed, and every command after
    failed on them ("duplicate column name")."""
    engine = create_store_engine(backend_settings)
    command.upgrade(alembic_config(engine), OLDER)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE ids_given (in_the_way INTEGER)"))  # what the newest one makes
    result = CliRunner().invoke(app, ["streams", "top"], env=_env(backend_settings))
    assert result.exit_code == 1
    assert "cannot open the store" in result.output
    assert _revision(engine) == OLDER
    with engine.begin() as conn:
        assert "model_versions_given" not in {
            column["name"] for column in inspect(conn).get_columns("profiles")
        }
        conn.execute(text("DROP TABLE ids_given"))
    result = CliRunner().invoke(app, ["tokens", "list", "--format", "json"], env=_env(backend_settings))
    assert (result.exit_code, result.output.strip()) == (0, "[]")
    assert _revision(engine) == LATEST
    engine.dispose()
