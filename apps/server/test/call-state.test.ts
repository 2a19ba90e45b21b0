/**
 * phone.callState: what a member's portal learns when it opens a call from a push notification —
 * still ringing for them (so it answers), taken (by whom), or over.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableOwner } from "./call-clients";
import { expectTrpcError, type Harness, signupVerified, startHarness, uniqueIp } from "./harness";

const SHOP = "https://shop.test";

describe("phone.callState", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("ringing for the member, then answered by name, then ended with who had taken it", async () => {
    const { owner, button, panel } = await availableOwner(h);
    try {
      const visitor = h.client({ origin: SHOP, ip: uniqueIp() });
      const started = await visitor.trpc.calls.start.mutate({ button: button.publicId });
      if (started.transport !== "webrtc") throw new Error("expected a browser call");
      const callId = started.sessionId;

      expect(await owner.trpc.phone.callState.query({ callId })).toEqual({
        state: "ringing",
        answeredBy: null,
        ringsYou: true,
      });

      await owner.trpc.phone.answer.mutate({ sessionId: callId });
      expect(await owner.trpc.phone.callState.query({ callId })).toEqual({
        state: "answered",
        answeredBy: "Dana Owner",
        ringsYou: false,
      });

      await owner.trpc.phone.hangUp.mutate({ sessionId: callId });
      expect(await owner.trpc.phone.callState.query({ callId })).toEqual({
        state: "ended",
        answeredBy: "Dana Owner",
        ringsYou: false,
      });
    } finally {
      panel.drop();
    }
  });

  it("a declined call is ended with nobody having taken it", async () => {
    const { owner, button, panel } = await availableOwner(h);
    try {
      const visitor = h.client({ origin: SHOP, ip: uniqueIp() });
      const started = await visitor.trpc.calls.start.mutate({ button: button.publicId });
      if (started.transport !== "webrtc") throw new Error("expected a browser call");
      await owner.trpc.phone.decline.mutate({ sessionId: started.sessionId });
      expect(await owner.trpc.phone.callState.query({ callId: started.sessionId })).toEqual({
        state: "ended",
        answeredBy: null,
        ringsYou: false,
      });
    } finally {
      panel.drop();
    }
  });

  it("another account's call and a malformed id are refused as not found / bad input", async () => {
    const { owner, button, panel } = await availableOwner(h);
    try {
      const started = await h
        .client({ origin: SHOP, ip: uniqueIp() })
        .trpc.calls.start.mutate({ button: button.publicId });
      if (started.transport !== "webrtc") throw new Error("expected a browser call");
      const stranger = (await signupVerified(h)).client;
      const foreign = await expectTrpcError(
        stranger.trpc.phone.callState.query({ callId: started.sessionId }),
      );
      expect(foreign.data?.code).toBe("NOT_FOUND");
      const bad = await expectTrpcError(owner.trpc.phone.callState.query({ callId: "nope" }));
      expect(bad.data?.httpStatus).toBe(400);
    } finally {
      panel.drop();
    }
  });
});
