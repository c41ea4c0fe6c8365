/** The examples, compiled under --strict, run against a live server. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { findEvent, quotesAt, startsOf, titlesMatching } from "../examples/read.js";
import { markHeld, recordSource } from "../examples/write.js";
import { ApiError, GeoEvents, ok } from "../src/index.js";
import { ADMIN_KEY, type LiveServer, startServer } from "./server.js";

const MEETING = "netanyahu-putin-meeting-2019-09-12";
const ELECTION = "knesset-election-2019-09-17";

let server: LiveServer;
let reader: GeoEvents;
let writer: GeoEvents;

before(async () => {
  server = await startServer();
  reader = new GeoEvents({ baseUrl: server.baseUrl });
  writer = new GeoEvents({ baseUrl: server.baseUrl, apiKey: ADMIN_KEY });
});

after(async () => {
  await server?.stop();
});

describe("reading", () => {
  it("follows every page of a list", async () => {
    const titles = await titlesMatching(reader, "Sochi");
    assert.ok(titles.length >= 3, titles.join(" | "));
    assert.ok(titles.includes("Netanyahu–Putin meeting in Sochi"), titles.join(" | "));
    assert.equal(new Set(titles).size, titles.length);
  });

  it("selects fields", async () => {
    const meetings = await startsOf(reader, "meeting");
    assert.ok(meetings.some((m) => m.slug === MEETING && m.start === "2019-09-12"));
  });

  it("labels references without another request", async () => {
    const quotes = await quotesAt(reader, MEETING);
    assert.ok(quotes.length >= 3);
    assert.ok(quotes.every((q) => q.who === "Benjamin Netanyahu" || q.who === "Vladimir Putin"));
  });

  it("turns a 404 into null", async () => {
    assert.equal(await findEvent(reader, "no-such-event"), null);
    assert.equal((await findEvent(reader, MEETING))?.parent?.slug, "netanyahu-visit-sochi-2019-09-12");
  });
});

describe("writing", () => {
  it("creates once whatever the retries", async () => {
    const body = { slug: "client-test-source", kind: "report" as const, title: "Client test" };
    const first = await recordSource(writer, body, "client-test-1");
    const again = await recordSource(writer, body, "client-test-1");
    assert.equal(again.source.id, first.source.id);
    assert.deepEqual([first.replayed, again.replayed], [false, true]);
  });

  it("updates under If-Match, and refuses a stale ETag", async () => {
    const held = await markHeld(writer, ELECTION, "2019-09-17");
    assert.equal(held.data.status, "occurred");
    assert.notEqual(held.etag, "");
    await assert.rejects(markHeld(writer, ELECTION, "2019-09-18", '"stale"'), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 412);
      assert.equal(error.kind, "precondition-failed");
      return true;
    });
  });

  it("throws the problem of a refused write", async () => {
    const sent = reader.client.POST("/api/v1/sources", {
      body: { slug: "no-key", kind: "report", title: "Without a key" },
    });
    await assert.rejects(sent, (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 401);
      assert.equal(error.problem.status, 401);
      assert.match(error.requestId ?? "", /^[0-9a-f]{32}$/);
      return true;
    });
  });

  it("names each invalid field", async () => {
    const sent = writer.client.POST("/api/v1/events", {
      body: { slug: "Bad Slug", title: "x", event_type: "meeting", status: "occurred" },
    });
    await assert.rejects(sent, (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 422);
      assert.deepEqual(error.problem.errors?.map((e) => e.loc), [["body", "slug"]]);
      return true;
    });
  });
});

describe("the typed client", () => {
  it("reads a page with its total", async () => {
    const page = ok(
      await reader.client.GET("/api/v1/sources", { params: { query: { include_total: true } } }),
    );
    assert.equal(page.total, page.items.length);
    const first = page.items[0];
    assert.ok(first !== undefined && first.title.length > 0);
  });
});
