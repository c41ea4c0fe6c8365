// The list view: a search form, one keyset page of matching events, their timeline and map.

import { get } from "./api.js";
import { basemap, renderMap } from "./map.js";
import { badge, dateText, failure, h, later, link, marked, title } from "./dom.js";
import { filtersOf, listHash } from "./routes.js";
import { renderTimeline } from "./timeline.js";

export const PAGE_SIZE = 20;
const PEOPLE = 8;
const EVENT_TYPES = [
  "meeting", "visit", "election", "legislative_action", "military_operation", "strike",
  "attack", "intervention", "agreement", "invitation", "statement", "other",
];
// The cursor of the page before each page the reader moved to with "Next".
const previous = new Map();
let firstList = true;

export async function renderList(view, params) {
  const filters = filtersOf(params);
  const cursor = params.get("cursor");
  const searching = Object.keys(filters).length > 0;
  let page;
  try {
    page = await get("/events", { ...filters, sort: "-start", limit: PAGE_SIZE, cursor });
  } catch (error) {
    // The form stays, so that a rejected filter can be corrected where it was typed.
    view.main.append(searchForm(params), failure(error));
    view.status("");
    return;
  }
  const timeline = h("div", { class: "chart", "aria-busy": "true" }, "Loading the timeline…");
  const people = h("div", { class: "people" });
  const map = h("div", { class: "map", "aria-busy": "true" }, "Loading the map…");
  view.main.append(
    searchForm(params),
    h("div", { class: "list-layout" },
      h("section", { class: "results", "aria-labelledby": "results-title" },
        title(1, searching ? "Matching events" : "Latest events", { id: "results-title" }),
        people,
        results(page.items),
        pager(params, cursor, page.next_cursor)),
      h("div", { class: "figures" },
        h("section", { "aria-labelledby": "timeline-title" },
          h("h2", { id: "timeline-title" }, "Timeline of matching events"), timeline),
        h("section", { "aria-labelledby": "map-title" },
          h("h2", { id: "map-title" }, "Where"), map))),
  );
  view.status(page.items.length ? `${page.items.length} events on this page` : "No events match");
  later(view, timeline, () => renderTimeline(filters, params));
  if (filters.q) later(view, people, () => matchingParticipants(filters.q));
  later(view, map, () => renderMap(filters, page.items));
  fillCountries(view.main.querySelector("#countries"));
  if (firstList) {
    firstList = false;
    // Read by the browser test: navigation start to the first list drawn.
    requestAnimationFrame(() => performance.mark("explorer:first-list"));
  }
}

function searchForm(params) {
  const field = (name, label, props = {}) => h("div", { class: "field" },
    h("label", { for: `f-${name}` }, label),
    h("input", { id: `f-${name}`, name, value: params.get(name) || "", ...props }));
  const date = { placeholder: "2019-09", pattern: "\\d{4}(-\\d{2}(-\\d{2})?)?", inputmode: "numeric",
    title: "A year, year-month or day: 2019, 2019-09, 2019-09-12" };
  const type = h("select", { id: "f-type", name: "type" },
    h("option", { value: "" }, "any type"),
    EVENT_TYPES.map((value) => h("option", { value, selected: params.get("type") === value },
      value.replaceAll("_", " "))));
  const form = h("form", { class: "search", role: "search", "aria-label": "Search events" },
    field("q", "Words", { type: "search", placeholder: "Sochi, election…", maxlength: "200" }),
    field("from", "From", date),
    field("to", "To", date),
    field("country", "Country", { placeholder: "RU", maxlength: "3", size: "4",
      pattern: "[A-Za-z]{2,3}", list: "countries", title: "ISO 3166-1 code: RU or RUS" }),
    h("div", { class: "field" }, h("label", { for: "f-type" }, "Type"), type),
    h("div", { class: "field check" },
      h("input", { id: "f-imprecise", name: "imprecise", type: "checkbox", value: "true",
        checked: params.get("imprecise") === "true" }),
      h("label", { for: "f-imprecise" }, "include imprecise dates")),
    h("div", { class: "actions" },
      h("button", { type: "submit" }, "Search"),
      h("a", { href: "#/", class: "button secondary" }, "Clear")),
    h("datalist", { id: "countries" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (String(value).trim()) values.set(key, String(value).trim());
    window.location.hash = listHash(values, {});
  });
  return form;
}

async function fillCountries(datalist) {
  try {
    const { countries } = await basemap();
    const named = countries.filter((c) => c.code).sort((a, b) => a.name.localeCompare(b.name));
    datalist.replaceChildren(...named.map((c) => h("option", { value: c.code }, c.name)));
  } catch {
    // The map says what failed; the field still takes any code.
  }
}

/** Participants whose names match the words, as links to their views. */
async function matchingParticipants(q) {
  const page = await get("/participants", { q, limit: PEOPLE });
  if (!page.items.length) return [];
  return h("p", { class: "people" }, "Participants: ",
    page.items.map((p, i) => [i ? ", " : "", h("a", { href: link("participants", p.slug) }, p.name)]),
    page.next_cursor ? ", …" : "");
}

function results(events) {
  if (!events.length) return h("p", { class: "empty" }, "No events match these filters.");
  return h("ol", { class: "events" }, events.map(eventItem));
}

/** One event of a list: its title links to its view; a search shows where it matched. */
export function eventItem(event) {
  const where = event.location && (event.location.name || event.location.country);
  return h("li", { class: "event" },
    h("a", { href: link("events", event.slug), class: "event-title" }, event.title),
    h("div", { class: "meta" },
      h("time", {}, dateText(event.start)), " · ", badge("type", event.event_type), " ",
      badge("status", event.status), where ? ` · ${where}` : "",
      event.location && event.location.country && where !== event.location.country
        ? ` (${event.location.country})` : ""),
    event.match ? h("p", { class: "snippet" }, marked(event.match)) : null);
}

function pager(params, cursor, nextCursor) {
  const key = cursor || "";
  const back = previous.has(key) ? previous.get(key) : null;
  const nav = h("nav", { class: "pager", "aria-label": "Pages" });
  if (cursor) {
    nav.append(h("a", { href: listHash(params, { cursor: back }), rel: "prev", class: "button secondary" },
      previous.has(key) ? "Previous page" : "First page"));
  }
  if (nextCursor) {
    const next = h("a", { href: listHash(params, { cursor: nextCursor }), rel: "next", class: "button" },
      "Next page");
    next.addEventListener("click", () => previous.set(nextCursor, cursor));
    nav.append(next);
  }
  return nav;
}
