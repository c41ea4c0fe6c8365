// DOM building. Record text only ever reaches the page as text nodes (textContent), never
// as markup: a title like `<img onerror=...>` shows as those characters.

import { ApiError, reference } from "./api.js";

const SVG_NS = "http://www.w3.org/2000/svg";

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function apply(node, props) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "on") {
      for (const [type, handler] of Object.entries(value)) node.addEventListener(type, handler);
    } else if (key === "text") {
      node.textContent = value;
    } else {
      node.setAttribute(key, value === true ? "" : String(value));
    }
  }
  return node;
}

/** An HTML element: h("a", {href: "#/"}, "text", otherNode). */
export function h(tag, props, ...children) {
  return append(apply(document.createElement(tag), props), children);
}

/** An SVG element, built the same way. */
export function s(tag, props, ...children) {
  return append(apply(document.createElementNS(SVG_NS, tag), props), children);
}

/** Replace the children of `node`. */
export function fill(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

/** A search snippet with its `<mark>` tags as <mark> elements and everything else as text. */
export function marked(snippet) {
  const parts = String(snippet).split(/(<mark>|<\/mark>)/);
  const nodes = [];
  let inside = false;
  for (const part of parts) {
    if (part === "<mark>") inside = true;
    else if (part === "</mark>") inside = false;
    else if (part) nodes.push(inside ? h("mark", {}, part) : part);
  }
  return nodes;
}

/** A date value of the API (`{edtf, precision, earliest, latest}`) as people read it. */
export function dateText(value) {
  if (!value) return "undated";
  if (!value.edtf.includes("/")) return edtfText(value.edtf);
  const [start, end] = value.edtf.split("/");
  if (start === ".." || start === "") return `until ${edtfText(end)}`;
  if (end === ".." || end === "") return `${edtfText(start)} onwards`;
  return `${edtfText(start)} – ${edtfText(end)}`;
}

/** One EDTF date (`2019`, `2019-09`, `2019-09-12`) in words; anything else as written. */
function edtfText(edtf) {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(edtf);
  const month = /^(\d{4})-(\d{2})$/.exec(edtf);
  const options = { timeZone: "UTC", year: "numeric" };
  if (day) {
    return new Date(`${edtf}T00:00:00Z`).toLocaleDateString("en-GB", { ...options, month: "short", day: "numeric" });
  }
  if (month && Number(month[2]) <= 12) {
    return new Date(`${edtf}-01T00:00:00Z`).toLocaleDateString("en-GB", { ...options, month: "long" });
  }
  return edtf;
}

/** `snake_case` enum values as words. */
export function words(value) {
  return String(value ?? "").replaceAll("_", " ");
}

/** A small labelled badge, its class derived from the value (never from free text). */
export function badge(kind, value) {
  const safe = String(value).replace(/[^a-z_]/g, "");
  return h("span", { class: `badge ${kind} ${kind}-${safe}` }, words(value));
}

/** The hash link of a record view. */
export function link(kind, ref) {
  return `#/${kind}/${encodeURIComponent(ref)}`;
}

/** A heading that receives focus after navigation, so screen readers announce the view. */
export function title(level, text, props) {
  return h(`h${level}`, { tabindex: "-1", class: "view-title", ...props }, text);
}

/** A failed read shown in the page as an alert, never thrown at the console. */
export function failure(error) {
  const api = error instanceof ApiError;
  const text = api ? error.describe() : String(error.message || error);
  const heading = api && error.status === 404 ? "Not found" : "Something failed";
  return h("div", { class: "problem", role: "alert" }, h("h2", {}, heading), h("p", {}, text));
}

/** Run `load` and put what it builds into `node`; a failure shows there instead. */
export async function later(view, node, load) {
  try {
    const built = await load();
    if (!view.stale()) fill(node, built);
  } catch (error) {
    if (!view.stale()) fill(node, failure(error));
  }
}

/** A link to a referenced record, labelled by its summary or, without one, by reading it. */
export function refLink(kind, id, summary, className) {
  const node = h("span", { class: className }, "…");
  reference(kind, id, summary)
    .then((ref) => fill(node, h("a", { href: link(kind, ref.slug) }, ref.label)))
    .catch(() => fill(node, `(unreadable ${kind.slice(0, -1)})`));
  return node;
}
