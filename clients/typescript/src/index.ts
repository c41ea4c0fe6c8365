/**
 * A typed client for the geoevents API: openapi-fetch over the types generated from the
 * API's OpenAPI document (src/schema.d.ts), plus what every caller needs: problem+json
 * errors as a typed exception, an iterator over every page of a list, ETag / If-Match for
 * safe updates, Idempotency-Key on every POST and polite retries after 429 and 503.
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { PathsWithMethod } from "openapi-typescript-helpers";

import type { components, paths } from "./schema.js";

export type { components, paths };
export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];

/** An error answer of the API: its status and its RFC 9457 problem document. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    readonly requestId: string | null,
    readonly retryAfter: number | null,
  ) {
    super(`${status} ${problem.title}: ${problem.detail}`);
    this.name = "ApiError";
  }

  /** The problem type's slug, e.g. `not-found`, `precondition-failed`, `rate-limited`. */
  get kind(): string {
    return this.problem.type.split("/").pop() ?? this.problem.type;
  }
}

export interface GeoEventsOptions {
  /** Where the API is served, e.g. `http://127.0.0.1:8000` (no `/api/v1`). */
  baseUrl: string;
  /** An API key (`ge_...`): reads need none unless the server says so; writes do. */
  apiKey?: string;
  /** How often to retry a GET, or a POST (it carries an Idempotency-Key), after 429 or 503. */
  retries?: number;
  /** The longest wait before a retry, in seconds, whatever `Retry-After` says. */
  maxRetryAfter?: number;
  /** A fetch to use instead of the global one. */
  fetch?: typeof globalThis.fetch;
}

type GetPaths = PathsWithMethod<paths, "get">;
type Get<P extends GetPaths> = paths[P]["get"];
type Json<O> = O extends { responses: { 200: { content: { "application/json": infer B } } } }
  ? B
  : never;

/** The list operations: those answering with a page of `items` and a `next_cursor`. */
export type ListPath = {
  [P in GetPaths]: Json<Get<P>> extends { items: unknown[]; next_cursor: string | null }
    ? P
    : never;
}[GetPaths];
/** The type of one item of a list. */
export type ItemOf<P extends ListPath> = Json<Get<P>>["items"][number];
/** The query parameters of a list, paging left to the iterator. */
export type ListQuery<P extends ListPath> = Omit<
  NonNullable<Get<P>["parameters"]["query"]>,
  "cursor" | "fields"
>;
type PathParams<P extends ListPath> = Get<P>["parameters"]["path"];
/** What `items` needs besides the path: the path's parameters, if any, and a query. */
export type ListParams<P extends ListPath> = (PathParams<P> extends undefined
  ? { path?: undefined }
  : { path: NonNullable<PathParams<P>> }) & { query?: ListQuery<P> };
/** An item reduced to the fields asked for with `fields=` (and `id`, which it always keeps). */
export type Selected<P extends ListPath, K extends keyof ItemOf<P>> = Pick<
  ItemOf<P>,
  K | ("id" & keyof ItemOf<P>)
>;

/** The data of a successful openapi-fetch result (errors are thrown before it gets here). */
export function ok<D>(result: { data?: D; error?: unknown; response: Response }): D {
  if (result.data === undefined) {
    throw new Error(`no body in the ${result.response.status} answer`);
  }
  return result.data;
}

/** The data of a successful result with the ETag it was served with, for `ifMatch`. */
export function tagged<D>(result: { data?: D; error?: unknown; response: Response }): {
  data: D;
  etag: string;
} {
  const etag = result.response.headers.get("ETag");
  if (etag === null) {
    throw new Error("the answer carries no ETag (an expanded event has none)");
  }
  return { data: ok(result), etag };
}

/** Headers that make a PATCH or DELETE apply only to the version read (else a 412). */
export function ifMatch(etag: string): { "If-Match": string } {
  return { "If-Match": etag };
}

const RETRIED = new Set([429, 503]);

