/** Reading: every page of a list, selected fields, and references labelled without more requests. */
import { ApiError, GeoEvents, ok } from "../src/index.js";

/** The titles of every event matching `q`, read two at a time to show the paging. */
export async function titlesMatching(api: GeoEvents, q: string): Promise<string[]> {
  const titles: string[] = [];
  for await (const event of api.items("/api/v1/events", { query: { q, limit: 2 } })) {
    titles.push(event.title); // a string: without `fields=`, items are whole records
  }
  return titles;
}

/** Only the slugs and start dates of a kind of event, via `fields=`. */
export async function startsOf(api: GeoEvents, type: "meeting" | "election") {
  const found: { slug: string; start: string | null }[] = [];
  for await (const event of api.select("/api/v1/events", ["slug", "start"], {
    query: { event_type: [type] },
  })) {
    found.push({ slug: event.slug, start: event.start?.edtf ?? null });
  }
  return found;
}

/** Who said what at an event: each claim names its claimant, in brief, beside its id. */
export async function quotesAt(api: GeoEvents, event: string) {
  const quotes: { who: string; role: string | null; text: string }[] = [];
  for await (const claim of api.items("/api/v1/events/{event_id}/claims", {
    path: { event_id: event },
    query: { claim_type: ["quote"] },
  })) {
    quotes.push({ who: claim.claimant?.name ?? "unattributed", role: claim.claimant_role, text: claim.text });
  }
  return quotes;
}

/** One event by slug, or null when there is none (a 404 is an ApiError of kind `not-found`). */
export async function findEvent(api: GeoEvents, slug: string) {
  try {
    return ok(await api.client.GET("/api/v1/events/{event_id}", { params: { path: { event_id: slug } } }));
  } catch (error) {
    if (error instanceof ApiError && error.kind === "not-found") return null;
    throw error;
  }
}
