"""Build the store: read the vocabulary and source files, validate, derive, write atomically."""

from __future__ import annotations

import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF

from graph.claims import derived_triples
from graph.resources import bundled_sources, data_dir
from graph.sources.turtle import read_turtle
from graph.validate import claims_elsewhere, load_texts, validate
from graph.vocab import ONTOLOGY_GRAPH, SG, SGG, ontology_graph

__all__ = ["BuildReport", "build", "source_files", "file_graph_name", "stable_blank_nodes"]

FILE_GRAPHS = str(SGG) + "file/"
#: Blank nodes (office terms) become these skolem IRIs, named by a hash of their content.
GENID = "https://stancegraph.org/.well-known/genid/"


@dataclass(frozen=True)
class BuildReport:
    """What a build wrote."""

    store: str
    files: tuple[str, ...]
    claims: int
    derived_claims: int
    triples: int
    texts_checked: int


def source_files(paths: Iterable[Path] = (), *, bundled: bool = True) -> list[Path]:
    """The bundled data files (unless ``bundled=False``) and every ``.ttl`` under ``paths``."""
    found = list(bundled_sources()) if bundled else []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.ttl") if p.is_file())
        elif path.exists():
            found.append(path)
        else:
            from graph.errors import InputError

            raise InputError(f"{path}: no such file or folder")
    unique, seen = [], set()
    for path in found:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def stable_blank_nodes(graph: Graph, *, in_place: bool = False) -> Graph:
    """``graph`` with each blank node replaced by a skolem IRI that depends only on the content.

    A parser gives blank nodes new labels on every read (and a store may relabel them again on
    writing): without this, two builds from the same files would differ. A new graph is
    returned (``graph`` itself when it has no blank node), unless ``in_place``: then ``graph``
    itself is changed and returned (the build does so with the graphs it has just read).

    Only the triples that hold a blank node are canonicalised: rdflib's canonical labels
    (``rdflib.compare``) are computed from those triples alone (a triple without a blank node
    neither colours nor distinguishes one), so the IRIs are the ones canonicalising the whole
    graph gives, in a tenth of the time on ``entities.ttl`` (``tests/test_stable_blank_nodes.py``
    compares both ways on every bundled file and on tricky graphs).
    """
    blank = [triple for triple in graph if any(isinstance(term, BNode) for term in triple)]
    if not blank:
        return graph
    part = Graph()
    for triple in blank:
        part.add(triple)
    if in_place:
        stable = graph
        for triple in blank:
            stable.remove(triple)
    else:
        stable = Graph()
        for triple in graph:
            if not any(isinstance(term, BNode) for term in triple):
                stable.add(triple)
    for triple in to_canonical_graph(part):
        stable.add(tuple(URIRef(GENID + t) if isinstance(t, BNode) else t for t in triple))
    return stable


@contextlib.contextmanager
def _quiet_literal_warnings():
    """Hide rdflib's traceback for an ill-typed literal ("2021-13-45"^^xsd:date).

    rdflib logs one with a traceback when it parses such a literal; the shapes report the same
    literal as one clear problem (file, claim, field), which is all the user should see.
    """
    logger = logging.getLogger("rdflib.term")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)


def file_graph_name(path: Path) -> URIRef:
    """The named graph of a data file: its path under the data folder, or its file name."""
    path = Path(path).resolve()
    try:
        relative = path.relative_to(data_dir().resolve()).as_posix()
    except ValueError:
        relative = "extra/" + path.name
    return URIRef(FILE_GRAPHS + relative.removesuffix(".ttl"))


