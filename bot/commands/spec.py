"""The one table of slash commands. Adapters register from it (Discord app_commands groups,
Slack slash commands `/news`, `/feeds`, `/digest`), the router checks permissions and options
against it, and the help text is generated from it.

Reply visibility (the convention we follow): every moderator command answers ephemerally
(configuration is nobody else's business, and errors should not clutter the channel);
member lookups (`latest`, `search`, `quotes`, `help`) answer ephemerally too, since they
are one person's question; `/news story` and `/news summarize` answer in the channel, as
sharing a story or an article's summary with the conversation is why people run them.

Option types: "string", "integer", "channel" (Discord: a channel picker; Slack and CLI: a
`#name` or `<#C123|name>` mention), "role" (Discord: a role picker; Slack: a user group
mention `<!subteam^S123|@team>`), "url" and "file" (Discord: an attached file; Slack: the
address of the file, fetched through the guarded fetcher; console: a local path or an
address). `rest` marks the option that takes the rest of
a text command's words (`/news search ferry strike` → words="ferry strike").
"""

from __future__ import annotations

from dataclasses import dataclass

OPTION_TYPES = ("string", "integer", "channel", "url", "role", "file")
MAX_OPTION_CHARS = 500
MAX_URL_CHARS = 2048
MAX_DIGEST_SIZE = 20


@dataclass(frozen=True, slots=True)
class Option:
    name: str
    description: str
    type: str = "string"
    required: bool = False
    autocomplete: bool = False
    rest: bool = False
    keep_quotes: bool = False
    min_value: int | None = None
    max_value: int | None = None


@dataclass(frozen=True, slots=True)
class CommandSpec:
    group: str
    name: str
    description: str
    options: tuple[Option, ...] = ()
    moderator_only: bool = False
    ephemeral: bool = True

    @property
    def usage(self) -> str:
        parts = [f"/{self.group} {self.name}"]
        for opt in self.options:
            parts.append(f"<{opt.name}>" if opt.required else f"[{opt.name}]")
        return " ".join(parts)

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if o.name == name), None)


