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
  var time = config.time || {};
  var timed = Array.isArray(time.claims);
  var state = {
    relations: new Set(allRelations),
    types: new Set(allTypes),
    source: "",
    asOf: time.asOf || "",
    derived: true
  };
  var now = null;  /* what holds at state.asOf: claim weights, ties, gaps (see atDate) */
  var firstTitles = {};  /* the tooltips Python wrote for the page's first date */
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

  /* Relation, source and roll-up filters (the date is applied by atDate). */
  function claimPassesFilters(claim) {
    if (!state.relations.has(claim.r)) { return false; }
    if (state.source && claim.s !== state.source) { return false; }
    if (!state.derived && claim.d) { return false; }
    return true;
  }

  function claimPasses(claim) {
    if (!claimPassesFilters(claim)) { return false; }
    return !now || claim.i === undefined || now.weights[claim.i].w > 0;
  }

  function edgeFiltersActive() {
    return state.relations.size !== allRelations.length || state.source !== "" ||
      !state.derived;
  }

  /* What holds at state.asOf (docs/TIME.md, computed by time.js). */
  function atDate() {
    if (!timed) { return null; }
    var all = time.claims.map(function (_, i) { return i; });
    var result = { weights: sgTime.weigh(time, all, state.asOf), gaps: {} };
    if (time.gaps) {
      var gapEdges = edges.get().filter(function (e) { return e.sg_gap; });
      var found = sgTime.gaps(time, state.asOf, gapEdges.map(function (e) { return e.sg_gap; }));
      gapEdges.forEach(function (e, k) { result.gaps[e.id] = found[k]; });
      result.allies = sgTime.allies(time, state.asOf);
      result.positionWeights = sgTime.positions(time, state.asOf).weights;
    }
    return result;
  }

  function labelOf(code) {
    var found = nodes.get({ filter: function (n) { return n.sg_code === code; } });
    return found.length ? String(found[0].label) : code;
  }

  /* The tooltip of a gap at the slider's date: both sides' positions and their claims. */
  function gapTitle(e, gap) {
    var lines = ["Coordination gap on " + e.sg_gap[3] + " at " + state.asOf];
    if (!gap || gap.distance <= 0) {
      lines.push(labelOf(e.sg_gap[0]) + " and " + labelOf(e.sg_gap[1]) + ": no gap at " + state.asOf);
      return lines.join("\n");
    }
    lines.push(labelOf(gap.a) + " and " + labelOf(gap.b) + " are allies but stand apart: " +
      "distance " + gap.distance.toFixed(2) + ", score " + gap.score.toFixed(2));
    [[gap.a, gap.positionA], [gap.b, gap.positionB]].forEach(function (side) {
      lines.push("", labelOf(side[0]) + " (" + side[0] + ") position " +
        (side[1] >= 0 ? "+" : "") + side[1].toFixed(2) + ":");
      time.gaps.rows.forEach(function (r) {
        if (r[1] !== side[0] || r[2] !== e.sg_gap[2]) { return; }
        var c = time.claims[r[0]], w = now.positionWeights[r[0]];
        var note = w.w > 0 ? (w.w < 1 ? " [weight " + w.w.toFixed(2) + "]" : "") :
          " [" + w.status + "]";
        lines.push("- " + c.r + ", " + (c.dt || "undated") + ", " + c.s + ": \u201c" + c.e +
          "\u201d" + note);
      });
    });
    return lines.join("\n");
  }

  /* Whether an edge holds at the date, and how it looks there (ties and gaps change). */
  function edgeAtDate(e, update) {
    var claims = e.sg_claims || [];
    if (!now) { return claims.length ? claims.some(claimPasses) : !edgeFiltersActive(); }
    if (e.sg_gap) {
      var gap = now.gaps[e.id];
      var holds = gap !== null && gap.distance > 0;
      if (holds) {
        update.label = e.sg_gap[3].slice(0, 40) + (e.sg_gap[3].length > 40 ? "..." : "") +
          " (" + gap.distance.toFixed(2) + ")";
        update.width = Math.round((1.5 + 5 * gap.score) * 100) / 100;
      }
      update.title = state.asOf === time.asOf && firstTitles[e.id] ? firstTitles[e.id] :
        gapTitle(e, gap);
      return holds && (claims.length ? claims.some(claimPassesFilters) : !edgeFiltersActive());
    }
    if (e.sg_pair) {
      return Boolean(now.allies[e.sg_pair[0] + "|" + e.sg_pair[1]]) &&
        (claims.length ? claims.some(claimPassesFilters) : !edgeFiltersActive());
    }
    if (e.sg_family === "tie-positive" || e.sg_family === "tie-negative") {
      var score = sgTime.tieScore(claims.filter(claimPassesFilters), now.weights);
      if (score !== 0) {
        var color = score > 0 ? time.tieColors.positive : time.tieColors.negative;
        update.color = { color: color, highlight: color, hover: color };
        update.width = Math.round((1 + Math.min(Math.abs(score), 12) * 0.6) * 100) / 100;
        update.sg_score = score;
        /* Dotted while claims of both signs count. */
        var signs = { pos: false, neg: false };
        claims.filter(claimPassesFilters).forEach(function (c) {
          if (now.weights[c.i].w > 0 && c.p > 0) { signs.pos = true; }
          if (now.weights[c.i].w > 0 && c.p < 0) { signs.neg = true; }
        });
        update.dashes = signs.pos && signs.neg ? time.mixedDashes : false;
      }
      return score !== 0;
    }
    return claims.length ? claims.some(claimPasses) : !edgeFiltersActive();
  }

  /* Which nodes and edges show under the current filters and date; with `updates`, the
   * DataSet updates that make it so (and the look of ties and gaps at the date). */
  function visibility(updates) {
    var active = edgeFiltersActive();
    var typeOk = {};
    var nodeItems = nodes.get();
    nodeItems.forEach(function (n) { typeOk[n.id] = state.types.has(n.sg_kind); });
    var withEdge = {};
    var hadEdge = {};
    var result = { nodes: 0, edges: 0, edgeUpdates: [], nodeUpdates: [] };
    edges.get().forEach(function (e) {
      var update = { id: e.id };
      var passes = edgeAtDate(e, update);
      var visible = typeOk[e.from] && typeOk[e.to] && passes;
      if (typeOk[e.from] && typeOk[e.to]) {
        hadEdge[e.from] = true;
        hadEdge[e.to] = true;
      }
      if (visible) {
        result.edges += 1;
        withEdge[e.from] = true;
        withEdge[e.to] = true;
      }
      update.hidden = !visible;
      if (updates) { result.edgeUpdates.push(update); }
    });
    nodeItems.forEach(function (n) {
      /* A node goes with its last edge: filtered out, or lapsed at the date. */
      var visible = typeOk[n.id] && (withEdge[n.id] === true || (!active && !hadEdge[n.id]));
      if (visible) { result.nodes += 1; }
      if (updates && Boolean(n.hidden) === visible) {
        result.nodeUpdates.push({ id: n.id, hidden: !visible });
      }
    });
    return result;
  }

  function apply() {
    now = atDate();
    var shown = visibility(true);
    if (shown.edgeUpdates.length) { edges.update(shown.edgeUpdates); }
    if (shown.nodeUpdates.length) { nodes.update(shown.nodeUpdates); }
    counts = { nodes: shown.nodes, edges: shown.edges };
    /* Out of what the date shows with no filter. */
    var saved = state;
    state = { relations: new Set(allRelations), types: new Set(allTypes), source: "",
      asOf: saved.asOf, derived: true };
    var all = visibility(false);
    state = saved;
    byId("sg-status").textContent = "Showing " + shown.nodes + " of " + all.nodes +
      " nodes and " + shown.edges + " of " + all.edges + " edges" +
      (timed ? " at " + state.asOf : "");
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
    var derived = byId("sg-derived");
    if (!config.derivedToggle) { byId("sg-derived-field").style.display = "none"; }
    derived.addEventListener("change", function () { state.derived = derived.checked; apply(); });
    byId("sg-reset").addEventListener("click", function () {
      document.querySelectorAll("#sg-filters input[type=checkbox]").forEach(function (box) {
        box.checked = true;
      });
      select.value = "";
      state = { relations: new Set(allRelations), types: new Set(allTypes), source: "",
        asOf: state.asOf, derived: true };
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

  /* Camps or communities: swap each node's look (fill, ring) and the legend section shown. */
  function setGrouping(grouping) {
    var updates = [];
    nodes.get().forEach(function (n) {
      if (n.sg_looks && n.sg_looks[grouping]) {
        var look = n.sg_looks[grouping];
        updates.push({ id: n.id, color: look.color, borderWidth: look.borderWidth,
          shapeProperties: look.shapeProperties });
      }
    });
    if (updates.length) { nodes.update(updates); }
    document.querySelectorAll(".sg-grouping").forEach(function (section) {
      section.hidden = section.getAttribute("data-grouping") !== grouping;
    });
    config.grouping = grouping;
  }

  function buildGrouping() {
    var select = byId("sg-grouping");
    if (!select) { return; }
    select.addEventListener("change", function () { setGrouping(select.value); });
  }

  /* The time slider: one step a day from the first to the last date of the page's claims;
   * the date lives in the URL (#as_of=YYYY-MM-DD) so that a link opens at it. */
  var ISO = /^\d{4}-\d{2}-\d{2}$/;

  function hashDate() {
    var match = /(?:^#|&)as_of=(\d{4}-\d{2}-\d{2})(?:&|$)/.exec(location.hash || "");
    return match && !isNaN(sgTime.days(match[1])) ? match[1] : "";
  }

  function setDate(iso, fromHash) {
    if (!timed || !ISO.test(iso) || isNaN(sgTime.days(iso))) { return; }
    state.asOf = iso;
    var first = sgTime.days(time.min);
    var slider = byId("sg-slider");
    slider.value = String(Math.min(Math.max(sgTime.days(iso) - first, 0), Number(slider.max)));
    byId("sg-asof").value = iso;
    byId("sg-time-note").textContent = iso === time.asOf && !time.explicit ?
      "(the newest date in the data)" : "";
    if (!fromHash) {
      var hash = "#as_of=" + iso;
      if (location.hash !== hash) {
        try { history.replaceState(null, "", hash); } catch (err) { location.hash = hash; }
      }
    }
    apply();
  }

  function buildTime() {
    if (!timed) { return; }
    var box = byId("sg-time");
    box.hidden = false;
    var slider = byId("sg-slider");
    var first = sgTime.days(time.min);
    slider.max = String(sgTime.days(time.max) - first);
    slider.title = "acts fade with a half-life of " + time.halfLife + " days and stop counting after " +
      time.horizon + " days; a later act on the same target or series replaces an earlier one";
    slider.addEventListener("input", function () {
      setDate(sgTime.isoDate(first + Number(slider.value)));
    });
    var date = byId("sg-asof");
    date.min = time.min;
    date.max = time.max;
    date.addEventListener("change", function () { setDate(date.value); });
    window.addEventListener("hashchange", function () {
      var wanted = hashDate();
      if (wanted && wanted !== state.asOf) { setDate(wanted, true); }
    });
    edges.get().forEach(function (e) { if (e.sg_gap) { firstTitles[e.id] = e.title; } });
    setDate(hashDate() || time.asOf, true);
  }

  function ready() {
    window.sgReady = true;
    document.body.setAttribute("data-sg-ready", "true");
  }

  buildControls();
  buildGrouping();
  if (timed) { buildTime(); } else { apply(); }
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
    date: function () { return state.asOf; },
    setDate: function (iso) { setDate(iso); },
    /* What holds at the date shown: claim IRI -> weight; gaps by edge id. */
    weights: function () {
      var out = {};
      if (now) { time.claims.forEach(function (c, i) { out[c.c] = now.weights[i].w; }); }
      return out;
    },
    apply: apply,
    grouping: function () { return config.grouping; },
    setGrouping: function (grouping) {
      var select = byId("sg-grouping");
      if (select) { select.value = grouping; }
      setGrouping(grouping);
    }
  };
}());
