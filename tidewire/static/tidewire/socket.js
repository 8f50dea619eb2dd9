// The one WebSocket per tab: reconnects by itself and resumes every topic.

import { exponentialBackoff } from "./backoff.js";
import { Channel } from "./channel.js";
import {
  CLOSE,
  FRAME,
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_TIMEOUT_MS,
  MAX_AUTH_REFRESHES,
  STATUS,
} from "./constants.js";

/** A request that did not reach the server, or whose reply was lost with the connection. */
export class NotSent extends Error {}

/** The server answered a request with an error frame (`code`, `message`). */
export class ReplyError extends Error {
  constructor(frame) {
    super(frame.message);
    this.code = frame.code;
    this.frame = frame;
  }
}

export class Socket {
  /**
   * @param {string} path  e.g. "/ws/"
   * @param {object} options
   *   backoff: (tries) => ms between reconnects
   *   auth: {token: async () => string, refresh: async () => void} for token login
   *     (see auth.js); without it the session cookie authenticates the socket
   *   WebSocketImpl: for tests
   */
  constructor(
    path = "/ws/",
    { backoff = exponentialBackoff(), auth = null, WebSocketImpl = globalThis.WebSocket } = {},
  ) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    this.url = path.startsWith("ws") ? path : `${scheme}//${location.host}${path}`;
    this.backoff = backoff;
    this.auth = auth;
    this.authRefreshes = 0;
    this.WebSocketImpl = WebSocketImpl;
    this.channels = new Map();
    this.statusListeners = new Set();
    this.errorListeners = new Set();
    this.status = STATUS.OFFLINE;
    this.tries = 0;
    this.ref = 0;
    this.ws = null;
    this.timers = { reconnect: null, heartbeat: null, pongDeadline: null };
    this.pending = new Map(); // ref -> {resolve, reject} of requests awaiting their reply
    this.closedByUser = false;
    window.addEventListener("online", () => this.reconnectNow());
    window.addEventListener("offline", () => this.dropOffline());
  }

  /**
   * Follow a topic; the channel survives reconnects and resumes from its offset.
   * `offset`: where data read through REST stands (its Tidewire-Offset header),
   * so the first subscribe replays whatever came after that read.
   */
  channel(topic, { offset = null } = {}) {
    if (!this.channels.has(topic)) {
      const channel = new Channel(this, topic);
      channel.offset = offset;
      this.channels.set(topic, channel);
      if (this.status === STATUS.CONNECTED) this.send(channel.subscribeFrame(this.nextRef()));
    }
    return this.channels.get(topic);
  }

  unsubscribe(channel) {
    this.channels.delete(channel.topic);
    if (this.status === STATUS.CONNECTED) {
      this.send({ type: FRAME.UNSUBSCRIBE, topic: channel.topic, ref: this.nextRef() });
    }
  }

  onStatus(callback) {
    this.statusListeners.add(callback);
    callback(this.status);
    return () => this.statusListeners.delete(callback);
  }

  onError(callback) {
    this.errorListeners.add(callback);
    return () => this.errorListeners.delete(callback);
  }

  async connect() {
    this.closedByUser = false;
    clearTimeout(this.timers.reconnect);
    this.setStatus(this.tries === 0 ? STATUS.CONNECTING : STATUS.RECONNECTING);
    let url = this.url;
    if (this.auth) {
      const token = await this.auth.token();
      url += `${url.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
    }
    const ws = new this.WebSocketImpl(url);
    this.ws = ws;
    ws.onopen = () => {
      this.tries = 0;
      this.authRefreshes = 0;
      this.setStatus(STATUS.CONNECTED);
      for (const channel of this.channels.values()) this.send(channel.subscribeFrame(this.nextRef()));
      this.startHeartbeat();
    };
    ws.onmessage = (message) => this.receive(JSON.parse(message.data));
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.stopHeartbeat();
      this.ws = null;
      this.failPending();
      if (this.closedByUser) return this.setStatus(STATUS.OFFLINE);
      if (event && event.code === CLOSE.UNAUTHORIZED) return this.reauthenticate();
      if (event && event.code === CLOSE.FORBIDDEN) return this.setStatus(STATUS.UNAUTHORIZED);
      this.scheduleReconnect();
    };
  }

  /**
   * Closed 4401: the token ran out, or the user's credentials were revoked (a
   * logout or password change, maybe in another tab or browser). With a token,
   * refresh it and reconnect at once; with the session cookie, reconnect once:
   * if the session is still good (the password was changed here) it works, and
   * the topics resume from their offsets, unnoticed by the user.
   */
  async reauthenticate() {
    if (this.authRefreshes < (this.auth ? MAX_AUTH_REFRESHES : 1)) {
      this.authRefreshes += 1;
      try {
        if (this.auth) await this.auth.refresh();
        return this.connect();
      } catch (error) {
        console.warn("token refresh failed", error);
      }
    }
    this.setStatus(STATUS.UNAUTHORIZED); // logged out: the page asks the user to log in
  }

  close() {
    this.closedByUser = true;
    clearTimeout(this.timers.reconnect);
    if (this.ws) this.ws.close();
  }

  /**
   * The browser says the link is down: show it now. A close handshake cannot finish
   * offline, and Chromium fires `close` only once it gives up on it, seconds later;
   * the socket is treated as closed at once (its late `close` event is ignored).
   */
  dropOffline() {
    const ws = this.ws;
    if (!ws) return;
    ws.close();
    if (this.ws === ws) ws.onclose({ code: 1006 });
  }

  reconnectNow() {
    if (this.ws || this.closedByUser) return;
    this.connect();
  }

  scheduleReconnect() {
    this.tries += 1;
    const offline = typeof navigator !== "undefined" && navigator.onLine === false;
    this.setStatus(offline ? STATUS.OFFLINE : STATUS.RECONNECTING);
    this.timers.reconnect = setTimeout(() => this.connect(), this.backoff(this.tries));
  }

  send(frame) {
    if (this.ws && this.ws.readyState === 1) this.ws.send(JSON.stringify(frame));
  }

  /**
   * Send a frame and resolve with the server's reply to it (matched by `ref`);
   * reject with the error frame, or with a `NotSent` error when the socket is not
   * open or closes before the reply: the caller decides whether to send again.
   */
  request(frame) {
    if (!this.ws || this.ws.readyState !== 1) return Promise.reject(new NotSent("not connected"));
    const ref = this.nextRef();
    return new Promise((resolve, reject) => {
      this.pending.set(ref, { resolve, reject });
      this.send({ ...frame, ref });
    });
  }

  failPending() {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const { reject } of pending) reject(new NotSent("connection lost before the reply"));
  }

  nextRef() {
    this.ref += 1;
    return String(this.ref);
  }

  receive(frame) {
    const waiting = frame.ref !== undefined ? this.pending.get(frame.ref) : undefined;
    if (waiting) {
      this.pending.delete(frame.ref);
      if (frame.type === FRAME.ERROR) waiting.reject(new ReplyError(frame));
      else waiting.resolve(frame);
      return;
    }
    const channel = frame.topic ? this.channels.get(frame.topic) : null;
    switch (frame.type) {
      case FRAME.EVENT:
        if (channel) channel.handleEvent(frame);
        break;
      case FRAME.SIGNAL:
        if (channel) channel.handleSignal(frame);
        break;
      case FRAME.PRESENCE_STATE:
      case FRAME.PRESENCE_DIFF:
        if (channel) channel.handlePresence(frame);
        break;
      case FRAME.SUBSCRIBED:
        if (channel) channel.handleSubscribed(frame);
        break;
      case FRAME.RESET:
        if (channel) channel.handleReset(frame);
        break;
      case FRAME.PONG:
        clearTimeout(this.timers.pongDeadline);
        break;
      case FRAME.ERROR:
        for (const callback of this.errorListeners) callback(frame);
        if (!this.errorListeners.size) console.warn("tidewire error frame", frame);
        break;
      default:
        break;
    }
  }

  startHeartbeat() {
    this.stopHeartbeat();
    this.timers.heartbeat = setInterval(() => {
      this.send({ type: FRAME.PING });
      clearTimeout(this.timers.pongDeadline);
      this.timers.pongDeadline = setTimeout(() => this.ws && this.ws.close(), HEARTBEAT_TIMEOUT_MS);
    }, HEARTBEAT_INTERVAL_MS);
  }

  stopHeartbeat() {
    clearInterval(this.timers.heartbeat);
    clearTimeout(this.timers.pongDeadline);
  }

  setStatus(status) {
    if (status === this.status) return;
    this.status = status;
    for (const callback of this.statusListeners) callback(status);
  }
}