_FEED = Option(
    "feed", "The feed's id (see /feeds list) or its address", required=True, autocomplete=True
)
_CHANNEL = Option("channel", "The channel (default: this one)", type="channel")

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "news",
        "latest",
        "The newest stories, optionally about a topic",
        (Option("topic", "Words the stories should be about", rest=True),),
    ),
    CommandSpec(
        "news",
        "search",
        "Search stories; links to their threads",
        (
            Option(
                "words", 'Words, "a phrase", -not, pre*', required=True, rest=True, keep_quotes=True
            ),
        ),
    ),
    CommandSpec(
        "news",
        "quotes",
        "What a person has been quoted saying, newest article first",
        (Option("person", "The person's name", required=True, rest=True),),
    ),
    CommandSpec(
        "news",
        "summarize",
        "Summarize any article: key facts and quotes",
        (Option("url", "The article's address", type="url", required=True),),
        ephemeral=False,
    ),
    CommandSpec(
        "news",
        "story",
        "Show one story by its number",
        (Option("id", "The story's number", type="integer", required=True, min_value=1),),
        ephemeral=False,
    ),
    CommandSpec(
        "news",
        "follow",
        "Be mentioned in a story's thread when a story here matches your words",
        (Option("words", "Words or phrases, comma-separated", required=True, rest=True),),
    ),
    CommandSpec(
        "news",
        "unfollow",
        "Stop following words in this channel",
        (Option("words", "Words or phrases, comma-separated", required=True, rest=True),),
    ),
    CommandSpec("news", "following", "The words you follow, by channel"),
    CommandSpec("news", "help", "What the bot's commands do"),
    CommandSpec(
        "feeds",
        "add",
        "Follow a feed in a channel (checks it and shows a preview)",
        (
            Option("url", "The feed's address (RSS, Atom or JSON Feed)", type="url", required=True),
            _CHANNEL,
            Option("include", "Only stories with one of these words (comma-separated)"),
            Option("exclude", "Never stories with these words (comma-separated)"),
        ),
        moderator_only=True,
    ),
    CommandSpec(
        "feeds",
        "list",
        "This server's feeds: state, last success, last error, filters",
        moderator_only=True,
    ),
    CommandSpec("feeds", "remove", "Stop following a feed", (_FEED, _CHANNEL), moderator_only=True),
    CommandSpec("feeds", "pause", "Pause a feed's stories", (_FEED, _CHANNEL), moderator_only=True),
    CommandSpec(
        "feeds",
        "ping",
        "Mention a role (Slack: a user group) in the thread of each story from a feed",
        (
            _FEED,
            Option("role", "The role to mention; leave out to mention nobody", type="role"),
            _CHANNEL,
        ),
        moderator_only=True,
    ),
    CommandSpec(
        "feeds",
        "import",
        "Follow every feed of an OPML file (one line per feed: added, already followed, refused)",
        (
            Option(
                "file",
                "The .opml file (Slack: its https address, or nothing for an upload form)",
                type="file",
                required=True,
            ),
            Option("channel", "The channel that follows them (default: this one)", type="channel"),
        ),
        moderator_only=True,
    ),
    CommandSpec(
        "feeds",
        "export",
        "This server's feeds as an OPML file, one folder per channel (Slack: in your DMs)",
        moderator_only=True,
    ),
    CommandSpec(
        "feeds",
        "health-channel",
        "Where notices about failing feeds go (default: each feed's own channel)",
        (
            Option(
                "channel",
                "The channel for the notices (the feeds' own channel: back to the default)",
                type="channel",
                required=True,
            ),
            Option(
                "of",
                "Only for the feeds of this channel (default: every channel here with feeds)",
                type="channel",
            ),
        ),
        moderator_only=True,
    ),
    CommandSpec(
        "feeds",
        "resume",
        "Resume a paused (or disabled) feed",
        (_FEED, _CHANNEL),
        moderator_only=True,
    ),
    CommandSpec(
        "digest",
        "schedule",
        "When this channel gets digests",
        (
            Option("spec", "'live', 'every 6h' or 'at 08:00, 18:00'", required=True, rest=True),
            Option("timezone", "IANA time zone for 'at' times, e.g. Europe/Paris"),
            Option(
                "max_stories",
                f"Stories per digest (1-{MAX_DIGEST_SIZE})",
                type="integer",
                min_value=1,
                max_value=MAX_DIGEST_SIZE,
            ),
            _CHANNEL,
        ),
        moderator_only=True,
    ),
    CommandSpec(
        "digest", "now", "Post a digest of what is new, now", (_CHANNEL,), moderator_only=True
    ),
    CommandSpec(
        "digest",
        "layout",
        "Full story cards, or compact: one line per story (threads either way)",
        (Option("style", "'full' or 'compact'", required=True), _CHANNEL),
        moderator_only=True,
    ),
    CommandSpec(
        "digest",
        "size",
        f"How many stories a digest holds at most (1-{MAX_DIGEST_SIZE})",
        (
            Option(
                "stories",
                f"Stories per digest (1-{MAX_DIGEST_SIZE})",
                type="integer",
                required=True,
                min_value=1,
                max_value=MAX_DIGEST_SIZE,
            ),
            _CHANNEL,
        ),
        moderator_only=True,
    ),
)

GROUPS: dict[str, str] = {
    "news": "Look up stories, quotes and summaries",
    "feeds": "Manage this server's feeds (moderators)",
    "digest": "Digest schedule, layout and size (moderators)",
}

_BY_NAME = {(c.group, c.name): c for c in COMMANDS}


def find(group: str, name: str) -> CommandSpec | None:
    return _BY_NAME.get((group, name))


def commands_of(group: str) -> tuple[CommandSpec, ...]:
    return tuple(c for c in COMMANDS if c.group == group)


def help_text(*, moderator: bool, group: str | None = None) -> str:
    """One line per command the caller may use (moderator commands only for moderators)."""
    lines = []
    for spec in COMMANDS:
        if group is not None and spec.group != group:
            continue
        if spec.moderator_only and not moderator:
            continue
        lines.append(f"{spec.usage} — {spec.description}")
    if not moderator:
        lines.append("Moderators also have /feeds and /digest.")
    return "\n".join(lines)
