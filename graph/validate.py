"""Check data against the vocabulary: SHACL shapes (pySHACL), then evidence against source texts."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import PROV, RDF, SH

from graph.errors import ValidationError
from graph.resources import shapes_path
from graph.vocab import SG, ontology_graph, short

__all__ = ["validate", "load_texts", "SourceText", "MAX_EVIDENCE_WORDS"]

#: Evidence is a short quoted fragment; past this many words it is a passage, not a quote.
MAX_EVIDENCE_WORDS = 25


@dataclass(frozen=True)
class SourceText:
    """The text of a source, found on disk by its SHA-256, to check evidence offsets against."""

    path: Path
    sha256: str
    text: str


def load_texts(folders: Iterable[Path]) -> dict[str, SourceText]:
    """Index every file in ``folders`` by SHA-256 of its bytes (texts are never copied in)."""
    texts: dict[str, SourceText] = {}
    for folder in folders:
        folder = Path(folder)
        files = [folder] if folder.is_file() else sorted(
            p for p in folder.rglob("*") if p.is_file())
        for path in files:
            raw = path.read_bytes()
            digest = hashlib.sha256(raw).hexdigest()
            try:
                texts[digest] = SourceText(path, digest, raw.decode("utf-8"))
            except UnicodeDecodeError:
                continue
    return texts


@cache
def _shapes() -> Graph:
    return Graph().parse(shapes_path(), format="turtle")


def _origin_index(files: Mapping[Path, Graph]) -> dict[URIRef, Path]:
    where: dict[URIRef, Path] = {}
    for path, graph in files.items():
        for subject in graph.subjects(RDF.type, None):
            where.setdefault(subject, path)
    return where


def _shacl_problems(union: Graph, origin: Mapping[URIRef, Path]) -> list[str]:
    import pyshacl

    conforms, report, _ = pyshacl.validate(
        union,
        shacl_graph=_shapes(),
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    if conforms:
        return []
    problems = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        value = report.value(result, SH.value)
        where = origin.get(focus, "<input>")
        field = short(path) if path is not None else "-"
        shown = value is not None and value != focus  # node checks report the claim itself
        detail = f" (value {value.n3() if hasattr(value, 'n3') else value})" if shown else ""
        problems.append(f"{where}: {short(focus)}: {field}: {message}{detail}")
    return sorted(set(problems))


def _evidence_problems(
    union: Graph, origin: Mapping[URIRef, Path], texts: Mapping[str, SourceText]
) -> list[str]:
    problems = []
    for claim in union.subjects(RDF.type, SG.Claim):
        evidence = union.value(claim, SG.evidence)
        if evidence is None:
            continue
        where = f"{origin.get(claim, '<input>')}: {short(claim)}: sg:evidence"
        words = len(str(evidence).split())
        if words > MAX_EVIDENCE_WORDS:
            problems.append(
                f"{where}: evidence has {words} words; quote at most {MAX_EVIDENCE_WORDS}"
            )
        source = union.value(claim, PROV.wasDerivedFrom)
        digest = union.value(source, SG.textSha256) if source is not None else None
        text = texts.get(str(digest)) if digest is not None else None
        start, end = union.value(claim, SG.evidenceStart), union.value(claim, SG.evidenceEnd)
        if text is None or start is None or end is None:
            continue
        start, end = int(start), int(end)
        found = text.text[start:end]
        if end > len(text.text):
            problems.append(f"{where}: offsets {start}..{end} fall outside {text.path} "
                            f"({len(text.text)} characters)")
        elif found != str(evidence):
            problems.append(f"{where}: {text.path}[{start}:{end}] is {found[:60]!r}, "
                            f"not the quoted fragment {str(evidence)[:60]!r}")
    return problems


def validate(
    files: Mapping[Path, Graph], texts: Mapping[str, SourceText] | None = None
) -> Graph:
    """Validate the union of ``files`` with the vocabulary; return that union graph.

    Raises
    ------
    ValidationError
        One line per problem: ``file: claim: field: message``. Nothing is written by the
        caller when this is raised.
    """
    union = Graph()
    for triple in ontology_graph():
        union.add(triple)
    seen: dict[URIRef, Path] = {}
    problems = []
    for path, graph in files.items():
        for claim in graph.subjects(RDF.type, SG.Claim):
            if claim in seen and seen[claim] != path:
                problems.append(f"{path}: {short(claim)}: claim id already used in {seen[claim]}")
            seen[claim] = path
        for triple in graph:
            union.add(triple)
    origin = _origin_index(files)
    problems += _shacl_problems(union, origin)
    problems += _evidence_problems(union, origin, texts or {})
    if problems:
        raise ValidationError(problems)
    return union
