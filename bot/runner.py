"""The long-running loops of `newsdigest run` and `newsdigest bot`, on one asyncio loop.

    runner = Runner(store=store, platforms={"discord": platform}, worker=app.worker(),
                    worker_id="host:pid")
    stop = asyncio.Event()             # set by SIGINT/SIGTERM (`install_signal_handlers`)
    await runner.run(stop)

Loops (each survives its own errors, which are logged, and sleeps until its next turn or
until `stop`):

- **worker**: poll due feeds and summarize new articles into stories (`Worker.run_forever`);
  only when a worker is given (`newsdigest run`; at scale, `newsdigest worker` processes).
- **digests**: every `digest_cycle_s`, plan due digests, queue thread updates for posted
  stories that gained a source, queue feed-health notices. Planning is idempotent and safe
  with several processes, so every `bot` process runs it too.
- **delivery**: every `deliver_interval_s`, or at once after `wake()` (say, `/digest now`),
  drain the outbox through the platforms.

On `stop` each loop finishes the step it is in (a delivery holds leases; a half-finished poll
batch is redone by the next process anyway) and `run` returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Mapping

from bot.digests.health import notify_feed_health
from bot.digests.outbox import deliver_pending
from bot.digests.plan import plan_due_digests
from bot.digests.updates import enqueue_story_updates
from bot.platforms.base import Platform
from bot.plural import counted
from bot.store.store import Store
from bot.store.types import utcnow
from bot.worker import Worker

log = logging.getLogger(__name__)


class Runner:
    """The bot's loops over one store and the connected platforms."""

    def __init__(
        self,
        *,
        store: Store,
        platforms: Mapping[str, Platform],
        worker_id: str,
        worker: Worker | None = None,
        digest_cycle_s: float = 30.0,
        deliver_interval_s: float = 2.0,
        worker_idle_s: float = 5.0,
    ) -> None:
        self.store = store
        self.platforms = dict(platforms)
        self.worker_id = worker_id
        self.worker = worker
        self.digest_cycle_s = digest_cycle_s
        self.deliver_interval_s = deliver_interval_s
        self.worker_idle_s = worker_idle_s
        self._wake = asyncio.Event()
        self.cycles = {"worker": 0, "digests": 0, "delivery": 0}

    def wake(self) -> None:
        """Deliver now rather than at the next interval."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        if released := await self.store.release_dead_leases(now=utcnow()):
            log.info(
                "took over %s of bot processes or workers that died", counted(released, "lease")
            )
        loops = [self._every(stop, "digests", self.digest_cycle_s, self.digest_step)]
        if self.platforms:
            loops.append(self._delivery(stop))
        if self.worker is not None:
            loops.append(self._worker(stop))
        await asyncio.gather(*loops)

    async def digest_step(self) -> None:
        digests = await plan_due_digests(self.store)
        updates = await enqueue_story_updates(self.store)
        notices = await notify_feed_health(self.store)
        if digests or updates or notices:
            log.info(
                "queued %s, %s, %s",
                counted(len(digests), "digest"),
                counted(updates, "update"),
                counted(notices, "notice"),
            )
            self.wake()

    async def deliver_step(self) -> None:
        report = await deliver_pending(self.store, self.platforms, worker_id=self.worker_id)
        if report.delivered or report.failed or report.retrying:
            log.info(
                "delivered %s (%d found already posted), %d to retry, %d failed",
                counted(report.delivered, "post"),
                report.already_posted,
                report.retrying,
                report.failed,
            )

    async def _worker(self, stop: asyncio.Event) -> None:
        if self.worker is None:
            return
        while not stop.is_set():
            try:
                await self.worker.run_forever(stop=stop, idle_s=self.worker_idle_s)
            except Exception:
                log.exception("the worker loop failed; starting it again")
                await _sleep_unless(stop, self.worker_idle_s)
            self.cycles["worker"] += 1

    async def _delivery(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self._wake.clear()
            await self._step("delivery", self.deliver_step)
            waiter = asyncio.ensure_future(self._wake.wait())
            stopper = asyncio.ensure_future(stop.wait())
            try:
                await asyncio.wait(
                    {waiter, stopper},
                    timeout=self.deliver_interval_s,
                    return_when=asyncio.FIRST_COMPLETED,
                )
            finally:
                for task in (waiter, stopper):
                    task.cancel()

    async def _every(
        self, stop: asyncio.Event, name: str, interval: float, step: Callable[[], Awaitable[None]]
    ) -> None:
        while not stop.is_set():
            await self._step(name, step)
            await _sleep_unless(stop, interval)

    async def _step(self, name: str, step: Callable[[], Awaitable[None]]) -> None:
        try:
            await step()
        except Exception:
            log.exception("the %s step failed; trying again next time", name)
        self.cycles[name] += 1


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def install_signal_handlers(stop: asyncio.Event) -> None:
    """SIGINT and SIGTERM set `stop` (a second SIGINT falls back to KeyboardInterrupt)."""
    loop = asyncio.get_running_loop()

    def on_signal(sig: signal.Signals) -> None:
        log.info("%s: stopping after the current steps", sig.name)
        stop.set()
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, on_signal, sig)


__all__ = ["Runner", "install_signal_handlers"]
