// The event view: what happened, who took part, its status history, parts, relations, claims.

import { get } from "./api.js";
import { claimList } from "./claims.js";
import { badge, dateText, h, later, link, refLink, title, words } from "./dom.js";
import { eventItem } from "./list.js";

const ROLE_ORDER = [
  "host", "visitor", "initiator", "recipient", "organizer", "attendee", "candidate", "attacker",
  "target", "supporter", "subject", "mentioned",
];

export async function renderEvent(view, ref) {
  const event = await get(`/events/${encodeURIComponent(ref)}`);
  const section = (id, heading, body) => h("section", { "aria-labelledby": id },
    h("h2", { id }, heading), body);
  const pending = (text) => h("div", { "aria-busy": "true" }, text);
  const participants = pending("Loading participants…");
  const parts = pending("Loading parts…");
  const claims = pending("Loading claims…");
  view.main.append(
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" },
      h("a", { href: "#/" }, "Events"),
      event.parent_id ? [" › part of ", refLink("events", event.parent_id, event.parent)] : null),
    h("article", { class: "record" },
      title(1, event.title),
      h("p", { class: "meta" },
        h("time", {}, span(event.start, event.end)), " · ", badge("type", event.event_type), " ",
        badge("status", event.status), event.status_as_of ? ` as of ${dateText(event.status_as_of)}` : "",
        " · ", badge("certainty", event.certainty)),
      event.location ? h("p", { class: "where" }, place(event.location)) : null,
      event.summary ? h("p", { class: "summary" }, event.summary) : null,
      facts(event),
      section("participants-title", "Participants", participants),
      section("history-title", "Status history", history(event.status_history)),
      section("parts-title", "Parts and related events", parts),
      section("claims-title", "Claims about it", claims)),
  );
  view.status(`Event: ${event.title}`);
  later(view, participants, () => participantList(event.id));
  later(view, parts, () => partsAndRelations(event));
  later(view, claims, () => claimList(`/events/${event.id}/claims`, 10));
}

function span(start, end) {
  if (!end || (start && end.edtf === start.edtf)) return dateText(start);
  return `${dateText(start)} – ${dateText(end)}`;
}

function place(location) {
  const named = [location.name, location.admin1, location.country].filter(Boolean).join(", ");
  const precise = location.precision ? ` (${location.precision})` : "";
  const at = location.lat !== null && location.lon !== null
    ? ` · ${location.lat.toFixed(3)}, ${location.lon.toFixed(3)}${precise}` : "";
  return `${named}${at}`;
}

function facts(event) {
  const rows = [
    ["Slug", event.slug],
    ["CAMEO code", event.cameo_code],
    ["PLOVER type", event.plover_type],
    ...Object.entries(event.identifiers || {}),
  ].filter(([, value]) => value);
  return h("dl", { class: "facts" }, rows.map(([key, value]) => [h("dt", {}, key), h("dd", {}, String(value))]));
}

function history(changes) {
  if (!changes || !changes.length) return h("p", { class: "empty" }, "No status recorded.");
  return h("table", { class: "history" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Status"), h("th", { scope: "col" }, "As of"),
      h("th", { scope: "col" }, "Recorded"))),
    h("tbody", {}, changes.map((change) => h("tr", {},
      h("td", {}, badge("status", change.status)),
      h("td", {}, change.as_of ? dateText(change.as_of) : "—"),
      h("td", {}, h("time", { datetime: change.recorded_at }, change.recorded_at.slice(0, 16).replace("T", " ")))))));
}

async function participantList(eventId) {
  const page = await get(`/events/${eventId}/participants`, { limit: 100 });
  if (!page.items.length) return h("p", { class: "empty" }, "No participants recorded.");
  const links = [...page.items].sort((a, b) =>
    ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) || a.participant.name.localeCompare(b.participant.name));
  return [
    h("ul", { class: "participants" }, links.map((item) => h("li", {},
      h("a", { href: link("participants", item.participant.slug) }, item.participant.name),
      " ", badge("role", item.role), " ", h("span", { class: "kind" }, words(item.participant.kind)),
      item.note ? h("span", { class: "note" }, ` — ${item.note}`) : null))),
    page.next_cursor ? h("p", { class: "note" }, "Only the first 100 participants are shown.") : null,
  ];
}

async function partsAndRelations(event) {
  const children = await get("/events", { parent: event.id, sort: "start", limit: 20 });
  const relations = event.relations.map((relation) => h("li", {}, words(relation.relation), ": ",
    refLink("events", relation.event_id, relation.event)));
  if (!children.items.length && !relations.length) return h("p", { class: "empty" }, "None recorded.");
  return [
    children.items.length ? [h("h3", {}, "Parts"), h("ol", { class: "events" }, children.items.map(eventItem))] : null,
    children.next_cursor ? h("p", { class: "note" }, "Only the first 20 parts are shown.") : null,
    relations.length ? [h("h3", {}, "Related"), h("ul", {}, relations)] : null,
  ];
}
