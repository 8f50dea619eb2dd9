// The records a window knows, kept newest-version-wins (pure; no DOM).

export class RecordStore {
  constructor(records = []) {
    this.byId = new Map();
    this.deleted = new Set();
    this.touched = new Set(); // ids changed since beginRefresh()
    this.replaceAll(records);
  }

  /** A list fetch is about to start: remember what changes while it is out. */
  beginRefresh() {
    this.touched.clear();
  }

  /**
   * Take a fresh list from the server (after a reset). The list may be older than
   * what the window learned while it was being fetched: newer versions, records
   * created meanwhile and deletions seen meanwhile all win over it.
   */
  replaceAll(records) {
    const next = new Map();
    for (const record of records) {
      if (this.deleted.has(record.id)) continue;
      const known = this.byId.get(record.id);
      next.set(record.id, known && known.version > record.version ? known : record);
    }
    for (const id of this.touched) {
      if (!next.has(id) && this.byId.has(id)) next.set(id, this.byId.get(id));
    }
    this.byId = next;
    this.touched.clear();
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
    this.touched.add(user.id);
    return user;
  }

  get(id) {
    return this.byId.get(id) || null;
  }

  list() {
    return [...this.byId.values()].sort((a, b) => a.id - b.id);
  }
}
