// The network page: every node on a ring by ID, lookups drawn hop by hop as their answers arrive.
"use strict";

const RADIUS = 270;
const STEP_DELAY_MS = 120; // answers arrive within milliseconds on loopback; drawn one by one so eyes can follow
const MAX_LAG_MS = 1500;
const $ = id => document.getElementById(id);

const nodes = new Map(); // id -> { index, x, y, circle }
const byIndex = [];
const queue = [];
let drawing = false;
let current = null; // { query, from, layer }
let featuredKey = null;

/** Where an ID sits on the ring: its first 32 bits as a fraction of the circle, 0 at the top. */
function angleOf(id) { return (parseInt(id.slice(0, 8), 16) / 2 ** 32) * 2 * Math.PI - Math.PI / 2; }

function layers() {
  const ring = $("ring");
  if (!ring.dataset.ready) {
    ring.append(svgEl("circle", { class: "ring-circle", r: RADIUS }), svgEl("g", { id: "paths" }), svgEl("g", { id: "nodes" }), svgEl("g", { id: "marker" }));
    ring.dataset.ready = "1";
  }
}

function render(snapshot) {
  layers();
  $("k").textContent = snapshot.k;
  $("node-count").textContent = snapshot.nodes.length;
  $("alive-count").textContent = snapshot.alive;
  featuredKey = snapshot.featuredKey;
  for (const n of snapshot.nodes) {
    let node = nodes.get(n.id);
    if (!node) {
      const a = angleOf(n.id);
      node = { index: n.index, x: RADIUS * Math.cos(a), y: RADIUS * Math.sin(a) };
      node.circle = svgEl("circle", { class: "node", cx: node.x.toFixed(1), cy: node.y.toFixed(1), r: 9 });
      node.circle.dataset.index = n.index;
      node.circle.dataset.id = n.id;
      node.title = svgEl("title");
      node.circle.append(node.title);
      $("nodes").append(node.circle);
      nodes.set(n.id, node);
      byIndex[n.index] = node;
    }
    const holds = featuredKey !== null && n.holds.includes(featuredKey);
    node.circle.classList.toggle("dead", !n.alive);
    node.circle.classList.toggle("holds", n.alive && holds);
    node.circle.dataset.alive = n.alive ? "1" : "0";
    node.circle.dataset.holds = holds ? "1" : "0";
    node.title.textContent = `node ${n.index} ${short(n.id)}: ${n.alive ? `${n.contacts} contacts${holds ? ", holds the record" : ""}` : "stopped"}`;
  }
  $("holder-count").textContent = snapshot.nodes.filter(n => n.alive && featuredKey !== null && n.holds.includes(featuredKey)).length;
  drawMarker();
  renderStory(snapshot.story);
}

function drawMarker() {
  const marker = $("marker");
  marker.replaceChildren();
  if (!featuredKey) { $("featured-key").textContent = "none yet"; return; }
  $("featured-key").textContent = short(featuredKey);
  const a = angleOf(featuredKey);
  const r = RADIUS + 22;
  const x = r * Math.cos(a), y = r * Math.sin(a);
  const tip = { x: (RADIUS + 12) * Math.cos(a), y: (RADIUS + 12) * Math.sin(a) };
  const side = { x: -Math.sin(a) * 7, y: Math.cos(a) * 7 };
  marker.append(svgEl("polygon", { class: "key-marker", points: `${tip.x},${tip.y} ${x + side.x},${y + side.y} ${x - side.x},${y - side.y}` }));
  marker.append(svgEl("text", { class: "key-label", x: (RADIUS + 30) * Math.cos(a), y: (RADIUS + 30) * Math.sin(a), "text-anchor": Math.cos(a) < 0 ? "end" : "start" }, "key " + short(featuredKey)));
}

function renderStory(story) {
  const list = $("story");
  if (list.children.length === story.length) return;
  list.replaceChildren(...story.map(line => {
    const item = htmlEl("li", line.succeeded === true ? "ok" : line.succeeded === false ? "failed" : "", line.text);
    return item;
  }));
  list.scrollTop = list.scrollHeight;
}

/** Steps and ends of lookups are drawn from a queue, one every STEP_DELAY_MS. */
function enqueue(kind, data) {
  queue.push({ kind, data });
  if (!drawing) drain();
}

function drain() {
  const next = queue.shift();
  if (!next) { drawing = false; return; }
  drawing = true;
  if (next.kind === "step") drawStep(next.data); else drawDone(next.data);
  // A burst (a PUT's lookup and its twenty stores) is drawn faster, so the page never lags the network by more than a moment.
  const delay = Math.min(STEP_DELAY_MS, MAX_LAG_MS / Math.max(1, queue.length));
  setTimeout(drain, next.kind === "step" ? delay : delay * 3);
}

function startLookup(data) {
  const paths = $("paths");
  paths.replaceChildren();
  document.querySelectorAll(".node.origin").forEach(n => n.classList.remove("origin"));
  const origin = byIndex[data.from];
  if (origin) origin.circle.classList.add("origin");
  current = { query: data.query, from: data.from, layer: paths, count: 0 };
  document.body.dataset.lookupsSeen = String(Number(document.body.dataset.lookupsSeen || 0) + 1);
  $("lookup-summary").textContent = `from node ${data.from} for ${short(data.target)}: in flight`;
  $("lookup-hops").replaceChildren();
}

function drawStep(step) {
  layers();
  if (!current || current.query !== step.query || current.from !== step.from) startLookup(step);
  const origin = byIndex[step.from], peer = nodes.get(step.peer);
  if (!origin || !peer) return;
  const failed = step.rttMs === null || step.rttMs === undefined;
  current.layer.append(svgEl("line", { class: "path-step" + (failed ? " failed" : ""), x1: origin.x, y1: origin.y, x2: peer.x, y2: peer.y }));
  current.count++;
  $("lookup-summary").textContent = `from node ${step.from} for ${short(step.target)}: ${current.count} answers so far`;
}

function drawDone(done) {
  if (!current || current.query !== done.query || current.from !== done.from) return;
  const origin = byIndex[done.from];
  const points = [origin, ...done.path.map(h => nodes.get(h.peer))].filter(Boolean).map(n => `${n.x.toFixed(1)},${n.y.toFixed(1)}`);
  const line = svgEl("polyline", { class: "path-final", points: points.join(" ") });
  line.dataset.query = done.query;
  current.layer.append(line);
  $("lookup-summary").textContent = `from node ${done.from} for ${short(done.target)}: ${done.succeeded ? "found" : "failed"}, ${done.hops} hops, ${done.messages} messages, ${formatMs(done.ms)}`;
  $("lookup-hops").replaceChildren(...done.path.map(h => htmlEl("span", "hop mono", `${h.depth}: ${short(h.peer)} · ${h.bits} bits · ${formatMs(h.rttMs)}`)));
  document.body.dataset.lookupsDone = String(Number(document.body.dataset.lookupsDone || 0) + 1);
}

function connect() {
  const events = liveEvents();
  events.addEventListener("snapshot", e => render(JSON.parse(e.data)));
  events.addEventListener("story", e => {
    const line = JSON.parse(e.data);
    if (line.key) { featuredKey = line.key; drawMarker(); }
    const list = $("story");
    list.append(htmlEl("li", line.succeeded === true ? "ok" : line.succeeded === false ? "failed" : "", line.text));
    list.scrollTop = list.scrollHeight;
  });
  events.addEventListener("step", e => enqueue("step", JSON.parse(e.data)));
  events.addEventListener("done", e => enqueue("done", JSON.parse(e.data)));
}

connect();
