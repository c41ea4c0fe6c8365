/** Writing: a POST that is safe to retry, and an update that cannot overwrite another's. */
import { GeoEvents, ifMatch, ok, tagged } from "../src/index.js";
import type { Schemas } from "../src/index.js";

/** Record a source; sent twice with one Idempotency-Key, it is created once. */
export async function recordSource(api: GeoEvents, body: Schemas["SourceCreate"], key: string) {
  const sent = await api.client.POST("/api/v1/sources", {
    body,
    headers: { "Idempotency-Key": key },
  });
  return { source: ok(sent), replayed: sent.response.headers.get("Idempotent-Replayed") === "true" };
}

/** Mark an event as held, only if nobody changed it since it was read (else a 412 ApiError). */
export async function markHeld(api: GeoEvents, slug: string, asOf: string, etag?: string) {
  const read = tagged(
    await api.client.GET("/api/v1/events/{event_id}", { params: { path: { event_id: slug } } }),
  );
  const updated = await api.client.PATCH("/api/v1/events/{event_id}", {
    params: { path: { event_id: read.data.id } },
    body: { status: "occurred", status_as_of: asOf },
    headers: ifMatch(etag ?? read.etag),
  });
  return tagged(updated);
}
