// The preferences table of /notifications/: each kind on each channel it uses,
// on or off; essential kinds are shown on and cannot be turned off.

import { api } from "../tidewire/http.js";

const $ = (id) => document.getElementById(id);
const CHANNELS = ["in_app", "email"];

function cell(preference, channel) {
  const td = document.createElement("td");
  if (!(channel in preference.channels)) {
    td.textContent = "—";
    td.title = "Not sent this way";
    return td;
  }
  const box = document.createElement("input");
  box.type = "checkbox";
  box.className = "form-check-input";
  box.checked = preference.channels[channel];
  box.disabled = preference.essential;
  box.dataset.kind = preference.kind;
  box.dataset.channel = channel;
  box.setAttribute("aria-label", `${preference.label}: ${channel === "email" ? "by email" : "in the app"}`);
  if (preference.essential) box.title = "Always sent: it cannot be turned off";
  box.addEventListener("change", async () => {
    try {
      const { data } = await api("POST", "/api/notifications/preferences/", {
        kind: preference.kind,
        channel,
        enabled: box.checked,
      });
      render(data);
      $("preferences-error").textContent = "";
    } catch (error) {
      box.checked = !box.checked;
      $("preferences-error").textContent = error.message;
    }
  });
  td.append(box);
  return td;
}

function render(preferences) {
  $("preferences").replaceChildren(
    ...preferences.map((preference) => {
      const row = document.createElement("tr");
      const label = document.createElement("th");
      label.scope = "row";
      label.textContent = preference.essential ? `${preference.label} (always sent)` : preference.label;
      row.append(label, ...CHANNELS.map((channel) => cell(preference, channel)));
      return row;
    }),
  );
}

api("GET", "/api/notifications/preferences/")
  .then(({ data }) => render(data))
  .catch((error) => ($("preferences-error").textContent = error.message));
