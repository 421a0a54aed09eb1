"""Shared fixtures. Every test is offline by construction: any connection or
name lookup to something other than loopback fails the test."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import AsyncIterator, Iterator

import pytest
from hypothesis import settings

from tests.emulators.fixtures import discord_emulator, slack_emulator  # noqa: F401 -- fixtures
from tests.support.httpserver import LocalHTTPServer

# No per-example deadline (hypothesis's default is 200 ms): a busy CI machine must not fail a
# property test on time; settings made in the test modules build on this profile. Under CI the
# examples are derived from each test (the same every run), so a red CI is reproducible and a
# new failing example is found by a local run, not by the build of someone else's commit.
_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
settings.register_profile("newsdigest", deadline=None, derandomize=_CI)
settings.load_profile("newsdigest")

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _is_loopback(host: object) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode()
    host = str(host).strip("[]")
    if host in _LOOPBACK_NAMES or host == "":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


class OutsideNetworkError(AssertionError):
    """A test tried to reach an address other than loopback."""


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def _check(sock: socket.socket, address: object) -> None:
        inet = sock.family in (socket.AF_INET, socket.AF_INET6)
        if inet and isinstance(address, tuple) and not _is_loopback(address[0]):
            raise OutsideNetworkError(f"test tried to connect to {address[0]!r}")

    def connect(self: socket.socket, address: object) -> None:
        _check(self, address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        _check(self, address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> list:  # type: ignore[type-arg]
        if not _is_loopback(host):
            raise OutsideNetworkError(f"test tried to resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield


@pytest.fixture
async def http_server() -> AsyncIterator[LocalHTTPServer]:
    """A real HTTP server on 127.0.0.1; see tests/support/httpserver.py for routes and replies."""
    async with LocalHTTPServer() as server:
        yield server


# Storage backends (bot/store). Every test that takes `store` runs on SQLite and, when
# NEWSDIGEST_TEST_POSTGRES_URL is set, on PostgreSQL. Each test session migrates its own
# PostgreSQL schema (test_<pid>_<random>, dropped at the end), so sessions running at the same
# time against one database never meet; tables are emptied before every test.

POSTGRES_URL_ENV = "NEWSDIGEST_TEST_POSTGRES_URL"


class StoreTarget:
    """Where a test's database is: a URL and, on PostgreSQL, the schema to use."""

    def __init__(self, backend: str, url: str, schema: str | None) -> None:
        self.backend = backend
        self.url = url
        self.schema = schema

    def open(self):  # type: ignore[no-untyped-def]
        """Another Store on the same database (its own engine and connections)."""
        from bot.store import Store

        return Store(self.url, schema=self.schema)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    import asyncio

    from bot.store import upgrade

    path = tmp_path_factory.mktemp("store-template") / "template.db"
    asyncio.run(upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def _postgres_schema() -> Iterator[tuple[str, str]]:
    import asyncio
    import os
    import secrets

    from bot.store import upgrade

    url = os.environ.get(POSTGRES_URL_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_URL_ENV} is not set")
    schema = f"test_{os.getpid()}_{secrets.token_hex(4)}"
    asyncio.run(_postgres_ddl(url, f'CREATE SCHEMA "{schema}"'))
    asyncio.run(upgrade(url, schema=schema))
    yield url, schema
    asyncio.run(_postgres_ddl(url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


async def _postgres_ddl(url: str, statement: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_target(request: pytest.FixtureRequest, tmp_path) -> StoreTarget:  # type: ignore[no-untyped-def]
    """A migrated, empty database for this test: SQLite (a copy of a migrated template) or
    PostgreSQL (the session's schema, emptied by the `store` fixture)."""
    import shutil

    if request.param == "sqlite":
        path = tmp_path / "store.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        return StoreTarget("sqlite", f"sqlite+aiosqlite:///{path}", None)
    url, schema = request.getfixturevalue("_postgres_schema")
    return StoreTarget("postgres", url, schema)


@pytest.fixture
async def store(store_target: StoreTarget):  # type: ignore[no-untyped-def]
    """A `bot.store.Store` on an empty, migrated database (parametrised: sqlite, postgres)."""
    from sqlalchemy import text

    from bot.store.models import Base

    opened = store_target.open()
    if store_target.backend == "postgres":
        # DELETE and a sequence reset: on tables this small, ~30x faster than TRUNCATE.
        tables = Base.metadata.sorted_tables
        async with opened.engine.begin() as conn:
            for table in reversed(tables):
                await conn.execute(text(f'DELETE FROM "{table.name}"'))  # noqa: S608 - our own table names
            resets = ", ".join(
                f"setval(pg_get_serial_sequence('{t.name}', 'id'), 1, false)"
                for t in tables
                if "id" in t.c
            )
            await conn.execute(text(f"SELECT {resets}"))
    try:
        yield opened
    finally:
        await opened.close()
