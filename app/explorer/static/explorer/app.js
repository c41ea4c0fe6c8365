// Hash routing: every view has a link (#/?q=..., #/events/<slug>, #/participants/<slug>).

import { apiBase, docsUrl } from "./api.js";
import { failure, fill } from "./dom.js";
import { renderEvent } from "./event.js";
import { renderList } from "./list.js";
import { renderParticipant } from "./participant.js";
import { parseHash } from "./routes.js";

const main = document.getElementById("content");
const status = document.getElementById("status");
let navigation = 0;
let navigated = false;

async function route() {
  const current = ++navigation;
  const { parts, params } = parseHash(window.location.hash);
  // A view that finishes after the reader moved on draws nothing.
  const view = {
    main: document.createElement("div"),
    status: (text) => { if (current === navigation) status.textContent = text; },
    stale: () => current !== navigation,
  };
  view.status("Loading…");
  try {
    if (parts[0] === "events" && parts[1]) await renderEvent(view, parts[1]);
    else if (parts[0] === "participants" && parts[1]) await renderParticipant(view, parts[1]);
    else await renderList(view, params);
  } catch (error) {
    fill(view.main, failure(error));
    view.status("");
  }
  if (view.stale()) return;
  fill(main, view.main);
  if (navigated) main.querySelector(".view-title")?.focus();
  navigated = true;
}

document.getElementById("api-base").textContent = apiBase();
// Data read from another origin is said so where it is seen, not only in the footer.
const apiOrigin = new URL(apiBase()).origin;
if (apiOrigin !== window.location.origin) {
  document.getElementById("remote").textContent = `Data from ${apiOrigin}`;
}
document.getElementById("docs-link").setAttribute("href", docsUrl());
window.addEventListener("hashchange", route);
route();
