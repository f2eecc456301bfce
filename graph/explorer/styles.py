"""How the explorer draws each node class and relation family, and the legend explaining them."""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass

from graph.vocab import relations

__all__ = [
    "NodeClass",
    "EdgeFamily",
    "NODE_CLASSES",
    "EDGE_FAMILIES",
    "OTHER",
    "CLUSTER_COLORS",
    "UNCLUSTERED",
    "SWING_BORDER",
    "SWING_DASHES",
    "SWING_WIDTH",
    "MIXED_DASHES",
    "node_class",
    "kind_rank",
    "relation_family",
    "legend",
]


@dataclass(frozen=True)
class NodeClass:
    """How one class of node is drawn: vis shape, colour, and whether its border is dashed."""

    key: str
    label: str
    shape: str
    color: str
    dashed: bool = False


#: Node classes by their vocabulary class (``sg:State`` ...), in legend order.
NODE_CLASSES: dict[str, NodeClass] = {
    "State": NodeClass("state", "state", "dot", "#4e79a7"),
    "Person": NodeClass("person", "person", "triangle", "#f28e2b"),
    "Government": NodeClass("government", "government", "square", "#b07aa1"),
    "Organisation": NodeClass("organisation", "organisation", "hexagon", "#76b7b2"),
    "MediaOutlet": NodeClass("media", "media outlet", "triangleDown", "#9c755f"),
    "Issue": NodeClass("issue", "policy / issue", "diamond", "#edc948"),
    "Resolution": NodeClass("resolution", "resolution", "star", "#ff9da7"),
    "Event": NodeClass("event", "event", "dot", "#bab0ac", dashed=True),
}
OTHER = NodeClass("other", "other", "dot", "#cccccc")
_KIND = {c.key: c for c in NODE_CLASSES.values()}
_KIND_ORDER = {c.key: i for i, c in enumerate(NODE_CLASSES.values())}


def node_class(key: str) -> NodeClass:
    """The :class:`NodeClass` of a node kind (``"state"`` ...); :data:`OTHER` for an unknown one."""
    return _KIND.get(key, OTHER)


def kind_rank(key: str) -> int:
    """A node kind's place in legend order; unknown kinds come last."""
    return _KIND_ORDER.get(key, 99)


@dataclass(frozen=True)
class EdgeFamily:
    """How a family of relations is drawn, so that it reads without hovering."""

    key: str
    label: str
    color: str
    width: float
    dashes: tuple = ()
    arrow: bool = True


#: Edge families in legend order. Relations fall into one by :func:`relation_family`.
EDGE_FAMILIES: dict[str, EdgeFamily] = {
    f.key: f
    for f in (
        EdgeFamily("aligned", "aligned (mutual)", "#2ca02c", 4.0, arrow=False),
        EdgeFamily("cooperative", "cooperative", "#59a14f", 2.0),
        EdgeFamily("cosponsored", "co-sponsored", "#1f77b4", 2.5),
        EdgeFamily("declined", "declined / neutral", "#8c8c8c", 1.5, dashes=(6, 5)),
        EdgeFamily("conflictual", "conflictual", "#e15759", 2.0),
        EdgeFamily("coercive", "sanctions / force", "#8b0000", 5.0),
        EdgeFamily("tie-positive", "positive tie (net cooperative)", "#59a14f", 2.0, arrow=False),
        EdgeFamily("tie-negative", "negative tie (net conflictual)", "#e15759", 2.0, arrow=False),
        EdgeFamily("gap", "coordination gap (labelled by issue)", "#d95f02", 2.0,
                   dashes=(10, 4, 2, 4), arrow=False),
    )
}
# Relations with a family of their own that polarity and CAMEO root alone do not give.
_FAMILY_BY_NAME = {"coSponsored": "cosponsored"}
#: Group (camp, community) fills. None is an edge colour or near one (CIELAB distance above
#: 25 from each, checked by a test): a red or green node next to red or green edges would read
#: as "hostile" or "friendly". Indigo and gold first: the two camps, apart for every eye.
CLUSTER_COLORS = ("#6b6ecf", "#edc948", "#17becf", "#f7b6d2", "#e7cb94", "#b07aa1",
                  "#ffbe7d", "#a0cbe8", "#dbdb8d", "#c5b0d5")
UNCLUSTERED = "#d9d9d9"
#: The outline of a swing state: thick, dark and dashed, a ring no other node has.
SWING_BORDER = "#1a1a1a"
SWING_DASHES = (5, 8)
SWING_WIDTH = 5
MIXED_DASHES = (2, 4)


