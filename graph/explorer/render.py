"""The interactive HTML explorer: one self-contained pyvis page per view of the stance graph.

A view is first built as a ``networkx.MultiDiGraph`` from the store by :mod:`graph.explorer.views`,
then drawn here with pyvis (styles and legend in :mod:`graph.explorer.styles`, tooltips in
:mod:`graph.explorer.tooltips`). The page carries vis-network inline and no reference to any other
host; it opens from ``file://`` with the network off. Text from the data reaches the page only as
escaped HTML, as JSON that cannot close a ``<script>``, or as plain-text vis-network tooltips
(never HTML popups).
"""

from __future__ import annotations

import html
import json
import math
import re
import string
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from graph.explorer.options import COLORINGS, VIEWS, ViewOptions, view_options
from graph.explorer.styles import (
    CLUSTER_COLORS,
    EDGE_FAMILIES,
    MIXED_DASHES,
    NODE_CLASSES,
    SWING_BORDER,
    SWING_DASHES,
    SWING_WIDTH,
    UNCLUSTERED,
    kind_rank,
    legend,
    node_class,
    relation_family,
)
from graph.explorer.timeline import TimeTable, time_payload
from graph.explorer.tooltips import edge_title, node_title, position_summaries
from graph.explorer.viewdata import ClaimRecord, ViewData
from graph.explorer.views import view_graph
from graph.vocab import relations, short

__all__ = [
    "VIEWS",
    "COLORINGS",
    "NODE_CLASSES",
    "EDGE_FAMILIES",
    "RenderReport",
    "ViewOptions",
    "relation_family",
    "view_graph",
    "render_page",
    "render",
]

_PHYSICS_MAX_NODES = 150  # above this, positions are computed in Python and physics stays off
_ASSETS = "assets"


# ------------------------------------------------------------------------------ page

