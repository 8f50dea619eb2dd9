import assert from "node:assert/strict";
import { test } from "node:test";

import { CoalescingScheduler } from "../../static/dashboard/coalesce.js";

/** A clock the test moves by hand; timers fire as it passes them. */
class FakeClock {
  constructor() {
    this.time = 0;
    this.timers = new Map();
    this.nextId = 1;
  }
  now() {
    return this.time;
  }
  setTimeout(callback, ms) {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  }
  clearTimeout(id) {
    this.timers.delete(id);
  }
  async advance(ms) {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at);
      if (!due.length) break;
      const [id, timer] = due[0];
      this.timers.delete(id);
      this.time = timer.at;
      timer.callback();
      await new Promise((resolve) => setImmediate(resolve)); // let the task settle
    }
    this.time = end;
  }
}

function scheduler(task, options = {}) {
  const clock = new FakeClock();
  return { clock, scheduler: new CoalescingScheduler(task, { delayMs: 100, intervalMs: 1000, clock, ...options }) };
}

test("a burst of 500 requests runs the task once", async () => {
  let runs = 0;
  const { clock, scheduler: s } = scheduler(async () => (runs += 1));
  for (let i = 0; i < 500; i++) s.request();
  await clock.advance(99);
  assert.equal(runs, 0);
  await clock.advance(1);
  assert.equal(runs, 1);
  await clock.advance(10_000);
  assert.equal(runs, 1);
});

test("requests spread over a burst run at most once a second", async () => {
  let runs = 0;
  const { clock, scheduler: s } = scheduler(async () => (runs += 1));
  for (let ms = 0; ms < 3000; ms += 10) {
    s.request();
    await clock.advance(10);
  }
  await clock.advance(2000);
  assert.ok(runs >= 3 && runs <= 4, `ran ${runs} times`);
});

test("a request during a run runs once more after it, so nothing is missed", async () => {
  let release;
  const seen = [];
  let state = "old";
  const { clock, scheduler: s } = scheduler(
    () =>
      new Promise((resolve) => {
        seen.push(state);
        release = resolve;
      }),
  );
  s.request();
  await clock.advance(100);
  assert.deepEqual(seen, ["old"]);
  state = "new";
  s.request(); // while running
  s.request();
  release();
  await clock.advance(0);
  await clock.advance(1000);
  assert.deepEqual(seen, ["old", "new"]);
  release();
  await clock.advance(5000);
  assert.equal(seen.length, 2);
});

test("a failed run is reported and tried again later", async () => {
  const errors = [];
  let calls = 0;
  const { clock, scheduler: s } = scheduler(
    async () => {
      calls += 1;
      if (calls === 1) throw new Error("offline");
    },
    { retryMs: 5000, onError: (error) => errors.push(error.message) },
  );
  s.request();
  await clock.advance(100);
  assert.deepEqual(errors, ["offline"]);
  await clock.advance(4999);
  assert.equal(calls, 1);
  await clock.advance(1);
  assert.equal(calls, 2);
  assert.equal(s.runs, 2);
});

test("cancel forgets a waiting run", async () => {
  let runs = 0;
  const { clock, scheduler: s } = scheduler(async () => (runs += 1));
  s.request();
  s.cancel();
  await clock.advance(5000);
  assert.equal(runs, 0);
});
