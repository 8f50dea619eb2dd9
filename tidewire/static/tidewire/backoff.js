// Reconnect delays, injected into Socket as a `(tries) => ms` function.

/**
 * Exponential backoff with full jitter: a random delay up to base * 2^tries, capped.
 * Jitter spreads a crowd of clients that lost the server at the same moment, so
 * they do not all knock at once when it comes back.
 */
export function exponentialBackoff({ baseMs = 300, maxMs = 10000, random = Math.random } = {}) {
  return (tries) => {
    const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, tries - 1));
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  };
}
