// The dashboard (seed 004), for super admins: counts, the newest businesses, charts
// and the activity feed, live.
//
// The state is read through /api/dashboard/; the page follows bookings.dashboard
// from the summary's offset (read before its data: nothing is missed). Each event
// goes into the feed at once; counts, businesses and charts are read again,
// coalesced, so a burst of 500 events costs a few reads and redraws. After a
// reconnect (replayed events, or a reset) the page reads everything again, so it
// shows what a reload would.

import { api } from "../tidewire/http.js";
import { pageSocket } from "../tidewire/page.js";
import { showStatus } from "../tidewire/status.js";
import { DashboardCharts } from "./charts.js";
import { CoalescingScheduler } from "./coalesce.js";
import { Feed } from "./feed.js";

const $ = (id) => document.getElementById(id);
const initial = JSON.parse($("dashboard-initial").textContent);
const view = { range: initial.range, type: initial.type };
const feed = new Feed({ type: view.type });
const charts = new DashboardCharts($("charts"), { timeZone: initial.time_zone });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
// The newest-businesses column is narrow: the day there, the time on hover.
const day = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const BADGES = { created: "text-bg-success", updated: "text-bg-primary", deleted: "text-bg-danger" };

const when = (iso) => (iso ? dateTime.format(new Date(iso)) : "");
// DRF's cursor links are absolute: keep their path, so they go where the page came from.
function path(link) {
  if (!link) return null;
  const url = new URL(link, location.href);
  return url.pathname + url.search;
}
const query = (params) => {
  const text = new URLSearchParams(Object.entries(params).filter(([, value]) => value)).toString();
  return text ? `?${text}` : "";
};

// -- rendering: text only (textContent), never markup from data ----------------

function renderCounts(counts) {
  for (const [key, value] of Object.entries(counts)) {
    const element = $(`count-${key}`);
    if (!element) continue;
    element.textContent = value.toLocaleString();
    element.dataset.count = String(value);
  }
}

function renderRecent(businesses) {
  const rows = businesses.map((business) => {
    const row = document.createElement("tr");
    row.dataset.businessId = String(business.id);
    const name = document.createElement("td");
    const title = document.createElement("div");
    title.className = "fw-semibold text-truncate recent-name";
    title.dir = "auto";
    title.textContent = business.name;
    const subdomain = document.createElement("div");
    subdomain.className = "small text-body-secondary";
    subdomain.textContent = business.subdomain;
    name.append(title, subdomain);
    const owner = document.createElement("td");
    owner.textContent = business.owner;
    const created = document.createElement("td");
    created.className = "text-end small text-body-secondary text-nowrap";
    created.textContent = business.created_at ? day.format(new Date(business.created_at)) : "";
    created.title = when(business.created_at);
    row.append(name, owner, created);
    return row;
  });
  $("recent-businesses").replaceChildren(...rows);
  $("recent-empty").hidden = rows.length > 0;
}

function feedItem(item) {
  const element = $("feed-item").content.firstElementChild.cloneNode(true);
  element.dataset.key = item.key;
  element.dataset.action = item.action;
  const field = (name) => element.querySelector(`[data-field="${name}"]`);
  const badge = field("action");
  badge.textContent = item.action.replace("_", " ");
  badge.classList.add(BADGES[item.action.split("_")[1]] || "text-bg-secondary");
  field("message").textContent = item.message;
  field("created_at").textContent = when(item.created_at);
  field("created_at").dateTime = item.created_at || "";
  field("actor").textContent = item.live ? "· just now" : `· ${item.actor_name ? `by ${item.actor_name} ` : ""}via ${item.source}`;
  return element;
}

function renderFeed() {
  const items = feed.items();
  $("feed").replaceChildren(...items.map(feedItem));
  $("feed-empty").hidden = items.length > 0;
  $("feed-older").hidden = !feed.next;
}

let feedFrame = null;
function renderFeedSoon() {
  // Many events in one frame (a burst) draw the feed once.
  if (feedFrame === null) {
    feedFrame = requestAnimationFrame(() => {
      feedFrame = null;
      renderFeed();
    });
  }
}

function showView() {
  for (const button of document.querySelectorAll("[data-range]")) {
    const pressed = button.dataset.range === view.range;
    button.classList.toggle("active", pressed);
    button.setAttribute("aria-pressed", String(pressed));
  }
  $("feed-type").value = view.type;
  $("export-audit").href = `/api/dashboard/audit.csv${query({ type: view.type })}`;
  $("export-activity").href = `/api/dashboard/activity.csv${query({ type: view.type })}`;
  $("export-charts").href = `/api/dashboard/charts.csv${query({ range: view.range })}`;
  // A reload shows the same range and type.
  history.replaceState(null, "", `${location.pathname}${query({ range: view.range, type: view.type })}`);
}

// -- reading the state -------------------------------------------------------------

async function readSummary() {
  const { data } = await api("GET", "/api/dashboard/summary/");
  renderCounts(data.counts);
  renderRecent(data.recent_businesses);
  return data;
}

async function readCharts() {
  const range = view.range;
  const { data } = await api("GET", `/api/dashboard/charts/?range=${encodeURIComponent(range)}`);
  if (range === view.range) charts.show(data); // else a newer range's read is on its way
}

async function readNewestActivity() {
  const type = view.type;
  const { data, headers } = await api("GET", `/api/dashboard/activity/${query({ type, page_size: feed.limit })}`);
  if (type !== view.type) return;
  feed.takeNewest(data.results, Number(headers.get("Tidewire-Offset")), path(data.next));
  renderFeed();
}

async function readOlderActivity() {
  const type = view.type;
  const { data } = await api("GET", feed.next);
  if (type !== view.type) return;
  feed.takeOlder(data.results, path(data.next));
  renderFeed();
}

const refresh = new CoalescingScheduler(() => Promise.all([readSummary(), readCharts(), readNewestActivity()]), {
  onError: (error) => console.warn("dashboard refresh failed; trying again", error),
});

// -- the page's controls ---------------------------------------------------------

function reportFailure(error) {
  $("feed-error").textContent = `Could not load: ${error.message}`;
}

$("ranges").addEventListener("click", (event) => {
  const button = event.target.closest("[data-range]");
  if (!button || button.dataset.range === view.range) return;
  view.range = button.dataset.range;
  showView();
  readCharts().catch(reportFailure);
});

$("feed-type").addEventListener("change", (event) => {
  view.type = event.target.value;
  feed.setType(view.type);
  showView();
  renderFeed();
  readNewestActivity().catch(reportFailure);
});

$("feed-older").addEventListener("click", () => {
  $("feed-error").textContent = "";
  readOlderActivity().catch(reportFailure);
});

// -- start: read, then follow from the summary's offset ----------------------------

async function start() {
  showView();
  const socket = pageSocket();
  showStatus(socket, $("status"), { connected: "Live" });
  const [summary] = await Promise.all([readSummary(), readCharts(), readNewestActivity()]);
  const channel = socket.channel(summary.topic, { offset: summary.offset });
  channel.on("*", (event, offset) => {
    if (feed.pushLive(event, offset)) renderFeedSoon();
    refresh.request();
  });
  let joins = 0;
  channel.onJoin(() => {
    // A rejoin follows a lost connection: read everything again (what a reload shows),
    // whether the server replayed what was missed or sent a reset.
    if (joins++ > 0) refresh.request();
    document.body.dataset.synced = "true";
  });
}

start().catch((error) => {
  reportFailure(error);
  console.error("the dashboard could not start", error);
});
