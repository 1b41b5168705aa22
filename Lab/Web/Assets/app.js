// RecoverySim bench dashboard: plain JavaScript, no framework, no build step (docs/WEB.md).
// State arrives over one EventSource (/api/events); actions are POSTs carrying the session token.
"use strict";

const token = document.querySelector('meta[name="rsim-token"]').content;
const svgNs = "http://www.w3.org/2000/svg";
const cards = new Map();
let scenariosShown = "";

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS(svgNs, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

function bytes(n) {
  const units = ["B", "KiB", "MiB", "GiB"];
  let i = 0; let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

async function post(url, fields = {}) {
  try {
    const response = await fetch(url, { method: "POST", headers: { "X-RecoverySim-Token": token }, body: new URLSearchParams(fields) });
    const json = await response.json().catch(() => ({ ok: false, error: `HTTP ${response.status}` }));
    return { status: response.status, ...json };
  } catch (e) {
    return { status: 0, ok: false, error: `the dashboard did not answer (${e.message})` };
  }
}

function say(target, result) {
  target.textContent = result.ok ? result.message : `${result.status}: ${result.error}`;
  target.classList.toggle("ok", Boolean(result.ok));
  target.classList.toggle("error", !result.ok);
}

// ---- boards ----

function category(kind) {
  if (/fail|unbootable|invalid|mismatch|bricked|stopped|rejected|hang|crash/.test(kind)) return "fail";
  if (/^(recovery|source|golden|partition-install|slot-verified|reboot)/.test(kind)) return "recovery";
  if (/^os|health|success/.test(kind)) return "os";
  if (/booted|raised/.test(kind)) return "ok";
  return "boot";
}

function card(name) {
  let c = cards.get(name);
  if (c) return c;
  const node = document.getElementById("board-template").content.firstElementChild.cloneNode(true);
  node.dataset.board = name;
  node.querySelector(".board-name").textContent = name;
  const message = node.querySelector(".board-message");
  for (const button of node.querySelectorAll("button[data-action]")) {
    button.addEventListener("click", async () => {
      button.disabled = true;
      say(message, { ok: true, message: `${button.textContent}…` });
      say(message, await post(`/api/boards/${encodeURIComponent(name)}/${button.dataset.action}`));
      button.disabled = false;
    });
  }
  const form = node.querySelector("form.corrupt");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = Object.fromEntries(new FormData(form));
    say(message, await post(`/api/boards/${encodeURIComponent(name)}/corrupt`, fields));
  });
  const settings = node.querySelector("form.settings-form");
  const settingsMessage = node.querySelector(".settings-message");
  c = { node, partitions: "", dirty: false };
  settings.addEventListener("input", () => { c.dirty = true; });
  settings.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = settings.elements;
    const result = await post(`/api/boards/${encodeURIComponent(name)}/settings`, {
      wifi_only: String(f.wifi_only.checked),
      require_approval: String(f.require_approval.checked),
      window_start: f.window_start.value,
      window_end: f.window_end.value,
      network: f.network.value,
    });
    if (result.ok) c.dirty = false;
    say(settingsMessage, result);
    if (result.ok) renderBoard(result.board);
  });
  for (const button of node.querySelectorAll("button[data-update]")) {
    button.addEventListener("click", async () => {
      button.disabled = true;
      say(settingsMessage, { ok: true, message: `${button.textContent}…` });
      say(settingsMessage, await post(`/api/boards/${encodeURIComponent(name)}/${button.dataset.update}`));
      button.disabled = false;
    });
  }
  document.getElementById("boards").append(node);
  cards.set(name, c);
  return c;
}

