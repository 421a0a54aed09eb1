"""Crash test: a real `newsdigest worker --once` subprocess is SIGKILLed mid-cycle, another
worker finishes the cycle, and every entry ends up summarized exactly once (counted in the DB).
The killed worker's summarizer processes die with it (none of its process group is left).

Feeds and article pages are served on 127.0.0.1 by this test, behind gates that
hold them where the kill must land; the database both processes share is a SQLite file and, when
NEWSDIGEST_TEST_POSTGRES_URL is set, a PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.store import Store, upgrade
from tests.conftest import POSTGRES_URL_ENV
from tests.feed_site import articles, item_for, page_html, rss
from tests.support.httpserver import Gate, LocalHTTPServer, Reply

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = articles()
PLAN = {
    "a": ["quake-peru-1", "ars-che-1", "helix-recall-1", "boc-cut-1"],
    "b": ["quake-peru-2", "fire-ventura-1", "vireo-scrub-1", "lena-1"],
    "c": ["quake-peru-3", "aslef-1", "nimbus-outage-1", "oil-up-1", "ars-che-1"],
}
ENTRIES = sum(len(ids) for ids in PLAN.values())
PAGES = len({i for ids in PLAN.values() for i in ids})
STORIES = PAGES - 2  # the three Peru reports are one story


@dataclass(frozen=True, slots=True)
class Site:
    feeds: Gate
    pages: Gate


def serve(server: LocalHTTPServer, *, page_delay: float = 0.0) -> Site:
    """The three feeds and their article pages, each kind behind its own gate (the worker is
    killed while it waits on one, so where the kill lands in its cycle is not a matter of
    timing)."""
    site = Site(feeds=Gate(), pages=Gate())
    for name, ids in PLAN.items():
        entries = []
        for sample_id in ids:
            path = f"/page/{sample_id}"
            page = Reply(
                body=page_html(SAMPLES[sample_id]),
                content_type="text/html; charset=utf-8",
                delay=page_delay,
            )
            server.add(path, site.pages.serving(page))
            entries.append(item_for(SAMPLES[sample_id], server.url(path)))
        feed = Reply(body=rss(entries), content_type="application/rss+xml")
        server.add(f"/{name}.xml", site.feeds.serving(feed))
    return site


async def add_feeds(env: dict[str, str], server: LocalHTTPServer, log: Path) -> None:
    for name in PLAN:
        added = await cli(env, "feeds", "add", server.url(f"/{name}.xml"), log=log)
        await finish(added, log, within=60)


def env_for(url: str, *, lease_s: int = 2, processes: int = 1) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDIGEST_")}
    env.update(
        NEWSDIGEST_DATABASE_URL=url,
        NEWSDIGEST_ALLOW_PRIVATE_ADDRESSES="1",
        NEWSDIGEST_WORKER_LEASE_S=str(lease_s),
        NEWSDIGEST_ARTICLE_CONCURRENCY="2",
        NEWSDIGEST_SUMMARIZE_PROCESSES=str(processes),
    )
    return env


async def cli(
    env: dict[str, str], *args: str, log: Path, own_group: bool = False
) -> asyncio.subprocess.Process:
    """Run `python -m bot.cli ARGS`, its output going to `log` (a pipe nobody reads could
    fill up and stall the worker); with `own_group`, as the leader of a new process group."""
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            *args,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=out,
            start_new_session=own_group,
        )


def live_members(group: int) -> list[str]:
    """The processes of process group `group` that have not exited (zombies are left out:
    they hold no memory and no open files, and reaping them is their new parent's business)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == group and fields[0] != "Z":
            alive.append(f"{entry.name} {stat[: stat.rindex(')') + 1]}")
    return alive


async def finish(proc: asyncio.subprocess.Process, log: Path, *, within: float) -> None:
    try:
        await asyncio.wait_for(proc.wait(), timeout=within)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, tail(log)


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


class Database:
    """The database both workers use: a SQLite file, or a PostgreSQL database made for this
    test (a database, not a schema: the worker subprocesses only take a URL)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.store = Store(url)

    async def rows(self, sql: str) -> list[tuple]:  # type: ignore[type-arg]
        async with self.store.session(readonly=True) as s:
            return [tuple(r) for r in (await s.execute(text(sql))).all()]

    async def scalar(self, sql: str) -> int:
        return int((await self.rows(sql))[0][0])


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'crash.db'}"
        await upgrade(url)
        db = Database(url)
        yield db
        await db.store.close()
        return
    admin_url = os.environ.get(POSTGRES_URL_ENV)
    if not admin_url:
        pytest.skip(f"{POSTGRES_URL_ENV} is not set")
    name = f"crash_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        await upgrade(url)
        db = Database(url)
        try:
            yield db
        finally:
            await db.store.close()
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


async def wait_until(check, *, within: float) -> None:  # type: ignore[no-untyped-def]
    """Wait for the async predicate `check()` to be true."""
    loop = asyncio.get_running_loop()
    end = loop.time() + within
    while not await check():
        if loop.time() > end:
            raise AssertionError("the condition was not reached in time")
        await asyncio.sleep(0.05)


async def start_and_kill(
    env: dict[str, str],
    db: Database,
    site: Site,
    log: Path,
    *,
    during: str = "summarizing",
    own_group: bool = False,
) -> asyncio.subprocess.Process:
    """Start `worker --once`, SIGKILL it once it is held mid-cycle, open the gates again.

    Polling: every feed was asked and none has answered. Summarizing: two pages were served
    and summarized, the others' fetches are held (their articles pending, leased). With
    `own_group`, the worker leads a process group, and its summarizer processes must be
    running when it is killed."""
    if during == "polling":
        site.feeds.close()
    else:
        site.pages.close(after=2)
    proc = await cli(env, "worker", "--once", log=log, own_group=own_group)
    try:
        if during == "polling":

            async def mid_cycle() -> bool:
                return site.feeds.held == len(PLAN)

        else:

            async def mid_cycle() -> bool:
                done = "SELECT count(*) FROM articles WHERE state = 'summarized'"
                return site.pages.held > 0 and await db.scalar(done) >= 2

        await wait_until(mid_cycle, within=90)
        if own_group:
            members = live_members(proc.pid)
            assert len(members) >= 3, f"no summarizer processes to outlive it: {members}"
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        site.feeds.open()
        site.pages.open()
    assert proc.returncode == -signal.SIGKILL
    if during == "polling":
        assert await db.scalar("SELECT count(*) FROM entries") == 0
    else:
        assert await db.scalar("SELECT count(*) FROM articles WHERE state = 'pending'") > 0
    return proc


@pytest.mark.parametrize("kill_during", ["polling", "summarizing"])
async def test_killed_worker_loses_nothing_and_repeats_nothing(
    http_server: LocalHTTPServer, database: Database, tmp_path: Path, kill_during: str
) -> None:
    db = database
    log = tmp_path / "workers.log"
    env = env_for(db.url)
    site = serve(http_server)
    await add_feeds(env, http_server, log)

    await start_and_kill(env, db, site, log, during=kill_during)
    second = await cli(env, "worker", "--once", log=log)
    await finish(second, log, within=120)

    assert await db.scalar("SELECT count(*) FROM entries") == ENTRIES
    assert await db.scalar("SELECT count(*) FROM articles") == PAGES
    assert await db.scalar("SELECT count(*) FROM articles WHERE state = 'summarized'") == PAGES
    assert await db.scalar("SELECT count(*) FROM articles WHERE story_id IS NULL") == 0
    assert await db.scalar("SELECT count(*) FROM story_sources") == PAGES
    twice = "SELECT article_id FROM story_sources GROUP BY article_id HAVING count(*) > 1"
    assert await db.rows(twice) == []
    assert await db.scalar("SELECT count(*) FROM stories") == STORIES
    assert await db.scalar("SELECT coalesce(sum(source_count), 0) FROM stories") == PAGES
    assert await db.scalar("SELECT count(*) FROM stories WHERE source_count = 0") == 0
    assert await db.scalar("SELECT count(*) FROM feeds WHERE lease_owner IS NOT NULL") == 0
    assert await db.scalar("SELECT count(*) FROM feeds WHERE last_success_at IS NULL") == 0
    peru = await db.rows("SELECT source_count FROM stories WHERE title LIKE '%Peru%'")
    assert peru == [(3,)]


async def assert_every_article_stored_once(db: Database) -> None:
    assert await db.scalar("SELECT count(*) FROM entries") == ENTRIES
    assert await db.scalar("SELECT count(*) FROM articles") == PAGES
    assert await db.scalar("SELECT count(*) FROM articles WHERE state = 'summarized'") == PAGES
    assert await db.scalar("SELECT count(*) FROM story_sources") == PAGES
    twice = "SELECT article_id FROM story_sources GROUP BY article_id HAVING count(*) > 1"
    assert await db.rows(twice) == []
    assert await db.scalar("SELECT count(*) FROM stories") == STORIES


async def test_killed_worker_takes_its_summarizer_processes_with_it(
    http_server: LocalHTTPServer, database: Database, tmp_path: Path
) -> None:
    db = database
    log = tmp_path / "workers.log"
    env = env_for(db.url, processes=2)
    site = serve(http_server)
    await add_feeds(env, http_server, log)

    first = await start_and_kill(env, db, site, log, own_group=True)

    async def group_gone() -> bool:
        return not live_members(first.pid)

    try:
        await wait_until(group_gone, within=5)
    except AssertionError:
        left = live_members(first.pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(first.pid, signal.SIGKILL)
        raise AssertionError(f"still running after the worker was killed: {left}") from None

    second = await cli(env, "worker", "--once", log=log)
    await finish(second, log, within=120)
    await assert_every_article_stored_once(db)


async def test_a_stopped_worker_finishes_its_work_in_hand_and_leaves_no_process(
    http_server: LocalHTTPServer, database: Database, tmp_path: Path
) -> None:
    """SIGTERM to a long-running `worker` mid-summarize: it finishes the two articles in hand,
    joins its summarizer pool, gives back its leases and exits 0; nothing of its group is left."""
    db = database
    log = tmp_path / "workers.log"
    env = env_for(db.url, lease_s=3600, processes=2)
    site = serve(http_server)
    await add_feeds(env, http_server, log)
    site.pages.close(after=2)
    worker = await cli(env, "worker", log=log, own_group=True)
    try:

        async def two_done_two_in_hand() -> bool:
            done = "SELECT count(*) FROM articles WHERE state = 'summarized'"
            return site.pages.held == 2 and await db.scalar(done) == 2

        await wait_until(two_done_two_in_hand, within=90)
        members = live_members(worker.pid)
        assert len(members) >= 3, f"no summarizer processes to join: {members}"
        worker.send_signal(signal.SIGTERM)
        site.pages.open()
        await finish(worker, log, within=60)
    finally:
        site.pages.open()
        if worker.returncode is None:
            worker.kill()
            await worker.wait()

    async def group_gone() -> bool:
        return not live_members(worker.pid)

    try:
        await wait_until(group_gone, within=5)
    except AssertionError:
        left = live_members(worker.pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        raise AssertionError(f"still running after the worker stopped: {left}") from None
    assert await db.scalar("SELECT count(*) FROM articles WHERE state = 'summarized'") == 4
    assert await db.scalar("SELECT count(*) FROM articles WHERE lease_owner IS NOT NULL") == 0
    assert await db.scalar("SELECT count(*) FROM feeds WHERE lease_owner IS NOT NULL") == 0


async def assert_every_headline_finds_its_story(db: Database) -> None:
    """`newsdigest search <headline>` finds each article's story, whichever headline the story
    shows."""
    from bot.stories.lookup import find_stories

    for sample_id in {i for ids in PLAN.values() for i in ids}:
        (story_id,) = (
            await db.rows(f"SELECT story_id FROM articles WHERE url LIKE '%/page/{sample_id}'")  # noqa: S608 - our own ids
        )[0]
        headline = SAMPLES[sample_id].title
        hits = await find_stories(db.store, headline, limit=20)
        assert story_id in [h.id for h in hits], headline


async def test_a_fresh_worker_takes_over_a_killed_ones_work_without_waiting_out_its_lease(
    http_server: LocalHTTPServer, database: Database, tmp_path: Path
) -> None:
    db = database
    log = tmp_path / "workers.log"
    env = env_for(db.url, lease_s=3600)
    site = serve(http_server)
    await add_feeds(env, http_server, log)

    await start_and_kill(env, db, site, log)
    held = await db.scalar("SELECT count(*) FROM articles WHERE lease_owner IS NOT NULL")
    assert held > 0, "the killed worker held articles"

    second = await cli(env, "worker", "--once", log=log)
    await finish(second, log, within=120)  # the killed worker's leases had an hour to run
    await assert_every_article_stored_once(db)
    await assert_every_headline_finds_its_story(db)
    assert "took over" in tail(log)


async def test_two_workers_started_together_store_everything_once_and_find_it(
    http_server: LocalHTTPServer, database: Database, tmp_path: Path
) -> None:
    db = database
    log = tmp_path / "workers.log"
    env = env_for(db.url, lease_s=3600)
    serve(http_server, page_delay=0.2)
    await add_feeds(env, http_server, log)

    both = [await cli(env, "worker", "--once", log=log) for _ in range(2)]
    for proc in both:
        await finish(proc, log, within=180)
    await assert_every_article_stored_once(db)
    await assert_every_headline_finds_its_story(db)
    assert await db.scalar("SELECT count(*) FROM articles WHERE lease_owner IS NOT NULL") == 0
