// Wire names and states of the Tidewire socket protocol (docs/protocol.md).

export const FRAME = Object.freeze({
  SUBSCRIBE: "subscribe",
  SUBSCRIBED: "subscribed",
  UNSUBSCRIBE: "unsubscribe",
  UNSUBSCRIBED: "unsubscribed",
  EVENT: "event",
  SIGNAL: "signal",
  PRESENCE_STATE: "presence_state",
  PRESENCE_DIFF: "presence_diff",
  RESET: "reset",
  ERROR: "error",
  PING: "ping",
  PONG: "pong",
});

export const STATUS = Object.freeze({
  CONNECTING: "connecting",
  CONNECTED: "connected",
  RECONNECTING: "reconnecting",
  OFFLINE: "offline",
  UNAUTHORIZED: "unauthorized",
});

export const CLOSE = Object.freeze({
  UNAUTHORIZED: 4401,
  FORBIDDEN: 4403,
  TOO_SLOW: 4008,
  RATE_LIMITED: 4429,
});

// A ping every 20 s keeps home routers and proxies (which drop links idle for
// 30-60 s) from cutting the socket; no pong within 10 s means the link is dead.
export const HEARTBEAT_INTERVAL_MS = 20000;
export const HEARTBEAT_TIMEOUT_MS = 10000;

// Refreshes tried in a row after 4401 before the client gives up and shows the
// user as logged out (a refresh token that no longer works will not start to).
export const MAX_AUTH_REFRESHES = 2;
