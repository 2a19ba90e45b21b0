import { describe, expect, it } from "vitest";
import { clickIntent, notificationFor, readPush } from "./notifications";

const callId = "0b7e5c1e-4a5d-4a3e-9f7c-1c2d3e4f5a6b";
const accountId = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
const incoming = {
  type: "incoming_call",
  title: "Call from acme-plumbing.com/pricing",
  body: "Pricing button",
  tag: `call-${callId}`,
  url: `/?answer=${callId}&account=${accountId}`,
  callId,
  accountId,
  actions: [
    { action: "answer", title: "Answer" },
    { action: "decline", title: "Decline" },
  ],
};

describe("the notification a push shows", () => {
  it("an incoming call: its title and body, Answer and Decline, kept until acted on, tagged by the call", () => {
    const { title, options } = notificationFor(readPush(JSON.stringify(incoming)));
    expect(title).toBe("Call from acme-plumbing.com/pricing");
    expect(options.body).toBe("Pricing button");
    expect(options.tag).toBe(`call-${callId}`);
    expect(options.requireInteraction).toBe(true);
    expect(options.actions).toEqual(incoming.actions);
    expect(options.data).toEqual({ url: incoming.url, callId, accountId, type: "incoming_call" });
  });

  it("the call taken elsewhere replaces it under the same tag, without buttons, and may go away", () => {
    const taken = { ...incoming, type: "call_taken", title: "Taken by Ana", body: "", actions: undefined };
    const { title, options } = notificationFor(readPush(JSON.stringify(taken)));
    expect(title).toBe("Taken by Ana");
    expect(options.tag).toBe(`call-${callId}`);
    expect(options.requireInteraction).toBeUndefined();
    expect(options.actions).toBeUndefined();
  });

  it("a push that is not one of ours still shows something (browsers require it) and links home", () => {
    expect(readPush("not json")).toBeNull();
    expect(readPush(JSON.stringify({ type: "other", title: "x" }))).toBeNull();
    expect(readPush(null)).toBeNull();
    expect(notificationFor(null).title).toBe("Click & Call");
  });

  it("keeps the link on the portal: an absolute or protocol-relative url becomes /", () => {
    expect(readPush(JSON.stringify({ ...incoming, url: "https://evil.test/" }))?.url).toBe("/");
    expect(readPush(JSON.stringify({ ...incoming, url: "//evil.test/" }))?.url).toBe("/");
  });
});

describe("what a click asks of the portal", () => {
  const data = { url: incoming.url, callId, accountId, type: "incoming_call" as const };

  it("Answer (or the notification itself) tells an open portal to answer, else opens the answer link", () => {
    for (const action of ["answer", ""]) {
      expect(clickIntent(action, data)).toEqual({
        kind: "message",
        message: { type: "answer", callId, accountId },
        fallbackUrl: incoming.url,
      });
    }
  });

  it("Decline tells an open portal to decline, else opens the link with decline=1", () => {
    expect(clickIntent("decline", data)).toEqual({
      kind: "message",
      message: { type: "decline", callId, accountId },
      fallbackUrl: `${incoming.url}&decline=1`,
    });
  });

  it("other notifications open their page", () => {
    expect(clickIntent("", { url: "/calls", callId: null, accountId, type: "missed_call" })).toEqual({
      kind: "message",
      message: { type: "open", url: "/calls" },
      fallbackUrl: "/calls",
    });
    expect(clickIntent("", null)).toEqual({
      kind: "message",
      message: { type: "open", url: "/" },
      fallbackUrl: "/",
    });
  });
});
