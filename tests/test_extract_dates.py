"""A page's date comes from its markup, never from a year in the body text."""

from __future__ import annotations

from summarizer.extract import extract

BODY = (
    "<p>The Harrow lighthouse, which was built in 1887, will be restored with money from the "
    "regional council and two local charities, officials said.</p>"
    "<p>Work on the tower and the keeper's cottage is due to take eighteen months, and the "
    "lantern room will reopen to visitors once the glass has been replaced.</p>"
    "<p>The last restoration, in 2003, replaced the roof but left the lantern untouched.</p>"
)


def page(head: str = "") -> str:
    return (
        f"<html><head><title>Harrow lighthouse to be restored</title>{head}</head>"
        f"<body><article><h1>Harrow lighthouse to be restored</h1>{BODY}</article></body></html>"
    )


def test_years_in_the_body_are_not_the_page_date() -> None:
    got = extract(page())
    assert got.paragraphs
    assert got.date is None


def test_the_page_date_comes_from_its_markup() -> None:
    meta = '<meta property="article:published_time" content="2026-05-02T09:00:00Z">'
    assert extract(page(meta)).date == "2026-05-02"
