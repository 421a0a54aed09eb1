"""Feeds: the guarded HTTP fetch, the SSRF guard and feed parsing.

``Fetcher.fetch()`` gets bytes within limits; ``parse_feed()`` turns them into a ``ParsedFeed``.
Polling, scheduling and dedupe build on these two.
"""
