"""Source (HTML or plain text) → title, byline, date and body paragraphs.

HTML goes through trafilatura (``fast=True``: about 5–15 ms a page); when it finds no
article (a fragment, a very short page) the text of the page's block elements is used instead.
Plain text is split into paragraphs on line breaks, with hard-wrapped lines joined again.
Both then pass through the same cleaning, so site chrome that survives extraction never becomes
a fact or a quote: section labels, bylines and timestamps, photo credits and captions, source
labels ending in a colon, "Advertisement", share/newsletter/membership prompts, related links,
cookie notices, copyright lines. A headline repeated at the top is the title, not a paragraph.

The furniture rules look at one line at a time and only at lines that are short or that match
a whole-line pattern, so an ordinary sentence ("Share prices fell 4% on Monday.") survives.

Nothing here raises on odd input: hostile or unreadable sources give no paragraphs (a source
where more than 30% of the lines are not words in any script is taken as unreadable).
"""

from __future__ import annotations

import datetime
import html
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.html
import trafilatura

MAX_SOURCE_CHARS = 3_000_000
_HEADLINE_REPEAT_WITHIN = 4

_HTML_HINT = re.compile(
    r"<\s*(?:!doctype\s+html|html|body|p|div|article|head|br|span|h[1-6]|section|main)\b", re.I
)
_HTML_CLOSE = re.compile(r"</\s*[a-z][a-z0-9]*\s*>|<br\s*/?>|<!doctype", re.I)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});", re.I)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
_SPACES = re.compile(r"[^\S\n]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")
_LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028]")
_BULLET = re.compile(r"^[-•*·▪►]\s+(?=\S)")
_WORDS = re.compile(r"[^\W_]+")
_HAS_WORD = re.compile(r"[^\W_]{2}")
_ANY_TAG = re.compile(r"<[a-zA-Z!?/][^<>]{0,500}>")
_WORD_TOKEN = re.compile(
    r"(?<!\S)[\"'“‘(\[«¿¡「『（【《]*(?:[^\W\d_][^\W_]{0,199}(?:['’./&-][^\W_]{1,40})*\.?|"
    r"[$£€¥#]?\d[\d.,:/%-]*[^\W\d_]{0,4})[\"'”’)\]»,.;:!?…%。，、！？：；」』）】》]*(?!\S)"
)
_UNSPACED_SCRIPT = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]"
)
_ASCII_SYMBOLS = re.compile(r"[<>^`|~{}\\=+*#@$\x00-\x1f\x7f]")
_SCRIPT_BLOCKS = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^<>]{0,2000}>")
_BLOCK_END = re.compile(r"</?(?:p|div|br|h[1-6]|li|tr|section|article|blockquote)\b[^<>]*>", re.I)
_TERMINAL = tuple('.!?:;"”’)…]')

_BLOCK_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "dt")
_CHROME_TAGS = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside")
_CHROME_TAGS += ("form", "figure", "figcaption", "iframe", "svg", "button", "select")


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that make up section labels and breadcrumbs ("News & Politics", "World › Europe").
_SECTION_WORDS = _word_set(
    """news politics world uk us u.s. national international local breaking latest top live
    business economy markets money finance personal property tech technology science health
    wellness climate environment education sport sports football soccer cricket rugby tennis
    golf basketball baseball nfl nba formula entertainment culture arts art books music film
    films movies tv television media celebrity style fashion food drink travel lifestyle life
    opinion opinions comment commentary editorial editorials analysis features feature
    investigations investigation explainer explainers fact check video videos audio podcast
    podcasts photos pictures gallery weather crime courts law justice elections election
    government europe asia africa americas australia middle east latin america canada china
    india obituaries obituary religion society home homepage more your region regions city
    state metro exclusive global briefing newsletter newsletters""".replace("&", " ")
)
_SECTION_SEPARATORS = re.compile(r"\s*(?:[&/|›»>•·,:–—-]|\band\b)\s*")
_BREADCRUMB = re.compile(r"\S\s*[›»>|/]\s*\S")

