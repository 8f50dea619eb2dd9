// The activity feed (pure; no DOM): the audit log's newest entries, read through
// REST, with live events on top until a read of the log holds them too.
//
// A read answers with the stream offset it was made at (Tidewire-Offset, taken
// before the data): an event at or below it is in the read, one above it is not
// yet. So the feed never shows an event twice, and after any read it shows what
// a reload would. The newest `limit` items are kept (a ring); "load older" adds
// older pages below them on request.

export const FEED_LIMIT = 50;

const byNewest = (a, b) => b.id - a.id;

export class Feed {
  constructor({ limit = FEED_LIMIT, type = "" } = {}) {
    this.limit = limit;
    this.setType(type);
  }

  /** Show one event type only ("" for all): everything read so far is dropped. */
  setType(type) {
    this.type = type;
    this.entries = new Map(); // audit entry id -> entry, from REST
    this.live = []; // events not yet in a read, newest first
    this.position = -1; // the stream offset of the latest read (-1: none yet)
    this.next = null; // the cursor URL of the next older page
    this.olderLoaded = false;
  }

  accepts(eventType) {
    return !this.type || eventType === this.type;
  }

  /** A live event of bookings.dashboard (offsets only grow); true when the feed shows it. */
  pushLive(event, offset) {
    if (!this.accepts(event.type) || offset <= this.position) return false;
    if (this.live.some((item) => item.offset === offset)) return false;
    this.live.unshift({
      key: `event-${offset}`,
      offset,
      action: event.type,
      message: event.payload.message,
      created_at: event.timestamp,
      live: true,
    });
    this.live.length = Math.min(this.live.length, this.limit);
    return true;
  }

  /** The newest page of the log, read at stream offset `position`, and its `next` cursor. */
  takeNewest(entries, position, next) {
    this.position = Math.max(this.position, position);
    this.live = this.live.filter((item) => item.offset > this.position);
    for (const entry of entries) this.entries.set(entry.id, { ...entry, key: `entry-${entry.id}` });
    if (this.olderLoaded) return;
    const kept = [...this.entries.values()].sort(byNewest).slice(0, this.limit);
    this.entries = new Map(kept.map((entry) => [entry.id, entry]));
    this.next = next;
  }

  /** An older page ("load older"), and the cursor after it. */
  takeOlder(entries, next) {
    for (const entry of entries) this.entries.set(entry.id, { ...entry, key: `entry-${entry.id}` });
    this.olderLoaded = true;
    this.next = next;
  }

  /** What the feed shows, newest first. */
  items() {
    const all = [...this.live, ...[...this.entries.values()].sort(byNewest)];
    return this.olderLoaded ? all : all.slice(0, this.limit);
  }
}
