// The map: Natural Earth 1:110m countries (shipped with the page, TopoJSON) in the Natural
// Earth projection, shaded by the matching events' count per country (/events/stats), with
// the places of the events on the page as dots.

import { get } from "./api.js";
import { h, link, s } from "./dom.js";

const WIDTH = 960;
const SCALE = WIDTH / (2 * Math.PI * 0.8707);
const SOUTH = -58; // Antarctica holds no events worth the space.
const SHADES = 5;
let loaded = null;

/** Natural Earth I (Šavrič, Patterson, Jenny) of radians, as d3-geo's naturalEarth1Raw. */
function naturalEarth(lambda, phi) {
  const phi2 = phi * phi;
  const phi4 = phi2 * phi2;
  return [
    lambda * (0.8707 - 0.131979 * phi2 + phi4 * (-0.013791 + phi4 * (0.003971 * phi2 - 0.001529 * phi4))),
    phi * (1.007226 + phi2 * (0.015085 + phi4 * (-0.044475 + 0.028874 * phi2 - 0.005916 * phi4))),
  ];
}

const TOP = naturalEarth(0, Math.PI / 2)[1] * SCALE;

/** A longitude and latitude (degrees) as SVG coordinates of the map. */
export function project(lon, lat) {
  const [x, y] = naturalEarth((lon * Math.PI) / 180, (lat * Math.PI) / 180);
  return [WIDTH / 2 + x * SCALE, TOP - y * SCALE];
}

const HEIGHT = project(0, SOUTH)[1];

function decodeArcs(topology) {
  const [sx, sy] = topology.transform.scale;
  const [tx, ty] = topology.transform.translate;
  return topology.arcs.map((arc) => {
    let x = 0;
    let y = 0;
    return arc.map(([dx, dy]) => {
      x += dx;
      y += dy;
      return [x * sx + tx, y * sy + ty];
    });
  });
}

function pathOf(points, shift) {
  const projected = points.map(([lon, lat]) => project(lon + shift, lat));
  return `M${projected.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join("L")}Z`;
}

/** A ring as SVG path data; one crossing the antimeridian (Russia, Fiji) is drawn on both
 * sides, the sphere's clip path cutting off what falls outside. */
function ringPath(ring, arcs) {
  const points = [];
  for (const index of ring) {
    const arc = index < 0 ? arcs[~index].slice().reverse() : arcs[index];
    points.push(...(points.length ? arc.slice(1) : arc));
  }
  const unwrapped = [];
  for (const [lon, lat] of points) {
    let x = lon;
    const last = unwrapped.length ? unwrapped[unwrapped.length - 1][0] : lon;
    while (x - last > 180) x -= 360;
    while (last - x > 180) x += 360;
    unwrapped.push([x, lat]);
  }
  const lons = unwrapped.map(([lon]) => lon);
  let d = pathOf(unwrapped, 0);
  if (Math.max(...lons) > 180) d += pathOf(unwrapped, -360);
  if (Math.min(...lons) < -180) d += pathOf(unwrapped, 360);
  return d;
}

/** The countries of the basemap: `{code, name, d}` (an SVG path), decoded once. */
export function basemap() {
  if (!loaded) {
    loaded = fetch(new URL("countries-110m.json", import.meta.url))
      .then((response) => {
        if (!response.ok) throw new Error(`the basemap did not load (HTTP ${response.status})`);
        return response.json();
      })
      .then((topology) => {
        const arcs = decodeArcs(topology);
        const countries = topology.objects.countries.geometries.map((geometry) => {
          const polygons = geometry.type === "Polygon" ? [geometry.arcs] : geometry.arcs;
          const d = polygons.flatMap((rings) => rings.map((ring) => ringPath(ring, arcs))).join("");
          return { code: geometry.properties.a2 || null, name: geometry.properties.name, d };
        });
        return { countries, attribution: topology.attribution };
      });
    loaded.catch(() => { loaded = null; });
  }
  return loaded;
}

function outline() {
  const points = [];
  for (let lat = SOUTH; lat <= 90; lat += 2) points.push(project(-180, lat));
  for (let lat = 90; lat >= SOUTH; lat -= 2) points.push(project(180, lat));
  return `M${points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join("L")}Z`;
}

/** The map of the matching events: countries shaded by count, the page's places as dots. */
export async function renderMap(filters, events) {
  const [{ countries, attribution }, stats] = await Promise.all([
    basemap(), get("/events/stats", { ...filters, group_by: "country" }),
  ]);
  const counts = new Map(stats.buckets.map((b) => [b.key, b.count]));
  const most = Math.max(1, ...counts.values());
  const shade = (count) => Math.min(SHADES, 1 + Math.floor((Math.log(count) / Math.log(most + 1)) * SHADES));
  const svg = s("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT.toFixed(0)}`, role: "group",
    "aria-labelledby": "map-desc", class: "world" },
  s("desc", { id: "map-desc" }, "World map: countries shaded by matching events, dots where the events on this page took place."),
  s("clipPath", { id: "sphere-clip" }, s("path", { d: outline() })),
  s("path", { d: outline(), class: "sphere" }),
  s("g", { "clip-path": "url(#sphere-clip)" }, countries.map((country) => {
    const count = country.code ? counts.get(country.code) || 0 : 0;
    return s("path", { d: country.d, class: count ? `country shade-${shade(count)}` : "country" },
      s("title", {}, `${country.name}: ${count} matching event${count === 1 ? "" : "s"}`));
  })),
  places(events));
  return [svg, legend(stats.buckets, countries), h("p", { class: "attribution" }, attribution)];
}

function places(events) {
  const groups = new Map();
  for (const event of events) {
    const where = event.location;
    if (!where || where.lat === null || where.lon === null || where.lat === undefined) continue;
    const key = `${where.lat.toFixed(2)},${where.lon.toFixed(2)}`;
    if (!groups.has(key)) groups.set(key, { where, events: [] });
    groups.get(key).events.push(event);
  }
  return [...groups.values()].map(({ where, events: here }) => {
    const [cx, cy] = project(where.lon, where.lat);
    const name = where.name || where.country || "";
    const label = `${name}: ${here.map((e) => e.title).slice(0, 5).join("; ")}` +
      (here.length > 5 ? `; and ${here.length - 5} more` : "");
    const dot = s("circle", { cx: cx.toFixed(1), cy: cy.toFixed(1), r: Math.min(12, 4 + here.length), class: "place" },
      s("title", {}, label));
    // One event: the dot opens it. Several: the list beside the map is the way in.
    return here.length === 1
      ? s("a", { href: link("events", here[0].slug), "aria-label": label }, dot)
      : dot;
  });
}

function legend(buckets, countries) {
  const names = new Map(countries.map((c) => [c.code, c.name]));
  const located = buckets.filter((b) => /^[A-Z]{2}$/.test(b.key));
  const elsewhere = buckets.reduce((sum, b) => sum + b.count, 0) - located.reduce((sum, b) => sum + b.count, 0);
  const top = located.sort((a, b) => b.count - a.count).slice(0, 5);
  return h("p", { class: "legend" },
    top.length ? ["Most matches: ", top.map((b, i) => [i ? ", " : "", `${names.get(b.key) || b.key} ${b.count}`]),
      ". Darker countries have more."] : "No matching event has a country.",
    elsewhere ? ` ${elsewhere} without a country.` : "");
}
