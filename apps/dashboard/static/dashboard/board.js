// One business's reservations as /business/ shows them (pure; no DOM): upcoming
// ones soonest first, then past ones latest first, at most `limit` of them.

export const BOARD_LIMIT = 50;

/** The server's order (selectors.reservations_upcoming_first) at time `now` (ms). */
export function upcomingFirst(now) {
  return (a, b) => {
    const at = Date.parse(a.starts_at);
    const bt = Date.parse(b.starts_at);
    const aUpcoming = at >= now;
    const bUpcoming = bt >= now;
    if (aUpcoming !== bUpcoming) return aUpcoming ? -1 : 1;
    return aUpcoming ? at - bt || a.id - b.id : bt - at || b.id - a.id;
  };
}

export class ReservationBoard {
  constructor(reservations = [], { limit = BOARD_LIMIT } = {}) {
    this.limit = limit;
    this.byId = new Map(reservations.map((reservation) => [reservation.id, reservation]));
  }

  /** Apply a reservation_created/_updated/_deleted event's reservation; true if it changed. */
  apply(type, reservation) {
    if (type === "reservation_deleted") return this.byId.delete(reservation.id);
    if (type !== "reservation_created" && type !== "reservation_updated") return false;
    const known = this.byId.get(reservation.id);
    if (known && JSON.stringify(known) === JSON.stringify(reservation)) return false;
    this.byId.set(reservation.id, reservation);
    return true;
  }

  list(now = Date.now()) {
    return [...this.byId.values()].sort(upcomingFirst(now)).slice(0, this.limit);
  }
}
