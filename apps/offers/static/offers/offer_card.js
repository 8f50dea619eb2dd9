// What an offer card shows and which buttons it offers, as pure functions of the
// offer's state (the `offer` event's body) and who is looking: no DOM here.

export const OPEN = ["pending", "countered"];
export const ACTIONS = ["accept", "decline", "counter", "withdraw"];

const STATUS_LOOK = {
  pending: ["Pending", "text-bg-primary"],
  countered: ["Countered", "text-bg-info"],
  accepted: ["Accepted", "text-bg-success"],
  declined: ["Declined", "text-bg-secondary"],
  expired: ["Expired", "text-bg-secondary"],
  withdrawn: ["Withdrawn", "text-bg-secondary"],
};

/** "€80" or "€80.50", as the server's lines write amounts. */
export function euros(amount) {
  const [whole, cents = "00"] = String(amount).split(".");
  return cents === "00" ? `€${whole}` : `€${whole}.${cents.padEnd(2, "0")}`;
}

export function isOpen(offer, now = Date.now()) {
  return OPEN.includes(offer.status) && Date.parse(offer.expires_at) > now;
}

export function sideOf(offer, userId) {
  return offer.buyer === userId ? "buyer" : "seller";
}

/** The moves `userId` may make now, in the order the buttons show them. */
export function actionsFor(offer, userId, now = Date.now()) {
  if (!isOpen(offer, now)) return [];
  const side = sideOf(offer, userId);
  const mine = offer.turn === side;
  return ACTIONS.filter((action) => {
    if (action === "withdraw") return side === "buyer";
    if (action === "counter") return mine && offer.counters_left > 0;
    return mine;
  });
}

/** "expires in 47 h", "expires in 12 min", or "expired". */
export function expiresIn(iso, now = Date.now()) {
  const left = Date.parse(iso) - now;
  if (left <= 0) return "expired";
  const minutes = Math.ceil(left / 60000);
  return minutes < 120 ? `expires in ${minutes} min` : `expires in ${Math.floor(minutes / 60)} h`;
}

/** Everything the card writes, as text: amount, status badge, whose turn, counters, expiry. */
export function describe(offer, userId, otherName, now = Date.now()) {
  const open = isOpen(offer, now);
  const status = OPEN.includes(offer.status) && !open ? "expired" : offer.status;
  const [label, style] = STATUS_LOOK[status] || [status, "text-bg-light"];
  const mine = open && offer.turn === sideOf(offer, userId);
  const left = offer.counters_left;
  return {
    amount: euros(offer.amount),
    status,
    label,
    style,
    turn: open ? (mine ? "Your turn to answer" : `Waiting for ${otherName}`) : "",
    mine,
    meta: open
      ? `${left} counter${left === 1 ? "" : "s"} left · ${expiresIn(offer.expires_at, now)}`
      : "",
  };
}

/** The offers of a conversation by id; an older version of one never replaces a newer. */
export class OfferBook {
  constructor(offers = []) {
    this.byId = new Map();
    for (const offer of offers) this.apply(offer);
  }

  /** Keep `offer` if it is newer than what is known; whether it was. */
  apply(offer) {
    const known = this.byId.get(offer.id);
    if (known && known.version >= offer.version) return false;
    this.byId.set(offer.id, offer);
    return true;
  }

  /** The newest offer (the highest id), or null. */
  current() {
    let newest = null;
    for (const offer of this.byId.values()) if (!newest || offer.id > newest.id) newest = offer;
    return newest;
  }
}

/** Whether the buyer may make a new offer: the listing is available and none is open. */
export function canMakeOffer(book, role, listingStatus, now = Date.now()) {
  const current = book.current();
  return role === "buyer" && listingStatus === "available" && !(current && isOpen(current, now));
}
