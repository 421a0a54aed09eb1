from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.digests.schedule import ScheduleError, parse_schedule


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("live", "live"),
        ("As it happens", "live"),
        ("every 6h", "every 6h"),
        ("every 90 minutes", "every 90m"),
        ("every 2 hours", "every 2h"),
        ("every 1 day", "every 1d"),
        ("at 18:00, 08:00", "at 08:00, 18:00"),
        ("at 8am and 6:30pm", "at 08:00, 18:30"),
        ("at 12am 12pm", "at 00:00, 12:00"),
    ],
)
def test_parse_normalises(text: str, spec: str) -> None:
    assert parse_schedule(text).spec == spec
    assert parse_schedule(parse_schedule(text).spec).spec == spec


@pytest.mark.parametrize(
    "text", ["", "sometimes", "every 1m", "every 9999d", "at 25:00", "at 13pm", "at"]
)
def test_bad_schedules_say_why(text: str) -> None:
    with pytest.raises(ScheduleError) as info:
        parse_schedule(text)
    assert "\n" not in str(info.value) and str(info.value)


def test_unknown_timezone_is_refused() -> None:
    with pytest.raises(ScheduleError, match="time zone"):
        parse_schedule("every 6h", timezone="Mars/Olympus")


def test_every_counts_from_last_run() -> None:
    s = parse_schedule("every 6h")
    assert s.next_run(last_run=None, now=utc(2026, 1, 1, 12)) == utc(2026, 1, 1, 12)
    assert s.next_run(last_run=utc(2026, 1, 1, 9), now=utc(2026, 1, 1, 12)) == utc(2026, 1, 1, 15)
    assert not s.is_due(last_run=utc(2026, 1, 1, 9), now=utc(2026, 1, 1, 14, 59))
    assert s.is_due(last_run=utc(2026, 1, 1, 9), now=utc(2026, 1, 1, 15))


def test_times_of_day_follow_the_channel_timezone() -> None:
    s = parse_schedule("at 08:00, 18:00", timezone="Europe/Paris")
    assert s.times == (time(8), time(18))
    # 08:00 in Paris in winter is 07:00 UTC.
    assert s.next_run(last_run=utc(2026, 1, 10, 6), now=utc(2026, 1, 10, 6)) == utc(2026, 1, 10, 7)
    # After the evening run the next one is tomorrow morning.
    assert s.next_run(last_run=utc(2026, 1, 10, 17), now=utc(2026, 1, 10, 20)) == utc(
        2026, 1, 11, 7
    )
    # Summer time moves the UTC instant.
    assert s.next_run(last_run=utc(2026, 7, 10, 1), now=utc(2026, 7, 10, 1)) == utc(2026, 7, 10, 6)


def test_at_schedule_is_not_due_twice_for_one_slot() -> None:
    s = parse_schedule("at 09:00")
    ran = utc(2026, 3, 1, 9)
    assert not s.is_due(last_run=ran, now=ran + timedelta(hours=3))
    assert s.is_due(last_run=ran, now=utc(2026, 3, 2, 9))


def test_live_is_always_due() -> None:
    s = parse_schedule("live")
    assert s.is_due(last_run=utc(2026, 1, 1), now=utc(2026, 1, 1))
