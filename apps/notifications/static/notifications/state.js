// The bell's state: the server's unread count and the newest notifications.
// Every event carries the count as the server has it after the change, so the
// bell shows that number, never one of its own arithmetic (no drift, however
// many tabs are open, whatever was missed and replayed).

export class BellState {
  constructor({ unread = 0, items = [], limit = 10 } = {}) {
    this.unread = unread;
    this.limit = limit;
    this.items = new Map(items.map((item) => [item.id, item]));
  }

  /** Apply one event of the user's notification topic; true if anything changed. */
  apply(event) {
    const before = JSON.stringify([this.unread, [...this.items.values()]]);
    if (event.type === "notification") {
      this.items.set(event.notification.id, event.notification);
    } else if (event.type === "notifications_read") {
      for (const id of event.ids) {
        const item = this.items.get(id);
        if (item) this.items.set(id, { ...item, read: true });
      }
    } else if (event.type === "notification_archived") {
      this.items.delete(event.id);
    } else {
      return false;
    }
    if (typeof event.unread_count === "number") this.unread = event.unread_count;
    return before !== JSON.stringify([this.unread, [...this.items.values()]]);
  }

  /** The newest ones, newest first. */
  latest() {
    return [...this.items.values()].sort((a, b) => b.id - a.id).slice(0, this.limit);
  }

  /** The watermark for "mark all read": the newest id shown (later arrivals stay unread). */
  newestId() {
    return this.items.size ? Math.max(...this.items.keys()) : null;
  }
}
