import assert from "node:assert/strict";
import { test } from "node:test";

import { ListingStore, matcher } from "../../static/listings/store.js";

const at = (second) => `2026-01-13T10:00:${String(second).padStart(2, "0")}Z`;
const listing = (id, { title = `Thing ${id}`, status = "available", updated = 0, created = id } = {}) => ({
  id,
  title,
  description: "",
  price: "1.00",
  status,
  seller: { id: 1, username: "sam" },
  created_at: at(created),
  updated_at: at(updated),
});

test("listings are newest first, then by id", () => {
  const store = new ListingStore([listing(1), listing(3), listing(2, { created: 3 })]);
  assert.deepEqual(store.list().map((l) => l.id), [3, 2, 1]);
  assert.equal(store.nextAfter(3), 2);
  assert.equal(store.nextAfter(1), null);
});

test("a new listing shows; a deleted one hides and stays deleted", () => {
  const store = new ListingStore([listing(1)]);
  assert.deepEqual(store.apply("listing_created", listing(2)), { show: listing(2) });
  assert.deepEqual(store.apply("listing_deleted", listing(1)), { hide: 1 });
  assert.equal(store.apply("listing_updated", listing(1, { updated: 9 })), null);
  assert.equal(store.get(1), null);
});

test("an older state arriving late never rolls a listing back", () => {
  const store = new ListingStore([listing(1, { updated: 5, status: "sold" })]);
  assert.equal(store.apply("listing_updated", listing(1, { updated: 4, status: "reserved" })), null);
  assert.equal(store.get(1).status, "sold");
});

test("the same state again changes nothing (a write's event after its answer)", () => {
  const store = new ListingStore([listing(1)]);
  assert.ok(store.apply("listing_updated", listing(1, { updated: 2, status: "sold" })).show);
  assert.equal(store.apply("listing_updated", listing(1, { updated: 2, status: "sold" })), null);
});

test("a listing that stops matching the filters hides, and shows when it matches again", () => {
  const store = new ListingStore([listing(1)], matcher({ status: "available" }));
  assert.deepEqual(store.apply("listing_updated", listing(1, { status: "sold", updated: 1 })), { hide: 1 });
  assert.equal(store.apply("listing_updated", listing(1, { status: "sold", updated: 2 })), null);
  assert.equal(store.apply("listing_created", listing(2, { status: "reserved" })), null);
  assert.ok(store.apply("listing_updated", listing(1, { updated: 3 })).show);
});

test("search matches title or description, ignoring case", () => {
  const matches = matcher({ search: " think " });
  assert.ok(matches({ ...listing(1), title: "ThinkPad" }));
  assert.ok(matches({ ...listing(1), description: "a THINKPAD" }));
  assert.ok(!matches(listing(1)));
});

test("a refetched list keeps newer states and deletions seen meanwhile", () => {
  const store = new ListingStore([listing(1), listing(2)]);
  store.apply("listing_updated", listing(1, { updated: 7, title: "Live" }));
  store.apply("listing_deleted", listing(2));
  store.replaceAll([listing(1, { updated: 6, title: "Fetched" }), listing(2), listing(3)]);
  assert.equal(store.get(1).title, "Live");
  assert.deepEqual(store.list().map((l) => l.id), [3, 1]);
});
