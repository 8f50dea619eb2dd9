// A conversation's room (seed 003): messages both ways, live; sending → sent →
// delivered → read ticks; typing; the other person's presence; messages written
// offline wait in the browser's storage and go out, once, when the link is back.

import { BlockToggle } from "../moderation/block_toggle.js";
import { api } from "../tidewire/http.js";
import { Presence } from "../tidewire/presence.js";
import { pageSocket } from "../tidewire/page.js";
import { NotSent } from "../tidewire/socket.js";
import { showStatus } from "../tidewire/status.js";
import { MessageActions } from "./message_actions.js";
import { Outbox } from "./outbox.js";
import { PhotoSender, photoProblem, renderPhotos } from "./photos.js";
import { TypingSender, TypingWatcher, advance, statusFor } from "./receipts.js";
import { isSystemLine, systemLineElement } from "./system_line.js";
import { relativeTime } from "./time.js";

const MAX_BODY = 5000;
const RETRY_RATE_LIMITED_MS = 3000;
// The database did not answer (PostgreSQL restarting): the message stays waiting
// and is sent again with its client_id, which the server stores once.
const RETRY_UNAVAILABLE_MS = 2000;
const STATUS_TEXT = {
  waiting: "waiting",
  sending: "sending…",
  sent: "✓ sent",
  delivered: "✓✓ delivered",
  read: "✓✓ read",
  failed: "not sent",
};
const LISTING_LOOK = {
  available: ["Available", "text-bg-success"],
  reserved: ["Reserved", "text-bg-warning"],
  sold: ["Sold", "text-bg-secondary"],
};

const $ = (id) => document.getElementById(id);
const page = JSON.parse($("chat-page").textContent);
const me = page.me;
const other = page.other;
const conversationId = page.conversation.id;

// Messages shown, by id once stored; pending ones by client_id.
const byId = new Map();
const byClientId = new Map();
let receipts = page.receipts[String(other.id)] || { delivered_up_to: 0, read_up_to: 0 };
let oldestId = null;
let sending = false;

const outbox = new Outbox(conversationId, localStorage, () => crypto.randomUUID());
const socket = pageSocket();
const channel = socket.channel(page.topic);
const listingChannel = socket.channel(page.listing_topic);
const actions = new MessageActions({
  conversationId,
  me: me.id,
  windowMinutes: page.edit_minutes,
  api,
  showError: (text) => ($("send-error").textContent = text),
});

