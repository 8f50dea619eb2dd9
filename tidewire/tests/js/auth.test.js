import assert from "node:assert/strict";
import { test } from "node:test";

import { TokenAuth } from "../../static/tidewire/auth.js";

function fakeFetch(responses) {
  const calls = [];
  const impl = async (url, options) => {
    calls.push({ url, body: JSON.parse(options.body) });
    const [status, body] = responses.shift();
    return { ok: status < 400, status, json: async () => body };
  };
  return { impl, calls };
}

test("login, then refresh swaps the access token; concurrent refreshes share one request", async () => {
  const { impl, calls } = fakeFetch([
    [200, { access: "a1", refresh: "r1" }],
    [200, { access: "a2" }],
  ]);
  const auth = await TokenAuth.login("ada", "pw", { fetchImpl: impl });
  assert.equal(await auth.token(), "a1");
  await Promise.all([auth.refresh(), auth.refresh()]);
  assert.equal(await auth.token(), "a2");
  assert.equal(calls.length, 2);
  assert.deepEqual(calls[1], { url: "/api/auth/token/refresh/", body: { refresh: "r1" } });
  assert.deepEqual(auth.headers(), { Authorization: "Bearer a2" });
});

test("a refused refresh rejects", async () => {
  const { impl } = fakeFetch([[401, { detail: "Token is invalid" }]]);
  const auth = new TokenAuth({ access: "a", refresh: "r" }, { fetchImpl: impl });
  await assert.rejects(auth.refresh(), /HTTP 401/);
});
