"""Precision and recall of `stancegraph propose` against a hand coding (default: the seed article).

    .venv/bin/python scripts/proposal_quality.py [TEXT SOURCE_TTL SOURCE_ID [DATE [ENTITIES]]]

Without arguments: the seed article of ../shared/seeds against
data/sources/kim-2021-03-27-monkey-cage.ttl, dated 2021-03-27. Prints one line per proposal
(correct ones marked) and the figures. Labels come from the bundled entities (no store needed);
ENTITIES (Turtle) adds the issues, resolutions, events and actors of a Turtle file (an in-memory
store holding the bundled entities and that file), e.g. the check of tests/data/workbench:

    .venv/bin/python scripts/proposal_quality.py tests/data/workbench/proposal_check.txt \
        tests/data/workbench/proposal_check_coding.ttl proposal-check 2024-03-08 \
        tests/data/workbench/proposal_check_entities.ttl
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.vocab import short  # noqa: E402
from graph.workbench.commands import read_text  # noqa: E402
from graph.workbench.propose import propose  # noqa: E402
from graph.workbench.quality import gold_triples, quality  # noqa: E402

__all__ = ["entity_store", "main"]

SEED = ROOT.parent / "shared" / "seeds" / "000_d1463e060d2fec2f.txt"
CODING = ROOT / "data" / "sources" / "kim-2021-03-27-monkey-cage.ttl"


def entity_store(*paths: Path):
    """An in-memory store holding the bundled entities and the Turtle files ``paths``."""
    from rdflib import Graph, URIRef

    from graph.store import open_store

    store = open_store("memory:")
    graphs = {}
    for n, path in enumerate([ROOT / "data" / "entities.ttl", *paths]):
        graphs[URIRef(f"urn:stancegraph:proposal-quality:{n}")] = \
            list(Graph().parse(path, format="turtle"))
    store.replace_graphs(graphs)
    return store


def main(argv: list[str]) -> int:
    """Print the proposals and their precision and recall; return the exit code."""
    if len(argv) > 1:
        text_path, coding, source_id = Path(argv[1]), Path(argv[2]), argv[3]
        date = argv[4] if len(argv) > 4 else None
        store = entity_store(Path(argv[5])) if len(argv) > 5 else None
    else:
        store = None
        text_path, coding, source_id, date = SEED, CODING, "kim-2021-03-27", "2021-03-27"
    if not text_path.is_file():
        print(f"Error: {text_path}: no such file (is ../shared there?)", file=sys.stderr)
        return 1
    proposals = propose(read_text(text_path), store=store, date=date)
    gold = gold_triples(coding, source_id)
    for p in proposals:
        mark = "+" if p.key() in gold else "-"
        print(f"{mark} {short(p.actor)} {p.relation} {short(p.target)}  [{p.cue}]")
    result = quality(proposals, gold)
    print(f"proposed {result.proposed} distinct triples, hand-coded {result.coded}, "
          f"correct {result.correct}: precision {result.precision:.3f}, "
          f"recall {result.recall:.3f}, F1 {result.f1:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
