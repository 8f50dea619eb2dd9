// Shows a Socket's status in a badge element: connected / reconnecting / offline.

const LOOK = {
  connecting: ["Connecting…", "text-bg-secondary"],
  connected: ["Connected", "text-bg-success"],
  reconnecting: ["Reconnecting…", "text-bg-warning"],
  offline: ["Offline", "text-bg-danger"],
  unauthorized: ["Logged out", "text-bg-danger"],
};

/** `labels` renames states for a page, e.g. {connected: "Live"}. */
export function showStatus(socket, element, labels = {}) {
  socket.onStatus((status) => {
    const [label, style] = LOOK[status];
    element.textContent = labels[status] || label;
    element.dataset.status = status;
    element.className = `badge ${style}`;
  });
}
