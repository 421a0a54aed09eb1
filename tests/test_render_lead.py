"""A story's thread does not say its lead twice when the lead is also the first key fact."""

from __future__ import annotations

from bot.render import discord_payloads, plain, slack_payloads
from bot.render.views import StoryCard

FACT = "The council voted 9-2 on Tuesday to approve a $480 million harbour bridge."


def card(lead: str) -> StoryCard:
    return StoryCard(
        story_id="1",
        title="Bridge approved",
        url=None,
        key_facts=(FACT, "Work starts in March."),
        lead=lead,
    )


def test_lead_equal_to_first_fact_is_not_repeated() -> None:
    c = card(FACT)
    assert c.thread_lead == ""
    assert plain.thread_opening(c).count("approve a $480 million") == 1
    assert str(discord_payloads.thread_opening(c)).count("approve a $480 million") == 1
    assert str(slack_payloads.thread_opening(c)).count("approve a $480 million") == 1


def test_shortened_lead_is_not_repeated() -> None:
    assert card("The council voted 9-2 on Tuesday to approve a $480 million…").thread_lead == ""


def test_a_different_lead_is_kept() -> None:
    lead = "Riverton will get its first new bridge in sixty years."
    assert card(lead).thread_lead == lead
    assert lead in plain.thread_opening(card(lead))
