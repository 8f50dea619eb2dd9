// Messages typed but not yet stored by the server, kept in the browser's storage
// so they survive a reload and an offline spell (seed 003: "messages saved but
// not sent"). Each has its client_id from the start: sending it twice stores it once.

const KEY = (conversationId) => `tidewire.chat.outbox.${conversationId}`;

export class Outbox {
  /**
   * @param {number} conversationId
   * @param {Storage} storage  localStorage in a page; any get/setItem object in tests
   * @param {() => string} newId  a fresh client_id (crypto.randomUUID in a page)
   */
  constructor(conversationId, storage, newId) {
    this.key = KEY(conversationId);
    this.storage = storage;
    this.newId = newId;
  }

  /** What waits, oldest first: [{client_id, body, created_at}]. */
  list() {
    try {
      const items = JSON.parse(this.storage.getItem(this.key) || "[]");
      return Array.isArray(items) ? items : [];
    } catch {
      return []; // unreadable (edited by hand): nothing waits
    }
  }

  /** Keep a new message until the server has it; returns the stored item. */
  add(body, now = new Date()) {
    const item = { client_id: this.newId(), body, created_at: now.toISOString() };
    this.save([...this.list(), item]);
    return item;
  }

  /** The server stored it (or refused it for good): forget it. */
  remove(clientId) {
    this.save(this.list().filter((item) => item.client_id !== clientId));
  }

  save(items) {
    if (items.length) this.storage.setItem(this.key, JSON.stringify(items));
    else this.storage.removeItem(this.key);
  }
}
