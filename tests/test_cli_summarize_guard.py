"""`newsdigest summarize URL` and `python -m summarizer URL` keep the bot's address rules:
loopback in any spelling is refused in one line, and no request reaches the server, unless
NEWSDIGEST_ALLOW_PRIVATE_ADDRESSES lifts the guard. Only 127.0.0.1 is ever contacted."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from tests.support.commands import fixture_text
from tests.support.httpserver import LocalHTTPServer, Reply

ENTRY_POINTS = {
    "newsdigest summarize": ("-m", "bot.cli", "summarize"),
    "python -m summarizer": ("-m", "summarizer"),
}


async def run(
    entry: str, url: str, cwd: Path, *, allow: bool = False, setting: str | None = None
) -> tuple[int, str, str]:
    env = {"PATH": os.environ.get("PATH", "")}
    if allow or setting is not None:
        env["NEWSDIGEST_ALLOW_PRIVATE_ADDRESSES"] = "1" if setting is None else setting
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *ENTRY_POINTS[entry],
        url,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def serve_article(http_server: LocalHTTPServer) -> None:
    page = Reply(body=fixture_text("ferry_article.html"), content_type="text/html")
    http_server.add("/ferry.html", page)


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("host", ["127.0.0.1", "0x7f.1", "[::ffff:127.0.0.1]"])
async def test_loopback_is_refused_in_one_line(
    http_server: LocalHTTPServer, tmp_path: Path, entry: str, host: str
) -> None:
    serve_article(http_server)
    port = http_server.url("/").split(":")[2].split("/")[0]

    code, out, err = await run(entry, f"http://{host}:{port}/ferry.html", tmp_path)

    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "not a public" in err and "Traceback" not in err, err
    assert http_server.requests_for("/ferry.html") == []


@pytest.mark.parametrize("entry", ENTRY_POINTS)
async def test_the_setting_lets_loopback_through(
    http_server: LocalHTTPServer, tmp_path: Path, entry: str
) -> None:
    serve_article(http_server)
    http_server.add("/go", Reply.redirect("/ferry.html"))

    code, out, err = await run(entry, http_server.url("/go"), tmp_path, allow=True)

    assert code == 0, err
    assert "Kestrel Bay ferry returns after winter repairs" in out
    assert len(http_server.requests_for("/ferry.html")) == 1


@pytest.mark.parametrize("entry", ENTRY_POINTS)
async def test_an_oversized_page_is_refused_in_one_line(
    http_server: LocalHTTPServer, tmp_path: Path, entry: str
) -> None:
    http_server.add("/big", Reply(body="<p>x</p>" * 800_000, content_type="text/html"))

    code, out, err = await run(entry, http_server.url("/big"), tmp_path, allow=True)

    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "larger than" in err, err


async def test_an_unreadable_setting_is_one_line(
    http_server: LocalHTTPServer, tmp_path: Path
) -> None:
    serve_article(http_server)

    url = http_server.url("/ferry.html")
    code, out, err = await run("newsdigest summarize", url, tmp_path, setting="maybe")

    assert code == 1 and out == "" and err.count("\n") == 1, err
    assert "NEWSDIGEST_ALLOW_PRIVATE_ADDRESSES" in err and "Traceback" not in err
    assert http_server.requests_for("/ferry.html") == []


@pytest.mark.parametrize(
    "target",
    ["http://127.0.0.1:{other}/ferry.html", "http://localhost:{other}/x", "http://[::1]:{port}/x"],
)
async def test_the_standalone_reader_checks_every_redirect_hop(
    http_server: LocalHTTPServer, target: str
) -> None:
    """Only the test server's own socket is exempt; a hop to any other loopback socket is
    refused before it is connected to."""
    from summarizer.fetch import FetchError, fetch_url

    serve_article(http_server)
    host, port = http_server.url("/").split("/")[2].split(":")
    http_server.add("/go", Reply.redirect(target.format(port=port, other=int(port) + 1)))
    exempt = frozenset({(host, int(port))})

    text = await asyncio.to_thread(fetch_url, http_server.url("/ferry.html"), exempt=exempt)
    assert "Kestrel Bay" in text
    with pytest.raises(FetchError, match="not a public") as refused:
        await asyncio.to_thread(fetch_url, http_server.url("/go"), exempt=exempt)
    assert "\n" not in str(refused.value)
    assert len(http_server.requests_for("/go")) == 1
