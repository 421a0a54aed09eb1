"""Reading the attribution beside a quote: who the sentence says spoke.

Two places are read, both outside quote marks:

* after the closing mark: `“…,” Smith said`, `“…,” said Jane Doe, a lawyer`,
  `“…?” she asked`, `“…,” the ministry said in a statement`, `, according to X`;
* before the opening mark: `Smith said: “…”`, `In a statement, the ministry
  said: “…”`, `She described it as “…”`, `According to X, “…”`.

The result is a SpeakerRef (a name run, a pronoun or a role phrase such as "a
spokeswoman for the ministry"); speakers.Registry turns it into a person or an
organisation. Indirect speech (`Smith said that the plan…`) has no marks and
is never read as a quote.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from summarizer.speaker_words import (
    ABBREVIATIONS,
    AUXILIARIES,
    DEMONYMS,
    DOCUMENTS,
    GENERIC_ORGS,
    ING_VERBS,
    LY_NOUNS,
    ORG_HEADS,
    OUTLETS,
    PLACES,
    PRONOUNS,
    ROLE_NOUNS,
    SENTENCE_OPENERS,
    SPEECH_VERBS,
    TITLES,
)
from summarizer.speakers import Run, classify, describes, find_runs, split_titles

_VERB = re.compile(
    r"\b(?:" + "|".join(sorted(SPEECH_VERBS, key=len, reverse=True)) + r")\b"
    r"|\b[Aa]ccording to\b|\bput it\b"
    r"|(?:(?<=statement )|(?<=letter )|(?<=message )|(?<=notice )|(?<=memo ))read\b"
)
_WORD = re.compile(r"[\w’'.-]+")
_BREAK = re.compile(r"([\w.]*)[.!?]+[”\"’']?(?:\s+(?=\S)|\s*$)")
_PREPOSITIONS = (
    *("for", "of", "at", "from", "with", "on", "in", "to", "by"),
    *("outside", "inside", "near", "after", "before", "during", "behind", "beside"),
)
_SPOKES = (
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "representative",
    "statement",
    "spokespeople",
)
_LIMIT = 240
_ROLE_HEADS = ROLE_NOUNS | TITLES | GENERIC_ORGS | ORG_HEADS
_HYPHEN_NAME = re.compile(r"(?:al|el|bin|ibn|abu|ul|ben)-[A-Z]")
_FILLERS = frozenset(
    re.findall(
        r"\w+",
        "but and yet so however meanwhile still now then also instead separately similarly as"
        " likewise finally indeed",
    )
)
_CLAUSE_WORD = re.compile(
    r"\b(?:that|what|who|which|because|as|when|while|and|but|after|before|if|since|where)\s"
)
_NOT_MODIFIERS = frozenset(
    [*_PREPOSITIONS, "who", "whose", "which", "that", "and", "or", "but", "said", "says", "told"]
)
_COMMON_VERBS = frozenset(
    re.findall(
        r"\w+",
        "met told beat hit saw took left won lost led sent gave made let put set got ran became "
        "thanked and or but is was has had will would can could may might were are be been",
    )
)
_QUALIFIED_NAME = re.compile(
    r"(\s*[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){1,3})\s+(?:at|of|from|with|in|for)\s"
)
"""'according to Ana Ruiz at the … Research Reserve in …': the name before its long
qualifier."""
_REPORTED = re.compile(r"\s*(?:[A-Za-z]+\s+){0,2}that\b")
_NEW_CLAUSE = re.compile(r"(?:while|whereas|although|though|but|and|as|when)\b", re.IGNORECASE)
_NOUN_MARKERS = frozenset(
    re.findall(
        r"\w+", "his her their its the a an our my your these those such whose this that any"
    )
)
_FRONTED = re.compile(
    r"\s*(?:In|On|At|After|Before|During|Under|Since|Following|Throughout)\b.*?"
    r"\b((?:the|a|an)\s+(?:(?!(?:the|a|an|of|for|on|in|at)\b)[\w-]+\s+){0,2}[\w-]+)\s*$"
)
_TIMESTAMP = r"(?:\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?|GMT|BST|ET|CET)?\s*[-–—:|]?\s*)"
_LABEL = re.compile(
    r"\s*" + _TIMESTAMP + r"?([A-Z][\w’'.-]*(?:\s+(?:[A-Z][\w’'.-]*|al-\w+|de|van|von|la)){0,3})"
    r"\s*:\s*"
)
_LEADING_STAMP = re.compile(r"\s*" + _TIMESTAMP + r"(?=[A-Za-z])")
_INFINITIVE = re.compile(
    r"\s+(?:(?:was|were|is|are|went|has|had|have)\s+)?"
    r"(?:[a-z]+ed|on|quick|keen|yet|due|able|going|set|about|wants|refuses|declines)\s+to\s*$"
)
_ADDRESSING = frozenset(
    re.findall(r"\w+", "told tells asked asks urged urges warned warns assured informed reminded")
)
"""Verbs of saying whose object, not subject, follows them ('…, she told the BBC')."""
_INVERTED_SAYING = frozenset(
    v.capitalize() for v in SPEECH_VERBS if v.endswith(("ed", "s")) and v != "said"
)
"""'Added Dawn Turner Trice, a columnist: “…”': a verb of saying opening a sentence
before the name (not 'Said', also a given name)."""
_PLACES_BARE = frozenset(p.rstrip(".") for p in PLACES)
"""'B.C.'s top doctor said': a place's role is the speaker, not the place."""
_THIRD_PERSON = frozenset(("he", "she", "it", "they"))
"""'The statement noted they had said …': the pronoun after an inner verb is the
subject of the verb of saying."""
_INVERTED = frozenset(
    re.findall(r"\w+", "does did do is was are were will would can could has have had should")
)
_UNNAMED_OBJECT = re.compile(
    r"\b(?:to|told|asked|with|from)\s+(?P<np>(?:an?|one)\s+(?:[\w.-]+\s+){0,3}?"
    r"(?P<noun>[a-z]+))(?=,\s+who\b|\s*[.,;]|\s+(?:who|that)\b)"
)
_APPOSED_TO_INNER = re.compile(
    r"(?:[Aa]n?|[Oo]ne)\s+[\w-]+\s+(?:to|for|of|at|with)\s+(?:the|a|an|his|her|its|their)\s+"
    r"(?:[\w-]+\s+){0,2}(?P<noun>[\w-]+)"
)
_DATELINE = re.compile(r"\s*[A-Z][A-Z .,'’-]{2,40}(?:\([\w ]{1,20}\))?\s*[-–—]\s+")
_HEADLINE = re.compile(r"\s*:\s+((?:[\w'’.-]+\s+){0,3}?[\w'’.-]+)\s+[a-z]+s\b")
_LISTED_BODY = re.compile(
    r"\b[A-Z][a-z]+ (?:for|of) (?:the )?[A-Z][\w-]*(?:, [A-Z][\w-]*)+,? and [A-Z][\w-]*"
    r"(?: [A-Z][\w-]*)?"
)
"""'Department for Environment, Food and Rural Affairs': commas inside a name."""
_ISSUER = re.compile(
    r"\s*((?:[Tt]he|[Aa]n?|[Hh]is|[Hh]er|[Ii]ts|[Tt]heir)\s+(?:[\w'’-]+\s+){0,3}?[\w'’-]+)"
    r"\s+(?:[a-z]+ly\s+)?(?:issued|released|gave|posted|published|sent|put\s+out|shared|"
    r"made|offered|read\s+out)\s+(?:a|an|the|this|their|its|his|her)\b[^:]*:?\s*$"
)
_DOTTED = re.compile(r"(?:[a-z]\.)+[a-z]$")
_RELATIVE_START = re.compile(r"(?:who|which|whose|that)\b")
_RELATIVE_END = re.compile(r"^(?:[A-Z][\w.'’-]*\s+){1,3}[A-Z][\w.'’-]*$")
"""A segment that is a name and nothing else ('… , who chairs it, Jane Doe said')."""
_BE = frozenset(["was", "were", "is", "are", "be", "been", "being"])
_RELATIVE_BEFORE = re.compile(r"\b(?:who|which|that)\s+(?:\w+\s+)?$")
_DETERMINERS = frozenset(
    ["the", "a", "an", "its", "his", "her", "their", "our", "my", "your", "one", "another"]
)
_COORDINATORS = frozenset(["and", "but", "then", "and then", "but then", "before", "and later"])


@dataclass(frozen=True, slots=True)
class SpeakerRef:
    """Who the attribution names: kind is 'name', 'pronoun' or 'role'.

    `offset` is where the phrase sits in the paragraph; `tokens` is the name
    run for names; `head` the noun to resolve for roles ('ministry'); `spokes`
    marks words spoken for someone else ('a spokeswoman for the ministry …
    she said' gives the ministry; 'a statement on his behalf … it said' gives
    him), so the pronoun need not agree with the speaker given; `says` marks the
    subject of a saying verb in the paragraph before a quote.
    """

    kind: str
    text: str
    offset: int
    tokens: tuple[str, ...] = ()
    head: str = ""
    spokes: bool = False
    says: bool = False


def _speech_verbs(text: str) -> Iterator[re.Match[str]]:
    """Speech verbs of `text`, not the nouns spelt the same ('his comments',
    'the claims', 'her remarks', 'Bill Clinton’s comments')."""
    for m in _VERB.finditer(text):
        before = text[max(0, m.start() - 12) : m.start()].split()
        if before and (before[-1].lower() in _NOUN_MARKERS or before[-1].lower() in _BE):
            continue
        if before and before[-1][-2:] in ("'s", "’s") and m.group()[-1:] == "s":
            continue
        yield m


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _last_break(text: str) -> int:
    """Offset just after the last sentence break in `text` (0 when none)."""
    cut = 0
    for m in _BREAK.finditer(text):
        word = m.group(1).lower().rstrip(".")
        if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or _DOTTED.match(word):
            continue
        cut = m.end()
    return cut


def _first_break(text: str) -> int:
    """Offset of the first sentence break in `text` (len(text) when none)."""
    for m in _BREAK.finditer(text):
        word = m.group(1).lower().rstrip(".")
        if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or _DOTTED.match(word):
            continue
        return m.start() + len(m.group(1))
    return len(text)


def _strip_aux(phrase: str) -> str:
    words = phrase.split()
    while words and (
        words[-1] in AUXILIARIES
        or (
            words[-1].islower()
            and words[-1].endswith("ly")
            and not (
                words[-1] in LY_NOUNS and len(words) > 1 and words[-2].lower() in _NOUN_MARKERS
            )
        )
    ):
        words.pop()
    return " ".join(words)


def _org_headed(segment: str) -> bool:
    runs = find_runs(segment)
    return bool(runs) and runs[0].start == 0 and classify(runs[0].tokens) == "org"


def _headed_by_name(segment: str) -> bool:
    segment, _ = _drop_fillers(segment, 0)
    words = segment.split()
    if not words:
        return False
    if words[0].lower() in PRONOUNS:
        return True
    runs = find_runs(segment)
    if not runs or segment.find(runs[0].tokens[0]) != 0:
        return False
    if len(runs) > 1 and runs[-1].end >= len(segment.rstrip()) and _person_like(runs[-1].tokens):
        ref = _parse_segment(segment, 0)
        if ref is not None and ref.kind == "name" and _person_like(ref.tokens):
            return True
    after = re.match(r"\s+([a-z][\w-]*)", segment[runs[0].end :])
    return after is None or after.group(1) in _NOT_MODIFIERS


def parse_subject(phrase: str, offset: int, *, before_verb: bool) -> SpeakerRef | None:
    """The speaker named by `phrase`, the words before (or after) a speech verb."""
    listed = _LISTED_BODY.search(phrase)
    phrase = _LISTED_BODY.sub(lambda m: m.group().replace(",", " "), phrase)
    segments = [s for s in phrase.split(",")]
    bases: list[int] = []
    pos = 0
    for seg in segments:
        bases.append(pos)
        pos += len(seg) + 1
    picked = 0
    if not before_verb:
        stripped = [s.strip() for s in segments]
        if (
            len(stripped) > 1
            and not _headed_by_name(stripped[0])
            and stripped[1].rstrip(".").lower() not in PLACES
            and (
                _headed_by_name(stripped[1])
                or (stripped[0].split()[:1] == ["the"] and _names_person(stripped[1]))
            )
        ):
            picked = 1
    else:
        stripped = [s.strip() for s in segments]
        picked = len(segments) - 1
        while picked > 0 and not stripped[picked]:
            picked -= 1
        while picked > 0 and _RELATIVE_START.match(stripped[picked]):
            picked -= 1
        relative = next((i for i in range(1, picked) if _RELATIVE_START.match(stripped[i])), 0)
        if relative and not _RELATIVE_END.search(stripped[picked]):
            picked = relative - 1
        if not _headed_by_name(stripped[picked]) or _org_headed(stripped[picked]):
            for i, seg in enumerate(stripped):
                if i and _RELATIVE_START.match(seg):
                    break
                if _headed_by_name(seg) and not _org_headed(seg):
                    picked = i
                    break
        if picked > 0 and _headed_by_name(stripped[picked]):
            inner = _APPOSED_TO_INNER.fullmatch(stripped[picked - 1])
            if inner is not None and inner.group("noun").lower() in _ROLE_HEADS:
                picked -= 1
    segment = segments[picked]
    fronted = _FRONTED.match(segment) if before_verb else None
    if fronted:
        bases[picked] += fronted.start(1)
        segment = segment[fronted.start(1) :]
    whole_body = listed is not None and listed.group().replace(",", " ") in segment
    if before_verb and len(segment.split()) > 6 and not whole_body:
        cut = list(_CLAUSE_WORD.finditer(segment))
        if cut:
            bases[picked] += cut[-1].end()
            segment = segment[cut[-1].end() :]
    if not before_verb and len(segment.split()) > 12:
        qualified = _QUALIFIED_NAME.match(segment)
        if qualified is not None:
            segment = qualified.group(1)
    lead = len(segment) - len(segment.lstrip())
    segment = segment.strip()
    if before_verb:
        segment = _strip_aux(segment)
        words = segment.split()
        if len(words) > 2 and words[-1] in _THIRD_PERSON and words[-2].islower():
            lead += segment.rindex(words[-1])
            segment = words[-1]
    return _parse_segment(segment, offset + bases[picked] + lead)


def _names_person(segment: str) -> bool:
    """'the Rt Rev Toby Howarth': a description that ends in a person's name."""
    ref = _parse_segment(segment, 0)
    return ref is not None and ref.kind == "name" and _person_like(ref.tokens)


