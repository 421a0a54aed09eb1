"""Migrations: they apply on every backend, match the models, and can be reapplied."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, inspect, text
from sqlalchemy.engine import Connection

from bot.store import Store, current_revision, head_revision, search_stories, upgrade
from bot.store.migrate import downgrade
from bot.store.models import Article, Base, Entry, Feed, Story
from tests.conftest import POSTGRES_URL_ENV, StoreTarget, _postgres_ddl

ROOT = Path(__file__).resolve().parents[1]
SEARCH_OBJECTS = {"stories_fts", "search_tsv", "ix_stories_search_tsv", "alembic_version"}


def _include(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    return not (name and (name in SEARCH_OBJECTS or name.startswith("stories_fts_")))


def _diff(conn: Connection) -> list[object]:
    ctx = MigrationContext.configure(conn, opts={"include_object": _include, "compare_type": True})
    return compare_metadata(ctx, Base.metadata)


async def test_migrated_schema_matches_the_models(store: Store) -> None:
    async with store.engine.connect() as conn:
        diff = await conn.run_sync(_diff)
    assert diff == []


async def test_head_revision_is_recorded(store: Store) -> None:
    assert await current_revision(store.engine) == head_revision() == "0005"


async def test_upgrade_twice_is_a_no_op(store: Store) -> None:
    await store.upgrade()
    async with store.session(readonly=True) as s:
        assert (await s.execute(text("SELECT count(*) FROM feeds"))).scalar_one() == 0


async def test_foreign_keys_and_wal_are_on_for_sqlite(store: Store) -> None:
    if store.dialect != "sqlite":
        pytest.skip("SQLite pragmas")
    async with store.session(readonly=True) as s:
        assert (await s.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1
        assert (await s.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"


async def test_downgrade_removes_everything_and_upgrade_restores_it(
    store_target: StoreTarget,
) -> None:
    fresh = await _fresh_target(store_target)
    try:
        await upgrade(fresh.url, schema=fresh.schema)
        await downgrade(fresh.url, revision="base", schema=fresh.schema)
        assert await _tables(fresh) <= {"alembic_version"}
        await upgrade(fresh.url, schema=fresh.schema)
        tables = await _tables(fresh)
        assert {t.name for t in Base.metadata.sorted_tables} <= tables
    finally:
        await _drop_target(fresh)


async def test_0002_backfills_speaker_tokens_of_existing_quotes(
    store_target: StoreTarget,
) -> None:
    fresh = await _fresh_target(store_target)
    try:
        await upgrade(fresh.url, revision="0001", schema=fresh.schema)
        opened = fresh.open()
        try:
            async with opened.engine.begin() as conn:
                await conn.execute(
                    text(
                        "INSERT INTO stories (id, title, from_feed_only, source_count,"
                        " created_at, updated_at) VALUES (1, 'Rates', false, 0,"
                        " '2026-04-02 08:00:00+00:00', '2026-04-02 08:00:00+00:00')"
                    )
                )
                for i, name in enumerate(["ana okafor", "ana ana lee", None]):
                    await conn.execute(
                        text(
                            "INSERT INTO quotes (story_id, speaker_normalized, text, text_hash,"
                            " position, created_at) VALUES (1, :name, :text, :hash, 0,"
                            " '2026-04-02 08:00:00+00:00')"
                        ),
                        {"name": name, "text": f"q{i}", "hash": f"h{i}"},
                    )
            await upgrade(fresh.url, schema=fresh.schema)
            async with opened.engine.connect() as conn:
                rows = await conn.execute(
                    text(
                        "SELECT q.text, t.token FROM quote_speaker_tokens t"
                        " JOIN quotes q ON q.id = t.quote_id ORDER BY q.text, t.token"
                    )
                )
                assert [tuple(r) for r in rows] == [
                    ("q0", "ana"),
                    ("q0", "okafor"),
                    ("q1", "ana"),
                    ("q1", "lee"),
                ]
        finally:
            await opened.close()
        await downgrade(fresh.url, revision="0001", schema=fresh.schema)
        assert "quote_speaker_tokens" not in await _tables(fresh)
    finally:
        await _drop_target(fresh)


async def test_0003_indexes_every_sources_headline_of_existing_stories(
    store_target: StoreTarget,
) -> None:
    fresh = await _fresh_target(store_target)
    try:
        await upgrade(fresh.url, revision="0002", schema=fresh.schema)
        opened = fresh.open()
        try:
            async with opened.engine.begin() as conn:
                await conn.execute(insert(Story.__table__).values(id=1, title="Quake hits Peru"))
                await conn.execute(
                    insert(Feed.__table__).values(id=1, url="http://f.example/", normalized_url="f")
                )
                for i, title in ((1, "Quake hits Peru"), (2, "Arequipa tremor kills 11")):
                    await conn.execute(
                        insert(Article.__table__).values(
                            id=i, url=f"x/{i}", normalized_url=f"x/{i}", title=title, story_id=1
                        )
                    )
                await conn.execute(
                    insert(Entry.__table__).values(
                        feed_id=1, guid="g2", title="Rescuers search Chala rubble", article_id=2
                    )
                )
            await upgrade(fresh.url, schema=fresh.schema)
            for words in ("Arequipa tremor", "Chala rubble", "quake Peru"):
                assert [h.story_id for h in await search_stories(opened, words)] == [1], words
            async with opened.engine.connect() as conn:
                kept = await conn.scalar(text("SELECT search_headlines FROM stories"))
            assert kept == "Quake hits Peru\nArequipa tremor kills 11\nRescuers search Chala rubble"
        finally:
            await opened.close()
        await downgrade(fresh.url, revision="0002", schema=fresh.schema)
        await upgrade(fresh.url, schema=fresh.schema)
    finally:
        await _drop_target(fresh)


async def _fresh_target(target: StoreTarget) -> StoreTarget:
    if target.backend == "sqlite":
        path = Path(target.url.removeprefix("sqlite+aiosqlite:///")).with_name("fresh.db")
        return StoreTarget("sqlite", f"sqlite+aiosqlite:///{path}", None)
    schema = f"test_{os.getpid()}_{secrets.token_hex(4)}_fresh"
    await _postgres_ddl(target.url, f'CREATE SCHEMA "{schema}"')
    return StoreTarget("postgres", target.url, schema)


async def _drop_target(target: StoreTarget) -> None:
    if target.schema:
        await _postgres_ddl(target.url, f'DROP SCHEMA IF EXISTS "{target.schema}" CASCADE')


async def _tables(target: StoreTarget) -> set[str]:
    opened = target.open()
    try:
        async with opened.engine.connect() as conn:
            names = await conn.run_sync(lambda c: inspect(c).get_table_names())
        return {n for n in names if not n.startswith("stories_fts")}
    finally:
        await opened.close()


def test_db_upgrade_command_creates_the_default_file(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDIGEST_")}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert head_revision() in result.stdout
    assert (tmp_path / "newsdigest.db").exists()


def test_db_upgrade_hides_the_password_in_errors(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://bot:hunter2secret@127.0.0.1:9/nowhere"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDIGEST_")}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT), "NEWSDIGEST_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "hunter2secret" not in result.stdout + result.stderr
    assert result.stderr.startswith("error:") and result.stderr.count("\n") == 1


@pytest.mark.skipif(not os.environ.get(POSTGRES_URL_ENV), reason=f"{POSTGRES_URL_ENV} not set")
def test_postgres_backend_is_exercised() -> None:
    assert os.environ[POSTGRES_URL_ENV].startswith("postgresql")