def _script_json(value) -> str:
    """JSON safe inside a ``<script>`` element: no ``<``, ``>``, ``&`` or U+2028/2029 left raw."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def _claim_filter_record(claim: ClaimRecord, table=None, tie: bool = False) -> dict:
    record = {"r": claim.relation, "s": claim.source, "a": claim.start, "b": claim.end,
              "d": claim.derived}
    if table is not None:
        record["i"] = table.add(claim)
        if tie:
            # What the claim adds to its tie at full weight (state_graph's sum).
            relation = relations()[claim.relation]
            record["p"] = relation.polarity * abs(relation.weight) * claim.confidence
    return record


def _gap_label(attrs) -> str:
    issue = attrs["issue_label"] if attrs.get("gap") is None else (
        attrs["gap"].issue_label or attrs["gap"].issue)
    text = f"{issue[:40]}{'...' if len(issue) > 40 else ''}"
    return text if attrs.get("gap") is None else f"{text} ({attrs['gap'].distance:.2f})"


def _sizes(G) -> dict:
    """Node size by degree centrality (claims) or summed edge strength (states, gaps)."""
    import networkx as nx

    if G.graph["view"] == "claims" and not G.graph["aggregated"]:
        simple = nx.Graph(G.to_undirected(as_view=True))
        score = nx.degree_centrality(simple) if len(simple) > 1 else {n: 0.0 for n in simple}
    else:
        score = dict(G.degree(weight="strength"))
    top = max(score.values(), default=0.0) or 1.0
    return {n: round(12 + 26 * math.sqrt(max(score.get(n, 0.0), 0.0) / top), 2) for n in G}


def _layout(G) -> dict:
    import networkx as nx

    simple = nx.Graph(G.to_undirected(as_view=True))
    pos = nx.spring_layout(simple, seed=0, iterations=60, k=2 / math.sqrt(max(len(simple), 1)))
    scale = 60 * math.sqrt(max(len(simple), 1))
    return {n: (round(float(x) * scale, 1), round(float(y) * scale, 1))
            for n, (x, y) in pos.items()}


def _network(G):
    """The pyvis Network of a view graph, with generated ids and plain-string titles."""
    from pyvis.network import Network

    data: ViewData = G.graph["data"]
    by_actor, by_issue = position_summaries(data, G.graph["flt"])
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line",
                  heading="")
    timed = G.graph.get("timed", False)
    table = TimeTable(G.graph["context"]) if timed else None
    order = sorted(G.nodes(data=True),
                   key=lambda item: (kind_rank(item[1]["kind"]),
                                     item[1]["label"].lower(), item[0]))
    ids = {iri: f"n{i}" for i, (iri, _) in enumerate(order)}
    sizes = _sizes(G)
    positions = _layout(G) if G.number_of_nodes() > _PHYSICS_MAX_NODES else {}
    for iri, attrs in order:
        kind = node_class(attrs["kind"])
        looks = {"type": _look(kind, kind.color)}
        for grouping in G.graph["groups"]:
            looks[grouping] = _group_look(kind, attrs, grouping)
        if iri == G.graph["focus"]:
            for look in looks.values():
                look["borderWidth"] = max(4, look["borderWidth"])
        look = looks[G.graph["grouping"] or "type"]
        options = {
            "title": node_title(iri, attrs, G, by_actor, by_issue),
            "size": sizes[iri],
            "sg_kind": attrs["kind"],
            "sg_code": attrs["code"],
            **look,
        }
        if G.graph["groups"]:
            # The page switches between camps and communities by swapping these looks.
            options["sg_looks"] = looks
            options["sg_camp"] = attrs.get("camp", -1)
            options["sg_community"] = attrs.get("community", -1)
            options["sg_swing"] = bool(attrs.get("swing"))
        if iri in positions:
            options["x"], options["y"] = positions[iri]
        if not attrs.get("holds", True):
            options["hidden"] = True  # no edge holds at D: the slider shows it at other dates
        net.add_node(ids[iri], label=attrs["label"] or attrs["code"], shape=kind.shape,
                     **options)
    edges = sorted(G.edges(keys=True, data=True),
                   key=lambda e: (ids[e[0]], ids[e[1]], str(e[2])))
    precomputed = G.number_of_nodes() > _PHYSICS_MAX_NODES
    # With physics, "dynamic" curves get support nodes that push parallel edges apart.
    bends = _fan(edges, ids) if precomputed else {}
    for j, (u, v, _, attrs) in enumerate(edges):
        family = EDGE_FAMILIES[attrs["family"]]
        width = family.width
        if attrs["family"].startswith("tie-"):
            width = round(1 + min(attrs["strength"], 12) * 0.6, 2)
        elif attrs["family"] == "gap":
            width = round(1.5 + 5 * attrs["strength"], 2)
        dashes = list(family.dashes) or False
        if attrs.get("mixed"):
            dashes = list(MIXED_DASHES)
        options = {
            "id": f"e{j}",
            "title": edge_title(u, v, attrs, data, G),
            "color": {"color": family.color, "highlight": family.color, "hover": family.color,
                      "opacity": 0.45 if attrs["derived"] else 1.0},
            "width": width,
            "dashes": dashes,
            "arrows": {"to": {"enabled": family.arrow and not attrs["symmetric"],
                              "scaleFactor": 0.7}},
            "sg_family": attrs["family"],
            "sg_claims": [_claim_filter_record(c, table, attrs["family"].startswith("tie-"))
                          for c in attrs["claims"]],
        }
        if j in bends:
            options["smooth"] = bends[j]
        if attrs["family"] == "gap":
            options["label"] = _gap_label(attrs)
            options["font"] = {"size": 12, "color": "#7a3b00", "strokeWidth": 4}
            options["length"] = 380
            options["sg_gap"] = [*attrs["pair"], attrs["issue"], attrs["issue_label"]]
        elif "pair" in attrs:
            options["sg_pair"] = list(attrs["pair"])
        if not attrs.get("holds", True):
            options["hidden"] = True
        net.add_edge(ids[u], ids[v], **options)
    physics = not precomputed
    net.options = {
        "autoResize": True,
        "physics": {
            "enabled": physics,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -80,
                                 "springLength": 260 if G.graph["view"] == "gaps" else 110,
                                 "springConstant": 0.06, "avoidOverlap": 0.5},
            "stabilization": {"enabled": physics, "iterations": 300, "updateInterval": 25,
                              "fit": True},
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "multiselect": True,
                        "hideEdgesOnDrag": precomputed},
        "layout": {"improvedLayout": G.number_of_nodes() <= 100, "randomSeed": 7},
        "nodes": {"font": {"size": 14, "face": "system-ui, sans-serif",
                           "strokeWidth": 3, "strokeColor": "#ffffff"}},
        "edges": {"smooth": {"enabled": True, "type": "dynamic"} if physics else False,
                  "selectionWidth": 2, "hoverWidth": 1.5},
    }
    return net, physics, table


def _look(kind, fill, border="#333333", width=None, dashes=None) -> dict:
    """The vis-network options that draw a node: fill, outline and its dashes."""
    dashes = dashes if dashes is not None else ([4, 3] if kind.dashed else False)
    return {
        "color": {"background": fill, "border": border,
                  "highlight": {"background": fill, "border": "#000000"},
                  "hover": {"background": fill, "border": "#000000"}},
        "borderWidth": width if width is not None else (2 if kind.dashed else 1),
        "shapeProperties": {"borderDashes": dashes},
    }


def _group_look(kind, attrs, grouping: str) -> dict:
    """A node filled by its camp or community; a swing state ringed among the camps."""
    number = attrs.get("camp" if grouping == "camps" else "community")
    fill = UNCLUSTERED if number is None else CLUSTER_COLORS[number % len(CLUSTER_COLORS)]
    if grouping == "camps" and attrs.get("swing"):
        return _look(kind, fill, SWING_BORDER, SWING_WIDTH, list(SWING_DASHES))
    return _look(kind, fill)


def _fan(edges, ids) -> dict:
    """Curves that spread the parallel edges of one pair in a fan instead of a bundle."""
    groups = defaultdict(list)
    for j, (u, v, _, _) in enumerate(edges):
        groups[tuple(sorted((ids[u], ids[v])))].append(j)
    bends = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        for i, j in enumerate(members):
            offset = (i - (len(members) - 1) / 2) * 0.22
            u, v = edges[j][0], edges[j][1]
            if ids[u] > ids[v]:
                offset = -offset
            if offset == 0:
                bends[j] = {"enabled": False}
            else:
                bends[j] = {"enabled": True, "type": "curvedCW" if offset > 0 else "curvedCCW",
                            "roundness": round(abs(offset), 3)}
    return bends


@cache
def _template(folder: str, name: str):
    """pyvis's page template, compiled once (compiling it takes a good part of a render)."""
    from jinja2 import Environment, FileSystemLoader

    return Environment(loader=FileSystemLoader(folder)).get_template(name)


