"""`.env.example` lists every setting the bot reads (and nothing it does not)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import Settings

ENV_EXAMPLE = Path(__file__).parent.parent / ".env.example"


def test_every_setting_is_in_env_example_and_every_listed_one_exists() -> None:
    listed = set(re.findall(r"^#? ?NEWSDIGEST_([A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.M))
    read = {name.upper() for name in Settings.model_fields}
    assert read - listed == set(), "settings missing from .env.example"
    assert listed - read == set(), ".env.example lists settings nobody reads"
