// The vote layer (graph/explorer/votes.py): states joined by their strongest agreements in one
// session, coloured by camp or ideal point. Data come from the JSON block; text from the data
// goes on the page as text nodes only.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("sg-vote-data").textContent);
  var NS = "http://www.w3.org/2000/svg";
  var svg = document.getElementById("sg-votes");
  var periodInput = document.getElementById("sg-period");
  var periodValue = document.getElementById("sg-period-value");
  var thresholdInput = document.getElementById("sg-threshold");
  var thresholdValue = document.getElementById("sg-threshold-value");
  var colorSelect = document.getElementById("sg-color");
  var status = document.getElementById("sg-status");
  var legend = document.getElementById("sg-legend");
  // Indigo and gold: the camps, apart for every eye and unlike the red/green of edge signs.
  var US_SIDE = [59, 76, 192], OTHER_SIDE = [212, 160, 23], ABSENT = "#dddddd";
  colorSelect.value = data.color;

  function el(name, attrs) {
    var node = document.createElementNS(NS, name);
    for (var key in attrs) { node.setAttribute(key, attrs[key]); }
    return node;
  }
  function rgb(c) { return "rgb(" + c.map(Math.round).join(",") + ")"; }
  function mix(a, b, t) { return [0, 1, 2].map(function (k) { return a[k] + (b[k] - a[k]) * t; }); }
  function idealColor(x) {
    var t = Math.max(-1, Math.min(1, x / 2));
    return rgb(t >= 0 ? mix([255, 255, 255], US_SIDE, t) : mix([255, 255, 255], OTHER_SIDE, -t));
  }
  function label(code) { return data.labels[code] || code; }

  var edgeLayer = el("g", {"class": "sg-edges"});
  var nodeLayer = el("g", {"class": "sg-nodes"});
  svg.appendChild(edgeLayer);
  svg.appendChild(nodeLayer);
  var circles = data.states.map(function (state, i) {
    var g = el("g", {"class": "sg-state"});
    var xy = data.xy[i];
    var circle = el("circle", {cx: xy[0], cy: -xy[1], r: 0.022});
    var tip = el("title", {});
    tip.textContent = label(state.code) + " (" + state.code + ")";
    circle.appendChild(tip);
    var text = el("text", {x: xy[0], y: -xy[1] - 0.03, "text-anchor": "middle"});
    text.textContent = state.code;
    g.appendChild(circle);
    g.appendChild(text);
    nodeLayer.appendChild(g);
    return {circle: circle, tip: tip, group: g};
  });
  window.nodes = circles;
  window.edges = [];

  function drawLegend(color, period) {
    legend.replaceChildren();
    var items = color === "camps"
      ? [[rgb(US_SIDE), period.usa_camp >= 0 ? "camp of the United States" : "camp 0"],
         [rgb(OTHER_SIDE), "the other camp"], ["ring", "swing state (near the boundary)"],
         [ABSENT, "cast no vote this " + data.by]]
      : [[idealColor(2), "ideal point +2 (the United States' side)"], [idealColor(0), "0"],
         [idealColor(-2), "ideal point -2"], [ABSENT, "cast no vote this " + data.by]];
    items.forEach(function (item) {
      var row = document.createElement("span");
      row.className = "sg-key";
      var swatch = document.createElement("span");
      swatch.className = item[0] === "ring" ? "sg-swatch sg-ring" : "sg-swatch";
      if (item[0] !== "ring") { swatch.style.background = item[0]; }
      row.appendChild(swatch);
      row.appendChild(document.createTextNode(item[1]));
      legend.appendChild(row);
    });
  }

  function draw() {
    var period = data.periods[Number(periodInput.value)];
    var threshold = Number(thresholdInput.value);
    var color = colorSelect.value;
    periodValue.textContent = data.by + " " + period.period;
    thresholdValue.textContent = threshold.toFixed(2);
    edgeLayer.replaceChildren();
    window.edges = [];
    period.edges.forEach(function (edge) {
      if (edge[2] < threshold * 1000) { return; }
      var a = data.xy[edge[0]], b = data.xy[edge[1]], w = edge[2] / 1000;
      var line = el("line", {x1: a[0], y1: -a[1], x2: b[0], y2: -b[1],
                             "stroke-width": (0.002 + 0.006 * w).toFixed(4),
                             "stroke-opacity": (0.15 + 0.5 * w).toFixed(3)});
      var tip = el("title", {});
      tip.textContent = data.states[edge[0]].code + " - " + data.states[edge[1]].code +
        ": S = " + w.toFixed(3);
      line.appendChild(tip);
      edgeLayer.appendChild(line);
      window.edges.push(line);
    });
    var where = {};
    period.states.forEach(function (s, k) { where[s] = k; });
    var swing = {};
    period.swing.forEach(function (s) { swing[s] = true; });
    circles.forEach(function (node, i) {
      var k = where[i];
      var fill = ABSENT;
      if (k !== undefined) {
        if (color === "ideal") {
          var x = period.ideal[k];
          fill = x === null || x === undefined ? ABSENT : idealColor(x);
        } else {
          var mine = period.usa_camp >= 0 ? period.camp[k] === period.usa_camp
            : period.camp[k] === 0;
          fill = rgb(mine ? US_SIDE : OTHER_SIDE);
        }
      }
      node.circle.setAttribute("fill", fill);
      node.group.setAttribute("class", "sg-state" + (k === undefined ? " sg-absent" : "") +
        (swing[i] && color === "camps" ? " sg-swing" : ""));
      var code = data.states[i].code;
      var extra = k === undefined ? ": no vote" :
        (color === "ideal" && period.ideal[k] !== null ? ": ideal point " + period.ideal[k] :
          (swing[i] ? ": swing state" : ""));
      node.tip.textContent = label(code) + " (" + code + ")" + extra;
    });
    status.textContent = data.by + " " + period.period + ": " + period.roll_calls +
      " roll calls, " + period.states.length + " states voting, " + window.edges.length +
      " agreements at or above " + threshold.toFixed(2);
    drawLegend(color, period);
  }

  [periodInput, thresholdInput, colorSelect].forEach(function (input) {
    input.addEventListener("input", draw);
    input.addEventListener("change", draw);
  });
  draw();
  window.sgReady = true;
})();
