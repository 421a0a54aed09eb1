"""An HTML page that shows rendered payloads roughly as Discord and Slack display them.

For the README's screenshots and for moderators previewing a feed: it takes the same dicts
the adapters send (Discord create-message bodies, Slack `chat.postMessage` arguments) and
draws embeds and blocks. All feed text is HTML-escaped; only our own markup (bold, italics,
links to http(s) addresses, quote lines) becomes tags.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

_DISCORD_TOKEN = re.compile(
    r"\\(?P<esc>.)|\[(?P<label>(?:\\.|[^\]\\])*)\]\((?P<url>https?://[^)\s]+)\)|(?P<bold>\*\*)"
    r"|(?P<it>(?<![\w\\])_|_(?!\w))|(?P<nl>\n)"
)
_SLACK_TOKEN = re.compile(
    r"<(?P<url>https?://[^|>]+)\|(?P<label>[^>]*)>|<!date\^\d+\^[^|>]*\|(?P<date>[^>]*)>"
    r"|(?P<bold>(?<![\w])\*|\*(?![\w]))|(?P<it>(?<![\w])_|_(?![\w]))|(?P<nl>\n)"
)

_CSS = """
body{font:15px/1.4 system-ui,sans-serif;margin:0;display:flex;gap:24px;padding:24px;
background:#f4f4f5}
section{flex:1;border-radius:8px;padding:16px;min-width:0}
.discord{background:#313338;color:#dbdee1}.slack{background:#fff;color:#1d1c1d}
h2{font-size:13px;text-transform:uppercase;letter-spacing:.06em;opacity:.7;margin:0 0 12px}
.msg{margin:0 0 16px}.bot{font-weight:600}.discord .bot{color:#f2f3f5}
.discord a{color:#00a8fc}.slack a{color:#1264a3}
.embed{border-left:4px solid #2b6cb0;background:#2b2d31;border-radius:4px;padding:8px 12px;
margin:6px 0;max-width:520px}
.etitle{font-weight:600;margin-bottom:4px}.field{margin-top:8px}.fname{font-weight:600}
.footer{font-size:12px;opacity:.7;margin-top:8px}.content h2{text-transform:none;
font-size:18px;letter-spacing:0;opacity:1;margin:4px 0}
.header{font-size:18px;font-weight:700;margin:4px 0}.context{font-size:12px;color:#616061}
.block{margin:4px 0}blockquote{border-left:3px solid #ddd;margin:2px 0;padding-left:8px}
.thread{margin-left:28px;border-left:2px solid rgba(128,128,128,.4);padding-left:12px}
"""


def _discord_md(text: str) -> str:
    out: list[str] = []
    pos = 0
    bold = italic = False
    for m in _DISCORD_TOKEN.finditer(text):
        out.append(html.escape(text[pos : m.start()]))
        pos = m.end()
        if m.group("esc") is not None:
            out.append(html.escape(m.group("esc")))
        elif m.group("url") is not None:
            label = re.sub(r"\\(.)", r"\1", m.group("label"))
            url = html.escape(m.group("url"), quote=True)
            out.append(f'<a href="{url}">{html.escape(label)}</a>')
        elif m.group("bold"):
            out.append("</b>" if bold else "<b>")
            bold = not bold
        elif m.group("it"):
            out.append("</i>" if italic else "<i>")
            italic = not italic
        else:
            out.append("<br>")
    out.append(html.escape(text[pos:]))
    out.extend(["</i>"] if italic else [])
    out.extend(["</b>"] if bold else [])
    text_html = "".join(out)
    if text_html.startswith("## "):
        return f"<h2>{text_html[3:]}</h2>"
    return text_html


def _slack_unescape(text: str) -> str:
    return html.escape(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


def _slack_md(text: str) -> str:
    out: list[str] = []
    for i, line in enumerate(text.split("\n")):
        if line.startswith("> "):
            out.append(f"<blockquote>{_slack_line(line[2:])}</blockquote>")
        else:
            out.append(
                ("<br>" if i and not out[-1].endswith("</blockquote>") else "") + _slack_line(line)
            )
    return "".join(out)


def _slack_line(text: str) -> str:
    out: list[str] = []
    pos = 0
    bold = italic = False
    for m in _SLACK_TOKEN.finditer(text):
        out.append(_slack_unescape(text[pos : m.start()]))
        pos = m.end()
        if m.group("url") is not None:
            url = html.escape(m.group("url").replace("&amp;", "&"), quote=True)
            out.append(f'<a href="{url}">{_slack_unescape(m.group("label"))}</a>')
        elif m.group("date") is not None:
            out.append(_slack_unescape(m.group("date")))
        elif m.group("bold"):
            out.append("</b>" if bold else "<b>")
            bold = not bold
        elif m.group("it"):
            out.append("</i>" if italic else "<i>")
            italic = not italic
    out.append(_slack_unescape(text[pos:]))
    out.extend(["</i>"] if italic else [])
    out.extend(["</b>"] if bold else [])
    return "".join(out)


def discord_message_html(payload: dict[str, Any]) -> str:
    parts = ['<div class="msg"><div class="bot">newsdigest</div>']
    if content := payload.get("content"):
        parts.append(f'<div class="content">{_discord_md(content)}</div>')
    for embed in payload.get("embeds", []):
        colour = f"#{int(embed.get('color', 0x2B6CB0)):06x}"
        parts.append(f'<div class="embed" style="border-left-color:{colour}">')
        title = _discord_md(embed.get("title", ""))
        if url := embed.get("url"):
            title = f'<a href="{html.escape(url, quote=True)}">{title}</a>'
        parts.append(f'<div class="etitle">{title}</div>')
        if desc := embed.get("description"):
            parts.append(f"<div>{_discord_md(desc)}</div>")
        for field in embed.get("fields", []):
            parts.append(
                f'<div class="field"><div class="fname">{_discord_md(field["name"])}</div>'
                f"<div>{_discord_md(field['value'])}</div></div>"
            )
        if footer := embed.get("footer", {}).get("text"):
            parts.append(f'<div class="footer">{html.escape(footer)}</div>')
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


def slack_message_html(args: dict[str, Any]) -> str:
    parts = ['<div class="msg"><div class="bot">newsdigest</div>']
    for block in args.get("blocks", []):
        kind = block.get("type")
        if kind == "header":
            parts.append(f'<div class="header">{html.escape(block["text"]["text"])}</div>')
        elif kind == "section":
            parts.append(f'<div class="block">{_slack_md(block["text"]["text"])}</div>')
        elif kind == "context":
            texts = " ".join(_slack_md(e.get("text", "")) for e in block.get("elements", []))
            parts.append(f'<div class="context">{texts}</div>')
    parts.append("</div>")
    return "".join(parts)


def html_page(
    *,
    discord: Iterable[tuple[dict[str, Any], bool]] = (),
    slack: Iterable[tuple[dict[str, Any], bool]] = (),
    title: str = "newsdigest preview",
) -> str:
    """A whole page: Discord messages on the left, Slack on the right. Each item is
    (payload, in_thread); thread messages are indented under the message before them."""

    def column(items: Iterable[tuple[dict[str, Any], bool]], draw: Any) -> str:
        return "".join(
            f'<div class="thread">{draw(p)}</div>' if in_thread else draw(p)
            for p, in_thread in items
        )

    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_CSS}</style></head><body>"
        f'<section class="discord"><h2>Discord</h2>{column(discord, discord_message_html)}'
        f"</section>"
        f'<section class="slack"><h2>Slack</h2>{column(slack, slack_message_html)}</section>'
        "</body></html>"
    )