def _refuse_empty(paths: list[Path], files: list[Path]) -> None:
    """InputError for a folder with no data file in it, or a build from no file at all.

    A build replaces every file graph of the previous build: from an empty folder (a wrong
    path, a checkout not done yet) it would silently replace the hand-coded claims by nothing.
    """
    from graph.errors import InputError

    hint = "pass --allow-empty (allow_empty=True) to build without them"
    for path in paths:
        if path.is_dir() and not source_files([path], bundled=False):
            raise InputError(f"{path}: no .ttl data files in this folder; a build from it would "
                             f"drop the claims built from files before ({hint})")
    if not files:
        raise InputError("nothing to build: no data files (with --no-bundled, name the files or "
                         "folders to build from); a build from nothing would drop every claim "
                         f"built from files before ({hint})")


def build(
    store,
    paths: Iterable[Path] = (),
    *,
    bundled: bool = True,
    texts: Iterable[Path] = (),
    progress: Callable[[str], None] | None = None,
    allow_empty: bool = False,
) -> BuildReport:
    """Validate every source file, derive direct edges and roll-ups, and replace them in ``store``.

    Nothing is written unless every file is valid. The previous build's file graphs are
    replaced in one transaction; graphs written by importers are left alone. Building twice
    from the same files gives the same store.

    Parameters
    ----------
    store : graph.store.Store
    paths : files or folders of Turtle data added to the bundled data
    bundled : include the data shipped with the package
    texts : folders holding source texts; evidence is checked against them when found
    progress : called with a short message at each step (the CLI shows it)
    allow_empty : build even from a folder that holds no data file, or from no file at all
        (which removes every claim built from files before); refused otherwise

    Raises
    ------
    graph.errors.InputError, graph.errors.ValidationError
    """
    say = progress or (lambda message: None)
    paths = [Path(p) for p in paths]
    files = source_files(paths, bundled=bundled)
    if not allow_empty:
        _refuse_empty(paths, files)
    graphs = {}
    with _quiet_literal_warnings():
        for path in files:
            say(f"reading {path.name}")
            graphs[path] = stable_blank_nodes(read_turtle(path), in_place=True)
        text_index = load_texts(texts)
        say(f"validating {len(files)} files")
        # Claims the store holds outside the build's own file graphs (a spreadsheet import):
        # a claim id in both would give one claim two actors, relations and targets.
        stored = claims_elsewhere(
            store, [c for g in graphs.values() for c in g.subjects(RDF.type, SG.Claim)],
            ignore=lambda name: name.startswith(FILE_GRAPHS))
        union = validate(graphs, text_index, stored=stored)

    say("deriving direct edges and roll-ups")
    owner = {}
    for path, graph in graphs.items():
        for claim in graph.subjects(RDF.type, SG.Claim):
            owner[claim] = path
    extra = defaultdict(set)
    # Each derived triple goes into one file graph only, and none that states it already: the
    # store answers over the union of graphs without removing duplicates (pyoxigraph, SPARQL
    # servers), so a direct edge derived from claims in two files would count twice.
    placed = {triple for graph in graphs.values() for triple in graph}
    for claim, triple in derived_triples(union):
        if triple not in placed:
            placed.add(triple)
            extra[owner[claim]].add(triple)

    contents: dict[URIRef, Iterable] = {ONTOLOGY_GRAPH: list(ontology_graph())}
    for path, graph in graphs.items():
        contents[file_graph_name(path)] = set(graph) | extra[path]
    for stale in store.graph_names():
        if str(stale).startswith(FILE_GRAPHS) and stale not in contents:
            contents[stale] = []
    contents = {name: list(triples) for name, triples in contents.items()}
    say(f"writing {sum(map(len, contents.values()))} triples to {store.uri}")
    store.replace_graphs(contents)

    claims = sum(1 for _ in union.subjects(RDF.type, SG.Claim))
    derived = sum(
        1 for triples in extra.values() for s, p, o in triples if p == SG.mode and o == SG.Derived
    )
    checked = len({str(union.value(s, SG.textSha256)) for s in union.subjects(RDF.type, SG.Source)}
                  & set(text_index))
    return BuildReport(
        store=store.uri,
        files=tuple(str(p) for p in files),
        claims=claims,
        derived_claims=derived,
        triples=store.count_triples(),
        texts_checked=checked,
    )
