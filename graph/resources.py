"""Locate the files shipped with the package: the ontology, the shapes, the bundled data.

In a wheel they live inside the package (``graph/_ontology``, ``graph/_data``); in a checkout
they are the top-level ``ontology/`` and ``data/`` folders. Never relative to the current directory.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_CHECKOUT_ROOT = Path(__file__).resolve().parent.parent


def _locate(packaged: str, checkout: str) -> Path:
    inside = resources.files("graph") / packaged
    if inside.is_dir():
        return Path(str(inside))
    fallback = _CHECKOUT_ROOT / checkout
    if fallback.is_dir():
        return fallback
    raise FileNotFoundError(f"stancegraph is installed without its {checkout}/ folder")


def ontology_dir() -> Path:
    """Folder holding ``actors.ttl`` (the vocabulary) and ``shapes.ttl`` (SHACL shapes)."""
    return _locate("_ontology", "ontology")


def ontology_path() -> Path:
    """Path of the vocabulary, ``actors.ttl``."""
    return ontology_dir() / "actors.ttl"


def shapes_path() -> Path:
    """Path of the SHACL shapes, ``shapes.ttl``."""
    return ontology_dir() / "shapes.ttl"


def data_dir() -> Path:
    """Folder of the bundled, hand-coded data (entities and one file per source)."""
    return _locate("_data", "data")


def bundled_sources() -> list[Path]:
    """Every bundled data file, sorted, so builds are reproducible."""
    return sorted(p for p in data_dir().rglob("*.ttl") if p.is_file())