def _drop_fillers(segment: str, offset: int) -> tuple[str, int]:
    """'But Olivia Grant' → 'Olivia Grant', 'Added Dawn Trice' → 'Dawn Trice' (offset
    moved along)."""
    stamp = _LEADING_STAMP.match(segment) or _DATELINE.match(segment)
    if stamp is not None:
        segment, offset = segment[stamp.end() :], offset + stamp.end()
    bare = segment.lstrip("([{—–-‘'“\" ")
    segment, offset = bare, offset + len(segment) - len(bare)
    object_of = re.match(r"(?:to|with|from)\s+(?=(?:an?|the|one)\s)", segment)
    if object_of is not None:
        segment, offset = segment[object_of.end() :], offset + object_of.end()
    while True:
        m = re.match(r"(\w+),?\s+", segment)
        inverted = m is not None and m.group(1) in _INVERTED_SAYING
        if not m or (m.group(1).lower() not in _FILLERS and not inverted):
            return segment, offset
        segment, offset = segment[m.end() :], offset + m.end()


def _parse_segment(segment: str, offset: int) -> SpeakerRef | None:
    segment, offset = _drop_fillers(segment, offset)
    words = segment.split()
    if not words or len(words) > 12:
        return None
    first = words[0].lower()
    if first in PRONOUNS:
        if len(words) == 1 and first not in ("i", "we"):
            return SpeakerRef("pronoun", first, offset)
        return None
    if first == "you" and len(words) == 1:
        return SpeakerRef("pronoun", first, offset)  # an interviewer's 'You said, “…”'

    runs = find_runs(segment)
    lower_start = first in _DETERMINERS or (
        (words[0][0].islower() or words[0][0].isdigit()) and not _HYPHEN_NAME.match(words[0])
    )
    group = _group_of(segment, runs)
    if group is not None:
        return SpeakerRef("name", " ".join(group.tokens), offset + group.start, group.tokens)
    if runs and not lower_start and runs[0].start == 0:
        run = runs[0]
        rest = segment[run.end :].split()
        if (
            run.possessive
            and len(runs) == 1
            and rest
            and " ".join(run.tokens).lower().rstrip(".") in _PLACES_BARE
            and all(w.islower() for w in rest)
        ):
            return SpeakerRef("role", segment, offset, head=rest[-1].strip(",."))
        if len(runs) > 1:
            between = segment[run.end : runs[1].start].lower().split()
            last = runs[-1]
            if run.possessive or (
                between and not any(w in _PREPOSITIONS for w in between) and len(between) <= 4
            ):
                run = runs[1]
            elif (
                last.end >= len(segment.rstrip(" ,."))
                and _person_like(last.tokens)
                and not all(w in _PREPOSITIONS or w in _DETERMINERS for w in between)
            ):
                run = last
        return SpeakerRef("name", " ".join(run.tokens), offset + run.start, run.tokens)
    if not lower_start:
        return None
    low = segment.lower()
    for k, run in enumerate(runs):
        nxt = runs[k + 1] if k + 1 < len(runs) else None
        if (
            run.possessive
            and nxt is not None
            and _person_like(nxt.tokens)
            and not segment[run.end : nxt.start].strip(" '’s")
        ):
            continue
        between = segment[: run.start].lower().split()
        if between == ["the"] and len(run.tokens) == 1 and run.end == len(segment):
            low = run.tokens[0].lower()
            if low in DEMONYMS or low.endswith(("man", "woman")):
                return SpeakerRef("role", segment, offset, head=low)
        if between == ["the"] and describes(run.tokens):
            return SpeakerRef("role", segment, offset, head=run.tokens[-1].lower())
        if (
            all(t.lower().rstrip(".") in TITLES for t in run.tokens)
            and between[:1] == ["the"]
            and len(between) <= 3
        ):
            noun = re.match(r"\s+([a-z][\w-]*)\s*$", segment[run.end :])
            head = noun.group(1) if noun else run.tokens[-1].lower().rstrip(".")
            return SpeakerRef("role", segment, offset, head=head)
        spokes = any(re.sub(r"['’]s$", "", w) in _SPOKES for w in between)
        after = re.match(r"\s+([a-z][\w-]*)", segment[run.end :])
        modifier = after is not None and after.group(1) not in _NOT_MODIFIERS
        if modifier and after is not None and after.group(1) in _SPOKES:
            return SpeakerRef("name", " ".join(run.tokens), offset + run.start, run.tokens)
        if spokes or (
            len(between) <= 5 and not modifier and not any(w in _PREPOSITIONS for w in between)
        ):
            return SpeakerRef("name", " ".join(run.tokens), offset + run.start, run.tokens)
    possessive = re.match(r"(?:the |a |an )?([\w-]+)['’]s(?:\s|$)", low)
    document = re.fullmatch(r"(?:the |a |an )?[\w-]+['’]s\s+(?:[a-z-]+\s+)?([a-z]+)", low)
    if document and document.group(1) in DOCUMENTS and document.group(1) != "statement":
        return SpeakerRef("role", segment, offset, head=document.group(1))
    if possessive and possessive.group(1) in ROLE_NOUNS:
        noun = possessive.group(1)
        return SpeakerRef("role", _with_article(noun), offset, head=noun)
    before = re.split(r"\s(?:for|of|at|from|with|in|on|to|who|which|whose)\s", low, maxsplit=1)
    head_words = before[0].split()
    while len(head_words) >= 3 and head_words[-1].endswith(("ed", "ing")):
        head_words.pop()
    head = head_words[-1].strip(",.") if head_words else ""
    if head in _SPOKES and len(before) > 1 and not runs:
        target = before[1].split()
        head = target[-1] if target else ""
        return SpeakerRef("role", before[1], offset, head=head, spokes=True)
    if head in _SPOKES and len(head_words) >= 2 and head_words[-2] in _ROLE_HEADS:
        return SpeakerRef("role", segment, offset, head=head_words[-2], spokes=True)
    if head not in _ROLE_HEADS and not (
        first in _DETERMINERS and len(head_words) <= 5 and _nounish(head)
    ):
        return None
    if len(head_words) > 6 or len(words) > 9:
        return None
    return SpeakerRef("role", segment, offset, head=head)


