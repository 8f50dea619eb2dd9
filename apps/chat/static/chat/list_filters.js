// What the conversation list shows: the inbox or the archive, and the rows a
// search finds. The server searches every message of a conversation (full-text
// on PostgreSQL); until its answer comes, the rows shown match what the page
// knows (title, person, last message), so typing feels immediate.

export const SEARCH_DELAY_MS = 250; // one request per pause in typing, not per key

/** Whether a row matches a query by what the list holds (lowercase query). */
export function matchesLocally(row, query) {
  if (!query) return true;
  const last = row.last_message;
  const text = [row.listing.title, row.other.username, last && !last.deleted ? last.body : ""];
  return text.some((value) => value.toLowerCase().includes(query));
}

export class ListFilters {
  /**
   * @param {object} options
   * @param {(query: string) => Promise<number[]>} options.searchServer  ids that match
   * @param {() => void} options.onChange  render again
   */
  constructor({ searchServer, onChange }) {
    this.searchServer = searchServer;
    this.onChange = onChange;
    this.query = "";
    this.found = null; // ids the server found for this.query, once it answered
    this.showArchived = false;
    this.timer = null;
  }

  /** Whether a row is shown now. */
  shows(row) {
    if (Boolean(row.archived) !== this.showArchived) return false;
    if (!this.query) return true;
    return matchesLocally(row, this.query) || Boolean(this.found?.has(row.id));
  }

  setQuery(text) {
    this.query = text.trim().toLowerCase();
    this.found = null;
    clearTimeout(this.timer);
    this.onChange();
    if (!this.query) return;
    const asked = this.query;
    this.timer = setTimeout(async () => {
      try {
        const ids = await this.searchServer(asked);
        if (asked !== this.query) return; // typed on meanwhile
        this.found = new Set(ids);
        this.onChange();
      } catch (error) {
        console.warn("search failed", error);
      }
    }, SEARCH_DELAY_MS);
  }

  setArchived(showArchived) {
    this.showArchived = showArchived;
    this.onChange();
  }
}

/** A row's Archive / Unarchive button (inside the row's link: it must not follow it). */
export function archiveButton(row, api, onError) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "btn btn-link btn-sm p-0 archive-toggle";
  button.textContent = row.archived ? "Unarchive" : "Archive";
  button.addEventListener("click", (event) => {
    event.preventDefault();
    event.stopPropagation();
    // The list changes when the inbox event arrives (this tab and every other).
    api(row.archived ? "DELETE" : "POST", `/api/conversations/${row.id}/archive/`).catch((error) => onError(error.message));
  });
  return button;
}
