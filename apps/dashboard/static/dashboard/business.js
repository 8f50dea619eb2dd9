// /business/: each business's reservations, live on its own topic
// (bookings.business.<id>) from the offset the page was rendered at. Only the
// businesses the server put on the page are followed, and each topic's join rule
// lets in its owner and super admins only.

import { pageSocket } from "../tidewire/page.js";
import { showStatus } from "../tidewire/status.js";
import { ReservationBoard } from "./board.js";

const $ = (id) => document.getElementById(id);
const boards = JSON.parse($("boards-data").textContent);
const dateTime = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const STATUS_BADGES = { pending: "text-bg-warning", confirmed: "text-bg-success", cancelled: "text-bg-secondary" };
// Upcoming turns into past as time goes by: sort again every minute.
const RESORT_INTERVAL_MS = 60_000;

const field = (element, name) => element.querySelector(`[data-field="${name}"]`);

function reservationRow(reservation, now) {
  const row = $("reservation-template").content.firstElementChild.cloneNode(true);
  row.dataset.reservationId = String(reservation.id);
  row.dataset.status = reservation.status;
  row.classList.toggle("cancelled", reservation.status === "cancelled");
  row.classList.toggle("past", Date.parse(reservation.starts_at) < now);
  const time = field(row, "starts_at");
  time.dateTime = reservation.starts_at;
  time.textContent = dateTime.format(new Date(reservation.starts_at));
  for (const name of ["customer_name", "customer_email", "service"]) field(row, name).textContent = reservation[name];
  const status = field(row, "status");
  status.textContent = reservation.status;
  status.classList.add(STATUS_BADGES[reservation.status] || "text-bg-light");
  return row;
}

function showBusiness(card, business) {
  field(card, "name").textContent = business.name;
  field(card, "subdomain").textContent = business.subdomain;
  const owner = field(card, "owner");
  if (owner && business.owner) owner.textContent = business.owner;
}

function renderBoard(card, board) {
  const now = Date.now();
  const reservations = board.list(now);
  field(card, "reservations").replaceChildren(...reservations.map((r) => reservationRow(r, now)));
  field(card, "empty").hidden = reservations.length > 0;
  const upcoming = reservations.filter((r) => Date.parse(r.starts_at) >= now && r.status !== "cancelled").length;
  field(card, "upcoming").textContent = `${upcoming} upcoming`;
}

function follow(socket, { business, topic, offset, reservations }, onJoined) {
  const card = $("board-template").content.firstElementChild.cloneNode(true);
  card.dataset.businessId = String(business.id);
  showBusiness(card, business);
  const board = new ReservationBoard(reservations);
  renderBoard(card, board);
  $("boards").append(card);
  const channel = socket.channel(topic, { offset });
  channel.on("*", (event) => {
    if (event.type.startsWith("reservation_")) {
      if (board.apply(event.type, event.payload.reservation)) renderBoard(card, board);
    } else if (event.type === "business_updated") {
      showBusiness(card, event.payload.business);
    } else if (event.type === "business_deleted") {
      card.remove();
      channel.leave();
    }
  });
  channel.onJoin(({ reset }) => {
    // Events were lost to the page (it was away longer than the server keeps them).
    if (reset) location.reload();
    onJoined();
  });
  return () => renderBoard(card, board);
}

const socket = pageSocket();
showStatus(socket, $("status"), { connected: "Live" });
const waiting = new Set(boards.map((b) => b.business.id));
const synced = () => (document.body.dataset.synced = "true");
const renders = boards.map((shown) =>
  follow(socket, shown, () => {
    waiting.delete(shown.business.id);
    if (waiting.size === 0) synced();
  }),
);
if (boards.length === 0) synced();
setInterval(() => renders.forEach((render) => render()), RESORT_INTERVAL_MS);
