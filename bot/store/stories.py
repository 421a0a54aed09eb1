"""Stories, their sources and their quotes."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Article, Quote, QuoteSpeakerToken, Story, StorySource, Subscription
from bot.store.types import utcnow
from bot.store.upsert import insert_ignore

if TYPE_CHECKING:
    from bot.store.store import Store

_NON_WORD = re.compile(r"[^\w]+")


def normalize_name(name: str) -> str:
    """A speaker's name for matching: accents dropped, case folded, punctuation removed,
    e.g. ``"Dr. Zoë  O'Neill"`` → ``"dr zoe o neill"``."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", plain.casefold()).split())


def name_tokens(normalized: str) -> list[str]:
    """The distinct words of a normalised name, as stored in `quote_speaker_tokens`."""
    return sorted(set(normalized.split()))


def search_fields(summary: dict[str, Any] | None, lead: str | None) -> dict[str, str | None]:
    """The flattened text full-text search indexes for a story's summary."""
    summary = summary or {}
    facts = [lead or summary.get("lead") or ""]
    facts += [f.get("text", "") for f in summary.get("key_facts", ())]
    quotes = [q.get("text", "") for q in summary.get("quotes", ())]
    speakers: list[str] = []
    for q in summary.get("quotes", ()):
        speaker = q.get("speaker")
        if speaker and speaker not in speakers:
            speakers.append(speaker)
    return {
        "search_facts": "\n".join(t for t in facts if t) or None,
        "search_quotes": "\n".join(t for t in quotes if t) or None,
        "search_speakers": "; ".join(speakers) or None,
    }


def add_headline(headlines: str | None, *titles: str | None) -> str | None:
    """`headlines` (one a line, as `Story.search_headlines` keeps them) with each of `titles`
    added once, case aside."""
    kept = [line for line in (headlines or "").split("\n") if line]
    seen = {line.casefold() for line in kept}
    for title in titles:
        line = " ".join((title or "").split())
        if line and line.casefold() not in seen:
            kept.append(line)
            seen.add(line.casefold())
    return "\n".join(kept) or None


def visible_in_workspace(platform: str, workspace_id: str) -> ColumnElement[bool]:
    """True for stories with a source from a feed some channel of the workspace follows.

    The workspace's feeds are an uncorrelated IN list, so the per-story probe goes through
    story_sources' story_id index; as a three-table join, SQLite scanned every source of each
    followed feed per story (200+ ms for `/news quotes` at 5,000 stories)."""
    followed = select(Subscription.feed_id).where(
        Subscription.platform == platform, Subscription.workspace_id == workspace_id
    )
    return exists().where(StorySource.story_id == Story.id, StorySource.feed_id.in_(followed))


@dataclass(frozen=True, slots=True)
class QuoteHit:
    quote_id: int
    story_id: int
    story_title: str
    story_url: str | None
    speaker: str | None
    text: str
    dated: datetime
    """The date of the article the quote is from: published, else when it was first seen."""


