"""Fill in sg:evidenceStart / sg:evidenceEnd for every quoted fragment of a Turtle data file.

Usage: python scripts/fill_offsets.py DATA.ttl SOURCE_TEXT.txt

Each `sg:evidence "..."` must occur exactly once in the text (Python str offsets of the UTF-8
decoded file); the two offsets that follow it in the data file are rewritten in place. Fragments
that are missing or ambiguous are listed and the file is left unchanged.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

CLAIM = re.compile(
    r'(sg:evidence "(?P<quote>(?:[^"\\]|\\.)*)" ;\s*'
    r'sg:evidenceStart ")(?P<start>\d+)("\^\^xsd:integer ; sg:evidenceEnd ")'
    r'(?P<end>\d+)(")'
)


def fill(data: str, text: str) -> tuple[str, list[str]]:
    problems = []

    def replace(match: re.Match) -> str:
        quote = match.group("quote").encode().decode("unicode_escape").encode("latin-1").decode()
        hits = [m.start() for m in re.finditer(re.escape(quote), text)]
        if len(hits) != 1:
            problems.append(f"{quote[:60]!r}: found {len(hits)} times in the text")
            return match.group(0)
        start = hits[0]
        return (match.group(1) + str(start) + match.group(4) + str(start + len(quote))
                + match.group(6))

    return CLAIM.sub(replace, data), problems


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    data_path, text_path = Path(argv[1]), Path(argv[2])
    updated, problems = fill(data_path.read_text(encoding="utf-8"),
                             text_path.read_text(encoding="utf-8"))
    if problems:
        for problem in problems:
            print(f"{data_path}: {problem}", file=sys.stderr)
        return 1
    data_path.write_text(updated, encoding="utf-8")
    print(f"{data_path}: offsets filled")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
