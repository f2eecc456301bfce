/* stancegraph explorer: the rules of docs/TIME.md in the browser, for the time slider.
 *
 * The same rules as graph/analysis/temporal.py (claim_weights, key_values,
 * aggregate_positions), graph/analysis/project.py (allied_pairs, state_graph) and
 * graph/algorithms/gaps.py (salience, distance, score), on the claims the page carries in
 * its configuration (graph/explorer/timeline.py). Pure functions: no DOM. A test compares
 * their numbers with Python's.
 */
(function () {
  "use strict";
  var DAY = 86400000;

  /* Days since 1970-01-01 of an ISO date, NaN when missing (as graph.algorithms.decay._days). */
  function days(iso) {
    if (!iso) { return NaN; }
    var parts = String(iso).slice(0, 10).split("-");
    if (parts.length !== 3) { return NaN; }
    return Date.UTC(+parts[0], +parts[1] - 1, +parts[2]) / DAY;
  }

  function isoDate(dayNumber) {
    return new Date(dayNumber * DAY).toISOString().slice(0, 10);
  }

  /* Whether a rolled-up claim's representative held office on day D: on each side listed,
   * one of its terms covers D. */
  function inOffice(claim, D) {
    if (!claim.m || !claim.m.length) { return true; }
    var sides = {};
    claim.m.forEach(function (term) {
      var start = days(term[1]), end = days(term[2]);
      var covers = (isNaN(start) || start <= D) && (isNaN(end) || D <= end || term[3] === true);
      sides[term[0]] = sides[term[0]] === true || covers;
    });
    return Object.keys(sides).every(function (side) { return sides[side]; });
  }

  /* The weights at `asOf` of the claims numbered `scope`, weighed together: an object
   * number -> {w, t, status}. time: {claims, halfLife, horizon}. */
  function weigh(time, scope, asOf) {
    var D = days(asOf);
    var out = {};
    var acts = [];
    scope.forEach(function (i) {
      var c = time.claims[i];
      var date = days(c.d), start = days(c.f), until = days(c.u);
      var standing = c.k === "Standing";
      var begin = isNaN(start) ? date : start;
      var end = c.o ? NaN : until;
      var started = isNaN(begin) || begin <= D;
      var notEnded = isNaN(end) || D <= end;
      var hasDate = !isNaN(date);
      var t = hasDate ? date : (isNaN(begin) ? NaN : (isNaN(end) ? D : Math.min(end, D)));
      var age = D - t;
      var actStarted = hasDate ? date <= D : started;
      var office = inOffice(c, D);
      if (standing) {
        out[i] = { w: started && notEnded && office ? 1 : 0, t: t,
          status: !office ? "out of office" : !started ? "future" : !notEnded ? "ended" : "counts" };
        return;
      }
      var live = actStarted && office;
      var inHorizon = isNaN(age) || age <= time.horizon;
      var decay = isNaN(age) ? 1 : Math.pow(0.5, Math.max(age, 0) / time.halfLife);
      out[i] = { w: live && inHorizon ? decay : 0, t: t,
        status: !office ? "out of office" : !actStarted ? "future" :
          !inHorizon ? "beyond horizon" : "counts" };
      if (live) { acts.push(i); }
    });
    /* Supersession: among the live acts of one actor on one target key, the newest count. */
    var newest = {};
    function tOf(i) { return isNaN(out[i].t) ? -Infinity : out[i].t; }
    function keyOf(i) { return time.claims[i].x + "\u0000" + time.claims[i].y; }
    acts.forEach(function (i) {
      var key = keyOf(i);
      if (!(key in newest) || tOf(i) > newest[key]) { newest[key] = tOf(i); }
    });
    acts.forEach(function (i) {
      if (tOf(i) < newest[keyOf(i)]) {
        out[i].w = 0;
        out[i].status = "superseded";
      }
    });
    return out;
  }

  function unique(values) {
    var seen = {};
    return values.filter(function (v) {
      if (seen[v]) { return false; }
      seen[v] = true;
      return true;
    });
  }

  /* Positions per actor and issue at `asOf` from the gap rows [claim, actor, issue, position]:
   * one value per target key (restatements of one act once), then the weighted mean. */
  function positions(time, asOf) {
    var rows = time.gaps.rows;
    var W = weigh(time, unique(rows.map(function (r) { return r[0]; })), asOf);
    var groups = {};
    rows.forEach(function (r) {
      if (!(W[r[0]].w > 0)) { return; }
      var side = r[1] + "|" + r[2];
      var key = time.claims[r[0]].y;
      groups[side] = groups[side] || {};
      (groups[side][key] = groups[side][key] || []).push(r);
    });
    var result = {};
    Object.keys(groups).forEach(function (side) {
      var sumW = 0, sumWV = 0, claims = [];
      Object.keys(groups[side]).forEach(function (key) {
        var members = groups[side][key].slice().sort(function (a, b) {
          var x = time.claims[a[0]].c, y = time.claims[b[0]].c;
          return x < y ? -1 : x > y ? 1 : 0;
        });
        var seen = {}, values = [], weight = 0;
        members.forEach(function (r) {
          /* One act restated: same relation, date and position (the positions table's date:
           * the claim's date, else the start of its interval). */
          var c = time.claims[r[0]];
          var id = [c.r, c.d || c.f || "", r[3]].join("\u0000");
          claims.push(time.claims[r[0]].c);
          if (seen[id]) { return; }
          seen[id] = true;
          values.push(r[3]);
          weight = Math.max(weight, W[r[0]].w);
        });
        var value = values.reduce(function (s, v) { return s + v; }, 0) / values.length;
        sumW += weight;
        sumWV += weight * value;
      });
      result[side] = { position: sumWV / sumW, weight: sumW, claims: unique(claims).sort() };
    });
    return { positions: result, weights: W };
  }

  /* Salience of each issue (gaps.issue_salience): its coverage in the whole data, whatever
   * the date, as graph/algorithms/gaps.py counts it (rows of weight 0 count too). */
  function salience(time) {
    var claims = {}, sources = {};
    time.gaps.rows.forEach(function (r) {
      var issue = r[2], c = time.claims[r[0]];
      (claims[issue] = claims[issue] || {})[c.c] = true;
      sources[issue] = sources[issue] || {};
      if (c.src) { sources[issue][c.src] = true; }
    });
    var raw = {}, top = 0;
    Object.keys(claims).forEach(function (issue) {
      raw[issue] = Math.log1p(Object.keys(claims[issue]).length) +
        Math.log1p(Object.keys(sources[issue]).length);
      top = Math.max(top, raw[issue]);
    });
    var out = {};
    Object.keys(raw).forEach(function (issue) { out[issue] = raw[issue] / top; });
    return out;
  }

  /* Pairs of states allied at `asOf`: an alignment claim with weight 1 ("A|B" -> claims). */
  function allies(time, asOf) {
    var list = time.gaps.allies;
    var W = weigh(time, unique(list.map(function (a) { return a[0]; })), asOf);
    var pairs = {};
    list.forEach(function (a) {
      if (W[a[0]].w >= 1) { (pairs[a[1] + "|" + a[2]] = pairs[a[1] + "|" + a[2]] || []).push(a[0]); }
    });
    return pairs;
  }

  /* A distance this small is agreement, not a gap (graph.analysis.gaps._real_gaps). */
  var NO_GAP = 1e-12;

  /* The coordination gaps at `asOf` between the pairs and issues of `candidates`
   * ([a, b, issue] with a < b): distance, salience and score, or null where none holds. */
  function gaps(time, asOf, candidates) {
    var found = positions(time, asOf);
    var allied = allies(time, asOf);
    var sal = salience(time);
    return candidates.map(function (g) {
      var pa = found.positions[g[0] + "|" + g[2]], pb = found.positions[g[1] + "|" + g[2]];
      if (!allied[g[0] + "|" + g[1]] || !pa || !pb) { return null; }
      var distance = Math.abs(pa.position - pb.position) / 2;
      if (distance <= NO_GAP) { return null; }
      return { a: g[0], b: g[1], issue: g[2], positionA: pa.position, positionB: pb.position,
        distance: distance, salience: sal[g[2]], score: distance * sal[g[2]],
        claimsA: pa.claims, claimsB: pb.claims };
    });
  }

  /* A tie's score at `asOf`: sum of polarity x |weight| x confidence x time weight over the
   * claims [{i, p}] that pass the other filters (state_graph's sum, rounded as it rounds). */
  function tieScore(claims, W) {
    var score = 0;
    claims.forEach(function (c) { score += c.p * W[c.i].w; });
    return Math.round(score * 1e6) / 1e6;
  }

  window.sgTime = { days: days, isoDate: isoDate, weigh: weigh, positions: positions,
    salience: salience, allies: allies, gaps: gaps, tieScore: tieScore };
}());