_AGENCIES = (
    r"AP|AFP|Reuters|REUTERS|Getty(?:\s+Images)?|EPA(?:-EFE)?|Shutterstock|Alamy|PA(?:\s+"
    r"(?:Wire|Media|Images))?|Bloomberg|Xinhua|ANP|dpa|DPA|SIPA|Sipa|NurPhoto|Anadolu|"
    r"Associated\s+Press|AAP|Press\s+Association|Kyodo|Yonhap|TASS|Sputnik|UPI|Zuma|ZUMA"
)
_TRAILING_CREDIT = re.compile(
    rf"""\((?:
        (?i:AP\s+)?(?i:photo|photograph|image|picture|credit|courtesy|handout|pool|file)\b[^()]*
        |[^()]*\bvia\s+[A-Z][^()]*
        |(?:{_AGENCIES})\b[^()]*
        |[^()]*/\s*(?:{_AGENCIES})\b[^()]*
    )\)\s*$""",
    re.X,
)
_CREDIT_LINE = re.compile(
    rf"""^(?:
        (?:{_AGENCIES})(?:\s+(?:Photo|Images|Pictures|Video))?\s*(?:/\s*[\w .'’-]+)?
        |[\w .'’-]{{2,60}}\s*/\s*(?:{_AGENCIES})(?:\s+via\s+[\w .'’-]+)?
        |[\w .'’-]{{2,60}}\s+(?:via|for)\s+(?:{_AGENCIES})
        |(?:{_AGENCIES})\s+(?:via|for)\s+[\w .'’-]{{2,60}}
    )\s*$""",
    re.X,
)
_CAPTION_PREFIX = re.compile(
    r"^(?:photo(?:graph)?s?|image|images|picture|pictures|pictured|illustration|graphic|"
    r"credit|credits|image\s+(?:source|caption|credit)|media\s+caption|caption|video|gallery|"
    r"(?:watch|listen)(?:\s+(?:live|now|again|more))?|live(?:\s+updates)?|file\s+photo|above|"
    r"top|main\s+image)\s*[:,–—-]\s*",
    re.I,
)
_CAPTION_BY = re.compile(
    r"^(?:(?:photo(?:graph)?|image|video)s?(?:\s+(?:illustration|montage|composite))?|"
    r"illustration|montage|composite)s?\s+by\s+(?:the\s+)?(?-i:[A-Z])",
    re.I,
)

