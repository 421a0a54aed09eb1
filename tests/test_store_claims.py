"""Due-work claiming with leases: feeds, articles and outbox posts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.store import EntryData, PollOutcome, Store
from bot.store.models import FEED_DISABLED, FEED_PAUSED
from tests.conftest import StoreTarget

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


async def _feeds(store: Store, n: int, *, due: datetime = T0) -> list[int]:
    ids = []
    for i in range(n):
        feed, _ = await store.feeds.add(
            url=f"https://news{i}.example/feed", normalized_url=f"news{i}.example/feed", now=due
        )
        ids.append(feed.id)
    return ids


async def test_claim_due_takes_only_due_active_feeds_oldest_first(store: Store) -> None:
    early, late, future, paused = await _feeds(store, 4)
    for feed_id, at in ((early, T0 - timedelta(minutes=9)), (late, T0 - timedelta(minutes=1))):
        assert await _reschedule(store, feed_id, at)
    assert await _reschedule(store, future, T0 + timedelta(minutes=5))
    await store.feeds.set_state(paused, FEED_PAUSED, now=T0 - timedelta(hours=1))

    claimed = await store.feeds.claim_due(now=T0, limit=10, worker_id="w1", lease_s=60)

    assert [f.id for f in claimed] == [early, late]
    assert all(f.lease_owner == "w1" for f in claimed)
    assert all(f.lease_expires_at == T0 + timedelta(seconds=60) for f in claimed)


async def test_claim_respects_limit_and_never_hands_out_a_leased_feed(store: Store) -> None:
    await _feeds(store, 5)
    first = await store.feeds.claim_due(now=T0, limit=3, worker_id="w1", lease_s=60)
    second = await store.feeds.claim_due(now=T0, limit=10, worker_id="w2", lease_s=60)
    third = await store.feeds.claim_due(now=T0, limit=10, worker_id="w3", lease_s=60)
    assert len(first) == 3 and len(second) == 2 and third == []
    assert {f.id for f in first}.isdisjoint(f.id for f in second)


async def test_expired_lease_is_reclaimed_and_the_old_worker_is_fenced_off(store: Store) -> None:
    (feed_id,) = await _feeds(store, 1)
    (crashed,) = await store.feeds.claim_due(now=T0, limit=1, worker_id="dead", lease_s=30)
    assert (
        await store.feeds.claim_due(
            now=T0 + timedelta(seconds=29), limit=1, worker_id="w2", lease_s=30
        )
        == []
    )

    later = T0 + timedelta(seconds=31)
    (taken,) = await store.feeds.claim_due(now=later, limit=1, worker_id="w2", lease_s=30)
    assert taken.id == crashed.id == feed_id

    assert not await store.feeds.record_poll(
        feed_id,
        worker_id="dead",
        now=later,
        next_check_at=later + timedelta(hours=1),
        etag="stale",
    )
    assert await store.feeds.record_poll(
        feed_id,
        worker_id="w2",
        now=later,
        next_check_at=later + timedelta(minutes=15),
        etag='"v2"',
        last_modified="Mon, 05 Jan 2026 12:00:00 GMT",
        changed=True,
    )
    feed = await store.feeds.get(feed_id)
    assert feed is not None
    assert feed.etag == '"v2"' and feed.lease_owner is None and feed.lease_expires_at is None
    assert feed.first_poll_done and feed.last_success_at == later == feed.last_changed_at
    assert feed.next_check_at == later + timedelta(minutes=15)


async def test_failures_count_up_keep_the_reason_and_can_disable(store: Store) -> None:
    (feed_id,) = await _feeds(store, 1)
    now = T0
    for n in range(1, 4):
        (feed,) = await store.feeds.claim_all_enabled(now=now, worker_id="w", lease_s=60)
        assert await store.feeds.record_poll(
            feed.id,
            worker_id="w",
            now=now,
            next_check_at=now + timedelta(minutes=n),
            error=f"HTTP 500 (attempt {n})",
            disable=n == 3,
        )
        now += timedelta(minutes=10)
    feed = await store.feeds.get(feed_id)
    assert feed is not None
    assert (feed.error_count, feed.state, feed.last_error) == (
        3,
        FEED_DISABLED,
        "HTTP 500 (attempt 3)",
    )
    assert feed.last_success_at is None
    assert await store.feeds.claim_all_enabled(now=now, worker_id="w", lease_s=60) == []

    await store.feeds.set_state(feed_id, "active", now=now)
    (feed,) = await store.feeds.claim_due(now=now, limit=5, worker_id="w", lease_s=60)
    assert feed.error_count == 0 and feed.last_error == "HTTP 500 (attempt 3)"


async def test_claim_all_enabled_ignores_schedule_but_not_leases(store: Store) -> None:
    ids = await _feeds(store, 3, due=T0 + timedelta(days=1))
    (held,) = await store.feeds.claim_all_enabled(now=T0, worker_id="w1", lease_s=60, limit=1)
    rest = await store.feeds.claim_all_enabled(now=T0, worker_id="w2", lease_s=60)
    assert sorted([held.id, *(f.id for f in rest)]) == ids
    assert await store.feeds.claim_due(now=T0, limit=10, worker_id="w3", lease_s=60) == []


async def test_concurrent_claimers_on_separate_connections_never_share_a_feed(
    store: Store, store_target: StoreTarget
) -> None:
    ids = await _feeds(store, 120)
    others = [store_target.open() for _ in range(3)]
    stores = [store, *others]
    taken: dict[str, list[int]] = {}

    async def claim(name: str, s: Store) -> int:
        batch = await s.feeds.claim_due(now=T0, limit=7, worker_id=name, lease_s=300)
        taken.setdefault(name, []).extend(f.id for f in batch)
        return len(batch)

    try:
        for _ in range(200):
            got = await asyncio.gather(*(claim(f"w{i}", s) for i, s in enumerate(stores)))
            if not any(got):
                break
    finally:
        for s in others:
            await s.close()
    everything = [feed_id for batch in taken.values() for feed_id in batch]
    assert sorted(everything) == ids, "every feed claimed exactly once"
    assert all(len(batch) >= 7 for batch in taken.values()), "every claimer raced for work"
    for s_feed in await store.feeds.list():
        assert taken[s_feed.lease_owner or ""].count(s_feed.id) == 1


async def test_articles_queue_counts_attempts_and_fences_results(store: Store) -> None:
    (feed_id,) = await _feeds(store, 1)
    changes = await store.articles.upsert_entries(
        feed_id,
        [
            EntryData(guid=f"g{i}", link=f"https://a.example/{i}", normalized_link=f"a.example/{i}")
            for i in range(3)
        ],
        backlog=False,
        now=T0,
    )
    article_ids = [c.article_id for c in changes]

    batch = await store.articles.claim_pending(now=T0, limit=2, worker_id="w1", lease_s=60)
    assert [a.id for a in batch] == article_ids[:2] and all(a.attempts == 1 for a in batch)
    (last,) = await store.articles.claim_pending(now=T0, limit=5, worker_id="w2", lease_s=600)
    assert last.id == article_ids[2]

    assert await store.articles.complete(batch[0].id, worker_id="w1", summary={"lead": "x"})
    assert not await store.articles.complete(last.id, worker_id="w1", summary={"lead": "y"})
    assert await store.articles.fail(
        batch[1].id, worker_id="w1", error="timeout", retry_in_s=120, now=T0
    )

    assert (
        await store.articles.claim_pending(
            now=T0 + timedelta(seconds=119), limit=5, worker_id="w3", lease_s=60
        )
        == []
    )
    (retry,) = await store.articles.claim_pending(
        now=T0 + timedelta(seconds=121), limit=5, worker_id="w3", lease_s=60
    )
    assert retry.id == batch[1].id and retry.attempts == 2 and retry.fetch_error == "timeout"

    done = await store.articles.get(batch[0].id)
    assert done is not None and done.state == "summarized" and done.summary == {"lead": "x"}


async def test_an_article_that_keeps_crashing_workers_stops_after_max_attempts(
    store: Store,
) -> None:
    (feed_id,) = await _feeds(store, 1)
    await store.articles.upsert_entries(
        feed_id,
        [EntryData(guid="g", link="https://a.example/x", normalized_link="a.example/x")],
        backlog=False,
        now=T0,
    )
    now = T0
    for _ in range(3):
        assert await store.articles.claim_pending(
            now=now, limit=1, worker_id="w", lease_s=10, max_attempts=3
        )
        now += timedelta(seconds=11)
    assert (
        await store.articles.claim_pending(
            now=now, limit=1, worker_id="w", lease_s=10, max_attempts=3
        )
        == []
    )


async def test_outbox_posts_are_claimed_in_queue_order_once(store: Store) -> None:
    keys = [f"digest:1:{i}" for i in range(5)]
    for key in keys:
        _, created = await store.channels.enqueue_post(
            key=key,
            platform="discord",
            workspace_id="g1",
            channel_id="c1",
            kind="story",
            payload={"content": key},
        )
        assert created
    _, again = await store.channels.enqueue_post(
        key=keys[0],
        platform="discord",
        workspace_id="g1",
        channel_id="c1",
        kind="story",
        payload={"content": "duplicate"},
    )
    assert not again

    now = datetime.now(UTC)
    first = await store.channels.claim_posts(now=now, limit=3, worker_id="bot", lease_s=60)
    assert [p.idempotency_key for p in first] == keys[:3]
    assert first[0].payload == {"content": keys[0]}
    assert await store.channels.mark_posted(
        first[0].id, worker_id="bot", message_id="m1", thread_id="t1"
    )
    assert await store.channels.mark_post_failed(
        first[1].id, worker_id="bot", error="429", retry_in_s=0, now=now
    )
    rest = await store.channels.claim_posts(now=now, limit=10, worker_id="bot2", lease_s=60)
    assert [p.idempotency_key for p in rest] == [keys[1], *keys[3:]]
    posted = await store.channels.post(key=keys[0])
    assert posted is not None and posted.state == "posted" and posted.thread_id == "t1"


async def _reschedule(store: Store, feed_id: int, at: datetime) -> bool:
    claimed = await store.feeds.claim_all_enabled(
        now=T0 - timedelta(days=1), worker_id="setup", lease_s=1
    )
    ok = False
    for feed in claimed:
        done = await store.feeds.record_poll(
            feed.id,
            worker_id="setup",
            now=T0 - timedelta(days=1),
            next_check_at=at if feed.id == feed_id else feed.next_check_at,
            etag=feed.etag,
            last_modified=feed.last_modified,
        )
        ok = ok or (done and feed.id == feed_id)
    return ok


async def test_record_polls_in_one_batch_mixes_outcomes_and_drops_lost_leases(
    store: Store,
) -> None:
    ok_id, failed_id, late_id, renamed_id = await _feeds(store, 4)
    await store.feeds.claim_due(now=T0, limit=10, worker_id="w1", lease_s=30)
    later = T0 + timedelta(seconds=45)
    # w1's leases have expired; w2 takes one of them over. An expired lease nobody took over
    # still lets w1 report.
    (stolen,) = await store.feeds.claim_all_enabled(now=later, worker_id="w2", lease_s=30, limit=1)
    assert stolen.id == ok_id
    next_at = later + timedelta(minutes=10)
    results = await store.feeds.record_polls(
        [
            PollOutcome(ok_id, later, next_at, etag='"a"'),
            PollOutcome(failed_id, later, next_at, error="HTTP 503", interval_s=1200),
            PollOutcome(late_id, later, next_at, etag='"c"', changed=True),
            PollOutcome(renamed_id, later, next_at, title="Renamed"),
        ],
        worker_id="w1",
    )
    assert results == [False, True, True, True]
    assert await store.feeds.record_polls([], worker_id="w1") == []

    feeds = {f.id: f for f in await store.feeds.list()}
    assert feeds[ok_id].lease_owner == "w2" and feeds[ok_id].etag is None
    failed = feeds[failed_id]
    assert (failed.error_count, failed.last_error, failed.interval_s) == (1, "HTTP 503", 1200)
    assert failed.last_success_at is None and failed.lease_owner is None
    assert feeds[late_id].etag == '"c"' and feeds[late_id].last_changed_at == later
    assert feeds[renamed_id].title == "Renamed" and feeds[renamed_id].lease_owner is None
    assert feeds[renamed_id].next_check_at == next_at and feeds[renamed_id].first_poll_done


async def test_leases_can_be_renewed_by_their_holder_and_released_on_shutdown(
    store: Store,
) -> None:
    ids = await _feeds(store, 3)
    mine = await store.feeds.claim_due(now=T0, limit=2, worker_id="w1", lease_s=30)
    assert [f.id for f in mine] == ids[:2]
    (other,) = await store.feeds.claim_due(now=T0, limit=5, worker_id="w2", lease_s=30)

    renewed = await store.renew_leases(
        "feeds", ids, worker_id="w1", now=T0 + timedelta(seconds=25), lease_s=30
    )
    assert renewed == set(ids[:2])
    # At T0+40 w2's lease (to T0+30) has run out; w1's renewed ones (to T0+55) have not.
    at40 = T0 + timedelta(seconds=40)
    taken = await store.feeds.claim_due(now=at40, limit=5, worker_id="w3", lease_s=30)
    assert [f.id for f in taken] == [other.id]

    assert await store.release_leases(worker_id="w1") == 2
    assert await store.release_leases(worker_id="w1") == 0
    freed = await store.feeds.claim_due(now=at40, limit=5, worker_id="w4", lease_s=30)
    assert [f.id for f in freed] == ids[:2]


async def _exited_claimer_id() -> str:
    """The id a claimer in a real process (now gone) would have stamped."""
    import sys

    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from bot.store.claimers import new_claimer_id; print(new_claimer_id())",
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
    return out.decode().strip()


async def test_a_dead_claimer_on_this_host_is_recognised_a_live_or_unknown_one_is_not() -> None:
    from bot.store.claimers import is_dead, new_claimer_id, parse_claimer

    gone = await _exited_claimer_id()
    mine = new_claimer_id()
    claimer = parse_claimer(mine)
    assert claimer is not None and claimer.start
    reused = mine.replace(f".{claimer.start}:", f".{int(claimer.start) + 1}:")
    assert is_dead(gone) and is_dead(reused)
    assert not is_dead(mine) and not is_dead("w1") and not is_dead("host:12:")
    elsewhere = mine.replace(f"{claimer.scope}.", "0123456789ab.")
    assert not is_dead(elsewhere.replace(f":{claimer.pid}:", ":1:"))


async def test_leases_of_a_dead_claimer_are_released_and_others_kept(store: Store) -> None:
    from bot.store.claimers import new_claimer_id

    gone = await _exited_claimer_id()
    feeds = await _feeds(store, 3)
    await store.feeds.claim_due(now=T0, limit=1, worker_id=gone, lease_s=3600)
    await store.feeds.claim_due(now=T0, limit=1, worker_id=new_claimer_id(), lease_s=3600)
    await store.feeds.claim_due(now=T0, limit=1, worker_id="elsewhere", lease_s=3600)
    assert await store.feeds.claim_due(now=T0, limit=3, worker_id="w9", lease_s=60) == []

    assert await store.release_dead_leases(now=T0) == 1

    (taken,) = await store.feeds.claim_due(now=T0, limit=3, worker_id="w9", lease_s=60)
    assert taken.id == feeds[0]
