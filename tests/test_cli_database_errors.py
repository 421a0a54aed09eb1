"""`newsdigest news|digest|command` when the database cannot be used: one line, no traceback
and no password (real subprocesses; the database address is a closed port on 127.0.0.1)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from tests.support.cli import run_newsdigest


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    "argv", [("news", "latest"), ("digest", "now"), ("command", "feeds", "list")]
)
async def test_an_unreachable_database_is_one_line(tmp_path: Path, argv: tuple[str, ...]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDIGEST_")}
    env["NEWSDIGEST_DATABASE_URL"] = (
        f"postgresql+asyncpg://bot:hunter2secret@127.0.0.1:{closed_port()}/news"
    )
    code, out, err = await run_newsdigest(*argv, env=env, cwd=tmp_path)
    assert code == 1 and out == ""
    assert err.startswith("error: the database is not usable: ")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "hunter2secret" not in err
