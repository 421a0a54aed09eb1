"""`newsdigest demo` and `newsdigest run` as a user runs them: subprocesses, bounded in time.

The demo serves its bundled feeds on 127.0.0.1 and talks to nothing else; `run` with no token
is the console bot, reading commands from stdin and stopping cleanly on SIGTERM.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.demo.server import content_files
from tests.feed_site import Item, rss
from tests.support.httpserver import LocalHTTPServer, Reply

DEMO_TIMEOUT_S = 120


def clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDIGEST_", "SLACK_"))}
    env["NEWSDIGEST_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    env["NEWSDIGEST_SUMMARIZE_PROCESSES"] = "0"
    return env


def newsdigest(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 -- our own module, arguments from the test
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        timeout=DEMO_TIMEOUT_S,
        cwd=tmp_path,
        env=clean_env(tmp_path),
        check=False,
    )


def test_demo_prints_a_digest_with_facts_quotes_and_threads(tmp_path: Path) -> None:
    done = newsdigest(tmp_path, "demo")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert " digest — 5 stories  [#demo]" in out
    for title in (
        "Riverton council approves new harbour bridge after decade of delays",
        "Payment firm Lumora says hackers took data of 2 million customers",
        "New glass frog species found in cloud forest survey",
    ):
        assert title in out
    assert out.count("\n  • ") >= 10, "key facts under each story"
    assert "— Elena Markovic" in out and "— Sandra Okafor" in out, "quotes with speakers"
    assert out.count("│ Thread: ") == 5 and out.count("│ Sources:") == 5
    both = [line for line in out.splitlines() if "Coastal Herald, Riverton Gazette" in line
            or "Riverton Gazette, Coastal Herald" in line]  # fmt: skip
    assert len(both) == 1, "one flood story from both feeds"
    assert not list(tmp_path.iterdir()), "the demo's database is temporary"


def test_demo_payloads_for_discord_are_request_bodies_that_ping_no_one(tmp_path: Path) -> None:
    done = newsdigest(tmp_path, "demo", "--payloads", "discord")
    assert done.returncode == 0, done.stderr
    bodies = [json.loads(line) for line in done.stdout.splitlines()]
    threads = [b for b in bodies if "name" in b]
    messages = [b for b in bodies if "name" not in b]
    assert len(threads) == 5 and all(set(b) == {"name", "auto_archive_duration"} for b in threads)
    assert len(messages) == 11
    assert all(b["allowed_mentions"] == {"parse": []} for b in messages)
    assert all(0 < len(b["nonce"]) <= 25 and b["enforce_nonce"] is True for b in messages)
    header = messages[0]["content"]
    assert header.startswith("## ") and header.endswith(" digest — 5 stories")
    story = messages[1]["embeds"][0]
    assert story["url"].startswith("http://127.0.0.1:") and story["fields"]


def test_demo_payloads_for_slack_are_post_message_arguments(tmp_path: Path) -> None:
    done = newsdigest(tmp_path, "demo", "--payloads", "slack")
    assert done.returncode == 0, done.stderr
    args = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(args) == 11
    assert all(a["channel"] == "demo" and a["blocks"] and a["text"] for a in args)
    in_threads = [a for a in args if a["thread_ts"]]
    assert len(in_threads) == 5
    assert args[0]["blocks"][0]["type"] == "header"
    assert len({a["metadata"]["event_payload"]["key"] for a in args}) == 11


def test_demo_of_an_unreadable_feed_says_why_in_one_line(tmp_path: Path) -> None:
    done = newsdigest(tmp_path, "demo", "--feed", "not a url")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == "error: none of the feeds could be read"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM")
async def test_run_without_tokens_is_the_console_bot_and_stops_on_sigterm(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, cwd=tmp_path, env=clean_env(tmp_path),
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(b"/news help\n/feeds list\n")
        await proc.stdin.drain()
        seen: list[str] = []
        async with asyncio.timeout(60):
            while not any("no feeds" in line.lower() for line in seen):
                line = await proc.stdout.readline()
                assert line, "the bot exited early"
                seen.append(line.decode())
        assert any("/feeds add <url>" in line for line in seen), "console operator: moderator"
        proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            code = await proc.wait()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert code == 0, (await proc.stderr.read()).decode()[-2000:]  # type: ignore[union-attr]
    assert (tmp_path / "bot.db").exists(), "SQLite migrated at start"


@pytest.mark.parametrize(
    ("platform", "needs"), [("discord", "NEWSDIGEST_DISCORD_TOKEN"), ("slack", "SLACK_BOT_TOKEN")]
)
def test_bot_without_its_token_says_what_to_set(tmp_path: Path, platform: str, needs: str) -> None:
    done = newsdigest(tmp_path, "bot", platform)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("error: set ")
    assert needs in done.stderr and "Traceback" not in done.stderr


async def test_demo_of_given_feeds_digests_what_they_hold_now(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    pages = content_files()
    for name in ("bridge.html", "frog.html"):
        page = pages[name].replace("{base}", http_server.url(""))
        http_server.add(f"/{name}", Reply(body=page, content_type="text/html"))
    items = [
        Item("Council approves bridge", http_server.url("/bridge.html"), "b", "Vote 9-2."),
        Item("Glass frog found", http_server.url("/frog.html"), "f", "A new species."),
    ]
    http_server.add("/feed.xml", Reply(body=rss(items), content_type="application/rss+xml"))
    env = clean_env(tmp_path)
    env["NEWSDIGEST_ALLOW_PRIVATE_ADDRESSES"] = "1"  # the test's server is on loopback
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "demo", "--feed", http_server.url("/feed.xml"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=tmp_path, env=env,
    )  # fmt: skip
    async with asyncio.timeout(DEMO_TIMEOUT_S):
        out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    printed = out.decode()
    assert " digest — 2 stories" in printed
    assert "Council approves bridge" in printed and "— Elena Markovic" in printed
    assert printed.count("│ Sources:") == 2
