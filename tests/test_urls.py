"""Link normalisation: every spelling of one article link becomes one link."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.stories.urls import InvalidURLError, is_tracking_param, link_key, normalize_url

SAME_LINK = [
    # (a spelling a feed might use, the canonical link)
    ("HTTPS://News.Example.COM/world/quake", "https://news.example.com/world/quake"),
    ("https://news.example.com:443/world/quake", "https://news.example.com/world/quake"),
    ("http://news.example.com:80/world/quake", "http://news.example.com/world/quake"),
    ("https://news.example.com/world/quake/", "https://news.example.com/world/quake"),
    ("https://news.example.com/world/quake#comments", "https://news.example.com/world/quake"),
    ("https://news.example.com/world/./x/../quake", "https://news.example.com/world/quake"),
    ("https://news.example.com.", "https://news.example.com/"),
    ("https://news.example.com", "https://news.example.com/"),
    ("  https://news.example.com/a  ", "https://news.example.com/a"),
    (
        "https://news.example.com/a?utm_source=rss&utm_medium=feed&utm_campaign=x",
        "https://news.example.com/a",
    ),
    ("https://news.example.com/a?fbclid=IwAR0abc&id=7", "https://news.example.com/a?id=7"),
    ("https://news.example.com/a?gclid=1&msclkid=2&yclid=3", "https://news.example.com/a"),
    ("https://news.example.com/a?mc_cid=1&mc_eid=2&igshid=3", "https://news.example.com/a"),
    ("https://news.example.com/a?_ga=2.1&_gl=1*x&_hsenc=p2&_hsmi=9", "https://news.example.com/a"),
    ("https://news.example.com/a?cmpid=rss&ocid=msn&smid=tw-share", "https://news.example.com/a"),
    ("https://news.example.com/a?at_medium=RSS&at_campaign=KARANGA", "https://news.example.com/a"),
    (
        "https://news.example.com/a?xtor=RSS-3&ns_source=x&ns_mchannel=y",
        "https://news.example.com/a",
    ),
    (
        "https://news.example.com/a?pk_campaign=c&mtm_source=s&WT.mc_id=9",
        "https://news.example.com/a",
    ),
    ("https://news.example.com/a?UTM_Source=rss&Utm_Medium=x", "https://news.example.com/a"),
    ("https://news.example.com/a?ref=rss", "https://news.example.com/a"),
    ("https://news.example.com/a?ref_src=twsrc%5Etfw", "https://news.example.com/a"),
    ("https://news.example.com/a?source=twitter&page=2", "https://news.example.com/a?page=2"),
    ("https://news.example.com/a?b=2&a=1&c=3", "https://news.example.com/a?a=1&b=2&c=3"),
    ("https://news.example.com/a?&&b=2&", "https://news.example.com/a?b=2"),
    ("https://news.example.com/%7Eed/a%2dstory", "https://news.example.com/~ed/a-story"),
    ("https://news.example.com/a%2fb", "https://news.example.com/a%2Fb"),
    ("https://news.example.com/caf%c3%a9", "https://news.example.com/caf%C3%A9"),
    ("https://news.example.com/café", "https://news.example.com/caf%C3%A9"),
    ("https://news.example.com/a b", "https://news.example.com/a%20b"),
    ("https://news.example.com/s?q=caf%c3%a9", "https://news.example.com/s?q=caf%C3%A9"),
    ("https://bücher.example/neu", "https://xn--bcher-kva.example/neu"),
    ("https://BÜCHER.example/neu", "https://xn--bcher-kva.example/neu"),
    (
        "https://пример.испытание/статья",
        "https://xn--e1afmkfd.xn--80akhbyknj4f/%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F",
    ),
    ("https://news.example.com/world/quake/amp", "https://news.example.com/world/quake"),
    ("https://news.example.com/world/quake/amp/", "https://news.example.com/world/quake"),
    ("https://news.example.com/world/quake.amp.html", "https://news.example.com/world/quake.html"),
    ("https://news.example.com/world/quake?outputType=amp", "https://news.example.com/world/quake"),
    ("https://news.example.com/world/quake?amp=1", "https://news.example.com/world/quake"),
    ("https://news.example.com/world/quake?amp", "https://news.example.com/world/quake"),
    ("https://news.example.com:8443/a", "https://news.example.com:8443/a"),
    ("https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"),
]


@pytest.mark.parametrize(("raw", "canonical"), SAME_LINK)
def test_normalize_url(raw: str, canonical: str) -> None:
    assert normalize_url(raw) == canonical


@pytest.mark.parametrize(("raw", "canonical"), SAME_LINK)
def test_normalize_url_is_idempotent(raw: str, canonical: str) -> None:
    assert normalize_url(normalize_url(raw)) == normalize_url(raw)


DIFFERENT_LINKS = [
    # pairs that must stay apart
    ("https://news.example.com/a?id=1", "https://news.example.com/a?id=2"),
    ("https://news.example.com/a", "https://www.news.example.com/a"),
    ("https://news.example.com/a/b", "https://news.example.com/a%2Fb"),
    ("https://news.example.com/a", "https://news.example.com/A"),
    ("https://news.example.com/a?ref=main", "https://news.example.com/a?ref=dev"),
    ("https://news.example.com/a?source=nyc", "https://news.example.com/a"),
    ("https://news.example.com/a", "https://news.example.com:8080/a"),
    ("https://news.example.com/#!/story/1", "https://news.example.com/#!/story/2"),
    ("https://news.example.com/a?x=1&x=2", "https://news.example.com/a?x=2&x=1"),
    ("https://news.example.com/amp", "https://news.example.com/"),
    ("https://news.example.com/a?q=a+b", "https://news.example.com/a?q=a%2Bb"),
]


@pytest.mark.parametrize(("a", "b"), DIFFERENT_LINKS)
def test_different_links_stay_different(a: str, b: str) -> None:
    assert link_key(a) != link_key(b)


def test_scheme_is_kept_in_the_link_but_not_in_the_identity() -> None:
    http, https = "http://news.example.com/a?utm_source=x", "https://news.example.com/a/"
    assert normalize_url(http) != normalize_url(https)
    assert link_key(http) == link_key(https) == "//news.example.com/a"


def test_credentials_stay_in_the_link_but_not_in_the_identity() -> None:
    assert (
        normalize_url("https://reader:pw@news.example.com/a")
        == "https://reader:pw@news.example.com/a"
    )
    assert link_key("https://reader:pw@news.example.com/a") == link_key(
        "https://news.example.com/a"
    )


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "ftp://example.com/a",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "/relative/path",
        "https://",
        "https://example.com:99999/a",
        "mailto:a@example.com",
        "news.example.com/a",
    ],
)
def test_invalid_urls_give_a_one_line_reason(bad: str) -> None:
    with pytest.raises(InvalidURLError) as info:
        normalize_url(bad)
    assert str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("name", "value", "tracking"),
    [
        ("utm_content", "x", True),
        ("fbclid", "", True),
        ("ref", "rss", True),
        ("ref", "Twitter", True),
        ("ref", "v2.1", False),
        ("source", "feed", True),
        ("source", "reuters", False),
        ("page", "2", False),
        ("id", "123", False),
    ],
)
def test_is_tracking_param(name: str, value: str, tracking: bool) -> None:
    assert is_tracking_param(name, value) is tracking


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=120))
def test_any_text_is_a_link_or_a_one_line_reason(text: str) -> None:
    try:
        normalize_url(text)
    except InvalidURLError as exc:
        assert "\n" not in str(exc)


_segment = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
_param = st.tuples(st.sampled_from(["id", "utm_source", "page", "ref", "q", "fbclid"]), _segment)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["http", "https", "HTTPS"]),
    st.sampled_from(["news.example.com", "Bücher.example", "EXAMPLE.org.", "[2001:db8::1]"]),
    st.lists(_segment, max_size=4),
    st.lists(_param, max_size=4),
    _segment,
)
def test_normalising_twice_changes_nothing(
    scheme: str, host: str, path: list[str], params: list[tuple[str, str]], fragment: str
) -> None:
    url = f"{scheme}://{host}/" + "/".join(path)
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params)
    url += "#" + fragment
    try:
        once = normalize_url(url)
    except InvalidURLError:
        return
    assert normalize_url(once) == once
    assert link_key(once) == link_key(url)


@pytest.mark.parametrize("bare", ["news.example.com/feed.xml", "/relative/path", "not a url"])
def test_an_address_without_a_scheme_is_told_how_to_write_it(bare: str) -> None:
    with pytest.raises(InvalidURLError) as info:
        normalize_url(bare)
    assert "with https://" in str(info.value) and "'none'" not in str(info.value)
