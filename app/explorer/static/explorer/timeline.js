// The timeline: how many matching events started in each year (or month, when they span three
// years or fewer), counted by the API (/events/stats), so that it covers every match, not
// only the page shown.

import { get } from "./api.js";
import { h, s } from "./dom.js";
import { listHash } from "./routes.js";

const WIDTH = 640;
const HEIGHT = 180;
const AXIS = 22;
const MONTHS_WHEN_YEARS = 3;

/** Every key from `first` to `last`: years (`2019`) or months (`2019-09`). */
export function periods(first, last, unit) {
  const keys = [];
  if (unit === "year") {
    for (let year = Number(first); year <= Number(last); year += 1) keys.push(String(year).padStart(4, "0"));
    return keys;
  }
  let [year, month] = first.split("-").map(Number);
  const [endYear, endMonth] = last.split("-").map(Number);
  while (year < endYear || (year === endYear && month <= endMonth)) {
    keys.push(`${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}`);
    month += 1;
    if (month > 12) { month = 1; year += 1; }
  }
  return keys;
}

export async function renderTimeline(filters, params) {
  let unit = "year";
  let stats = await get("/events/stats", { ...filters, group_by: unit });
  const years = stats.buckets.map((b) => Number(b.key));
  if (years.length && Math.max(...years) - Math.min(...years) < MONTHS_WHEN_YEARS) {
    unit = "month";
    stats = await get("/events/stats", { ...filters, group_by: unit });
  }
  const dated = stats.buckets.reduce((sum, b) => sum + b.count, 0);
  const all = dated + stats.imprecise + stats.undated;
  const total = h("p", { class: "total" }, `${all.toLocaleString("en")} matching event${all === 1 ? "" : "s"} in all.`);
  const left = [stats.imprecise ? `${stats.imprecise} with a coarser date` : "",
    stats.undated ? `${stats.undated} undated` : ""].filter(Boolean);
  const note = left.length ? h("p", { class: "note" }, `Not shown: ${left.join(", ")}.`) : null;
  if (!stats.buckets.length) return [total, h("p", { class: "empty" }, "No dated event matches."), note];
  return [total, chart(stats.buckets, unit, params), note];
}

function chart(buckets, unit, params) {
  const counts = new Map(buckets.map((b) => [b.key, b.count]));
  const keys = periods(buckets[0].key, buckets[buckets.length - 1].key, unit);
  const most = Math.max(...counts.values());
  const step = WIDTH / keys.length;
  const total = buckets.reduce((sum, b) => sum + b.count, 0);
  const every = Math.ceil(keys.length / 8);
  return s("svg", { viewBox: `${-AXIS * 1.5} 0 ${WIDTH + AXIS * 3} ${HEIGHT + AXIS}`, class: "timeline", role: "group",
    "aria-label": `Matching events by ${unit}: ${total} dated events from ${keys[0]} to ${keys[keys.length - 1]}` },
  s("line", { x1: 0, x2: WIDTH, y1: HEIGHT, y2: HEIGHT, class: "axis" }),
  keys.map((key, i) => {
    const count = counts.get(key) || 0;
    const height = count ? Math.max(2, (count / most) * (HEIGHT - 8)) : 0;
    const label = `${key}: ${count} event${count === 1 ? "" : "s"}`;
    const bar = s("rect", { x: (i * step + step * 0.1).toFixed(1), width: Math.max(1, step * 0.8).toFixed(1),
      y: (HEIGHT - height).toFixed(1), height: height.toFixed(1), class: "bar" }, s("title", {}, label));
    const tick = i % every === 0
      ? s("text", { x: (i * step + step / 2).toFixed(1), y: HEIGHT + 16, class: "tick" }, key)
      : null;
    // A bar with events narrows the search to its period.
    const target = count
      ? s("a", { href: listHash(params, { from: key, to: key, cursor: null }), "aria-label": label }, bar)
      : bar;
    return [target, tick];
  }));
}
