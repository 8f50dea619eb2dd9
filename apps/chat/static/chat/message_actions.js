// What a person may do to a message in the room, and how a changed message looks:
// their own messages can be edited (inline) or deleted for everyone within the
// edit window, the other person's reported (with a reason, for the moderators);
// an edited one says "edited", a deleted one "message deleted".
// The server decides (PATCH/DELETE answer 403/409 past the rules); the buttons
// only spare a click that would be refused.

export const DELETED_TEXT = "message deleted";

/** Milliseconds left to change a message sent at `createdAt`, 0 when none. */
export function changeTimeLeft(createdAt, windowMinutes, now = Date.now()) {
  const left = new Date(createdAt).getTime() + windowMinutes * 60000 - now;
  return Math.max(0, left);
}

/** Whether `me` may still edit or delete `message`. */
export function mayChange(message, me, windowMinutes, now = Date.now()) {
  return message.sender === me && !message.deleted && changeTimeLeft(message.created_at, windowMinutes, now) > 0;
}

function button(label, className, onClick) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = `btn btn-link btn-sm p-0 ms-2 ${className}`;
  element.textContent = label;
  element.addEventListener("click", onClick);
  return element;
}

export class MessageActions {
  /**
   * @param {object} options
   * @param {number} options.conversationId
   * @param {number} options.me  the user's id
   * @param {number} options.windowMinutes  how long a sender may change a message
   * @param {(method: string, url: string, body?: object) => Promise<{data: object}>} options.api
   * @param {(text: string) => void} options.showError
   */
  constructor({ conversationId, me, windowMinutes, api, showError }) {
    this.conversationId = conversationId;
    this.me = me;
    this.windowMinutes = windowMinutes;
    this.api = api;
    this.showError = showError;
  }

  url(message) {
    return `/api/conversations/${this.conversationId}/messages/${message.id}/`;
  }

  /** Show a stored message's state (edited, deleted) and the actions open to me now. */
  render(element, message) {
    const body = element.querySelector(".chat-body");
    if (!body || message.sender == null) return; // a line nobody wrote: nothing to change
    element.dataset.deleted = String(Boolean(message.deleted));
    if (message.deleted) {
      body.textContent = DELETED_TEXT;
      body.classList.add("chat-deleted");
      element.querySelectorAll(".chat-actions, .chat-edited, .chat-editor").forEach((node) => node.remove());
      body.hidden = false;
      return;
    }
    body.textContent = message.body; // text, never markup
    if (message.edited_at && !element.querySelector(".chat-edited")) {
      const label = document.createElement("span");
      label.className = "chat-edited ms-2";
      label.textContent = "edited";
      element.querySelector(".chat-meta").prepend(label);
    }
    if (message.edited_at) element.querySelector(".chat-edited").title = new Date(message.edited_at).toLocaleString();
    if (element.querySelector(".chat-actions")) return;
    if (mayChange(message, this.me, this.windowMinutes)) this.addControls(element, message);
    else if (message.sender !== this.me) this.addReport(element, message);
  }

  addReport(element, message) {
    const controls = document.createElement("span");
    controls.className = "chat-actions";
    controls.append(button("Report", "chat-report", () => this.report(controls, message)));
    element.querySelector(".chat-meta").append(controls);
  }

  async report(controls, message) {
    const reason = window.prompt("Why are you reporting this message? Our moderators will look at it.");
    if (reason === null || !reason.trim()) return;
    try {
      await this.api("POST", `${this.url(message)}report/`, { reason });
      controls.textContent = "reported";
    } catch (error) {
      this.showError(error.message);
    }
  }

  addControls(element, message) {
    const controls = document.createElement("span");
    controls.className = "chat-actions";
    controls.append(
      button("Edit", "chat-edit", () => this.startEdit(element, message)),
      button("Delete", "chat-delete", () => this.remove(element, message)),
    );
    element.querySelector(".chat-meta").append(controls);
    // Gone when the window closes (the server would refuse with 409 after it).
    setTimeout(() => controls.remove(), changeTimeLeft(message.created_at, this.windowMinutes));
  }

  startEdit(element, message) {
    if (element.querySelector(".chat-editor")) return;
    const body = element.querySelector(".chat-body");
    const editor = document.createElement("form");
    editor.className = "chat-editor d-flex gap-1";
    const input = document.createElement("textarea");
    input.className = "form-control form-control-sm";
    input.rows = 2;
    input.maxLength = 5000;
    input.value = body.textContent;
    input.setAttribute("aria-label", "Edit message");
    const save = document.createElement("button");
    save.type = "submit";
    save.className = "btn btn-sm btn-primary";
    save.textContent = "Save";
    const cancel = button("Cancel", "chat-edit-cancel", () => close());
    editor.append(input, save, cancel);
    const close = () => {
      editor.remove();
      body.hidden = false;
    };
    editor.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const { data } = await this.api("PATCH", this.url(message), { body: input.value });
        close();
        this.render(element, data);
      } catch (error) {
        this.showError(error.message);
      }
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Escape") close();
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        editor.requestSubmit();
      }
    });
    body.hidden = true;
    body.after(editor);
    input.focus();
  }

  async remove(element, message) {
    if (!window.confirm("Delete this message for everyone?")) return;
    try {
      const { data } = await this.api("DELETE", this.url(message));
      this.render(element, data);
    } catch (error) {
      this.showError(error.message);
    }
  }
}
