"""Serving: how fast one `musicflow serve` process answers, against its own health route.

One server (one uvicorn worker) on a fresh data dir where `musicflow demo` has run (the demo model is
the champion and the demo songs' features are cached); one load generator, `wrk`, in its own process at
50 connections, as 256 clients (each request names one in `X-Forwarded-For`, from the documentation
range 198.51.100.0/24; the server trusts that header from loopback), each under its rate limit.
Measured in the same run: `GET /api/health` (the reference: what the server does with no work at all),
`GET /api/prediction/` rotating over the cached demo songs, the same with the answer cache off over the
listener's top tracks that have features (every request computes its prediction), and
`POST /api/predictions` with the listener's 100 top tracks (songs/s).
Besides, `GET /api/prediction/` over songs nobody asked before: the songs of two shared catalogs added
to the store (`kattapriyatham_tracks`, `tracks600k_head`) and the listener's own, tens of thousands,
shuffled and asked in turn, more than a run can ask inside the answer cache's window, so every answer is
made for its request (the answer cache on, the rate limiter on but out of the way).
The same songs are asked, in the same order, of a second server that keeps no prediction log: the log's
cost. Health and the predictions run in turn, three rounds; their medians are judged against the targets:
prediction throughput at least 40 % of health's and p99 under 25 ms at 50 connections; songs nobody
asked before at least 25 % of health's and p99 under 50 ms; the prediction log costs at most 10 % of them.

On a machine with 2 or more cores the server is pinned to CPU 0 and wrk to CPU 1 (`taskset`), so that
the load generator does not take the server's core; the load average and the share of a core the server
got during each run say how much the rest of the machine disturbed it.

Usage: python -m benchmarks.serving_load [SECONDS_PER_RUN]     (needs wrk: apt-get install -y wrk)
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx

MUSICFLOW = [sys.executable, "-m", "musicflow"]
PROFILE = "demo"
CONNECTIONS = 50
BATCH_CONNECTIONS = 4
SECONDS = 5
ROUNDS = 3
BUSY = 0.9  # below this share of a core, the server was not what limited a run
HEALTH = "GET /api/health"
PREDICTION = "GET /api/prediction/"
BATCH = "POST /api/predictions (100 songs)"
UNCACHED = "GET /api/prediction/ (no answer cache)"
DISTINCT = "GET /api/prediction/ (songs nobody asked before)"
UNLOGGED = "the same, prediction log off"
LOG_COST_TARGET = 0.10
RATIO_TARGET = 0.40
P99_TARGET_MS = 25.0
DISTINCT_RATIO_TARGET = 0.25
DISTINCT_P99_TARGET_MS = 50.0
# Catalogs of ../shared/data added to the store: their songs, with the listener's own, are the songs asked.
SHARED_CATALOGS = {
    "kattapriyatham_tracks": "catalogs/kattapriyatham_tracks/spotify_tracks.csv",
    "tracks600k_head": "catalogs/tracks600k_head/tracks.csv",
}
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
# What every script writes when wrk is done: its figures, in one line.
DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout + e.status, latency:percentile(50), latency:percentile(99)))
end
"""
# Distinct songs, in turn from `offset`: each wrk thread starts at its own place and steps by the number
# of threads, so no song is asked twice before the list has gone round (a request is formatted each time).
DISTINCT_LUA = (
    """
local paths = {%(paths)s}
local offset = %(offset)d
local threads = %(threads)d
local made = 0
function setup(thread)
  thread:set("id", made)
  made = made + 1
end
function init(args)
  n = offset + (id or 0)
end
request = function()
  n = n + threads
  local headers = {["X-Forwarded-For"] = "198.51.100." .. (n %% 256)}
  return wrk.format("GET", paths[n %% #paths + 1], headers)
end
"""
    + DONE
)
LUA = (
    """
local paths = {%(paths)s}
local requests = {}
for i = 0, 256 * #paths - 1 do  -- built once: wrk then only hands them out, in turn
  local headers = {["Content-Type"] = "application/json", ["X-Forwarded-For"] = "198.51.100." .. (i %% 256)}
  requests[i + 1] = wrk.format("%(method)s", paths[i %% #paths + 1], headers, %(body)s)
end
local n = 0
request = function()
  n = n %% #requests + 1
  return requests[n]
end
"""
    + DONE
)


