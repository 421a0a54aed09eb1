"""`newsdigest demo | head -1`: the reader leaving early is not an error worth a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_demo_cli import DEMO_TIMEOUT_S, clean_env


@pytest.mark.parametrize("args", [("demo",), ("demo", "--payloads", "discord")])
def test_reader_closing_the_pipe_early_ends_quietly(tmp_path: Path, args: tuple[str, ...]) -> None:
    proc = subprocess.Popen(  # noqa: S603 -- our own module, arguments from the test
        [sys.executable, "-m", "bot.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=clean_env(tmp_path),
    )
    assert proc.stdout is not None and proc.stderr is not None
    lines = [proc.stdout.readline() for _ in range(3)]
    proc.stdout.close()
    try:
        stderr = proc.stderr.read().decode()
        proc.wait(timeout=DEMO_TIMEOUT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert any(line.strip() for line in lines)
    assert "Traceback" not in stderr
    assert "BrokenPipeError" not in stderr


def test_search_output_to_a_closed_pipe_is_quiet(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "search", "bridge", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=clean_env(tmp_path),
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=DEMO_TIMEOUT_S) == 0
    assert "Traceback" not in stderr
