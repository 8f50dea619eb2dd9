import assert from "node:assert/strict";
import { test } from "node:test";

import { Feed } from "../../static/dashboard/feed.js";

const entry = (id, action = "reservation_created") => ({ id, action, message: `entry ${id}` });
const event = (type, message = type) => ({ type, payload: { message }, timestamp: "2026-11-23T10:00:00Z" });
const shown = (feed) => feed.items().map((item) => item.key);

test("live events go on top of the read, newest first", () => {
  const feed = new Feed();
  feed.takeNewest([entry(2), entry(1)], 10, null);
  assert.equal(feed.pushLive(event("business_created"), 11), true);
  assert.equal(feed.pushLive(event("reservation_created"), 12), true);
  assert.deepEqual(shown(feed), ["event-12", "event-11", "entry-2", "entry-1"]);
  assert.equal(feed.items()[0].message, "reservation_created");
});

test("an event at or below the read's offset is in the read already", () => {
  const feed = new Feed();
  feed.takeNewest([entry(5)], 10, null);
  assert.equal(feed.pushLive(event("business_created"), 10), false);
  assert.equal(feed.pushLive(event("business_created"), 11), true);
  assert.equal(feed.pushLive(event("business_created"), 11), false); // replayed twice
  assert.deepEqual(shown(feed), ["event-11", "entry-5"]);
});

test("a later read replaces the live events it holds, and only those", () => {
  const feed = new Feed();
  feed.takeNewest([entry(1)], 1, null);
  feed.pushLive(event("business_created"), 2);
  feed.pushLive(event("business_created"), 3);
  feed.takeNewest([entry(2), entry(1)], 2, null); // read between the two events
  assert.deepEqual(shown(feed), ["event-3", "entry-2", "entry-1"]);
  feed.takeNewest([entry(3), entry(2), entry(1)], 3, null);
  assert.deepEqual(shown(feed), ["entry-3", "entry-2", "entry-1"]);
});

test("it keeps the newest 50 (a ring), live ones included", () => {
  const feed = new Feed();
  const page = Array.from({ length: 50 }, (_, i) => entry(50 - i));
  feed.takeNewest(page, 50, "/next");
  for (let offset = 51; offset <= 60; offset++) feed.pushLive(event("business_created"), offset);
  assert.equal(feed.items().length, 50);
  assert.equal(feed.items()[0].key, "event-60");
  assert.equal(feed.items()[49].key, "entry-11");
  for (let offset = 61; offset <= 200; offset++) feed.pushLive(event("business_created"), offset);
  assert.equal(feed.live.length, 50);
  const newer = Array.from({ length: 50 }, (_, i) => entry(200 - i));
  feed.takeNewest(newer, 200, "/next-2");
  assert.equal(feed.entries.size, 50);
  assert.deepEqual(shown(feed).slice(0, 2), ["entry-200", "entry-199"]);
  assert.equal(feed.next, "/next-2");
});

test("older pages stay below without a gap when newer entries are read", () => {
  const feed = new Feed({ limit: 2 });
  feed.takeNewest([entry(4), entry(3)], 4, "/older-1");
  feed.takeOlder([entry(2), entry(1)], null);
  feed.takeNewest([entry(6), entry(5)], 6, "/ignored"); // two more since
  assert.deepEqual(shown(feed), ["entry-6", "entry-5", "entry-4", "entry-3", "entry-2", "entry-1"]);
  assert.equal(feed.next, null); // the cursor after the last older page, not the read's
});

test("a type filter shows only its events and starts the feed afresh", () => {
  const feed = new Feed();
  feed.takeNewest([entry(1)], 1, null);
  feed.setType("business_created");
  assert.deepEqual(shown(feed), []);
  assert.equal(feed.pushLive(event("reservation_created"), 2), false);
  assert.equal(feed.pushLive(event("business_created"), 3), true);
  feed.takeNewest([entry(3, "business_created")], 3, null);
  assert.deepEqual(shown(feed), ["entry-3"]);
});