def _is_outlet(text: str) -> bool:
    """'the Associated Press', 'CNN': a news outlet after 'according to' reports the
    words; the one who said them is named in the clause before the quote."""
    low = text.lower().removeprefix("the ").strip(" ,.")
    return low in OUTLETS


def _group_of(text: str, runs: list[Run]) -> Run | None:
    """'Analysts at Greyfield Bank', 'Researchers from Carden University': a
    capitalised plural at the start speaking for the organisation named next."""
    if len(runs) < 2 or runs[0].start != 0 or len(runs[0].tokens) != 1:
        return None
    noun = runs[0].tokens[0].lower()
    if not (noun in ROLE_NOUNS or noun.endswith("s")) or _person_like(runs[1].tokens):
        return None
    between = text[runs[0].end : runs[1].start]
    if re.fullmatch(r"\s+(?:at|of|from|for|with)\s+(?:the\s+)?", between):
        return runs[1]
    return None


def _org_run(tokens: tuple[str, ...]) -> bool:
    """'Office of the Police and Crime Commissioner': a body named after 'The',
    whose first word may also be a role noun ('Office', 'Board')."""
    return classify(tokens) == "org" or (
        any(t.lower() in ("of", "and", "for") for t in tokens) and not _person_like(tokens)
    )


def _nounish(word: str) -> bool:
    """Could head a noun phrase: not a verb form such as 'were' or 'denied'."""
    return (
        word.replace("-", "").isalnum()
        and word not in _COMMON_VERBS
        and word not in AUXILIARIES
        and (not word.endswith(("ed", "ly", "ing")) or word in LY_NOUNS)
    )


