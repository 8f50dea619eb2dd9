// The charts' data from GET /api/dashboard/charts/ (pure; no DOM, no Chart.js).

/** A bucket's label as people read it: "14:00" for an hour, "Nov 23" for a day. */
export function bucketName(label, bucket, { timeZone = "UTC", locale = undefined } = {}) {
  if (bucket === "hour") {
    return new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone }).format(
      new Date(label),
    );
  }
  // A date label ("2026-11-23") names a day, not an instant: read and shown in UTC.
  return new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", timeZone: "UTC" }).format(
    new Date(`${label}T00:00:00Z`),
  );
}

/**
 * Put `series` into Chart.js data objects (their labels and first dataset), in
 * place; true when anything changed, so an unchanged chart is not drawn again.
 */
export function applySeries(charts, series, options = {}) {
  const labels = series.labels.map((label) => bucketName(label, series.bucket, options));
  let changed = false;
  for (const [data, values] of [
    [charts.reservations, series.reservations],
    [charts.businesses, series.businesses],
  ]) {
    const same =
      data.labels.length === labels.length &&
      data.labels.every((label, i) => label === labels[i]) &&
      data.datasets[0].data.every((value, i) => value === values[i]) &&
      data.datasets[0].data.length === values.length;
    if (same) continue;
    data.labels = [...labels];
    data.datasets[0].data = [...values];
    changed = true;
  }
  return changed;
}
