"""`musicflow tokens create|list|revoke` and `musicflow profile delete`, as a user runs them."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from musicflow.app.access import digest_of
from musicflow.app.service import MusicFlow
from musicflow.cli.command_tree import app
from musicflow.config import load_settings
from tests.trained import PROFILE, copy_of

runner = CliRunner()


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_a_token_is_shown_once_and_only_its_digest_is_kept() -> None:
    code, out, err = run("tokens", "create", "--profile", "newcomer", "--scope", "write")
    assert code == 0, err
    token = out.strip()
    assert token.startswith("mf_") and len(token) > 40
    assert "cannot be shown again" in " ".join(err.split())
    with MusicFlow.open(load_settings()) as opened:
        assert opened.profiles() == ["newcomer"]  # ready for an upload
        assert opened.grant_by_digest(digest_of(token)).scope == "write"
    code, out, _ = run("tokens", "list")
    assert code == 0 and token not in out and "newcomer" in out and "write" in out
    store_bytes = b"".join(p.read_bytes() for p in load_settings().data_dir.rglob("*") if p.is_file())
    assert token.encode() not in store_bytes


def test_list_as_json_and_revoke() -> None:
    run("tokens", "create", "--profile", "a")
    run("tokens", "create", "--profile", "b")
    code, out, _ = run("tokens", "revoke", "1")
    assert code == 0 and "revoked" in out
    code, out, _ = run("tokens", "list", "--format", "json")
    listed = json.loads(out)
    assert [(t["id"], t["profile"], t["revoked"] is not None) for t in listed] == [
        (1, "a", True),
        (2, "b", False),
    ]
    # Times for a program in ISO 8601, UTC, to the second, as every command's JSON gives them.
    made, revoked = (datetime.fromisoformat(listed[0][key]) for key in ("created", "revoked"))
    assert made.utcoffset() == revoked.utcoffset() == timedelta(0) and made <= revoked
    assert abs(datetime.now(UTC) - made) < timedelta(minutes=5) and listed[1]["expires"] is None
    code, out, _ = run("tokens", "list", "--profile", "b", "--format", "json")
    assert [t["profile"] for t in json.loads(out)] == ["b"]


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("tokens", "revoke", "9"), 1, "there is no token 9"),
        (("tokens", "create", "--profile", "a", "--scope", "admin"), 2, "read or write"),
        (("tokens", "create"), 2, "--profile"),
        (("tokens", "create", "--profile", "a", "--days", "0"), 2, "--days"),
        (("profile", "delete", "nobody", "--yes"), 1, "nobody"),
    ],
)
def test_mistakes_say_what_is_wrong(args: tuple[str, ...], code: int, words: str) -> None:
    assert run("tokens", "create", "--profile", "a")[0] == 0  # a store, with a profile
    exit_code, out, err = run(*args)
    assert exit_code == code
    assert words in " ".join((out + err).split())


@pytest.fixture
def listener(ingested_listener: Path, isolated_environment: Path) -> None:
    copy_of(ingested_listener, isolated_environment)


def test_delete_asks_first_and_then_removes_everything(listener: None) -> None:
    code, _, err = run("profile", "delete", PROFILE)
    assert code == 2 and "--yes" in err  # no terminal to ask: nothing is deleted
    code, _, _ = run("profile", "delete", PROFILE, stdin="n\n")
    with MusicFlow.open(load_settings()) as opened:
        assert opened.profiles() == [PROFILE]
    code, out, err = run("profile", "delete", PROFILE, "--yes", "--format", "json")
    assert code == 0, err
    erased = json.loads(out)
    assert erased["profile"] == PROFILE and erased["plays"] > 1000 and erased["tracks"] > 100
    with MusicFlow.open(load_settings()) as opened:
        assert opened.profiles() == []


@pytest.fixture
def trained(trained_listener: Path, isolated_environment: Path) -> None:
    copy_of(trained_listener, isolated_environment)


def test_predict_logs_when_asked_and_the_log_exports_to_parquet(trained: None, tmp_path: Path) -> None:
    import polars as pl

    run("predict", "--song", "Levitating", "--artist", "Dua Lipa")  # not logged: not asked to
    code, out, err = run(
        "predict", "--song", "Levitating", "--artist", "Dua Lipa", "--log", "--format", "json"
    )
    assert code == 0, err
    said = json.loads(out)
    target = tmp_path / "log.parquet"
    code, _, err = run("log", "export", "--output", str(target))
    assert code == 0 and "1 prediction written" in err
    frame = pl.read_parquet(target)
    assert frame.select("profile", "song", "artist", "model_version", "predicted", "via").rows() == [
        (PROFILE, "Levitating", "Dua Lipa", said["model_version"], said["prediction"], "cli")
    ]
    assert str(frame.schema["asked_at"]).startswith("Datetime")
    code, out, err = run("log", "export", "--format", "csv")  # text, on standard output as json is
    assert code == 0, err
    assert out.splitlines()[0] == "profile,song,artist,spotify_id,model_version,predicted,asked_at,via"
    assert out.splitlines()[1].startswith(f"{PROFILE},Levitating,Dua Lipa,") and len(out.splitlines()) == 2
    code, _, err = run("log", "export")  # parquet is no text
    assert code == 2 and "parquet is written to a file: add --output FILE" in err
    code, _, err = run("log", "export", "--output", str(tmp_path / "nowhere" / "log.parquet"))
    assert code == 2 and f"cannot write {tmp_path / 'nowhere' / 'log.parquet'}: " in err
    assert f"{tmp_path / 'nowhere'}: no such folder" in err and "None" not in err


def test_accuracy_before_any_later_play_says_what_would_judge_it(trained: None) -> None:
    code, out, _ = run("accuracy")
    assert code == 0 and "No prediction" in out
    run("predict", "--song", "Levitating", "--artist", "Dua Lipa", "--log")
    code, out, _ = run("accuracy")
    assert code == 0 and "v1" in out and "ingest a newer export" in " ".join(out.split())
    code, out, _ = run("accuracy", "--format", "json")
    (version,) = json.loads(out)["versions"]
    assert (version["songs"], version["plays_after"], version["auc"]) == (1, 0, None)
    assert version["cut_off_exact"]  # the model recorded the last play it learned from


def test_times_in_machine_output_are_iso_8601_in_utc_alike(trained: None, tmp_path: Path) -> None:
    """`log export --format csv` wrote asked_at as 2026-12-06T11:05:38.689422+0000 where JSON wrote
    +00:00 (and a JSON file polars' way); `accuracy -f json` gave its cut-off only as Unix seconds, where
    models list and catalog list give ISO 8601. It gives it as `cut_off_at` alone now: `cut_off` was a
    number there and an object in `models show`'s `learned_from` (one name, two meanings)."""
    assert run("predict", "--song", "Levitating", "--artist", "Dua Lipa", "--log")[0] == 0
    iso_to_the_microsecond = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00"
    code, out, err = run("log", "export", "--format", "json")
    assert code == 0, err
    (logged,) = json.loads(out)
    assert re.fullmatch(iso_to_the_microsecond, logged["asked_at"])
    code, out, err = run("log", "export", "--format", "csv")
    assert code == 0, err
    (row,) = csv.DictReader(io.StringIO(out))
    assert row["asked_at"] == logged["asked_at"]
    for fmt in ("csv", "json"):
        target = tmp_path / f"log.{fmt}"
        assert run("log", "export", "--format", fmt, "--output", str(target))[0] == 0
        assert logged["asked_at"] in target.read_text(encoding="utf-8")
    assert json.loads((tmp_path / "log.json").read_text(encoding="utf-8")) == [logged]

    code, out, err = run("accuracy", "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    (version,) = document["versions"]
    for judged in (version, document["drift"]):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", judged["cut_off_at"])
        assert "cut_off" not in judged
    code, out, err = run("models", "show", "1", "--format", "json")
    assert code == 0, err
    learned = json.loads(out)["learned_from"]
    assert learned["cut_off"]["last_play_at"] == version["cut_off_at"] == document["drift"]["cut_off_at"]


def test_deleting_a_profile_there_is_not_names_the_ones_there_are(listener: None) -> None:
    code, out, err = run("profile", "delete", "nobody", "--yes")
    assert code == 1 and not out
    said = " ".join(err.split())
    assert said == f"error: there is no profile 'nobody' (profiles in this store: {PROFILE})"
    assert "ingest" not in said  # nothing to ingest for a delete


def test_deleting_a_listener_says_which_other_models_no_longer_name_them(
    trained: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default listener's model trained with a friend in the store recorded the friend's plays by
    name; deleting the friend says that record no longer names them."""
    monkeypatch.setenv("MUSICFLOW_MODEL_EVALUATION_SEEDS", "1")
    history = tmp_path / "StreamingHistory_music_0.json"
    play = {"endTime": "2024-01-01 10:00", "artistName": "A", "trackName": "B", "msPlayed": 200_000}
    history.write_text(json.dumps([play]))
    assert run("ingest", str(history), "--profile", "friend")[0] == 0
    code, _, err = run("train", "--force")
    assert code == 0, err
    code, out, err = run("profile", "delete", "friend", "--yes")
    assert code == 0, err
    assert (
        "1 model version of other listeners, which read its plays with their store's, no longer name it"
        in " ".join(out.split())
    )
    code, out, _ = run("models", "show", "2", "--format", "json")
    assert "friend" not in out and "deleted profile" in out


def test_a_store_of_profiles_made_by_tokens_alone_is_said_to_hold_no_history_not_no_profile() -> None:
    """Profiles made empty by `tokens create` are not offered as profiles to use, and the store that
    holds them was said to hold "no profile yet"."""
    assert run("tokens", "create", "--profile", "newcomer")[0] == 0
    code, _, err = run("streams", "top")
    said = " ".join(err.split())
    assert code == 1 and "holds no listening history yet)" in said, said
    assert "no profile yet" not in said and "run `musicflow ingest my_spotify_data.zip`" in said