def _noun_like(words: list[str]) -> bool:
    """'customer' in 'Regular customer Des Kerr' (not 'met' in 'Smith met Jo Kerr')."""
    return len(words) <= 2 and all(
        w.replace("-", "").isalnum()
        and w not in _COMMON_VERBS
        and w not in SPEECH_VERBS
        and w not in _PREPOSITIONS
        and w not in _DETERMINERS
        and (not w.endswith(("ed", "s")) or w.endswith("ss"))
        for w in words
    )


def _person_like(tokens: tuple[str, ...]) -> bool:
    _titles, name = split_titles(tokens)
    return len(name) >= 2 and classify(name) == "person"


def _with_article(noun: str) -> str:
    return f"the {noun}"


def after_quote(text: str, close_after: int, limit: int, quote_end: str) -> SpeakerRef | None:
    """Attribution in `text[close_after:limit]`, right after a closing mark."""
    tail = text[close_after : min(limit, close_after + _LIMIT)]
    m = next(_speech_verbs(tail), None)
    if not m:
        return None
    verb = m.group().lower()
    pre = tail[: m.start()]
    stripped = pre.strip().lstrip(",—–-").strip()
    if _last_break(pre) and stripped:
        return None
    if len(_words(stripped)) > 16 or _NEW_CLAUSE.match(stripped):
        return None
    rest = tail[m.end() :]
    rest = rest[: _first_break(rest)]
    if quote_end == "." and len(_words(rest)) > 6:
        return None
    if quote_end in ".!?" and _REPORTED.match(rest):
        return None  # '“….” Officials said Tuesday that …': a new sentence, reported speech
    if verb.startswith("according"):
        if stripped:
            return None
        ref = parse_subject(rest, close_after + m.end(), before_verb=False)
        return None if ref is not None and _is_outlet(ref.text) else ref
    if not stripped:
        if verb in ING_VERBS:
            return None
        return parse_subject(rest, close_after + m.end(), before_verb=False)
    start = close_after + (len(pre) - len(pre.lstrip(" ,—–-")))
    return parse_subject(stripped, start, before_verb=True)


