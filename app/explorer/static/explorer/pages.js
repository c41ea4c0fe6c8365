// A list read a page at a time: the first page at once, the next ones on a button's press.

import { get } from "./api.js";
import { h } from "./dom.js";

/**
 * `container` filled with `view(item)` for the items of `path`, `limit` at a time, and a
 * button labelled `more` for the next page; a note saying `empty` when there are none.
 */
export async function pagedList(container, path, limit, view, { more, empty }) {
  const button = h("button", { type: "button", class: "secondary" }, more);
  let cursor = null;
  const load = async () => {
    button.disabled = true;
    const page = await get(path, { limit, cursor });
    container.append(...page.items.map(view));
    cursor = page.next_cursor;
    button.disabled = false;
    button.hidden = !cursor;
    return page;
  };
  button.addEventListener("click", () => load().catch((error) => button.replaceWith(String(error.message))));
  const first = await load();
  if (!first.items.length) return h("p", { class: "empty" }, empty);
  return [container, button];
}
