import assert from "node:assert/strict";
import { test } from "node:test";

import { list, Presence, syncDiff, syncState } from "../../static/tidewire/presence.js";

const ann = { name: "ann", since: "2026-11-22T10:00:00Z" };
const bob = { name: "bob", since: "2026-11-22T10:05:00Z" };

test("a state replaces the old one and says who came and went", () => {
  const { state, joins, leaves } = syncState({ 1: ann }, { 2: bob });
  assert.deepEqual(state, { 2: bob });
  assert.deepEqual(joins, { 2: bob });
  assert.deepEqual(leaves, { 1: ann });
});

test("a diff adds and removes, reporting only real changes", () => {
  const first = syncDiff({}, { joins: { 1: ann } });
  assert.deepEqual(first.joins, { 1: ann });
  const again = syncDiff(first.state, { joins: { 1: ann } });
  assert.deepEqual(again.joins, {}); // already there
  const gone = syncDiff(again.state, { leaves: { 1: ann, 3: bob } });
  assert.deepEqual(gone.state, {});
  assert.deepEqual(gone.leaves, { 1: ann }); // 3 was never there
});

test("the inputs are not changed", () => {
  const current = { 1: ann };
  syncDiff(current, { leaves: { 1: ann } });
  syncState(current, {});
  assert.deepEqual(current, { 1: ann });
});

test("list is earliest first", () => {
  assert.deepEqual(
    list({ 2: bob, 1: ann }).map((p) => p.id),
    ["1", "2"],
  );
});

test("Presence follows a channel's presence frames", () => {
  let handler;
  const channel = { onPresence: (callback) => (handler = callback) };
  const presence = new Presence(channel);
  const changes = [];
  presence.onChange((change) => changes.push(change));
  handler({ type: "presence_state", topic: "t", presences: { 1: ann } });
  handler({ type: "presence_diff", topic: "t", joins: { 2: bob }, leaves: {} });
  handler({ type: "presence_diff", topic: "t", joins: {}, leaves: { 1: ann } });
  assert.deepEqual(presence.list().map((p) => p.name), ["bob"]);
  assert.deepEqual(changes.map((c) => Object.keys(c.joins).concat(Object.keys(c.leaves))), [
    ["1"],
    ["2"],
    ["1"],
  ]);
});
