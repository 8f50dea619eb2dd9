// The browse page (seed 003): listing cards that change live, "Contact seller" on
// others' listings, price and status on one's own, and a form for a new listing.

import { api } from "../tidewire/http.js";
import { pageSocket } from "../tidewire/page.js";
import { showStatus } from "../tidewire/status.js";
import { fillCard, flash, newCard } from "./cards.js";
import { ListingStore, matcher } from "./store.js";

const TOPIC = "listings.all";
const EVENTS = ["listing_created", "listing_updated", "listing_deleted"];
// A reset refetches what the page shows at most (views.BROWSE_LIMIT; the API's largest page).
const REFETCH_PAGE_SIZE = 100;

const $ = (id) => document.getElementById(id);
const data = (id) => JSON.parse($(id).textContent);
const viewer = data("viewer");
const filters = data("initial-filters");
const store = new ListingStore(data("initial-listings"), matcher(filters));
const grid = $("listings");
const template = $("card-template");

const cardOf = (id) => grid.querySelector(`[data-listing-id="${Number(id)}"]`);
const idOf = (element) => Number(element.closest("[data-listing-id]").dataset.listingId);
const isOwn = (listing) => listing.seller.id === viewer.id;

function showEmpty() {
  $("empty").hidden = store.list().length > 0;
}

/** Put `listing`'s card in its place, new or updated (moved only when out of place). */
function show(listing, { live = false } = {}) {
  const card = cardOf(listing.id) || newCard(template, listing, isOwn(listing));
  fillCard(card, listing);
  const next = store.nextAfter(listing.id);
  const before = next === null ? null : cardOf(next);
  if (!card.isConnected || card.nextElementSibling !== before) grid.insertBefore(card, before);
  if (live) flash(card);
}

function apply(type, listing, options) {
  const change = store.apply(type, listing);
  if (change?.hide !== undefined) cardOf(change.hide)?.remove();
  if (change?.show) show(change.show, options);
  showEmpty();
}

function renderAll() {
  const shown = new Set(store.list().map((listing) => listing.id));
  for (const card of grid.querySelectorAll("[data-listing-id]")) {
    if (!shown.has(Number(card.dataset.listingId))) card.remove();
  }
  for (const listing of store.list()) {
    const card = cardOf(listing.id) || newCard(template, listing, isOwn(listing));
    fillCard(card, listing);
    grid.append(card); // in order: appending moves a card that is already there
  }
  showEmpty();
}

async function refetch() {
  const query = new URLSearchParams({ ...filters, page_size: REFETCH_PAGE_SIZE });
  const { data: page } = await api("GET", `/api/listings/?${query}`);
  store.replaceAll(page.results);
  renderAll();
}

async function contactSeller(button) {
  const error = button.closest("[data-part]").querySelector('[data-role="contact-error"]');
  error.textContent = "";
  button.disabled = true;
  try {
    const { data: conversation } = await api("POST", `/api/listings/${idOf(button)}/conversation/`);
    if (!Number.isInteger(conversation?.id)) throw new Error("the answer named no conversation");
    location.assign(`/chat/${conversation.id}/`);
  } catch (failure) {
    error.textContent = `Could not contact the seller: ${failure.message}`;
    button.disabled = false;
  }
}

async function saveOwn(form) {
  const id = idOf(form);
  const state = form.querySelector('[data-role="edit-state"]');
  const changes = {};
  for (const input of form.querySelectorAll("[data-input]")) changes[input.dataset.input] = input.value;
  state.textContent = "Saving…";
  state.classList.remove("text-danger");
  try {
    const { data: listing } = await api("PATCH", `/api/listings/${id}/`, changes);
    state.textContent = "Saved";
    apply("listing_updated", listing);
  } catch (failure) {
    state.textContent = failure.message;
    state.classList.add("text-danger");
  }
}

grid.addEventListener("click", (event) => {
  const button = event.target.closest('[data-action="contact"]');
  if (button) contactSeller(button);
});

grid.addEventListener("submit", (event) => {
  const form = event.target.closest('[data-part="edit"]');
  if (!form) return;
  event.preventDefault();
  saveOwn(form);
});

$("create-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  try {
    const { data: listing } = await api("POST", "/api/listings/", {
      title: form.elements.title.value,
      description: form.elements.description.value,
      price: form.elements.price.value,
    });
    form.reset();
    $("create-error").textContent = "";
    $("create-state").textContent = `Posted “${listing.title}”.`;
    apply("listing_created", listing);
  } catch (failure) {
    $("create-state").textContent = "";
    $("create-error").textContent = failure.message;
  }
});

function onEvent(event) {
  apply(event.type, event.listing, { live: true });
}

const socket = pageSocket();
showStatus(socket, $("status"));
const channel = socket.channel(TOPIC);
// Resume from where the page's data was read: the server replays anything since.
channel.offset = data("initial-offset");
for (const type of EVENTS) channel.on(type, onEvent);
channel.onJoin(({ reset }) => {
  document.body.dataset.synced = "true"; // live from here on (tests wait for it too)
  // A reset means events were lost to the page: read the list afresh.
  if (reset) refetch().catch((error) => console.warn("refetch failed", error));
});
