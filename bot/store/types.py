"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on the Python side on every backend.

    PostgreSQL stores `timestamptz`. SQLite has no time zones, so values are stored as naive
    UTC text in one fixed format, which keeps `<`/`>` comparisons in SQL correct. A naive value
    handed in is taken to be UTC already.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def strip_nul(value: Any) -> Any:
    """`value` with NUL characters removed from every string in it. PostgreSQL cannot store
    U+0000 in text or JSON, and a hostile feed can contain one; SQLite gets the same treatment
    so that both backends store the same thing."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {strip_nul(k): strip_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [strip_nul(v) for v in value]
    return value


class CleanText(TypeDecorator[str]):
    """TEXT without NUL characters (see `strip_nul`)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> Any:
        return strip_nul(value)


class CleanString(TypeDecorator[str]):
    """VARCHAR(n) without NUL characters (see `strip_nul`)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> Any:
        return strip_nul(value)


class CleanJSON(TypeDecorator[Any]):
    """JSON whose strings carry no NUL characters (see `strip_nul`)."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return strip_nul(value)
