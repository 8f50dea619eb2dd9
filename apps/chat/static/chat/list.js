// The conversation list (seed 003), pushed instead of polled: each change to one
// of the user's conversations arrives on their inbox topic as its whole row.

import { api } from "../tidewire/http.js";
import { pageSocket } from "../tidewire/page.js";
import { showStatus } from "../tidewire/status.js";
import { ListFilters, archiveButton } from "./list_filters.js";
import { DELETED_TEXT } from "./message_actions.js";
import { isSystemLine } from "./system_line.js";
import { relativeTime } from "./time.js";

const TOAST_MS = 5000;
const $ = (id) => document.getElementById(id);
const page = JSON.parse($("chat-page").textContent);
const rows = new Map(page.conversations.map((row) => [row.id, row]));
const socket = pageSocket();
const inbox = socket.channel(page.topic);
const ticks = { sent: "✓", delivered: "✓✓", read: "✓✓ read" };

const filters = new ListFilters({
  searchServer: async (query) => {
    const { data } = await api("GET", `/api/conversations/?search=${encodeURIComponent(query)}`);
    return data.map((row) => row.id);
  },
  onChange: () => render(),
});

function rowElement(row) {
  const link = document.createElement("a");
  link.className = "list-group-item list-group-item-action conversation-row";
  link.href = `/chat/${row.id}/`;
  link.dataset.conversation = String(row.id);
  const top = document.createElement("div");
  top.className = "d-flex justify-content-between align-items-center gap-2";
  const title = document.createElement("strong");
  title.dir = "auto";
  title.textContent = row.listing.title;
  const who = document.createElement("span");
  who.className = "small text-body-secondary ms-2";
  who.dir = "auto";
  who.textContent = `with ${row.other.username}`;
  title.append(who);
  const badge = document.createElement("span");
  badge.className = "badge rounded-pill text-bg-primary unread";
  badge.textContent = String(row.unread_count);
  badge.hidden = row.unread_count === 0;
  top.append(title, badge);
  const preview = document.createElement("div");
  preview.className = "preview small";
  preview.dir = "auto";
  const last = row.last_message;
  if (last) {
    const own = last.sender === page.me;
    // A system line ("Sold") is nobody's: shown without a name.
    const text = last.deleted ? DELETED_TEXT : last.body;
    preview.textContent = isSystemLine(last) ? text : `${own ? "You" : row.other.username}: ${text}`;
    if (own) {
      const tick = document.createElement("span");
      tick.className = "chat-status ms-2";
      tick.dataset.status = last.status;
      tick.textContent = ticks[last.status] || "";
      preview.append(tick);
    }
  } else {
    preview.textContent = "No messages yet";
    preview.classList.add("text-body-secondary");
  }
  const when = document.createElement("div");
  when.className = "small text-body-secondary when";
  when.dataset.time = row.last_activity_at;
  when.textContent = relativeTime(row.last_activity_at);
  const bottom = document.createElement("div");
  bottom.className = "d-flex justify-content-between";
  bottom.append(when, archiveButton(row, api, (text) => toast(text)));
  link.append(top, preview, bottom);
  return link;
}

function render() {
  const sorted = [...rows.values()].sort(
    (a, b) => b.last_activity_at.localeCompare(a.last_activity_at) || b.id - a.id,
  );
  const shown = sorted.filter((row) => filters.shows(row));
  $("conversations").replaceChildren(...shown.map(rowElement));
  $("empty").hidden = rows.size > 0;
}

function toast(text) {
  const element = document.createElement("div");
  element.className = "toast show align-items-center text-bg-dark border-0";
  element.setAttribute("role", "status");
  const body = document.createElement("div");
  body.className = "toast-body";
  body.textContent = text;
  element.append(body);
  $("toasts").append(element);
  setTimeout(() => element.remove(), TOAST_MS);
}

// A message shown here has reached one of this user's devices: "delivered".
function acknowledge(row) {
  const last = row.last_message;
  if (!last || last.sender === page.me || last.status !== "sent") return;
  inbox.push("delivered", { conversation: row.id, up_to: last.id }).catch(() => {});
}

inbox.offset = page.offset;
inbox.on("conversation", (event) => {
  const row = event.conversation;
  const before = rows.get(row.id);
  rows.set(row.id, row);
  render();
  const last = row.last_message;
  const isNew = last && (!before?.last_message || before.last_message.id < last.id);
  if (isNew && last.sender !== page.me) {
    toast(isSystemLine(last) ? `${row.listing.title}: ${last.body}` : `New message from ${row.other.username}`);
    acknowledge(row);
  }
});
async function refetch() {
  // Too much was missed to replay (a reset): read the whole list again.
  const { data } = await api("GET", "/api/conversations/");
  rows.clear();
  for (const row of data) rows.set(row.id, row);
  render();
}

inbox.onJoin(({ reset }) => {
  document.body.dataset.synced = "true";
  (reset ? refetch() : Promise.resolve())
    .catch((error) => console.warn("refetch failed", error))
    .then(() => {
      for (const row of rows.values()) acknowledge(row);
    });
});
showStatus(socket, $("status"));
$("search").addEventListener("input", () => filters.setQuery($("search").value));
$("show-archived").addEventListener("change", () => filters.setArchived($("show-archived").checked));
setInterval(() => {
  for (const element of document.querySelectorAll(".when")) {
    element.textContent = relativeTime(element.dataset.time);
  }
}, 30000);
render();
