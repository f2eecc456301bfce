"""The wheel ships the vocabulary, the shapes, the seed data and the named queries, and works
installed somewhere else, run from a directory that is not the checkout."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

INSTALLED_CHECK = """
import sys
from pathlib import Path

import graph
from graph.build import build
from graph.store.query import named_query, run_query
from graph.resources import data_dir, ontology_path, shapes_path
from graph.store import open_store

site = Path(sys.argv[1]).resolve()
for path in (Path(graph.__file__), ontology_path(), shapes_path(), data_dir()):
    assert path.resolve().is_relative_to(site), path
store = open_store("memory:")
report = build(store)
assert report.claims == 54, report
query = named_query("cosponsors")
rows = run_query(store, query.text, {"resolution": "res:unhrc-dprk-2021"}, query.parameters)
print(report.claims, sorted(str(row.code) for row in rows))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(ROOT)],
        capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stderr
    wheels = list(out.glob("stancegraph-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_the_wheel_holds_the_package_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ["graph/_ontology/actors.ttl", "graph/_ontology/shapes.ttl",
                 "graph/_data/entities.ttl", "graph/cli.py", "graph/__main__.py"]:
        assert name in names, name
    assert any(n.startswith("graph/_data/sources/") and n.endswith(".ttl") for n in names)
    queries = {n for n in names if n.startswith("graph/queries/") and n.endswith(".rq")}
    shipped = {f"graph/queries/{p.name}" for p in (ROOT / "graph" / "queries").glob("*.rq")}
    assert queries == shipped and len(queries) >= 5
    # the package only: no tests, no checkout folders beside it
    assert not any(n.startswith(("tests/", "ontology/", "data/")) for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "stancegraph = graph.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_the_installed_wheel_builds_the_seed_from_elsewhere(wheel, tmp_path):
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
         str(wheel)],
        capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONSAFEPATH": "1"}
    result = subprocess.run(
        [sys.executable, "-c", INSTALLED_CHECK, str(site)],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == "54 ['JPN', 'USA']"
