// Claims: what was said, by whom, and each appearance's quote in its source, highlighted.

import { record } from "./api.js";
import { badge, dateText, fill, h, link, refLink, words } from "./dom.js";
import { pagedList } from "./pages.js";

const CONTEXT = 240; // characters of source text shown on each side of a quote

/** The UTF-16 index of code point `offset` of `text` (the API counts code points). */
export function utf16Index(text, offset) {
  let index = 0;
  for (let seen = 0; seen < offset && index < text.length; seen += 1) {
    const unit = text.charCodeAt(index);
    index += unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length ? 2 : 1;
  }
  return index;
}

/** A list of claims, `pageSize` at a time, with a button for the next page. */
export function claimList(path, pageSize) {
  return pagedList(h("div", { class: "claims" }), path, pageSize, claimView,
    { more: "More claims", empty: "No claims recorded." });
}

/** One claim: its text, who made it when, its status, and where it appears. */
export function claimView(claim) {
  const claimant = claim.claimant_id
    ? refLink("participants", claim.claimant_id, claim.claimant, "claimant")
    : h("span", { class: "claimant" }, "unattributed");
  const subjects = claim.subjects.map((subject, i) => [i ? ", " : "",
    h("a", { href: link(subject.type === "event" ? "events" : "participants", subject.slug) }, subject.label)]);
  return h("article", { class: "claim", "aria-label": `${words(claim.claim_type)} by ${claim.claimant_role || "a claimant"}` },
    h("blockquote", { class: "claim-text" }, claim.text),
    h("p", { class: "meta" },
      claimant, claim.claimant_role ? ` (${claim.claimant_role})` : "", ", ",
      h("time", {}, dateText(claim.stated)), " · ", badge("type", claim.claim_type), " ",
      h("span", { class: "verification" }, "claim status: ", badge("claim-status", claim.status))),
    subjects.length ? h("p", { class: "subjects" }, "About: ", subjects) : null,
    claim.appearances.length
      ? h("div", { class: "appearances" }, claim.appearances.map(appearanceView))
      : h("p", { class: "note" }, "No source recorded for this claim."));
}

function appearanceView(appearance) {
  const figure = h("figure", { class: "appearance" }, h("p", { class: "quote-context" }, h("mark", {}, appearance.quote)));
  record("sources", appearance.source_id)
    .then((source) => fill(figure, ...inSource(appearance, source)))
    .catch(() => figure.append(h("figcaption", {}, "The source could not be read.")));
  return figure;
}

function inSource(appearance, source) {
  const { quote, char_start: start, char_end: end } = appearance;
  const offsets = start !== null && end !== null ? `characters ${start}–${end}` : "offsets not recorded";
  // `verification` is the API's when it says; otherwise what a stored text implies: the server
  // refuses a quote that is not at its offsets in the source's text.
  const state = appearance.verification ?? (source.text ? "matches_stored_text" : "not_checked");
  const caption = h("figcaption", {},
    "In ", h("cite", {}, source.title), source.author ? `, ${source.author}` : "",
    source.published ? `, ${dateText(source.published)}` : "", ". ",
    h("span", { class: "verification" }, "Quote: ", badge("verification", state),
      ` · ${offsets} · confidence ${Math.round(appearance.confidence * 100)}%`));
  return [context(source.text, quote, start, end), caption];
}

/** The quote highlighted among the source's surrounding words, or alone when no text is stored. */
function context(text, quote, start, end) {
  if (text && start !== null && end !== null) {
    const from = utf16Index(text, start);
    const to = from + utf16Index(text.slice(from), end - start);
    if (text.slice(from, to) === quote) {
      const before = text.slice(Math.max(0, from - CONTEXT), from);
      const after = text.slice(to, to + CONTEXT);
      return h("p", { class: "quote-context" },
        from > CONTEXT ? "…" : "", before, h("mark", {}, quote), after, to + CONTEXT < text.length ? "…" : "");
    }
  }
  return h("div", {},
    h("p", { class: "quote-context" }, h("mark", {}, quote)),
    h("p", { class: "note" }, text
      ? "The quote is not at its offsets in the stored text; it is shown alone."
      : "The source's text is not stored here, so the quote is shown alone with its offsets."));
}
