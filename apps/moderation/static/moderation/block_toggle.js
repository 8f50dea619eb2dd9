// The room header's Block / Unblock button: POST /api/blocks/ or DELETE
// /api/blocks/<user id>/. A block keeps the history and stops new messages both
// ways (the server refuses them with 403 and says whose block it is).

export class BlockToggle {
  /**
   * @param {object} options
   * @param {HTMLButtonElement} options.button
   * @param {HTMLElement} options.notice  shown while I block the other person
   * @param {{id: number, username: string}} options.other
   * @param {boolean} options.blocked  whether I block them now
   * @param {(method: string, url: string, body?: object) => Promise<object>} options.api
   * @param {(text: string) => void} options.showError
   */
  constructor({ button, notice, other, blocked, api, showError }) {
    Object.assign(this, { button, notice, other, blocked, api, showError });
    button.addEventListener("click", () => this.toggle());
    this.show();
  }

  show() {
    this.button.textContent = this.blocked ? "Unblock" : "Block";
    this.button.dataset.blocked = String(this.blocked);
    this.notice.hidden = !this.blocked;
    this.notice.textContent = `You blocked ${this.other.username}: neither of you can send messages until you unblock.`;
  }

  async toggle() {
    const blocking = !this.blocked;
    if (blocking && !window.confirm(`Block ${this.other.username}? Neither of you will be able to send messages; the history stays.`)) return;
    this.button.disabled = true;
    try {
      if (blocking) await this.api("POST", "/api/blocks/", { user: this.other.id });
      else await this.api("DELETE", `/api/blocks/${this.other.id}/`);
      this.blocked = blocking;
      this.show();
      this.showError("");
    } catch (error) {
      this.showError(error.message);
    } finally {
      this.button.disabled = false;
    }
  }
}
