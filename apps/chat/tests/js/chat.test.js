import assert from "node:assert/strict";
import { test } from "node:test";

import { Outbox } from "../../static/chat/outbox.js";
import {
  TypingSender,
  TypingWatcher,
  advance,
  statusFor,
} from "../../static/chat/receipts.js";
import { relativeTime } from "../../static/chat/time.js";

class MemoryStorage {
  constructor() {
    this.items = new Map();
  }
  getItem(key) {
    return this.items.has(key) ? this.items.get(key) : null;
  }
  setItem(key, value) {
    this.items.set(key, String(value));
  }
  removeItem(key) {
    this.items.delete(key);
  }
}

class FakeClock {
  constructor() {
    this.time = 0;
    this.timers = new Map();
    this.next = 1;
  }
  now() {
    return this.time;
  }
  setTimeout(callback, ms) {
    const id = this.next++;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  }
  clearTimeout(id) {
    this.timers.delete(id);
  }
  advance(ms) {
    this.time += ms;
    for (const [id, timer] of [...this.timers]) {
      if (timer.at <= this.time) {
        this.timers.delete(id);
        timer.callback();
      }
    }
  }
}

test("the outbox keeps messages in order across instances (a reload) until removed", () => {
  const storage = new MemoryStorage();
  let n = 0;
  const first = new Outbox(7, storage, () => `c${++n}`);
  first.add("one");
  first.add("two");
  const reloaded = new Outbox(7, storage, () => "unused");
  assert.deepEqual(
    reloaded.list().map((m) => [m.client_id, m.body]),
    [
      ["c1", "one"],
      ["c2", "two"],
    ],
  );
  reloaded.remove("c1");
  assert.deepEqual(first.list().map((m) => m.client_id), ["c2"]);
  assert.deepEqual(new Outbox(8, storage, () => "x").list(), [], "per conversation");
  reloaded.remove("c2");
  assert.equal(storage.items.size, 0);
  storage.setItem("tidewire.chat.outbox.7", "{not json");
  assert.deepEqual(first.list(), []);
});

test("a status never goes backwards; waiting and sending swap", () => {
  assert.equal(advance("read", "delivered"), "read");
  assert.equal(advance("sent", "delivered"), "delivered");
  assert.equal(advance("delivered", "sent"), "delivered");
  assert.equal(advance("sending", "waiting"), "waiting");
  assert.equal(advance("waiting", "sending"), "sending");
  assert.equal(advance("waiting", "read"), "read");
  assert.equal(advance(undefined, "sent"), "sent");
  const markers = { delivered_up_to: 10, read_up_to: 5 };
  assert.deepEqual([4, 5, 6, 10, 11].map((id) => statusFor(id, markers)), [
    "read",
    "read",
    "delivered",
    "delivered",
    "sent",
  ]);
});

test("typing: true at most every 3 s, false after 5 s idle or on stop, once", () => {
  const clock = new FakeClock();
  const sent = [];
  const typing = new TypingSender((value) => sent.push([clock.time, value]), clock);
  typing.keystroke();
  clock.advance(1000);
  typing.keystroke();
  clock.advance(2000);
  typing.keystroke(); // 3 s after the first: said again
  assert.deepEqual(sent, [
    [0, true],
    [3000, true],
  ]);
  clock.advance(5000);
  assert.deepEqual(sent.at(-1), [8000, false]);
  typing.stop(); // nothing more to say
  assert.equal(sent.length, 3);
  typing.keystroke();
  typing.stop(); // sent a message
  assert.deepEqual(sent.slice(3), [
    [8000, true],
    [8000, false],
  ]);
});

test("a typing indicator not refreshed within 8 s is dropped", () => {
  const clock = new FakeClock();
  const shown = [];
  const watcher = new TypingWatcher((value) => shown.push([clock.time, value]), clock);
  watcher.receive(true);
  clock.advance(3000);
  watcher.receive(true); // refreshed
  clock.advance(7000);
  assert.deepEqual(shown, [[0, true]]);
  clock.advance(1000);
  assert.deepEqual(shown, [
    [0, true],
    [11000, false],
  ]);
  watcher.receive(true);
  watcher.receive(false);
  assert.deepEqual(shown.slice(2), [
    [11000, true],
    [11000, false],
  ]);
});

test("relative times", () => {
  const now = Date.parse("2026-11-22T12:00:00Z");
  assert.equal(relativeTime("2026-11-22T11:59:50Z", now), "just now");
  assert.equal(relativeTime("2026-11-22T11:58:00Z", now), "2 minutes ago");
  assert.equal(relativeTime("2026-11-22T11:00:00Z", now), "1 hour ago");
  assert.equal(relativeTime("2026-11-20T12:00:00Z", now), "2 days ago");
  assert.equal(relativeTime("2026-11-22T12:00:30Z", now), "just now", "clock skew");
});