def relation_family(relation) -> str:
    """The drawing family of a :class:`graph.vocab.Relation`, from its polarity and CAMEO root.

    Neutral relations (polarity 0) are ``declined``; cooperative symmetric ones ``aligned``;
    conflictual ones whose CAMEO root is 15 or above (force posture, reducing relations such
    as sanctions, coercion, violence) ``coercive``; other conflictual ones ``conflictual``;
    other cooperative ones ``cooperative``, except co-sponsorship, which has its own colour.

    Examples
    --------
    >>> from graph.vocab import relations
    >>> [relation_family(relations()[n]) for n in ("opposes", "sanctions", "alignedWith")]
    ['conflictual', 'coercive', 'aligned']
    """
    if relation.name in _FAMILY_BY_NAME:
        return _FAMILY_BY_NAME[relation.name]
    if relation.polarity == 0:
        return "declined"
    if relation.polarity > 0:
        return "aligned" if relation.symmetric else "cooperative"
    root = relation.cameo_root
    return "coercive" if root.isdigit() and int(root) >= 15 else "conflictual"


def _svg_node(kind: NodeClass, fill: str | None = None) -> str:
    fill = fill or kind.color
    style = f'fill="{fill}" stroke="#333" stroke-width="1.2"'
    if kind.dashed:
        style += ' stroke-dasharray="3 2"'
    shapes = {
        "dot": f'<circle cx="9" cy="9" r="6.5" {style}/>',
        "square": f'<rect x="3" y="3" width="12" height="12" {style}/>',
        "diamond": f'<polygon points="9,1.5 16.5,9 9,16.5 1.5,9" {style}/>',
        "triangle": f'<polygon points="9,2 16,15 2,15" {style}/>',
        "triangleDown": f'<polygon points="2,3 16,3 9,16" {style}/>',
        "hexagon": f'<polygon points="5,2.5 13,2.5 16.5,9 13,15.5 5,15.5 1.5,9" {style}/>',
        "star": f'<polygon points="9,1 11.2,6.6 17,6.9 12.5,10.6 14,16.4 9,13.2 4,16.4 5.5,10.6 '
                f'1,6.9 6.8,6.6" {style}/>',
    }
    return (f'<svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">'
            f'{shapes.get(kind.shape, shapes["dot"])}</svg>')


def _svg_edge(family: EdgeFamily, dashes=None) -> str:
    dash = dashes if dashes is not None else family.dashes
    dash_attr = f' stroke-dasharray="{" ".join(str(d) for d in dash)}"' if dash else ""
    arrow = (f'<polygon points="34,7 27,3 27,11" fill="{family.color}"/>' if family.arrow else "")
    end = 27 if family.arrow else 34
    return (f'<svg width="36" height="14" viewBox="0 0 36 14" aria-hidden="true">'
            f'<line x1="2" y1="7" x2="{end}" y2="7" stroke="{family.color}" '
            f'stroke-width="{min(family.width, 5)}"{dash_attr}/>{arrow}</svg>')


_GROUPING_TEXT = {
    "camps": ("Camps", "the two-way split of the signed agreement between states "
              "(stancegraph clusters: camps)"),
    "communities": ("Communities", "Louvain communities of the positive agreement "
                    "(stancegraph clusters: communities)"),
}


def _svg_swing() -> str:
    return ('<svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">'
            f'<circle cx="9" cy="9" r="6.5" fill="{UNCLUSTERED}" stroke="{SWING_BORDER}" '
            f'stroke-width="2.6" stroke-dasharray="{SWING_DASHES[0] * 0.6} '
            f'{SWING_DASHES[1] * 0.6}"/></svg>')