@dataclass(frozen=True)
class Run:
    name: str
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    server_core_share: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def pinned(cpu: int | None, command: list[str]) -> list[str]:
    return ["taskset", "-c", str(cpu), *command] if cpu is not None else command


def cpus() -> tuple[int | None, int | None]:
    """The server's CPU and the load generator's, when there are two to keep apart."""
    if shutil.which("taskset") and len(os.sched_getaffinity(0)) >= 2:
        first, second = sorted(os.sched_getaffinity(0))[:2]
        return first, second
    return None, None


def demo_data(env: dict[str, str]) -> list[tuple[str, str]]:
    """Run the demo (trains the model, caches the demo songs); the listener's top 100 tracks."""
    subprocess.run([*MUSICFLOW, "demo"], env=env, check=True, capture_output=True)
    from musicflow.app.service import MusicFlow
    from musicflow.config import load_settings

    os.environ["MUSICFLOW_DATA_DIR"] = env["MUSICFLOW_DATA_DIR"]
    with MusicFlow.open(load_settings()) as app:
        return [(top.track, top.artist) for top in app.top_streams(PROFILE, 100)]


@contextmanager
def server(
    env: dict[str, str], cpu: int | None, answer_ttl: str, *, log: bool = True
) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = {
        **env,
        "MUSICFLOW_PREDICTION_LOG": "true" if log else "false",
        "MUSICFLOW_API_RATE_LIMIT": "100000/minute",
        "MUSICFLOW_API_TRUSTED_PROXIES": "127.0.0.1",
        "MUSICFLOW_API_ANSWER_TTL_S": answer_ttl,
        "MUSICFLOW_RETRAIN_EVERY_HOURS": "0",  # no scheduled job runs beside the measured requests
        "MUSICFLOW_API_RECOMMEND_AHEAD": "false",  # nor the Discover list a server makes after its start
    }
    command = pinned(cpu, [*MUSICFLOW, "serve", "--open", "--profile", PROFILE, "--port", str(port)])
    process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/api/health/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise SystemExit("the server did not become ready within 120 s")
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(
    name: str,
    url: str,
    pid: int,
    paths: list[str],
    cpu: int | None,
    seconds: int,
    offset: int | None = None,
    **post: object,
) -> Run:
    """wrk against `paths` in turn (from `offset`, built one request at a time, when given); its own
    figures, and how much of a core the server got meanwhile."""
    threads = "1" if cpu is not None else "2"
    body = json.dumps(json.dumps(post["body"], ensure_ascii=False), ensure_ascii=False) if post else "nil"
    listed = ", ".join(json.dumps(path) for path in paths)
    if offset is None:
        script = LUA % {"paths": listed, "method": "POST" if post else "GET", "body": body}
    else:
        script = DISTINCT_LUA % {"paths": listed, "offset": offset, "threads": int(threads)}
    connections = int(str(post.get("connections", CONNECTIONS)))
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        wrk = ["wrk", "-t", threads, "-c", str(connections), "-d", f"{seconds}s", "-s", lua.name, url]
        before = cpu_seconds(pid)
        done = subprocess.run(pinned(cpu, wrk), check=True, capture_output=True, text=True)
        used = cpu_seconds(pid) - before
    figures = next(line for line in done.stdout.splitlines() if line.startswith("RESULT")).split()[1:]
    requests, micros, errors, p50, p99 = (int(figure) for figure in figures)
    return Run(name, requests, micros / 1e6, errors, p50 / 1000, p99 / 1000, used / (micros / 1e6))


