"""The SSRF guard's verdicts. Pure checks: nothing here opens a socket or sends a packet."""

from __future__ import annotations

import socket
from ipaddress import IPv4Address, ip_address

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.feeds.errors import BadScheme, BadURL, BlockedAddress
from bot.feeds.guard import (
    AddressPolicy,
    GuardedResolver,
    check_url,
    is_public_address,
    parse_ipv4_number,
)
from tests.support.resolver import FixedResolver

NOT_PUBLIC = [
    "127.0.0.1",
    "127.255.255.254",
    "0.0.0.0",
    "0.1.2.3",
    "10.0.0.1",
    "10.255.255.255",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "169.254.0.1",
    "100.64.0.1",
    "100.127.255.254",
    "192.0.0.8",
    "192.0.2.1",
    "198.18.0.1",
    "198.19.255.255",
    "198.51.100.7",
    "203.0.113.9",
    "192.88.99.1",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "fe80::1",
    "febf::1",
    "fc00::1",
    "fd12:3456:789a::1",
    "fec0::1",
    "ff02::1",
    "2001:db8::1",
    "3fff::1",
    "100::1",
    "64:ff9b:1::a00:1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::127.0.0.1",
    "::10.0.0.1",
    "64:ff9b::7f00:1",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b::c0a8:101",
    "2002:7f00:1::1",
    "2002:a00:1::1",
    "2002:c0a8:101::1",
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
    "2001:0:7f00:1:8000:63bf:3fff:fdd2",  # Teredo, server 127.0.0.1
]

PUBLIC = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.215.14",
    "151.101.1.69",
    "100.63.255.255",  # just below carrier-grade NAT
    "100.128.0.1",  # just above it
    "172.32.0.1",  # just past 172.16/12
    "2606:4700:4700::1111",
    "2a00:1450:4001:80b::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_not_public(address: str) -> None:
    assert not is_public_address(ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_public(address: str) -> None:
    assert is_public_address(ip_address(address))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0x7f.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("0xa9fea9fe", "169.254.169.254"),
        ("192.168.257", "192.168.1.1"),
        ("8.8.8.8", "8.8.8.8"),
    ],
)
def test_inet_aton_forms(text: str, expected: str) -> None:
    assert parse_ipv4_number(text) == IPv4Address(expected)


@pytest.mark.parametrize(
    "text", ["0x", "08", "1.2.3.4.5", "256.1", "1.16777216", "", "a.b", "1..2"]
)
def test_not_inet_aton_forms(text: str) -> None:
    assert parse_ipv4_number(text) is None


_part = st.one_of(
    st.integers(0, 2**32 - 1).map(str),
    st.integers(0, 2**32 - 1).map(lambda n: f"0x{n:x}"),
    st.integers(0, 2**32 - 1).map(lambda n: f"0{n:o}"),
    st.sampled_from(["0x", "09", "", "1a", "-1", "0x0g"]),
)


@given(st.lists(_part, min_size=1, max_size=5).map(".".join))
def test_number_reading_agrees_with_inet_aton(text: str) -> None:
    try:
        expected: IPv4Address | None = IPv4Address(socket.inet_aton(text))
    except OSError:
        expected = None
    assert parse_ipv4_number(text) == expected


GUARD = AddressPolicy()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://0x7f.1/feed",
        "http://2130706433/feed",
        "http://017700000001/feed",
        "http://127.1/feed",
        "http://[::1]/feed",
        "http://[::ffff:127.0.0.1]/feed",
        "http://[::ffff:7f00:1]/feed",
        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data",
        "http://[2002:a9fe:a9fe::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://0xa9fea9fe/",
        "http://10.0.0.1/",
        "http://[fe80::1%25eth0]/",
        "http://localhost/feed",
        "http://LOCALHOST./feed",
        "http://api.localhost/feed",
        "https://100.64.0.1/",
        "http://0.0.0.0:8080/",
    ],
)
def test_check_url_refuses_non_public_hosts(url: str) -> None:
    with pytest.raises((BlockedAddress, BadURL)) as caught:
        check_url(url, GUARD)
    assert "\n" not in caught.value.message


@pytest.mark.parametrize("url", ["http://0x7f.1/feed", "http://2130706433/", "http://127.1/"])
def test_odd_private_literals_are_reported_as_blocked(url: str) -> None:
    with pytest.raises(BlockedAddress):
        check_url(url, GUARD)


