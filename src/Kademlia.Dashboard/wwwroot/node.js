// The node page: a snapshot every second, lookup steps as they happen (server-sent events).
"use strict";

const MAX_LOOKUPS = 6;
const lookups = new Map(); // query -> { card, steps: [], done }
let selectedBucket = null;
let lastSnapshot = null;

const $ = id => document.getElementById(id);

function buildBuckets() {
  const grid = $("bucket-grid");
  for (let i = 0; i < 256; i++) {
    const cell = htmlEl("div", "bucket");
    cell.dataset.index = i;
    cell.dataset.count = 0;
    cell.title = `bucket ${i}: empty`;
    cell.addEventListener("click", () => {
      selectedBucket = selectedBucket === i ? null : i;
      if (lastSnapshot) renderContacts(lastSnapshot);
    });
    grid.append(cell);
  }
}

function render(snapshot) {
  lastSnapshot = snapshot;
  $("node-id").textContent = short(snapshot.id);
  $("node-id").title = snapshot.id;
  $("network").textContent = snapshot.network || "–";
  $("local-endpoint").textContent = snapshot.localEndpoint;
  $("external-endpoint").textContent = snapshot.externalEndpoint || "not agreed yet";
  const reach = $("reachability");
  reach.textContent = snapshot.reachability;
  reach.className = "badge " + ({ Public: "good", Private: "bad" }[snapshot.reachability] || "warn");
  $("mode").textContent = snapshot.mode;
  $("uptime").textContent = formatDuration(snapshot.uptimeSeconds);
  $("k").textContent = snapshot.k;
  renderBuckets(snapshot);
  renderContacts(snapshot);
  renderRecords(snapshot);
  renderTraffic(snapshot.traffic);
}

function renderBuckets(snapshot) {
  const counts = new Array(256).fill(0);
  for (const c of snapshot.contacts) counts[c.bucket]++;
  document.querySelectorAll("#bucket-grid .bucket").forEach((cell, i) => {
    cell.dataset.count = counts[i];
    cell.style.setProperty("--fill", Math.min(1, counts[i] / snapshot.k));
    cell.title = counts[i] ? `bucket ${i}: ${counts[i]} of ${snapshot.k} contacts share ${i} leading bits` : `bucket ${i}: empty`;
    cell.classList.toggle("selected", selectedBucket === i);
  });
  $("contact-count").textContent = snapshot.contacts.length;
  $("bucket-count").textContent = counts.filter(c => c > 0).length;
}

function renderContacts(snapshot) {
  const rows = snapshot.contacts
    .filter(c => selectedBucket === null || c.bucket === selectedBucket)
    .sort((a, b) => b.bucket - a.bucket || a.id.localeCompare(b.id))
    .map(c => {
      const row = htmlEl("tr", "contact");
      row.dataset.id = c.id;
      const cells = [
        [String(c.bucket), "num"], [short(c.id), "mono"], [c.endpoint, "mono"], [formatMs(c.rttMs), "num"],
        [String(c.failures), "num"], [String(c.reputation), "num"], [formatDuration(c.seenSecondsAgo) + " ago", "num"],
      ];
      for (const [text, cls] of cells) row.append(htmlEl("td", cls, text));
      row.children[1].title = c.id;
      return row;
    });
  $("contacts").tBodies[0].replaceChildren(...rows);
}

function renderRecords(snapshot) {
  $("value-count").textContent = snapshot.values.length;
  $("topic-count").textContent = snapshot.topics.length;
  const none = text => { const row = htmlEl("tr"); const cell = htmlEl("td", "empty", text); cell.colSpan = 5; row.append(cell); return [row]; };
  $("values").tBodies[0].replaceChildren(...(snapshot.values.length ? [] : none("no values held")), ...snapshot.values.map(v => {
    const row = htmlEl("tr", "value");
    row.dataset.key = v.key;
    for (const [text, cls] of [[short(v.key), "mono"], [v.kind, ""], [String(v.bytes), "num"], [v.own ? "ours" : "stored for others", ""], [formatDuration(v.ttlSeconds), "num"]]) row.append(htmlEl("td", cls, text));
    return row;
  }));
  $("topics").tBodies[0].replaceChildren(...(snapshot.topics.length ? [] : none("no provider topics held")), ...snapshot.topics.map(t => {
    const row = htmlEl("tr", "topic");
    row.dataset.topic = t.topic;
    for (const [text, cls] of [[short(t.topic), "mono"], [String(t.providers), "num"], [formatDuration(t.ttlSeconds), "num"]]) row.append(htmlEl("td", cls, text));
    return row;
  }));
}

function renderTraffic(traffic) {
  const series = [
    { label: "received", color: PALETTE[0], values: traffic.packetsIn },
    { label: "sent", color: PALETTE[1], values: traffic.packetsOut },
  ];
  lineChart($("traffic-chart"), series, { unit: "packets/s" });
  legend($("traffic-legend"), series);
  $("traffic-totals").textContent = `${formatCount(traffic.totalPacketsIn)} in, ${formatCount(traffic.totalPacketsOut)} out since start`;
  const drops = Object.entries(traffic.drops).map(([reason, values], i) => ({ label: reason, color: PALETTE[(i + 2) % PALETTE.length], values }));
  lineChart($("drops-chart"), drops, { height: 110, unit: "drops/s" });
  legend($("drops-legend"), drops.length ? drops : [{ label: "no drops", color: "transparent" }]);
  $("drop-total").textContent = `${formatCount(traffic.totalDrops)} since start`;
}

