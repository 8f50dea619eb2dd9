// The bell on every page: the unread count and the newest notifications, pushed
// on the user's own topic over the page's one socket; mark one, mark all (by
// watermark), archive. It re-dispatches each event on `document`
// ("tidewire:notification") for the notifications page.

import { api } from "../tidewire/http.js";
import { pageSocket } from "../tidewire/page.js";
import { BellState } from "./state.js";

const $ = (id) => document.getElementById(id);
const LATEST = 10;
const state = new BellState({ limit: LATEST });

function render() {
  const count = $("bell-count");
  count.textContent = state.unread > 99 ? "99+" : String(state.unread);
  count.dataset.count = String(state.unread);
  count.hidden = state.unread === 0;
  $("bell-button").setAttribute("aria-label", `Notifications: ${state.unread} unread`);
  const items = state.latest();
  $("bell-empty").hidden = items.length > 0;
  $("bell-list").replaceChildren(...items.map(itemElement));
}

function itemElement(notification) {
  const row = document.createElement("div");
  row.className = `bell-item d-flex gap-2 align-items-start${notification.read ? "" : " unread"}`;
  row.dataset.id = String(notification.id);
  const link = document.createElement("a");
  link.className = "dropdown-item text-wrap flex-grow-1";
  link.href = notification.link || "/notifications/";
  link.dir = "auto";
  link.textContent = notification.message; // text, never markup
  link.addEventListener("click", (event) => {
    if (notification.read) return;
    event.preventDefault();
    api("POST", "/api/notifications/read/", { ids: [notification.id] })
      .catch((error) => console.warn("mark read failed", error))
      .finally(() => (location.href = link.href));
  });
  const archive = document.createElement("button");
  archive.type = "button";
  archive.className = "btn btn-sm btn-link text-body-secondary bell-archive";
  archive.setAttribute("aria-label", "Archive");
  archive.textContent = "×";
  archive.addEventListener("click", () =>
    api("POST", `/api/notifications/${notification.id}/archive/`).catch((error) =>
      console.warn("archive failed", error),
    ),
  );
  row.append(link, archive);
  return row;
}

async function load() {
  // The offset comes first: every change after this read is replayed on subscribe.
  const { data: count, headers } = await api("GET", "/api/notifications/unread-count/");
  const topic = headers.get("Tidewire-Topic");
  const offset = Number(headers.get("Tidewire-Offset"));
  const { data: page } = await api("GET", `/api/notifications/?page_size=${LATEST}`);
  state.unread = count.unread_count;
  state.items = new Map(page.results.map((item) => [item.id, item]));
  render();
  return { topic, offset };
}

function toggle(open) {
  const menu = $("bell-menu");
  menu.hidden = open === undefined ? !menu.hidden : !open;
  $("bell-button").setAttribute("aria-expanded", String(!menu.hidden));
}

$("bell-button").addEventListener("click", () => toggle());
document.addEventListener("click", (event) => {
  if (!$("bell").contains(event.target)) toggle(false);
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") toggle(false);
});
$("bell-read-all").addEventListener("click", () => {
  const upTo = state.newestId();
  if (upTo !== null) {
    api("POST", "/api/notifications/read/", { up_to: upTo }).catch((error) =>
      console.warn("mark all read failed", error),
    );
  }
});

load()
  .then(({ topic, offset }) => {
    const channel = pageSocket().channel(topic, { offset });
    channel.on("*", (event) => {
      if (state.apply(event)) render();
      // The notifications page follows the same topic through the bell.
      document.dispatchEvent(new CustomEvent("tidewire:notification", { detail: event }));
    });
    channel.onJoin(({ reset }) => {
      $("bell").dataset.synced = "true";
      document.dispatchEvent(new CustomEvent("tidewire:notifications-joined", { detail: { reset } }));
      if (reset) load().catch((error) => console.warn("bell reload failed", error));
    });
  })
  .catch((error) => console.warn("the bell could not load", error));
