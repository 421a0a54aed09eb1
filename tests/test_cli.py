"""The command-line entry points, run as real subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "summarizer" / "samples" / "harbour_bridge.txt"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed argv of our own module
        [sys.executable, "-m", "summarizer", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_json_output_has_documented_fields() -> None:
    result = run(str(SAMPLE), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["title"].startswith("Riverton council approves")
    assert data["lead"]
    assert 1 <= len(data["key_facts"]) <= 5
    assert all(set(f) >= {"text"} for f in data["key_facts"])
    assert all(set(q) >= {"text", "speaker"} for q in data["quotes"])


def test_missing_file_is_one_line_error() -> None:
    result = run("/nonexistent/article.txt")
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_empty_stdin_is_one_line_error() -> None:
    result = run("-", stdin="   \n")
    assert result.returncode != 0
    assert result.stderr.startswith("error:") and "Traceback" not in result.stderr


def test_non_http_url_is_refused() -> None:
    result = run("file:///etc/passwd")
    assert result.returncode != 0 and "Traceback" not in result.stderr


def test_reader_leaving_early_is_not_a_traceback() -> None:
    """The reader closes the pipe before the summary is written (as `| head` can)."""
    proc = subprocess.Popen(  # noqa: S603 - fixed argv of our own module
        [sys.executable, "-m", "summarizer", str(SAMPLE), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0
    assert "Traceback" not in stderr
