"""The tables, as SQLAlchemy 2 declarative models.

The schema itself is created by the Alembic revisions in `migrations/versions/`; these models
must match them (a test compares the two). Add a column here *and* in a new revision.

Rows that belong to a chat workspace (subscriptions, channel settings, digests, posts,
channel_story) carry `platform` + `workspace_id`; feeds, entries, articles, stories and quotes
are shared by every workspace. States are short strings; the allowed values are the constants
below.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.store.types import CleanJSON, CleanString, CleanText, UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

FEED_ACTIVE = "active"
FEED_PAUSED = "paused"
FEED_DISABLED = "disabled"

ENTRY_PENDING = "pending"
ENTRY_DONE = "done"
ENTRY_FAILED = "failed"

ARTICLE_PENDING = "pending"
ARTICLE_SUMMARIZED = "summarized"
ARTICLE_FAILED = "failed"

DIGEST_BUILDING = "building"
DIGEST_QUEUED = "queued"
DIGEST_POSTED = "posted"

POST_PENDING = "pending"
POST_POSTED = "posted"
POST_FAILED = "failed"

POST_KINDS = ("digest_header", "story", "thread_update", "feed_health", "ping")

LAYOUT_FULL = "full"
LAYOUT_COMPACT = "compact"
LAYOUTS = (LAYOUT_FULL, LAYOUT_COMPACT)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: CleanJSON(),
        list[str]: CleanJSON(),
    }


class Feed(Base):
    """A feed URL, polled once however many channels subscribe to it."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(CleanText)
    normalized_url: Mapped[str] = mapped_column(CleanText, unique=True)
    title: Mapped[str | None] = mapped_column(CleanText)
    site_url: Mapped[str | None] = mapped_column(CleanText)
    state: Mapped[str] = mapped_column(CleanString(16), default=FEED_ACTIVE)
    etag: Mapped[str | None] = mapped_column(CleanText)
    last_modified: Mapped[str | None] = mapped_column(CleanText)
    interval_s: Mapped[int] = mapped_column(Integer, default=900)
    next_check_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_checked_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_changed_at: Mapped[datetime | None]
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(CleanText)
    last_error_at: Mapped[datetime | None]
    first_poll_done: Mapped[bool] = mapped_column(Boolean, default=False)
    lease_owner: Mapped[str | None] = mapped_column(CleanString(128))
    lease_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("ix_feeds_due", "state", "next_check_at"),)


class Entry(Base):
    """One item of a feed. `seen_for_posting` marks first-poll backlog: stored, never posted.
    `listed`: the feed's latest document still carries the item (retention keeps such entries,
    so a feed that lists old items does not get them stored and posted again)."""

    __tablename__ = "entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    guid: Mapped[str] = mapped_column(CleanText)
    link: Mapped[str | None] = mapped_column(CleanText)
    normalized_link: Mapped[str | None] = mapped_column(CleanText, index=True)
    content_hash: Mapped[str | None] = mapped_column(CleanString(64), index=True)
    title: Mapped[str | None] = mapped_column(CleanText)
    summary: Mapped[str | None] = mapped_column(CleanText)
    content: Mapped[str | None] = mapped_column(CleanText)
    author: Mapped[str | None] = mapped_column(CleanText)
    image_url: Mapped[str | None] = mapped_column(CleanText)
    published_at: Mapped[datetime | None]
    seen_for_posting: Mapped[bool] = mapped_column(Boolean, default=False)
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[str] = mapped_column(CleanString(16), default=ENTRY_PENDING)
    listed: Mapped[bool] = mapped_column(Boolean, server_default=true())
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("feed_id", "guid"),
        Index("ix_entries_prune", "listed", "first_seen_at"),
    )


class Article(Base):
    """A page, once per normalised URL however many entries and feeds point at it.

    Articles are the summarization queue: `state` pending → summarized | failed, claimed with a
    lease like feeds. `from_feed_only` says the summary was made from the feed's own text
    because the page could not be fetched or extracted.
    """

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(CleanText)
    normalized_url: Mapped[str] = mapped_column(CleanText, unique=True)
    final_url: Mapped[str | None] = mapped_column(CleanText)
    state: Mapped[str] = mapped_column(CleanString(16), default=ARTICLE_PENDING)
    title: Mapped[str | None] = mapped_column(CleanText)
    byline: Mapped[str | None] = mapped_column(CleanText)
    published_at: Mapped[datetime | None]
    text: Mapped[str | None] = mapped_column(CleanText)
    summary: Mapped[dict[str, Any] | None]
    from_feed_only: Mapped[bool] = mapped_column(Boolean, default=False)
    fetch_error: Mapped[str | None] = mapped_column(CleanText)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(CleanString(128))
    lease_expires_at: Mapped[datetime | None]
    story_id: Mapped[int | None] = mapped_column(
        ForeignKey("stories.id", ondelete="SET NULL"), index=True
    )
    summarized_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    __table_args__ = (Index("ix_articles_queue", "state", "next_attempt_at"),)


