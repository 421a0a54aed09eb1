"""Snapshots of the rendered Discord, Slack and console payloads for long, empty and hostile
stories. A change in rendering shows up as a diff of tests/snapshots/render/*.json; regenerate
them on purpose with NEWSDIGEST_UPDATE_SNAPSHOTS=1."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from bot.render import discord_payloads, plain, slack_payloads
from tests.render_samples import STORIES, UPDATES, digest_of

SNAPSHOTS = Path(__file__).parent / "snapshots" / "render"
UPDATE = os.environ.get("NEWSDIGEST_UPDATE_SNAPSHOTS") == "1"


def _render(name: str) -> dict[str, Any]:
    card, update = STORIES[name], UPDATES[name]
    digest = digest_of(card)
    return {
        "discord": {
            "digest_header": discord_payloads.digest_header(digest),
            "story_message": discord_payloads.story_message(card),
            "forum_post": discord_payloads.forum_post(card),
            "start_thread": discord_payloads.start_thread(card),
            "thread_opening": discord_payloads.thread_opening(card),
            "thread_update": discord_payloads.thread_update(update),
        },
        "slack": {
            "digest_header": slack_payloads.digest_header(digest),
            "story_message": slack_payloads.story_message(card),
            "thread_opening": slack_payloads.thread_opening(card),
            "thread_update": slack_payloads.thread_update(update),
        },
        "console": {
            "digest": plain.digest(digest),
            "thread_opening": plain.thread_opening(card),
            "thread_update": plain.thread_update(update),
        },
    }


@pytest.mark.parametrize("name", sorted(STORIES))
def test_rendered_payloads_match_snapshot(name: str) -> None:
    rendered = json.loads(json.dumps(_render(name)))
    path = SNAPSHOTS / f"{name}.json"
    if UPDATE:
        path.write_text(json.dumps(rendered, indent=2, ensure_ascii=False) + "\n", "utf-8")
    assert path.exists(), f"no snapshot {path.name}: run with NEWSDIGEST_UPDATE_SNAPSHOTS=1"
    assert rendered == json.loads(path.read_text("utf-8"))
