"""Entry identity: guid, then normalised link, then content hash; edits update, never re-post."""

from __future__ import annotations

from bot.stories.dedupe import (
    EntryKeys,
    KnownEntry,
    KnownIndex,
    Match,
    MatchKind,
    content_hash,
    entry_keys,
    match_entries,
    match_entry,
)

BODY = (
    "The council approved the new tram line on Tuesday after a four hour debate, "
    "with construction due to start in the spring and finish within three years."
)


def keys(
    guid: str | None = "g-1",
    link: str | None = "https://news.example.com/tram",
    title: str = "Council approves tram line",
    content: str = BODY,
) -> EntryKeys:
    return entry_keys(guid=guid, link=link, title=title, content=content)


def known(entry_id: int, k: EntryKeys) -> KnownEntry:
    return KnownEntry(id=entry_id, guid=k.guid, link_key=k.link_key, content_hash=k.content_hash)


def test_entry_keys_normalise_link_and_guid() -> None:
    k = keys(guid="  g-1 \n", link="HTTP://News.Example.com/tram/?utm_source=rss#top")
    assert k.guid == "g-1"
    assert k.link == "http://news.example.com/tram"
    assert k.link_key == "//news.example.com/tram"
    assert k.distinctive


def test_entry_keys_without_usable_link_or_text() -> None:
    k = entry_keys(guid="", link="javascript:void(0)", title=None, content="  ")
    assert k == EntryKeys(None, None, None, None, False)


def test_content_hash_ignores_markup_case_and_spacing() -> None:
    plain, n = content_hash("Council approves", "The council  approved it.")
    marked, m = content_hash("COUNCIL approves", "<p>The <b>council</b>\napproved it.</p>")
    assert plain == marked and n == m == 6
    assert content_hash("Council approves", "The council rejected it.")[0] != plain


def test_unknown_entry_is_new() -> None:
    assert match_entry(keys(), KnownIndex([])) == Match(MatchKind.NEW)


def test_same_guid_same_content_is_same() -> None:
    k = keys()
    assert match_entry(k, KnownIndex([known(5, k)])) == Match(MatchKind.SAME, 5, "guid")


def test_same_guid_changed_content_is_edited() -> None:
    stored = known(5, keys())
    edited = keys(content=BODY.replace("four hour", "six hour"))
    assert match_entry(edited, KnownIndex([stored])) == Match(MatchKind.EDITED, 5, "guid")


def test_edited_title_is_an_edit() -> None:
    stored = known(5, keys())
    assert match_entry(keys(title="Tram line approved"), KnownIndex([stored])).kind == "edited"


def test_changed_guid_same_link_is_the_same_entry() -> None:
    stored = known(9, keys(guid="urn:fetch-1"))
    again = keys(guid="urn:fetch-2", link="https://news.example.com/tram?utm_campaign=z")
    assert match_entry(again, KnownIndex([stored])) == Match(MatchKind.SAME, 9, "link")


def test_changed_guid_same_link_edited_content_is_edited() -> None:
    stored = known(9, keys(guid="urn:fetch-1"))
    again = keys(guid="urn:fetch-2", content=BODY + " Fares will match the buses.")
    assert match_entry(again, KnownIndex([stored])) == Match(MatchKind.EDITED, 9, "link")


def test_http_and_https_links_are_one_entry() -> None:
    stored = known(3, keys(guid=None, link="http://news.example.com/tram"))
    again = keys(guid=None, link="https://news.example.com/tram/")
    assert match_entry(again, KnownIndex([stored])).existing_id == 3


def test_new_guid_and_link_same_long_content_is_same() -> None:
    stored = known(4, keys(guid="a", link="https://news.example.com/tram?session=1"))
    again = keys(guid="b", link="https://news.example.com/tram?session=2")
    assert match_entry(again, KnownIndex([stored])) == Match(MatchKind.SAME, 4, "content")


def test_short_identical_text_is_not_an_identity() -> None:
    stored = known(4, keys(guid="day-1", link=None, title="Morning briefing", content=""))
    again = keys(guid="day-2", link=None, title="Morning briefing", content="")
    assert not again.distinctive
    assert match_entry(again, KnownIndex([stored])).kind is MatchKind.NEW


def test_guid_outranks_link() -> None:
    by_guid = known(1, keys(guid="g-1", link="https://news.example.com/old"))
    by_link = known(2, keys(guid="g-2", link="https://news.example.com/tram"))
    assert match_entry(keys(), KnownIndex([by_link, by_guid])).existing_id == 1


def test_older_entry_answers_when_two_share_a_key() -> None:
    index = KnownIndex([known(8, keys(guid="x")), known(3, keys(guid="y"))])
    assert match_entry(keys(guid="z"), index).existing_id == 3


def test_batch_with_a_guid_reused_for_every_item() -> None:
    guid = "https://news.example.com/"
    batch = [
        keys(guid=guid, link="https://news.example.com/a", title="Tram", content=BODY),
        keys(guid=guid, link="https://news.example.com/b", title="Budget", content=BODY + " B"),
        keys(guid=guid, link="https://news.example.com/c", title="Weather", content=BODY + " C"),
    ]
    stored = known(1, batch[0])
    results = match_entries(batch, KnownIndex([stored]))
    assert [r.kind for r in results] == [MatchKind.SAME, MatchKind.NEW, MatchKind.NEW]
    assert results[0].via == "link"


def test_batch_with_every_item_linking_to_the_homepage() -> None:
    home = "https://news.example.com/"
    batch = [
        keys(guid="a", link=home, title="Tram", content=BODY),
        keys(guid="b", link=home, title="Budget", content=BODY + " B"),
    ]
    stored = known(1, keys(guid="zzz", link=home, title="Old", content=BODY + " old"))
    assert [r.kind for r in match_entries(batch, KnownIndex([stored]))] == [
        MatchKind.NEW,
        MatchKind.NEW,
    ]


def test_item_repeated_within_a_batch_is_a_repeat() -> None:
    batch = [keys(), keys(guid="g-1b"), keys(guid="other", link="https://news.example.com/x")]
    results = match_entries(batch, KnownIndex([]))
    assert results[0].kind is MatchKind.NEW
    assert results[1] == Match(MatchKind.REPEAT, repeat_of=0)
    assert results[2].kind is MatchKind.REPEAT


def test_batch_keeps_a_guid_shared_only_by_identical_items() -> None:
    batch = [keys(), keys()]
    stored = known(7, keys(link="https://news.example.com/moved"))
    results = match_entries(batch, KnownIndex([stored]))
    assert results[0] == Match(MatchKind.SAME, 7, "guid")


class CountingLookup:
    """A store-like lookup (the protocol, not KnownIndex) that records what it was asked."""

    def __init__(self, entry: KnownEntry) -> None:
        self.entry = entry
        self.asked: list[str] = []

    def by_guid(self, guid: str) -> KnownEntry | None:
        self.asked.append("guid")
        return self.entry if guid == self.entry.guid else None

    def by_link_key(self, link_key: str) -> KnownEntry | None:
        self.asked.append("link")
        return self.entry if link_key == self.entry.link_key else None

    def by_content_hash(self, content_hash: str) -> KnownEntry | None:
        self.asked.append("content")
        return self.entry if content_hash == self.entry.content_hash else None


def test_lookup_protocol_is_asked_in_order_and_stops_at_first_hit() -> None:
    lookup = CountingLookup(known(2, keys(guid="old")))
    assert match_entry(keys(guid="new"), lookup).existing_id == 2
    assert lookup.asked == ["guid", "link"]