# Whole-line prompts and chrome. Applied only to lines of at most _PROMPT_MAX_WORDS words that
# carry no verb of saying, so "Read more slowly, the judge told the clerk." survives.
_PROMPTS = re.compile(
    r"""^(?:
        (?:advertisements?|advert|ad)(?:\s*[-–—:|]\s*(?:scroll|continue|story|article|content)
            \b.{0,40})?|sponsored(?:\s+(?:content|post|by\b.{0,60}))?|promoted|
        paid\s+(?:content|post|partnership)|partner\s+content|
        skip\s+(?:to\s+(?:main\s+)?(?:content|navigation|article)|advertisement|ad|navigation)|
        (?:story|article|content)\s+continues\b.{0,60}|scroll\s+(?:down\s+)?to\s+continue.{0,40}|
        share|share\s+(?:this|on|via|to)\b.{0,40}|tweet|pin(?:\s+it)?|save|like|copy|
        (?:thank\s+you|thanks)\s+for\s+(?:subscribing|signing\s+up|registering|reading)\b.{0,60}|share\s+(?:article|story|page|post)|
        (?:copy|copied)\s+(?:the\s+)?link|link\s+copied|
        print(?:\s+this)?(?:\s+(?:article|page|story))?|email(?:\s+this)?(?:\s+(?:article|story))?|
        (?:facebook|twitter|x|whatsapp|linkedin|email|reddit|pinterest|messenger|bluesky|threads)
            (?:\s*[,|/·•]?\s*(?:facebook|twitter|x|whatsapp|linkedin|email|reddit|pinterest|
            messenger|bluesky|threads|print|copy\s+link))*|
        (?:view|show|hide|read|load|leave\s+a|post\s+a|add\s+a|join\s+the)\s+comments?
            (?:\s*\(\d+\))?|
        comments?(?:\s*\(\d+\))?|\d+\s+comments?|
        read\s+more|read\s+more\s*(?::|…|\.\.\.|›|»|>).{0,200}|continue\s+reading.{0,60}|
        read\s+(?:the\s+)?(?:full|next|previous)\s+(?:story|article|post).{0,60}|
        (?:also|further)\s+read\s*:.{0,200}|see\s+also\s*:.{0,200}|more\s+on\s+this\s+story|
        related(?:\s+(?:articles?|stories|content|coverage|topics|links|reading|video))?
            (?:\s*:.{0,200})?|
        recommended(?:\s+(?:for\s+you|stories|articles|reading))?|
        (?:most|more)\s+(?:read|popular|viewed|shared)|more\s+from\b[^.]{0,40}|
        trending(?:\s+now)?|top\s+stories|you\s+(?:may|might)\s+(?:also\s+)?like|
        editor['’]?s\s+picks?|up\s+next|read\s+next|what\s+to\s+read\s+next|
        (?:click|tap)\s+here\b.{0,80}|
        (?:sign\s+up|subscribe|log\s*in|sign\s+in|register)(?:\s+(?:now|here|today|free|
            for\s+free|to\b.{0,80}|for\b.{0,80}|with\b.{0,40}))?[.!:]?|
        (?:get|receive|enter)\b.{0,60}\b(?:newsletter|inbox|email\s+address)\b.{0,60}|
        .{0,60}\bnewsletters?\b.{0,60}\b(?:sign\s+up|subscribe|inbox|delivered)\b.{0,60}|
        join\s+the\s+conversation\b.{0,120}|become\s+a\s+(?:member|subscriber|supporter)\b.{0,80}|
        already\s+a\s+(?:member|subscriber)\b.{0,80}|
        support\s+(?:our|independent|local)\s+journalism\b.{0,80}|
        (?:start\s+(?:your|a)\s+)free\s+trial\b.{0,60}|
        unlock\s+(?:this|full|unlimited|all|the\s+full)\b.{0,80}|
        you\s+have\s+\w+\s+free\s+(?:articles?|stories)\b.{0,60}|
        this\s+(?:article|content|story)\s+is\s+(?:for|only\s+(?:available\s+)?(?:to|for))\s+
            (?:subscribers|members)\b.{0,60}|
        follow\s+(?:us|@\w+)\b.{0,80}|download\s+(?:the|our)\s+(?:\w+\s+)?app\b.{0,60}|
        listen\s+to\s+(?:this\s+)?(?:article|story)\b.{0,40}|\d+\s+min(?:ute)?s?\s+(?:read|listen)|
        play\s+video|watch\s+(?:the\s+)?video|video\s+duration\b.{0,20}|loading(?:\.\.\.|…)?|
        (?:please\s+)?enable\s+javascript\b.{0,80}|your\s+browser\s+does\s+not\s+support\b.{0,80}|
        report\s+an?\s+(?:error|typo|correction)\b.{0,40}|
        (?:topics|tags|filed\s+under|categories|keywords)\s*:.{0,200}|
        (?:©|\(c\)|copyright\s*(?:©|\(c\))?\s*\d{4}).{0,120}|.{0,120}\ball\s+rights\s+reserved\.?|
        (?:privacy\s+(?:policy|notice)|terms\s+(?:of\s+(?:use|service)|and\s+conditions)|
            contact\s+us|about\s+us|cookie\s+(?:policy|settings|preferences))(?:\s*[|·•].{0,120})?|
        (?:accept|reject|manage)\s+(?:all\s+)?(?:cookies|preferences|settings|consent).{0,60}|
        .{0,120}\bcontributed\s+(?:to\s+)?(?:this\s+)?report(?:ing)?\.?|
        this\s+(?:article|story)\s+(?:was|has\s+been)\s+(?:updated|amended|corrected|
            originally\s+published)\b.{0,160}|
        a\s+post\s+shared\s+by\b.{0,80}|pic\.twitter\.com/\S+|
        [—–-]\s*.{1,80}\(@\w+\)\s+.{0,40}\d{4}|
        (?:https?://|www\.)\S+
    )$""",
    re.I | re.X,
)
_PROMPT_MAX_WORDS = 40
_AGENCY_FOOTER = re.compile(
    r"^\(?(?:(?:Additional\s+)?[Rr]eporting|[Ee]diting|[Ww]riting|[Cc]ompiled|[Rr]esearch)\s+by\s+"
    r"[A-Z][^()]{0,200}\)?\.?$"
)
_COOKIE = re.compile(r"\bcookies?\b", re.I)
_COOKIE_CONTEXT = re.compile(
    r"\b(?:we|this\s+(?:site|website)|our\s+(?:site|website|partners))\s+uses?\b|"
    r"\b(?:accept|consent|preferences|settings|policy|browsing|experience)\b",
    re.I,
)