class Story(Base):
    """One piece of news, possibly carried by several sources.

    `summary` is the best Summary (as `Summary.to_dict()`); `search_facts`, `search_quotes` and
    `search_speakers` are its text flattened for full-text search (kept by the repository);
    `search_headlines` is every source's headline, one a line (`add_headline`), so a story is
    found by the words of any of its articles' titles, not only the one it shows.
    `best_article_id` has no foreign key on purpose: articles already point at stories, and a
    cycle of foreign keys cannot be created table by table.
    `fingerprint` (a signed 64-bit SimHash, say) and `signature` (any JSON, e.g. MinHash
    values) are for the clustering code to use as it sees fit.
    """

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(CleanText)
    lead: Mapped[str | None] = mapped_column(CleanText)
    url: Mapped[str | None] = mapped_column(CleanText)
    summary: Mapped[dict[str, Any] | None]
    best_article_id: Mapped[int | None] = mapped_column(Integer)
    from_feed_only: Mapped[bool] = mapped_column(Boolean, default=False)
    fingerprint: Mapped[int | None] = mapped_column(BigInteger, index=True)
    signature: Mapped[dict[str, Any] | None]
    source_count: Mapped[int] = mapped_column(Integer, default=0)
    published_at: Mapped[datetime | None]
    search_facts: Mapped[str | None] = mapped_column(CleanText)
    search_quotes: Mapped[str | None] = mapped_column(CleanText)
    search_speakers: Mapped[str | None] = mapped_column(CleanText)
    search_headlines: Mapped[str | None] = mapped_column(CleanText)
    image_url: Mapped[str | None] = mapped_column(CleanText)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class StorySource(Base):
    """A distinct article link carrying a story, with the feed it came through."""

    __tablename__ = "story_sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    feed_id: Mapped[int | None] = mapped_column(
        ForeignKey("feeds.id", ondelete="SET NULL"), index=True
    )
    url: Mapped[str] = mapped_column(CleanText)
    feed_title: Mapped[str | None] = mapped_column(CleanText)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("story_id", "url"),)


