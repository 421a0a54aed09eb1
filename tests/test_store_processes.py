"""Claimers in separate OS processes (what several `newsdigest worker`s are) never share a feed.

The in-process tests cover one engine per claimer; here each claimer is its own interpreter,
so SQLite's `BEGIN IMMEDIATE` file lock (not our asyncio lock) and PostgreSQL's row locks are
what keep them apart.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from bot.store import Store
from bot.store.models import Feed
from tests.conftest import StoreTarget

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 2, 1, 6, 0, tzinfo=UTC)

CLAIMER = """
import asyncio, json, sys
from datetime import datetime
from pathlib import Path
from bot.store import Store

async def wait_for(*paths):
    for _ in range(6000):
        if all(p.exists() for p in paths):
            return
        await asyncio.sleep(0.01)


async def main(url, schema, worker, now, folder, claimers):
    store = Store(url, schema=schema or None)
    taken = []
    folder = Path(folder)
    print("ready", flush=True)
    await wait_for(folder / "go")
    try:
        while True:
            batch = await store.feeds.claim_due(
                now=datetime.fromisoformat(now), limit=3, worker_id=worker, lease_s=600
            )
            if not batch:
                break
            if not taken:  # every claimer gets a first batch before any drains the rest
                (folder / f"first-{worker}").touch()
                await wait_for(*(folder / f"first-proc{i}" for i in range(int(claimers))))
            taken.extend(f.id for f in batch)
            await asyncio.sleep(0.001)
    finally:
        await store.close()
    print(json.dumps(taken))

asyncio.run(main(*sys.argv[1:]))
"""


async def _start(
    target: StoreTarget, worker: str, folder: Path, claimers: int
) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CLAIMER,
        target.url,
        target.schema or "",
        worker,
        NOW.isoformat(),
        str(folder),
        str(claimers),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), timeout=120)
    assert line.strip() == b"ready", line
    return proc


async def _result(proc: asyncio.subprocess.Process) -> list[int]:
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode == 0, err.decode()
    return json.loads(out)


async def test_worker_processes_never_claim_the_same_feed(
    store: Store, store_target: StoreTarget, tmp_path: Path
) -> None:
    rows = [
        {
            "url": f"https://p{i}.example/rss",
            "normalized_url": f"p{i}.example/rss",
            "next_check_at": NOW,
        }
        for i in range(300)
    ]
    async with store.session() as s:
        await s.execute(insert(Feed), rows)

    procs = await asyncio.gather(*(_start(store_target, f"proc{i}", tmp_path, 3) for i in range(3)))
    (tmp_path / "go").touch()  # all three are connected and waiting: let them race
    results = await asyncio.gather(*(_result(p) for p in procs))

    everything = sorted(feed_id for taken in results for feed_id in taken)
    all_ids = sorted(f.id for f in await store.feeds.list())
    assert len(all_ids) == 300 and everything == all_ids, "each feed claimed exactly once"
    assert all(len(taken) >= 3 for taken in results), "every process raced for work"
    owners = {f.id: f.lease_owner for f in await store.feeds.list()}
    for i, taken in enumerate(results):
        assert all(owners[feed_id] == f"proc{i}" for feed_id in taken)
