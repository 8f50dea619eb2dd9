import assert from "node:assert/strict";
import { test } from "node:test";

import { changeTimeLeft, mayChange } from "../../static/chat/message_actions.js";

const sent = "2026-11-22T10:00:00Z";
const at = (iso) => new Date(iso).getTime();

test("the window is counted from the message's time", () => {
  assert.equal(changeTimeLeft(sent, 15, at("2026-11-22T10:05:00Z")), 10 * 60000);
  assert.equal(changeTimeLeft(sent, 15, at("2026-11-22T10:15:00Z")), 0);
  assert.equal(changeTimeLeft(sent, 15, at("2026-11-22T11:00:00Z")), 0);
});

test("only the sender may change a message, within the window, until it is deleted", () => {
  const message = { sender: 1, created_at: sent, deleted: false };
  const now = at("2026-11-22T10:14:59Z");
  assert.equal(mayChange(message, 1, 15, now), true);
  assert.equal(mayChange(message, 2, 15, now), false);
  assert.equal(mayChange({ ...message, deleted: true }, 1, 15, now), false);
  assert.equal(mayChange(message, 1, 15, at("2026-11-22T10:15:01Z")), false);
});

import { photoProblem } from "../../static/chat/photos.js";

test("photos are checked before upload: count, type, size", () => {
  const photo = (name, type = "image/jpeg", size = 1000) => ({ name, type, size });
  assert.equal(photoProblem([photo("a.jpg"), photo("b.png", "image/png")], 5000), "");
  assert.match(photoProblem(Array.from({ length: 6 }, (_, n) => photo(`${n}.jpg`)), 5000), /At most 5/);
  assert.match(photoProblem([photo("notes.txt", "text/plain")], 5000), /notes.txt is not/);
  assert.match(photoProblem([photo("huge.jpg", "image/jpeg", 20 * 1048576)], 10 * 1048576), /larger than 10 MB/);
});
