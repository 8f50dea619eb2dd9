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

test("a record created while a list fetch is out survives the older list", () => {
  const store = new RecordStore([ada(1)]);
  store.beginRefresh();
  const created = { id: 2, first_name: "New", last_name: "P", version: 1 };
  store.apply({ action: "create", user: created }); // learned while the fetch is out
  store.replaceAll([ada(1)]); // the list as it was when the server read it
  assert.deepEqual(store.list().map((r) => r.id), [1, 2]);
});

test("a record deleted while a list fetch is out stays deleted", () => {
  const store = new RecordStore([ada(1)]);
  store.beginRefresh();
  store.apply({ action: "delete", user: ada(2) });
  store.replaceAll([ada(1)]);
  assert.deepEqual(store.list(), []);
});

test("a record missing from a fresh list and untouched meanwhile is dropped", () => {
  const other = { id: 2, first_name: "Gone", last_name: "P", version: 1 };
  const store = new RecordStore([ada(1), other]);
  store.beginRefresh();
  store.replaceAll([ada(1)]); // deleted while the window was away and trimmed
  assert.deepEqual(store.list().map((r) => r.id), [1]);
});