def prediction_paths(songs: list[tuple[str, str]]) -> list[str]:
    return [f"/api/prediction/?{urlencode({'song': song, 'artist': artist})}" for song, artist in songs]


def demo_songs() -> list[tuple[str, str]]:
    from musicflow.cli.demo import DEMO_SONGS

    return [(asked.song, asked.artist) for asked in DEMO_SONGS]


def distinct_songs(env: dict[str, str]) -> list[tuple[str, str]]:
    """The shared catalogs added to the store; their songs and the listener's own that MusicFlow
    answers (asked in bulk here, in this process: the server has seen none of them)."""
    from musicflow.app.results import Prediction
    from musicflow.app.service import MusicFlow
    from musicflow.config import load_settings
    from musicflow.core.songs import SongRequest

    for name, path in SHARED_CATALOGS.items():
        command = [*MUSICFLOW, "catalog", "add", str(SHARED_DATA / path), "--name", name]
        subprocess.run(command, env=env, check=True, capture_output=True)
    os.environ["MUSICFLOW_DATA_DIR"] = env["MUSICFLOW_DATA_DIR"]
    with MusicFlow.open(load_settings()) as app:
        store = app._store  # benchmarks may read the store to choose their inputs
        wanted = {(top.track, top.artist) for top in app.top_streams(PROFILE, None)}
        for name in SHARED_CATALOGS:
            for row in store.features.catalog_rows(name):
                if row.song.strip() and row.artists and row.artists[0].strip():
                    wanted.add((row.song, row.artists[0]))
        songs = sorted(wanted)
        answers = app.predict_many(PROFILE, [SongRequest(song, artist) for song, artist in songs], keep=False)
    answered = [song for song, answer in zip(songs, answers, strict=True) if isinstance(answer, Prediction)]
    random.Random(0).shuffle(answered)
    return answered


def measure(
    env: dict[str, str], songs: list[tuple[str, str]], distinct: list[tuple[str, str]], seconds: int
) -> list[Run]:
    """Health, prediction and predictions of songs nobody asked before in turn, ROUNDS times (a
    neighbour's burst then disturbs all alike), then the batch route, then predictions on a server that
    reuses no answer."""
    server_cpu, wrk_cpu = cpus()
    predictions = prediction_paths(demo_songs())
    never_asked = prediction_paths(distinct)
    batch = [{"song": song, "artist": artist} for song, artist in songs]
    runs = []
    asked = 0
    with server(env, server_cpu, "5") as (url, pid), server(env, server_cpu, "5", log=False) as unlogged:
        for path in predictions:  # warm: every answer computed once
            httpx.get(url + path).raise_for_status()
        httpx.post(f"{url}/api/predictions", json=batch, timeout=60).raise_for_status()
        for _ in range(ROUNDS):
            runs.append(load(HEALTH, url, pid, ["/api/health"], wrk_cpu, seconds))
            runs.append(load(PREDICTION, url, pid, predictions, wrk_cpu, seconds))
            runs.append(load(DISTINCT, url, pid, never_asked, wrk_cpu, seconds, offset=asked))
            asked += runs[-1].requests
            # The same songs again, on a server that keeps no prediction log: what the log costs.
            runs.append(
                load(UNLOGGED, *unlogged, never_asked, wrk_cpu, seconds, offset=asked - runs[-1].requests)
            )
        post = {"body": batch, "connections": BATCH_CONNECTIONS}
        runs.append(load(BATCH, url, pid, ["/api/predictions"], wrk_cpu, seconds, None, **post))
    with server(env, server_cpu, "0") as (url, pid):
        many = [path for path in prediction_paths(songs) if httpx.get(url + path).status_code == 200]
        runs.append(load(UNCACHED, url, pid, many, wrk_cpu, seconds))
    return runs


