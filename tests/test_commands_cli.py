"""`newsdigest news | digest | command …` run as real subprocesses against a loopback server
(the SSRF guard lifted by the setting, as only 127.0.0.1 is served here)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.feed_site import Item, rss
from tests.support.cli import run_newsdigest
from tests.support.commands import fixture_text
from tests.support.httpserver import LocalHTTPServer, Reply


async def newsdigest(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "NEWSDIGEST_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "NEWSDIGEST_ALLOW_PRIVATE_ADDRESSES": "1",
        "NEWSDIGEST_SUMMARIZE_PROCESSES": "0",
    }
    return await run_newsdigest(*args, env=env, cwd=tmp_path)


async def test_console_commands_run_the_same_handlers(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    page = Reply(body=fixture_text("ferry_article.html"), content_type="text/html")
    http_server.add("/ferry.html", page)
    item = Item(title="Kestrel Bay ferry returns", link=http_server.url("/ferry.html"), guid="f")
    http_server.add("/feed.xml", Reply(body=rss([item], title="Courier"), content_type="text/xml"))
    feed_url = http_server.url("/feed.xml")

    code, out, err = await newsdigest(
        tmp_path, "command", "feeds", "add", feed_url, "include:", "ferry"
    )
    assert code == 0, err
    assert "#console now follows “Courier”" in out and "Filters: only with: ferry" in out
    assert "Preview of its latest item: Kestrel Bay ferry returns" in out
    assert "— Mara Lindqvist" in out, "the preview card"

    code, out, err = await newsdigest(tmp_path, "command", "feeds", "list")
    assert code == 0 and "Feed 1 · “Courier” in #console" in out

    code, out, err = await newsdigest(tmp_path, "news", "summarize", http_server.url("/ferry.html"))
    assert code == 0, err
    assert "Kestrel Bay ferry returns after winter repairs" in out and "Lindqvist" in out

    code, out, err = await newsdigest(tmp_path, "digest", "schedule", "every", "6h")
    assert code == 0 and "every 6h" in out

    code, out, err = await newsdigest(tmp_path, "news", "story", "abc")
    assert code == 1 and out == ""
    assert err == "error: id must be a whole number\n"

    code, out, err = await newsdigest(tmp_path, "news", "summarize", "http://10.9.8.7/x")
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