@pytest.mark.parametrize("url", ["http://0x8080808/", "http://134744072/", "http://8.8.2056/"])
def test_odd_public_literals_are_refused_too(url: str) -> None:
    with pytest.raises(BadURL, match=r"write it as 8\.8\.8\.8"):
        check_url(url, GUARD)


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("file:///etc/passwd", BadScheme),
        ("gopher://example.org/", BadScheme),
        ("data:text/plain,hi", BadScheme),
        ("feed.xml", BadURL),
        ("http://", BadURL),
        ("https://bob:hunter2@news.example/feed", BadURL),
        ("http://news.example:0/", BadURL),
        ("http://%31%32%37.0.0.1/", BadURL),
        ("http://example.123/", BadURL),
        ("http://" + "a" * 3000 + ".example/", BadURL),
    ],
)
def test_check_url_refuses_malformed_urls(url: str, error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        check_url(url, GUARD)
    assert "hunter2" not in caught.value.message
    assert "hunter2" not in (getattr(caught.value, "url", None) or "")


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example/feed.xml",
        "http://news.example:8080/rss",
        "http://8.8.8.8/feed",
        "http://[2606:4700:4700::1111]/feed",
        "https://bücher.example/feed",
        "http://1.2.3.4.nip.example/",
    ],
)
def test_check_url_accepts_public_forms(url: str) -> None:
    assert check_url(url, GUARD).scheme in {"http", "https"}


def test_allow_private_lifts_the_check() -> None:
    open_policy = AddressPolicy(allow_private=True)
    assert check_url("http://127.0.0.1:8080/feed", open_policy).port == 8080
    assert check_url("http://localhost/feed", open_policy).host == "localhost"
    with pytest.raises(BadScheme):
        check_url("file:///etc/passwd", open_policy)


def test_exemption_is_one_exact_socket() -> None:
    policy = AddressPolicy.exempting([("127.0.0.1", 8080)])
    assert policy.permits(ip_address("127.0.0.1"), 8080)
    assert not policy.permits(ip_address("127.0.0.1"), 8081)
    assert not policy.permits(ip_address("127.0.0.2"), 8080)
    assert not policy.permits(ip_address("::1"), 8080)


async def test_resolver_drops_refused_answers_and_keeps_public_ones() -> None:
    inner = FixedResolver("10.0.0.7", "169.254.169.254", "8.8.8.8", "::ffff:192.168.0.1", "fd00::5")
    answers = await GuardedResolver(GUARD, inner).resolve("news.example", 443)
    assert [a["host"] for a in answers] == ["8.8.8.8"]
    assert inner.asked == ["news.example"]


@pytest.mark.parametrize(
    "addresses",
    [("127.0.0.1",), ("10.1.2.3", "192.168.0.9"), ("::1", "fe80::1"), ("169.254.169.254",)],
)
async def test_resolver_raises_when_nothing_public_remains(addresses: tuple[str, ...]) -> None:
    with pytest.raises(BlockedAddress, match="does not resolve to a public"):
        await GuardedResolver(GUARD, FixedResolver(*addresses)).resolve("rebind.example", 80)


async def test_resolver_refuses_odd_literals_before_any_lookup() -> None:
    inner = FixedResolver("8.8.8.8")
    with pytest.raises(BlockedAddress):
        await GuardedResolver(GUARD, inner).resolve("0x7f.1", 80)
    assert inner.asked == []


@pytest.mark.parametrize("host", ["bad host", "a/b", "[::1]"])
async def test_resolver_refuses_hosts_that_are_not_names(host: str) -> None:
    inner = FixedResolver("8.8.8.8")
    with pytest.raises((BlockedAddress, BadURL)):
        await GuardedResolver(GUARD, inner).resolve(host, 80)
    assert inner.asked == []


async def test_resolver_with_allow_private_passes_everything() -> None:
    inner = FixedResolver("127.0.0.1", "10.0.0.1")
    answers = await GuardedResolver(AddressPolicy(allow_private=True), inner).resolve("x", 80)
    assert [a["host"] for a in answers] == ["127.0.0.1", "10.0.0.1"]


_url_text = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda scheme, host, rest: f"{scheme}://{host}{rest}",
        st.sampled_from(["http", "https", "HTTP", "ftp", "file", ""]),
        st.one_of(
            st.text(max_size=20),
            st.ip_addresses().map(lambda ip: f"[{ip}]" if ip.version == 6 else str(ip)),
            st.integers(0, 2**32).map(str),
        ),
        st.text(max_size=20),
    ),
)


@given(_url_text)
@example("0://[]@")  # yarl raised IndexError on this host once
def test_check_url_only_refuses_with_its_own_errors(text: str) -> None:
    try:
        url = check_url(text, GUARD)
    except (BadURL, BlockedAddress) as exc:
        assert "\n" not in exc.message
        return
    assert url.scheme.lower() in {"http", "https"}
    assert url.host
    literal = url.host.strip("[]")
    try:
        address = ip_address(literal)
    except ValueError:
        return
    assert is_public_address(address)