function renderBoard(b) {
  const c = card(b.name);
  const n = c.node;
  const power = n.querySelector(".power");
  power.textContent = b.busy ? `${b.busy}…` : b.power;
  power.className = `pill power ${b.busy ? "busy" : b.power}`;
  const outcome = n.querySelector(".outcome");
  const last = b.last_power_on;
  outcome.textContent = b.last_power_on_interrupted ? "power cut" : last ? last.outcome : "no power-on yet";
  outcome.className = `pill outcome ${b.last_power_on_interrupted ? "bad" : last ? last.outcome : "off"}`;

  const slots = n.querySelector(".slots");
  slots.replaceChildren(...b.slots.map((s) => {
    const tries = "●".repeat(s.tries_remaining) + "○".repeat(Math.max(0, 7 - s.tries_remaining));
    const box = el("div", { class: `slot ${s.bootable ? "bootable" : "unbootable"}${last && last.slot === s.slot && b.power === "running" ? " active" : ""}`, "data-slot": s.slot },
      el("b", { text: `slot ${s.slot}` }), el("br"),
      el("span", { class: "release", text: s.release && s.version ? `v${s.version}` : "no valid release" }), el("br"),
      el("span", { text: `priority ${s.priority}` }), el("br"),
      el("span", { class: "tries", title: `${s.tries_remaining} tries left`, text: `tries ${tries.slice(0, 7)}` }), el("br"),
      el("span", { class: "successful", text: s.successful ? "✓ successful" : "✗ not successful" }), el("br"),
      el("span", { class: "state", text: s.bootable ? "bootable" : `unbootable${s.unbootable_reason ? `: ${s.unbootable_reason}` : ""}` }));
    box.title = s.release ? `release ${s.release}` : "no release verifies in this slot";
    return box;
  }));
  if (b.slots.length === 0) slots.replaceChildren(el("p", { class: "muted", text: "no valid boot control block (the next power-on resets it)" }));

  const facts = n.querySelector(".facts");
  const ri = b.rollback_indexes;
  const rows = [
    ["profile", `${b.profile} (board id ${b.board_id})`],
    ["rollback indexes", ri ? `boot ${ri.boot}, system ${ri.system}, vendor ${ri.vendor}` : "no valid RPMB copy"],
    ["boot counter", String(b.boot_count)],
    ["recovery request", b.recovery_request || "none"],
    ["recovery journal", b.journal_phase],
    ["last action", b.last_action || "none"],
  ];
  facts.replaceChildren(...rows.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { class: k.replaceAll(" ", "-"), text: v })]));

  n.querySelector(".partitions").replaceChildren(...b.partitions.map((p) =>
    el("span", { class: `chip${p.verified ? "" : " bad"}`, "data-partition": p.name, title: p.verified ? `release ${p.release}, version ${p.version}, rollback ${p.rollback_index}` : p.failure, text: `${p.name} ${p.verified ? "✓" : "✗ " + p.failure}` })));

  const names = b.partition_names.join(",");
  if (names !== c.partitions) {
    c.partitions = names;
    const select = n.querySelector('select[name="partition"]');
    select.replaceChildren(...b.partition_names.filter((p) => p !== "misc" && p !== "userdata").map((p) => el("option", { value: p, text: p })));
  }

  renderTimeline(n, b);
  renderSettings(c, b);
}

function renderSettings(c, b) {
  const n = c.node;
  const u = b.update;
  const status = n.querySelector(".update-status");
  status.textContent = u.status || "unreadable";
  status.className = `pill update-status ${/installed|up-to-date/.test(u.status) ? "ok" : /failed|refused|rolled-back/.test(u.status) ? "bad" : /waiting|pending/.test(u.status) ? "busy" : "off"}`;
  n.querySelector(".update-detail").textContent = u.error || u.detail || "";
  n.querySelector(".update-offer").textContent = [
    u.offered ? `on offer: release ${u.offered.release}, version ${u.offered.version} (${u.offered.kind})` : "no update on offer",
    u.approved_release ? `approved: ${u.approved_release}` : "",
    u.last_check ? `last check ${u.last_check}` : "never checked",
    `server ${b.settings.server}, channel ${b.settings.channel}`,
  ].filter(Boolean).join(" · ");
  n.querySelector('button[data-update="approve"]').hidden = u.status !== "pending-approval";
  if (c.dirty) return;
  const f = n.querySelector("form.settings-form").elements;
  const s = b.settings;
  f.wifi_only.checked = s.wifi_only;
  f.require_approval.checked = s.require_approval;
  const [start, end] = s.maintenance_window ? s.maintenance_window.split("-") : ["", ""];
  f.window_start.value = start;
  f.window_end.value = end;
  f.network.value = s.network;
}

