// /notifications/: every notification, newest first, a cursor page at a time,
// filtered by kind and unread; live through the bell's events (one subscription
// per tab). What REST and events say is merged monotonically: once read or
// archived, a notification stays so, whichever news arrives first.

import { api } from "../tidewire/http.js";
import { pageSocket } from "../tidewire/page.js";
import { showStatus } from "../tidewire/status.js";

const $ = (id) => document.getElementById(id);
const shown = new Map(); // id -> notification
const archived = new Set(); // ids archived meanwhile: a page read before must not bring them back
let next = null;

function query() {
  const params = new URLSearchParams();
  if ($("kind").value) params.set("kind", $("kind").value);
  if ($("unread-only").checked) params.set("unread", "true");
  return params;
}

function fits(notification) {
  if (notification.archived) return false;
  if ($("kind").value && notification.kind !== $("kind").value) return false;
  return !($("unread-only").checked && notification.read);
}

function row(notification) {
  const element = document.createElement("div");
  element.className = `list-group-item notification-row d-flex gap-3 align-items-start${notification.read ? "" : " unread"}`;
  element.dataset.id = String(notification.id);
  const text = document.createElement("div");
  text.className = "flex-grow-1";
  const message = document.createElement(notification.link ? "a" : "span");
  message.className = "notification-message";
  message.dir = "auto";
  message.textContent = notification.message;
  if (notification.link) message.href = notification.link;
  const when = document.createElement("div");
  when.className = "small text-body-secondary";
  when.textContent = new Date(notification.created_at).toLocaleString();
  text.append(message, when);
  const actions = document.createElement("div");
  actions.className = "d-flex gap-1";
  if (!notification.read) {
    const read = document.createElement("button");
    read.type = "button";
    read.className = "btn btn-sm btn-outline-secondary";
    read.textContent = "Mark read";
    read.addEventListener("click", () => act(api("POST", "/api/notifications/read/", { ids: [notification.id] })));
    actions.append(read);
  }
  const archive = document.createElement("button");
  archive.type = "button";
  archive.className = "btn btn-sm btn-outline-secondary";
  archive.textContent = "Archive";
  archive.addEventListener("click", () => act(api("POST", `/api/notifications/${notification.id}/archive/`)));
  actions.append(archive);
  element.append(text, actions);
  return element;
}

function act(promise) {
  promise.then(() => ($("error").textContent = "")).catch((error) => ($("error").textContent = error.message));
}

function render() {
  const items = [...shown.values()].filter(fits).sort((a, b) => b.id - a.id);
  $("list").replaceChildren(...items.map(row));
  $("empty").hidden = items.length > 0;
  $("more").hidden = !next;
}

function merge(item) {
  if (archived.has(item.id) || item.archived) return;
  const known = shown.get(item.id);
  shown.set(item.id, known ? { ...item, read: item.read || known.read } : item);
}

async function load({ more = false, fresh = false } = {}) {
  const url = more ? next : `/api/notifications/?${query()}`;
  const { data } = await api("GET", url);
  if (fresh) shown.clear();
  for (const item of data.results) merge(item);
  next = data.next;
  render();
}

function apply(event) {
  if (event.type === "notification") merge(event.notification);
  else if (event.type === "notifications_read") {
    for (const id of event.ids) if (shown.has(id)) shown.set(id, { ...shown.get(id), read: true });
  } else if (event.type === "notification_archived") {
    archived.add(event.id);
    shown.delete(event.id);
  }
  render();
}

const socket = pageSocket();
document.addEventListener("tidewire:notification", (event) => apply(event.detail));
document.addEventListener("tidewire:notifications-joined", ({ detail }) => {
  document.body.dataset.synced = "true";
  if (detail.reset) load({ fresh: true }).catch((e) => ($("error").textContent = e.message));
});
showStatus(socket, $("status"));
$("kind").addEventListener("change", () => load({ fresh: true }).catch((e) => ($("error").textContent = e.message)));
$("unread-only").addEventListener("change", () =>
  load({ fresh: true }).catch((e) => ($("error").textContent = e.message)),
);
$("more").addEventListener("click", () => load({ more: true }).catch((e) => ($("error").textContent = e.message)));
$("read-all").addEventListener("click", () => {
  const ids = [...shown.keys()];
  if (ids.length) act(api("POST", "/api/notifications/read/", { up_to: Math.max(...ids) }));
});

load().catch((error) => ($("error").textContent = error.message));
