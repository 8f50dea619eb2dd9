// A line the marketplace wrote in a conversation ("Reserved for another buyer",
// "Price lowered to €80"): no sender, so no bubble and no ticks; centered and
// muted (.chat-system), its time in the tooltip. Text only, never markup.

export const SYSTEM = "system";

export function isSystemLine(message) {
  return message.kind === SYSTEM;
}

export function systemLineElement(message, time) {
  const element = document.createElement("div");
  element.className = "chat-system";
  element.dataset.kind = SYSTEM;
  element.dataset.clientId = message.client_id;
  element.textContent = message.body;
  element.title = time(message.created_at);
  return element;
}
