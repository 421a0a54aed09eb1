"""Text arguments (Slack slash-command text, the CLI) read against the command table."""

from __future__ import annotations

import pytest

from bot.commands import CommandError, ParsedCommand, parse_text
from bot.commands.text import MAX_TEXT


@pytest.mark.parametrize(
    ("text", "group", "expected"),
    [
        (
            "add https://x.example/feed.xml #news include: climate, rail exclude: football",
            "feeds",
            ParsedCommand(
                "feeds",
                "add",
                {
                    "url": "https://x.example/feed.xml",
                    "channel": "#news",
                    "include": "climate, rail",
                    "exclude": "football",
                },
            ),
        ),
        (
            "feeds add <#C0123|news> https://x.example/f include=net zero",
            None,
            ParsedCommand(
                "feeds",
                "add",
                {"url": "https://x.example/f", "channel": "<#C0123|news>", "include": "net zero"},
            ),
        ),
        (
            "schedule at 08:00, 18:00 timezone: Europe/Paris max-stories: 5 #digest",
            "digest",
            ParsedCommand(
                "digest",
                "schedule",
                {
                    "spec": "at 08:00, 18:00",
                    "timezone": "Europe/Paris",
                    "max_stories": "5",
                    "channel": "#digest",
                },
            ),
        ),
        (
            'news search "ferry strike" -bus pre*',
            None,
            ParsedCommand("news", "search", {"words": '"ferry strike" -bus pre*'}),
        ),
        (
            "search “include: this” too",
            "news",
            ParsedCommand("news", "search", {"words": '"include: this" too'}),
        ),
        (
            "quotes \"Zoë O'Neill",
            "news",
            ParsedCommand("news", "quotes", {"person": "Zoë O'Neill"}),
        ),
        ("/news story 42", None, ParsedCommand("news", "story", {"id": "42"})),
        ("NEWS Latest", None, ParsedCommand("news", "latest", {})),
        ("", "feeds", ParsedCommand("feeds", "help")),
        ("news help me", None, ParsedCommand("news", "help")),
        (
            "remove 3 channel: #general",
            "feeds",
            ParsedCommand("feeds", "remove", {"feed": "3", "channel": "#general"}),
        ),
        (
            "search bidi\u202eevil\u200b zero\x00width\x07",
            "news",
            ParsedCommand("news", "search", {"words": "bidievil zerowidth"}),
        ),
        (
            "search a\tb\nc",
            "news",
            ParsedCommand("news", "search", {"words": "a b c"}),
        ),
    ],
)
def test_parse(text: str, group: str | None, expected: ParsedCommand) -> None:
    assert parse_text(text, group=group) == expected


@pytest.mark.parametrize(
    ("text", "group", "hint"),
    [
        ("bogus list", None, "unknown command group"),
        ("feeds explode", None, "unknown command /feeds explode"),
        ("story 1 2", "news", "unexpected words"),
        ("add https://a https://b", "feeds", "unexpected words"),
        ("add https://a include: x include: y", "feeds", "given twice"),
        ("x" * (MAX_TEXT + 1), "news", "too long"),
        ("search " + "w " * 500, "news", "too many words"),
        ("", None, "which command"),
    ],
)
def test_bad_text_is_one_line(text: str, group: str | None, hint: str) -> None:
    with pytest.raises(CommandError) as err:
        parse_text(text, group=group)
    assert hint in err.value.message
    assert "\n" not in err.value.message and len(err.value.message) <= 300


def test_unknown_option_names_are_words_not_options() -> None:
    parsed = parse_text("latest colour: red", group="news")
    assert parsed.options == {"topic": "colour: red"}


def test_hostile_text_never_raises_anything_but_command_error() -> None:
    samples = [
        '"' * 50,
        "“" * 30 + "”",
        "feeds add " + "<#" * 300,
        "news search " + "\\" * 1000,
        "digest schedule at: at: at:",
        "feeds add url: channel: include: exclude:",
        "news \ud800 story",
        "news story " + "9" * 1500,
        "\x00" * 1000,
    ]
    for text in samples:
        try:
            parsed = parse_text(text)
        except CommandError as exc:
            assert "\n" not in exc.message
        else:
            assert all(isinstance(v, str) for v in parsed.options.values())


def test_counts_take_the_number_they_need() -> None:
    from bot.plural import counted

    assert [counted(n, "item") for n in (0, 1, 2)] == ["0 items", "1 item", "2 items"]
    assert counted(1, "story") == "1 story" and counted(3, "story") == "3 stories"
    assert counted(2, "new entry") == "2 new entries" and counted(2, "day") == "2 days"
