// Token login for the socket and for fetch: keeps an access/refresh pair fresh.

export class TokenAuth {
  /**
   * @param {{access: string, refresh: string}} tokens  from POST /api/auth/token/
   * @param {object} options  refreshUrl; fetchImpl for tests
   */
  constructor(tokens, { refreshUrl = "/api/auth/token/refresh/", fetchImpl = globalThis.fetch } = {}) {
    this.access = tokens.access;
    this.refreshToken = tokens.refresh;
    this.refreshUrl = refreshUrl;
    this.fetchImpl = fetchImpl;
    this.pending = null;
  }

  /** Log in with a username and password. */
  static async login(username, password, { url = "/api/auth/token/", fetchImpl = globalThis.fetch } = {}) {
    const response = await fetchImpl(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username, password }),
    });
    if (!response.ok) throw new Error(`login failed: HTTP ${response.status}`);
    return new TokenAuth(await response.json(), { fetchImpl });
  }

  async token() {
    return this.access;
  }

  /** Get a new access token; concurrent callers share one request. */
  refresh() {
    if (!this.pending) {
      this.pending = this.fetchImpl(this.refreshUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh: this.refreshToken }),
      })
        .then(async (response) => {
          if (!response.ok) throw new Error(`refresh failed: HTTP ${response.status}`);
          const body = await response.json();
          this.access = body.access;
          if (body.refresh) this.refreshToken = body.refresh;
        })
        .finally(() => {
          this.pending = null;
        });
    }
    return this.pending;
  }

  /** Headers for fetch: `Authorization: Bearer <access>`. */
  headers() {
    return { Authorization: `Bearer ${this.access}` };
  }
}
