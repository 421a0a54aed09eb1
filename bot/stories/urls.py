"""Link normalisation: one spelling for every way a feed writes the same article link.

Two functions, for two uses:

- `normalize_url(url)` gives a link that is still fetched and shown to people: scheme and host
  lower-cased, IDN host in punycode, default port dropped, fragment removed (except `#!`
  hash-bang routes, which name content), tracking parameters removed, the other query parameters
  sorted by name, percent-encoding normalised (unreserved characters decoded, hex upper-cased,
  non-ASCII encoded as UTF-8), dot segments resolved, a trailing slash removed from every path
  but `/`, and AMP variants (`/amp`, `.amp.html`, `?amp=1`, `?outputType=amp`) mapped to the
  article itself.
- `link_key(url)` is the identity used for dedupe: the normalised link without its scheme and
  credentials. `http` and `https` stay distinct in `normalize_url` (upgrading a link could break
  it for an http-only site), but not in `link_key`: a feed that moves to https, or two feeds that
  disagree on the scheme, do not make one article two. `www.` is *not* folded: it is a different
  host name, and a wrong merge is worse than a missed one.

A parameter that is tracking on news sites but meaningful elsewhere (`ref`, `source`, `from`, …)
is dropped only when its value names a channel (`rss`, `twitter`, `newsletter`, …).
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urlsplit, urlunsplit

import idna

__all__ = ["InvalidURLError", "is_tracking_param", "link_key", "normalize_url"]


class InvalidURLError(ValueError):
    """The text is not an absolute http(s) URL with a host."""


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TRACKING_EXACT = _names(
    """
    fbclid gclid gclsrc dclid gbraid wbraid msclkid yclid twclid ttclid li_fat_id igshid igsh
    s_kwcid ef_id irclickid irgwc rb_clickid _branch_match_id epik scid
    _ga _gl _hsenc _hsmi __hssc __hstc __hsfp hsctatracking mc_cid mc_eid mkt_tok vero_id
    vero_conv wickedid oly_anon_id oly_enc_id sfmc_id mbid elqtrackid elqtrack spjobid
    spmailingid spreportid spuserid cm_mmc cm_ven cm_cat cm_ite cm_pla __twitter_impression
    fb_action_ids fb_action_types fb_ref fb_source action_object_map action_type_map
    action_ref_map guccounter guce_referrer guce_referrer_sig soc_src soc_trk ncid sr_share
    cmpid cmp ocid smid smtyp xtor icid intcmp int_cmp ito taid trk trkcampaign s_cid wt_mc
    wt_zmc rss rssfeed ref_src ref_url utm share_id shared spm dicbo
    """
)
"""Parameters that are tracking wherever they appear (compared lower-cased)."""
_TRACKING_PREFIXES = ("utm_", "pk_", "piwik_", "mtm_", "matomo_", "ns_", "hmb_", "wt.", "at_")
_CHANNEL_PARAMS = _names("ref source src from via feature share s_src")
_CHANNEL_VALUES = _names(
    """
    rss feed feeds atom rss2 feedly newsletter email mail twitter tw x facebook fb linkedin li
    reddit whatsapp wa telegram social share sharebar share_button homepage hp home nav related
    recirc push app amp copy copylink link google googlenews gnews yahoo msn flipboard
    apple_news applenews bing
    """
)
"""Values of an ambiguous parameter (`ref`, `source`, …) that name a channel, not content."""
_AMP_FLAG_PARAMS = {"amp": {"", "1", "true", "yes"}, "outputtype": {"amp"}}
_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")


def is_tracking_param(name: str, value: str = "") -> bool:
    """True when a query parameter only says how the reader arrived, not what they asked for."""
    key = name.lower()
    if key in _TRACKING_EXACT or key.startswith(_TRACKING_PREFIXES):
        return True
    return key in _CHANNEL_PARAMS and value.lower() in _CHANNEL_VALUES


def _normalize_escapes(text: str, *, safe: str) -> str:
    """Decode escapes of unreserved characters, upper-case the rest, encode raw non-ASCII
    and characters that are never legal in a URL. Reserved characters keep their escapes,
    so `%2F` and `/` stay different."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    text = _PERCENT.sub(fix, text)
    out: list[str] = []
    for i, char in enumerate(text):
        if char in _UNRESERVED or char in safe or (char == "%" and _PERCENT.match(text, i)):
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out)


def _decoded_lower(text: str) -> str:
    return _PERCENT.sub(lambda m: chr(int(m.group(1), 16)), text).replace("+", " ").lower()


def _host(hostname: str) -> str:
    host = hostname.rstrip(".").lower()
    if not host:
        raise InvalidURLError("the URL has no host")
    if host.startswith("[") or ":" in host:
        return host if host.startswith("[") else f"[{host}]"
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        try:
            return host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise InvalidURLError(f"the host name {hostname!r} is not a valid domain") from exc


def _path(path: str) -> str:
    path = _normalize_escapes(path, safe="/:@!$&'()*+,;=")
    if not path:
        return "/"
    resolved = posixpath.normpath(path)
    if resolved.startswith("//"):
        resolved = "/" + resolved.lstrip("/")
    if resolved in (".", ""):
        resolved = "/"
    if resolved != "/":
        resolved = resolved.rstrip("/") or "/"
    if resolved.lower().endswith("/amp") and len(resolved) > len("/amp"):
        resolved = resolved[: -len("/amp")]
    elif resolved.lower().endswith(".amp.html"):
        resolved = resolved[: -len(".amp.html")] + ".html"
    return resolved


def _query(query: str) -> str:
    kept: list[tuple[str, str]] = []
    for piece in query.split("&"):
        if not piece:
            continue
        name, sep, value = piece.partition("=")
        key, val = _decoded_lower(name), _decoded_lower(value)
        if is_tracking_param(key, val) or val in _AMP_FLAG_PARAMS.get(key, ()):
            continue
        safe = "/:@!$'()*+,;?"
        kept.append(
            (_normalize_escapes(name, safe=safe), sep + _normalize_escapes(value, safe=safe + "="))
        )
    kept.sort(key=lambda kv: kv[0])
    return "&".join(name + rest for name, rest in kept)


def _split(url: str) -> tuple[str, str, str, str, str, str]:
    """Scheme, userinfo, host[:port], path, query, fragment of an absolute http(s) URL."""
    text = url.strip()
    if not text:
        raise InvalidURLError("the URL is empty")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidURLError(f"not a valid URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if not scheme:
        raise InvalidURLError(
            "only http and https links are accepted: write the whole address, with https://"
        )
    if scheme not in _DEFAULT_PORTS:
        raise InvalidURLError(f"only http and https links are accepted, not {scheme!r}")
    if not parts.hostname:
        raise InvalidURLError("the URL has no host")
    netloc = _host(parts.hostname)
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    fragment = parts.fragment
    fragment = _normalize_escapes(fragment, safe="/:@!$&'()*+,;=?") if fragment[:1] == "!" else ""
    return scheme, userinfo, netloc, _path(parts.path), _query(parts.query), fragment


def normalize_url(url: str) -> str:
    """The canonical spelling of an http(s) link; raises InvalidURLError with a one-line reason."""
    scheme, userinfo, netloc, path, query, fragment = _split(url)
    if userinfo:
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit((scheme, netloc, path, query, fragment))


def link_key(url: str) -> str:
    """The dedupe identity of a link: `normalize_url` without scheme and credentials."""
    _scheme, _userinfo, netloc, path, query, fragment = _split(url)
    return urlunsplit(("", netloc, path, query, fragment))
