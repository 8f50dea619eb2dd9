// A sync window (seed 000): edit one name, watch the other change live.

import { api } from "../tidewire/http.js";
import { Socket } from "../tidewire/socket.js";
import { showStatus } from "../tidewire/status.js";
import { RecordStore } from "./store.js";

const TOPIC = "records.users";
// Edits go out 250 ms after the last keystroke: live enough to watch, without a
// PATCH per key.
const DEBOUNCE_MS = 250;

const $ = (id) => document.getElementById(id);
const editable = JSON.parse($("editable-field").textContent);
const canEdit = JSON.parse($("can-edit").textContent);
const store = new RecordStore(JSON.parse($("initial-records").textContent));
const picker = $("picker");
const inputs = { first_name: $("first_name"), last_name: $("last_name") };
const editor = inputs[editable];

let selectedId = Number(new URLSearchParams(location.search).get("record")) || null;
let pendingTimer = null;
let inFlight = 0;

function label(record) {
  return `#${record.id} ${record.first_name} ${record.last_name}`.trim();
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
  for (const [field, input] of Object.entries(inputs)) {
    const value = record ? record[field] : "";
    // Never overwrite what the user is typing in this window.
    if (input === editor && (pendingTimer || inFlight) ) continue;
    if (input.value !== value) {
      input.value = value;
      if (flash) {
        input.classList.remove("field-flash");
        void input.offsetWidth;
        input.classList.add("field-flash");
      }
    }
  }
}

function render(options) {
  renderPicker();
  renderRecord(options);
}

async function refetch() {
  const { data } = await api("GET", "/api/users/");
  store.replaceAll(data);
  render();
}

async function save() {
  pendingTimer = null;
  const id = selectedId;
  const value = editor.value;
  inFlight += 1;
  $("save-state").textContent = "Saving…";
  try {
    const { data } = await api("PATCH", `/api/users/${id}/`, { [editable]: value });
    store.apply({ action: "update", user: data });
    $("field-error").textContent = "";
    $("save-state").textContent = "Saved";
  } catch (error) {
    $("field-error").textContent = error.message;
    $("save-state").textContent = "";
  } finally {
    inFlight -= 1;
    if (id === selectedId) renderPicker();
  }
}

editor.addEventListener("input", () => {
  if (!canEdit) return;
  clearTimeout(pendingTimer);
  pendingTimer = setTimeout(save, DEBOUNCE_MS);
});

picker.addEventListener("change", () => {
  if (pendingTimer) {
    clearTimeout(pendingTimer);
    save();
  }
  selectedId = Number(picker.value);
  history.replaceState(null, "", `?record=${selectedId}`);
  renderRecord();
});

$("create-form")?.addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const { data } = await api("POST", "/api/users/", {
      first_name: $("new_first_name").value,
      last_name: $("new_last_name").value,
    });
    store.apply({ action: "create", user: data });
    selectedId = data.id;
    $("create-form").reset();
    $("create-error").textContent = "";
    render();
  } catch (error) {
    $("create-error").textContent = error.message;
  }
});

const socket = new Socket("/ws/");
showStatus(socket, $("status"));
const channel = socket.channel(TOPIC);
channel.on("user_update", (event) => {
  const changed = store.apply(event.data);
  if (!changed) return;
  renderPicker();
  if (changed.id === selectedId) renderRecord({ flash: true });
});
// After every (re)join the server replays what was missed; a first join or a reset
// means the window's copy may be stale, so fetch it fresh.
channel.onJoin(({ reset }) => {
  if (reset) refetch().catch((error) => console.warn("refetch failed", error));
});
render();
socket.connect();
