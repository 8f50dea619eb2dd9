import assert from "node:assert/strict";
import { test } from "node:test";

import { ListFilters, matchesLocally } from "../../static/chat/list_filters.js";

const row = (id, extra = {}) => ({
  id,
  listing: { title: "Laptop for Sale" },
  other: { username: "seller" },
  last_message: { body: "Yes it is", deleted: false },
  archived: false,
  ...extra,
});

test("the inbox and the archive each show their own rows", () => {
  const filters = new ListFilters({ searchServer: async () => [], onChange: () => {} });
  assert.equal(filters.shows(row(1)), true);
  assert.equal(filters.shows(row(2, { archived: true })), false);
  filters.setArchived(true);
  assert.equal(filters.shows(row(1)), false);
  assert.equal(filters.shows(row(2, { archived: true })), true);
});

test("a local match shows at once; the server's finds are added when it answers", async () => {
  let renders = 0;
  let answered;
  const serverAnswered = new Promise((resolve) => (answered = resolve));
  const filters = new ListFilters({
    searchServer: async () => [7],
    onChange: () => {
      renders += 1;
      if (renders === 2) answered(); // the first render is the typing itself
    },
  });
  filters.setQuery("Keyboard"); // in an older message: only the server knows
  assert.equal(filters.shows(row(7)), false);
  assert.equal(filters.shows(row(8, { listing: { title: "keyboard stand" } })), true);
  await serverAnswered;
  assert.equal(filters.shows(row(7)), true);
  assert.equal(filters.shows(row(9)), false);
});

test("a deleted last message is not searched", () => {
  assert.equal(matchesLocally(row(1), "yes"), true);
  assert.equal(matchesLocally(row(1, { last_message: { body: "", deleted: true } }), "yes"), false);
  assert.equal(matchesLocally(row(1), "laptop"), true);
});
