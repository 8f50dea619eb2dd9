// The offer card of a conversation's room, live for both people: made, countered,
// accepted... arrive as `offer` events on the conversation's topic (the socket the
// room's own script opened: pageSocket shares one channel per topic). The buyer gets
// "Make an offer" on the listing card while the listing is available.

import { api } from "../tidewire/http.js";
import { pageSocket } from "../tidewire/page.js";
import { OfferBook, actionsFor, canMakeOffer, describe } from "./offer_card.js";

const REFRESH_MS = 30000; // "expires in 47 h" keeps counting
const BUTTONS = {
  accept: ["Accept", "btn-success"],
  decline: ["Decline", "btn-outline-secondary"],
  counter: ["Counter", "btn-outline-primary"],
  withdraw: ["Withdraw", "btn-outline-danger"],
};

const $ = (id) => document.getElementById(id);
const room = JSON.parse($("chat-page").textContent);
const data = JSON.parse($("offers-page").textContent);
const me = room.me.id;
const book = new OfferBook(data.offers);
let listingStatus = room.conversation.listing.status;
let formMode = null; // "make" or "counter" while the amount form is open

const makeButton = document.createElement("button");
makeButton.id = "make-offer";
makeButton.type = "button";
makeButton.className = "btn btn-sm btn-outline-primary";
makeButton.textContent = "Make an offer";
$("listing-card").querySelector(".card-body").append(makeButton);

function render() {
  const offer = book.current();
  const panel = $("offer-panel");
  makeButton.hidden = !canMakeOffer(book, data.role, listingStatus) || formMode !== null;
  panel.hidden = offer === null;
  if (offer === null) return;
  const view = describe(offer, me, room.other.username);
  panel.dataset.offer = String(offer.id);
  panel.dataset.status = view.status;
  panel.dataset.turn = view.mine ? "me" : "other";
  $("offer-amount").textContent = view.amount; // text, never markup
  $("offer-status").textContent = view.label;
  $("offer-status").className = `badge ${view.style}`;
  $("offer-turn").textContent = view.turn;
  $("offer-meta").textContent = view.meta;
  const actions = actionsFor(offer, me);
  $("offer-actions").replaceChildren(...actions.map((action) => actionButton(offer, action)));
  if (formMode === "counter" && !actions.includes("counter")) closeForm();
}

function actionButton(offer, action) {
  const [label, style] = BUTTONS[action];
  const button = document.createElement("button");
  button.type = "button";
  button.className = `btn btn-sm ${style}`;
  button.dataset.action = action;
  button.textContent = label;
  button.addEventListener("click", () => {
    if (action === "counter") openForm("counter");
    else write(`/api/offers/${offer.id}/${action}/`, {});
  });
  return button;
}

function openForm(mode) {
  formMode = mode;
  $("offer-form").hidden = false;
  $("offer-form-label").textContent = mode === "make" ? "Your offer" : "Your counter";
  $("offer-submit").textContent = mode === "make" ? "Send offer" : "Send counter";
  $("offer-input").value = "";
  $("offer-input").focus();
  render();
}

function closeForm() {
  formMode = null;
  $("offer-form").hidden = true;
  render();
}

async function write(url, body) {
  $("offer-error").textContent = "";
  try {
    const { data: offer } = await api("POST", url, body);
    book.apply(offer);
    closeForm();
  } catch (error) {
    $("offer-error").textContent = error.message; // the server's reason, as text
  }
}

$("offer-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const amount = $("offer-input").value.trim();
  const offer = book.current();
  if (formMode === "make") write(`/api/listings/${room.conversation.listing.id}/offers/`, { amount });
  else if (offer) write(`/api/offers/${offer.id}/counter/`, { amount });
});
$("offer-cancel").addEventListener("click", closeForm);
makeButton.addEventListener("click", () => openForm("make"));

const socket = pageSocket();
socket.channel(room.topic).on("offer", (event) => {
  if (book.apply(event.offer)) render();
});
socket.channel(room.listing_topic).on("listing_updated", (event) => {
  listingStatus = event.listing.status;
  render();
});
setInterval(render, REFRESH_MS);
render();
