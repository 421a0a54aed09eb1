"""Stories written for the render tests: long, empty and hostile (all invented here)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.render import DigestView, QuoteLine, SourceLink, StoryCard, ThreadUpdate

PUBLISHED = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)

EMPTY = StoryCard(story_id="0", title="", url=None)

LONG = StoryCard(
    story_id="1042",
    title="Harbour council approves " + "a very long and winding " * 20 + "ferry timetable",
    url="https://news.example.org/harbour/ferry-timetable?id=7&utm_source=feed",
    sources=tuple(
        SourceLink(f"Example Gazette {i}", f"https://gazette{i}.example.net/ferries/{i:03d}")
        for i in range(120)
    ),
    published=PUBLISHED,
    key_facts=tuple(
        f"Fact {i}: the council voted on clause {i} of the ferry plan after "
        + "lengthy debate about timetables and fares " * 12
        for i in range(30)
    ),
    quotes=tuple(
        QuoteLine(
            f"Clause {i} " + "will change how the harbour moves every morning " * 8,
            f"Councillor Number {i}",
        )
        for i in range(40)
    ),
    lead="The council approved the timetable. " * 120,
)

HOSTILE = StoryCard(
    story_id="666",
    title="@everyone @here <!channel> <!here> <@U024BE7LH> <@123456789> <@&42> <#99> "
    "[click me](https://evil.example/) **bold** `code` ~strike~ _it_ | spoiler ||x||",
    url="javascript:alert(1)",
    sources=(
        SourceLink("Evil <b>&amp; Co</b> @everyone", "https://evil.example/a?x=1&y=<2>|z"),
        SourceLink("[Fake](https://phish.example/)", "ftp://files.example/"),
    ),
    published=PUBLISHED,
    key_facts=(
        "# Heading try\n- list try\n> quote try",
        "Call <https://evil.example|trusted link> now & <!subteam^S123> \x1b[31mred\x1b[0m",
    ),
    quotes=(QuoteLine("Ping <@U999> and @here", "<!everyone>"),),
    lead="@everyone read <t:0:R> and </news:1> \\*escaped\\*",
    from_feed_only=True,
    thread_url="https://discord.example/channels/1/2/3",
)

UPDATE = ThreadUpdate(
    story_id="1042",
    source=SourceLink("Example Tribune", "https://tribune.example.com/ferries"),
    key_facts=("The first new ferry sails in May.", "Fares stay the same for a year."),
    quotes=(QuoteLine("We listened to the commuters", "Mayor Jo Lind"),),
)

HOSTILE_UPDATE = ThreadUpdate(
    story_id="666",
    source=SourceLink("@everyone <!channel>", "https://evil.example/?a=1|b"),
    key_facts=("<@U1> [x](https://evil.example) @here",),
    quotes=(QuoteLine("<!here>", None),),
)

STORIES = {"empty": EMPTY, "long": LONG, "hostile": HOSTILE}
UPDATES = {"empty": ThreadUpdate("0", SourceLink("")), "long": UPDATE, "hostile": HOSTILE_UPDATE}


def digest_of(card: StoryCard) -> DigestView:
    return DigestView(title="Morning digest", stories=(card,))
