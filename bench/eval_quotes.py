"""Quote-attribution scores: our own labelled set and real news (PolNeAR dev, two halves).

    .venv/bin/python bench/eval_quotes.py [--verbose] [--no-polnear] [--dev] [FIXTURE_DIR]

One run prints our own set (tests/fixtures/quotes/), then the PolNeAR dev split's
development half and held-out half with the fair scoring (bench/polnear_quotes.py says
how the split is made and how it is scored), each with median ms/article. `--verbose`
lists our own set's errors and the development half's; never the held-out half's.

PolNeAR held-out half, first sight after each round of changes (the rules were changed
only against the development half's errors; each row is the first run of the held-out
half after that round):

    round  date        what changed                          speaker          precision  recall
    0      2026-12-07  baseline (rules as of ed1f1f2)        .775 (100/129)   .899       .974
    1      2026-12-07  word lists to data files; given-name  .775 (100/129)   .899       .974
                       sex from US birth records; places
    2      2026-12-07  party-state labels blanked; 'the      .806 (104/129)   .899       .974
                       Kentucky Republican' is a description;
                       ', saying' takes the clause's subject
    3      2026-12-07  '9/11 widow X' (number-led            .806 (104/129)   .899       .974
                       description); subject of a clause with
                       no saying verb as weak evidence
    4      2026-12-07  'Health Canada' is a body; an outlet  .806 (104/129)   .899       .974
                       after 'according to' is not the speaker;
                       a quote paragraph after one that brings
                       someone in is theirs (fictional probes)
    5      2026-12-07  a lone surname opening a sentence     .806 (104/129)   .899       .974
                       can be 'he'; '“…” — that was X'
    6      2026-12-07  none: re-measured at the start of     .806 (104/129)   .899       .974
                       session 3 (main at 1e31ae3); dev half
                       1.000 (68/68), precision .953, recall
                       .954; our own set .997 (1303/1307)
    7      2026-12-07  no rule: attribution split into       .806 (104/129)   .899       .974
                       passes (output identical on 844
                       articles); the bench reads every line
                       as a paragraph, as extract does
    8      2026-12-07  none: re-measured at the start of     .806 (104/129)   .899       .974
                       session 4 (main at 7864728); dev half
                       1.000 (68/68), P .953, R .954; our own
                       set .997 (1307 quotes)
    9      2026-12-07  headlines' runs cut to the body's     .806 (104/129)   .899       .974
                       names; 'World leaders' is no person;
                       subject after an opening adverbial;
                       'X on <place>' no name, a place never
                       he/she; 'the X campaign' a body, X
                       stays a person; pronoun cue past a body
    10     2026-12-07  an excerpt's straight marks (curly    .806 (104/129)   .936       .974
                       quotes inside) are not a quote; two
                       short pieces round one attribution are
                       one quote; a title after 'commentary,';
                       no guessed span for a lone closing mark
                       inside a sentence (dev: P .988, R .992,
                       speaker 1.000, 70/70)
    11     2026-12-08  a quote paragraph after one led by    .806 (104/129)   .936       .974
                       'he'/'she' or 'But X' is theirs; a
                       pronoun cue there gives way to that
                       subject; '(R)', ', Democrat of
                       Vermont,' blanked; 'it added' after a
                       document's quote; firm words as org
                       heads (dev: P .988, R .992, speaker
                       1.000, 70/70; BBC unattributed key
                       quotes 40 -> 27 of 407)
    12     2026-12-08  a common word opening a sentence      .806 (104/129)   .936       .974
                       ('Thousands of', 'Hospital officials')
                       or a contraction is no speaker; 'New
                       York Times' whole; a headline's given
                       name completes a lone surname; 'X's
                       comments' no verb; a relative clause's
                       or a place's name not the subject
                       (dev: P .988, R .992, 1.000, 70/70)
    13     2026-12-08  'according to X' introduces X for the  .806 (104/129)   .936       .974
                       next paragraph's quote (an agency:
                       the subject of the saying verb before
                       it); a follow-on quote after one
                       narrative paragraph; a description not
                       cut at 'the'; 'reads', 'yells'; a
                       Title Case title ending its sentence
                       (dev: P .988, R .992, 1.000, 70/70)
    14     2026-12-08  '…, said Mr X.' and 'which, said X,    .806 (104/129)   .936       .974
                       “…”' inverted; a quote-only paragraph
                       takes the next paragraph's attributed
                       speaker; a saying subject in the
                       paragraph before beats an earlier man
                       for 'he'; 'the Washingtonian's Ben
                       Freed' is Freed (dev unchanged)
    15     2026-12-08  'Added X:' not in the name; 'my         .806 (104/129)   .936       .974
                       father' as written; 'read' a saying
                       verb; sentence adverbs no names (dev
                       unchanged: P .988, R .992, 70/70)
    16     2026-12-08  someone new brought in by a narrative  .806 (104/129)   .936       .974
                       paragraph gets the quote after it;
                       'U.S. Secretary of State X' is X;
                       'B.C.'s top doctor' a role; the
                       sentence before a quote starts before
                       a scare quote in it (dev unchanged)
    17     2026-12-08  from hand-labelled real BBC/CNN        .806 (104/129)   .936       .974
                       articles (bench/eval_speakers_
                       labelled.py): a link arrow; definite
                       epithets; 'the Rt Rev Dr X'; the same
                       attribution read by the next
                       paragraph; 'His message was:' (dev
                       unchanged: P .988, R .992, 70/70)
    18     2026-12-08  '“….” Officials said Tuesday that …'   .806 (104/129)   .936       .974
                       no attribution; 'X - who … - said'; a
                       pronoun leans to who spoke in the
                       sentence before (dev unchanged)
    19     2026-12-08  'according to X at the … in …'; a      .806 (104/129)   .936       .974
                       role noun looks ahead one sentence
                       only; a quote paragraph before an
                       attributed one (dev unchanged)
    20     2026-12-08  a doubled closing mark after an        .806 (104/129)   .936       .974
                       attribution; 'underlined' (dev
                       unchanged)
    21     2026-12-08  an interviewer's 'You said, “…”' is    .806 (104/129)   .936       .974
                       the interviewee (dev unchanged)
    22     2026-12-08  a place closing the description after  .806 (104/129)   .936       .974
                       the verb; 'before declaring,'; a lone
                       word no one named yet has as surname
                       opens a name (dev unchanged)

(Rounds 17-22 were developed on hand-labelled real BBC and CNN/Daily Mail articles,
bench/eval_speakers_labelled.py, whose own held-out halves are recorded there.)

(Rounds 11-16 were developed on the development half's unscored quotes, judged by
hand, and on the unlabelled real BBC and CNN/Daily Mail articles of ../shared/eval,
since the development half's scored speakers were all right from round 6 on; no
round moved the held-out half.)

(Round 0 was first run with a scorer that took the first capitalised run as the name,
so "Trump lawyer Marc Kasowitz" asked for "Trump": .737 (98/133). The scorer was fixed
before any rule was changed.)

Our own set (the fictional articles below) is a unit test of patterns, not the target.

Each fixture is one short article written for this project (a JSON file:
`paragraphs`, and `quotes`, each with `text`, `speaker` and `kind`). The
articles go through the real sentence splitter and `find_quotes`.

How it is scored (decisions, so that figures stay comparable):

* The gold set lists every quoted span that is someone's words: key quotes
  (`kind: "quote"`) and fragments / scare quotes under five words
  (`kind: "fragment"`); a quoted nickname or so-called term is a fragment.
  Quoted titles of books or films and the words on signs are not labelled,
  so extracting one costs precision.
* Extracted quotes are the key quotes and the fragments `find_quotes`
  returns, together: a fragment labelled in the gold set counts towards
  recall whichever list it lands in.
* A prediction matches a gold quote when their word tokens overlap with
  F1 >= 0.8; matching is one-to-one, best overlap first.
* A quote interrupted by its attribution (`“A,” she said, “b.”`) is one gold
  quote "A, b."; so are two pieces too short alone to be key quotes around one
  attribution that ends its sentence (`“A,” she said. “B.”`, as PolNeAR marks
  them); a quote running over several paragraphs is one gold quote
  per paragraph, all with the same speaker.
* Speaker accuracy is over matched gold key quotes (fragments' speakers are
  often nobody in particular): the predicted speaker must equal the gold one
  after case-folding and dropping a leading article. Gold speakers are the
  fullest name the article gives, without titles, or the organisation's
  full name, or the unnamed source as written ("a senior official").
* Kind accuracy (reported, not a target): matched quotes put in the list
  their gold kind says.

Targets (issue 3): precision >= 0.95, recall >= 0.90, speaker accuracy >= 0.90.

The set grew in batches, and each later batch was scored once, unseen, before
any rule was changed for it (figures after fixing only our own word-count
slips in the gold kinds). Those first runs are the honest estimate of how the
rules do on articles they were not built on; every fix they led to was a
general rule, never a special case:

    batch   articles   precision   recall   speaker accuracy (unseen)
    01-30      30      (development set)
    31-42      12        1.000      1.000      0.842  (32/38)
    43-53      11        1.000      1.000      0.656  (21/32)
    54-63      10        0.974      1.000      0.848  (28/33)
    64-71       8        1.000      1.000      0.571  (12/21)
    72-80       9        1.000      1.000      0.739  (17/23)
    81-88       8        1.000      1.000      0.875  (21/24)
    89-96       8        0.923      0.960      0.895  (17/19)
    97-100      4        1.000      1.000      0.900  (18/20)
    101-106     6        1.000      1.000      0.842  (16/19)
    107-112     6        1.000      1.000      0.824  (14/17)
    113-117     5        1.000      1.000      0.846  (11/13)
    118-122     5        1.000      1.000      1.000  (13/13)
    123-125     3        1.000      1.000      0.778  (7/9)
    126-128     3        1.000      1.000      0.875  (7/8)
    129-132     4        1.000      1.000      0.800  (8/10)
    133-135     3        1.000      1.000      0.571  (4/7)
    136-138     3        1.000      1.000      0.625  (5/8)
    139-141     3        1.000      1.000      1.000  (6/6)
    142-144     3        1.000      1.000      0.875  (7/8)
    145-147     3        1.000      1.000      1.000  (9/9)
    148-150     3        1.000      1.000      1.000  (7/7)
    151-153     3        1.000      1.000      0.818  (9/11)
    154-156     3        1.000      1.000      1.000  (6/6)
    157-159     3        1.000      1.000      0.875  (7/8)
    160-162     3        1.000      1.000      0.714  (5/7)
    163-165     3        1.000      1.000      0.875  (7/8)
    166-207    42        1.000      0.994      0.817  (107/131) *
    208-232    25        1.000      1.000      0.851  (57/67) **
    233-258    26        1.000      1.000      0.897  (61/68) ***
    259-284    26        1.000      1.000      0.922  (59/64) ***
    285-309    25        1.000      1.000      0.895  (51/57) ***
    310-334    25        1.000      1.000      0.922  (47/51) ***
    335-359    25        1.000      1.000      0.839  (47/56) ***
    360-384    25        1.000      1.000      0.959  (47/49) ***
    385-409    25        1.000      1.000      0.941  (48/51) ***
    410-424    15        1.000      1.000      0.939  (31/33) ***
    425-449    25        0.985      1.000      0.833  (55/66) ****
    450-474    25        1.000      0.984      0.845  (49/58) ****
    475-486    12        1.000      1.000      0.885  (23/26) ****
    487-498    12        1.000      1.000      0.870  (20/23) ****
    499-508    10        1.000      1.000      0.889  (16/18) ****

Pooled over the unseen batches 31-165: speaker accuracy 314/384 = 0.82 on first
sight (0.86 over the second half, batches 89-165), precision and recall 0.99 or
better. The ten held-out batches since (166-424, 259 articles): 0.817, 0.866,
0.912, 0.922, 0.912, 0.941, 0.839, 0.959, 0.941, 0.939 on first sight after
the label slips noted below (raw 0.802, 0.851, 0.897, 0.922, 0.895, 0.922,
0.839, 0.959, 0.941, 0.939), pooled 559/627 = 0.892 (raw 553/627 = 0.882);
precision 1.000, recall 0.994-1.000. The last eight (192 articles, each run
after the fixes for the one before) pool to 394/429 = 0.918 (raw 391/429 =
0.911).

* Batch 166-207 was written as one held-out set in styles the earlier batches
  under-represent (wire copy with datelines, live blogs, transcripts, Q&A
  interviews, court and sports reports, non-English and double-barrelled
  names, speakers named only after the quote). Its raw first run was 0.802
  (105/131); two gold speakers were our own slips against the convention
  above (a document and an organisation are given as written: "the jury's
  narrative conclusion", "Ukraine's energy ministry"), hence 0.817. A third
  slip, found while fixing ("A spokesperson for the company … she said" labelled
  as the spokesperson where the convention gives the organisation, Vellum), was
  relabelled later and is not folded into that figure.

** Batch 208-232 was written right after the first run of 166-207 and before
  any rule was changed for it, then kept out of the set until those changes
  were done: its first run measures the 166-207 fixes on text they were not
  built on. Raw 0.851 (57/67); one gold speaker kept a title against the
  convention ("Lady Justice Harrington" for "Harrington"), hence 0.866 (58/67).
  A second slip, found while fixing ("the man" for the fullest description
  the article gives, "a man at the back of the hall"), was relabelled later
  and is not folded into that figure.

*** Batch 233-258 was written after the fixes for 166-232 and run once before
  any change: raw 0.897 (61/68). Two gold speakers were short of the fullest
  description the article gives ("the letter" for "an open letter", "a
  Western diplomat" for "a Western diplomat involved in the talks"); the
  second is still wrong as predicted, hence 0.912 (62/68).
  Batch 259-284 was written after the fixes for 233-258, in other styles
  again (US wire politics, results day, boxing, the Supreme Court, a chef, a
  bishop and an imam, racing, an NHS trust), and run once before any change.
  So was 285-309, after the 259-284 fixes: raw 0.895 (51/57), 0.912 (52/57)
  with one gold speaker short of the fullest description ("the memo" for "an
  internal memo"). And 310-334, after the 285-309 fixes: raw 0.922 (47/51),
  0.941 (48/51) with a gold speaker that gave the firm for "a director said"
  where the convention keeps an unnamed source as written. And 335-359, after
  the 310-334 fixes: 0.839 (47/56), no label slips found. And 360-384, after
  the 335-359 fixes: 0.959 (47/49). And 385-409, after the 360-384 fixes:
  0.941 (48/51). And 410-424, after the 385-409 fixes: 0.939 (31/33).

**** Batch 425-449 was written after the 410-424 fixes in the styles still
  short in the set (brand names ending in 's, "X and Y" bodies such as "South
  Yorkshire Fire and Rescue", the role given only in the next sentence, a
  headline-like lead with a quote, "said in a statement to <outlet>", a
  colon-led block quote, Q&A with the reporter as "we"/"I", quotes from
  reports and letters, press conferences with several officials, two
  managers alternating after a match, "the judge told <defendant>", social
  posts) and run once before any change: raw 0.833 (55/66), precision 0.985.
  Three labels were our own slips: two "Org said … '…,' a spokeswoman said"
  given as the spokeswoman where the convention gives the organisation, and a
  headline quote ("We will not be bullied") left unlabelled although it is
  someone's words; relabelled, 0.851 (57/67), precision 1.000.
  Batch 450-474 was written after the 425-449 fixes, in the same styles with
  other phrasings (a Q&A with "Q:" lines, "Asked …, X was blunt:" before a
  quote paragraph, "the judge told him", a coroner and a family statement,
  "posted on TikTok", "wrote on X, formerly Twitter", surnames-only managers
  with "the Scot", Korean names, a department named with a comma list,
  unnamed residents in sequence), and run once before any change: raw 0.845
  (49/58), recall 0.984 (a headline quote in straight single marks missed).
  Two gold kinds were word-count slips (four-word quotes labelled key quotes)
  and one gold speaker was short of the fullest description ("a surveyor's
  report" for "a surveyor's report to the council"): 0.857 (48/56).
  Batch 475-486 (12 articles) was written after the 450-474 fixes and run
  once before any change: raw 0.885 (23/26); one gold speaker short of the
  fullest description ("the review" for "an independent review"): 0.923
  (24/26). Its two real misses: a family name that is also a pronoun ("He
  Yadong") and "Greater Manchester Fire and Rescue Service" cut at "and".
  Batch 487-498 (12 articles), after the 475-486 fixes, run once before any
  change: raw 0.870 (20/23); one five-word quote labelled a fragment, so
  0.875 (21/24) with it counted. One gold speaker was later aligned with the
  set's convention for documents (batch 285-309 gives "an internal memo", not
  "… seen by this newspaper"): "A Ministry of Defence document" for "… seen by
  the BBC"; it was wrong on first sight either way ("the document").
  Batch 499-508 (10 articles), after the 487-498 fixes, run once before any
  change: raw 0.889 (16/18); one four-word quote labelled a key quote, so
  0.882 (15/17) as a fragment. Both misses are an organisation named before
  and then referred to by a role noun it was never given ('Her landlord,
  Moorside Homes, … the housing association said'; 'Ofsted said … a
  spokesperson for the watchdog said').
  The five batches 425-508 (84 articles) pool to 163/191 = 0.853 raw on first
  sight, 165/190 = 0.868 after the label slips; precision and recall 0.98 or
  better. Their misses were fixed with general rules (a name ending in 's
  before a verb, "X and Y" bodies, colon-led statements, a body's document,
  first names used for both sexes, headline quotes, acronyms that skip a
  word, "He" as a family name, an organisation noun for the body that spoke
  last, a body named with a comma list); the whole set of 508 articles then
  scores speaker accuracy 0.998 (1305/1307), against 0.976 with the rules as
  they stood before batch 425. Still missed: a headline quote in straight
  single marks (recall), "a second resident, who has a newborn baby" given
  without its relative clause, and 417's "the head of the U.N. humanitarian
  office" not tied to the person named later.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import polnear_quotes  # noqa: E402 (needs the repo root on sys.path)
from summarizer.model import Quote  # noqa: E402
from summarizer.quotes import find_quotes  # noqa: E402
from summarizer.sentences import split_sentences  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "quotes"
MATCH_F1 = 0.8
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@dataclass
class Scores:
    articles: int = 0
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    speaker_total: int = 0
    speaker_right: int = 0
    kind_right: int = 0
    ms_per_article: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    @property
    def speaker_accuracy(self) -> float:
        return self.speaker_right / self.speaker_total if self.speaker_total else 1.0

    @property
    def kind_accuracy(self) -> float:
        return self.kind_right / self.matched if self.matched else 1.0


def tokens(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def token_f1(a: str, b: str) -> float:
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return 0.0
    pool = list(tb)
    common = 0
    for t in ta:
        if t in pool:
            pool.remove(t)
            common += 1
    if not common:
        return 0.0
    p, r = common / len(ta), common / len(tb)
    return 2 * p * r / (p + r)


def norm_speaker(name: str | None) -> str:
    if not name:
        return ""
    text = " ".join(tokens(name))
    for article in ("the ", "a ", "an "):
        if text.startswith(article):
            return text[len(article) :]
    return text


def load(directory: Path = FIXTURES) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.json"))]


def evaluate(directory: Path = FIXTURES) -> Scores:
    scores = Scores()
    timings: list[float] = []
    for article in load(directory):
        sentences = split_sentences(article["paragraphs"])
        started = time.perf_counter()
        key, fragments = find_quotes(sentences)
        timings.append((time.perf_counter() - started) * 1000)
        predicted: list[tuple[Quote, str]] = [(q, "quote") for q in key]
        predicted += [(q, "fragment") for q in fragments]
        gold = article["quotes"]
        scores.articles += 1
        scores.gold += len(gold)
        scores.predicted += len(predicted)
        pairs = sorted(
            (
                (token_f1(p.text, g["text"]), pi, gi)
                for pi, (p, _) in enumerate(predicted)
                for gi, g in enumerate(gold)
            ),
            reverse=True,
        )
        used_p: set[int] = set()
        used_g: set[int] = set()
        for f1, pi, gi in pairs:
            if f1 < MATCH_F1 or pi in used_p or gi in used_g:
                continue
            used_p.add(pi)
            used_g.add(gi)
            scores.matched += 1
            pred, kind = predicted[pi]
            g = gold[gi]
            if kind == g["kind"]:
                scores.kind_right += 1
            else:
                scores.errors.append(f"{article['id']}: kind {kind} for {g['text'][:50]!r}")
            if g["kind"] == "quote":
                scores.speaker_total += 1
                if norm_speaker(pred.speaker) == norm_speaker(g["speaker"]):
                    scores.speaker_right += 1
                else:
                    scores.errors.append(
                        f"{article['id']}: speaker {pred.speaker!r} != {g['speaker']!r}"
                        f" for {g['text'][:50]!r}"
                    )
        for gi, g in enumerate(gold):
            if gi not in used_g:
                scores.errors.append(f"{article['id']}: missed {g['text'][:60]!r}")
        for pi, (p, _) in enumerate(predicted):
            if pi not in used_p:
                scores.errors.append(f"{article['id']}: spurious {p.text[:60]!r} ({p.speaker})")
    scores.ms_per_article = statistics.median(timings) if timings else 0.0
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, default=FIXTURES)
    parser.add_argument(
        "--verbose", action="store_true", help="list every error (not the held-out half's)"
    )
    parser.add_argument("--no-polnear", action="store_true", help="only our own set")
    parser.add_argument(
        "--dev", action="store_true", help="skip the held-out half (work between rounds)"
    )
    args = parser.parse_args(argv)
    s = evaluate(args.directory)
    print("== our own set (fictional, tests/fixtures/quotes)")
    print(f"articles            {s.articles}")
    print(f"gold quotes         {s.gold}")
    print(f"extracted           {s.predicted}")
    print(f"precision           {s.precision:.3f}   (target >= 0.95)")
    print(f"recall              {s.recall:.3f}   (target >= 0.90)")
    print(
        f"speaker accuracy    {s.speaker_accuracy:.3f}   (target >= 0.90, {s.speaker_total} quotes)"
    )
    print(f"kind accuracy       {s.kind_accuracy:.3f}   (key quote vs fragment)")
    print(f"median ms/article   {s.ms_per_article:.2f}   (find_quotes only)")
    if args.verbose:
        for line in s.errors:
            print("  " + line)
    if args.no_polnear:
        return 0
    if not polnear_quotes.POLNEAR.exists():
        print(f"(PolNeAR not found at {polnear_quotes.POLNEAR}: real-news figures skipped)")
        return 0
    dev, held_out = polnear_quotes.split_halves(polnear_quotes.load())
    halves = [("development", dev, True), ("held-out", held_out, False)]
    for name, rows, show in halves[:1] if args.dev else halves:
        r = polnear_quotes.evaluate(rows)
        print(f"== PolNeAR dev, {name} half (real news, fair scoring)")
        print(f"articles            {r.articles}")
        print(f"gold quotes         {r.gold}   (full, five words or more)")
        print(f"precision           {r.precision:.3f}   (target >= 0.95)")
        print(f"recall              {r.recall:.3f}   (target >= 0.95)")
        print(
            f"speaker accuracy    {r.speaker:.3f}   (target >= 0.90,"
            f" {r.speaker_right}/{r.speaker_total} named gold speakers)"
        )
        print(f"median ms/article   {r.ms_per_article:.2f}   (find_quotes only)")
        if args.verbose and show:
            for line in r.errors:
                print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
