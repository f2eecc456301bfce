// The query page: pick a named query (or write one), run it, show the rows, download them.
// Everything the server sends is data: it is only ever put into the page with textContent.
"use strict";

(function () {
  const SHOW_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9";
  const DOWNLOADS = {
    table: {
      csv: { label: "Download CSV", accept: "text/csv", ext: "csv" },
      json: { label: "Download JSON", accept: "application/sparql-results+json", ext: "json" },
    },
    graph: {
      csv: { label: "Download Turtle", accept: "text/turtle", ext: "ttl" },
      json: { label: "Download JSON-LD", accept: "application/ld+json", ext: "jsonld" },
    },
  };

  const $ = (id) => document.getElementById(id);
  const select = $("example");
  const textarea = $("query");
  const fieldset = $("params");
  const fields = $("param-fields");
  const note = $("params-note");
  const status = $("status");
  const results = $("results");
  const buttons = { csv: $("download-csv"), json: $("download-json") };

  let queries = {};
  let current = null; // the named query picked, if any
  let lastRun = null; // what the shown results came from: downloads repeat it
  let kind = null; // "table" or "graph"

  function clear(element) {
    while (element.firstChild) element.removeChild(element.firstChild);
  }

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? "error" : "";
  }

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  async function loadExamples() {
    try {
      const response = await fetch("/api/queries", { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(response.status + " " + response.statusText);
      for (const query of await response.json()) {
        queries[query.name] = query;
        const option = element("option", query.name);
        option.value = query.name;
        option.title = query.description;
        select.appendChild(option);
      }
      select.dataset.loaded = "true";
    } catch (error) {
      say("could not load the example queries: " + error.message, true);
    }
  }

  function choose(name) {
    current = queries[name] || null;
    clear(fields);
    $("description").textContent = current ? current.description : "";
    fieldset.hidden = !current || current.parameters.length === 0;
    note.hidden = true;
    if (!current) return;
    textarea.value = current.text;
    for (const parameter of current.parameters) {
      const label = element("label");
      label.appendChild(
        element("span", parameter.name + " (" + parameter.type +
          (parameter.optional ? ", optional" : "") + ")")
      );
      const input = element("input");
      input.type = "text";
      input.name = parameter.name;
      input.dataset.param = parameter.name;
      input.value = parameter.example || "";
      input.required = !parameter.optional;
      label.appendChild(input);
      if (parameter.help) label.appendChild(element("span", parameter.help, "help"));
      fields.appendChild(label);
    }
  }

  function edited() {
    const changed = current !== null && textarea.value !== current.text;
    note.hidden = !changed;
    for (const input of fields.querySelectorAll("input")) input.disabled = changed;
  }

  function describeRun() {
    if (current && textarea.value === current.text) {
      const params = new URLSearchParams();
      for (const input of fields.querySelectorAll("input[data-param]")) {
        const value = input.value.trim();
        if (value) params.append(input.dataset.param, value);
      }
      return { named: current.name, params: params.toString() };
    }
    return { text: textarea.value };
  }

  function send(run, accept) {
    if (run.named) {
      const url = "/api/queries/" + encodeURIComponent(run.named) +
        (run.params ? "?" + run.params : "");
      return fetch(url, { headers: { Accept: accept } });
    }
    return fetch("/sparql", {
      method: "POST",
      headers: { Accept: accept, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ query: run.text }),
    });
  }

  function termCell(term) {
    const cell = element("td");
    if (!term) return cell;
    cell.textContent = term.value;
    if (term.type === "uri") cell.className = "iri";
    if (term["xml:lang"]) cell.appendChild(element("span", "@" + term["xml:lang"], "lang"));
    if (term.datatype) cell.title = term.datatype;
    return cell;
  }

  function showTable(vars, bindings) {
    const table = element("table");
    const head = element("thead");
    const headRow = element("tr");
    for (const name of vars) headRow.appendChild(element("th", name));
    head.appendChild(headRow);
    const body = element("tbody");
    for (const binding of bindings) {
      const row = element("tr");
      for (const name of vars) row.appendChild(termCell(binding[name]));
      body.appendChild(row);
    }
    table.append(head, body);
    results.appendChild(table);
    return bindings.length;
  }

  function setDownloads(newKind) {
    kind = newKind;
    for (const which of ["csv", "json"]) {
      buttons[which].disabled = !kind;
      buttons[which].textContent = DOWNLOADS[kind || "table"][which].label;
    }
  }

  async function run(event) {
    if (event) event.preventDefault();
    const spec = describeRun();
    clear(results);
    setDownloads(null);
    say("running…");
    const started = performance.now();
    let response, body;
    try {
      response = await send(spec, SHOW_ACCEPT);
      body = await response.text();
    } catch (error) {
      say("the request failed: " + error.message, true);
      return;
    }
    if (!response.ok) {
      say(response.status + " " + response.statusText + ": " + body.trim(), true);
      return;
    }
    const type = (response.headers.get("Content-Type") || "").split(";")[0].trim();
    const ms = Math.round(performance.now() - started);
    lastRun = spec;
    if (type === "application/sparql-results+json") {
      const data = JSON.parse(body);
      if (typeof data.boolean === "boolean") {
        results.appendChild(element("p", "answer: " + data.boolean, "boolean"));
        say("ASK answered in " + ms + " ms");
      } else {
        const count = showTable(data.head.vars, data.results.bindings);
        say(count + " row" + (count === 1 ? "" : "s") + " in " + ms + " ms");
      }
      setDownloads("table");
    } else {
      const lines = body.split("\n").filter((line) => line.trim()).length;
      results.appendChild(element("pre", body, "graph"));
      say(lines + " triple" + (lines === 1 ? "" : "s") + " in " + ms + " ms");
      setDownloads("graph");
    }
  }

  async function download(which) {
    if (!lastRun || !kind) return;
    const spec = DOWNLOADS[kind][which];
    let response;
    try {
      response = await send(lastRun, spec.accept);
    } catch (error) {
      say("the download failed: " + error.message, true);
      return;
    }
    if (!response.ok) {
      say(response.status + ": " + (await response.text()).trim(), true);
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const link = element("a");
    link.href = url;
    link.download = "stancegraph-" + (lastRun.named || "query") + "." + spec.ext;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  select.addEventListener("change", () => choose(select.value));
  textarea.addEventListener("input", edited);
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) run(event);
  });
  $("query-form").addEventListener("submit", run);
  buttons.csv.addEventListener("click", () => download("csv"));
  buttons.json.addEventListener("click", () => download("json"));
  loadExamples();
})();
