// The participant view: who it is, the roles it held, its timeline and its network.

import { get } from "./api.js";
import { badge, dateText, h, later, link, refLink, s, title, words } from "./dom.js";
import { pagedList } from "./pages.js";

const TIMELINE_PAGE = 20;
const NETWORK_SIZE = 16;
const LABEL = 20; // characters of a name in the graph; the table has them whole

export async function renderParticipant(view, ref) {
  const participant = await get(`/participants/${encodeURIComponent(ref)}`);
  const pending = (text) => h("div", { "aria-busy": "true" }, text);
  const roles = pending("Loading roles…");
  const timeline = pending("Loading the timeline…");
  const network = pending("Loading the network…");
  view.main.append(
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "#/" }, "Events"), " › participant"),
    h("article", { class: "record" },
      title(1, participant.name),
      h("p", { class: "meta" }, badge("kind", participant.kind),
        participant.country ? ` · ${participant.country}` : "",
        participant.aliases.length ? ` · also ${participant.aliases.join(", ")}` : ""),
      participant.description ? h("p", { class: "summary" }, participant.description) : null,
      identifiers(participant.identifiers),
      h("section", { "aria-labelledby": "roles-title" }, h("h2", { id: "roles-title" }, "Roles"), roles),
      h("div", { class: "two" },
        h("section", { "aria-labelledby": "timeline-title" }, h("h2", { id: "timeline-title" }, "Timeline"), timeline),
        h("section", { "aria-labelledby": "network-title" }, h("h2", { id: "network-title" }, "Network"), network))),
  );
  view.status(`Participant: ${participant.name}`);
  later(view, roles, () => roleList(participant.id));
  later(view, timeline, () => timelineList(participant.id));
  later(view, network, () => networkView(participant.id));
}

function identifiers(found) {
  const entries = Object.entries(found || {});
  if (!entries.length) return null;
  return h("dl", { class: "facts" }, entries.map(([scheme, value]) => [h("dt", {}, scheme), h("dd", {}, value)]));
}

async function roleList(id) {
  const page = await get(`/participants/${id}/roles`, { limit: 100 });
  if (!page.items.length) return h("p", { class: "empty" }, "No roles recorded.");
  return h("ul", { class: "roles" }, page.items.map((role) => h("li", {},
    h("strong", {}, role.title),
    role.organization_id ? [", ", refLink("participants", role.organization_id, role.organization)] : null,
    ` (${role.start ? dateText(role.start) : "?"} – ${role.end ? dateText(role.end) : "now"})`)));
}

/** The events taken part in and claims made, by date, a page at a time. */
function timelineList(id) {
  return pagedList(h("ol", { class: "timeline-list" }), `/participants/${id}/timeline`, TIMELINE_PAGE,
    timelineItem, { more: "Later entries", empty: "Nothing dated yet." });
}

function timelineItem(item) {
  const when = h("time", { class: "when" }, dateText(item.date));
  if (item.kind === "event") {
    const { event } = item;
    return h("li", { class: "entry" }, when, h("div", {},
      h("a", { href: link("events", event.slug) }, event.title), " ", badge("role", event.role), " ",
      badge("type", event.event_type)));
  }
  return h("li", { class: "entry" }, when, h("div", {},
    `${words(item.claim.claim_type)}: `, h("q", {}, item.claim.text)));
}

/** Who it shared events with: a radial graph (links) and the same as a table. */
async function networkView(id) {
  const network = await get(`/participants/${id}/network`, { limit: NETWORK_SIZE });
  const { connections } = network;
  if (!connections.length) return h("p", { class: "empty" }, "No shared events.");
  return [graph(network.participant, connections), table(connections)];
}

function graph(centre, connections) {
  const size = 420;
  const middle = size / 2;
  const radius = size / 2 - 50;
  const margin = 110; // room for the labels left and right of the circle
  const most = Math.max(...connections.map((c) => c.count));
  const nodes = connections.map((connection, i) => {
    // Started off the vertical, so that the centre's label below it stays clear of edges.
    const angle = (2 * Math.PI * i) / connections.length - Math.PI / 3;
    return { connection, x: middle + radius * Math.cos(angle), y: middle + radius * Math.sin(angle), angle };
  });
  return s("svg", { viewBox: `${-margin} 0 ${size + 2 * margin} ${size}`, class: "network", role: "group",
    "aria-label": `${centre.name} and the ${connections.length} participants it shared most events with` },
  nodes.map(({ connection, x, y }) => s("line", { x1: middle, y1: middle, x2: x.toFixed(1), y2: y.toFixed(1),
    class: "edge", "stroke-width": (1 + (4 * connection.count) / most).toFixed(1) })),
  s("circle", { cx: middle, cy: middle, r: 10, class: "node centre" }),
  s("text", { x: middle, y: middle + 26, class: "label centre" }, centre.name),
  nodes.map(({ connection, x, y, angle }) => {
    const other = connection.participant;
    const label = `${other.name}: ${connection.count} shared event${connection.count === 1 ? "" : "s"}`;
    const end = Math.cos(angle) < -0.2 ? "end" : Math.cos(angle) > 0.2 ? "start" : "middle";
    const dx = end === "end" ? -10 : end === "start" ? 10 : 0;
    const dy = end === "middle" ? (Math.sin(angle) < 0 ? -12 : 20) : 4;
    return s("a", { href: link("participants", other.slug), "aria-label": label },
      s("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 7, class: "node" }, s("title", {}, label)),
      s("text", { x: (x + dx).toFixed(1), y: (y + dy).toFixed(1), "text-anchor": end, class: "label" },
        other.name.length > LABEL ? `${other.name.slice(0, LABEL - 1)}…` : other.name));
  }));
}

function table(connections) {
  return h("table", { class: "connections" },
    h("caption", {}, "Shared events, most first"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "With"), h("th", { scope: "col" }, "Events"),
      h("th", { scope: "col" }, "As"))),
    h("tbody", {}, connections.map((connection) => h("tr", {},
      h("td", {}, h("a", { href: link("participants", connection.participant.slug) }, connection.participant.name)),
      h("td", { class: "number" }, String(connection.count)),
      h("td", {}, connection.roles.map((pair) => `${words(pair.role)} / ${words(pair.other_role)} ×${pair.count}`).join("; "))))));
}
