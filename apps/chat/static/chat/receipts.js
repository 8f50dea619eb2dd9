// Where one's own message stands, and typing indicators with their clocks.
// Pure logic with an injected clock, so node tests cover it without a browser.

// A message only moves forward along this line (a late "delivered" after "read" is ignored).
export const ORDER = ["waiting", "sending", "sent", "delivered", "read"];

/** The later of two statuses; `waiting` and `sending` swap (offline, online again). */
export function advance(current, next) {
  if (!current) return next;
  const [a, b] = [ORDER.indexOf(current), ORDER.indexOf(next)];
  if (a <= 1 && b <= 1) return next;
  return b > a ? next : current;
}

/** A stored message's status from the recipient's markers (as the server computes it). */
export function statusFor(messageId, markers) {
  if (!markers) return "sent";
  if (messageId <= markers.read_up_to) return "read";
  if (messageId <= markers.delivered_up_to) return "delivered";
  return "sent";
}

// Typing: `true` at most every 3 s while keys are pressed, `false` after 5 s idle,
// on send and on leaving; a receiver drops an indicator not refreshed within 8 s.
export const TYPING_REPEAT_MS = 3000;
export const TYPING_IDLE_MS = 5000;
export const TYPING_EXPIRE_MS = 8000;

const REAL_CLOCK = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer),
};

export class TypingSender {
  /** @param {(typing: boolean) => void} send  @param {object} clock {now, setTimeout, clearTimeout} */
  constructor(send, clock = REAL_CLOCK) {
    this.send = send;
    this.clock = clock;
    this.lastTrue = null;
    this.idle = null;
  }

  /** A key was pressed in the composer. */
  keystroke() {
    const now = this.clock.now();
    if (this.lastTrue === null || now - this.lastTrue >= TYPING_REPEAT_MS) {
      this.lastTrue = now;
      this.send(true);
    }
    this.clock.clearTimeout(this.idle);
    this.idle = this.clock.setTimeout(() => this.stop(), TYPING_IDLE_MS);
  }

  /** Sent, left, or idle: say stop once if a start was said. */
  stop() {
    this.clock.clearTimeout(this.idle);
    this.idle = null;
    if (this.lastTrue !== null) {
      this.lastTrue = null;
      this.send(false);
    }
  }
}

export class TypingWatcher {
  /** @param {(typing: boolean) => void} show */
  constructor(show, clock = REAL_CLOCK) {
    this.show = show;
    this.clock = clock;
    this.expiry = null;
    this.typing = false;
  }

  /** A typing signal from the other side. */
  receive(typing) {
    this.clock.clearTimeout(this.expiry);
    this.expiry = typing ? this.clock.setTimeout(() => this.set(false), TYPING_EXPIRE_MS) : null;
    this.set(typing);
  }

  set(typing) {
    if (typing === this.typing) return;
    this.typing = typing;
    this.show(typing);
  }
}
