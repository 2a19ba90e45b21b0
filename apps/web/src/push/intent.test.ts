import { describe, expect, it } from "vitest";
import { callIntents, intentFromMessage, readCallIntent, withoutCallIntent } from "./intent";

const callId = "0b7e5c1e-4a5d-4a3e-9f7c-1c2d3e4f5a6b";
const accountId = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

describe("a call request in a notification's link", () => {
  it("reads ?answer=<callId>&account=<accountId>, and decline=1 as a decline", () => {
    expect(readCallIntent(`?answer=${callId}&account=${accountId}`)).toEqual({
      callId,
      accountId,
      action: "answer",
    });
    expect(readCallIntent(`?answer=${callId}&account=${accountId}&decline=1`)).toEqual({
      callId,
      accountId,
      action: "decline",
    });
  });

  it("ignores a link without one, or with malformed ids", () => {
    expect(readCallIntent("")).toBeNull();
    expect(readCallIntent("?tab=calls")).toBeNull();
    expect(readCallIntent(`?answer=${callId}`)).toBeNull();
    expect(readCallIntent(`?answer=x&account=${accountId}`)).toBeNull();
    expect(readCallIntent(`?answer=${callId}&account=<script>`)).toBeNull();
  });

  it("is removed from the link, keeping the rest, so a reload does not act again", () => {
    expect(withoutCallIntent(`?answer=${callId}&account=${accountId}&decline=1`)).toBe("");
    expect(withoutCallIntent(`?status=missed&answer=${callId}&account=${accountId}`)).toBe("?status=missed");
  });
});

describe("a call request from the service worker's message", () => {
  it("is read from answer and decline messages only", () => {
    expect(intentFromMessage({ type: "answer", callId, accountId })).toEqual({
      callId,
      accountId,
      action: "answer",
    });
    expect(intentFromMessage({ type: "decline", callId, accountId })?.action).toBe("decline");
    expect(intentFromMessage({ type: "open", url: "/calls" })).toBeNull();
    expect(intentFromMessage({ type: "answer", callId: "x", accountId })).toBeNull();
    expect(intentFromMessage(null)).toBeNull();
  });
});

describe("the request waiting for the portal", () => {
  it("is taken once, and only by the panel of its account", () => {
    const heard: number[] = [];
    const stop = callIntents.subscribe(() => heard.push(1));
    callIntents.put({ callId, accountId, action: "answer" });
    expect(heard).toHaveLength(1);
    expect(callIntents.take("another-account")).toBeNull();
    expect(callIntents.take(accountId)).toEqual({ callId, accountId, action: "answer" });
    expect(callIntents.take(accountId)).toBeNull();
    stop();
  });
});
