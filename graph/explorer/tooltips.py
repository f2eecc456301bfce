"""The explorer's plain-text tooltips: the claims and evidence behind every node and edge."""

from __future__ import annotations

import math
from collections import defaultdict

from graph.explorer.styles import EDGE_FAMILIES, node_class
from graph.explorer.viewdata import ClaimRecord, Filters, ViewData, local_name
from graph.vocab import relations, short

__all__ = ["edge_title", "node_title", "position_summaries"]


def _date_text(claim: ClaimRecord) -> str:
    if claim.start and claim.end:
        return claim.start if claim.start == claim.end else f"{claim.start} to {claim.end}"
    if claim.start:
        return claim.start
    if claim.end:
        return f"until {claim.end}"
    return "undated"


def _claim_text(claim: ClaimRecord, data: ViewData) -> str:
    table = relations()
    relation = table.get(claim.relation)
    actor = data.nodes.get(claim.actor)
    target = data.nodes.get(claim.target)
    lines = [
        f"{relation.label if relation else claim.relation}: "
        f"{actor.label if actor else short(claim.actor)} "
        f"{'<->' if relation and relation.symmetric else '->'} "
        f"{target.label if target else short(claim.target)}",
        f"Date: {_date_text(claim)}",
        f"Source: {claim.source_title or (short(claim.source) if claim.source else 'none')}",
    ]
    if claim.evidence:
        lines.append(f"Evidence: \u201c{claim.evidence}\u201d")
    mode = (f"derived by roll-up from {short(claim.derived_from)}" if claim.derived
            else "stated")
    lines.append(f"Claim: {short(claim.iri)} ({mode})")
    return "\n".join(lines)


_MAX_CLAIMS_SHOWN = 6


def _claims_block(claims, data: ViewData) -> list[str]:
    lines = []
    for claim in claims[:_MAX_CLAIMS_SHOWN]:
        lines += ["", _claim_text(claim, data)]
    if len(claims) > _MAX_CLAIMS_SHOWN:
        lines += ["", f"... and {len(claims) - _MAX_CLAIMS_SHOWN} more claims"]
    return lines


def edge_title(u, v, attrs, data: ViewData, G) -> str:
    """The tooltip of edge ``u -> v`` of view graph ``G``: what it stands for and its claims."""
    family = EDGE_FAMILIES[attrs["family"]]
    a, b = G.nodes[u]["label"], G.nodes[v]["label"]
    if attrs["family"] == "gap" and attrs.get("gap") is None:
        # A gap of other dates: the page's slider writes its tooltip at the date it shows.
        return "\n".join([f"Coordination gap on {attrs['issue_label']}",
                           f"{a} and {b}: no gap at {G.graph['flt'].as_of}"]
                          + _claims_block(attrs["claims"], data))
    if attrs["family"] == "gap":
        gap = attrs["gap"]
        issue = gap.issue_label or gap.issue
        lines = [f"Coordination gap on {issue}",
                 f"{a} and {b} are allies but stand apart: distance "
                 f"{gap.distance:.2f}, score {gap.score:.2f}"]
        for side, label, value, rows in (
            (gap.actor_a, gap.label_a, gap.position_a, attrs["evidence_a"]),
            (gap.actor_b, gap.label_b, gap.position_b, attrs["evidence_b"]),
        ):
            lines += ["", f"{label or side} ({side}) position {value:+.2f}:"]
            for row in rows[:_MAX_CLAIMS_SHOWN]:
                via = f" (via {row.via})" if row.via else ""
                lines.append(f"- {row.relation}{via}, {row.date or 'undated'}, "
                             f"{row.source_title or short(row.source)}: \u201c{row.evidence}\u201d")
        return "\n".join(lines)
    if attrs["family"].startswith("tie-"):
        names = ", ".join(attrs["relations"])
        lines = [f"{family.label}: {a} - {b}",
                 f"Score {attrs['score']:+.2f} from {len(attrs['claims'])} claim(s): {names}"]
        if attrs.get("mixed"):
            lines.append("Mixed: both cooperative and conflictual claims")
        return "\n".join(lines + _claims_block(attrs["claims"], data))
    claims = attrs["claims"]
    if len(claims) == 1:
        return f"{family.label}\n" + _claim_text(claims[0], data)
    lines = [f"{family.label}: {len(claims)} claims"]
    return "\n".join(lines + _claims_block(claims, data))


def position_summaries(data: ViewData, flt: Filters) -> tuple[dict, dict]:
    """Per actor IRI and per issue IRI, lines '<name>: +0.50 (2 claims)', most claims first.

    A claim's position on its issues (``sg:onIssue`` / ``sg:position``), as in
    :func:`graph.analysis.project.positions` without propagation, for the claims valid on ``as_of``.
    """
    values = defaultdict(list)
    for claim in data.claims.values():
        if claim.position is None or not flt.valid(claim):
            continue
        for issue in claim.issues:
            values[claim.actor, issue].append(claim.position)
    by_actor, by_issue = defaultdict(list), defaultdict(list)
    for (actor, issue), found in sorted(values.items()):
        mean = math.fsum(found) / len(found)
        claims = f"{len(found)} claim{'s' if len(found) != 1 else ''}"
        issue_name = data.nodes[issue].label if issue in data.nodes else local_name(issue)
        actor_name = data.nodes[actor].label if actor in data.nodes else local_name(actor)
        by_actor[actor].append((-len(found), issue, f"{issue_name}: {mean:+.2f} ({claims})"))
        by_issue[issue].append((-len(found), actor, f"{actor_name}: {mean:+.2f} ({claims})"))
    return ({k: [t for *_, t in sorted(v)] for k, v in by_actor.items()},
            {k: [t for *_, t in sorted(v)] for k, v in by_issue.items()})


def node_title(iri, attrs, G, by_actor, by_issue) -> str:
    """The tooltip of a node: name, kind, camp and community (named as ``stancegraph clusters``
    names them), why a swing state swings, main positions (from :func:`position_summaries`)
    and degree in ``G``."""
    kind = node_class(attrs["kind"])
    lines = [attrs["label"], f"{kind.label.capitalize()} \u00b7 code {attrs['code']}",
             short(iri)]
    groups = G.graph.get("groups") or {}
    for grouping, key in (("camps", "camp"), ("communities", "community")):
        if key in attrs and grouping in groups:
            group = groups[grouping][attrs[key]]
            lines.append(f"{group.name.capitalize()}: {', '.join(group.members)}")
    if attrs.get("swing"):
        lines.append(f"Swing state, {attrs['swing_reason']}")
    top = 5
    on_issue = attrs["kind"] == "issue"
    rows = (by_issue if on_issue else by_actor).get(iri, [])
    if rows:
        lines.append("Positions taken on it:" if on_issue else "Main positions:")
        lines += [f"  {r}" for r in rows[:top]]
    if len(rows) > top:
        lines.append(f"  ... and {len(rows) - top} more")
    degree = G.degree(iri)
    lines.append(f"{degree} edge{'s' if degree != 1 else ''} in this view")
    return "\n".join(lines)