function renderTimeline(n, b) {
  const list = n.querySelector(".timeline");
  const phases = n.querySelector(".phases");
  const last = b.last_power_on;
  if (!last) return;
  const events = last.events;
  const t0 = Date.parse(events[0].time);
  const span = Math.max(1, Date.parse(events[events.length - 1].time) - t0);
  list.replaceChildren(...events.map((e) => el("li", { class: category(e.kind), "data-kind": e.kind },
    el("span", { class: "t", text: `+${((Date.parse(e.time) - t0) / 1000).toFixed(3)} s` }),
    el("span", { class: "k", text: e.kind }),
    el("span", { class: "m", text: e.message }))));
  // The phase strip: each event's category from its time to the next one's, to scale.
  const colors = { boot: "#1f5fbf", fail: "#c62828", recovery: "#8e44ad", os: "#0b7a75", ok: "#1a7f37" };
  phases.replaceChildren(...events.map((e, i) => {
    const start = (Date.parse(e.time) - t0) / span * 300;
    const end = i + 1 < events.length ? (Date.parse(events[i + 1].time) - t0) / span * 300 : 300;
    const rect = svg("rect", { x: start, y: 0, width: Math.max(1.5, end - start), height: 14, fill: colors[category(e.kind)] });
    rect.append(svg("title"));
    rect.firstChild.textContent = `${e.kind}: ${e.message}`;
    return rect;
  }));
}

// ---- TFTP ----

function renderTftp(t) {
  document.getElementById("tftp-endpoint").textContent = t.endpoint;
  document.getElementById("tftp-totals").textContent = `${t.finished_transfers} transfers, ${bytes(t.finished_bytes)} served`;
  const active = document.getElementById("transfers-active");
  active.replaceChildren(...(t.active.length ? t.active.map((x) => {
    const done = x.total_bytes ? Math.min(100, 100 * x.bytes / x.total_bytes) : 0;
    const bar = el("div", { class: "bar" }, el("div"));
    bar.firstChild.style.width = `${done}%`;
    return el("li", { class: "transfer" }, `${x.file} → ${x.client}: ${bytes(x.bytes)}${x.total_bytes ? ` of ${bytes(x.total_bytes)}` : ""}, ${bytes(x.bytes_per_second)}/s, ${x.retransmissions} retransmissions`, bar);
  }) : [el("li", { class: "muted", text: "none" })]));
  const recent = document.getElementById("transfers-recent");
  recent.replaceChildren(...(t.recent.length ? t.recent.map((x) => el("li", { class: `transfer${x.error ? " failed" : ""}` },
    `${x.file} → ${x.client}: ${bytes(x.bytes)} in ${x.duration_ms} ms (${bytes(x.bytes_per_second)}/s), ${x.retransmissions} retransmissions${x.error ? `; failed: ${x.error}` : ""}`))
    : [el("li", { class: "muted", text: "none yet" })]));

  const chart = document.getElementById("throughput");
  const samples = t.throughput;
  const highest = Math.max(0, ...samples.map((s) => s.bytes_per_second));
  const peak = Math.max(1, highest);
  const now = samples.length ? samples[samples.length - 1].bytes_per_second : 0;
  document.getElementById("throughput-now").textContent = `${bytes(now)}/s`;
  document.getElementById("throughput-peak").textContent = `${bytes(highest)}/s`;
  const step = 300 / Math.max(1, 119);
  const points = samples.map((s, i) => `${(i * step).toFixed(1)},${(78 - 74 * s.bytes_per_second / peak).toFixed(1)}`);
  const children = [];
  for (const y of [20, 40, 60]) children.push(svg("line", { x1: 0, x2: 300, y1: y, y2: y, stroke: "#e3e7ee", "stroke-width": 0.5 }));
  if (points.length > 1) {
    children.push(svg("polygon", { points: `0,78 ${points.join(" ")} ${((samples.length - 1) * step).toFixed(1)},78`, fill: "#1f5fbf22" }));
    children.push(svg("polyline", { points: points.join(" "), fill: "none", stroke: "#1f5fbf", "stroke-width": 1.5, "vector-effect": "non-scaling-stroke" }));
  }
  chart.replaceChildren(...children);
}

