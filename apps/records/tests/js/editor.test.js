import assert from "node:assert/strict";
import { test } from "node:test";

import { FieldEditor } from "../../static/records/editor.js";
import { RecordStore } from "../../static/records/store.js";

const record = (version, first_name, last_name = "L") => ({ id: 1, first_name, last_name, version });

function server(initial) {
  // A stand-in for PATCH /api/users/1/ with If-Match, holding the record's true state.
  const state = { record: initial, calls: [] };
  state.patch = async (id, body, ifMatch) => {
    state.calls.push({ body, ifMatch });
    if (ifMatch !== state.record.version) {
      throw { status: 412, body: { current: state.record } };
    }
    state.record = { ...state.record, ...body, version: state.record.version + 1 };
    return state.record;
  };
  return state;
}

function editorFor(srv, store, on = {}) {
  return new FieldEditor({ field: "first_name", store, patch: srv.patch, debounceMs: 1, on });
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

test("typing saves once after the pause, with the version the edit began from", async () => {
  const srv = server(record(1, "Ada"));
  const store = new RecordStore([srv.record]);
  const editor = editorFor(srv, store);
  editor.input(1, "A");
  editor.input(1, "Au");
  assert.equal(editor.busy, true);
  await tick();
  assert.deepEqual(srv.calls, [{ body: { first_name: "Au" }, ifMatch: 1 }]);
  assert.equal(store.get(1).version, 2);
  assert.equal(editor.busy, false);
});

test("a change to the other field meanwhile is merged: the edit is resent on the new version", async () => {
  const srv = server(record(1, "Ada"));
  const store = new RecordStore([srv.record]);
  const editor = editorFor(srv, store);
  editor.input(1, "Augusta");
  srv.record = record(2, "Ada", "King"); // window 2 changed the last name
  await tick();
  await tick();
  assert.equal(srv.calls.length, 2);
  assert.equal(srv.record.first_name, "Augusta");
  assert.equal(srv.record.last_name, "King");
});

test("a change to the same field meanwhile is a conflict left to the user", async () => {
  const srv = server(record(1, "Ada"));
  const store = new RecordStore([srv.record]);
  const conflicts = [];
  const editor = editorFor(srv, store, { conflict: (c) => conflicts.push(c) });
  editor.input(1, "Mine");
  srv.record = record(2, "Theirs");
  await tick();
  assert.deepEqual(conflicts, [{ id: 1, mine: "Mine", theirs: "Theirs" }]);
  assert.equal(srv.record.first_name, "Theirs"); // nothing overwritten silently
  await editor.keepMine(1, "Mine");
  assert.equal(srv.record.first_name, "Mine");
  assert.deepEqual(srv.calls.at(-1), { body: { first_name: "Mine" }, ifMatch: 2 });
});

test("typing during a save sends one more save with the newest text", async () => {
  const srv = server(record(1, "Ada"));
  const store = new RecordStore([srv.record]);
  let release;
  const slow = srv.patch;
  srv.patch = (...args) => new Promise((resolve) => (release = () => resolve(slow(...args))));
  const editor = new FieldEditor({ field: "first_name", store, patch: srv.patch, debounceMs: 1 });
  editor.input(1, "B");
  await tick(); // first PATCH is out
  editor.input(1, "Bo");
  await tick();
  editor.input(1, "Bob");
  await tick(); // debounce fired while in flight
  release();
  await tick();
  release();
  await tick();
  assert.deepEqual(
    srv.calls.map((c) => [c.body.first_name, c.ifMatch]),
    [
      ["B", 1],
      ["Bob", 2],
    ],
  );
});

test("its own save echoed back by the socket is recognised", async () => {
  const srv = server(record(1, "Ada"));
  const store = new RecordStore([srv.record]);
  let seenWhileInFlight = null;
  const slow = srv.patch;
  const editor = new FieldEditor({
    field: "first_name",
    store,
    debounceMs: 1,
    patch: async (...args) => {
      seenWhileInFlight = editor.isOwnEcho("Zed");
      return slow(...args);
    },
  });
  editor.input(1, "Zed");
  await tick();
  assert.equal(seenWhileInFlight, true);
  assert.equal(editor.isOwnEcho("Zed"), false);
});