const OPERATION = { FindNode: "find", Get: "get", GetProviders: "providers", Put: "store", AddProvider: "announce" };

function lookupFor(step) {
  let lookup = lookups.get(step.query);
  if (lookup) return lookup;
  const empty = document.querySelector("#lookups .empty");
  if (empty) empty.remove();
  const card = htmlEl("div", "lookup running");
  card.dataset.query = step.query;
  card.dataset.target = step.target;
  const title = htmlEl("div", "title");
  title.append(htmlEl("b", "op", OPERATION[step.request] || step.request), htmlEl("span", "mono", "→ " + short(step.target)), htmlEl("span", "status muted", "in flight"));
  const chart = svgEl("svg", { class: "steps", role: "img" });
  card.append(title, chart, htmlEl("div", "hops"));
  $("lookups").prepend(card);
  lookup = { card, steps: [], done: null };
  lookups.set(step.query, lookup);
  while (lookups.size > MAX_LOOKUPS) {
    const [oldest] = lookups.keys();
    lookups.get(oldest).card.remove();
    lookups.delete(oldest);
  }
  document.body.dataset.lookupsSeen = String(Number(document.body.dataset.lookupsSeen || 0) + 1);
  return lookup;
}

/** Each answer as a dot at its bits shared with the target; the line is the best so far. Failures are red marks at the bottom. */
function drawSteps(lookup) {
  const svg = lookup.card.querySelector("svg.steps");
  const width = 600, height = 120, left = 46, bottom = 14, top = 8;
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const steps = lookup.steps;
  // The target itself answering shares all 256 bits: drawn on the top line, the scale set by the others.
  const maxBits = Math.max(4, ...steps.filter(s => s.bits < 256).map(s => s.bits)) + 2;
  const shown = bits => Math.min(bits, maxBits);
  const x = i => left + (width - left - 8) * (steps.length <= 1 ? 0.5 : i / (steps.length - 1));
  const y = b => top + (height - top - bottom) * (1 - b / maxBits);
  svg.append(svgEl("line", { class: "axis", x1: left, y1: y(0), x2: width - 8, y2: y(0) }));
  svg.append(svgEl("text", { x: left - 4, y: y(maxBits) + 8, "text-anchor": "end" }, steps.some(s => s.bits === 256) ? "target" : String(maxBits)));
  svg.append(svgEl("text", { x: left - 4, y: y(0), "text-anchor": "end" }, "0"));
  svg.append(svgEl("text", { x: width - 8, y: height - 2, "text-anchor": "end" }, `${steps.length} answers · bits shared with target`));
  let best = -1;
  const bestPoints = [];
  steps.forEach((s, i) => {
    if (s.rttMs === null || s.rttMs === undefined) {
      svg.append(svgEl("text", { x: x(i), y: y(0) - 2, "text-anchor": "middle", fill: "#f25f5c" }, "×"));
      return;
    }
    if (shown(s.bits) > best) best = shown(s.bits);
    bestPoints.push(`${x(i).toFixed(1)},${y(best).toFixed(1)}`);
    const stored = s.request === "Put" || s.request === "AddProvider";
    const dot = svgEl("circle", { cx: x(i), cy: y(shown(s.bits)), r: 3.5, fill: stored ? "#ffd166" : s.bits === 256 ? "#4cc38a" : "#4fb3ff" });
    dot.append(svgEl("title", {}, `${short(s.peer)}: ${s.bits} bits shared, ${formatMs(s.rttMs)} (${s.request})`));
    svg.append(dot);
  });
  if (bestPoints.length > 1) svg.append(svgEl("polyline", { class: "series", points: bestPoints.join(" "), stroke: "#4cc38a" }));
}

function onStep(step) {
  const lookup = lookupFor(step);
  lookup.steps.push(step);
  if (step.request === "Put" || step.request === "AddProvider") lookup.card.querySelector(".op").textContent = OPERATION[step.request];
  lookup.card.querySelector(".status").textContent = `in flight · ${lookup.steps.length} answers`;
  drawSteps(lookup);
}

function onDone(done) {
  const lookup = lookups.get(done.query);
  if (!lookup) return;
  lookup.done = done;
  lookup.card.classList.remove("running");
  lookup.card.classList.toggle("failed", !done.succeeded);
  lookup.card.dataset.done = done.succeeded ? "ok" : "failed";
  lookup.card.querySelector(".status").textContent =
    `${done.succeeded ? "done" : "failed"} · ${done.hops} hops · ${done.messages} messages · ${formatMs(done.ms)}`;
  const hops = lookup.card.querySelector(".hops");
  hops.replaceChildren(...done.path.map(h => {
    const chip = htmlEl("span", "hop mono", `${h.depth}: ${short(h.peer)} · ${h.bits} bits · ${formatMs(h.rttMs)}`);
    chip.title = h.peer;
    return chip;
  }));
}

function connect() {
  const events = liveEvents();
  events.addEventListener("snapshot", e => render(JSON.parse(e.data)));
  events.addEventListener("step", e => onStep(JSON.parse(e.data)));
  events.addEventListener("done", e => onDone(JSON.parse(e.data)));
}

$("lookup-form").addEventListener("submit", async e => {
  e.preventDefault();
  const target = $("lookup-target").value.trim();
  const response = await fetch("/api/lookup" + (target ? "?target=" + encodeURIComponent(target) : ""), { method: "POST" });
  const input = $("lookup-target");
  input.setCustomValidity(response.ok ? "" : await response.text());
  input.reportValidity();
});

buildBuckets();
connect();
