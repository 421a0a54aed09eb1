"""A setting out of range is one line naming its variable, from every command that reads the
settings (real subprocesses; nothing connects anywhere)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.cli import run_newsdigest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "argv",
    [
        ("db", "prune"),
        ("db", "current"),
        ("demo",),
        ("run",),
        ("bot", "slack"),
        ("news", "latest"),
        ("command", "feeds", "list"),
        ("feeds", "list"),
    ],
)
async def test_a_bad_setting_is_one_line_naming_it(tmp_path: Path, argv: tuple[str, ...]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDIGEST_")}
    env.update(
        NEWSDIGEST_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
        NEWSDIGEST_RETENTION_DAYS="2",
    )
    code, out, err = await run_newsdigest(*argv, env=env, cwd=tmp_path)
    assert code == 2 and out == ""
    assert err.startswith("error: NEWSDIGEST_RETENTION_DAYS: ")
    assert err.count("\n") == 1 and "Traceback" not in err
