// Listing cards: the markup is the page's own (<template id="card-template">, the same
// partial the server renders cards with); this fills it with text, never with HTML.

/** A new card for `listing`: "Contact seller" on others' listings, the edit form on one's own. */
export function newCard(template, listing, own) {
  const card = template.content.firstElementChild.cloneNode(true);
  card.querySelector(own ? '[data-part="contact"]' : '[data-part="edit"]').remove();
  fillCard(card, listing);
  return card;
}

/** Show `listing` in `card`; the edit inputs keep what the seller is typing. */
export function fillCard(card, listing) {
  card.dataset.listingId = String(listing.id);
  const field = (name) => card.querySelector(`[data-field="${name}"]`);
  field("title").textContent = listing.title;
  field("price").textContent = listing.price;
  field("status").textContent = listing.status;
  field("status").dataset.status = listing.status;
  field("seller").textContent = listing.seller.username;
  field("description").textContent = listing.description;
  for (const input of card.querySelectorAll("[data-input]")) {
    if (input !== document.activeElement) input.value = listing[input.dataset.input];
  }
}

/** Flash a card whose listing changed elsewhere (the page's CSS animates it). */
export function flash(card) {
  const box = card.querySelector(".listing-card");
  box.classList.remove("listing-flash");
  void box.offsetWidth; // restart the animation
  box.classList.add("listing-flash");
}
