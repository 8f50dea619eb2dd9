import assert from "node:assert/strict";
import { test } from "node:test";

import { exponentialBackoff } from "../../static/tidewire/backoff.js";

test("delays grow exponentially up to the cap", () => {
  const top = exponentialBackoff({ baseMs: 100, maxMs: 1000, random: () => 1 });
  assert.deepEqual([1, 2, 3, 4, 5, 9].map(top), [100, 200, 400, 800, 1000, 1000]);
});

test("jitter keeps each delay between half and all of its ceiling", () => {
  const low = exponentialBackoff({ baseMs: 100, maxMs: 1000, random: () => 0 });
  assert.deepEqual([1, 2, 3].map(low), [50, 100, 200]);
});
