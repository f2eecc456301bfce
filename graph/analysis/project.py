"""Project the RDF store onto the shapes analysis needs: a signed state graph, a positions table.

Each projection is one SPARQL query on the store (so it works on every store) returning only the
columns it needs; claim IRIs travel with every row so that any number traces back to evidence.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from graph.analysis.coverage import issue_coverage  # re-exported: analyses import it here
from graph.analysis.temporal import office_terms, time_context, weigh  # re-exported
from graph.dates import iso_or_none as _iso
from graph.dates import valid_at  # re-exported: the readers use it too
from graph.vocab import relations

__all__ = [
    "state_graph",
    "positions",
    "allied_pairs",
    "issue_hierarchy",
    "issue_coverage",
    "state_iris",
    "claims_then",
    "labels",
    "valid_at",
    "Tie",
    "time_context",
    "office_terms",
    "weigh",
]

_VALIDITY = """
    OPTIONAL { ?claim sg:date ?date }
    OPTIONAL { ?claim sg:validFrom ?validFrom }
    OPTIONAL { ?claim sg:validUntil ?validUntil }
"""


@dataclass(frozen=True)
class Tie:
    """One claim between two states, as read from the store."""

    claim: str
    actor: str
    target: str
    relation: str
    polarity: int
    weight: float
    confidence: float


def _code(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


#: Claims bound per query by :func:`claims_then` (a few hundred kB of query text).
CLAIMS_PER_QUERY = 2000


def claims_then(store, finder: str, detail: str, *, keep: bool = False) -> list[dict]:
    """Rows of ``detail`` for the claims ``finder`` selects (``?claim``), read in batches.

    ``detail`` holds ``VALUES ?claim { CLAIMS }``, filled with the claims found. Finding the
    few claims that matter first (those targeting a state, say) and binding them keeps the
    store from joining every statement node: with the UN votes loaded, pyoxigraph otherwise
    starts from the 870,000 vote claims and takes tens of seconds for a few dozen rows.

    With ``keep``, both answers are kept with a store on disk (graph.store.kept.kept_rows)
    and read back until its next write, values as text ("" for unbound): for the claims the
    analyses read whatever the date D (weighing them at D comes afterwards, in Python), where
    asking each time cost ~20 ms of every ``clusters`` run (issue 15).
    """
    from graph.store import NTriplesWriter
    from graph.store.kept import kept_rows

    def read(query):
        return kept_rows(store, query) if keep else store.select_rows(query)

    writer = NTriplesWriter()
    found = sorted({row["claim"] for row in read(finder)})
    rows: list[dict] = []
    for start in range(0, len(found), CLAIMS_PER_QUERY):
        batch = " ".join(writer.iri(c) for c in found[start:start + CLAIMS_PER_QUERY])
        rows.extend(read(detail.replace("CLAIMS", batch, 1)))
    return rows


def labels(store) -> dict[str, str]:
    """rdfs:label of every actor and target, by IRI."""
    rows = store.select_rows(
        "SELECT ?x ?label WHERE { ?x rdfs:label ?label . "
        "{ ?x a/rdfs:subClassOf* sg:Actor } UNION { ?x a/rdfs:subClassOf* sg:Target } }"
    )
    return {r["x"]: str(r["label"]) for r in rows}


def state_graph(store, *, as_of: str | None = None, include_neutral: bool = False,
                half_life=None, horizon=None, context=None):
    """The state-level signed, weighted graph after the roll-up, at D (docs/TIME.md).

    Nodes are ISO codes with ``label``; each undirected edge sums the claims between the two
    states that count at D (``as_of``, default the newest date in the store):
    ``score`` = sum of polarity x |weight| x confidence x time weight (the claim's weight at
    D: decay, horizon, supersession, office terms), ``sign`` = sign of the score,
    ``weight`` = |score|, ``relations`` and ``claims`` sorted lists (of the claims that count),
    ``claim_weights`` (claim -> time weight), ``positive`` / ``negative`` claim counts.
    Claims with polarity 0 (declined) make no signed edge; with
    ``include_neutral`` they still appear in ``relations`` and ``claims`` of existing edges.

    Examples
    --------
    >>> from graph.store import open_store
    >>> G = state_graph(open_store("memory:"))
    >>> G.number_of_nodes()
    0
    """
    import networkx as nx

    rows = claims_then(
        store,
        "SELECT DISTINCT ?claim WHERE { ?target a sg:State . ?claim sg:target ?target }",
        """
        SELECT ?claim ?actor ?target ?relation ?confidence ?date ?validFrom ?validUntil WHERE {
            VALUES ?claim { CLAIMS }
            ?claim a sg:Claim ; sg:actor ?actor ; sg:relation ?relation ; sg:target ?target .
            ?actor a sg:State . ?target a sg:State .
            OPTIONAL { ?claim sg:confidence ?confidence }
        """
        + _VALIDITY
        + "}",
    )
    names = {r["s"]: (r["code"], str(r["label"])) for r in store.select_rows(
        "SELECT ?s ?code ?label WHERE { ?s a sg:State ; sg:isoCode ?code ; rdfs:label ?label }"
    )}
    import pandas as pd

    table = {r.iri: r for r in relations().values()}
    if context is None:
        context = time_context(store, as_of=as_of, half_life=half_life, horizon=horizon)
    frame = pd.DataFrame.from_records(
        [{"claim": r["claim"], "actor": r["actor"], "target": r["target"],
          "relation": str(r["relation"]).rsplit("#", 1)[-1],
          "date": _iso(r.get("date")) or "", "valid_from": _iso(r.get("validFrom")) or "",
          "valid_until": _iso(r.get("validUntil")) or ""} for r in rows],
        columns=["claim", "actor", "target", "relation", "date", "valid_from", "valid_until"])
    time_weight = dict(zip(frame["claim"], weigh(frame, context)["weight"], strict=True)) \
        if len(frame) else {}
    graph = nx.Graph()
    for iri, (code, label) in sorted(names.items(), key=lambda kv: kv[1][0]):
        graph.add_node(code, label=label, iri=iri)
    edges: dict[tuple[str, str], dict] = defaultdict(
        lambda: {"score": 0.0, "relations": set(), "claims": set(), "positive": 0, "negative": 0,
                 "weights": {}}
    )
    for row in sorted(rows, key=lambda r: r["claim"]):
        w = float(time_weight.get(row["claim"], 0.0))
        if w <= 0:
            continue
        relation = table.get(__import__("rdflib").URIRef(row["relation"]))
        if relation is None:
            continue
        a, b = names[row["actor"]][0], names[row["target"]][0]
        if a == b:
            continue
        if relation.polarity == 0 and not include_neutral:
            continue
        key = tuple(sorted((a, b)))
        edge = edges[key]
        confidence = float(row.get("confidence") or 1.0)
        edge["score"] += relation.polarity * abs(relation.weight) * confidence * w
        edge["relations"].add(relation.name)
        edge["claims"].add(row["claim"])
        edge["weights"][row["claim"]] = round(w, 6)
        if relation.polarity > 0:
            edge["positive"] += 1
        elif relation.polarity < 0:
            edge["negative"] += 1
    for (a, b), edge in sorted(edges.items()):
        if edge["score"] == 0:
            continue  # only neutral claims, or exact cancellation: no signed tie
        graph.add_edge(
            a,
            b,
            sign=1 if edge["score"] > 0 else -1,
            weight=round(abs(edge["score"]), 6),
            score=round(edge["score"], 6),
            relations=sorted(edge["relations"]),
            claims=sorted(edge["claims"]),
            claim_weights=dict(sorted(edge["weights"].items())),
            positive=edge["positive"],
            negative=edge["negative"],
        )
    return graph


def state_iris(store) -> dict[str, str]:
    """ISO code -> IRI of every state."""
    return {str(r["code"]): r["s"] for r in store.select_rows(
        "SELECT ?s ?code WHERE { ?s a sg:State ; sg:isoCode ?code }")}


def issue_hierarchy(store) -> dict[str, list[str]]:
    """skos:broader links of the issue scheme: issue IRI -> its broader issue IRIs."""
    broader: dict[str, list[str]] = defaultdict(list)
    for row in store.select_rows("SELECT ?n ?b WHERE { ?n skos:broader ?b }"):
        broader[row["n"]].append(row["b"])
    return dict(broader)


def _ancestors(issue: str, broader: dict[str, list[str]]) -> list[str]:
    seen, stack = [], list(broader.get(issue, ()))
    while stack:
        parent = stack.pop()
        if parent not in seen:
            seen.append(parent)
            stack.extend(broader.get(parent, ()))
    return seen


POSITION_COLUMNS = [
    "actor", "actor_label", "issue", "issue_label", "position", "relation", "target",
    "target_label", "item", "claim", "source", "source_title", "evidence", "date", "via",
    "weight", "status", "superseded_by", "key", "kind", "valid_from", "valid_until",
]


def positions(
    store,
    *,
    level: str = "state",
    as_of: str | None = None,
    propagate: bool = True,
    issue: str | None = None,
    actors=None,
    half_life=None,
    horizon=None,
    context=None,
    keep_inactive: bool = False,
):
    """The actor x issue positions table (pandas DataFrame, one row per claim and issue).

    Columns: actor (code), actor_label, issue (code), issue_label, position (-1..1), relation,
    target (code), target_label, item (the resolution for claims on a resolution, else the
    issue: what a roll-call style agreement compares), claim, source, source_title, evidence,
    date, via (the narrower issue a propagated row came from, else empty), and the claim's
    standing at D (docs/TIME.md; D = ``as_of``, default the newest date in the store):
    weight, status, superseded_by, key (the target key: series or target IRI), kind (Act or
    Standing), valid_from, valid_until. Rows with weight 0 are left out unless
    ``keep_inactive`` (the evidence of a gap lists superseded claims too).
    Aggregate with :func:`graph.analysis.temporal.aggregate_positions`.

    ``level="state"`` keeps state actors only (after the roll-up); ``"all"`` keeps every actor.
    With ``propagate``, a position on an issue also counts for each broader issue
    (``skos:broader``), marked with ``via``. ``issue`` keeps one issue (code, label or IRI) and
    what propagates to it. ``actors`` (IRIs) keeps the claims of those actors only, found first
    and read in batches: a profile of one state reads its own claims, not the whole record.

    The claims are read in one query whose parts are each joined by hash on ``?claim`` (labels,
    codes and titles come from small separate queries): with the 870,109 UN votes loaded,
    pyoxigraph then reads every position in about half a minute, where joining each pattern
    claim by claim takes minutes.
    """
    import pandas as pd

    # Stores that serialise answers themselves (pyoxigraph) hand over the rows as CSV, and the
    # table is built column by column; other stores go row by row (the same table: issue 15).
    fast = hasattr(store, "select_csv")
    columns = "?claim ?actor ?issue ?position ?relation ?target ?source ?evidence " \
        "?date ?validFrom ?validUntil"
    optional = [("sg:evidence", "evidence"), ("sg:date", "date"),
                ("sg:validFrom", "validFrom"), ("sg:validUntil", "validUntil")]
    if actors is not None:
        writer = __import__("graph.store", fromlist=["NTriplesWriter"]).NTriplesWriter()
        wanted_actors = " ".join(writer.iri(str(a)) for a in sorted(set(map(str, actors))))
        if not wanted_actors:
            return pd.DataFrame(columns=POSITION_COLUMNS)
        finder = (f"SELECT DISTINCT ?claim WHERE {{ VALUES ?a {{ {wanted_actors} }} "
                  "?claim sg:actor ?a ; sg:onIssue ?i }")
        detail = f"""SELECT {columns} WHERE {{
                VALUES ?claim {{ CLAIMS }}
                ?claim sg:onIssue ?issue ; sg:position ?position ; sg:actor ?actor ;
                       sg:relation ?relation ; sg:target ?target ; prov:wasDerivedFrom ?source .
                {" ".join(f"OPTIONAL {{ ?claim {p} ?{v} }}" for p, v in optional)}
            }}"""
        rows = _actor_claims_csv(store, sorted(set(map(str, actors)))) if fast else \
            claims_then(store, finder, detail)
    else:
        parts = [("sg:onIssue", "issue"), ("sg:position", "position"), ("sg:actor", "actor"),
                 ("sg:relation", "relation"), ("sg:target", "target"),
                 ("prov:wasDerivedFrom", "source")]
        body = " ".join(f"{{ SELECT ?claim ?{v} WHERE {{ ?claim {p} ?{v} }} }}"
                        for p, v in parts)
        body += " ".join(f" OPTIONAL {{ SELECT ?claim ?{v} WHERE {{ ?claim {p} ?{v} }} }}"
                         for p, v in optional)
        text = f"SELECT {columns} WHERE {{ {body} }}"
        rows = _csv_frame(store, text) if fast else store.select_rows(text)
    states = {r["s"] for r in store.select_rows("SELECT ?s WHERE { ?s a sg:State }")}
    resolutions = {r["r"] for r in store.select_rows("SELECT ?r WHERE { ?r a sg:Resolution }")}
    codes = {r["x"]: str(r["code"]) for r in store.select_rows(
        "SELECT ?x ?code WHERE { ?x sg:code ?code }")}
    names = {r["x"]: str(r["label"]) for r in store.select_rows(
        "SELECT ?x ?label WHERE { ?x rdfs:label ?label }")}
    titles = {r["s"]: str(r["title"]) for r in store.select_rows(
        "SELECT ?s ?title WHERE { ?s dcterms:title ?title }")}
    broader = issue_hierarchy(store) if propagate else {}
    if fast:
        frame = _position_frame(rows, level=level, states=states, resolutions=resolutions,
                                codes=codes, names=names, titles=titles, broader=broader)
        rows = []
    records = []
    for row in rows:
        if level == "state" and row["actor"] not in states:
            continue
        target = row["target"]
        target_code = codes.get(target) or _code(target)
        own_issue = codes.get(row["issue"]) or _code(row["issue"])
        base = {
            "actor": codes.get(row["actor"]) or _code(row["actor"]),
            "actor_label": names.get(row["actor"], ""),
            "position": float(row["position"]),
            "relation": str(row["relation"]).rsplit("#", 1)[-1],
            "target": target_code,
            "target_label": names.get(target, ""),
            "claim": row["claim"],
            "source": row["source"],
            "source_title": titles.get(row["source"], ""),
            "evidence": str(row.get("evidence") or ""),
            "date": _iso(row.get("date")) or _iso(row.get("validFrom")) or "",
        }
        is_resolution = target in resolutions
        base["valid_from"] = _iso(row.get("validFrom")) or ""
        base["valid_until"] = _iso(row.get("validUntil")) or ""
        base["_date"] = _iso(row.get("date")) or ""
        base["_target"] = target
        records.append({
            **base,
            "issue": own_issue,
            "issue_label": names.get(row["issue"], ""),
            "item": target_code if is_resolution else own_issue,
            "via": "",
        })
        for ancestor in _ancestors(row["issue"], broader):
            code = codes.get(ancestor) or _code(ancestor)
            records.append({
                **base, "issue": code, "issue_label": names.get(ancestor, ""),
                "item": target_code if is_resolution else code, "via": own_issue,
            })
    if not fast:
        frame = pd.DataFrame.from_records(records,
                                          columns=[*POSITION_COLUMNS, "_date", "_target"])
    if context is None:
        context = time_context(store, as_of=as_of, half_life=half_life, horizon=horizon)
    weighted = weigh(frame.rename(columns={"target": "_code", "_target": "target",
                                           "date": "_shown", "_date": "date"})
                     .drop(columns=["weight", "status", "superseded_by", "key", "kind"]),
                     context)
    frame = frame.assign(**{c: weighted[c].to_numpy() for c in
                            ("weight", "status", "superseded_by", "key", "kind")})
    frame = frame[POSITION_COLUMNS]
    if not keep_inactive:
        frame = frame[frame["weight"] > 0]
    if issue is not None:
        wanted = issue.strip().lower()
        mask = (frame["issue"].str.lower() == wanted) | (frame["issue_label"].str.lower() == wanted)
        mask |= frame["issue"].str.lower() == _code(wanted)
        frame = frame[mask]
    return frame.sort_values(["actor", "issue", "claim"], kind="stable").reset_index(drop=True)


_RAW_COLUMNS = ["claim", "actor", "issue", "position", "relation", "target", "source",
                "evidence", "date", "validFrom", "validUntil"]


def _csv_frame(store, text: str):
    """A SELECT read as CSV serialised by the store (every column text, unbound empty)."""
    import io

    import pandas as pd

    frame = pd.read_csv(io.BytesIO(store.select_csv(text)), dtype=str, keep_default_na=False)
    return frame.reindex(columns=_RAW_COLUMNS, fill_value="")


#: The claim properties :func:`positions` reads: predicate, column, and whether a claim
#: without it is left out (the required patterns of its query) or gets "" (its OPTIONALs).
_CLAIM_PROPERTIES = (
    ("https://stancegraph.org/ontology#onIssue", "issue", True),
    ("https://stancegraph.org/ontology#position", "position", True),
    ("https://stancegraph.org/ontology#actor", "actor", True),
    ("https://stancegraph.org/ontology#relation", "relation", True),
    ("https://stancegraph.org/ontology#target", "target", True),
    ("http://www.w3.org/ns/prov#wasDerivedFrom", "source", True),
    ("https://stancegraph.org/ontology#evidence", "evidence", False),
    ("https://stancegraph.org/ontology#date", "date", False),
    ("https://stancegraph.org/ontology#validFrom", "validFrom", False),
    ("https://stancegraph.org/ontology#validUntil", "validUntil", False),
)


def _actor_claims_csv(store, actor_iris: list[str]):
    """The raw claim rows of some actors (as :func:`_csv_frame` reads them), each claim's
    properties read in one scan of its triples and joined here.

    Binding each property of each claim costs one index lookup (about 7 us on disk): the
    21,000 votes of five states took 1.9 s CPU that way, and 1.0 s as one range scan per
    claim (issue 15). The joins below are those of the query in :func:`positions` (a claim
    lacking a required property is left out, one with two values of a property gives two
    rows); a triple stored in two graphs counts once.
    """
    import io

    import pandas as pd

    from graph.store import NTriplesWriter

    writer = NTriplesWriter()
    wanted = " ".join(writer.iri(a) for a in actor_iris)
    predicates = ", ".join(f"<{p}>" for p, _, _ in _CLAIM_PROPERTIES)
    text = (f"SELECT ?claim ?p ?o WHERE {{ VALUES ?actor {{ {wanted} }} "
            f"?claim sg:actor ?actor ; ?p ?o . FILTER (?p IN ({predicates})) }}")
    triples = pd.read_csv(io.BytesIO(store.select_csv(text)), dtype=str,
                          keep_default_na=False).drop_duplicates()
    frame = pd.DataFrame({"claim": triples["claim"].drop_duplicates()})
    for predicate, column, required in _CLAIM_PROPERTIES:
        values = triples.loc[triples["p"] == predicate, ["claim", "o"]]
        frame = frame.merge(values.rename(columns={"o": column}), on="claim",
                            how="inner" if required else "left")
    return frame.fillna("").reindex(columns=_RAW_COLUMNS, fill_value="").reset_index(drop=True)


def _position_frame(raw, *, level, states, resolutions, codes, names, titles, broader):
    """The rows of :func:`positions` before weighing, built column by column from the raw
    claim rows (text, as :func:`_csv_frame` reads them): the same table as its row loop."""
    import numpy as np
    import pandas as pd

    if level == "state":
        raw = raw[raw["actor"].isin(states)]
    raw = raw.reset_index(drop=True)

    def mapped(column, how):
        values = raw[column]
        return values.map({u: how(u) for u in values.unique()})

    def code(iri):
        return codes.get(iri) or _code(iri)

    target_code = mapped("target", code)
    own_issue = mapped("issue", code)
    date = raw["date"]
    is_resolution = raw["target"].isin(resolutions).to_numpy()
    base = pd.DataFrame({
        "actor": mapped("actor", code),
        "actor_label": mapped("actor", lambda x: names.get(x, "")),
        "position": raw["position"].astype(float),
        "relation": mapped("relation", lambda x: x.rsplit("#", 1)[-1]),
        "target": target_code,
        "target_label": mapped("target", lambda x: names.get(x, "")),
        "claim": raw["claim"],
        "source": raw["source"],
        "source_title": mapped("source", lambda x: titles.get(x, "")),
        "evidence": raw["evidence"],
        "date": date.where(date != "", raw["validFrom"]),
        "valid_from": raw["validFrom"],
        "valid_until": raw["validUntil"],
        "_date": date,
        "_target": raw["target"],
    })
    parts = [base.assign(issue=own_issue, issue_label=mapped("issue", lambda x: names.get(x, "")),
                         item=np.where(is_resolution, target_code, own_issue), via="",
                         _row=np.arange(len(raw)), _step=0)]
    ancestry = [(issue, step, ancestor) for issue in raw["issue"].unique()
                for step, ancestor in enumerate(_ancestors(issue, broader), start=1)]
    if ancestry:
        links = pd.DataFrame(ancestry, columns=["_issue", "_step", "_ancestor"])
        up = base.assign(_issue=raw["issue"], via=own_issue, _row=np.arange(len(raw)),
                         _resolution=is_resolution).merge(links, on="_issue")
        ancestor_code = up["_ancestor"].map({a: code(a) for a in links["_ancestor"].unique()})
        parts.append(up.assign(
            issue=ancestor_code,
            issue_label=up["_ancestor"].map(lambda x: names.get(x, "")),
            item=np.where(up["_resolution"].to_numpy(), up["target"], ancestor_code),
        ).drop(columns=["_issue", "_ancestor", "_resolution"]))
    frame = pd.concat(parts, ignore_index=True).sort_values(["_row", "_step"], kind="stable")
    for column in ("weight", "status", "superseded_by", "key", "kind"):
        frame[column] = None
    return frame[[*POSITION_COLUMNS, "_date", "_target"]].reset_index(drop=True)


def allied_pairs(store, *, as_of: str | None = None, half_life=None, horizon=None,
                 context=None) -> list[tuple[str, str, str]]:
    """Pairs of states allied at D: an ``alignedWith`` claim with weight 1 at D between them.

    ``alignedWith`` is a standing relation (docs/TIME.md): it holds inside its interval, and
    an open-ended one (a COW alliance in force at the end of coverage) after it; a rolled-up
    one only while the representatives held office. D is ``as_of``, default the newest date
    in the store. Returns sorted ``(code_a, code_b, basis)`` with ``code_a < code_b`` and
    ``basis`` the claim IRIs, ``; ``-separated. Formal alliances imported from the
    Correlates of War data are ``alignedWith`` claims too, so they count here.
    """
    import pandas as pd

    rows = store.select_rows(
        """
        SELECT ?claim ?a ?b ?date ?validFrom ?validUntil WHERE {
            ?claim sg:relation sg:alignedWith ; sg:actor ?actorIri ; sg:target ?targetIri .
            ?actorIri a sg:State ; sg:isoCode ?a . ?targetIri a sg:State ; sg:isoCode ?b .
        """
        + _VALIDITY
        + "}"
    )
    if context is None:
        context = time_context(store, as_of=as_of, half_life=half_life, horizon=horizon)
    frame = pd.DataFrame.from_records(
        [{"claim": r["claim"], "actor": r["a"], "target": r["b"], "relation": "alignedWith",
          "date": _iso(r.get("date")) or "", "valid_from": _iso(r.get("validFrom")) or "",
          "valid_until": _iso(r.get("validUntil")) or ""} for r in rows],
        columns=["claim", "actor", "target", "relation", "date", "valid_from", "valid_until"])
    holding = set(frame.loc[weigh(frame, context)["weight"] >= 1, "claim"]) if len(frame) \
        else set()
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        if row["a"] == row["b"] or row["claim"] not in holding:
            continue
        pairs[tuple(sorted((row["a"], row["b"])))].add(row["claim"])
    return [(a, b, "; ".join(sorted(claims))) for (a, b), claims in sorted(pairs.items())]
