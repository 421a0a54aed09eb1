"""Architecture rules from DESIGN.md, checked across the tree.

- Nothing outside `bot/platforms/` imports discord, slack_bolt or slack_sdk.
- `summarizer/` never imports `bot`.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLATFORM_MODULES = {"discord", "slack_bolt", "slack_sdk"}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def _sources(*dirs: str) -> list[Path]:
    return [p for d in dirs for p in (ROOT / d).rglob("*.py")]


def test_platform_libraries_only_in_bot_platforms() -> None:
    platforms = ROOT / "bot" / "platforms"
    offenders = [
        str(p.relative_to(ROOT))
        for p in _sources("bot", "summarizer")
        if platforms not in p.parents and _imported_roots(p) & PLATFORM_MODULES
    ]
    assert offenders == []


def test_summarizer_does_not_import_bot() -> None:
    offenders = [
        str(p.relative_to(ROOT)) for p in _sources("summarizer") if "bot" in _imported_roots(p)
    ]
    assert offenders == []


def test_rules_see_real_imports(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text("import discord.ext\nfrom slack_bolt.app import App\nfrom . import bot\n")
    assert _imported_roots(sample) == {"discord", "slack_bolt"}
