import assert from "node:assert/strict";
import { test } from "node:test";

import { OfferBook, actionsFor, canMakeOffer, describe, euros, expiresIn } from "../../static/offers/offer_card.js";

const NOW = Date.parse("2026-11-22T10:00:00Z");
const HOUR = 3600 * 1000;
const BUYER = 4;
const SELLER = 2;
const offer = (fields = {}) => ({
  id: 5,
  listing: 3,
  buyer: BUYER,
  seller: SELLER,
  conversation: 7,
  amount: "80.00",
  status: "pending",
  counters: 0,
  counters_left: 3,
  turn: "seller",
  version: 1,
  expires_at: new Date(NOW + 48 * HOUR).toISOString(),
  ...fields,
});

test("euros writes cents only when there are some", () => {
  assert.equal(euros("80.00"), "€80");
  assert.equal(euros("88.50"), "€88.50");
});

test("the seller answers a pending offer; the buyer may only withdraw it", () => {
  assert.deepEqual(actionsFor(offer(), SELLER, NOW), ["accept", "decline", "counter"]);
  assert.deepEqual(actionsFor(offer(), BUYER, NOW), ["withdraw"]);
});

test("after the seller's counter the buyer answers, and may still withdraw", () => {
  const countered = offer({ status: "countered", turn: "buyer", counters: 1, counters_left: 2 });
  assert.deepEqual(actionsFor(countered, BUYER, NOW), ["accept", "decline", "counter", "withdraw"]);
  assert.deepEqual(actionsFor(countered, SELLER, NOW), []);
});

test("no counter button once three were made", () => {
  const last = offer({ status: "countered", turn: "buyer", counters: 3, counters_left: 0 });
  assert.deepEqual(actionsFor(last, BUYER, NOW), ["accept", "decline", "withdraw"]);
});

test("closed and expired offers have no buttons", () => {
  for (const status of ["accepted", "declined", "expired", "withdrawn"]) {
    assert.deepEqual(actionsFor(offer({ status, turn: null }), BUYER, NOW), []);
  }
  const late = offer({ expires_at: new Date(NOW - 1).toISOString() });
  assert.deepEqual(actionsFor(late, SELLER, NOW), []);
  assert.equal(describe(late, SELLER, "bea", NOW).label, "Expired");
});

test("describe says whose turn it is, counters left and the expiry", () => {
  const seen = describe(offer(), SELLER, "bea", NOW);
  assert.equal(seen.amount, "€80");
  assert.equal(seen.label, "Pending");
  assert.equal(seen.turn, "Your turn to answer");
  assert.equal(seen.meta, "3 counters left · expires in 48 h");
  assert.equal(describe(offer(), BUYER, "sam", NOW).turn, "Waiting for sam");
  assert.equal(describe(offer({ status: "accepted", turn: null }), BUYER, "sam", NOW).meta, "");
});

test("expiresIn counts minutes under two hours", () => {
  assert.equal(expiresIn(new Date(NOW + 30 * 60000).toISOString(), NOW), "expires in 30 min");
  assert.equal(expiresIn(new Date(NOW - 1).toISOString(), NOW), "expired");
});

test("the book keeps the highest version and the newest offer", () => {
  const book = new OfferBook([offer({ version: 2, status: "countered" })]);
  assert.equal(book.apply(offer({ version: 1 })), false); // a replayed older event
  assert.equal(book.current().status, "countered");
  assert.equal(book.apply(offer({ version: 3, status: "accepted" })), true);
  book.apply(offer({ id: 9, version: 1 }));
  assert.equal(book.current().id, 9);
});

test("a buyer may make an offer on an available listing with none open", () => {
  const empty = new OfferBook();
  assert.equal(canMakeOffer(empty, "buyer", "available", NOW), true);
  assert.equal(canMakeOffer(empty, "seller", "available", NOW), false);
  assert.equal(canMakeOffer(empty, "buyer", "sold", NOW), false);
  assert.equal(canMakeOffer(new OfferBook([offer()]), "buyer", "available", NOW), false);
  const closed = new OfferBook([offer({ status: "declined", turn: null })]);
  assert.equal(canMakeOffer(closed, "buyer", "available", NOW), true);
});
