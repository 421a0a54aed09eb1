"""The Slack adapter delivering digests through the real slack_sdk client to the emulator."""

from __future__ import annotations

import pytest

from bot.digests.views import Notice
from bot.platforms.base import KEY_EVENT_TYPE, DeliveryError, Platform
from bot.platforms.slack import SlackPlatform, web_client
from bot.render import DigestView, SourceLink, StoryCard, ThreadUpdate
from tests.emulators.slack_emulator import SlackEmulator
from tests.render_samples import EMPTY, HOSTILE, LONG

STORY = StoryCard(
    story_id="42",
    title="Harbour ferry returns",
    url="https://news.example.org/ferry",
    sources=(SourceLink("Example News", "https://news.example.org/ferry"),),
    key_facts=("The ferry sails again on Monday.",),
    lead="The harbour ferry returns after repairs.",
)
UPDATE = ThreadUpdate(
    "42", SourceLink("Example Tribune", "https://tribune.example.com/f"), ("Fares stay.",)
)


def _platform(emu: SlackEmulator, **kwargs: object) -> SlackPlatform:
    client = web_client(token=kwargs.pop("token", emu.bot_token), base_url=emu.api_url)  # type: ignore[arg-type]
    return SlackPlatform(client, min_interval=0, **kwargs)  # type: ignore[arg-type]


async def test_digest_with_a_thread_per_story_and_an_update(slack_emulator: SlackEmulator) -> None:
    emu = slack_emulator
    platform = _platform(emu)
    assert isinstance(platform, Platform)
    header = await platform.post_digest_header(
        channel_id="C1", digest=DigestView("Morning digest", (STORY,)), key="h1"
    )
    story = await platform.post_story(channel_id="C1", story=STORY, key="s1")
    opened = await platform.open_thread(
        channel_id="C1", message_id=story.message_id, story=STORY, key="t1"
    )
    update = await platform.reply(
        channel_id="C1", thread_id=story.thread_id or "", update=UPDATE, key="u1"
    )
    top = emu.channels["C1"]
    assert [m["ts"] for m in top] == [header.message_id, story.message_id]
    assert story.thread_id == story.message_id == opened.thread_id == update.thread_id
    replies = top[1]["replies"]
    assert [m["ts"] for m in replies] == [opened.message_id, update.message_id]
    assert replies[0]["text"] == "Summary: Harbour ferry returns"
    assert replies[1]["text"] == "New from Example Tribune: Fares stay."
    keys = [m["metadata"]["event_payload"]["key"] for m in [*top, *replies]]
    assert keys == ["h1", "s1", "t1", "u1"]
    assert {m["metadata"]["event_type"] for m in top} == {KEY_EVENT_TYPE}
    sent = emu.calls_of("chat.postMessage")[1].args
    assert sent["unfurl_links"] is False and sent["channel"] == "C1"


async def test_post_accepted_before_a_crash_is_found_again_not_reposted(
    slack_emulator: SlackEmulator,
) -> None:
    emu = slack_emulator
    first = await _platform(emu).post_story(channel_id="C1", story=STORY, key="s-crash")
    await _platform(emu).post_story(channel_id="C1", story=STORY, key="other")
    restarted = _platform(emu)
    again = await restarted.post_story(channel_id="C1", story=STORY, key="s-crash")
    assert again.already_posted and again.message_id == first.message_id
    thread = await restarted.open_thread(
        channel_id="C1", message_id=first.message_id, story=STORY, key="t-crash"
    )
    thread_again = await _platform(emu).open_thread(
        channel_id="C1", message_id=first.message_id, story=STORY, key="t-crash"
    )
    assert thread_again.message_id == thread.message_id and thread_again.already_posted
    assert len(emu.calls_of("chat.postMessage")) == 3
    assert len(emu.channels["C1"][0]["replies"]) == 1


async def test_history_beyond_the_look_up_window_is_not_searched(
    slack_emulator: SlackEmulator,
) -> None:
    emu = slack_emulator
    platform = _platform(emu, history_limit=2)
    await platform.post_story(channel_id="C1", story=STORY, key="old")
    for i in range(2):
        await platform.post_story(channel_id="C1", story=STORY, key=f"newer-{i}")
    assert await platform.find_posted(channel_id="C1", key="newer-0") is not None
    assert await platform.find_posted(channel_id="C1", key="old") is None


async def test_rate_limited_post_is_delivered(slack_emulator: SlackEmulator) -> None:
    emu = slack_emulator
    emu.rate_limit("chat.postMessage", times=1, retry_after=0)
    posted = await _platform(emu).post_story(channel_id="C1", story=STORY, key="s-429")
    assert len(emu.calls_of("chat.postMessage")) == 2
    assert emu.channels["C1"][0]["ts"] == posted.message_id


async def test_posts_to_one_channel_are_paced(slack_emulator: SlackEmulator) -> None:
    emu = slack_emulator
    now = [100.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    client = web_client(token=emu.bot_token, base_url=emu.api_url)
    platform = SlackPlatform(client, min_interval=1.0, clock=lambda: now[0], sleep=sleep)
    for i in range(3):
        await platform.post_story(channel_id="C1", story=STORY, key=f"p{i}")
        now[0] += 0.25
    await platform.post_story(channel_id="C2", story=STORY, key="elsewhere")
    assert slept == [0.75, 0.75]


async def test_hostile_headline_pings_no_one(slack_emulator: SlackEmulator) -> None:
    emu = slack_emulator
    await _platform(emu).post_story(channel_id="C1", story=HOSTILE, key="evil")
    sent = emu.calls_of("chat.postMessage")[0].args
    texts = [sent["text"], *(b["text"]["text"] for b in sent["blocks"] if b["type"] == "section")]
    assert all("<!channel>" not in t and "<!here>" not in t and "<@U" not in t for t in texts)
    assert "&lt;!channel&gt;" in sent["text"]


async def test_refused_token_is_a_permanent_failure(slack_emulator: SlackEmulator) -> None:
    with pytest.raises(DeliveryError) as failed:
        await _platform(slack_emulator, token="xoxb-wrong").post_story(
            channel_id="C1", story=STORY, key="k"
        )
    assert not failed.value.retryable and "invalid_auth" in failed.value.reason


@pytest.mark.parametrize("card", [LONG, HOSTILE, EMPTY], ids=["long", "hostile", "empty"])
async def test_long_hostile_and_empty_stories_are_accepted_within_limits(
    slack_emulator: SlackEmulator, card: StoryCard
) -> None:
    emu = slack_emulator
    platform = _platform(emu)
    story = await platform.post_story(channel_id="C1", story=card, key="a")
    await platform.open_thread(channel_id="C1", message_id=story.message_id, story=card, key="b")
    assert len(emu.channels["C1"][0]["replies"]) == 1


async def test_notice_is_posted_once_per_key(slack_emulator: SlackEmulator) -> None:
    emu = slack_emulator
    platform = _platform(emu)
    notice = Notice(
        "Feed <!channel> is failing", ("Timed out after 20 s",), "https://f.example/rss"
    )
    first = await platform.post_notice(channel_id="C1", notice=notice, key="n1")
    again = await _platform(emu).post_notice(channel_id="C1", notice=notice, key="n1")
    other = await platform.post_notice(channel_id="C1", notice=notice, key="n2")
    assert again.already_posted and again.message_id == first.message_id
    assert other.message_id != first.message_id
    sent = emu.calls_of("chat.postMessage")[0].args
    assert sent["text"] == "Notice: Feed &lt;!channel&gt; is failing"
    assert len(emu.calls_of("chat.postMessage")) == 2