function time(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function messageElement(message, status) {
  if (isSystemLine(message)) return systemLineElement(message, time);
  const own = message.sender === me.id;
  const element = document.createElement("div");
  element.className = `chat-message${own ? " own" : ""}`;
  element.dataset.clientId = message.client_id;
  const body = document.createElement("div");
  body.className = "chat-body";
  body.dir = "auto";
  body.textContent = message.body; // text, never markup
  const meta = document.createElement("div");
  meta.className = "chat-meta";
  const when = document.createElement("span");
  when.className = "chat-time";
  when.textContent = time(message.created_at);
  meta.append(when);
  if (own) {
    const tick = document.createElement("span");
    tick.className = "chat-status ms-2";
    meta.append(tick);
  }
  element.append(body, meta);
  setStatus(element, status);
  return element;
}

function setStatus(element, status) {
  const tick = element.querySelector(".chat-status");
  if (!tick) return;
  const next = status === "failed" ? "failed" : advance(tick.dataset.status, status);
  tick.dataset.status = next;
  tick.textContent = STATUS_TEXT[next];
}

function scrollToEnd() {
  const box = $("messages");
  box.scrollTop = box.scrollHeight;
}

function updateEmpty() {
  $("empty").hidden = $("history").children.length > 0;
}

/** Show a stored message (from the page, REST, an ack or an event) exactly once. */
function showStored(message, { prepend = false } = {}) {
  if (byId.has(message.id)) {
    const shown = byId.get(message.id);
    // Read again after a reset: the server's state may be an edit or a delete missed
    // (a tombstone never comes back to life).
    if (shown.dataset.deleted !== "true") {
      actions.render(shown, message);
      renderPhotos(shown, message);
    }
    return shown;
  }
  let element = byClientId.get(message.client_id);
  const own = message.sender === me.id;
  const status = own ? advance(message.status, statusFor(message.id, receipts)) : message.status;
  if (element && own) {
    byClientId.delete(message.client_id);
    element.querySelector(".chat-time").textContent = time(message.created_at);
    setStatus(element, status);
  } else {
    element = messageElement(message, status);
    if (prepend) $("history").prepend(element);
    else insertInOrder(element, message.id);
  }
  element.dataset.id = String(message.id);
  byId.set(message.id, element);
  actions.render(element, message);
  renderPhotos(element, message);
  if (oldestId === null || message.id < oldestId) oldestId = message.id;
  updateEmpty();
  return element;
}

// Stored messages in id order; pending ones (no id yet) stay after them.
function insertInOrder(element, id) {
  const history = $("history");
  const later = [...history.children].find((child) => child.dataset.id && Number(child.dataset.id) > id);
  const firstPending = [...history.children].find((child) => !child.dataset.id);
  history.insertBefore(element, later || firstPending || null);
}

const photoSender = new PhotoSender({
  url: `/api/conversations/${conversationId}/messages/`,
  newId: () => crypto.randomUUID(),
  csrfToken: () => document.cookie.match(/(?:^|; )csrftoken=([^;]*)/)?.[1] || "",
  onPending: (item) => {
    showPending(item);
    return byClientId.get(item.client_id);
  },
  onStored: (message) => showStored(message),
  onError: (text) => ($("send-error").textContent = text),
});

function showPending(item) {
  const message = { ...item, sender: me.id, id: null };
  const element = messageElement(message, socket.status === "connected" ? "sending" : "waiting");
  byClientId.set(item.client_id, element);
  $("history").append(element);
  updateEmpty();
  scrollToEnd();
}

/** Send what waits, oldest first, one at a time (the order they were written in). */
async function flush() {
  if (sending) return;
  sending = true;
  try {
    for (const item of outbox.list()) {
      const element = byClientId.get(item.client_id);
      if (socket.status !== "connected") {
        if (element) setStatus(element, "waiting");
        return;
      }
      if (element) setStatus(element, "sending");
      try {
        const ack = await channel.push("message", { body: item.body, client_id: item.client_id });
        outbox.remove(item.client_id);
        showStored(ack.message);
        $("send-error").textContent = "";
      } catch (error) {
        if (error instanceof NotSent) {
          if (element) setStatus(element, "waiting");
          return; // sent again when the socket is back (the server keeps it once)
        }
        if (error.code === "rate_limited") {
          $("send-error").textContent = "Sending too fast: the rest go out in a moment.";
          setTimeout(flush, RETRY_RATE_LIMITED_MS);
          return;
        }
        if (error.code === "database_unavailable") {
          if (element) setStatus(element, "waiting");
          $("send-error").textContent = "The server cannot store messages just now: they go out by themselves.";
          setTimeout(flush, RETRY_UNAVAILABLE_MS);
          return;
        }
        outbox.remove(item.client_id); // refused for good: say why
        if (element) setStatus(element, "failed");
        $("send-error").textContent = error.message;
      }
    }
  } finally {
    sending = false;
  }
}

const typing = new TypingSender((value) => {
  channel.push("typing", { typing: value }).catch(() => {}); // best effort, never queued
});
const typingWatcher = new TypingWatcher((shown) => {
  $("typing").textContent = shown ? `${other.username} is typing…` : "";
  $("typing").hidden = !shown;
});

function send() {
  const body = $("body").value.trim();
  const files = [...$("photos").files];
  if (files.length) {
    const problem = photoProblem(files, page.photo_max_bytes);
    $("send-error").textContent = problem;
    if (problem || body.length > MAX_BODY) return;
    $("body").value = "";
    $("photos").value = "";
    $("photos-chosen").textContent = "";
    typing.stop();
    photoSender.send(body, files);
    return;
  }
  if (!body) return;
  if (body.length > MAX_BODY) {
    $("send-error").textContent = `A message holds at most ${MAX_BODY} characters (this one has ${body.length}).`;
    return;
  }
  $("send-error").textContent = "";
  $("body").value = "";
  typing.stop();
  showPending(outbox.add(body));
  flush();
}

// Read what is on screen when the page is looked at; otherwise it only reached this device.
let acknowledged = { delivered: 0, read: 0 };
function acknowledge() {
  const latest = Math.max(0, ...[...byId.entries()].filter(([, el]) => !el.classList.contains("own")).map(([id]) => id));
  if (!latest || socket.status !== "connected") return;
  const kind = document.visibilityState === "visible" ? "read" : "delivered";
  if (acknowledged[kind] >= latest) return;
  acknowledged[kind] = latest;
  if (kind === "read") acknowledged.delivered = Math.max(acknowledged.delivered, latest);
  channel.push(kind, { up_to: latest }).catch(() => (acknowledged = { delivered: 0, read: 0 }));
}

function onReceipt(event) {
  if (event.user !== other.id) return; // my own markers, from my other tabs
  receipts = event;
  for (const [id, element] of byId) {
    if (element.classList.contains("own")) setStatus(element, statusFor(id, receipts));
  }
}

function showListing(listing) {
  $("listing-title").textContent = listing.title;
  $("listing-price").textContent = listing.price;
  const [label, style] = LISTING_LOOK[listing.status] || [listing.status, "text-bg-light"];
  $("listing-status").textContent = label;
  $("listing-status").className = `badge ${style}`;
  $("listing-card").dataset.status = listing.status;
  $("sold-notice").hidden = listing.status !== "sold";
}

let online = false;
let lastSeen = other.last_seen_at;
function showPresence() {
  const element = $("presence");
  element.dataset.online = String(online);
  element.textContent = online ? "online now" : lastSeen ? `last seen ${relativeTime(lastSeen)}` : "offline";
}

async function loadEarlier() {
  const { data } = await api("GET", `/api/conversations/${conversationId}/messages/?before=${oldestId}`);
  const box = $("messages");
  const fromBottom = box.scrollHeight - box.scrollTop;
  for (const message of data.results) showStored(message, { prepend: true });
  $("load-earlier").hidden = !data.next;
  box.scrollTop = box.scrollHeight - fromBottom;
}

async function refetch() {
  // The store no longer holds everything missed (a reset): read the newest page again.
  const { data } = await api("GET", `/api/conversations/${conversationId}/messages/`);
  for (const message of data.results.reverse()) showStored(message);
  scrollToEnd();
}

// Wiring ---------------------------------------------------------------------

showStatus(socket, $("status"));
new BlockToggle({
  button: $("block-toggle"),
  notice: $("block-notice"),
  other,
  blocked: page.blocked_by_me,
  api,
  showError: (text) => ($("send-error").textContent = text),
});
showListing(page.conversation.listing);
for (const message of [...page.messages].reverse()) showStored(message);
$("load-earlier").hidden = !page.more;
for (const item of outbox.list()) showPending(item);
showPresence();
updateEmpty();
scrollToEnd();

channel.offset = page.offset;
listingChannel.offset = page.listing_offset;
channel.on("message", (event) => {
  const element = showStored(event.message);
  if (element.classList.contains("own") === false) {
    typingWatcher.receive(false); // a message ends the typing that led to it
    acknowledge();
  }
  scrollToEnd();
});
channel.on("message_updated", (event) => {
  const element = byId.get(event.message.id);
  if (!element) return;
  actions.render(element, event.message); // an edit or a delete, live or replayed
  renderPhotos(element, event.message);
});
channel.on("receipt", onReceipt);
channel.onSignal("typing", (event) => {
  if (event.user === other.id) typingWatcher.receive(event.typing);
});
new Presence(channel).onChange(({ state, leaves }) => {
  online = String(other.id) in state;
  if (String(other.id) in leaves) {
    lastSeen = new Date().toISOString();
    typingWatcher.receive(false);
  }
  showPresence();
});
channel.onJoin(({ reset }) => {
  document.body.dataset.synced = "true"; // live from here on (tests wait for it too)
  const after = reset ? refetch() : Promise.resolve();
  after
    .catch((error) => console.warn("refetch failed", error))
    .then(() => {
      acknowledge();
      flush();
    });
});
listingChannel.on("listing_updated", (event) => showListing(event.listing));
socket.onStatus((status) => {
  if (status !== "connected") {
    for (const item of outbox.list()) {
      const element = byClientId.get(item.client_id);
      if (element) setStatus(element, "waiting");
    }
  }
});

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  send();
});
$("body").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    send();
  }
});
$("body").addEventListener("input", () => {
  if ($("body").value.trim()) typing.keystroke();
  else typing.stop();
});
$("photos").addEventListener("change", () => {
  const count = $("photos").files.length;
  $("photos-chosen").textContent = count ? `${count} photo${count > 1 ? "s" : ""} to send` : "";
  $("send-error").textContent = photoProblem([...$("photos").files], page.photo_max_bytes);
});
$("load-earlier").addEventListener("click", () => loadEarlier().catch((error) => ($("send-error").textContent = error.message)));
document.addEventListener("visibilitychange", acknowledge);
window.addEventListener("pagehide", () => typing.stop());
setInterval(showPresence, 30000); // "last seen 2 minutes ago" keeps counting

