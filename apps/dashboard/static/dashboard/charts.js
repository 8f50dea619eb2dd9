// The dashboard's two bar charts (Chart.js, loaded as the global `Chart` from npm's
// UMD build): reservations made and businesses created per bucket. Each redraw
// counts in the container's `data-renders`, so a test can see bursts coalesced.

import { applySeries } from "./series.js";

// Bootstrap 5's primary and success colours, so the charts match the page.
const COLOURS = { reservations: "#0d6efd", businesses: "#198754" };

function barChart(Chart, canvas, label, colour) {
  return new Chart(canvas, {
    type: "bar",
    data: { labels: [], datasets: [{ label, data: [], backgroundColor: colour, borderRadius: 3 }] },
    options: {
      responsive: true,
      maintainAspectRatio: false, // the box's CSS height decides
      animation: false, // a live chart redraws often: no motion to wait for
      plugins: { legend: { display: false } },
      scales: {
        y: { beginAtZero: true, ticks: { precision: 0 } },
        x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 8 } },
      },
    },
  });
}

export class DashboardCharts {
  constructor(container, { Chart = globalThis.Chart, timeZone = "UTC" } = {}) {
    this.container = container;
    this.timeZone = timeZone;
    this.renders = 0;
    this.charts = {
      reservations: barChart(Chart, container.querySelector("#chart-reservations"), "Reservations made", COLOURS.reservations),
      businesses: barChart(Chart, container.querySelector("#chart-businesses"), "Businesses created", COLOURS.businesses),
    };
  }

  /** Show a charts API answer; redraws only a chart whose data changed. */
  show(series) {
    const data = { reservations: this.charts.reservations.data, businesses: this.charts.businesses.data };
    if (!applySeries(data, series, { timeZone: series.time_zone || this.timeZone })) return;
    for (const chart of Object.values(this.charts)) chart.update();
    this.renders += 1;
    this.container.dataset.renders = String(this.renders);
    this.container.dataset.range = series.range;
  }
}
