// One topic followed over the shared socket: its offset and its event listeners.

export class Channel {
  constructor(socket, topic) {
    this.socket = socket;
    this.topic = topic;
    this.offset = null; // the last offset seen; sent on resubscribe to resume
    this.listeners = new Map(); // event type -> Set of callbacks
    this.joinListeners = new Set();
    this.resetPending = false;
  }

  /** Call `callback(event, offset)` for every event of `type` ("*" for all). */
  on(type, callback) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(callback);
    return () => this.listeners.get(type).delete(callback);
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

  leave() {
    this.socket.unsubscribe(this);
  }
}
