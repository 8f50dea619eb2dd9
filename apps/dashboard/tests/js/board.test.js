import assert from "node:assert/strict";
import { test } from "node:test";

import { ReservationBoard } from "../../static/dashboard/board.js";

const NOW = Date.parse("2026-11-25T10:00:00Z");
const reservation = (id, startsAt, status = "pending") => ({
  id,
  business: 1,
  customer_name: `Customer ${id}`,
  starts_at: startsAt,
  status,
});

test("upcoming soonest first, then past latest first", () => {
  const board = new ReservationBoard([
    reservation(1, "2026-11-20T09:00:00Z"),
    reservation(2, "2026-11-28T09:00:00Z"),
    reservation(3, "2026-11-24T09:00:00Z"),
    reservation(4, "2026-11-26T09:00:00Z"),
    reservation(5, "2026-11-25T10:00:00Z"), // now: upcoming
  ]);
  assert.deepEqual(board.list(NOW).map((r) => r.id), [5, 4, 2, 3, 1]);
});

test("created, updated and deleted reservations change the board; repeats do not", () => {
  const board = new ReservationBoard([reservation(1, "2026-11-26T09:00:00Z")]);
  assert.equal(board.apply("reservation_created", reservation(2, "2026-11-27T09:00:00Z")), true);
  assert.equal(board.apply("reservation_created", reservation(2, "2026-11-27T09:00:00Z")), false);
  assert.equal(board.apply("reservation_updated", reservation(1, "2026-11-26T09:00:00Z", "cancelled")), true);
  assert.equal(board.list(NOW)[0].status, "cancelled");
  assert.equal(board.apply("reservation_deleted", reservation(2, "2026-11-27T09:00:00Z")), true);
  assert.equal(board.apply("reservation_deleted", reservation(2, "2026-11-27T09:00:00Z")), false);
  assert.equal(board.apply("business_updated", { id: 1 }), false);
  assert.deepEqual(board.list(NOW).map((r) => r.id), [1]);
});

test("it shows at most its limit", () => {
  const board = new ReservationBoard([], { limit: 2 });
  for (let id = 1; id <= 3; id++) board.apply("reservation_created", reservation(id, `2026-11-2${5 + id}T09:00:00Z`));
  assert.deepEqual(board.list(NOW).map((r) => r.id), [1, 2]);
});