// ---- campaign ----

function renderScenarios(names) {
  const key = names.join(",");
  if (key === scenariosShown) return;
  scenariosShown = key;
  const select = document.getElementById("campaign-scenario");
  select.replaceChildren(...(names.length ? names.map((s) => el("option", { value: s, text: s })) : [el("option", { value: "", text: "no scenario files (web --scenarios DIR)" })]));
  document.querySelector("#campaign-form button").disabled = names.length === 0;
}

function renderCampaign(c) {
  document.getElementById("campaign-state").textContent = c.scenario ? `${c.state} (${c.scenario})` : c.state;
  document.getElementById("campaign-done").textContent = c.done;
  document.getElementById("campaign-total").textContent = c.total;
  document.getElementById("campaign-rate").textContent = c.states_per_second;
  document.getElementById("campaign-bar").style.width = `${c.total ? 100 * c.done / c.total : 0}%`;
  document.getElementById("campaign-classes").replaceChildren(...Object.entries(c.by_class).filter(([, n]) => n > 0)
    .map(([k, n]) => el("span", { class: `pill ${k === "bricked" ? "bad" : "ok"}`, "data-class": k, text: `${k} ${n}` })));
  document.getElementById("campaign-failure-count").textContent = c.failure_count;
  const failures = document.getElementById("campaign-failures");
  failures.replaceChildren(...(c.failures.length ? c.failures.map((f) => {
    const code = el("code", { class: "replay", text: f.replay });
    const copy = el("button", { type: "button", text: "Copy replay command" });
    copy.addEventListener("click", () => navigator.clipboard?.writeText(f.replay));
    return el("li", { class: "failure", "data-crash": f.id }, el("b", { text: f.id }), ` ${f.class}: ${f.failure}`, code, copy);
  }) : [el("li", { class: "muted", text: c.error ? `error: ${c.error}` : "none" })]));
}

document.getElementById("campaign-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  say(document.getElementById("campaign-message"), await post("/api/campaign", Object.fromEntries(new FormData(event.target))));
});

// ---- the stream ----

function renderBench(s) {
  document.getElementById("bench-info").textContent = `${s.bench.directory} · ${s.boards.length} boards · golden image ${s.bench.golden_image}`;
  for (const b of s.boards) renderBoard(b);
  renderTftp(s.tftp);
  renderCampaign(s.campaign);
  renderScenarios(s.scenarios);
}

const connection = document.getElementById("connection");
const events = new EventSource("/api/events");
events.addEventListener("open", () => { connection.textContent = "live"; connection.className = "pill ok"; });
events.addEventListener("error", () => { connection.textContent = "reconnecting"; connection.className = "pill off"; });
events.addEventListener("bench", (e) => { renderBench(JSON.parse(e.data)); document.body.dataset.ready = "true"; });
events.addEventListener("board", (e) => renderBoard(JSON.parse(e.data)));
events.addEventListener("tftp", (e) => renderTftp(JSON.parse(e.data)));
events.addEventListener("campaign", (e) => renderCampaign(JSON.parse(e.data)));
