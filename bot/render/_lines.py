"""Fitting whole lines into a character budget, so markup (links) is never cut in half."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.render.text import truncate


def more_note(n: int) -> str:
    return f"…and {n} more"


def fit_lines(
    lines: Sequence[str],
    limit: int,
    *,
    sep: str = "\n",
    cuttable: bool = False,
    more: Callable[[int], str] = more_note,
) -> tuple[str, int]:
    """Join as many whole lines as fit in `limit` characters; returns (text, lines used).

    When some lines are left out, a note ("…and 3 more") takes their place if it fits. With
    `cuttable`, the first line that does not fit is truncated instead of dropped (only for
    lines without markup that a cut could break).
    """
    out: list[str] = []
    used = 0
    size = 0
    for i, line in enumerate(lines):
        extra = len(line) + (len(sep) if out else 0)
        rest = len(lines) - i - 1
        reserve = len(sep) + len(more(rest)) if rest else 0
        if size + extra + reserve <= limit:
            out.append(line)
            size += extra
            used += 1
            continue
        if cuttable:
            room = limit - size - (len(sep) if out else 0) - reserve
            if room >= 20:
                out.append(truncate(line, room))
                size += room + (len(sep) if len(out) > 1 else 0)
                used += 1
        break
    left = len(lines) - used
    if left:
        note = more(left)
        if note and size + len(sep) + len(note) <= limit:
            out.append(note)
    text = sep.join(out)
    return (text if len(text) <= limit else truncate(text, limit)), used
