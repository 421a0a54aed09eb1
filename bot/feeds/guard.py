"""The SSRF guard: a feed URL, and every redirect hop, must reach a public internet address.

Two checks, both needed:

* ``check_url`` runs before each request. It refuses other schemes, credentials, and hosts that
  are IP literals of a non-public address. aiohttp never asks a resolver about an IP literal, so
  this is the only check such a URL gets; it also refuses the odd numeric forms that
  ``inet_aton`` accepts (``0x7f.1``, ``2130706433``, ``017700000001``, ``127.1``), because the
  system resolver would quietly turn them into ``127.0.0.1``.
* ``GuardedResolver`` is the resolver of the fetcher's connector. It drops every address the
  policy refuses and raises ``BlockedAddress`` when none remain; aiohttp then connects to exactly
  the addresses it returned, so a DNS answer that changes between check and connect (rebinding)
  cannot get through. The connector's DNS cache is off, so every new connection asks it.

``is_public_address`` (in ``summarizer.addresses``, which ``python -m summarizer URL`` uses too) is
the verdict itself: a pure function, tested without sending a packet.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from yarl import URL

from bot.feeds.errors import BadScheme, BadURL, BlockedAddress
from summarizer.addresses import IPAddress, is_public_address

ALLOWED_SCHEMES = frozenset({"http", "https"})
MAX_URL_LENGTH = 2048


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which addresses the fetcher may connect to.

    ``allow_private`` lifts the guard entirely (the setting NEWSDIGEST_ALLOW_PRIVATE_ADDRESSES=1,
    for loopback test servers). ``exempt`` names exact (address, port) sockets that are allowed
    even though they are not public: a test can reach its own 127.0.0.1 server while every other
    loopback address and port, and every private address, stays refused.
    """

    allow_private: bool = False
    exempt: frozenset[tuple[IPAddress, int]] = field(default_factory=frozenset)

    @classmethod
    def exempting(cls, sockets: Iterable[tuple[str, int]]) -> AddressPolicy:
        return cls(exempt=frozenset((ipaddress.ip_address(h), p) for h, p in sockets))

    def permits(self, ip: IPAddress, port: int) -> bool:
        if self.allow_private or (ip, port) in self.exempt:
            return True
        return is_public_address(ip)


def parse_ipv4_number(host: str) -> IPv4Address | None:
    """Read ``host`` as ``inet_aton`` does (1 to 4 parts; decimal, 0-octal or 0x-hex each).

    Returns None when it is not such a form. ``127.1``, ``0x7f.1``, ``2130706433`` and
    ``017700000001`` all read as 127.0.0.1.
    """
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values: list[int] = []
    for part in parts:
        value = _parse_number_part(part)
        if value is None:
            return None
        values.append(value)
    *head, last = values
    if any(v > 0xFF for v in head) or last >= 1 << (8 * (5 - len(values))):
        return None
    number = last
    for i, v in enumerate(head):
        number |= v << (8 * (3 - i))
    return IPv4Address(number)


def _parse_number_part(part: str) -> int | None:
    if not part or not part.isascii():
        return None
    lower = part.lower()
    try:
        if lower.startswith("0x"):
            return int(lower[2:], 16) if len(lower) > 2 else None
        if len(lower) > 1 and lower.startswith("0"):
            return int(lower[1:], 8)
        return int(lower, 10) if lower.isdigit() else None
    except ValueError:
        return None


def _looks_numeric(label: str) -> bool:
    lower = label.lower()
    return lower.isascii() and (lower.isdigit() or lower.startswith("0x"))


