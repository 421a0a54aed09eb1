"""`/feeds ping` on the console: what a role may be called, and the one line when it is not."""

from __future__ import annotations

import pytest

from bot.commands.context import CommandError
from bot.commands.follows import role_of
from bot.platforms.console import CONSOLE_MODERATOR as CONSOLE


@pytest.mark.parametrize(
    ("raw", "role"), [("ferry-team", "ferry-team"), ("@ops.night", "ops.night")]
)
def test_a_plain_name_is_the_role(raw: str, role: str) -> None:
    assert role_of(CONSOLE, raw) == role


@pytest.mark.parametrize("raw", ["<@&123>", "ferry team", "#news"])
def test_anything_else_says_what_a_name_may_hold(raw: str) -> None:
    with pytest.raises(CommandError) as info:
        role_of(CONSOLE, raw)
    assert "letters, digits" in str(info.value) and "e.g. ferry-team" in str(info.value)
