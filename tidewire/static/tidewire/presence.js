// Who follows a topic: the server's presence_state and presence_diff frames
// merged into one map {userId: {name, since}}. The merge is pure functions
// (as phoenix.js's presence.js), so it is tested without a socket.

/**
 * Replace the state with the server's; returns {state, joins, leaves}, what
 * changed from the old one (a reconnect brings a whole state again).
 */
export function syncState(current, incoming) {
  const joins = {};
  const leaves = {};
  for (const [id, meta] of Object.entries(incoming)) {
    if (!(id in current)) joins[id] = meta;
  }
  for (const [id, meta] of Object.entries(current)) {
    if (!(id in incoming)) leaves[id] = meta;
  }
  return { state: { ...incoming }, joins, leaves };
}

/** Apply a diff; returns {state, joins, leaves} with only what really changed. */
export function syncDiff(current, { joins = {}, leaves = {} }) {
  const state = { ...current };
  const joined = {};
  const left = {};
  for (const [id, meta] of Object.entries(leaves)) {
    if (id in state) {
      left[id] = state[id];
      delete state[id];
    }
  }
  for (const [id, meta] of Object.entries(joins)) {
    if (!(id in state)) joined[id] = meta;
    state[id] = meta;
    delete left[id]; // left and came back within one diff: still here
  }
  return { state, joins: joined, leaves: left };
}

/** The present users as a list, earliest first: [{id, name, since}]. */
export function list(state) {
  return Object.entries(state)
    .map(([id, meta]) => ({ id, ...meta }))
    .sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : 0));
}

/** Presence of one channel: keeps the merged state and tells listeners of changes. */
export class Presence {
  constructor(channel) {
    this.state = {};
    this.listeners = new Set();
    channel.onPresence((frame) => this.receive(frame));
  }

  /** `callback({state, joins, leaves})` after every change. */
  onChange(callback) {
    this.listeners.add(callback);
    return () => this.listeners.delete(callback);
  }

  receive(frame) {
    const change =
      frame.type === "presence_state"
        ? syncState(this.state, frame.presences)
        : syncDiff(this.state, frame);
    this.state = change.state;
    for (const callback of this.listeners) callback(change);
  }

  list() {
    return list(this.state);
  }
}
