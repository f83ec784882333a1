"""A runner touches the row of the job it runs while it runs, so that no other runner on the same store
takes it for one a stopped runner left; it stops touching it when the job ends."""

from __future__ import annotations

import threading
import time
from typing import Any

from musicflow.app.upload_jobs import heartbeat


class Rows:
    """The job rows' touches, as a store records them."""

    def __init__(self) -> None:
        self.touched: list[float] = []
        self.lock = threading.Lock()

    def update_job(self, job_id: str, now: float, **changes: Any) -> None:
        assert job_id == "j1" and not changes  # a touch changes nothing but the time
        with self.lock:
            self.touched.append(now)


def test_a_running_job_is_touched_until_it_ends() -> None:
    rows = Rows()
    with heartbeat(rows, "j1", every_s=0.02):  # type: ignore[arg-type]
        time.sleep(0.2)
    touches = len(rows.touched)
    assert touches >= 3
    time.sleep(0.1)
    assert len(rows.touched) == touches  # the job ended: no more touches
