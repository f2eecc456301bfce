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
assert report.claims == 55, report
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
    assert result.stdout.split("\n")[0] == "55 ['JPN', 'USA']"


# ------------------------------------------------------------------------------ issue 14, item 20

def _requirement_names(requirements) -> set[str]:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    return {canonicalize_name(Requirement(r).name) for r in requirements}


def _third_party_imports() -> dict[str, set[str]]:
    """Top-level modules imported anywhere in graph/ (lazily too) -> the files importing them."""
    import ast

    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "graph").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top != "graph" and top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_import_of_the_package_is_a_declared_dependency():
    """A module the package imports comes from a distribution pyproject.toml declares, in the
    dependencies or in an extra other than dev (which is for the tests): installed from the
    wheel, nothing may be missing (httpx was, for sparql+http:// stores)."""
    import tomllib
    from importlib.metadata import packages_distributions

    from packaging.utils import canonicalize_name

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = _requirement_names(project["dependencies"])
    for extra, requirements in project.get("optional-dependencies", {}).items():
        if extra != "dev":
            declared |= _requirement_names(requirements)
    distributions = packages_distributions()
    undeclared = {}
    for module, files in sorted(_third_party_imports().items()):
        names = {canonicalize_name(d) for d in distributions.get(module, [module])}
        if not names & declared:
            undeclared[module] = sorted(files)
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"


def test_the_declared_licence_has_its_file():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "THE SOFTWARE IS PROVIDED \"AS IS\"" in text


def test_the_wheel_carries_the_licence(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.endswith(".dist-info/licenses/LICENSE") or n.endswith(".dist-info/LICENSE")
               for n in names), [n for n in names if "dist-info" in n]


# ------------------------------------------------------------------------------ issue 14, item 19

def _quick_start() -> list[str]:
    """The commands of the README's quick start, comments dropped."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    blocks = [part.split("```", 1)[0] for part in section.split("```sh\n")[1:]]
    return [line.split("  #", 1)[0].strip()
            for block in blocks for line in block.splitlines() if line.strip()]


def test_the_quick_start_works_as_written_in_a_fresh_shell(tmp_path):
    """A new user's first minutes: ``make demo``, then in a new shell the README's next lines
    find ``stancegraph`` and the store the demo built (no STANCEGRAPH_STORE, no activated venv,
    a home of its own)."""
    import shutil

    if shutil.which("make") is None or shutil.which("bash") is None:
        pytest.skip("make and bash are needed to run the quick start")
    if not (ROOT / ".venv" / "bin" / "activate").is_file():
        pytest.skip("no .venv in the checkout (make demo creates it)")
    commands = _quick_start()
    assert commands[:2] == ["make demo", "make test"], commands
    commands = [commands[0], *commands[2:]]  # the suite itself is what runs this test
    venv_bin = str(ROOT / ".venv" / "bin")
    env = {k: v for k, v in os.environ.items()
           if k not in ("STANCEGRAPH_STORE", "VIRTUAL_ENV", "STORE", "MAKEFLAGS", "MFLAGS",
                        "MAKELEVEL")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if p and p != venv_bin)
    env["HOME"] = str(tmp_path)
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    # -o: the venv is taken as installed, so that the test never runs pip (no network)
    result = subprocess.run(["make", "--no-print-directory", "-o", ".venv/.installed", "demo"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    # a fresh shell: the README's next lines, as written
    script = "set -e\n" + "\n".join(commands[1:])
    result = subprocess.run(["bash", "--noprofile", "--norc", "-c", script], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip(), "the quick start's commands printed nothing"
