"""The layout is the architecture (issue 16, docs/ARCHITECTURE.md): no import circle inside
``graph``, no module past ~500 lines without a stated reason, and each wing depends only on the
stages before it.

The rules are over whatever modules exist: a new module in a wing obeys its wing's rules without
being named here. Imports are read by grimp from the source (function-level imports included:
an import made late to dodge a circle is still a circle in the design).
"""

from __future__ import annotations

from pathlib import Path

import grimp
import networkx as nx
import pytest

import graph

PACKAGE = Path(graph.__file__).parent

#: Lines past which a module must be split (or named below with its reason).
MAX_LINES = 500

#: Modules allowed past MAX_LINES, each with its reason and the size it may not pass.
LONG_MODULES: dict[str, tuple[int, str]] = {
    "graph/cli.py": (1000, "the command table: every command is a thin wrapper over one "
                          "library call, read top to bottom like a table of contents"),
    # Split pending (issue 16): modules that grew past the limit while other issues were being
    # built on them; the cap keeps each from growing further until it is split by concept.
    "graph/algorithms/balance.py": (760, "frustration index, exact and heuristic, and the "
                                         "partition it implies: split solver from heuristics"),
    "graph/analysis/project.py": (740, "every projection of the store; split the position "
                                       "frames from the graph views"),
    "graph/explorer/render.py": (570, "page assembly; the timeline view was being added to it"),
    "graph/server/workers.py": (660, "the worker pool and the worker process; split the two"),
    "graph/sources/spreadsheet.py": (690, "the spreadsheet reader and its cell checks; move the "
                                          "checks to graph/sources/values.py"),
    "graph/workbench/propose.py": (950, "mention finding (spaCy) and claim proposal in one "
                                        "module: split the matcher from the proposer"),
}

#: For each wing, what it may not depend on, directly or through any chain of imports.
#: The flow is source file -> reader (sources) -> store -> projection (analysis) -> algorithm
#: -> output (explorer, server, workbench, cli); algorithms are pure functions.
_OUTPUTS = {"graph.explorer", "graph.server", "graph.workbench", "graph.cli"}
FORBIDDEN: dict[str, set[str]] = {
    "graph.algorithms": {"graph.store", "graph.sources", "graph.analysis", "graph.build",
                         "graph.export", "graph.validate"} | _OUTPUTS,
    "graph.store": {"graph.sources", "graph.analysis", "graph.algorithms", "graph.build",
                    "graph.export", "graph.validate"} | _OUTPUTS,
    "graph.sources": {"graph.analysis", "graph.algorithms", "graph.export"} | _OUTPUTS,
    "graph.analysis": _OUTPUTS,
    "graph.explorer": _OUTPUTS - {"graph.explorer"},
    "graph.server": {"graph.cli"},
    "graph.workbench": {"graph.cli"},
}


@pytest.fixture(scope="module")
def imports() -> grimp.ImportGraph:
    return grimp.build_graph("graph", cache_dir=None)


def _digraph(imports: grimp.ImportGraph) -> nx.DiGraph:
    edges = nx.DiGraph()
    for module in imports.modules:
        edges.add_node(module)
        for imported in imports.find_modules_directly_imported_by(module):
            if imported != module:
                edges.add_edge(module, imported)
    return edges


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _where(imports: grimp.ImportGraph, importer: str, imported: str) -> str:
    details = imports.get_import_details(importer=importer, imported=imported)
    lines = ", ".join(f"line {d['line_number']}: {d['line_contents']}" for d in details)
    return f"{importer} -> {imported} ({lines})"


def _circles(imports: grimp.ImportGraph) -> list[str]:
    """Each import circle, as the imports that close it (with their lines)."""
    edges = _digraph(imports)
    circles = []
    for component in nx.strongly_connected_components(edges):
        if len(component) > 1:
            cycle = nx.find_cycle(edges.subgraph(component))
            circles.append("\n  ".join(_where(imports, a, b) for a, b in cycle))
    return circles


def test_no_import_circle(imports):
    circles = _circles(imports)
    assert not circles, "import circles:\n  " + "\n\n  ".join(circles)