def before_quote(text: str, lower: int, open_at: int) -> SpeakerRef | None:
    """Attribution in `text[lower:open_at]`, the clause leading into an opening mark."""
    start = max(lower, open_at - _LIMIT)
    lead = text[start:open_at]
    cut = _last_break(lead)
    lead, start = lead[cut:], start + cut
    chosen = None
    for m in _speech_verbs(lead):
        if len(_words(lead[m.end() :])) > 25:
            continue
        if chosen is not None and _RELATIVE_BEFORE.search(lead, 0, m.start()):
            continue
        chosen = m
    if chosen is None:
        label = _speaker_label(lead, start)
        colon = lead.rstrip().endswith(":") or text.startswith(":", open_at)
        if label is not None or not colon:
            return label
        return _colon_subject(text, lead, start)
    verb = chosen.group().lower()
    pre = lead[: chosen.start()]
    after = lead[chosen.end() :]
    if verb.startswith("according"):
        return parse_subject(after, start + chosen.end(), before_verb=True)
    if pre.strip().lower() in _COORDINATORS or re.search(r"\s(?:and|but)\s*$", pre):
        subject = sentence_subject(text[: chosen.start() + start], lower=0)
        if subject is not None:
            return subject
    if not pre.strip():
        if verb in ING_VERBS:
            return None
        phrase = re.split(r"[:;]", after)[0]
        return parse_subject(phrase, start + chosen.end(), before_verb=False)
    if (
        pre.rstrip().endswith(",")
        and verb not in _ADDRESSING
        and after.rstrip().endswith(",")
        and 0 < len(after.split()) <= 5
    ):
        inverted = parse_subject(after.rstrip(" ,"), start + chosen.end(), before_verb=False)
        if inverted is not None and inverted.kind == "name":
            return inverted
    if verb in ING_VERBS and (
        pre.rstrip().endswith(",") or re.search(r"\b(?:before|after|when|by)\s*$", pre)
    ):
        subject = sentence_subject(text[: chosen.start() + start], lower=lower)
        if subject is not None and subject.kind != "role":
            return subject
    if verb in ING_VERBS:
        near = re.search(r"(?:^|,|\band\b|\bwith\b|\bwhile\b)\s*((?:\S+\s+){1,3})$", pre)
        if near is not None:
            ref = _parse_segment(near.group(1).strip(), start + near.start(1))
            if ref is not None:
                return ref
        for seg_start, seg in _segments(pre):
            ref = parse_subject(seg, start + seg_start, before_verb=True)
            if ref is not None and ref.kind != "role":
                return ref
        return None
    pre = _INFINITIVE.sub("", pre)
    found = parse_subject(pre, start, before_verb=True)
    if found is None and (lead.rstrip().endswith(":") or text.startswith(":", open_at)):
        return _colon_subject(text, lead, start)
    return found


