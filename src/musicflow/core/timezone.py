"""The listener's time zone: an export's times are UTC, a person's evenings are not.

Hours, weekdays and months on the taste page are counted in the zone the user names
(`MUSICFLOW_TIME_ZONE`, an IANA name such as Europe/Berlin), or in this machine's own zone when none is
named, daylight saving time included. An export does not say where its listener lives.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone_named(name: str) -> tzinfo | None:
    """The zone of an IANA name; None (this machine's zone) for an empty name."""
    text = name.strip()
    if not text:
        return None
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{text!r} is not a time zone: use an IANA name such as Europe/Berlin or America/New_York, "
            "or leave it empty for this machine's"
        ) from None


def local_time(timestamp: int, zone: tzinfo | None) -> datetime:
    """The moment in `zone` (None: this machine's zone)."""
    return datetime.fromtimestamp(timestamp, zone)


def zone_label(zone: tzinfo | None) -> str:
    """How a chart names the zone its hours are in."""
    if zone is not None:
        return str(zone)
    return datetime.now().astimezone().tzname() or "this machine's time zone"


def iso_utc(timestamp: float, timespec: str = "seconds") -> str:
    """A moment as programs are given it: ISO 8601 in UTC, "2026-12-06T10:41:07+00:00" (`timespec`
    "microseconds": "2026-12-06T10:41:07.689422+00:00")."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec=timespec)