def _pyvis_html(net) -> str:
    """pyvis's page template, rendered with HTML tooltips, menus and heading switched off.

    ``Network.generate_html`` turns every tooltip into an HTML popup as soon as one title
    contains ``href`` (see PITFALLS); rendering its template with ``tooltip_link=False``
    keeps vis-network's plain-text tooltips whatever the data says. Its loading bar is left
    out (``physics_enabled=False`` only drives that bar); the page's own script reports
    stabilisation and then stops the physics.
    """
    template = _template(net.template_dir, net.path)
    nodes, edges, _, height, width, options = net.get_network_data()
    page = template.render(
        height=height, width=width, nodes=nodes, edges=edges, heading="", options=options,
        physics_enabled=False, use_DOT=False, dot_lang="", widget=False, bgcolor="#ffffff",
        conf=False, tooltip_link=False, neighborhood_highlight=False, select_menu=False,
        filter_menu=False, notebook=False, cdn_resources="in_line",
    )
    # The template always links bootstrap from a CDN; the page does not use it.
    page = re.sub(r"<link\b[^>]*bootstrap[^>]*>", "", page)
    page = re.sub(r"<script\b[^>]*bootstrap[^>]*>\s*</script>", "", page)
    page = re.sub(r"<center>\s*<h1>\s*</h1>\s*</center>", "", page)
    return page


_EXTERNAL = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def _check_self_contained(page: str) -> None:
    match = _EXTERNAL.search(page)
    if match:
        raise RuntimeError(f"the page would load from another host: {page[match.start():][:80]}")


def _asset(name: str) -> str:
    return (resources.files("graph.explorer") / _ASSETS / name).read_text(encoding="utf-8")



