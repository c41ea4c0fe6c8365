// Hash routes: #/?q=... (the list), #/events/<slug>, #/participants/<slug>.

// Form field -> API parameter; the hash uses the form's names so that links stay short.
const FILTERS = {
  q: "q", from: "start_after", to: "start_before", country: "country", type: "event_type",
  imprecise: "include_imprecise",
};
/** The view a hash names, with its query parameters. */
export function parseHash(hash) {
  const [path, query = ""] = hash.replace(/^#/, "").split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { parts, params: new URLSearchParams(query) };
}

/** The API filters a list hash asks for (no paging). */
export function filtersOf(params) {
  const filters = {};
  for (const [field, name] of Object.entries(FILTERS)) {
    const value = params.get(field);
    if (value) filters[name] = field === "country" ? value.toUpperCase() : value;
  }
  if (filters.include_imprecise && !filters.start_after && !filters.start_before) {
    delete filters.include_imprecise;
  }
  return filters;
}

/** The list hash for `params` with `changes` applied (null removes a key). */
export function listHash(params, changes) {
  const next = new URLSearchParams(params);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === "") next.delete(key);
    else next.set(key, value);
  }
  const query = next.toString();
  return query ? `#/?${query}` : "#/";
}