class Quote(Base):
    """A quote of a story, searchable by speaker (`speaker_normalized`: see `normalize_name`)."""

    __tablename__ = "quotes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    speaker: Mapped[str | None] = mapped_column(CleanText)
    speaker_normalized: Mapped[str | None] = mapped_column(CleanText, index=True)
    text: Mapped[str] = mapped_column(CleanText)
    text_hash: Mapped[str] = mapped_column(CleanString(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("story_id", "text_hash"),)


class QuoteSpeakerToken(Base):
    """One word of a quote's `speaker_normalized`: the index `quotes_by_speaker` looks names up
    in (a whole-word match inside the name cannot use a B-tree index on the name itself)."""

    __tablename__ = "quote_speaker_tokens"

    quote_id: Mapped[int] = mapped_column(
        ForeignKey("quotes.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(CleanText, primary_key=True)

    __table_args__ = (Index("ix_quote_speaker_tokens_token", "token", "quote_id"),)


class Subscription(Base):
    """A channel following a feed, with its keyword filters."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(CleanString(16))
    workspace_id: Mapped[str] = mapped_column(CleanString(64))
    channel_id: Mapped[str] = mapped_column(CleanString(64))
    include_keywords: Mapped[list[str]] = mapped_column(default=list)
    exclude_keywords: Mapped[list[str]] = mapped_column(default=list)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    ping_role_id: Mapped[str | None] = mapped_column(CleanString(64))
    created_by: Mapped[str | None] = mapped_column(CleanString(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("platform", "workspace_id", "channel_id", "feed_id"),
        Index("ix_subscriptions_workspace", "platform", "workspace_id"),
    )


class ChannelSettings(Base):
    """How a channel gets its digests. `schedule` is a spec string the digests code parses
    (e.g. ``"every 6h"``, ``"08:00,18:00"``, ``"live"``)."""

    __tablename__ = "channel_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(CleanString(16))
    workspace_id: Mapped[str] = mapped_column(CleanString(64))
    channel_id: Mapped[str] = mapped_column(CleanString(64))
    schedule: Mapped[str] = mapped_column(CleanString(200), default="every 6h")
    timezone: Mapped[str] = mapped_column(CleanString(64), default="UTC")
    max_stories: Mapped[int] = mapped_column(Integer, default=7)
    layout: Mapped[str] = mapped_column(CleanString(16), default=LAYOUT_FULL, server_default="full")
    log_channel_id: Mapped[str | None] = mapped_column(CleanString(64))
    is_forum: Mapped[bool] = mapped_column(Boolean, default=False)
    last_digest_at: Mapped[datetime | None]
    next_digest_at: Mapped[datetime | None] = mapped_column(index=True)
    lease_owner: Mapped[str | None] = mapped_column(CleanString(128))
    lease_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("platform", "workspace_id", "channel_id"),)


class Digest(Base):
    __tablename__ = "digests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(CleanString(16))
    workspace_id: Mapped[str] = mapped_column(CleanString(64))
    channel_id: Mapped[str] = mapped_column(CleanString(64))
    title: Mapped[str | None] = mapped_column(CleanText)
    state: Mapped[str] = mapped_column(CleanString(16), default=DIGEST_BUILDING)
    story_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    posted_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_digests_channel", "platform", "workspace_id", "channel_id"),)


class Post(Base):
    """The outbox: one message to deliver, idempotent on `idempotency_key`.

    `kind` is one of POST_KINDS; `state` pending → posted (with `message_id`/`thread_id`) or
    failed. For a `thread_update`, `thread_id` is the thread to post into.
    """

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(CleanString(64), unique=True)
    platform: Mapped[str] = mapped_column(CleanString(16))
    workspace_id: Mapped[str] = mapped_column(CleanString(64))
    channel_id: Mapped[str] = mapped_column(CleanString(64))
    kind: Mapped[str] = mapped_column(CleanString(32))
    digest_id: Mapped[int | None] = mapped_column(
        ForeignKey("digests.id", ondelete="SET NULL"), index=True
    )
    story_id: Mapped[int | None] = mapped_column(
        ForeignKey("stories.id", ondelete="SET NULL"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(CleanString(16), default=POST_PENDING)
    message_id: Mapped[str | None] = mapped_column(CleanString(64))
    thread_id: Mapped[str | None] = mapped_column(CleanString(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(CleanText)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(CleanString(128))
    lease_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    posted_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_posts_queue", "state", "next_attempt_at"),
        Index("ix_posts_channel", "platform", "workspace_id", "channel_id"),
    )


class ChannelStory(Base):
    """A story posted to a channel: at most once per channel, with where its thread is."""

    __tablename__ = "channel_story"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(CleanString(16))
    workspace_id: Mapped[str] = mapped_column(CleanString(64))
    channel_id: Mapped[str] = mapped_column(CleanString(64))
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL"), index=True
    )
    message_id: Mapped[str | None] = mapped_column(CleanString(64))
    thread_id: Mapped[str | None] = mapped_column(CleanString(64))
    sources_posted: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("platform", "workspace_id", "channel_id", "story_id"),)


class Follow(Base):
    """A member's topic in a channel: words matched like a feed's include filter. A story
    posted to the channel that matches mentions the member in the story's thread."""

    __tablename__ = "follows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(CleanString(16))
    workspace_id: Mapped[str] = mapped_column(CleanString(64))
    channel_id: Mapped[str] = mapped_column(CleanString(64))
    user_id: Mapped[str] = mapped_column(CleanString(64))
    words: Mapped[str] = mapped_column(CleanText)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("platform", "workspace_id", "channel_id", "user_id", "words"),
        Index("ix_follows_member", "platform", "workspace_id", "user_id"),
    )


class MemberPings(Base):
    """How often a member was mentioned in the current window (`window_start` on): the rate
    limit of opt-in pings."""

    __tablename__ = "member_pings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(CleanString(16))
    workspace_id: Mapped[str] = mapped_column(CleanString(64))
    user_id: Mapped[str] = mapped_column(CleanString(64))
    window_start: Mapped[datetime]
    count: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("platform", "workspace_id", "user_id"),)
