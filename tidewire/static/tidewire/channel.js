// One topic followed over the shared socket: its offset and its event listeners.

export class Channel {
  constructor(socket, topic) {
    this.socket = socket;
    this.topic = topic;
    this.offset = null; // the last offset seen; sent on resubscribe to resume
    this.listeners = new Map(); // event type -> Set of callbacks
    this.joinListeners = new Set();
    this.signalListeners = new Map(); // signal type -> Set of callbacks
    this.presenceListeners = new Set();
    this.resetPending = false;
  }

  /** Call `callback(event, offset)` for every event of `type` ("*" for all). */
  on(type, callback) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(callback);
    return () => this.listeners.get(type).delete(callback);
  }

  /** Call `callback(body)` for every signal of `type` ("*" for all): ephemeral, no offset. */
  onSignal(type, callback) {
    if (!this.signalListeners.has(type)) this.signalListeners.set(type, new Set());
    this.signalListeners.get(type).add(callback);
    return () => this.signalListeners.get(type).delete(callback);
  }

  /** Call `callback(frame)` with every presence_state and presence_diff (see presence.js). */
  onPresence(callback) {
    this.presenceListeners.add(callback);
    return () => this.presenceListeners.delete(callback);
  }

  handleSignal(frame) {
    for (const type of [frame.event.type, "*"]) {
      for (const callback of this.signalListeners.get(type) || []) callback(frame.event);
    }
  }

  handlePresence(frame) {
    for (const callback of this.presenceListeners) callback(frame);
  }

  /** Call `callback({offset, reset})` each time the topic is (re)joined. */
  onJoin(callback) {
    this.joinListeners.add(callback);
    return () => this.joinListeners.delete(callback);
  }

  /** The subscribe frame: resume from the last offset when there is one. */
  subscribeFrame(ref) {
    const frame = { type: "subscribe", topic: this.topic, ref };
    if (this.offset !== null) frame.offset = this.offset;
    return frame;
  }

  handleEvent(frame) {
    if (this.offset !== null && frame.offset <= this.offset) return; // seen already
    this.offset = frame.offset;
    for (const type of [frame.event.type, "*"]) {
      for (const callback of this.listeners.get(type) || []) callback(frame.event, frame.offset);
    }
  }

  handleReset() {
    this.resetPending = true;
  }

  handleSubscribed(frame) {
    const reset = this.resetPending || this.offset === null;
    this.resetPending = false;
    if (this.offset === null || frame.offset > this.offset) this.offset = frame.offset;
    for (const callback of this.joinListeners) callback({ offset: frame.offset, reset });
  }

  /** Send a frame about this topic (handled by its `handle_in`); resolves with the reply. */
  push(type, fields = {}) {
    return this.socket.request({ ...fields, type, topic: this.topic });
  }

  leave() {
    this.socket.unsubscribe(this);
  }
}
