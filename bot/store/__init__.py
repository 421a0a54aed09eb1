"""Storage: SQLAlchemy models, repositories, full-text search and Alembic migrations, one API
over SQLite and PostgreSQL. Start with `Store` (bot/store/store.py)."""

from __future__ import annotations

from bot.store.articles import EntryChange, EntryData
from bot.store.feeds import PollOutcome
from bot.store.migrate import current_revision, head_revision, upgrade
from bot.store.open import open_store
from bot.store.search import HIGHLIGHT_END, HIGHLIGHT_START, SearchHit, search_stories
from bot.store.store import Store
from bot.store.stories import QuoteHit, normalize_name

__all__ = [
    "HIGHLIGHT_END",
    "HIGHLIGHT_START",
    "EntryChange",
    "EntryData",
    "PollOutcome",
    "QuoteHit",
    "SearchHit",
    "Store",
    "current_revision",
    "head_revision",
    "normalize_name",
    "open_store",
    "search_stories",
    "upgrade",
]