def _config(G) -> dict:
    data: ViewData = G.graph["data"]
    table = relations()
    counts = Counter(c.relation for _, _, a in G.edges(data=True) for c in a["claims"])
    used_sources = sorted({c.source for _, _, a in G.edges(data=True) for c in a["claims"]
                           if c.source})
    kinds = sorted({k for _, k in G.nodes(data="kind")}, key=kind_rank)
    return {
        "view": G.graph["view"],
        "relations": [
            {"name": name, "label": table[name].label if name in table else name,
             "family": relation_family(table[name]) if name in table else "",
             "color": EDGE_FAMILIES[relation_family(table[name])].color if name in table
             else "#999999", "count": counts[name]}
            for name in sorted(counts, key=lambda n: (list(table).index(n) if n in table else 99))
        ],
        "types": [{"key": k, "label": node_class(k).label,
                   "color": node_class(k).color} for k in kinds],
        "sources": [{"id": s, "title": data.sources.get(s) or short(s)} for s in used_sources],
        "derivedToggle": any(a["derived"] for _, _, a in G.edges(data=True)),
        "grouping": G.graph["grouping"] or "",
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
    }


def _time_config(G, table) -> dict:
    """What the page's slider needs (graph.explorer.timeline); without a slider, D only."""
    context = G.graph.get("context")
    if table is None:
        return {"asOf": context.clock.as_of if context else ""}
    config = time_payload(table, G.graph["explicit_date"])
    if G.graph["view"] == "gaps":
        config["gaps"] = {
            "rows": [[table.add(claim, text=True), actor, issue, position]
                     for claim, actor, issue, position in G.graph["gap_rows"]],
            "allies": [[table.add(claim), a, b] for claim, a, b in G.graph["alliance_claims"]],
        }
    config["tieColors"] = {"positive": EDGE_FAMILIES["tie-positive"].color,
                           "negative": EDGE_FAMILIES["tie-negative"].color}
    config["mixedDashes"] = list(MIXED_DASHES)
    return config


def _summary(G) -> str:
    graph = G.graph
    view = "states" if graph["aggregated"] else graph["view"]
    what = {"claims": "actors and targets with their direct stance edges",
            "states": "the state-level signed graph (claims rolled up to states)",
            "gaps": "allied states and their coordination gaps, labelled by issue"}[view]
    shown_nodes, shown_edges = _shown(G)
    text = f"{shown_nodes} nodes, {shown_edges} edges: {what}"
    if graph["focus"]:
        node = G.nodes[graph["focus"]]
        text += f"; the neighbourhood of {node['label']} ({node['code']}) within " \
                f"{graph['depth']} hop{'s' if graph['depth'] != 1 else ''}"
    if graph["grouping"] == "camps":
        text += "; states coloured by camp, swing states ringed"
    elif graph["grouping"] == "communities":
        text += "; states coloured by community"
    filters = [f for f in graph["filters"] if not f.startswith("as of ")]
    if filters:
        text += "; filtered by " + "; ".join(filters)
    if graph.get("context") is not None:
        text += f"; as of {graph['context'].clock.as_of}"
    return text + "."


def _shown(G) -> tuple[int, int]:
    """Nodes and edges shown at D (the page carries those of other dates too, hidden)."""
    return (sum(1 for _, h in G.nodes(data="holds", default=True) if h),
            sum(1 for *_, h in G.edges(data="holds", default=True) if h))


def _default_title(G) -> str:
    names = {"claims": "Claims", "states": "States", "gaps": "Coordination gaps"}
    title = f"stancegraph: {names[G.graph['view']]}"
    if G.graph["focus"]:
        title += f" around {G.nodes[G.graph['focus']]['label']}"
    return title


def _page(G, title: str | None) -> tuple[str, dict]:
    net, physics, table = _network(G)
    page = _pyvis_html(net)
    esc = html.escape
    title = title or _default_title(G)
    config = _config(G)
    config["physics"] = physics
    config["time"] = _time_config(G, table)
    notes = "".join(f'<p class="sg-left-out" role="status">{esc(n)}</p>'
                    for n in G.graph["notes"])
    head = (f"<title>{esc(title)}</title>\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<link rel="icon" href="data:,">\n'
            f"<style>{_asset('explorer.css')}</style>\n")
    # Every value is escaped HTML (the legend escapes its own text).
    chrome = string.Template(_asset("explorer.html")).substitute(
        title=esc(title), summary=esc(_summary(G)), notes=notes, legend=legend(G),
    )
    script = (f'<script id="sg-config" type="application/json">{_script_json(config)}</script>\n'
              f"<script>{_asset('time.js')}</script>\n"
              f"<script>{_asset('explorer.js')}</script>\n")
    page = page.replace("<head>", "<head>\n" + head, 1)
    page = page.replace("<html>", '<html lang="en">', 1)
    body = page.index("<body>") + len("<body>")
    page = page[:body] + "\n" + chrome + page[body:]
    end = page.rindex("</body>")
    page = page[:end] + script + page[end:]
    _check_self_contained(page)
    return page, config


