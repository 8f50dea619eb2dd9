import assert from "node:assert/strict";
import { test } from "node:test";

// The socket reads location and listens on window; give it both, as a page would.
globalThis.location = { protocol: "http:", host: "example.test" };
globalThis.window = { addEventListener() {} };
const { Socket } = await import("../../static/tidewire/socket.js");

class FakeWebSocket {
  static instances = [];
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    FakeWebSocket.instances.push(this);
  }
  send(data) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
    this.onclose?.();
  }
  open() {
    this.readyState = 1;
    this.onopen();
  }
  deliver(frame) {
    this.onmessage({ data: JSON.stringify(frame) });
  }
}

function connectedSocket() {
  FakeWebSocket.instances = [];
  const socket = new Socket("/ws/", { backoff: () => 0, WebSocketImpl: FakeWebSocket });
  return socket;
}

test("subscribes on open and resumes from the last offset after a reconnect", async () => {
  const socket = connectedSocket();
  const channel = socket.channel("records.users");
  const seen = [];
  channel.on("user_update", (event, offset) => seen.push([event.data, offset]));
  socket.connect();
  const first = FakeWebSocket.instances[0];
  assert.equal(first.url, "ws://example.test/ws/");
  first.open();
  assert.deepEqual(first.sent, [{ type: "subscribe", topic: "records.users", ref: "1" }]);
  first.deliver({ type: "subscribed", topic: "records.users", offset: 4 });
  first.deliver({ type: "event", topic: "records.users", offset: 5, event: { type: "user_update", data: "a" } });
  first.deliver({ type: "event", topic: "records.users", offset: 5, event: { type: "user_update", data: "a" } });
  assert.deepEqual(seen, [["a", 5]]); // the repeat is dropped

  first.close();
  assert.equal(socket.status, "reconnecting");
  await new Promise((resolve) => setTimeout(resolve, 5));
  const second = FakeWebSocket.instances[1];
  second.open();
  assert.equal(socket.status, "connected");
  assert.deepEqual(second.sent, [{ type: "subscribe", topic: "records.users", ref: "2", offset: 5 }]);
  socket.close();
});

test("join listeners hear whether the topic was reset", () => {
  const socket = connectedSocket();
  const channel = socket.channel("t.a");
  const joins = [];
  channel.onJoin((join) => joins.push(join));
  socket.connect();
  const ws = FakeWebSocket.instances[0];
  ws.open();
  ws.deliver({ type: "subscribed", topic: "t.a", offset: 3 });
  ws.deliver({ type: "reset", topic: "t.a", offset: 9 });
  ws.deliver({ type: "subscribed", topic: "t.a", offset: 9 });
  assert.deepEqual(joins, [
    { offset: 3, reset: true },
    { offset: 9, reset: true },
  ]);
  assert.equal(channel.offset, 9);
  socket.close();
});

test("a 4401 close refreshes the token and reconnects with the new one at once", async () => {
  FakeWebSocket.instances = [];
  let access = "old";
  let refreshes = 0;
  const auth = {
    token: async () => access,
    refresh: async () => {
      refreshes += 1;
      access = "new";
    },
  };
  const socket = new Socket("/ws/", { backoff: () => 60000, auth, WebSocketImpl: FakeWebSocket });
  await socket.connect();
  const first = FakeWebSocket.instances[0];
  assert.equal(first.url, "ws://example.test/ws/?token=old");
  first.open();
  first.readyState = 3;
  first.onclose({ code: 4401, reason: "token expired" });
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(refreshes, 1);
  const second = FakeWebSocket.instances[1];
  assert.equal(second.url, "ws://example.test/ws/?token=new"); // no 60 s backoff wait
  second.open();
  assert.equal(socket.status, "connected");
  socket.close();
});

test("when refreshing cannot help the socket reports the user as logged out", async () => {
  FakeWebSocket.instances = [];
  const auth = {
    token: async () => "t",
    refresh: async () => {
      throw new Error("refresh token expired");
    },
  };
  const socket = new Socket("/ws/", { backoff: () => 0, auth, WebSocketImpl: FakeWebSocket });
  const statuses = [];
  socket.onStatus((status) => statuses.push(status));
  await socket.connect();
  FakeWebSocket.instances[0].onclose({ code: 4401 });
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(socket.status, "unauthorized");
  assert.equal(FakeWebSocket.instances.length, 1);
  socket.close();
});

