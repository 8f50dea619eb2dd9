// Runs an async task when asked, but one run at a time and at most one start per
// `intervalMs`, however often it is asked: a burst of 500 events becomes a handful
// of refreshes, not 500. Asked while a run is under way, it runs once more after it,
// so what changed meanwhile is read too. A failed run is tried again after `retryMs`.

// A short wait before the first run lets the rest of a burst arrive: an import's
// events come within milliseconds of each other.
const DELAY_MS = 100;
// One refresh a second at most keeps a busy dashboard readable and the server idle.
const INTERVAL_MS = 1000;
const RETRY_MS = 5000;

export class CoalescingScheduler {
  /**
   * @param {() => Promise<void>} task
   * @param {object} options  delayMs, intervalMs, retryMs; onError(error);
   *   clock: {now, setTimeout, clearTimeout} (tests pass a fake one)
   */
  constructor(
    task,
    { delayMs = DELAY_MS, intervalMs = INTERVAL_MS, retryMs = RETRY_MS, onError = () => {}, clock } = {},
  ) {
    this.task = task;
    this.delayMs = delayMs;
    this.intervalMs = intervalMs;
    this.retryMs = retryMs;
    this.onError = onError;
    this.clock = clock || {
      now: () => Date.now(),
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (timer) => clearTimeout(timer),
    };
    this.timer = null;
    this.running = false;
    this.pending = false;
    this.lastStart = -Infinity;
    this.runs = 0; // finished runs, failed or not
  }

  /** Ask for a run: soon, but not before the interval since the last start has passed. */
  request() {
    this.pending = true;
    if (this.running) return; // it runs again when the current run ends
    this.schedule(Math.max(this.delayMs, this.lastStart + this.intervalMs - this.clock.now()));
  }

  schedule(waitMs) {
    if (this.timer !== null) return;
    this.timer = this.clock.setTimeout(() => this.run(), waitMs);
  }

  async run() {
    this.timer = null;
    this.pending = false;
    this.running = true;
    this.lastStart = this.clock.now();
    let failed = false;
    try {
      await this.task();
    } catch (error) {
      failed = true;
      this.onError(error);
    } finally {
      this.running = false;
      this.runs += 1;
    }
    if (this.pending) this.request();
    else if (failed) this.schedule(this.retryMs);
  }

  /** Forget a waiting run (the page goes away). */
  cancel() {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.pending = false;
  }
}
