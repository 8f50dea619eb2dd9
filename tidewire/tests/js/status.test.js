import assert from "node:assert/strict";
import { test } from "node:test";

import { showStatus } from "../../static/tidewire/status.js";

function fakeSocket() {
  const listeners = new Set();
  return {
    status: "connecting",
    onStatus(callback) {
      listeners.add(callback);
      callback(this.status);
    },
    set(status) {
      this.status = status;
      for (const callback of listeners) callback(status);
    },
  };
}

test("the badge follows the socket, with a page's own words where it gives them", () => {
  const socket = fakeSocket();
  const badge = { textContent: "", dataset: {}, className: "" };
  showStatus(socket, badge, { connected: "Live" });
  assert.equal(badge.textContent, "Connecting…");
  socket.set("connected");
  assert.deepEqual([badge.textContent, badge.dataset.status, badge.className], ["Live", "connected", "badge text-bg-success"]);
  socket.set("offline");
  assert.equal(badge.textContent, "Offline");
  const plain = { textContent: "", dataset: {}, className: "" };
  showStatus(socket, plain);
  assert.equal(plain.textContent, "Offline");
});
