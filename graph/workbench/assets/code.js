// The coding page: select a span of the text to start a claim, review proposals, save.
// Everything from the text or the store is put in the page with textContent (never as
// markup), and nothing is fetched from anywhere but this server.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  let doc = params.get("doc") || "";
  let session = null;
  let draft = null;
  let editing = null;        // the claim in the editor (not yet in the draft)
  let editingProposal = null;
  let current = 0;           // the proposal with keyboard focus
  let problems = [];
  let autosaveTimer = null;
  let pending = Promise.resolve();
  let codepoints = [];       // UTF-16 index of each code point (offsets are code points)

  // ------------------------------------------------------------------ helpers
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (key === "class") node.className = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key === "on") for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
      else node[key] = value;
    }
    for (const child of children) {
      if (child !== null && child !== undefined) {
        node.append(typeof child === "string" ? document.createTextNode(child) : child);
      }
    }
    return node;
  }

  function status(message) { $("status").textContent = message; }

  async function api(path, body) {
    const options = body === undefined ? {} : {
      method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
    };
    const response = await fetch(path, options);
    let data = {};
    try { data = await response.json(); } catch (e) { data = {error: response.statusText}; }
    return {ok: response.ok, status: response.status, data};
  }

  const storageKey = () => "stancegraph-draft-" + doc;

  // ------------------------------------------------------------------ loading
  async function start() {
    const answer = await api("/code/api/session" + (doc ? "?doc=" + encodeURIComponent(doc) : ""));
    if (!answer.ok) {
      $("paste").hidden = false;
      if (doc) $("paste-error").textContent = answer.data.error || "unknown text";
      return;
    }
    session = answer.data;
    doc = session.doc;
    draft = pickDraft(session.draft);
    const chars = Array.from(session.text);
    codepoints = new Array(chars.length + 1);
    let at = 0;
    for (let i = 0; i < chars.length; i++) { codepoints[i] = at; at += chars[i].length; }
    codepoints[chars.length] = at;
    $("work").hidden = false;
    fillSource();
    fillRelations();
    renderText();
    renderProposals();
    renderClaims();
    status("Loaded: " + session.proposals.length + " proposals, " + draft.claims.length + " claims in the draft");
  }

  function pickDraft(server) {
    let local = null;
    try { local = JSON.parse(localStorage.getItem(storageKey()) || "null"); } catch (e) { local = null; }
    const candidates = [server, local].filter((d) => d && Array.isArray(d.claims));
    candidates.sort((a, b) => String(b.updated || "").localeCompare(String(a.updated || "")));
    const chosen = candidates[0] || {
      source: session.source, coder: localStorage.getItem("stancegraph-coder") || "",
      claims: [], entities: [], proposals: {}, saved: [],
    };
    chosen.entities = chosen.entities || [];
    chosen.proposals = chosen.proposals || {};
    chosen.saved = chosen.saved || [];
    chosen.source = Object.assign({}, session.source, chosen.source || {});
    return chosen;
  }

  // The draft goes to localStorage at once and to the server (a file next to the sources):
  // at once for claims and entities, after a pause while the source form is being typed in.
  function autosave(immediate = true) {
    draft.updated = new Date().toISOString();
    try { localStorage.setItem(storageKey(), JSON.stringify(draft)); } catch (e) { /* full */ }
    clearTimeout(autosaveTimer);
    autosaveTimer = null;
    if (immediate) sendDraft(); else autosaveTimer = setTimeout(sendDraft, 300);
  }

  function sendDraft() {
    autosaveTimer = null;
    // One request at a time, in order (the server also ignores a draft older than its own).
    const body = JSON.parse(JSON.stringify(draft));
    pending = pending.then(async () => {
      const answer = await api("/code/api/draft?doc=" + doc, body);
      if (!answer.ok) status("Draft not saved on the server: " + (answer.data.error || answer.status));
    });
  }

  function flushDraft() {
    if (autosaveTimer === null || !doc) return;
    clearTimeout(autosaveTimer);
    autosaveTimer = null;
    navigator.sendBeacon("/code/api/draft?doc=" + doc,
                         new Blob([JSON.stringify(draft)], {type: "application/json"}));
  }

  // ------------------------------------------------------------------ source form
  function fillSource() {
    const form = $("source-form");
    for (const key of ["id", "title", "creator", "publisher", "date", "url"]) {
      form.elements[key].value = draft.source[key] || "";
    }
    form.elements.coder.value = draft.coder || "";
    $("sha").textContent = session.facts.sha256;
    $("length").textContent = String(session.facts.length);
    form.addEventListener("input", () => {
      for (const key of ["id", "title", "creator", "publisher", "date", "url"]) {
        draft.source[key] = form.elements[key].value.trim();
      }
      draft.coder = form.elements.coder.value.trim();
      localStorage.setItem("stancegraph-coder", draft.coder);
      autosave(false);
    });
  }

  function fillRelations() {
    const select = $("relation");
    for (const relation of session.relations) {
      select.append(el("option", {value: relation.name}, relation.name + " (" + relation.label + ")"));
    }
  }

  // ------------------------------------------------------------------ the text
  function renderText() {
    const text = session.text;
    const box = $("text");
    box.replaceChildren();
    let at = 0;
    const marks = session.mentions.slice().sort((a, b) => a.start - b.start);
    for (const mention of marks) {
      const start = codepoints[mention.start], end = codepoints[mention.end];
      if (start < at) continue;
      box.append(document.createTextNode(text.slice(at, start)));
      box.append(el("mark", {
        class: "mention" + (mention.kind === "target" ? " target" : ""),
        title: mention.label + " (" + mention.node + ")",
      }, text.slice(start, end)));
      at = end;
    }
    box.append(document.createTextNode(text.slice(at)));
  }

  // The offset, in code points of the text, of a DOM position inside #text.
  function offsetOf(node, offset) {
    const range = document.createRange();
    range.setStart($("text"), 0);
    range.setEnd(node, offset);
    const units = range.toString().length;
    let low = 0, high = codepoints.length - 1;
    while (low < high) {  // first code point at or after that UTF-16 index
      const mid = (low + high) >> 1;
      if (codepoints[mid] < units) low = mid + 1; else high = mid;
    }
    return low;
  }

  function onSelect() {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
    const range = selection.getRangeAt(0);
    const box = $("text");
    if (!box.contains(range.startContainer) || !box.contains(range.endContainer)) return;
    let start = offsetOf(range.startContainer, range.startOffset);
    let end = offsetOf(range.endContainer, range.endOffset);
    const chars = Array.from(session.text);
    while (start < end && /\s/.test(chars[start])) start++;
    while (end > start && /\s/.test(chars[end - 1])) end--;
    if (end <= start) return;
    openEditor({
      id: nextId(), actor: "", relation: session.relations[0].name, target: "", issue: "",
      evidence: chars.slice(start, end).join(""), start, end, status: "accepted",
    }, null);
  }

  function nextId() {
    const base = (draft.source.id || "claim") + "-c";
    let n = 1;
    const used = new Set(draft.claims.map((c) => c.id));
    while (used.has(base + String(n).padStart(2, "0"))) n++;
    return base + String(n).padStart(2, "0");
  }

  // ------------------------------------------------------------------ the claim editor
  const FIELDS = ["actor", "relation", "target", "issue", "position", "date", "valid_from",
                  "valid_until", "confidence", "note"];

  function openEditor(claim, proposal) {
    editing = Object.assign({}, claim);
    editingProposal = proposal;
    $("editor").hidden = false;
    $("ed-id").textContent = editing.id;
    $("ed-evidence").textContent = editing.evidence || "";
    $("ed-start").textContent = String(editing.start);
    $("ed-end").textContent = String(editing.end);
    const form = $("claim-form");
    for (const field of FIELDS) form.elements[field].value = editing[field] || "";
    showFieldProblems();
    form.elements.actor.focus();
  }

  function closeEditor() {
    editing = null;
    editingProposal = null;
    $("editor").hidden = true;
  }

  function keepClaim(event) {
    event.preventDefault();
    const form = $("claim-form");
    for (const field of FIELDS) editing[field] = form.elements[field].value.trim();
    const missing = ["actor", "relation", "target"].filter((f) => !editing[f]);
    if (missing.length) {
      problems = problems.filter((p) => p.item !== editing.id)
        .concat(missing.map((f) => ({item: editing.id, field: f, message: "required"})));
      showFieldProblems();
      return;
    }
    const index = draft.claims.findIndex((c) => c.id === editing.id);
    if (index >= 0) draft.claims[index] = editing; else draft.claims.push(editing);
    draft.saved = draft.saved.filter((id) => id !== editing.id);
    if (editingProposal) draft.proposals[editingProposal] = "accepted";
    problems = problems.filter((p) => p.item !== editing.id);
    closeEditor();
    autosave();
    renderProposals();
    renderClaims();
    status("Kept claim; " + draft.claims.length + " in the draft (not saved yet)");
  }

  function showFieldProblems() {
    for (const span of document.querySelectorAll("#editor .err[data-field]")) span.textContent = "";
    if (!editing) return;
    for (const problem of problems.filter((p) => p.item === editing.id)) {
      const span = document.querySelector('#editor .err[data-field="' + CSS.escape(problem.field) + '"]');
      if (span) span.textContent = problem.message;
    }
  }

  // Type-ahead: the store's labels and codes, plus the entities declared in this draft.
  let lookupTimer = null;
  async function typeAhead(input) {
    const role = input.dataset.role;
    const query = input.value;
    clearTimeout(lookupTimer);
    lookupTimer = setTimeout(async () => {
      const answer = await api("/code/api/lookup?role=" + role + "&q=" + encodeURIComponent(query));
      if (!answer.ok) return;
      const list = $("dl-" + role);
      const options = draft.entities
        .filter((e) => (e.label + " " + e.id).toLowerCase().includes(query.toLowerCase()))
        .map((e) => el("option", {value: e.id}, e.label + " (new " + e.type + ")"));
      for (const row of answer.data) {
        options.push(el("option", {value: row.id}, row.label + " (" + row.type + ")"));
      }
      list.replaceChildren(...options);
    }, 120);
  }

  // ------------------------------------------------------------------ proposals
  function renderProposals() {
    const list = $("proposal-list");
    list.replaceChildren();
    session.proposals.forEach((proposal, index) => {
      const state = draft.proposals[proposal.id] || "proposed";
      const item = el("li", {class: state + (index === current ? " current" : ""),
                             dataset: {proposal: proposal.id}},
        el("span", {class: "triple"}, proposal.actor + " " + proposal.relation + " " + proposal.target),
        el("span", {class: "quote"}, "“" + proposal.evidence + "”"),
        el("button", {type: "button", on: {click: () => { current = index; accept(); }}}, "accept"),
        el("button", {type: "button", on: {click: () => { current = index; edit(); }}}, "edit"),
        el("button", {type: "button", on: {click: () => { current = index; reject(); }}}, "reject"));
      list.append(item);
    });
  }

  function proposalClaim(proposal) {
    return {id: nextId(), actor: proposal.actor, relation: proposal.relation,
            target: proposal.target, issue: "", evidence: proposal.evidence,
            start: proposal.start, end: proposal.end, status: "accepted",
            note: "accepted proposal (cue: " + proposal.cue + ")"};
  }

  function accept() {
    const proposal = session.proposals[current];
    if (!proposal || draft.proposals[proposal.id] === "accepted") return;
    draft.claims.push(proposalClaim(proposal));
    draft.proposals[proposal.id] = "accepted";
    moveTo(current + 1);
    autosave();
    renderClaims();
    status("Accepted proposal " + proposal.id);
  }

  function reject() {
    const proposal = session.proposals[current];
    if (!proposal) return;
    draft.proposals[proposal.id] = "rejected";
    moveTo(current + 1);
    autosave();
    status("Rejected proposal " + proposal.id);
  }

  function edit() {
    const proposal = session.proposals[current];
    if (proposal) openEditor(proposalClaim(proposal), proposal.id);
  }

  function moveTo(index) {
    current = Math.max(0, Math.min(session.proposals.length - 1, index));
    renderProposals();
    const item = $("proposal-list").children[current];
    if (item) item.scrollIntoView({block: "nearest"});
  }

  function onProposalKey(event) {
    const actions = {j: () => moveTo(current + 1), ArrowDown: () => moveTo(current + 1),
                     k: () => moveTo(current - 1), ArrowUp: () => moveTo(current - 1),
                     a: accept, r: reject, e: edit};
    const action = actions[event.key];
    if (action && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      action();
    }
  }

  // ------------------------------------------------------------------ claims
  function renderClaims() {
    const list = $("claim-list");
    list.replaceChildren();
    for (const claim of draft.claims) {
      const mine = problems.filter((p) => p.item === claim.id || p.item === "claim:" + claim.id);
      const item = el("li", {
        class: (draft.saved.includes(claim.id) ? "saved" : "") + (mine.length ? " invalid" : ""),
        dataset: {claim: claim.id}},
        el("code", {}, claim.id), " ",
        el("span", {class: "triple"}, claim.actor + " " + claim.relation + " " + claim.target),
        el("span", {class: "quote"}, claim.evidence ? "“" + claim.evidence + "”" : "(no evidence)"),
        el("button", {type: "button", on: {click: () => openEditor(claim, null)}}, "edit"),
        el("button", {type: "button", on: {click: () => removeClaim(claim.id)}}, "delete"));
      for (const problem of mine) {
        item.append(el("span", {class: "err", dataset: {field: problem.field}},
                       problem.field + ": " + problem.message));
      }
      list.append(item);
    }
    const entities = $("entity-list");
    entities.replaceChildren(...draft.entities.map((e) => el("li", {},
      el("code", {}, e.id), " " + e.label + " (" + e.type + ")")));
    $("entities-title").hidden = draft.entities.length === 0;
  }

  function removeClaim(id) {
    draft.claims = draft.claims.filter((c) => c.id !== id);
    autosave();
    renderClaims();
  }

  // ------------------------------------------------------------------ entities
  const PREFIX = {Person: "person", Organisation: "org", Government: "gov", MediaOutlet: "media",
                  Issue: "issue", Resolution: "res", Event: "event"};

  function addEntity(event) {
    event.preventDefault();
    const form = $("entity");
    const entity = {};
    for (const key of ["type", "label", "id", "represents", "about", "broader", "date"]) {
      entity[key] = form.elements[key].value.trim();
    }
    const slug = entity.label.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    entity.id = entity.id || PREFIX[entity.type] + ":" + slug;
    if (!entity.label || !slug) { $("entity-error").textContent = "a label is required"; return; }
    draft.entities = draft.entities.filter((e) => e.id !== entity.id).concat([entity]);
    $("entity-error").textContent = "";
    $("entity-form").hidden = true;
    form.reset();
    autosave();
    renderClaims();
    status("Declared " + entity.id);
  }

  // ------------------------------------------------------------------ saving
  async function saveAll() {
    const answer = await api("/code/api/save?doc=" + doc, draft);
    for (const span of document.querySelectorAll("#source-form .err")) span.textContent = "";
    $("save-problems").replaceChildren();
    if (answer.ok) {
      problems = [];
      draft.saved = draft.claims.map((c) => c.id);
      autosave();
      renderClaims();
      status("Saved " + answer.data.claims + " claims to " + answer.data.path + " and the store");
      return;
    }
    if (answer.status !== 422) {
      status("Not saved: " + (answer.data.error || answer.status));
      return;
    }
    problems = answer.data.problems || [];
    for (const problem of problems) {
      const span = document.querySelector('#source-form .err[data-for="' +
                                          CSS.escape(problem.item + "." + problem.field) + '"]');
      const known = draft.claims.some((c) => c.id === problem.item || "claim:" + c.id === problem.item);
      if (span) span.textContent = problem.message;
      else if (!known) $("save-problems").append(el("div", {}, problem.item + ": " + problem.field + ": " + problem.message));
    }
    renderClaims();
    showFieldProblems();
    status("Not saved: " + problems.length + " problem(s); nothing was written");
  }

  // ------------------------------------------------------------------ wiring
  document.addEventListener("DOMContentLoaded", () => {
    $("text").addEventListener("mouseup", () => setTimeout(onSelect, 0));
    $("claim-form").addEventListener("submit", keepClaim);
    $("ed-cancel").addEventListener("click", closeEditor);
    $("claim-form").addEventListener("keydown", (event) => {
      if (event.key === "Escape") { event.preventDefault(); closeEditor(); }
    });
    $("ed-new-entity").addEventListener("click", () => { $("entity-form").hidden = false; });
    $("entity").addEventListener("submit", addEntity);
    $("entity-cancel").addEventListener("click", () => { $("entity-form").hidden = true; });
    for (const input of document.querySelectorAll("input[data-role]")) {
      input.addEventListener("input", () => typeAhead(input));
      input.addEventListener("focus", () => typeAhead(input));
    }
    $("proposal-list").addEventListener("keydown", onProposalKey);
    $("save").addEventListener("click", saveAll);
    window.addEventListener("pagehide", flushDraft);
    $("paste-go").addEventListener("click", async () => {
      const answer = await api("/code/api/text", {text: $("paste-text").value,
                                                  source: $("paste-source").value.trim()});
      if (!answer.ok) { $("paste-error").textContent = answer.data.error || "not accepted"; return; }
      location.search = "?doc=" + answer.data.doc;
    });
    start();
  });
})();