def check_url(url: str | URL, policy: AddressPolicy) -> URL:
    """Validate ``url`` before a request; return it parsed. Raises BadURL/BadScheme/BlockedAddress.

    Host names are not resolved here: the resolver judges their addresses at connect time.
    """
    text = str(url)
    if len(text) > MAX_URL_LENGTH:
        raise BadURL("the URL is too long", url=text[:100])
    try:
        parsed = url if isinstance(url, URL) else URL(text)
        parsed.host  # noqa: B018 - yarl decodes the host lazily and can raise here
    except (ValueError, TypeError, IndexError) as exc:
        # yarl raises IndexError on some malformed hosts (found by hypothesis).
        raise BadURL(url=text) from exc
    if parsed.scheme and parsed.scheme.lower() not in ALLOWED_SCHEMES:
        raise BadScheme(f"{parsed.scheme}: URLs are not allowed, only http and https", url=text)
    if not parsed.absolute or not parsed.scheme:
        raise BadURL("the URL must be absolute (http:// or https://)", url=text)
    if parsed.user is not None or parsed.password is not None:
        raise BadURL("URLs with a user name or password are not allowed", url=_redact(parsed))
    host = parsed.host
    if not host:
        raise BadURL("the URL has no host", url=text)
    try:
        port = parsed.port
    except ValueError as exc:
        raise BadURL("the URL has an invalid port", url=text) from exc
    if port is None or not 0 < port < 65536:
        raise BadURL("the URL has an invalid port", url=text)
    if "%" in host or any(c.isspace() for c in host):
        raise BadURL("the URL host has characters a host cannot have", url=text)

    literal = _literal_address(host, url=text)
    if literal is not None:
        ip, canonical = literal
        if not policy.permits(ip, port):
            raise BlockedAddress(f"{host} ({ip}) is not a public internet address", url=text)
        if not canonical:
            raise BadURL(f"unusual numeric address {host!r}; write it as {ip}", url=text)
        return parsed
    name = host.rstrip(".").lower()
    if not policy.allow_private and (name == "localhost" or name.endswith(".localhost")):
        raise BlockedAddress(f"{name} is not a public internet host", url=text)
    return parsed


def _literal_address(host: str, *, url: str) -> tuple[IPAddress, bool] | None:
    """The address an IP-literal host names, and whether it was written canonically."""
    if ":" in host:
        try:
            return IPv6Address(host), True
        except ValueError as exc:
            raise BadURL("the URL host is not a valid IPv6 address", url=url) from exc
    bare = host.rstrip(".")
    if not _looks_numeric(bare.split(".")[-1]):
        return None
    ip = parse_ipv4_number(bare)
    if ip is None:
        raise BadURL("the URL host is neither a name nor a valid IPv4 address", url=url)
    return ip, str(ip) == bare


def _redact(url: URL) -> str:
    return str(url.with_user(None).with_password(None))


class GuardedResolver(AbstractResolver):
    """An aiohttp resolver that returns only the addresses the policy permits.

    Usage: ``TCPConnector(resolver=GuardedResolver(policy), use_dns_cache=False)``. ``inner``
    does the lookup (the threaded system resolver by default); tests pass a fixed one.
    """

    def __init__(self, policy: AddressPolicy, inner: AbstractResolver | None = None) -> None:
        self._policy = policy
        self._inner = inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if not self._policy.allow_private:
            # Whatever aiohttp hands over is judged as a literal first: getaddrinfo would
            # turn "0x7f.1" into 127.0.0.1 without a DNS query.
            try:
                as_url = URL.build(scheme="http", host=host, port=port or 80)
            except (ValueError, TypeError) as exc:
                raise BlockedAddress(f"{host!r} is not a host name we resolve") from exc
            check_url(as_url, self._policy)
        if self._inner is None:
            self._inner = ThreadedResolver()
        results = await self._inner.resolve(host, port, family)
        allowed = [r for r in results if self._permitted(r)]
        if not allowed:
            raise BlockedAddress(f"{host} does not resolve to a public internet address")
        return allowed

    def _permitted(self, result: ResolveResult) -> bool:
        try:
            ip = ipaddress.ip_address(result["host"].split("%", 1)[0])
        except ValueError:
            return False
        if "%" in result["host"] and not self._policy.allow_private:
            return False
        return self._policy.permits(ip, result["port"])

    async def close(self) -> None:
        if self._inner is not None:
            await self._inner.close()