_OWNED_WORDS = re.compile(
    r"(?:^|[,;]\s+|\b(?:and|but|so)\s+)(?P<owner>[Hh]is|[Hh]er|[Tt]heir|[Ii]ts"
    r"|[A-Z][\w’'.-]*(?: [A-Z][\w’'.-]*){0,2}['’]s)"
    r" (?:[a-z]+ ){0,2}(?:message|words|reply|answer|response|advice|verdict|warning|plea"
    r"|view|comment|retort|assessment)(?: to [^:]{1,50})? (?:was|is|remains|had been)\s*:?\s*$"
)
_OWNER_PRONOUN = {"his": "he", "her": "she", "their": "they", "its": "it"}


def _owned_words(lead: str, start: int) -> SpeakerRef | None:
    """'His message to the chancellor was: “…”': the words belong to their owner."""
    m = _OWNED_WORDS.search(lead)
    if m is None:
        return None
    owner = m.group("owner")
    pronoun = _OWNER_PRONOUN.get(owner.lower())
    if pronoun is not None:
        return SpeakerRef("pronoun", pronoun, start + m.start("owner"))
    return _parse_segment(re.sub(r"['’]s$", "", owner), start + m.start("owner"))


def _colon_subject(text: str, lead: str, start: int) -> SpeakerRef | None:
    """The subject of a clause that hands over to a colon with no verb of saying
    ('Marta Ruiz was blunt:', 'The families released a statement:'), or of the
    main clause after a fronted one ('Asked whether …, Marta Ruiz was blunt:');
    the owner of the words a clause names ('His message to them was:')."""
    found = _owned_words(lead, start)
    if found is not None:
        return found
    if len(_words(lead)) <= 12:
        stamp = _LEADING_STAMP.match(lead)
        at = stamp.end() if stamp else 0
        found = _subject_at(text, start + at) or _issuer(lead, at, start)
    comma = lead.rfind(", ")
    if found is None and comma != -1 and len(_words(lead[comma + 2 :])) <= 8:
        found = _subject_at(text, start + comma + 2)
    return found