def median_of(runs: list[Run], name: str) -> Run:
    """The median round of `name` by throughput (its own latencies with it)."""
    named = sorted((run for run in runs if run.name == name), key=lambda run: run.per_second)
    return named[len(named) // 2]


def report(runs: list[Run], songs: int, distinct: int, load_before: float, load_after: float) -> None:
    print(f"one `musicflow serve` worker; wrk at {CONNECTIONS} connections (batch: {BATCH_CONNECTIONS})")
    print(f"machine: {os.cpu_count()} cores, load average {load_before:.2f} before, {load_after:.2f} after")
    print(f"{'route':<40} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'server CPU':>11}")
    for run in runs:
        print(
            f"{run.name:<40} {run.per_second:8.0f} {run.p50_ms:8.2f} {run.p99_ms:8.2f} {run.errors:7d}"
            f" {run.server_core_share:10.0%}"
        )
    health, prediction = median_of(runs, HEALTH), median_of(runs, PREDICTION)
    batch, uncached = median_of(runs, BATCH), median_of(runs, UNCACHED)
    ratio = prediction.per_second / health.per_second
    print(
        f"medians of {ROUNDS} rounds: health {health.per_second:.0f} req/s,"
        f" prediction {prediction.per_second:.0f} req/s"
    )
    print(f"POST /api/predictions: {batch.per_second * songs:.0f} songs/s ({songs} songs a request)")
    print(
        f"prediction / health throughput: {ratio:.0%} (target >= {RATIO_TARGET:.0%}):",
        verdict(ratio >= RATIO_TARGET),
    )
    print(
        f"prediction p99: {prediction.p99_ms:.1f} ms (target < {P99_TARGET_MS:.0f} ms):"
        f" {verdict(prediction.p99_ms < P99_TARGET_MS)}"
    )
    print(f"without the answer cache: {uncached.per_second / health.per_second:.0%} of health's throughput")
    never = median_of(runs, DISTINCT)
    asked = sum(run.requests for run in runs if run.name == DISTINCT)
    share = never.per_second / health.per_second
    print(
        f"songs nobody asked before ({distinct:,} distinct, {asked:,} asked in all,"
        f" {'none' if asked <= distinct else 'some'} twice): {never.per_second:.0f} req/s ="
        f" {share:.0%} of health's (target >= {DISTINCT_RATIO_TARGET:.0%}):"
        f" {verdict(share >= DISTINCT_RATIO_TARGET)};"
        f" p99 {never.p99_ms:.1f} ms (target < {DISTINCT_P99_TARGET_MS:.0f} ms):"
        f" {verdict(never.p99_ms < DISTINCT_P99_TARGET_MS)}"
    )
    unlogged = median_of(runs, UNLOGGED)
    cost = 1 - never.per_second / unlogged.per_second
    print(
        f"the prediction log's cost: {never.per_second:.0f} req/s with it, {unlogged.per_second:.0f} without"
        f" ({cost:.0%}; target <= {LOG_COST_TARGET:.0%}): {verdict(cost <= LOG_COST_TARGET)}"
    )
    if health.server_core_share < BUSY:
        print(
            f"note: the server was busy only {health.server_core_share:.0%} of the health runs: the load"
            " generator (or a neighbour on its CPU) set their pace, so the ratio is flattered"
        )


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("this benchmark needs wrk: apt-get update && apt-get install -y wrk")
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else SECONDS
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MUSICFLOW_")}
        env |= {"MUSICFLOW_DATA_DIR": str(Path(home) / "data"), "MUSICFLOW_FEATURE_SOURCES": "catalog"}
        songs = demo_data(env)
        distinct = distinct_songs(env)
        load_before = os.getloadavg()[0]
        runs = measure(env, songs, distinct, seconds)
        report(runs, len(songs), len(distinct), load_before, os.getloadavg()[0])


if __name__ == "__main__":
    main()
