import assert from "node:assert/strict";
import { test } from "node:test";

import { BellState } from "../../static/notifications/state.js";

const note = (id, read = false) => ({ id, kind: "chat_message", message: `n${id}`, read });

test("the count is the server's, whatever order of tabs and replays", () => {
  const state = new BellState({ unread: 2, items: [note(1), note(2)] });
  assert.equal(state.apply({ type: "notification", notification: note(3), unread_count: 3 }), true);
  assert.equal(state.unread, 3);
  // The same event replayed after a reconnect changes nothing.
  assert.equal(state.apply({ type: "notification", notification: note(3), unread_count: 3 }), false);
  state.apply({ type: "notifications_read", ids: [1, 2], unread_count: 1 });
  assert.equal(state.unread, 1);
  assert.deepEqual(state.latest().map((n) => [n.id, n.read]), [
    [3, false],
    [2, true],
    [1, true],
  ]);
  state.apply({ type: "notification_archived", id: 3, unread_count: 0 });
  assert.equal(state.unread, 0);
  assert.deepEqual(state.latest().map((n) => n.id), [2, 1]);
  assert.equal(state.apply({ type: "something_else" }), false);
});

test("latest keeps the newest few; the watermark is the newest id", () => {
  const state = new BellState({ items: [1, 2, 3, 4].map((id) => note(id)), limit: 2 });
  assert.deepEqual(state.latest().map((n) => n.id), [4, 3]);
  assert.equal(state.newestId(), 4);
  assert.equal(new BellState().newestId(), null);
});
