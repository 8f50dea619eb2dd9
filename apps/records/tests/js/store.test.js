import assert from "node:assert/strict";
import { test } from "node:test";

import { RecordStore } from "../../static/records/store.js";

const ada = (version, first_name = "Ada") => ({ id: 1, first_name, last_name: "L", version });

test("a newer version replaces the record", () => {
  const store = new RecordStore([ada(1)]);
  assert.equal(store.apply({ action: "update", user: ada(2, "Augusta") }).first_name, "Augusta");
  assert.equal(store.get(1).first_name, "Augusta");
});

test("an out-of-order older event never rolls the record back", () => {
  const store = new RecordStore([ada(3, "Newest")]);
  assert.equal(store.apply({ action: "update", user: ada(2, "Older") }), null);
  assert.equal(store.get(1).first_name, "Newest");
});

test("a fetched list older than a live event keeps the live one", () => {
  const store = new RecordStore([ada(1)]);
  store.apply({ action: "update", user: ada(4, "Live") });
  store.replaceAll([ada(3, "Fetched")]);
  assert.equal(store.get(1).first_name, "Live");
});

test("a deleted record stays deleted when a late update arrives", () => {
  const store = new RecordStore([ada(1)]);
  store.apply({ action: "delete", user: ada(2) });
  assert.equal(store.apply({ action: "update", user: ada(3) }), null);
  assert.deepEqual(store.list(), []);
});