# ------------------------------------------------------------------------------ public

@dataclass(frozen=True)
class RenderReport:
    """What a page shows at its date D and what it left out (``nodes`` and ``edges`` are those
    shown at D; the page carries the edges of other dates too, hidden, for its slider)."""

    path: Path | None
    view: str
    nodes: int
    edges: int
    total_nodes: int
    total_edges: int
    left_out_nodes: int
    left_out_edges: int
    aggregated: bool
    physics: bool
    bytes: int
    notes: tuple[str, ...] = field(default_factory=tuple)
    as_of: str = ""

    @property
    def left_out(self) -> int:
        """Nodes left out of the page by the node budget."""
        return self.left_out_nodes


def _render(store, options: ViewOptions, title: str | None) -> tuple[str, RenderReport]:
    if options.view == "votes":  # a page of its own: graph.explorer.votes
        return _render_votes(store, title=title, color=options.color)
    G = view_graph(store, options, timeline=True)
    page, config = _page(G, title)
    # What shows at D; the page also carries the edges of other dates, hidden, for its slider.
    shown_nodes, shown_edges = _shown(G)
    context = G.graph.get("context")
    report = RenderReport(
        path=None, view=G.graph["view"], nodes=shown_nodes, edges=shown_edges,
        total_nodes=G.graph["total_nodes"], total_edges=G.graph["total_edges"],
        left_out_nodes=G.graph["left_out_nodes"], left_out_edges=G.graph["left_out_edges"],
        aggregated=G.graph["aggregated"], physics=config["physics"],
        bytes=len(page.encode("utf-8")), notes=tuple(G.graph["notes"]),
        as_of=context.clock.as_of if context is not None else "",
    )
    return page, report


def _render_votes(store, *, title=None, color=None) -> tuple[str, RenderReport]:
    """The vote layer (agreement per session; graph.explorer.votes) with the same report."""
    from graph.explorer.votes import render_votes

    page, layer = render_votes(store, title=title,
                               color="ideal" if color == "ideal" else "camps")
    report = RenderReport(
        path=None, view="votes", nodes=layer.states, edges=layer.shown_edges,
        total_nodes=layer.states, total_edges=layer.edges, left_out_nodes=0,
        left_out_edges=layer.edges - layer.shown_edges, aggregated=False, physics=False,
        bytes=len(page.encode("utf-8")),
        notes=(f"{layer.periods} periods; the page opens on the last, its slider shows the "
               f"others",),
    )
    return page, report


def render_page(store, options: ViewOptions | None = None, *, title: str | None = None,
                **changes) -> str:
    """The whole self-contained HTML page of one view, titled ``title``.

    ``options`` is a :class:`graph.explorer.options.ViewOptions` (view, colouring, focus,
    filters, date, decay, node budget); its fields may also be given as keywords, which
    replace those of ``options`` (``render_page(store, view="states")``). The page inlines
    vis-network and its own script and style, references no other host, and offers a legend,
    a search box, relation / type / source / date filters, and plain-text tooltips with the
    evidence behind every edge. ``half_life`` and ``horizon`` (days or ``2y``, ``18m``;
    docs/TIME.md) decay the acts at D and at the slider's dates.

    Examples
    --------
    >>> from graph.store import open_store
    >>> page = render_page(open_store("memory:"), view="states")
    >>> page.startswith("<html") and "vis.Network" in page
    True
    """
    page, _ = _render(store, view_options(options, **changes), title)
    return page


def render(store, path, options: ViewOptions | None = None, *, title: str | None = None,
           **changes) -> RenderReport:
    """Write :func:`render_page` to ``path`` atomically (UTF-8) and say what it shows.

    Takes the same options as :func:`render_page`; the parent folder is created.
    Returns a :class:`RenderReport` with the numbers of nodes and edges on the page, and what
    the node budget left out.
    """
    from graph.output import write_file

    page, report = _render(store, view_options(options, **changes), title)
    # A temporary file renamed over a regular file (mode 0644 minus the umask); a FIFO or a
    # device is written through, a symbolic link refused (issue 14).
    target = write_file(Path(path), page)
    return RenderReport(**{**report.__dict__, "path": target})
