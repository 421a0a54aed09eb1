"""`newsdigest feeds add|list|remove`, `worker --once` and `search` as a user runs them: real
subprocesses, a SQLite file from NEWSDIGEST_DATABASE_URL, feeds served on 127.0.0.1."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.feeds.manage import FeedInfo, describe
from tests.feed_site import articles, item_for, page_html, rss
from tests.support.cli import run_newsdigest
from tests.support.httpserver import LocalHTTPServer, Reply

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = articles()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDIGEST_")}
    clean.update(
        NEWSDIGEST_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        NEWSDIGEST_ALLOW_PRIVATE_ADDRESSES="1",
        NEWSDIGEST_SUMMARIZE_PROCESSES="0",
    )
    return clean


async def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    return await run_newsdigest(*args, env=env, cwd=ROOT)


def serve_story_feed(server: LocalHTTPServer) -> str:
    entries = []
    for sample_id in ("quake-peru-1", "quake-peru-2", "helix-profit-1"):
        path = f"/p/{sample_id}"
        server.add(path, Reply(body=page_html(SAMPLES[sample_id]), content_type="text/html"))
        entries.append(item_for(SAMPLES[sample_id], server.url(path)))
    server.add("/news.xml", Reply(body=rss(entries, title="Test Wire"), content_type="text/xml"))
    return server.url("/news.xml")


async def test_add_list_remove(env: dict[str, str], http_server: LocalHTTPServer) -> None:
    url = serve_story_feed(http_server)
    code, out, _ = await run(env, "feeds", "add", url)
    assert code == 0 and out.count("\n") == 1
    assert out.startswith("added: feed 1 'Test Wire' (3 items)")
    code, out, _ = await run(env, "feeds", "add", url)
    assert code == 0 and out.startswith("already followed: feed 1")

    code, out, _ = await run(env, "feeds", "list")
    assert code == 0 and "active" in out and "Test Wire" in out and "last success: never" in out

    code, out, _ = await run(env, "feeds", "remove", url)
    assert code == 0 and out.startswith("removed: feed 1")
    code, out, err = await run(env, "feeds", "remove", "1")
    assert code == 1 and err.startswith("error: no feed '1'") and err.count("\n") == 1
    code, out, _ = await run(env, "feeds", "list")
    assert "no feeds yet" in out


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("ftp://files.test/feed.xml", "only http and https"),
        ("not a url", "only http and https"),
        ("/page.html", "not an RSS, Atom or JSON feed"),
        ("/missing.xml", "HTTP 404"),
    ],
)
async def test_add_refuses_what_is_not_a_feed_in_one_line(
    env: dict[str, str], http_server: LocalHTTPServer, target: str, reason: str
) -> None:
    http_server.add("/page.html", Reply(body="<html><body>Hello</body></html>"))
    url = http_server.url(target) if target.startswith("/") else target
    code, out, err = await run(env, "feeds", "add", url)
    assert code == 1 and out == ""
    assert err.startswith("error: ") and reason in err
    assert err.count("\n") == 1 and "Traceback" not in err


async def test_add_keeps_the_ssrf_guard_on_by_default(
    env: dict[str, str], http_server: LocalHTTPServer
) -> None:
    url = serve_story_feed(http_server)
    env = {**env, "NEWSDIGEST_ALLOW_PRIVATE_ADDRESSES": "0"}
    code, _, err = await run(env, "feeds", "add", url)
    assert code == 1 and "not a public" in err and err.count("\n") == 1
    assert http_server.requests_for("/news.xml") == []


async def test_worker_once_then_search(env: dict[str, str], http_server: LocalHTTPServer) -> None:
    url = serve_story_feed(http_server)
    http_server.add("/broken.xml", Reply(body=rss([]), content_type="text/xml"))
    assert (await run(env, "feeds", "add", url))[0] == 0
    assert (await run(env, "feeds", "add", http_server.url("/broken.xml")))[0] == 0
    http_server.add("/broken.xml", Reply(status=500))

    code, out, err = await run(env, "worker", "--once")
    assert code == 0, err
    assert "polled 2 feeds" in out and "1 failed" in out and "summarized 3 articles" in out

    code, out, _ = await run(env, "feeds", "list")
    assert "last error (1 in a row): the server answered HTTP 500" in out

    code, out, _ = await run(env, "search", "Peru", "earthquake", "--json")
    assert code == 0
    hits = json.loads(out)
    assert len(hits) == 1
    (hit,) = hits
    assert {"title", "url", "sources", "key_facts", "quotes"} <= hit.keys()
    assert len(hit["sources"]) == 2 and hit["key_facts"]
    assert "Peru" in hit["title"]
    assert hit["snippet"] and "\n" not in hit["snippet"], "the snippet is one line"

    code, out, _ = await run(env, "search", "Helix")
    assert code == 0 and "Helix" in out and "sources: 1" in out
    assert len(out.splitlines()) == 4, "title, link, snippet, sources"
    code, out, _ = await run(env, "search", "zebra")
    assert code == 0 and "no stories match" in out


@pytest.mark.parametrize(
    ("setting", "value", "reason"),
    [
        ("NEWSDIGEST_POLL_CONCURRENCY", "many", "NEWSDIGEST_POLL_CONCURRENCY"),
        ("NEWSDIGEST_DATABASE_URL", "sqlite+aiosqlite:////no/such/dir/x.db", "/no/such/dir"),
        ("NEWSDIGEST_DATABASE_URL", "not a url", "not a valid database URL"),
    ],
)
async def test_bad_settings_are_one_line_errors(
    env: dict[str, str], setting: str, value: str, reason: str
) -> None:
    code, out, err = await run({**env, setting: value}, "feeds", "list")
    assert code != 0 and out == ""
    assert err.startswith("error: ") and reason in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_list_line_of_a_feed_that_failed_once_and_then_worked() -> None:
    info = FeedInfo(
        feed_id=4,
        url="https://example.org/feed.xml",
        title="Wire",
        state="active",
        last_success_at=datetime(2026, 12, 8, 9, 30, tzinfo=UTC),
        last_error="the server answered HTTP 503",
        error_count=0,
        next_check_at=None,
        last_error_at=datetime(2026, 12, 8, 9, 0, tzinfo=UTC),
    )
    assert describe(info).splitlines()[1].strip() == (
        "last error (2026-12-08 09:00 UTC, fine since): the server answered HTTP 503"
    )
