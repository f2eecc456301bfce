/* stancegraph explorer: filters, search and details over pyvis's vis-network DataSets.
 *
 * Runs after pyvis's drawGraph(), which defines the globals `nodes`, `edges` (vis.DataSet)
 * and `network`. Text from the data is only ever set with textContent, option.value or
 * option.textContent: never parsed as HTML. Filters hide items with DataSet updates, with the
 * same rule as the Python side (graph.explorer.render.view_graph): an edge stays when one of its claims
 * passes every filter; with an edge filter on, a node stays when one of its edges does.
 */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("sg-config").textContent);
  var allRelations = config.relations.map(function (r) { return r.name; });
  var allTypes = config.types.map(function (t) { return t.key; });
  var state = {
    relations: new Set(allRelations),
    types: new Set(allTypes),
    source: "",
    asOf: "",
    derived: true
  };
  var counts = { nodes: 0, edges: 0 };
  var search = { query: "", matches: [], index: 0 };

  function byId(id) { return document.getElementById(id); }

  function make(tag, text) {
    var element = document.createElement(tag);
    if (text !== undefined) { element.textContent = text; }
    return element;
  }

  function checkbox(container, value, text, color, onChange) {
    var label = make("label");
    var box = make("input");
    box.type = "checkbox";
    box.checked = true;
    box.value = value;
    box.addEventListener("change", function () { onChange(box.checked); });
    label.appendChild(box);
    if (color) {
      var swatch = make("span");
      swatch.className = "sg-swatch";
      swatch.style.background = color;
      label.appendChild(swatch);
    }
    label.appendChild(document.createTextNode(text));
    container.appendChild(label);
    return box;
  }

  function claimPasses(claim) {
    if (!state.relations.has(claim.r)) { return false; }
    if (state.source && claim.s !== state.source) { return false; }
    if (!state.derived && claim.d) { return false; }
    if (state.asOf) {
      if (claim.a && claim.a > state.asOf) { return false; }
      if (claim.b && claim.b < state.asOf) { return false; }
    }
    return true;
  }

  function edgeFiltersActive() {
    return state.relations.size !== allRelations.length || state.source !== "" ||
      state.asOf !== "" || !state.derived;
  }

  function apply() {
    var active = edgeFiltersActive();
    var typeOk = {};
    var nodeItems = nodes.get();
    nodeItems.forEach(function (n) { typeOk[n.id] = state.types.has(n.sg_kind); });
    var withEdge = {};
    var edgeUpdates = [];
    var visibleEdges = 0;
    edges.get().forEach(function (e) {
      var claims = e.sg_claims || [];
      var passes = claims.length ? claims.some(claimPasses) : !active;
      var visible = typeOk[e.from] && typeOk[e.to] && passes;
      if (visible) {
        visibleEdges += 1;
        withEdge[e.from] = true;
        withEdge[e.to] = true;
      }
      if (Boolean(e.hidden) === visible) { edgeUpdates.push({ id: e.id, hidden: !visible }); }
    });
    var nodeUpdates = [];
    var visibleNodes = 0;
    nodeItems.forEach(function (n) {
      var visible = typeOk[n.id] && (!active || withEdge[n.id] === true);
      if (visible) { visibleNodes += 1; }
      if (Boolean(n.hidden) === visible) { nodeUpdates.push({ id: n.id, hidden: !visible }); }
    });
    if (edgeUpdates.length) { edges.update(edgeUpdates); }
    if (nodeUpdates.length) { nodes.update(nodeUpdates); }
    counts = { nodes: visibleNodes, edges: visibleEdges };
    byId("sg-status").textContent = "Showing " + visibleNodes + " of " + nodes.length +
      " nodes and " + visibleEdges + " of " + edges.length + " edges";
  }

  function showDetails(text) {
    byId("sg-details").textContent = text || "";
  }

  function runSearch(next) {
    var query = byId("sg-search").value.trim().toLowerCase();
    var status = byId("sg-search-status");
    if (!query) {
      search = { query: "", matches: [], index: 0 };
      network.unselectAll();
      status.textContent = "";
      return;
    }
    if (query !== search.query || !next) {
      var found = nodes.get({
        filter: function (n) {
          return !n.hidden && (String(n.label || "").toLowerCase().indexOf(query) >= 0 ||
            String(n.sg_code || "").toLowerCase().indexOf(query) >= 0);
        }
      });
      found.sort(function (a, b) {
        var exactA = String(a.label).toLowerCase() === query || String(a.sg_code).toLowerCase() === query;
        var exactB = String(b.label).toLowerCase() === query || String(b.sg_code).toLowerCase() === query;
        return (exactB ? 1 : 0) - (exactA ? 1 : 0);
      });
      search = { query: query, matches: found.map(function (n) { return n.id; }), index: 0 };
    } else if (search.matches.length) {
      search.index = (search.index + 1) % search.matches.length;
    }
    if (!search.matches.length) {
      network.unselectAll();
      status.textContent = "no match";
      return;
    }
    var current = search.matches[search.index];
    network.selectNodes(search.matches, false);
    network.focus(current, { scale: Math.max(network.getScale(), 0.9), animation: false });
    var item = nodes.get(current);
    showDetails(item.title);
    status.textContent = search.matches.length + " found; showing " + (search.index + 1) +
      ": " + item.label + (search.matches.length > 1 ? " (Enter for the next)" : "");
  }

  function buildControls() {
    var relationBox = byId("sg-relations");
    config.relations.forEach(function (r) {
      checkbox(relationBox, r.name, r.label + " (" + r.count + ")", r.color, function (on) {
        if (on) { state.relations.add(r.name); } else { state.relations.delete(r.name); }
        apply();
      });
    });
    var typeBox = byId("sg-types");
    config.types.forEach(function (t) {
      checkbox(typeBox, t.key, t.label, t.color, function (on) {
        if (on) { state.types.add(t.key); } else { state.types.delete(t.key); }
        apply();
      });
    });
    var select = byId("sg-source");
    config.sources.forEach(function (s) {
      var option = make("option", s.title);
      option.value = s.id;
      select.appendChild(option);
    });
    select.addEventListener("change", function () { state.source = select.value; apply(); });
    var date = byId("sg-asof");
    date.addEventListener("change", function () { state.asOf = date.value || ""; apply(); });
    var derived = byId("sg-derived");
    if (!config.derivedToggle) { byId("sg-derived-field").style.display = "none"; }
    derived.addEventListener("change", function () { state.derived = derived.checked; apply(); });
    byId("sg-reset").addEventListener("click", function () {
      document.querySelectorAll("#sg-filters input[type=checkbox]").forEach(function (box) {
        box.checked = true;
      });
      select.value = "";
      date.value = "";
      state = { relations: new Set(allRelations), types: new Set(allTypes), source: "",
        asOf: "", derived: true };
      apply();
    });
    var names = byId("sg-names");
    var seen = {};
    nodes.get().forEach(function (n) {
      var label = String(n.label || "");
      if (!seen[label]) {
        seen[label] = true;
        var option = make("option");
        option.value = label;
        names.appendChild(option);
      }
    });
    var input = byId("sg-search");
    input.addEventListener("input", function () { runSearch(false); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); runSearch(true); }
    });
  }

  function ready() {
    window.sgReady = true;
    document.body.setAttribute("data-sg-ready", "true");
  }

  buildControls();
  apply();
  network.on("click", function (params) {
    if (params.nodes.length) {
      showDetails(nodes.get(params.nodes[0]).title);
    } else if (params.edges.length) {
      showDetails(edges.get(params.edges[0]).title);
    }
  });
  if (config.physics && nodes.length > 0) {
    var stopped = false;
    var stop = function () {
      if (stopped) { return; }
      stopped = true;
      network.setOptions({ physics: { enabled: false } });
      network.fit({ animation: false });
      ready();
    };
    network.once("stabilizationIterationsDone", stop);
    network.once("stabilized", stop);
  } else {
    network.once("afterDrawing", ready);
    network.redraw();
  }

  /* For tests and the browser console: what the filters show now, and the filter state. */
  window.sgExplorer = {
    visibleCounts: function () { return { nodes: counts.nodes, edges: counts.edges }; },
    state: function () {
      return { relations: Array.from(state.relations), types: Array.from(state.types),
        source: state.source, asOf: state.asOf, derived: state.derived };
    },
    apply: apply
  };
}());