test("a session socket closed 4401 reconnects once, then reports the user as logged out", async () => {
  const socket = connectedSocket();
  await socket.connect();
  FakeWebSocket.instances[0].open();
  FakeWebSocket.instances[0].onclose({ code: 4401, reason: "password changed" });
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(FakeWebSocket.instances.length, 2); // the session may still be good: try once
  FakeWebSocket.instances[1].onclose({ code: 4401, reason: "authentication required" });
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(socket.status, "unauthorized");
  assert.equal(FakeWebSocket.instances.length, 2); // no loop of reconnects
  socket.close();
});

test("signals and presence frames reach their channel's listeners", async () => {
  const socket = connectedSocket();
  const channel = socket.channel("room.1");
  const signals = [];
  const presence = [];
  channel.onSignal("typing", (body) => signals.push(body));
  channel.onPresence((frame) => presence.push(frame.type));
  await socket.connect();
  const ws = FakeWebSocket.instances[0];
  ws.open();
  ws.deliver({ type: "signal", topic: "room.1", event: { type: "typing", user: 2 } });
  ws.deliver({ type: "signal", topic: "room.2", event: { type: "typing", user: 3 } });
  ws.deliver({ type: "presence_state", topic: "room.1", presences: {} });
  ws.deliver({ type: "presence_diff", topic: "room.1", joins: {}, leaves: {} });
  assert.deepEqual(signals, [{ type: "typing", user: 2 }]);
  assert.deepEqual(presence, ["presence_state", "presence_diff"]);
  assert.equal(channel.offset, null); // a signal has no offset and moves nothing
  socket.close();
});

test("push resolves with the reply to its ref, rejects with the error frame", async () => {
  const socket = connectedSocket();
  const channel = socket.channel("chat.conversation.7");
  socket.connect();
  const ws = FakeWebSocket.instances[0];
  ws.open();
  const sent = channel.push("message", { body: "Hi", client_id: "c1" });
  const frame = ws.sent.at(-1);
  assert.deepEqual(frame, {
    type: "message",
    topic: "chat.conversation.7",
    body: "Hi",
    client_id: "c1",
    ref: frame.ref,
  });
  ws.deliver({ type: "ack", topic: "chat.conversation.7", ref: frame.ref, client_id: "c1" });
  assert.equal((await sent).client_id, "c1");

  const refused = channel.push("message", { body: "" });
  ws.deliver({ type: "error", code: "invalid_frame", message: "blank", ref: ws.sent.at(-1).ref });
  await assert.rejects(refused, (error) => error.code === "invalid_frame");
  socket.close();
});

test("push rejects NotSent when not connected or when the socket closes first", async () => {
  const { NotSent } = await import("../../static/tidewire/socket.js");
  const socket = connectedSocket();
  const channel = socket.channel("chat.conversation.7");
  await assert.rejects(channel.push("typing", { typing: true }), NotSent);
  socket.connect();
  const ws = FakeWebSocket.instances[0];
  ws.open();
  const waiting = channel.push("message", { body: "Hi", client_id: "c2" });
  socket.close();
  await assert.rejects(waiting, NotSent);
});

test("going offline shows at once, even while the close handshake hangs", () => {
  const listeners = {};
  const realWindow = globalThis.window;
  globalThis.window = { addEventListener: (name, listener) => (listeners[name] = listener) };
  class HangingClose extends FakeWebSocket {
    close() {
      this.readyState = 2; // closing: offline, the server's answer never comes
    }
  }
  try {
    FakeWebSocket.instances = [];
    const socket = new Socket("/ws/", { backoff: () => 60_000, WebSocketImpl: HangingClose });
    socket.connect();
    const ws = FakeWebSocket.instances[0];
    ws.open();
    assert.equal(socket.status, "connected");
    listeners.offline();
    assert.notEqual(socket.status, "connected");
    assert.equal(socket.ws, null);
    ws.onclose({ code: 1006 }); // the browser's own close event, later: ignored
    assert.equal(FakeWebSocket.instances.length, 1);
    socket.close();
  } finally {
    globalThis.window = realWindow;
  }
});
