// A sync window (seed 000): edit one name, watch the other change live.

import { bdi, isolate } from "../tidewire/bidi.js";
import { api } from "../tidewire/http.js";
import { pageSocket } from "../tidewire/page.js";
import { showStatus } from "../tidewire/status.js";
import { FieldEditor } from "./editor.js";
import { RecordStore } from "./store.js";

const TOPIC = "records.users";
// Edits go out 250 ms after the last keystroke: live enough to watch, without a
// PATCH per key.
const DEBOUNCE_MS = 250;
// How long "changed in another window" stays up.
const NOTICE_MS = 4000;

const $ = (id) => document.getElementById(id);
const data = (id) => JSON.parse($(id).textContent);
const editable = data("editable-field");
const canEdit = data("can-edit");
const store = new RecordStore(data("initial-records"));
const picker = $("picker");
const inputs = { first_name: $("first_name"), last_name: $("last_name") };
const input = inputs[editable];
const LABELS = { first_name: "first name", last_name: "last name" };

let selectedId = Number(new URLSearchParams(location.search).get("record")) || null;
let noticeTimer = null;

const editor = new FieldEditor({
  field: editable,
  store,
  debounceMs: DEBOUNCE_MS,
  patch: async (id, body, version) =>
    (await api("PATCH", `/api/users/${id}/`, body, { "If-Match": `"${version}"` })).data,
  on: {
    saving: () => ($("save-state").textContent = "Saving…"),
    saved: () => {
      $("field-error").textContent = "";
      $("save-state").textContent = "Saved";
      renderPicker();
    },
    error: (error) => {
      $("field-error").textContent = error.message;
      $("save-state").textContent = "";
    },
    conflict: showConflict,
  },
});

// The name isolated: a right-to-left name keeps "#12" where it is.
function label(record) {
  return `#${record.id} ${isolate(`${record.first_name} ${record.last_name}`.trim())}`;
}

function renderPicker() {
  const records = store.list();
  if (!records.some((r) => r.id === selectedId)) selectedId = records.length ? records[0].id : null;
  picker.replaceChildren(
    ...records.map((record) => {
      const option = document.createElement("option");
      option.value = String(record.id);
      option.textContent = label(record);
      option.selected = record.id === selectedId;
      return option;
    }),
  );
  $("empty").hidden = records.length > 0;
  $("record-form").hidden = records.length === 0;
}

function renderRecord({ flash = false } = {}) {
  const record = store.get(selectedId);
  for (const [field, element] of Object.entries(inputs)) {
    const value = record ? record[field] : "";
    // Never overwrite what the user is typing in this window.
    if (element === input && (editor.busy || !$("conflict").hidden)) continue;
    if (element.value !== value) {
      element.value = value;
      if (flash) {
        element.classList.remove("field-flash");
        void element.offsetWidth; // restart the animation
        element.classList.add("field-flash");
      }
    }
  }
}

function render(options) {
  renderPicker();
  renderRecord(options);
}

function showNotice(text) {
  $("remote-notice").textContent = text;
  $("remote-notice").hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => ($("remote-notice").hidden = true), NOTICE_MS);
}

function showConflict({ theirs }) {
  $("conflict-text").replaceChildren(
    `Another window changed the ${LABELS[editable]} to “`,
    bdi(theirs),
    "” while you were typing. Your text is kept here, not saved.",
  );
  $("conflict").hidden = false;
  $("save-state").textContent = "";
}

function hideConflict() {
  $("conflict").hidden = true;
}

async function refetch() {
  store.beginRefresh();
  const { data: records } = await api("GET", "/api/users/");
  store.replaceAll(records);
  render();
}

input.addEventListener("input", () => {
  if (canEdit && selectedId !== null) editor.input(selectedId, input.value);
});

$("keep-mine").addEventListener("click", () => {
  hideConflict();
  editor.keepMine(selectedId, input.value);
});

$("use-theirs").addEventListener("click", () => {
  hideConflict();
  editor.useTheirs();
  renderRecord({ flash: true });
});

picker.addEventListener("change", () => {
  if (editor.busy) editor.flush();
  hideConflict();
  selectedId = Number(picker.value);
  history.replaceState(null, "", `?record=${selectedId}`);
  renderRecord();
});

$("create-form")?.addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const { data: created } = await api("POST", "/api/users/", {
      first_name: $("new_first_name").value,
      last_name: $("new_last_name").value,
    });
    store.apply({ action: "create", user: created });
    selectedId = created.id;
    $("create-form").reset();
    $("create-error").textContent = "";
    render();
  } catch (error) {
    $("create-error").textContent = error.message;
  }
});

function onUserUpdate(event) {
  const { action, user } = event.data;
  const before = store.get(user.id);
  const changed = store.apply(event.data);
  if (!changed) return; // older than what the window shows: an out-of-order delivery
  renderPicker();
  if (user.id !== selectedId) return;
  if (action === "delete") {
    showNotice(`Record #${user.id} was deleted in another window.`);
    renderRecord();
    return;
  }
  const theirs = user[editable];
  const changedHere = before && theirs !== before[editable] && !editor.isOwnEcho(theirs);
  if (changedHere && !editor.busy) showNotice(`The ${LABELS[editable]} was changed in another window.`);
  renderRecord({ flash: true });
}

const socket = pageSocket();
showStatus(socket, $("status"));
const channel = socket.channel(TOPIC);
// Resume from where the page's data was read: the server replays anything since.
channel.offset = data("initial-offset");
channel.on("user_update", onUserUpdate);
channel.onJoin(({ reset }) => {
  document.body.dataset.synced = "true"; // live from here on (tests wait for it too)
  // A reset means the store no longer holds all we missed: read the list afresh.
  if (reset) refetch().catch((error) => console.warn("refetch failed", error));
});
render();
