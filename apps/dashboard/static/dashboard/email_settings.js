// /business/: the owner's choice of reservation emails (one each, or a daily digest),
// saved as soon as it changes (PUT /api/bookings/email-settings/).

import { api } from "../tidewire/http.js";

const form = document.getElementById("email-settings");
const state = document.getElementById("email-settings-state");
let saved = form.elements.delivery.value;

form.addEventListener("change", async () => {
  const delivery = form.elements.delivery.value;
  state.textContent = "Saving…";
  try {
    const { data } = await api("PUT", "/api/bookings/email-settings/", { delivery });
    saved = data.delivery;
    state.textContent = saved === "daily_digest" ? "Saved: one email a day." : "Saved: one email per reservation.";
  } catch {
    form.elements.delivery.value = saved; // what the server still holds
    state.textContent = "Not saved: try again.";
  }
});
