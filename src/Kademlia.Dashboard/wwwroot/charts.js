// Small helpers shared by both pages: SVG elements, line charts, number formats, the event stream. No library.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";

/** Creates an SVG element with attributes and optional text. */
function svgEl(name, attributes = {}, text) {
  const element = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (text !== undefined) element.textContent = text;
  return element;
}

/** Creates an HTML element with a class and optional text. */
function htmlEl(name, className, text) {
  const element = document.createElement(name);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

/** 64 hex digits to the 8 people read. */
function short(id) { return id ? id.slice(0, 8) : ""; }

function formatMs(ms) { return ms === null || ms === undefined ? "–" : ms < 10 ? ms.toFixed(2) + " ms" : ms.toFixed(0) + " ms"; }

function formatDuration(seconds) {
  if (seconds < 90) return Math.round(seconds) + " s";
  if (seconds < 5400) return Math.round(seconds / 60) + " min";
  if (seconds < 172800) return (seconds / 3600).toFixed(1) + " h";
  return (seconds / 86400).toFixed(1) + " d";
}

function formatCount(n) { return n >= 1e6 ? (n / 1e6).toFixed(1) + "M" : n >= 1e4 ? (n / 1e3).toFixed(0) + "k" : String(n); }

const PALETTE = ["#4fb3ff", "#4cc38a", "#f0b429", "#f25f5c", "#b388ff", "#ff8fab", "#63e6be", "#ffa94d"];

/**
 * Draws series (arrays of numbers, one per second, oldest first) into an SVG as lines over a shared
 * y axis from 0 to the largest value. width and height are the viewBox; the SVG scales with CSS.
 */
function lineChart(svg, series, { width = 600, height = 150, slots = 300, unit = "" } = {}) {
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const left = 40, bottom = 16, top = 6;
  const max = Math.max(1, ...series.flatMap(s => s.values));
  const x = i => left + (width - left - 4) * (i / Math.max(1, slots - 1));
  const y = v => top + (height - top - bottom) * (1 - v / max);
  svg.append(svgEl("line", { class: "axis", x1: left, y1: y(0), x2: width - 4, y2: y(0) }));
  svg.append(svgEl("line", { class: "axis", x1: left, y1: top, x2: left, y2: y(0) }));
  svg.append(svgEl("text", { x: left - 4, y: top + 8, "text-anchor": "end" }, formatCount(max)));
  svg.append(svgEl("text", { x: left - 4, y: y(0), "text-anchor": "end" }, "0"));
  svg.append(svgEl("text", { x: left, y: height - 2 }, `−${Math.round(slots / 60)} min`));
  svg.append(svgEl("text", { x: width - 4, y: height - 2, "text-anchor": "end" }, `now${unit ? " · " + unit : ""}`));
  for (const s of series) {
    const offset = slots - s.values.length;
    const points = s.values.map((v, i) => `${x(i + offset).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    if (s.values.length > 0) svg.append(svgEl("polyline", { class: "series", points, stroke: s.color }));
  }
}

/** Opens the server's event stream, showing in the #live badge whether it is connected. */
function liveEvents() {
  const live = document.getElementById("live");
  const events = new EventSource("/api/events");
  events.addEventListener("open", () => { live.textContent = "live"; live.classList.add("on"); });
  events.addEventListener("error", () => { live.textContent = "reconnecting"; live.classList.remove("on"); });
  return events;
}

/** A legend of colored labels. */
function legend(container, series) {
  container.replaceChildren(...series.map(s => {
    const item = htmlEl("span");
    const swatch = htmlEl("i");
    swatch.style.background = s.color;
    item.append(swatch, s.label);
    return item;
  }));
}