def test_the_circle_detector_finds_a_circle():
    made = grimp.ImportGraph()
    for module in ("graph.a", "graph.b", "graph.c", "graph.d"):
        made.add_module(module)
    for importer, imported in (("graph.a", "graph.b"), ("graph.b", "graph.c"),
                               ("graph.c", "graph.a"), ("graph.c", "graph.d")):
        made.add_import(importer=importer, imported=imported, line_number=1,
                        line_contents=f"import {imported}")
    found = _circles(made)
    assert len(found) == 1 and found[0].count("->") == 3 and "graph.d" not in found[0]


@pytest.mark.parametrize("wing", sorted(FORBIDDEN))
def test_each_wing_depends_only_on_the_stages_before_it(imports, wing):
    if wing not in imports.modules:
        pytest.skip(f"{wing} does not exist")
    broken = set()
    for module in sorted(m for m in imports.modules if _in(m, wing)):
        for upstream in imports.find_upstream_modules(module):
            bad = next((f for f in FORBIDDEN[wing] if _in(upstream, f)), None)
            if bad is not None:
                chain = imports.find_shortest_chain(importer=module, imported=upstream)
                broken.add(f"{wing} may not depend on {bad}: " + " -> ".join(chain))
    assert not broken, "\n".join(sorted(set(broken)))


def test_backends_depend_on_the_store_interface_not_on_the_opener(imports):
    """The store's modules import their siblings, never the opener or the package itself (its
    re-exports are for the rest of the project), and no backend imports the query path."""
    store_modules = [m for m in imports.modules if m.startswith("graph.store.")]
    assert "graph.store.base" in store_modules
    wrong = []
    for module in store_modules:
        direct = imports.find_modules_directly_imported_by(module)
        for target in ("graph.store", "graph.store.opener", "graph.store.query"):
            if target in direct and module != target:
                wrong.append(_where(imports, module, target))
    assert not wrong, "\n".join(wrong)


def test_no_module_imports_its_own_wings_package(imports):
    """Inside a wing, modules import each other by name: importing the wing's ``__init__`` (which
    re-exports the wing) from inside it makes a circle with the re-exports."""
    wrong = []
    for module in imports.modules:
        parts = module.split(".")
        for depth in range(2, len(parts)):
            package = ".".join(parts[:depth])
            if package in imports.find_modules_directly_imported_by(module):
                wrong.append(_where(imports, module, package))
    assert not wrong, "\n".join(wrong)


def test_no_module_is_over_the_size_limit():
    too_long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE.parent).as_posix()
        with path.open("rb") as handle:
            lines = sum(1 for _ in handle)
        limit, _ = LONG_MODULES.get(name, (MAX_LINES, ""))
        if lines > limit:
            too_long.append(f"{name}: {lines} lines (limit {limit}): split it by concept")
    assert not too_long, "\n".join(too_long)


def test_every_long_module_allowed_exists_is_long_and_says_why():
    for name, (limit, reason) in LONG_MODULES.items():
        path = PACKAGE.parent / name
        assert path.is_file(), f"{name} is gone: drop it from LONG_MODULES"
        with path.open("rb") as handle:
            lines = sum(1 for _ in handle)
        assert lines > MAX_LINES, f"{name} is down to {lines} lines: drop it from LONG_MODULES"
        assert limit > MAX_LINES and len(reason) > 40, name


def test_every_wing_is_described_in_the_architecture_notes():
    notes = (PACKAGE.parent / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    wings = sorted(p.name for p in PACKAGE.iterdir()
                   if p.is_dir() and (p / "__init__.py").is_file())
    missing = [w for w in wings if f"graph/{w}/" not in notes]
    assert not missing, f"docs/ARCHITECTURE.md does not describe: {', '.join(missing)}"


def test_public_names_stay_where_the_rest_of_the_project_imports_them():
    """The wings' packages re-export what others import (README, notebooks, readers)."""
    import graph.sources.runner as runner
    import graph.store as store
    import graph.store.query as query

    for module, names in (
        (store, ["NTriplesWriter", "OxigraphStore", "Quad", "RdflibStore", "Store", "Triple",
                 "ntriples_chunks", "open_store"]),
        (runner, ["Context", "Unit", "dataset_source", "web_source", "slug", "ClaimEncoder",
                  "nt_line", "nt_term", "run_import", "ImportFailed", "graph_name",
                  "format_report", "progress_bar", "ENTITIES_GRAPH", "KINDS"]),
        (query, ["rdflib_guard", "run_query", "check_query", "named_queries"]),
    ):
        missing = [n for n in names if not hasattr(module, n)]
        assert not missing, f"{module.__name__} lost {missing}"
