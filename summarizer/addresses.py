"""Which IP addresses are ordinary public internet addresses: the one verdict behind every
fetch of a user-given URL (the bot's guard in `bot.feeds.guard`, and `summarizer.fetch` for
`python -m summarizer URL`). Standard library only, so the summarizer can use it alone."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

IPAddress = IPv4Address | IPv6Address

_V4_NOT_PUBLIC = tuple(
    IPv4Network(n)
    for n in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",  # private
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, cloud metadata (169.254.169.254)
        "172.16.0.0/12",  # private
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation TEST-NET-1
        "192.31.196.0/24",  # AS112
        "192.52.193.0/24",  # AMT
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",  # private
        "192.175.48.0/24",  # AS112 direct delegation
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation TEST-NET-2
        "203.0.113.0/24",  # documentation TEST-NET-3
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and 255.255.255.255 broadcast
    )
)

_V6_NOT_PUBLIC = tuple(
    IPv6Network(n)
    for n in (
        "::/128",  # unspecified
        "::1/128",  # loopback
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments (Teredo handled before this table)
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation
        "5f00::/16",  # SRv6 SIDs
        "fc00::/7",  # unique-local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)

_IPV4_COMPATIBLE = IPv6Network("::/96")
_NAT64 = IPv6Network("64:ff9b::/96")


def is_public_address(ip: IPAddress) -> bool:
    """True when ``ip`` is an ordinary public unicast address.

    IPv6 forms that carry an IPv4 address (IPv4-mapped ``::ffff:a.b.c.d``, IPv4-compatible
    ``::a.b.c.d``, NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16``, Teredo ``2001::/32``) are judged
    by the IPv4 address(es) they carry, since that is where the packets end up.
    """
    if isinstance(ip, IPv4Address):
        if any(ip in net for net in _V4_NOT_PUBLIC):
            return False
        return ip.is_global and not ip.is_multicast
    if ip.scope_id:
        return False
    if ip.ipv4_mapped is not None:
        return is_public_address(ip.ipv4_mapped)
    if ip in _IPV4_COMPATIBLE:
        # "::" and "::1" live here too; both are refused by the table below.
        return int(ip) > 1 and is_public_address(IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip in _NAT64:
        return is_public_address(IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour is not None:
        return is_public_address(ip.sixtofour)
    if ip.teredo is not None:
        server, client = ip.teredo
        return is_public_address(server) and is_public_address(client)
    return not any(ip in net for net in _V6_NOT_PUBLIC)
