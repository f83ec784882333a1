"""Many listeners on one server: 1,000 small trained profiles asked in random order, the server keeping
at most `MUSICFLOW_SERVING_MODELS` (100) models in memory.

Each profile holds a small slice (200 plays) of the demo listener's history and a copy of the demo's
trained model, registered and made champion as `musicflow train` would (training a thousand models
would measure training, not serving). One `musicflow serve` process; every profile is asked once, in
random order (its first prediction: the model not in memory, loaded then), then the 100 asked last are
asked again (in memory). Reported: p50 and p99 of both, the server's peak resident memory, and its memory
after the first 100 profiles against after all 1,000 (bounded: it must not grow with the listeners).

Usage: python -m benchmarks.many_listeners [PROFILES]
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.serving_load import free_port

MUSICFLOW = [sys.executable, "-m", "musicflow"]
PROFILES = 1000
KEEP = 100
PLAYS_EACH = 200
SONG = {"song": "Levitating", "artist": "Dua Lipa"}


def build(env: dict[str, str], profiles: int) -> None:
    """The demo, then `profiles` listeners with a slice of its plays and a copy of its model."""
    subprocess.run([*MUSICFLOW, "demo"], env=env, check=True, capture_output=True)
    os.environ.update({k: v for k, v in env.items() if k.startswith("MUSICFLOW_")})
    from musicflow.app.service import MusicFlow
    from musicflow.config import load_settings
    from musicflow.core.plays import ExportFormat, Play
    from musicflow.store.ports import ModelMetadata

    with MusicFlow.open(load_settings()) as app:
        store = app._store  # benchmarks may build their inputs on the store directly
        registry = app.registry
        loaded = registry.load("demo")
        version = loaded.version
        metadata = ModelMetadata(
            version.data_fingerprint,
            version.feature_names,
            version.parameters,
            version.evaluation,
            version.library_versions,
        )
        tops = app.top_streams("demo", None)
        rng = random.Random(0)
        for i in range(profiles):
            name = f"listener{i:04d}"
            picked = rng.sample(tops, min(PLAYS_EACH, len(tops)))
            plays = [
                Play(
                    1_700_000_000 + 3600 * k,
                    200_000,
                    t.track,
                    t.artist,
                    None,
                    t.spotify_id,
                    None,
                    None,
                    ExportFormat.BASIC,
                )
                for k, t in enumerate(picked)
            ]
            store.add_plays(store.ensure_profile(name), plays)
            registry.register(name, loaded.artifacts, metadata)
            registry.promote(name, 1, note="copied for the benchmark")


def peak_rss_mib(pid: int) -> tuple[float, float]:
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
    )
    return int(fields["VmHWM"].split()[0]) / 1024, int(fields["VmRSS"].split()[0]) / 1024


def main() -> None:
    profiles = int(sys.argv[1]) if len(sys.argv) > 1 else PROFILES
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MUSICFLOW_")}
        env |= {"MUSICFLOW_DATA_DIR": str(Path(home) / "data"), "MUSICFLOW_FEATURE_SOURCES": "catalog"}
        started = time.perf_counter()
        build(env, profiles)
        print(f"built {profiles} listeners in {time.perf_counter() - started:.0f} s")
        port = free_port()
        serving_env = {
            **env,
            "MUSICFLOW_SERVING_MODELS": str(KEEP),
            "MUSICFLOW_API_RATE_LIMIT": "1000000/minute",
            "MUSICFLOW_API_ANSWER_TTL_S": "0",
            "MUSICFLOW_API_ACCESS_LOG": "false",
            "MUSICFLOW_RETRAIN_EVERY_HOURS": "0",  # no scheduled job runs beside the measured requests
        }
        command = [*MUSICFLOW, "serve", "--open", "--profile", "listener0000", "--port", str(port)]
        process = subprocess.Popen(command, env=serving_env, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=url, timeout=60) as client:
                deadline = time.monotonic() + 120
                while True:
                    try:
                        if client.get("/api/health/ready").status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if time.monotonic() > deadline:
                        raise SystemExit("the server did not become ready")
                    time.sleep(0.2)
                names = [f"listener{i:04d}" for i in range(profiles)]
                random.Random(1).shuffle(names)
                cold: list[float] = []
                after_first = (0.0, 0.0)
                for count, name in enumerate(names, 1):
                    began = time.perf_counter()
                    client.get("/api/prediction/", params={**SONG, "profile": name}).raise_for_status()
                    cold.append((time.perf_counter() - began) * 1000)
                    if count == KEEP:
                        after_first = peak_rss_mib(process.pid)
                warm: list[float] = []
                for name in names[-KEEP:] * 5:
                    began = time.perf_counter()
                    client.get("/api/prediction/", params={**SONG, "profile": name}).raise_for_status()
                    warm.append((time.perf_counter() - began) * 1000)
                peak, now = peak_rss_mib(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)

    def pct(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]

    print(f"{profiles} listeners, at most {KEEP} models kept; one request at a time, no answer cache")
    print(
        f"first prediction of a listener not in memory: p50 {pct(cold, 50):.0f}, p99 {pct(cold, 99):.0f} ms"
    )
    print(
        f"prediction of a listener in memory:          p50 {pct(warm, 50):.1f} ms, p99 {pct(warm, 99):.1f} ms"
    )
    print(
        f"server memory: {after_first[1]:.0f} MiB after {KEEP} listeners, {now:.0f} MiB after {profiles}"
        f" (peak {peak:.0f} MiB): {'bounded' if now <= after_first[1] * 1.5 else 'NOT bounded'}"
    )


if __name__ == "__main__":
    main()
