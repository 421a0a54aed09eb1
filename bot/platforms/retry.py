"""How long to wait before connecting to a platform again (Discord gateway, Slack Socket Mode)."""

from __future__ import annotations

CONNECT_RETRY_S = (1.0, 2.0, 5.0, 10.0, 30.0)


def retry_delay(attempt: int, schedule: tuple[float, ...] = CONNECT_RETRY_S) -> float:
    """Seconds to wait after failed attempt number `attempt` (from 0): the schedule's steps,
    then its last step for ever."""
    return schedule[min(attempt, len(schedule) - 1)]