_BYLINE_START = re.compile(r"^(?:by|words\s+by|written\s+by|story\s+by)\s+(?P<rest>.+)$", re.I)
_NAME_PARTICLES = _word_set("de van von der den da dos du al el bin ibn la le di del and &")
_BYLINE_ROLES = _word_set(
    """and the of in for staff writer writers reporter reporters correspondent correspondents
    editor editors contributor columnist senior chief political business health science
    economics foreign diplomatic security technology sports sport education home affairs
    special"""
)
_TIMESTAMP_TOKENS = _word_set(
    """updated published posted modified edited last first created on at am pm a m p ago just
    now today yesterday hour hours hr hrs minute minutes min mins second seconds day days week
    weeks read listen et est edt ct cst cdt mt mst mdt pt pst pdt gmt bst utc cet cest aest aedt
    ist jst local time monday tuesday wednesday thursday friday saturday sunday mon tue tues
    wed thu thur thurs fri sat sun january february march april may june july august september
    october november december jan feb mar apr jun jul aug sep sept oct nov dec of st nd rd th"""
)
_TIMESTAMP_STRIP = re.compile(r"[\d:.,/|•·–—()\-]+")
_SAY_VERBS = re.compile(
    r"\b(?:said|says|say|told|tells|added|adds|wrote|writes|stated|states|explained|announced|"
    r"warned|asked|replied|according|declared|insisted|argued|noted|tweeted|posted|urged|"
    r"responded|continued|commented|recalled|admitted|claimed|confirmed|denied|reported)\b",
    re.I,
)
_LABEL_CONNECTORS = _word_set("of the and for on in at to a an & by from with")
_MONTH_ABBREVIATIONS = (
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
)
_MONTHS = {m: i for i, m in enumerate(_MONTH_ABBREVIATIONS, start=1)}
_MONTH_NAME = r"(?P<mon>(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*)\.?"
_ISO_DATE = re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")
_DAY_MONTH_YEAR = re.compile(
    rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH_NAME},?\s+(?P<y>\d{{4}})\b"
)
_MONTH_DAY_YEAR = re.compile(
    rf"\b{_MONTH_NAME}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})\b"
)
_SITE_SUFFIX = re.compile(r"\s+[|–—]\s+[^|–—]{2,60}$|\s+-\s+[^-]{2,40}$")


@dataclass(frozen=True, slots=True)
class Extracted:
    """What `extract` found. `furniture` lists the lines it dropped, for tests and debugging;
    `headings` the page's subheadings ("What we know"), kept out of the paragraphs because a
    label is not a fact."""

    title: str | None
    byline: str | None
    date: str | None
    paragraphs: list[str]
    furniture: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    image: str | None = None
    """The page's own picture (og:image, twitter:image), made absolute against the page's
    address; http(s) only, not otherwise checked."""