def headline_subject(text: str, close_after: int) -> SpeakerRef | None:
    """'“We will not be bullied”: mayor defies council over bus lanes': in a
    headline-like line (no full stop at its end) the subject after the colon
    said the quoted words; headline verbs are in the present ('defies', 'vows')."""
    rest = text[close_after:].rstrip()
    if not rest or rest[-1] in ".!?”\"'’":
        return None
    m = _HEADLINE.match(rest)
    if m is None:
        return None
    ref = _parse_segment(m.group(1), close_after + m.start(1))
    return ref if ref is not None and ref.kind != "pronoun" else None


def _issuer(lead: str, at: int, offset: int) -> SpeakerRef | None:
    """'The climbers' families released a short statement: “…”': a described
    subject whose verb hands over the words that follow the colon."""
    m = _ISSUER.match(lead, at)
    return _parse_segment(m.group(1), offset + m.start(1)) if m else None


def _speaker_label(lead: str, start: int) -> SpeakerRef | None:
    """A transcript or live-blog label with no verb: 'Birch: “…”', '11:12 - Stott: “…”'."""
    m = _LABEL.fullmatch(lead)
    if m is None:
        return None
    ref = _parse_segment(m.group(1), start + m.start(1))
    return ref if ref is not None and ref.kind == "name" else None


