// The public API, read with plain GETs: no key, no credentials, no custom header, so that a
// page served from another origin makes simple CORS requests (the API's CORS_ORIGINS decides).

/** The API's base URL: `?api=` on the page, else the page's meta tag, else where the page is. */
export function apiBase() {
  const fromQuery = new URLSearchParams(window.location.search).get("api");
  const meta = document.querySelector('meta[name="geoevents-api"]');
  const url = new URL(fromQuery || (meta && meta.content) || ".", window.location.href);
  const usable = url.protocol === "http:" || url.protocol === "https:";
  return (usable ? url : new URL(".", window.location.href)).href.replace(/\/+$/, "");
}

function endpoint(path) {
  return `${apiBase()}/api/v1${path}`;
}

/** A problem document (RFC 9457) the API answered with, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }

  /** One line for people: the detail, and each invalid field. */
  describe() {
    const errors = (this.problem.errors || []).map(
      (e) => `${(e.loc || []).slice(1).join(".")}: ${e.msg}`,
    );
    return [this.problem.title, this.problem.detail, ...errors].filter(Boolean).join(" — ");
  }
}

/** GET `path` under /api/v1 with `params` (arrays repeat the key; empty values are left out). */
export async function get(path, params = {}) {
  const url = new URL(endpoint(path));
  for (const [key, value] of Object.entries(params)) {
    for (const item of [].concat(value)) {
      if (item !== null && item !== undefined && item !== "") url.searchParams.append(key, item);
    }
  }
  let response;
  try {
    response = await fetch(url, { headers: { Accept: "application/json" } });
  } catch {
    throw new ApiError(0, {
      title: "The API could not be reached",
      detail: `${url.origin} did not answer, or does not list this page's origin ` +
        `(${window.location.origin}) in its CORS_ORIGINS.`,
    });
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const retry = response.headers.get("Retry-After");
    if (retry) body.detail = `${body.detail || ""} Retry in ${retry} s.`.trim();
    throw new ApiError(response.status, { title: response.statusText, ...body });
  }
  return body;
}

const records = new Map();

/** A record by id, read once per page load (labels of references without a summary). */
export function record(kind, id) {
  const key = `${kind}/${id}`;
  if (!records.has(key)) {
    const pending = get(`/${kind}/${encodeURIComponent(id)}`);
    // A failed read is not kept, so that the next view asks again.
    pending.catch(() => records.delete(key));
    records.set(key, pending);
  }
  return records.get(key);
}

/** `{id, slug, label}` of a reference: the summary the API embeds if it does, else one read. */
export async function reference(kind, id, summary) {
  if (summary && summary.slug) {
    return { id, slug: summary.slug, label: summary.name ?? summary.title ?? summary.slug };
  }
  const found = await record(kind, id);
  return { id, slug: found.slug, label: found.name ?? found.title ?? found.slug };
}

/** Where the API's manual is. */
export function docsUrl() {
  return `${apiBase()}/docs`;
}
