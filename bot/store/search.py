"""Full-text search over stories: SQLite FTS5 or PostgreSQL tsvector behind one function.

The index covers a story's title, its speakers, its sources' headlines, its lead and key
facts, and its quotes (weighted in about that order). Users' words never reach the engine's
query syntax: the query is parsed here into words, "quoted phrases", `-excluded` words and
`prefix*` words, and each is rebuilt as a quoted FTS5 string or a quoted tsquery lexeme, so
input such as `"`, `AND (` or `-x*` is searched for, not interpreted. Snippets mark matches
with HIGHLIGHT_START/END (private-use characters that feed text does not contain), for
renderers to replace after they have escaped the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Float, Integer, Text, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.types import UTCDateTime

if TYPE_CHECKING:
    from bot.store.store import Store

HIGHLIGHT_START = "\ue000"
HIGHLIGHT_END = "\ue001"
MAX_TERMS = 16
MAX_WORD = 64

_PIECE = re.compile(r"\w+")
_WORD = re.compile(r"\w+(?:[.,'’/-]\w+)*")
"""A word as the user typed it, inner punctuation kept ("6.4", "peru's", "t-minus"): each
engine then splits it as it split the indexed text."""
_TOKEN = re.compile(r'"([^"]*)"?|(-?)(' + _WORD.pattern + r")(\*?)")


_PG_HEADLINE = (
    f'StartSel="{HIGHLIGHT_START}", StopSel="{HIGHLIGHT_END}", MaxWords=30, MinWords=12, '
    'MaxFragments=2, FragmentDelimiter=" … "'
)


@dataclass(frozen=True, slots=True)
class SearchHit:
    story_id: int
    title: str
    url: str | None
    snippet: str
    rank: float
    source_count: int = 0
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Term:
    words: tuple[str, ...]
    negated: bool = False
    prefix: bool = False


def parse_query(query: str) -> list[Term]:
    """Words, "phrases", -negated words and prefix* words; everything else is ignored."""
    terms: list[Term] = []
    for match in _TOKEN.finditer(query):
        phrase, minus, word, star = match.groups()
        if phrase is not None:
            words = tuple(w.casefold()[:MAX_WORD] for w in _WORD.findall(phrase))
            if words:
                terms.append(Term(words))
        elif word:
            terms.append(
                Term((word.casefold()[:MAX_WORD],), negated=minus == "-", prefix=star == "*")
            )
        if len(terms) >= MAX_TERMS:
            break
    return terms


def fts5_match(terms: list[Term]) -> str | None:
    """An FTS5 MATCH expression for `terms`, or None when nothing positive is asked for."""

    def render(term: Term) -> str:
        quoted = '"' + " ".join(term.words).replace('"', '""') + '"'
        return quoted + ("*" if term.prefix else "")

    positive = [render(t) for t in terms if not t.negated]
    if not positive:
        return None
    expr = "(" + " AND ".join(positive) + ")"
    for term in terms:
        if term.negated:
            expr += " NOT " + render(term)
    return expr


def pg_tsquery(terms: list[Term]) -> tuple[str, dict[str, str]] | None:
    """SQL for the tsquery of `terms`, with its bound values; None when nothing positive is
    asked for. Words and phrases go through `phraseto_tsquery`, PostgreSQL's own parser, so
    `6.4` or `t-minus` is read as the index read it (its input is plain text: no operator in it
    means anything); a prefix word becomes quoted lexemes ending in `:*`."""
    params: dict[str, str] = {}
    positive: list[str] = []
    negative: list[str] = []
    for i, term in enumerate(terms):
        key = f"t{i}"
        if term.prefix:
            params[key] = " <-> ".join(f"'{p}'" for p in _PIECE.findall(term.words[0])) + ":*"
            sql = f"to_tsquery('english', :{key})"
        else:
            params[key] = " ".join(term.words)
            sql = f"phraseto_tsquery('english', :{key})"
        (negative if term.negated else positive).append(sql)
    if not positive:
        return None
    return " && ".join(positive + [f"!!{n}" for n in negative]), params


async def search_stories(
    target: Store | AsyncSession,
    query: str,
    *,
    limit: int = 10,
    platform: str | None = None,
    workspace_id: str | None = None,
) -> list[SearchHit]:
    """Stories matching `query`, best first, each with a highlighted snippet.

    With `platform` and `workspace_id`, only stories from feeds the workspace follows.
    """
    if isinstance(target, AsyncSession):
        return await _search(target, query, limit, platform, workspace_id)
    async with target.session(readonly=True) as session:
        return await _search(session, query, limit, platform, workspace_id)


async def _search(
    session: AsyncSession,
    query: str,
    limit: int,
    platform: str | None,
    workspace_id: str | None,
) -> list[SearchHit]:
    terms = parse_query(query)
    scope_sql = ""
    params: dict[str, object] = {"limit": max(1, min(limit, 100))}
    if platform is not None and workspace_id is not None:
        scope_sql = (
            " AND EXISTS (SELECT 1 FROM story_sources ss JOIN subscriptions sub"
            " ON sub.feed_id = ss.feed_id WHERE ss.story_id = s.id"
            " AND sub.platform = :platform AND sub.workspace_id = :workspace_id)"
        )
        params.update(platform=platform, workspace_id=workspace_id)
    elif (platform is None) != (workspace_id is None):
        raise ValueError("give both platform and workspace_id, or neither")
    if session.get_bind().dialect.name == "postgresql":
        tsquery = pg_tsquery(terms)
        if tsquery is None:
            return []
        query_sql, query_params = tsquery
        params.update(query_params, opts=_PG_HEADLINE)
        sql = (
            "SELECT s.id, s.title, s.url, s.source_count, s.created_at,"  # noqa: S608 - constant fragments, values bound
            " ts_rank_cd(s.search_tsv, q.q) AS rank,"
            " ts_headline('english', concat_ws(' … ', s.search_facts, s.search_quotes), q.q, :opts)"
            " AS snippet"
            f" FROM stories s, (SELECT {query_sql} AS q) q"
            " WHERE s.search_tsv @@ q.q" + scope_sql + " ORDER BY rank DESC, s.id DESC LIMIT :limit"
        )
    else:
        match = fts5_match(terms)
        if match is None:
            return []
        params.update(q=match, start=HIGHLIGHT_START, stop=HIGHLIGHT_END)
        sql = (
            "SELECT s.id, s.title, s.url, s.source_count, s.created_at,"  # noqa: S608 - constant fragments, values bound
            " -bm25(stories_fts, 10.0, 6.0, 3.0, 2.0, 8.0) AS rank,"
            " snippet(stories_fts, -1, :start, :stop, ' … ', 16) AS snippet"
            " FROM stories_fts JOIN stories s ON s.id = stories_fts.rowid"
            " WHERE stories_fts MATCH :q"
            + scope_sql
            + " ORDER BY rank DESC, s.id DESC LIMIT :limit"
        )
    typed = text(sql).columns(
        id=Integer,
        title=Text,
        url=Text,
        source_count=Integer,
        created_at=UTCDateTime(),
        rank=Float,
        snippet=Text,
    )
    rows = (await session.execute(typed, params)).all()
    return [
        SearchHit(
            story_id=r.id,
            title=r.title,
            url=r.url,
            snippet=r.snippet or "",
            rank=float(r.rank),
            source_count=r.source_count,
            created_at=r.created_at,
        )
        for r in rows
    ]


__all__ = [
    "HIGHLIGHT_END",
    "HIGHLIGHT_START",
    "SearchHit",
    "parse_query",
    "search_stories",
]
