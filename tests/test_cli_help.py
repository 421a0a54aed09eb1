"""`newsdigest --help` and `newsdigest news|digest|command --help` name every slash command."""

from __future__ import annotations

import argparse

import pytest

from bot.cli import build_parser, main
from bot.commands.spec import COMMANDS, GROUPS


def subparsers() -> argparse._SubParsersAction:  # type: ignore[type-arg]
    parser = build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return action


def subparser(name: str) -> argparse.ArgumentParser:
    return subparsers().choices[name]


@pytest.mark.parametrize("group", ["news", "digest"])
def test_the_overview_line_names_every_command_of_the_group(group: str) -> None:
    (line,) = [a.help for a in subparsers()._choices_actions if a.dest == group]
    named = {part.split()[0] for part in str(line).split(": ", 1)[1].split(" | ")}
    assert named == {s.name for s in COMMANDS if s.group == group}


@pytest.mark.parametrize("group", ["news", "digest", "command"])
def test_each_group_help_lists_its_commands_with_usage(group: str) -> None:
    text = subparser(group).format_help()
    wanted = [s for s in COMMANDS if group == "command" or s.group == group]
    for spec in wanted:
        assert f"{spec.usage} — {spec.description}" in text
    assert set(GROUPS) >= {s.group for s in wanted}


@pytest.mark.parametrize("limit", ["0", "-3", "many"])
def test_search_limit_must_be_a_positive_whole_number(
    limit: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["search", "bridge", "--limit", limit])
    assert exited.value.code == 2
    assert "argument --limit" in capsys.readouterr().err


def test_search_limit_is_documented_and_kept() -> None:
    assert build_parser().parse_args(["search", "x", "--limit", "3"]).limit == 3
    assert "at most N stories" in subparser("search").format_help()


def test_summarize_help_shows_the_summarizer_options_under_its_own_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["summarize", "--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: newsdigest summarize")
    assert "--facts N" in text and "--format" in text and "source" in text
