"""Channel digest schedules.

A moderator writes a schedule as text; it is stored as that normalised text
and parsed again when needed:

- ``live`` (or ``as it happens``): each story is posted as soon as it is ready;
- ``every 6h`` / ``every 90m`` / ``every 2 hours``: a fixed interval from the last digest;
- ``at 08:00, 18:30``: those times of day in the channel's time zone (IANA name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MIN_INTERVAL = timedelta(minutes=5)
MAX_INTERVAL = timedelta(days=7)

_EVERY = re.compile(
    r"^every\s+(?P<n>\d{1,4})\s*(?P<unit>m|min|mins|minutes?|h|hrs?|hours?|d|days?)$", re.I
)
_UNITS = {"m": 60, "h": 3600, "d": 86400}
_TIME = re.compile(r"^(?P<h>[01]?\d|2[0-3])(?::(?P<m>[0-5]\d))?\s*(?P<ampm>am|pm)?$", re.I)


class ScheduleError(ValueError):
    """The schedule text cannot be understood; the message says how to write one."""


@dataclass(frozen=True, slots=True)
class Schedule:
    kind: str  # "live" | "every" | "at"
    interval: timedelta | None = None
    times: tuple[time, ...] = ()
    timezone: str = "UTC"

    @property
    def spec(self) -> str:
        """The normalised text form, as stored and shown to moderators."""
        if self.kind == "live":
            return "live"
        if self.kind == "every" and self.interval is not None:
            minutes = int(self.interval.total_seconds() // 60)
            if minutes % 1440 == 0:
                return f"every {minutes // 1440}d"
            if minutes % 60 == 0:
                return f"every {minutes // 60}h"
            return f"every {minutes}m"
        return "at " + ", ".join(t.strftime("%H:%M") for t in self.times)

    def describe(self) -> str:
        if self.kind == "live":
            return "as it happens"
        if self.kind == "every":
            return self.spec
        return f"{self.spec} ({self.timezone})"

    def next_run(self, *, last_run: datetime | None, now: datetime) -> datetime:
        """When the next digest is due (aware UTC). `live` is always due now."""
        now = now.astimezone(UTC)
        if self.kind == "live":
            return now
        if self.kind == "every" and self.interval is not None:
            if last_run is None:
                return now
            return last_run.astimezone(UTC) + self.interval
        zone = ZoneInfo(self.timezone)
        start = (last_run or now).astimezone(zone)
        for day in range(3):
            date = start.date() + timedelta(days=day)
            for t in self.times:
                candidate = datetime.combine(date, t, tzinfo=zone)
                if candidate > start or (last_run is None and candidate == start):
                    return candidate.astimezone(UTC)
        raise AssertionError("a non-empty list of times always has a run within two days")

    def is_due(self, *, last_run: datetime | None, now: datetime) -> bool:
        return self.next_run(last_run=last_run, now=now) <= now.astimezone(UTC)


def _parse_time(text: str) -> time:
    m = _TIME.match(text.strip())
    if not m:
        raise ScheduleError(f"{text.strip()!r} is not a time of day; write it like 08:00 or 6pm")
    hour, minute = int(m["h"]), int(m["m"] or 0)
    if m["ampm"]:
        if hour < 1 or hour > 12:
            raise ScheduleError(f"{text.strip()!r} is not a valid 12-hour time")
        hour = hour % 12 + (12 if m["ampm"].lower() == "pm" else 0)
    return time(hour, minute)


def parse_schedule(text: str, *, timezone: str = "UTC") -> Schedule:
    """Parse a moderator's schedule text; raise ScheduleError with a one-line hint."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(
            f"unknown time zone {timezone!r}; use an IANA name such as Europe/Paris"
        ) from None
    spec = " ".join(text.split()).lower()
    if spec in ("live", "as it happens", "realtime", "real-time", "now"):
        return Schedule(kind="live", timezone=timezone)
    if m := _EVERY.match(spec):
        seconds = int(m["n"]) * _UNITS[m["unit"][0].lower()]
        interval = timedelta(seconds=seconds)
        if not MIN_INTERVAL <= interval <= MAX_INTERVAL:
            raise ScheduleError("the interval must be between 5 minutes and 7 days")
        return Schedule(kind="every", interval=interval, timezone=timezone)
    if spec.startswith("at "):
        parts = [p for p in re.split(r"[,\s]+(?:and\s+)?", spec[3:]) if p and p != "and"]
        times = tuple(sorted({_parse_time(p) for p in parts}))
        if not times or len(times) > 24:
            raise ScheduleError("give between 1 and 24 times of day, like: at 08:00, 18:00")
        return Schedule(kind="at", times=times, timezone=timezone)
    raise ScheduleError(
        f"cannot read schedule {text.strip()!r}; write 'live', 'every 6h' or 'at 08:00, 18:00'"
    )
