// The listings a browse page shows: those matching its filters, newest first (pure; no DOM).
//
// Listings carry no version: `updated_at` orders the states of one listing, so
// an older state arriving late (a PATCH answer after a newer event) never wins.

const time = (text) => Date.parse(text);

/** A predicate for the page's filters, as the server applies them (?search=, ?status=). */
export function matcher({ search = "", status = "" } = {}) {
  const needle = search.trim().toLowerCase();
  return (listing) =>
    (!status || listing.status === status) &&
    (!needle ||
      listing.title.toLowerCase().includes(needle) ||
      listing.description.toLowerCase().includes(needle));
}

/** Newest first, as the server lists them (created_at, then id, descending). */
export function newestFirst(a, b) {
  return time(b.created_at) - time(a.created_at) || b.id - a.id;
}

export class ListingStore {
  constructor(listings = [], matches = () => true) {
    this.matches = matches;
    this.byId = new Map();
    this.latest = new Map(); // id -> updated_at of the newest state seen, shown or not
    this.deleted = new Set();
    this.replaceAll(listings);
  }

  /** Take a fresh list (after a reset); states and deletions seen since stay. */
  replaceAll(listings) {
    const shown = new Map();
    for (const listing of listings) {
      if (this.deleted.has(listing.id) || this.isStale(listing)) {
        if (this.byId.has(listing.id)) shown.set(listing.id, this.byId.get(listing.id));
        continue;
      }
      this.latest.set(listing.id, listing.updated_at);
      if (this.matches(listing)) shown.set(listing.id, listing);
    }
    this.byId = shown;
  }

  isStale(listing) {
    const known = this.latest.get(listing.id);
    return known !== undefined && time(listing.updated_at) < time(known);
  }

  /**
   * Apply a listing event ("listing_created", "listing_updated", "listing_deleted")
   * or a write's answer ("listing_updated" too). Returns what the page must do,
   * `{show: listing}` or `{hide: id}`, or null when nothing it shows changes.
   */
  apply(type, listing) {
    const { id } = listing;
    if (type === "listing_deleted") {
      this.deleted.add(id);
      return this.byId.delete(id) ? { hide: id } : null;
    }
    if (this.deleted.has(id) || this.isStale(listing)) return null;
    // The same state again (a write's own event after its answer): nothing to show.
    if (this.byId.get(id)?.updated_at === listing.updated_at) return null;
    this.latest.set(id, listing.updated_at);
    if (this.matches(listing)) {
      this.byId.set(id, listing);
      return { show: listing };
    }
    return this.byId.delete(id) ? { hide: id } : null;
  }

  get(id) {
    return this.byId.get(id) || null;
  }

  list() {
    return [...this.byId.values()].sort(newestFirst);
  }

  /** The id of the listing shown right after `id` (null: it goes last). */
  nextAfter(id) {
    const ids = this.list().map((listing) => listing.id);
    const index = ids.indexOf(id);
    return index >= 0 && index + 1 < ids.length ? ids[index + 1] : null;
  }
}