def _group_legend(G) -> list[str]:
    """Camps and communities, each in its own section; the page shows the chosen one."""
    esc = html.escape
    chosen = G.graph["grouping"]
    parts = ['<p class="sg-field"><label for="sg-grouping">Groups</label> '
             '<select id="sg-grouping">']
    for grouping in G.graph["groups"]:
        selected = " selected" if grouping == chosen else ""
        parts.append(f'<option value="{grouping}"{selected}>{grouping}</option>')
    parts.append("</select></p>")
    key = {"camps": "camp", "communities": "community"}
    shown = {g: {a[k] for _, a in G.nodes(data=True) if k in a} for g, k in key.items()}
    ungrouped = any(a["kind"] == "state" and "camp" not in a for _, a in G.nodes(data=True))
    evidence = G.graph.get("evidence")
    for grouping, found in G.graph["groups"].items():
        title, what = _GROUPING_TEXT[grouping]
        hidden = "" if grouping == chosen else " hidden"
        parts += [f'<div class="sg-grouping" data-grouping="{grouping}"{hidden}>',
                  f"<h3>{esc(title)}</h3>", f'<p class="sg-note">{esc(what)}</p>',
                  '<ul class="sg-legend-list">']
        for group in found:
            dot = _svg_node(_KIND["state"], CLUSTER_COLORS[group.number % len(CLUSTER_COLORS)])
            names = ", ".join(f"{m} (swing)" if m in group.swing else m for m in group.members)
            absent = "" if group.number in shown[grouping] else " (none on this page)"
            parts.append(f'<li data-group="{group.number}">{dot}<span>{esc(group.name)}: '
                         f"{esc(names)}{esc(absent)}</span></li>")
        if ungrouped:
            parts.append(f"<li>{_svg_node(_KIND['state'], UNCLUSTERED)}<span>in no "
                         f"{esc(key[grouping])}"
                         f"</span></li>")
        swing = [m for g in found for m in g.swing]
        if grouping == "camps" and swing:
            parts.append(f'<li class="sg-swing">{_svg_swing()}<span>ringed: swing state, '
                         f"between the camps ({esc(', '.join(swing))}); hover it for why"
                         f"</span></li>")
        parts.append("</ul>")
        if evidence is not None:
            note = evidence.note[0].upper() + evidence.note[1:] + "."
            parts.append(f'<p class="sg-note sg-evidence">{esc(note)}</p>')
        parts.append("</div>")
    return parts


def legend(G) -> str:
    """The legend of a view graph (:func:`graph.explorer.views.view_graph`) as escaped HTML.

    It lists only the node classes and edge families the graph has, and, when nodes are
    coloured by group, the camps (swing states marked) and communities with the evidence they
    rest on.
    """
    esc = html.escape
    kinds = sorted({k for _, k in G.nodes(data="kind")}, key=kind_rank)
    families = [f for f in EDGE_FAMILIES
                if any(a["family"] == f for _, _, a in G.edges(data=True))]
    table = relations()
    members = defaultdict(list)
    for relation in table.values():
        members[relation_family(relation)].append(relation.label)
    parts = ['<h2>Legend</h2>']
    if G.graph.get("groups"):
        parts += _group_legend(G)
    parts += ['<h3>Nodes</h3>', '<ul class="sg-legend-list">']
    for key in kinds or ["state"]:
        kind = node_class(key)
        fill = UNCLUSTERED if G.graph.get("groups") else None
        parts.append(f"<li>{_svg_node(kind, fill)}<span>{esc(kind.label)}</span></li>")
    parts.append("</ul>")
    by_degree = G.graph["view"] == "claims" and not G.graph["aggregated"]
    size = "degree centrality" if by_degree else "summed strength of its ties"
    parts.append(f'<p class="sg-note">Size: {esc(size)}.</p>')
    parts += ["<h3>Edges</h3>", '<ul class="sg-legend-list">']
    for key in families:
        family = EDGE_FAMILIES[key]
        names = sorted(members.get(key, []))
        detail = f' <small>({esc(", ".join(names))})</small>' if names else ""
        parts.append(f"<li>{_svg_edge(family)}<span>{esc(family.label)}{detail}</span></li>")
    if any(a.get("mixed") for _, _, a in G.edges(data=True)):
        mixed = EDGE_FAMILIES["tie-positive"]
        parts.append(f"<li>{_svg_edge(mixed, MIXED_DASHES)}<span>dotted: the tie mixes "
                     f"cooperative and conflictual claims</span></li>")
    if any(a["derived"] for _, _, a in G.edges(data=True)):
        parts.append('<li><span class="sg-faded">faded</span><span>derived by roll-up (a '
                     "person's, government's or outlet's claim counted for its state)</span></li>")
    parts.append("</ul>")
    if any(f.startswith("tie-") for f in families):
        parts.append('<p class="sg-note">Width: the tie\'s summed Goldstein weight.</p>')
    parts.append('<p class="sg-note">Hover a node or an edge for its evidence; click to keep '
                 "it in the details panel.</p>")
    return "\n".join(parts)
