import assert from "node:assert/strict";
import { test } from "node:test";

import { applySeries, bucketName } from "../../static/dashboard/series.js";

const empty = () => ({
  reservations: { labels: [], datasets: [{ data: [] }] },
  businesses: { labels: [], datasets: [{ data: [] }] },
});

test("hours are named in the server's zone, days by their date", () => {
  assert.equal(bucketName("2026-11-23T14:00:00+01:00", "hour", { timeZone: "Europe/Berlin", locale: "en-GB" }), "14:00");
  assert.equal(bucketName("2026-11-23T14:00:00+01:00", "hour", { timeZone: "UTC", locale: "en-GB" }), "13:00");
  // A date stays its date whatever zone the browser is in.
  assert.equal(bucketName("2026-11-23", "day", { locale: "en-US" }), "Nov 23");
});

test("series go into both charts, and an unchanged series changes nothing", () => {
  const charts = empty();
  const series = {
    bucket: "day",
    labels: ["2026-11-22", "2026-11-23"],
    reservations: [0, 3],
    businesses: [1, 0],
  };
  assert.equal(applySeries(charts, series, { locale: "en-US" }), true);
  assert.deepEqual(charts.reservations.labels, ["Nov 22", "Nov 23"]);
  assert.deepEqual(charts.reservations.datasets[0].data, [0, 3]);
  assert.deepEqual(charts.businesses.datasets[0].data, [1, 0]);
  assert.equal(applySeries(charts, { ...series }, { locale: "en-US" }), false);
  assert.equal(applySeries(charts, { ...series, reservations: [0, 4] }, { locale: "en-US" }), true);
  assert.deepEqual(charts.reservations.datasets[0].data, [0, 4]);
});