def normalize_text(text: str) -> str:
    """NFC, no zero-width or control characters, one space for any run of spaces (non-breaking
    and thin ones included), entities decoded when plain text carries them, lines kept."""
    if _ENTITY.search(text):
        text = html.unescape(text)
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = _LINE_BREAKS.sub("\n", text).replace("\u2029", "\n\n")
    text = _CONTROL.sub("", text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def looks_like_html(source: str) -> bool:
    head = source[:5000]
    starts_with_markup = head.lstrip().startswith("<") and bool(_ANY_TAG.search(head))
    if starts_with_markup:
        return True
    return bool(_HTML_HINT.search(head) and _HTML_CLOSE.search(source[:200_000]))


def _symbol_share(line: str) -> float:
    chars = len(line) - line.count(" ")
    if line.isascii():
        symbols = len(_ASCII_SYMBOLS.findall(line))
    else:
        symbols = sum(1 for c in line if unicodedata.category(c)[0] in "SC" and c != "\u00a0")
    return symbols / max(chars, 1)


def _is_gibberish(line: str) -> bool:
    """Binary or mis-decoded bytes: tokens that are not words or numbers in any script, or many
    symbol and control characters. Checked on 1,700 BBC lines (none caught) and on random bytes
    decoded as Latin-1 and UTF-8 (most lines caught; whole documents rejected)."""
    tokens = line.count(" ") + 1
    unspaced_script = len(_UNSPACED_SCRIPT.findall(line)) > len(line) // 3
    non_words = 0.0 if unspaced_script else 1 - len(_WORD_TOKEN.findall(line)) / tokens
    if non_words >= 0.4:
        return True
    symbols = _symbol_share(line)
    return symbols >= 0.25 or (non_words > 0.25 and symbols > 0.05)


def _is_section_label(line: str) -> bool:
    if line.endswith((".", "!", "?", "”", '"')) or len(line.split()) > 6:
        return False
    parts = [p for p in _SECTION_SEPARATORS.split(line.casefold()) if p]
    if not parts:
        return False
    return all(w in _SECTION_WORDS for part in parts for w in part.split())


def _is_breadcrumb(line: str) -> bool:
    return (
        len(line.split()) <= 8
        and not line.endswith((".", "!", "?"))
        and bool(_BREADCRUMB.search(line))
        and all(w[:1].isupper() or not w[:1].isalpha() for w in line.split())
    )


def _is_source_label(line: str) -> bool:
    """A short label ending in a colon ("USA Today:", "READ MORE:"), not an attribution."""
    if not line.endswith(":") or _SAY_VERBS.search(line):
        return False
    tokens = line[:-1].split()
    if not tokens or len(tokens) > 6:
        return False
    return all(t[:1].isupper() or t.casefold() in _LABEL_CONNECTORS for t in tokens)


def _is_timestamp(line: str) -> bool:
    if len(line.split()) > 16:
        return False
    if line.endswith(".") and not line.casefold().endswith(("a.m.", "p.m.")):
        return False
    rest = _TIMESTAMP_STRIP.sub(" ", line.casefold()).split()
    had_digits = any(c.isdigit() for c in line)
    leftover = [w for w in rest if w not in _TIMESTAMP_TOKENS]
    stamp_words = {"updated", "published", "posted", "modified", "ago", "read", "listen"}
    return not leftover and (had_digits or bool(stamp_words & set(rest)))


def _is_credit_or_caption(line: str) -> bool:
    if _CREDIT_LINE.match(line) or _CAPTION_BY.match(line):
        return True
    if _CAPTION_PREFIX.match(line) and len(line.split()) <= 60:
        return True
    return line.endswith(")") and bool(_TRAILING_CREDIT.search(line))


def _is_cookie_notice(line: str) -> bool:
    return (
        len(line.split()) <= 60
        and bool(_COOKIE.search(line))
        and bool(_COOKIE_CONTEXT.search(line))
        and not _SAY_VERBS.search(line)
    )


def _name_like(tokens: list[str]) -> bool:
    return bool(tokens) and all(t[:1].isupper() or t.casefold() in _NAME_PARTICLES for t in tokens)


def byline_of(line: str) -> str | None:
    """The name(s) in a byline line ("By Jane Doe and Sam Roe, Reuters"), else None."""
    line = " ".join(line.split())
    match = _BYLINE_START.match(line)
    if not match or len(line.split()) > 16:
        return None
    parts = [p.strip() for p in re.split(r"\s*[,|•·–—]\s*", match.group("rest")) if p.strip()]
    if not parts:
        return None
    names = parts[0].split()
    if not _name_like(names) or names[0].casefold() in _TIMESTAMP_TOKENS:
        return None
    for part in parts[1:]:
        tokens = _TIMESTAMP_STRIP.sub(" ", part).split()
        if not all(
            t[:1].isupper() or t.casefold() in _BYLINE_ROLES or t.casefold() in _TIMESTAMP_TOKENS
            for t in tokens
        ):
            return None
    return parts[0]


def _is_prompt(line: str) -> bool:
    if _AGENCY_FOOTER.match(line):
        return True
    if len(line.split()) > _PROMPT_MAX_WORDS or _SAY_VERBS.search(line):
        return bool(re.search(r"\bcontributed\s+(?:to\s+)?(?:this\s+)?report", line, re.I))
    return bool(_PROMPTS.match(line))


def is_furniture(line: str) -> bool:
    """Whether a line is site chrome rather than article text."""
    line = " ".join(line.split())
    if not line or not _HAS_WORD.search(line):
        return True
    return _is_chrome(line) or _is_gibberish(line)


def _is_chrome(line: str) -> bool:
    n_words = line.count(" ") + 1
    if n_words <= 16 and (
        _is_section_label(line)
        or _is_breadcrumb(line)
        or _is_source_label(line)
        or _is_timestamp(line)
        or byline_of(line) is not None
    ):
        return True
    if n_words > 60:
        return False
    return (
        _is_prompt(line)
        or _is_credit_or_caption(line)
        or ("ookie" in line and _is_cookie_notice(line))
    )


def _fold(text: str) -> str:
    text = text.casefold().replace("’", "'").replace("‘", "'").replace("“", '"')
    text = text.replace("”", '"').replace("–", "-").replace("—", "-")
    return " ".join(text.split()).strip(" .")


def clean_title(title: str | None, *, sitename: str | None = None) -> str | None:
    """The headline without a site-name suffix ("Headline | Gazette")."""
    if not title:
        return None
    title = " ".join(normalize_text(title).split())
    if sitename and _fold(title).endswith(_fold(sitename)) and _fold(title) != _fold(sitename):
        trimmed = title[: len(title) - len(sitename)].rstrip(" |–—-:·•")
        if trimmed:
            return trimmed
    match = _SITE_SUFFIX.search(title)
    if match and " | " in match.group(0):
        return title[: match.start()].strip() or title
    return title or None


def _looks_like_headline(line: str) -> bool:
    return 2 <= len(line.split()) <= 20 and not line.rstrip().endswith(_TERMINAL)


def _ends_open(line: str) -> bool:
    return not line.endswith(_TERMINAL)


def _unwrap_block(block: list[str]) -> list[str]:
    width = max(len(line) for line in block)
    wrapped = len(block) >= 3 and 50 <= width <= 100
    out = [block[0]]
    previous = block[0]
    for line in block[1:]:
        joins = _ends_open(previous) and (
            line[:1].islower() or (wrapped and len(previous) >= 0.75 * width)
        )
        if joins:
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
        previous = line
    return out


def _unwrap(lines: list[str]) -> list[str]:
    """Join hard-wrapped lines: within a block (no blank line between), a line that does not end
    a sentence is joined to the next when the next starts in lower case, or when the block is
    wrapped at a fixed width (three or more lines, the longest 50 to 100 characters, the line
    nearly as long as the longest). A bulleted line starts a block of its own."""
    out: list[str] = []
    block: list[str] = []
    for line in [*lines, ""]:
        if line:
            block.append(line)
        elif block:
            out.extend(_unwrap_block(block))
            block = []
    return out


def clean_paragraphs(lines: list[str], *, title: str | None) -> tuple[str | None, list[str]]:
    """Drop furniture; a repeated headline at the top becomes the title."""
    title, kept, _ = _clean(lines, title=title)
    return title, kept


def _is_repeated_headline(paragraph: str, title: str) -> bool:
    """The title again, exactly (case, quotes and dashes aside) or, for a headline-shaped line,
    reworded: most of its words are the title's ("Ferry strike ends" / "Ferry strike is over")."""
    if _fold(paragraph) == _fold(title):
        return True
    if not _looks_like_headline(paragraph):
        return False
    mine = {w.casefold() for w in _WORDS.findall(paragraph)}
    theirs = {w.casefold() for w in _WORDS.findall(title)}
    if not mine or not theirs:
        return False
    return len(mine & theirs) >= 0.6 * min(len(mine), len(theirs))


def _clean(lines: list[str], *, title: str | None) -> tuple[str | None, list[str], list[str]]:
    normalized: list[str] = []
    for line in normalize_text("\n".join(lines)).split("\n"):
        unbulleted = _BULLET.sub("", line)
        if unbulleted != line:
            normalized.append("")
        normalized.append(unbulleted)
    gibberish = [bool(line) and _is_gibberish(line) for line in normalized]
    nonblank = [line for line in normalized if line]
    if len(nonblank) >= 4 and sum(gibberish) > 0.3 * len(nonblank):
        return title, [], nonblank
    dropped: list[str] = []
    kept: list[str] = []
    for line, is_gibberish in zip(normalized, gibberish, strict=True):
        if line and (is_gibberish or not _HAS_WORD.search(line) or _is_chrome(line)):
            dropped.append(line)
            kept.append("")
        else:
            kept.append(line)
    paragraphs = [p for p in _unwrap(kept) if p]
    if not title and len(paragraphs) > 1 and _looks_like_headline(paragraphs[0]):
        title = paragraphs.pop(0)
    if title:
        top = paragraphs[:_HEADLINE_REPEAT_WITHIN]
        repeated = [p for p in top if _is_repeated_headline(p, title)]
        dropped.extend(repeated)
        paragraphs = [p for p in top if p not in repeated] + paragraphs[_HEADLINE_REPEAT_WITHIN:]
    seen: set[str] = set()
    unique: list[str] = []
    for paragraph in paragraphs:
        key = _fold(paragraph)
        if key in seen:
            dropped.append(paragraph)
            continue
        seen.add(key)
        unique.append(paragraph)
    return title, unique, dropped


def _fallback_html_text(source: str) -> str:
    """Text of the page's block elements, chrome removed, for pages trafilatura declines."""
    try:
        root = lxml.html.fromstring(source)
    except (ValueError, TypeError, lxml.etree.LxmlError):
        return ""
    for element in list(root.iter(*_CHROME_TAGS)):
        if element.getparent() is not None:
            element.drop_tree()
    blocks = [" ".join(el.text_content().split()) for el in root.iter(*_BLOCK_TAGS)]
    blocks = [b for b in blocks if b]
    if blocks:
        return "\n".join(blocks)
    return root.text_content()


def _strip_tags(source: str) -> str:
    """Last resort for markup lxml cannot build a tree from (too deep, broken, not HTML)."""
    text = _SCRIPT_BLOCKS.sub(" ", source)
    text = _BLOCK_END.sub("\n", text)
    return html.unescape(_TAG.sub(" ", text))


def date_of(line: str) -> str | None:
    """ISO date (YYYY-MM-DD) from a timestamp line ("Updated 9:30 AM GMT, March 14, 2026")."""
    line = " ".join(line.split())
    if not _is_timestamp(line):
        return None
    if match := _ISO_DATE.search(line):
        year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    elif match := _DAY_MONTH_YEAR.search(line) or _MONTH_DAY_YEAR.search(line):
        year, day = int(match["y"]), int(match["d"])
        month = _MONTHS[match["mon"][:3].casefold()]
    else:
        return None
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


def _date_from(lines: list[str]) -> str | None:
    for line in lines[:12]:
        found = date_of(line)
        if found:
            return found
    return None


def _byline_from(lines: list[str]) -> str | None:
    for line in lines[:12]:
        name = byline_of(" ".join(line.split()))
        if name:
            return name
    return None


def _block_text(element: lxml.etree._Element) -> str:
    for line_break in element.iter("lb"):
        line_break.tail = "\n" + (line_break.tail or "")
    return "".join(element.itertext())


def _is_subheading(text: str) -> bool:
    return bool(text) and not text.endswith(_TERMINAL) and len(text.split()) <= 20


def _body_lines(body: lxml.etree._Element) -> tuple[list[str], list[str]]:
    """Lines of trafilatura's extracted tree, a blank line between blocks so that only lines
    inside one block can be joined, and the subheadings apart."""
    lines: list[str] = []
    headings: list[str] = []
    for element in body.iterchildren():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "head":
            text = " ".join(_block_text(element).split())
            if _is_subheading(text):
                headings.append(text)
            else:
                lines.append(text)
        elif element.tag == "list":
            for item in element.iterchildren("item"):
                lines += [_block_text(item), ""]
        else:
            lines.append(_block_text(element))
        lines.append("")
    return lines, headings


_DATE_PARAMS = {"extensive_search": False}
"""htmldate's extensive search guesses a date from years in the body text ("in 2003" became
2003-01-01) and is a quarter of trafilatura's time; the page's own date markup still counts."""


def _extract_html(source: str, *, title: str | None, url: str | None) -> Extracted:
    doc = None
    try:
        doc = trafilatura.bare_extraction(
            source,
            url=url,
            fast=True,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            date_extraction_params=_DATE_PARAMS,
        )
    except Exception:  # trafilatura and lxml raise many types on odd pages
        doc = None
    body = getattr(doc, "body", None) if doc is not None else None
    headings: list[str] = []
    lines: list[str] = []
    if body is not None:
        try:
            lines, headings = _body_lines(body)
        except Exception:  # an odd tree must not raise; the flat text is used instead
            lines, headings = [], []
    if not any(line.strip() for line in lines):
        lines = ((getattr(doc, "text", None) or "") if doc is not None else "").splitlines()
    if not any(line.strip() for line in lines):
        try:
            lines = _fallback_html_text(source).splitlines()
        except Exception:  # a hostile page must not raise
            lines = []
    if not any(line.strip() for line in lines):
        lines = _strip_tags(source).splitlines()
    sitename = getattr(doc, "sitename", None) if doc is not None else None
    found_title = clean_title(title or getattr(doc, "title", None), sitename=sitename)
    found_title, paragraphs, dropped = _clean(lines, title=found_title)
    if found_title:
        headings = [h for h in headings if _fold(h) != _fold(found_title)]
    author = getattr(doc, "author", None) if doc is not None else None
    return Extracted(
        title=found_title,
        byline=author or _byline_from(lines),
        date=(getattr(doc, "date", None) if doc is not None else None) or _date_from(lines),
        paragraphs=paragraphs,
        furniture=dropped,
        headings=headings,
        image=page_image(getattr(doc, "image", None) if doc is not None else None, url=url),
    )


_MAX_IMAGE_URL = 4096


def page_image(value: object, *, url: str | None) -> str | None:
    """An image address from the page's metadata, resolved against `url` (relative ones are
    dropped when there is no `url`); None unless it is http(s) and of a sane length."""
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_IMAGE_URL:
        return None
    candidate = "".join(ch for ch in value.strip() if ch.isprintable() and not ch.isspace())
    try:
        absolute = urljoin(url, candidate) if url else candidate
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or absolute == url:
        return None
    return absolute


def extract(source: str | bytes, *, title: str | None = None, url: str | None = None) -> Extracted:
    """Title, byline, date and clean body paragraphs of article HTML or plain text."""
    if isinstance(source, bytes):
        source = source.decode("utf-8", errors="replace")
    if not isinstance(source, str) or not source.strip():
        return Extracted(title=clean_title(title), byline=None, date=None, paragraphs=[])
    if len(source) > MAX_SOURCE_CHARS:
        cut = source.rfind("\n", 0, MAX_SOURCE_CHARS)
        source = source[: cut if cut > 0 else MAX_SOURCE_CHARS]
    source = source.replace("\x00", "")
    if looks_like_html(source):
        return _extract_html(source, title=title, url=url)
    lines = source.splitlines()
    found_title, paragraphs, dropped = _clean(lines, title=clean_title(title))
    return Extracted(
        title=found_title,
        byline=_byline_from(lines),
        date=_date_from(lines),
        paragraphs=paragraphs,
        furniture=dropped,
    )
