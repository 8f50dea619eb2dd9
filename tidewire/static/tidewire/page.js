// One socket per tab, shared by everything on the page (the page's own script and
// the notification bell), as the protocol intends: each follows its topics over it.

import { Socket } from "./socket.js";

/**
 * The page's socket, made on first use and connected once the current script has
 * run (so the topics it follows go out in the first round of subscribes).
 */
export function pageSocket() {
  if (!globalThis.__tidewireSocket) {
    const socket = new Socket("/ws/");
    globalThis.__tidewireSocket = socket;
    queueMicrotask(() => socket.connect());
  }
  return globalThis.__tidewireSocket;
}
