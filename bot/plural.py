"""Counts in words: "1 item", "2 items", "1 story", "3 stories"."""

from __future__ import annotations

_VOWELS = frozenset("aeiou")


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`n` and the noun in the number it needs; `plural` for nouns not made regularly."""
    return f"{n} {noun if n == 1 else plural or plural_of(noun)}"


def plural_of(noun: str) -> str:
    if noun.endswith("y") and noun[-2:-1] not in _VOWELS:
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    return noun + "s"
