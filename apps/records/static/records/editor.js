// Saves one field as the user types: debounced, one PATCH at a time, and
// optimistic concurrency on the field (If-Match the version the edit started from).
// No DOM here: the window wires it to an input and to notices.

export class FieldEditor {
  /**
   * @param {object} options
   *   field: "first_name" | "last_name"
   *   store: RecordStore
   *   patch: async (id, body, ifMatch) => record   (rejects with {status, body})
   *   debounceMs: quiet time after the last keystroke before saving
   *   on: {saving, saved, error, conflict}: callbacks for the page
   */
  constructor({ field, store, patch, debounceMs = 250, on = {} }) {
    this.field = field;
    this.store = store;
    this.patch = patch;
    this.debounceMs = debounceMs;
    this.on = on;
    this.timer = null;
    this.inFlight = false;
    this.again = false; // typed while a PATCH was out: save once more after it
    this.base = null; // {id, version, value}: the server state this edit started from
    this.draft = null; // {id, value}: what the user has typed and not yet saved
    this.sent = null; // the value of the PATCH in flight
  }

  /** True while the user's text is not yet saved: the page must not overwrite it. */
  get busy() {
    return this.timer !== null || this.inFlight;
  }

  /** The user typed `value` into record `id`'s field. */
  input(id, value) {
    const record = this.store.get(id);
    if (!record) return;
    if (!this.base || this.base.id !== id) {
      this.base = { id, version: record.version, value: record[this.field] };
    }
    this.draft = { id, value };
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.debounceMs);
  }

  /** Whether a socket event's value for the field is just this window's own save coming back. */
  isOwnEcho(value) {
    return this.sent !== null && value === this.sent;
  }

  /** Save now (the debounce ran out, or the user switched records). */
  async flush() {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    const draft = this.draft;
    if (!draft) return;
    if (!this.base || this.base.id !== draft.id) {
      const record = this.store.get(draft.id);
      if (!record) return;
      this.base = { id: draft.id, version: record.version, value: record[this.field] };
    }
    this.draft = null;
    this.inFlight = true;
    this.sent = draft.value;
    this.on.saving?.();
    try {
      const saved = await this.patch(draft.id, { [this.field]: draft.value }, this.base.version);
      this.store.apply({ action: "update", user: saved });
      this.base = this.again ? { id: draft.id, version: saved.version, value: saved[this.field] } : null;
      this.on.saved?.(saved);
    } catch (error) {
      this.handleFailure(draft, error);
    } finally {
      this.inFlight = false;
      this.sent = null;
      if (this.again) {
        this.again = false;
        this.flush();
      }
    }
  }

  handleFailure(draft, error) {
    if (error.status !== 412) {
      this.base = null;
      this.on.error?.(error);
      return;
    }
    const current = error.body.current;
    this.store.apply({ action: "update", user: current });
    if (current[this.field] === this.base.value) {
      // Another window changed a different field: our edit still applies on top.
      this.base = { id: draft.id, version: current.version, value: this.base.value };
      this.draft = this.draft || draft;
      this.again = true;
      return;
    }
    // Someone else changed this very field since the edit began: the user decides.
    this.base = null;
    this.on.conflict?.({ id: draft.id, mine: draft.value, theirs: current[this.field] });
  }

  /** After a conflict: save the user's text over theirs. */
  keepMine(id, value) {
    const record = this.store.get(id);
    if (!record) return;
    this.base = { id, version: record.version, value: record[this.field] };
    this.draft = { id, value };
    return this.flush();
  }

  /** After a conflict: drop the user's text. */
  useTheirs() {
    clearTimeout(this.timer);
    this.timer = null;
    this.base = null;
    this.draft = null;
  }
}
