"""Extraction and cleaning: HTML and plain text to title, byline, date and clean paragraphs."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import trafilatura
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.extract import (
    Extracted,
    byline_of,
    clean_paragraphs,
    clean_title,
    date_of,
    extract,
    is_furniture,
    looks_like_html,
    normalize_text,
)

FIXTURES = Path(__file__).parent / "fixtures" / "extract"

FURNITURE = [
    # section labels and breadcrumbs
    "News & Politics",
    "World",
    "Sport",
    "Local News",
    "Middle East",
    "World › Europe",
    "Home | News | Business",
    # photo credits and captions
    "(Rudaw TV via AP)",
    "Photo: Jane Doe/Reuters",
    "Photograph: Sam Roe/The Guardian",
    "Getty Images",
    "AFP via Getty Images",
    "AP Photo/Evan Marsh",
    "Jane Doe/Reuters",
    "REUTERS/Jane Doe",
    "The ferry at the east quay on Friday. (Photo: Tom Reyes/Gazette)",
    "FILE - A man walks past the council offices, March 3, 2025. (AP Photo/Lee Park, File)",
    "Image caption, Crews at the quay on Friday",
    "Image source, Getty Images",
    "Media caption, Watch: the moment the bridge opened",
    "Pictured: The new bridge under construction",
    "Photo by Jane Doe",
    "Photo illustration by the Gazette",
    "Watch live: Council meeting",
    "LIVE: Storm updates",
    # source labels ending with a colon
    "USA Today:",
    "The Associated Press:",
    "READ MORE:",
    # prompts, promotions, chrome
    "Advertisement",
    "ADVERTISEMENT",
    "ADVERTISEMENT - SCROLL TO CONTINUE",
    "Tweet",
    "Thank you for subscribing!",
    "Sponsored content",
    "Share this story",
    "Share this article",
    "Share on Facebook",
    "Facebook Twitter Email",
    "Copy link",
    "Subscribe to our newsletter",
    "Subscribe to our newsletter for the latest local news.",
    "Sign up",
    "Sign up for the Morning Briefing newsletter",
    "Get our free newsletter delivered to your inbox every morning",
    "Related: Island school closes early as ferries halt",
    "Related Topics",
    "Related stories",
    "Read more",
    "Read more: How the strike unfolded",
    "Continue reading",
    "Click here to read the full report",
    "Join the conversation as a Gazette Member",
    "Become a member today",
    "Already a subscriber? Log in",
    "Skip to content",
    "Story continues below advertisement",
    "Most read",
    "Trending",
    "You may also like",
    "Recommended",
    "Follow us on Twitter",
    "Download the Gazette app",
    "Loading...",
    "Listen to this article",
    "Topics: Ferries, Strikes",
    "https://example.com/story",
    "— Jane Doe (@janedoe) March 14, 2026",
    # cookie notices and legal lines
    "We use cookies to improve your experience. Accept all cookies",
    "This website uses cookies. By continuing to browse you agree to our cookie policy.",
    "Accept all cookies",
    "Manage preferences",
    "Privacy policy | Terms of use",
    "© 2026 Porthaven Gazette. All rights reserved.",
    "Copyright 2026 The Gazette",
    # bylines, timestamps, agency footers
    "By Jane Doe",
    "By JANE DOE, Associated Press",
    "By Jane Doe and Sam Roe | Reuters",
    "By Jane Doe, Political Correspondent",
    "Updated 3:45 PM EST",
    "Published 9:30 AM GMT, March 14, 2026",
    "March 14, 2026",
    "14 March 2026",
    "Fri 14 Mar 2026 09.30 GMT",
    "2 hours ago",
    "5 min read",
    "Last updated on 14 March 2026",
    "Reporting by Jane Doe; Editing by Sam Roe",
    "Associated Press writer Sam Roe in London contributed to this report.",
    # no words at all
    "* * *",
    "———",
    "🔥🔥",
]

REAL = [
    "Share prices fell 4% on Monday.",
    "Advertisement revenue fell 12% in the quarter.",
    "Sign up rates for the scheme doubled, the ministry said.",
    "Photo radar cameras will be installed on the bridge.",
    "Related charges were dropped in May.",
    "By Friday, the strike had ended.",
    "By then, the ferries were running again.",
    "By 2030, the bridge will carry 40,000 cars a day.",
    "By Design, the new studio, opens in May.",
    "World leaders met in Oslo.",
    "World Cup tickets go on sale in May.",
    "Sport England said funding would rise.",
    "Subscribers to the service will pay more from June.",
    "Read more slowly, the judge told the clerk.",
    "Photos by the river show the flooding.",
    "Watch parties were held across the city.",
    "Thank you for your patience, the airline told passengers.",
    "Live updates were posted by the council every hour.",
    "Updated figures show 3,000 people were affected.",
    "Reuters reported the deal on Monday.",
    "Getty Images said it would appeal the ruling.",
    "The cookies were sold out by noon.",
    "The hearing was held on Monday (via video link).",
    "The photo was taken by a passer-by.",
    "Copyright law was reformed in 2019.",
    "Register offices will close on Monday.",
    "Police are investigating.",
    "It was not.",
    "He denied it.",
    "Nobody was hurt.",
    "Prices rose.",
    "Politics.",
    "The vote was 9-2.",
    "The union said:",
    "Ms Velt added:",
    "She said:",
    "In a statement, Isles Link said:",
    "Unlock the potential of the port, the report urged.",
    "Share the cost, the mayor said.",
    "Subscribe now, the advert urged viewers.",
    "Join the queue early, organisers advised.",
    "Follow the money, the auditor said.",
    "Breaking the law is not an option, she said.",
    "Top officials met on Tuesday.",
    "Live music returns to the quay in June.",
    "The council published its accounts on March 14, 2026.",
    "The news came as a shock to residents.",
    "McDonald's, iPhone and PlayStation sales rose, said DeSantis and O'Neill.",
    "Prices: £4.50, $3 and €2 (+5%).",
    "AC/DC, U2 and R.E.M. will headline the festival.",
    "中国经济增长放缓。",
    "中国国家统计局周一公布的数据显示，今年第一季度国内生产总值同比增长百分之五点三，高于市场预期。",
    "東京都は月曜日、新しい防災計画を発表し、避難所の数を二倍に増やす方針を明らかにした。",
    "Цены выросли на 5%.",
    "«Nous avons gagné», a-t-il dit.",
]


@pytest.mark.parametrize("line", FURNITURE)
def test_furniture_line_is_recognised(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize("line", REAL)
def test_real_text_is_not_furniture(line: str) -> None:
    assert not is_furniture(line)


def test_real_one_line_paragraphs_survive_extraction() -> None:
    source = "\n\n".join(REAL)
    got = extract(source, title="Ferry strike ends")
    assert got.paragraphs == REAL


def test_furniture_never_reaches_the_paragraphs() -> None:
    source = "\n".join(
        ["The ferry strike ended on Friday.", *FURNITURE, "Crossings resume on Monday."]
    )
    got = extract(source, title="Ferry strike ends")
    assert got.paragraphs == ["The ferry strike ended on Friday.", "Crossings resume on Monday."]


def test_news_page_keeps_metadata_and_drops_chrome() -> None:
    got = extract((FIXTURES / "article_news.html").read_text(encoding="utf-8"))
    assert got.title == "Harbour ferry strike ends after pay deal"
    assert got.byline == "Jane Okoro"
    assert got.date == "2026-03-14"
    assert got.paragraphs[0].startswith("Ferry crews in Porthaven voted")
    assert any(p.startswith("“This is a fair result") for p in got.paragraphs)
    assert got.paragraphs[-1] == (
        "Islanders had relied on a single council launch for medical trips since March 5."
    )
    text = "\n".join(got.paragraphs)
    for chrome in [
        "cookies",
        "Advertisement",
        "Share this",
        "newsletter",
        "Related",
        "©",
        "Local News",
        "Photo:",
        "Harbour ferry strike ends after pay deal",
    ]:
        assert chrome not in text


def test_wire_page_drops_captions_credits_and_prompts_but_keeps_short_real_lines() -> None:
    got = extract((FIXTURES / "article_wire.html").read_text(encoding="utf-8"))
    assert got.title == "Flood barrier fails as river hits record level"
    assert got.byline == "Sam Roe"
    assert got.paragraphs == [
        "A temporary flood barrier in the river town of Elmbridge gave way on Tuesday after the "
        "water rose to 6.2 metres, the highest level since records began in 1871.",
        "About 300 homes were evacuated overnight, the county council said.",
        "Nobody was hurt.",
        "“The barrier did what it could, but the river simply went over the top,” said Dr. "
        "Hannah Cole, the council’s chief engineer.",
        "By Friday, engineers hope to have a second line of defences in place.",
    ]
    assert any("AP Photo/Lee Park" in line for line in got.furniture)


def test_page_structure_headings_lists_quotes_and_line_breaks() -> None:
    got = extract((FIXTURES / "article_structure.html").read_text(encoding="utf-8"))
    assert got.title == "Storm hits coast"
    assert got.headings == ["What we know"]
    assert got.paragraphs == [
        "Crews say power should return by Wednesday.",
        "A storm hit the coast on Monday, cutting power to 40,000 homes across the region and "
        "closing three ports.",
        "Winds reached 120 km/h at the harbour",
        "Two people were injured by falling trees",
        "“We have never seen waves like it,” said harbour master Jo Price.",
        "The sea wall held at Eastcliff but not at the old pier, the council said.",
        "Crews expect to restore power by Wednesday evening, the utility company said in a "
        "statement.",
    ]


def test_plain_text_bullets_are_separate_paragraphs_without_markers() -> None:
    source = "Storm latest\n\n- Winds reached 120 km/h\n• Two people were hurt\n* Ports shut"
    assert extract(source).paragraphs == [
        "Winds reached 120 km/h",
        "Two people were hurt",
        "Ports shut",
    ]


def _plain_fixture() -> tuple[str, list[str]]:
    lines = [
        line
        for line in (FIXTURES / "plain_furniture.txt").read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    ]
    keep = [line.removesuffix(" [keep]") for line in lines if line.endswith(" [keep]")]
    return "\n".join(line.removesuffix(" [keep]") for line in lines), keep


def test_plain_text_with_furniture() -> None:
    source, keep = _plain_fixture()
    got = extract(source)
    assert got.title == "Library reopens after two-year rebuild"
    assert got.byline == "Priya Nand"
    assert got.paragraphs == keep


def test_repeated_headline_is_the_title_not_a_paragraph() -> None:
    source = "Council approves bridge\n\nCouncil approves bridge\n\nThe council voted 9-2."
    got = extract(source)
    assert got.title == "Council approves bridge"
    assert got.paragraphs == ["The council voted 9-2."]
    given = extract(
        "Council Approves Bridge.\nThe council voted 9-2.", title="Council approves bridge"
    )
    assert given.title == "Council approves bridge"
    assert given.paragraphs == ["The council voted 9-2."]


def test_reworded_headline_at_the_top_is_dropped_when_the_title_is_known() -> None:
    source = "Harbour ferry strike ends after pay deal\n\nFerry crews voted on Friday."
    got = extract(source, title="Ferry strike ends with pay deal")
    assert got.paragraphs == ["Ferry crews voted on Friday."]
    other = extract("Ferry timetable\n\nCrews voted.", title="Ferry strike ends with pay deal")
    assert other.paragraphs == ["Ferry timetable", "Crews voted."]


def test_a_sentence_at_the_top_is_not_taken_for_a_headline() -> None:
    got = extract("The council voted 9-2 on Tuesday.\nWork starts in May.")
    assert got.title is None
    assert got.paragraphs == ["The council voted 9-2 on Tuesday.", "Work starts in May."]
    single = extract("Council approves bridge")
    assert single.paragraphs == ["Council approves bridge"]


def test_title_loses_the_site_name() -> None:
    assert clean_title("Bridge approved | Valley Courier") == "Bridge approved"
    assert clean_title("Bridge approved - Valley Courier", sitename="Valley Courier") == (
        "Bridge approved"
    )
    assert clean_title("Pay deal - what happens next") == "Pay deal - what happens next"
    assert clean_title("  ") is None


def test_byline_names() -> None:
    assert byline_of("By Jane Doe and Sam Roe, Reuters") == "Jane Doe and Sam Roe"
    assert byline_of("BY JANE DOE") == "JANE DOE"
    assert byline_of("By Friday, the strike had ended.") is None
    assert byline_of("By Monday") is None
    assert byline_of("The council met on Tuesday.") is None


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("Updated 9:30 AM GMT, March 14, 2026", "2026-03-14"),
        ("Published 8:05 AM GMT, Sat 7 March 2026", "2026-03-07"),
        ("Fri 14 Mar 2026 09.30 GMT", "2026-03-14"),
        ("Sept. 3, 2025", "2025-09-03"),
        ("2026-03-07", "2026-03-07"),
        ("Feb 30 2026", None),
        ("The council met on March 14, 2026.", None),
    ],
)
def test_date_of_a_timestamp_line(line: str, iso: str | None) -> None:
    assert date_of(line) == iso


def test_plain_text_date_comes_from_its_timestamp_line() -> None:
    source, _ = _plain_fixture()
    assert extract(source).date == "2026-03-07"


def test_normalisation_of_entities_spaces_and_invisible_characters() -> None:
    raw = "Ferry&nbsp;strike &amp; pay\u2019s deal\u200b ends\u00ad.\r\nCrews\u00a0\u202fvoted\x07."
    assert normalize_text(raw) == "Ferry strike & pay’s deal ends.\nCrews voted."
    got = extract("The\u00a0council\ufeff voted &#8220;yes&#8221;.\n\nIt\u2060 adjourned.")
    assert got.paragraphs == ["The council voted “yes”.", "It adjourned."]


def test_hard_wrapped_plain_text_is_joined_into_paragraphs() -> None:
    source = (
        "Bridge approved after long delay\n"
        "\n"
        "The city council voted on Tuesday to approve a new bridge across the\n"
        "harbour, ending ten years of disputes over its cost and its route\n"
        "through the old docks.\n"
        "\n"
        "Work starts in March and should take\n"
        "four years.\n"
    )
    got = extract(source)
    assert got.title == "Bridge approved after long delay"
    assert got.paragraphs == [
        "The city council voted on Tuesday to approve a new bridge across the harbour, ending "
        "ten years of disputes over its cost and its route through the old docks.",
        "Work starts in March and should take four years.",
    ]


def test_sentence_per_line_text_keeps_each_line() -> None:
    source = "Headline here\n\nFirst sentence ends here.\nSecond one starts anew.\n"
    assert extract(source).paragraphs == ["First sentence ends here.", "Second one starts anew."]


def test_duplicate_paragraphs_are_kept_once() -> None:
    source = "Title line\n\nThe vote was close.\nIt passed.\nThe vote was close.\n"
    assert extract(source).paragraphs == ["The vote was close.", "It passed."]


def test_clean_paragraphs_keeps_its_interface() -> None:
    title, paragraphs = clean_paragraphs(
        ["Bridge approved", "Advertisement", "It passed 9-2."], title=None
    )
    assert title == "Bridge approved"
    assert paragraphs == ["It passed 9-2."]


def test_html_is_recognised_and_plain_text_with_angle_brackets_is_not() -> None:
    assert looks_like_html("<!DOCTYPE html><html><body><p>Hi there.</p></body></html>")
    assert looks_like_html("<p>A fragment.</p>")
    assert looks_like_html("<html><body><p>Never closed")
    assert not looks_like_html("Profits < costs, the report said.\nThe firm > rivals.")
    assert extract("Profits < costs, the report said.").paragraphs == [
        "Profits < costs, the report said."
    ]


def test_html_fragment_that_trafilatura_declines_falls_back_to_blocks() -> None:
    got = extract("<p>Ferry strike ends.</p><p>Crews voted on Friday to accept the deal.</p>")
    assert got.paragraphs == ["Ferry strike ends.", "Crews voted on Friday to accept the deal."]


def test_trafilatura_failure_degrades_to_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("simulated parser failure")

    monkeypatch.setattr(trafilatura, "bare_extraction", broken)
    got = extract("<html><body><p>The council voted on Tuesday.</p></body></html>")
    assert got.paragraphs == ["The council voted on Tuesday."]


def test_deeply_nested_html_does_not_raise() -> None:
    source = "<div>" * 20_000 + "<p>Deep text survives.</p>" + "</div>" * 20_000
    assert extract(source).paragraphs == ["Deep text survives."]


@pytest.mark.parametrize(
    "source",
    [
        "",
        "   \n\n  ",
        "\x00\x00",
        b"",
        "<html></html>",
        "<html><script>var x=1;</script></html>",
        "<?xml version='1.0'?><rss></rss>",
        "<<<<>>>>",
        "&amp;&lt;&gt;",
    ],
)
def test_empty_or_contentless_input_gives_no_paragraphs(source: str | bytes) -> None:
    got = extract(source)
    assert isinstance(got, Extracted)
    assert got.paragraphs == []


@pytest.mark.parametrize("encoding", ["latin-1", "utf-8"])
def test_binary_garbage_gives_no_paragraphs(encoding: str) -> None:
    rng = random.Random(7)
    garbage = bytes(rng.randrange(256) for _ in range(50_000))
    assert extract(garbage.decode(encoding, errors="replace")).paragraphs == []
    assert extract(garbage).paragraphs == []


def test_bytes_are_decoded() -> None:
    assert extract("Crews voted.\nCafé reopens.".encode()).paragraphs == [
        "Crews voted.",
        "Café reopens.",
    ]


def test_huge_input_is_cut_at_a_line_and_still_extracted() -> None:
    line = "Line {} of the council minutes was read aloud."
    source = "\n".join(line.format(i) for i in range(80_000))
    got = extract(source)
    assert got.paragraphs[0] == line.format(0)
    assert all(p.endswith("read aloud.") for p in got.paragraphs)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=600))
def test_plain_text_never_raises_and_paragraphs_come_from_the_input(text: str) -> None:
    got = extract(text)
    if looks_like_html(text):
        return
    flat = "".join(normalize_text(text).split())
    for paragraph in got.paragraphs:
        assert "".join(paragraph.split()) in flat


_TAGS = st.sampled_from(["p", "div", "span", "article", "h1", "li", "script", "b", "figure"])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(_TAGS, st.text(max_size=40)), max_size=12))
def test_arbitrary_html_never_raises(parts: list[tuple[str, str]]) -> None:
    body = "".join(f"<{tag}>{text}</{tag}>" for tag, text in parts)
    got = extract(f"<html><body>{body}</body></html>")
    assert all(isinstance(p, str) and p.strip() for p in got.paragraphs)
