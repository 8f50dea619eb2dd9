// The records a window knows, kept newest-version-wins (pure; no DOM).

export class RecordStore {
  constructor(records = []) {
    this.byId = new Map();
    this.deleted = new Set();
    this.replaceAll(records);
  }

  /** Take a fresh list from the server (after a (re)connect or a reset). */
  replaceAll(records) {
    const next = new Map();
    for (const record of records) {
      const known = this.byId.get(record.id);
      // A socket event newer than the fetched list may already have arrived.
      next.set(record.id, known && known.version > record.version ? known : record);
    }
    this.byId = next;
  }

  /**
   * Apply a user_update event; returns the record it changed, or null when the
   * event is older than what the window already shows (an out-of-order delivery).
   */
  apply({ action, user }) {
    const known = this.byId.get(user.id);
    if (action === "delete") {
      this.deleted.add(user.id);
      this.byId.delete(user.id);
      return user;
    }
    if (this.deleted.has(user.id)) return null;
    if (known && known.version >= user.version) return null;
    this.byId.set(user.id, user);
    return user;
  }

  get(id) {
    return this.byId.get(id) || null;
  }

  list() {
    return [...this.byId.values()].sort((a, b) => a.id - b.id);
  }
}
