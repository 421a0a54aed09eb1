"""`newsdigest feeds import FILE.opml [--channel ID]` and `feeds export [FILE]` as a user runs
them: real subprocesses on a SQLite file from NEWSDIGEST_DATABASE_URL. Only IP literals and
loopback names appear in the files, so the guard judges them without any lookup."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.feeds.opml import OpmlFeed, parse_opml, write_opml
from bot.store.types import utcnow
from tests.support.cli import run_newsdigest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "opml"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDIGEST_")}
    clean.update(
        NEWSDIGEST_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        NEWSDIGEST_SUMMARIZE_PROCESSES="0",
    )
    return clean


async def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    return await run_newsdigest(*args, env=env, cwd=ROOT)


def write(path: Path, *urls: str) -> Path:
    feeds = [OpmlFeed(xml_url=url, title=f"Feed {i}") for i, url in enumerate(urls, 1)]
    path.write_bytes(write_opml(feeds, title="mine", now=utcnow()))
    return path


async def test_import_then_export(env: dict[str, str], tmp_path: Path) -> None:
    env = {**env, "NEWSDIGEST_ALLOW_PRIVATE_ADDRESSES": "1"}
    file = write(
        tmp_path / "mine.opml",
        "http://127.0.0.1:9/one.xml",
        "http://127.0.0.1:9/two.xml",
        "gopher://127.0.0.1/x",
    )
    code, out, err = await run(env, "feeds", "import", str(file), "--channel", "news")
    lines = out.splitlines()
    assert code == 0, err
    assert lines[0] == "added: feed 1 “Feed 1” http://127.0.0.1:9/one.xml"
    assert lines[1] == "added: feed 2 “Feed 2” http://127.0.0.1:9/two.xml"
    assert lines[2].startswith("refused: “Feed 3” gopher://127.0.0.1/x: bad URL: only http")
    assert lines[3].startswith("3 outlines: 2 added, 0 already followed, 1 refused;")
    assert len(lines) == 4

    code, out, _ = await run(env, "feeds", "import", str(file))
    assert code == 1, "nothing added"
    assert out.startswith("already followed: feed 1")

    code, out, _ = await run(env, "command", "feeds", "list")
    assert code == 0 and "Feed 1" in out and "#news" in out

    code, out, _ = await run(env, "feeds", "export")
    assert code == 0
    document = parse_opml(out.encode())
    assert [o.xml_url for o in document.outlines] == [
        "http://127.0.0.1:9/one.xml",
        "http://127.0.0.1:9/two.xml",
    ]
    target = tmp_path / "out.opml"
    code, out, _ = await run(env, "feeds", "export", str(target))
    assert code == 0 and out == f"wrote 2 feeds to {target}\n"
    assert parse_opml(target.read_bytes()) == document
    assert [name for name in os.listdir(tmp_path) if name.endswith(".tmp")] == []


async def test_private_addresses_are_refused_with_the_guard_on(
    env: dict[str, str], tmp_path: Path
) -> None:
    file = write(tmp_path / "lan.opml", "http://127.0.0.1:9/rss", "http://localhost/rss")
    code, out, _ = await run(env, "feeds", "import", str(file))
    assert code == 1
    assert out.splitlines()[:2] == [
        "refused: “Feed 1” http://127.0.0.1:9/rss: private address: 127.0.0.1 (127.0.0.1) is "
        "not a public internet address",
        "refused: “Feed 2” http://localhost/rss: private address: localhost is not a public "
        "internet host",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ((FIXTURES / "billion_laughs.opml").read_bytes(), "declares a DTD or entities"),
        (b"<opml><body><outline", "not well-formed XML"),
        (None, "larger than 2 MB"),
        (b"", "the file is empty"),
    ],
)
async def test_hostile_files_get_one_line(
    env: dict[str, str], tmp_path: Path, content: bytes | None, expected: str
) -> None:
    file = tmp_path / "bad.opml"
    if content is None:
        with file.open("wb") as handle:
            handle.truncate(50 * 1024 * 1024)  # 50 MB, sparse: nothing is read
    else:
        file.write_bytes(content)
    code, out, err = await run(env, "feeds", "import", str(file))
    assert code == 1 and out == ""
    assert err.startswith("error: ") and expected in err and err.count("\n") == 1


async def test_missing_file_and_unwritable_export(env: dict[str, str], tmp_path: Path) -> None:
    code, _, err = await run(env, "feeds", "import", str(tmp_path / "nope.opml"))
    assert code == 1 and err.startswith("error: cannot read") and err.count("\n") == 1
    code, _, err = await run(env, "feeds", "export", str(tmp_path / "no" / "such" / "x.opml"))
    assert code == 1 and err.startswith("error: cannot write") and err.count("\n") == 1


async def test_one_feed_is_counted_in_the_singular(env: dict[str, str], tmp_path: Path) -> None:
    env = {**env, "NEWSDIGEST_ALLOW_PRIVATE_ADDRESSES": "1"}
    file = write(tmp_path / "one.opml", "http://127.0.0.1:9/one.xml")
    code, out, err = await run(env, "feeds", "import", str(file))
    assert code == 0, err
    assert out.splitlines()[-1].startswith("1 outline: 1 added, 0 already followed, 0 refused;")
    target = tmp_path / "out.opml"
    code, out, _ = await run(env, "feeds", "export", str(target))
    assert code == 0 and out == f"wrote 1 feed to {target}\n"