class StoryRepo:
    """`store.stories`."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def create(
        self,
        *,
        title: str,
        lead: str | None = None,
        url: str | None = None,
        summary: dict[str, Any] | None = None,
        best_article_id: int | None = None,
        from_feed_only: bool = False,
        fingerprint: int | None = None,
        signature: dict[str, Any] | None = None,
        published_at: datetime | None = None,
        now: datetime | None = None,
    ) -> Story:
        """A new story; its summary's quotes are stored for `/news quotes`."""
        now = now or utcnow()
        async with self._store.session() as s:
            story = Story(
                title=title,
                lead=lead,
                url=url,
                summary=summary,
                best_article_id=best_article_id,
                from_feed_only=from_feed_only,
                fingerprint=fingerprint,
                signature=signature,
                published_at=published_at,
                source_count=0,
                created_at=now,
                updated_at=now,
                search_headlines=add_headline(None, title),
                **search_fields(summary, lead),
            )
            s.add(story)
            await s.flush()
            await add_quotes(s, story.id, summary, best_article_id, now)
            return story

    async def update_summary(
        self,
        story_id: int,
        *,
        summary: dict[str, Any],
        title: str | None = None,
        lead: str | None = None,
        url: str | None = None,
        best_article_id: int | None = None,
        from_feed_only: bool | None = None,
        fingerprint: int | None = None,
        signature: dict[str, Any] | None = None,
        now: datetime | None = None,
    ) -> None:
        """Replace the story's best summary (and whatever else is given); quotes of the new
        summary are added, quotes already stored stay."""
        now = now or utcnow()
        async with self._store.session() as s:
            story = await s.get(Story, story_id)
            if story is None:
                raise LookupError(f"no story {story_id}")
            given = {
                "title": title,
                "lead": lead,
                "url": url,
                "best_article_id": best_article_id,
                "from_feed_only": from_feed_only,
                "fingerprint": fingerprint,
                "signature": signature,
            }
            for key, value in given.items():
                if value is not None:
                    setattr(story, key, value)
            story.search_headlines = add_headline(story.search_headlines, title)
            story.summary = summary
            for key, value in search_fields(summary, story.lead).items():
                setattr(story, key, value)
            story.updated_at = now
            await add_quotes(s, story_id, summary, best_article_id, now)

    async def add_source(
        self,
        story_id: int,
        *,
        url: str,
        article_id: int | None = None,
        feed_id: int | None = None,
        feed_title: str | None = None,
        headline: str | None = None,
        now: datetime | None = None,
    ) -> bool:
        """Add a source link (normalised by the caller), its `headline` searchable with the
        story. Returns False when the story already has it. Also points the article at the
        story."""
        now = now or utcnow()
        async with self._store.session() as s:
            new_id = await insert_ignore(
                s,
                StorySource,
                {
                    "story_id": story_id,
                    "url": url,
                    "article_id": article_id,
                    "feed_id": feed_id,
                    "feed_title": feed_title,
                    "added_at": now,
                },
                conflict=["story_id", "url"],
            )
            if article_id is not None:
                await s.execute(
                    update(Article).where(Article.id == article_id).values(story_id=story_id)
                )
            if new_id is None:
                return False
            story = await s.get(Story, story_id)
            if story is not None:
                story.search_headlines = add_headline(story.search_headlines, headline)
            await s.execute(
                update(Story)
                .where(Story.id == story_id)
                .values(source_count=Story.source_count + 1, updated_at=now)
            )
            return True

    async def get(self, story_id: int) -> Story | None:
        async with self._store.session(readonly=True) as s:
            return await s.get(Story, story_id)

    async def sources(self, story_id: int) -> list[StorySource]:
        async with self._store.session(readonly=True) as s:
            query = select(StorySource).where(StorySource.story_id == story_id)
            return list((await s.scalars(query.order_by(StorySource.id))).all())

    async def recent(self, *, since: datetime, limit: int = 1000) -> list[Story]:
        """Stories updated since `since`, newest first: the candidates clustering compares a
        new article with."""
        async with self._store.session(readonly=True) as s:
            query = (
                select(Story)
                .where(Story.updated_at >= since)
                .order_by(Story.updated_at.desc(), Story.id.desc())
                .limit(limit)
            )
            return list((await s.scalars(query)).all())

    async def latest(
        self, *, platform: str, workspace_id: str, limit: int = 10, since: datetime | None = None
    ) -> list[Story]:
        """The newest stories from feeds the workspace follows."""
        async with self._store.session(readonly=True) as s:
            query = select(Story).where(visible_in_workspace(platform, workspace_id))
            if since is not None:
                query = query.where(Story.created_at >= since)
            query = query.order_by(Story.created_at.desc(), Story.id.desc()).limit(limit)
            return list((await s.scalars(query)).all())

    async def quotes(self, story_id: int) -> list[Quote]:
        async with self._store.session(readonly=True) as s:
            query = select(Quote).where(Quote.story_id == story_id).order_by(Quote.position)
            return list((await s.scalars(query)).all())

    async def quotes_by_speaker(
        self, person: str, *, platform: str, workspace_id: str, limit: int = 20
    ) -> list[QuoteHit]:
        """What `person` has been quoted saying, newest article first, in stories the workspace
        can see.
        Matches any speaker whose normalised name contains the normalised query as whole
        words ("ardern" finds "Jacinda Ardern"). The token index narrows the quotes to those
        whose speaker has every word of the query; the padded LIKE then keeps only those where
        the words appear together and in order."""
        wanted = normalize_name(person)
        if not wanted:
            return []
        tokens = name_tokens(wanted)
        candidates = (
            select(QuoteSpeakerToken.quote_id)
            .where(QuoteSpeakerToken.token.in_(tokens))
            .group_by(QuoteSpeakerToken.quote_id)
            .having(func.count() == len(tokens))
        )
        pattern = " " + wanted + " "
        padded = " " + Quote.speaker_normalized + " "
        dated = func.coalesce(
            Article.published_at, Article.created_at, Story.published_at, Quote.created_at
        ).label("dated")
        async with self._store.session(readonly=True) as s:
            query = (
                select(Quote, Story.title, Story.url, dated)
                .join(Story, Story.id == Quote.story_id)
                .outerjoin(Article, Article.id == Quote.article_id)
                .where(
                    Quote.id.in_(candidates),
                    padded.contains(pattern, autoescape=True),
                    visible_in_workspace(platform, workspace_id),
                )
                .order_by(dated.desc(), Quote.id.desc())
                .limit(limit)
            )
            rows = (await s.execute(query)).all()
        return [
            QuoteHit(q.id, q.story_id, title, url, q.speaker, q.text, when)
            for q, title, url, when in rows
        ]


async def add_quotes(
    s: AsyncSession,
    story_id: int,
    summary: dict[str, Any] | None,
    article_id: int | None,
    now: datetime,
) -> None:
    """Store a summary's quotes for a story inside the caller's session (a quote the story
    already has is skipped), with their speaker tokens."""
    quotes: Sequence[dict[str, Any]] = (summary or {}).get("quotes", ())
    for q in quotes:
        text = (q.get("text") or "").strip()
        if not text:
            continue
        speaker = q.get("speaker")
        speaker_normalized = normalize_name(speaker) if speaker else None
        quote_id = await insert_ignore(
            s,
            Quote,
            {
                "story_id": story_id,
                "article_id": article_id,
                "speaker": speaker,
                "speaker_normalized": speaker_normalized,
                "text": text,
                "text_hash": hashlib.sha256(text.encode()).hexdigest(),
                "position": int(q.get("position") or 0),
                "created_at": now,
            },
            conflict=["story_id", "text_hash"],
        )
        if quote_id is not None and speaker_normalized:
            await s.execute(
                insert(QuoteSpeakerToken),
                [{"quote_id": quote_id, "token": t} for t in name_tokens(speaker_normalized)],
            )
