"""Text arguments for Slack slash commands and the CLI, read against the command table.

    parse_text("feeds add https://x.example/feed.xml #news include: climate, rail")
    → ParsedCommand("feeds", "add", {"url": "https://x.example/feed.xml", "channel": "#news",
                                     "include": "climate, rail"})

Words are split on white space; "double quotes" (straight or curly) keep words together and
are never read as option names; an unclosed quote runs to the end. `name: value` (or
`name=value`) sets an option by name when `name` is one of the command's options, and the
value runs to the next such name. A word that is a channel mention (`#news`, `<#C123|news>`)
fills the command's channel option, and one that is a user group or role mention
(`<!subteam^S123|@team>`, `<@&123>`) its role option. The other words fill the required
options in table order, and the option marked `rest` takes all that remain; other optional
options must be named. Control and format characters are dropped, and input longer than
MAX_TEXT is refused.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from bot.commands.context import CommandError
from bot.commands.spec import GROUPS, CommandSpec, Option, find

MAX_TEXT = 2000
MAX_WORDS = 200

_QUOTES = {'"': '"', "“": '”"', "„": '“”"'}
_KEYED = re.compile(r"^([A-Za-z][\w-]{0,30})[:=](.*)$", re.S)
_CHANNEL_MENTION = re.compile(r"^(?:<#[A-Za-z0-9]+(?:\|[^>]*)?>|#[\w.-]{1,80})$")
_ROLE_MENTION = re.compile(r"^(?:<!subteam\^[A-Z0-9]+(?:\|[^>]*)?>|<@&[0-9]+>)$")


@dataclass(frozen=True, slots=True)
class ParsedCommand:
    group: str
    name: str
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Word:
    text: str
    quoted: bool


def clean_text(text: str) -> str:
    """`text` without control or format characters (white space kept as spaces)."""
    out = []
    for ch in text:
        if ch in "\t\n\r\v\f":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            out.append(ch)
    return "".join(out)


def split_words(text: str) -> list[_Word]:
    words: list[_Word] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in _QUOTES:
            ends = [e for c in _QUOTES[ch] if (e := text.find(c, i + 1)) != -1]
            end = min(ends, default=n)
            words.append(_Word(text[i + 1 : end], quoted=True))
            i = end + 1
            continue
        start = i
        while i < n and not text[i].isspace():
            i += 1
        words.append(_Word(text[start:i], quoted=False))
        if len(words) > MAX_WORDS:
            raise CommandError(f"too many words (at most {MAX_WORDS})")
    return words


def _canonical(name: str) -> str:
    return name.casefold().replace("-", "_")


def parse_text(text: str, *, group: str | None = None) -> ParsedCommand:
    """Read `[group] name [arguments…]`; `group` is given when the platform already knows it
    (Slack's `/feeds` command). Raises CommandError with a one-line hint."""
    if len(text) > MAX_TEXT:
        raise CommandError(f"that command is too long (at most {MAX_TEXT} characters)")
    words = split_words(clean_text(text))
    if group is None:
        if not words:
            raise CommandError("which command? try: news help")
        group = words.pop(0).text.casefold().lstrip("/")
    if group not in GROUPS:
        raise CommandError(f"unknown command group {group[:40]!r}; try: news help")
    if not words or words[0].text.casefold() == "help":
        return ParsedCommand(group, "help")
    name = words.pop(0).text.casefold()
    spec = find(group, name)
    if spec is None:
        raise CommandError(f"unknown command /{group} {name[:40]}; try /{group} help")
    return ParsedCommand(group, name, _options(spec, words))


def _options(spec: CommandSpec, words: list[_Word]) -> dict[str, str]:
    names = {_canonical(o.name): o.name for o in spec.options}
    keyed: dict[str, list[str]] = {}
    positional: list[_Word] = []
    current: str | None = None
    has_channel = spec.option("channel") is not None
    has_role = spec.option("role") is not None
    for word in words:
        match = None if word.quoted else _KEYED.match(word.text)
        if match and _canonical(match.group(1)) in names:
            current = names[_canonical(match.group(1))]
            if current in keyed:
                raise CommandError(f"{current} is given twice")
            keyed[current] = [match.group(2)] if match.group(2) else []
            continue
        is_channel = not word.quoted and _CHANNEL_MENTION.match(word.text)
        is_role = not word.quoted and _ROLE_MENTION.match(word.text)
        if is_channel and has_channel and "channel" not in keyed:
            keyed["channel"] = [word.text]
            current = None
        elif is_role and has_role and "role" not in keyed:
            keyed["role"] = [word.text]
            current = None
        elif current is not None:
            keyed[current].append(_spelled(word, spec.option(current)))
        else:
            positional.append(word)
    options = {k: " ".join(v).strip() for k, v in keyed.items()}
    free = [o for o in spec.options if o.name not in options and (o.required or o.rest)]
    rest = next((o for o in free if o.rest), None)
    for opt in free:
        if not positional:
            break
        if opt is rest:
            options[opt.name] = " ".join(_spelled(w, opt) for w in positional)
            positional = []
            break
        if rest is not None and free.index(rest) < free.index(opt):
            break
        options[opt.name] = positional.pop(0).text
    if positional:
        extra = " ".join(w.text for w in positional)
        raise CommandError(f"unexpected words: {extra[:80]}; usage: {spec.usage}")
    return {k: v for k, v in options.items() if v}


def _spelled(word: _Word, option: Option | None) -> str:
    """The word as the option's value: a quoted phrase keeps its quotes where the option
    reads them (search words)."""
    if word.quoted and option is not None and option.keep_quotes:
        return '"' + word.text.replace('"', "") + '"'
    return word.text