def _segments(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    pos = 0
    for seg in text.split(","):
        out.append((pos, seg))
        pos += len(seg) + 1
    return out


def sentence_subject(text: str, lower: int = 0) -> SpeakerRef | None:
    """The subject that opens the last sentence of `text` ('The defence ministry
    dismissed…' → the defence ministry), for a speech verb joined by 'and'. A
    name set off after a role ('His colleague, Luis Ortega, disagreed') wins."""
    start = lower + _last_break(text[lower:])
    ref = _subject_at(text, start)
    if ref is None or ref.kind == "role":
        comma = text.find(", ", start, start + 80)
        if comma != -1:
            named = _subject_at(text, comma + 2)
            if named is not None and named.kind == "name" and named.text.lower() in PLACES:
                named = None
            if ref is None or (named is not None and named.kind == "name"):
                ref = named
    return ref


def _subject_at(text: str, start: int) -> SpeakerRef | None:
    words = list(re.finditer(r"\S+", text[start : start + 120]))[:6]
    if len(words) > 1 and words[0].group().lower() in _INVERTED and text[start].isupper():
        return _subject_at(text, start + words[1].start())
    if (
        len(words) > 1
        and words[0].group().lower().rstrip(",") in SENTENCE_OPENERS
        and text[start].isupper()
    ):
        return _subject_at(text, start + words[1].start())
    if len(words) > 2 and words[0].group() in _INVERTED_SAYING and words[1].group()[:1].isupper():
        return _subject_at(text, start + words[1].start())
    if not words:
        return None
    first = words[0].group().lower()
    if first in PRONOUNS:
        return _parse_segment(first, start + words[0].start())
    runs = find_runs(text[start : start + 120])
    group = _group_of(text[start : start + 120], runs)
    if group is not None:
        return SpeakerRef("name", " ".join(group.tokens), start + group.start, group.tokens)
    people = [r for r in runs[1:4] if _person_like(r.tokens)]
    if runs and runs[0].start == 0 and runs[0].possessive and people:
        named = people[0]
        between = text[start + runs[0].end : start + named.start]
        words = between.replace(",", " ").split()
        if (
            _person_like(named.tokens)
            and len(words) <= 5
            and (not words or between.rstrip().endswith(",") or between.endswith(" "))
            and all(
                (w.islower() or w.isupper() or _DOTTED.match(w.lower().rstrip(".")))
                and w not in _PREPOSITIONS
                and w not in _COMMON_VERBS
                for w in words
            )
        ):
            return SpeakerRef("name", " ".join(named.tokens), start + named.start, named.tokens)
    if runs:
        run = runs[0]
        if len(runs) > 1:
            between = text[start + run.end : start + runs[1].start].lower().split()
            if (
                run.start == 0
                and between
                and (
                    all(w in _ROLE_HEADS for w in between)
                    or (_person_like(runs[1].tokens) and _noun_like(between))
                )
            ):
                run = runs[1]
                return SpeakerRef("name", " ".join(run.tokens), start + run.start, run.tokens)
        lead = text[start : start + run.start].split()
        if not lead or (
            len(lead) <= 3
            and all(
                w.islower()
                and w.isalpha()
                and w not in _PREPOSITIONS
                and w not in _DETERMINERS
                and w not in SPEECH_VERBS
                for w in lead
            )
        ):
            return SpeakerRef("name", " ".join(run.tokens), start + run.start, run.tokens)
        if all(w.lower() in _ROLE_HEADS for w in lead):
            return SpeakerRef("name", " ".join(run.tokens), start + run.start, run.tokens)
        if [w.lower() for w in lead] == ["the"] and len(run.tokens) > 1 and _org_run(run.tokens):
            return SpeakerRef("name", " ".join(run.tokens), start + run.start, run.tokens)
    if first in _DETERMINERS:
        last = None
        for w in words[1:5]:
            if w.group().lower().strip(",.") in ROLE_NOUNS:
                last = w
            elif last is not None or not w.group().isalpha():
                break
        if last is not None:
            return _parse_segment(text[start : start + last.end()].strip(",. "), start)
    return None


def speech_clause_subject(text: str) -> SpeakerRef | None:
    """The speaker of the last speech verb in `text`'s last sentence ('Speaking
    outside court, Sandra Vale said the money…' → Sandra Vale), for a quote
    that opens the next paragraph with no attribution of its own. 'According to
    X' ending it gives X, unless X is an outlet reporting someone else's words
    ('Vale said …, according to the Associated Press' → Vale). An inverted
    '…, said Mr Thomas.' gives the name after the verb."""
    text = text.rstrip().rstrip('.!?”"')
    found = list(_speech_verbs(text))
    last = found[-1] if found else None
    if last is not None and last.group().lower().startswith("according"):
        after = text[last.end() :]
        if _last_break(after) or _is_outlet(after):
            found.pop()
            last = found[-1] if found else None
        else:
            return parse_subject(after, last.end(), before_verb=False)
    if last is None:
        return None
    cut = _last_break(text[: last.start()])
    if _last_break(text) > last.start():
        return None
    pre = text[cut : last.start()]
    if not pre.strip():
        return None
    after = text[last.end() :]
    if (
        pre.rstrip().endswith(",")
        and 0 < len(after.split()) <= 6
        and last.group().lower() not in _ADDRESSING
    ):
        inverted = parse_subject(after, last.end(), before_verb=False)
        if inverted is not None:
            return inverted
    return parse_subject(pre, cut, before_verb=True)


def first_person_named(text: str, lower: int = 0) -> SpeakerRef | None:
    """The first person named in the last sentence of `text` ('Among them was
    Priya Nair, who…'), a weaker cue than a subject for the quote that follows;
    failing that, an unnamed one ('I put that to a senior official, who…'),
    given with its offset at the end of the description."""
    start = lower + _last_break(text[lower:])
    for run in find_runs(text[start:], start):
        if _person_like(run.tokens):
            return SpeakerRef("name", " ".join(run.tokens), run.start, run.tokens)
    for m in _UNNAMED_OBJECT.finditer(text, start):
        if m.group("noun") in ROLE_NOUNS or m.group("noun") in TITLES:
            return SpeakerRef("role", m.group("np"), m.end("np"), head=m.group("noun"))
    return None


_NAMED_AFTER = re.compile(
    r"\s*(?:[—–-]\s*)?(?:That|Those|These|This|Such|So|that|those|this)(?:['’]s|\s+(?:was|were|is|are|said|says))\b"
)


def named_after(text: str) -> SpeakerRef | None:
    """The speaker a sentence right after a quote names by pointing back at it:
    '“…” Those were the words of Ayesha Siddiqui', '“…” That was how goalkeeper
    Tom Rees described it'. Offsets are within `text`."""
    m = _NAMED_AFTER.match(text)
    if m is None:
        return None
    sentence = text[: m.end() + _first_break(text[m.end() :])]
    runs = find_runs(sentence)
    for run in [*(r for r in runs if _person_like(r.tokens)), *runs]:
        if _person_like(run.tokens) or classify(run.tokens) == "org":
            return SpeakerRef("name", " ".join(run.tokens), run.start, run.tokens)
    return None


_BEHALF = re.compile(
    r"\b(?:statement|letter|message|tribute)\b[^.!?]{0,40}?\bon\s+"
    r"(?:(?P<pronoun>his|her)\s+behalf|behalf\s+of\s+(?P<name>[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*){0,3}))"
)


def on_behalf(text: str, lower: int = 0) -> SpeakerRef | None:
    """Whose words a statement read out by someone else are, from the last
    sentence of `text` ('His lawyer read a statement on his behalf.')."""
    start = lower + _last_break(text[lower:])
    m = _BEHALF.search(text, start)
    if m is None:
        return None
    if m.group("pronoun"):
        word = "he" if m.group("pronoun") == "his" else "she"
        return SpeakerRef("pronoun", word, m.start("pronoun"), spokes=True)
    runs = find_runs(m.group("name"), m.start("name"))
    if not runs:
        return None
    return SpeakerRef("name", " ".join(runs[0].tokens), runs[0].start, runs[0].tokens, spokes=True)