/** The client: `api.client` is the typed openapi-fetch client; the rest is built on it. */
export class GeoEvents {
  readonly client: Client<paths, "application/json">;

  constructor(readonly options: GeoEventsOptions) {
    const headers: Record<string, string> = {};
    if (options.apiKey !== undefined) {
      headers["Authorization"] = `Bearer ${options.apiKey}`;
    }
    const send = options.fetch ?? globalThis.fetch;
    this.client = createClient<paths, "application/json">({
      baseUrl: options.baseUrl.replace(/\/+$/, ""),
      headers,
      fetch: (request) => this.retrying(send, request),
    });
    this.client.use(idempotencyKeys, problems);
  }

  /** Every item of a list, page after page, following `next_cursor` to the last page. */
  async *items<P extends ListPath>(path: P, params?: ListParams<P>): AsyncGenerator<ItemOf<P>> {
    for await (const page of this.pages(path, params, undefined)) {
      yield* page as ItemOf<P>[];
    }
  }

  /** Every item of a list with only the fields named (`fields=`) and `id`. */
  async *select<P extends ListPath, K extends keyof ItemOf<P> & string>(
    path: P,
    fields: readonly K[],
    params?: ListParams<P>,
  ): AsyncGenerator<Selected<P, K>> {
    for await (const page of this.pages(path, params, fields.join(","))) {
      yield* page as Selected<P, K>[];
    }
  }

  private async *pages<P extends ListPath>(
    path: P,
    params: ListParams<P> | undefined,
    fields: string | undefined,
  ): AsyncGenerator<unknown[]> {
    let cursor: string | null | undefined;
    do {
      const query: Record<string, unknown> = { ...(params?.query ?? {}) };
      if (fields !== undefined) query["fields"] = fields;
      if (cursor) query["cursor"] = cursor;
      // One generic call for every list path: the types are checked at the signatures above.
      const get = this.client.GET as unknown as (
        url: string,
        init: { params: { path?: unknown; query: Record<string, unknown> } },
      ) => Promise<{ data?: { items: unknown[]; next_cursor: string | null } }>;
      const { data } = await get(path, { params: { path: params?.path, query } });
      if (data === undefined) return;
      yield data.items;
      cursor = data.next_cursor;
    } while (cursor);
  }

  private async retrying(send: typeof globalThis.fetch, request: Request): Promise<Response> {
    const retries = this.options.retries ?? 2;
    const replayable = request.method === "GET" || request.headers.has("Idempotency-Key");
    for (let attempt = 0; ; attempt++) {
      const response = await send(request.clone());
      if (!RETRIED.has(response.status) || !replayable || attempt >= retries) {
        return response;
      }
      const wait = Math.min(retryAfter(response) ?? 1, this.options.maxRetryAfter ?? 30);
      await response.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    }
  }
}

/** A fresh Idempotency-Key on every POST, so that a retry cannot create a record twice. */
const idempotencyKeys: Middleware = {
  onRequest({ request }) {
    if (request.method === "POST" && !request.headers.has("Idempotency-Key")) {
      request.headers.set("Idempotency-Key", globalThis.crypto.randomUUID());
    }
    return request;
  },
};

/** Every 4xx or 5xx answer thrown as an ApiError carrying its problem document. */
const problems: Middleware = {
  async onResponse({ response }) {
    if (response.status < 400) return undefined;
    const text = await response.clone().text();
    let problem: Problem;
    try {
      problem = JSON.parse(text) as Problem;
    } catch {
      problem = {
        type: "about:blank",
        title: response.statusText,
        status: response.status,
        detail: text,
        instance: new URL(response.url || "http://unknown/").pathname,
      };
    }
    throw new ApiError(
      response.status,
      problem,
      response.headers.get("X-Request-ID"),
      retryAfter(response),
    );
  },
};

function retryAfter(response: Response): number | null {
  const value = response.headers.get("Retry-After");
  return value !== null && /^\d+$/.test(value) ? Number(value) : null;
}
