import { describe, expect, it } from "vitest";
import { type CallEvent, type CallView, formatDuration, inCall, step } from "../src/call-state";

const run = (events: CallEvent[], from: CallView = { v: "home" }) => events.reduce(step, from);

describe("call state machine", () => {
  it("goes home → permission → connecting → ringing → connected → ended with the duration", () => {
    const connected = run([
      { t: "call" },
      { t: "permitted" },
      { t: "ringing" },
      { t: "answered", at: 1_000 },
    ]);
    expect(connected).toEqual({ v: "connected", since: 1_000, muted: false, keypad: false, digits: "" });
    expect(step(connected, { t: "hangup", at: 76_400 })).toEqual({ v: "ended", seconds: 75 });
  });

  it("can be answered straight from connecting (no ringing reported)", () => {
    expect(run([{ t: "call" }, { t: "permitted" }, { t: "answered", at: 0 }]).v).toBe("connected");
  });

  it("toggles mute and keypad and collects DTMF digits while connected", () => {
    const v = run([
      { t: "call" },
      { t: "permitted" },
      { t: "answered", at: 0 },
      { t: "mute" },
      { t: "keypad" },
      { t: "digit", digit: "1" },
      { t: "digit", digit: "#" },
    ]);
    expect(v).toMatchObject({ v: "connected", muted: true, keypad: true, digits: "1#" });
    expect(step(v, { t: "mute" })).toMatchObject({ muted: false });
  });

  it("ignores call controls outside a connected call", () => {
    for (const event of [{ t: "mute" }, { t: "keypad" }, { t: "digit", digit: "5" }] as CallEvent[]) {
      expect(step({ v: "ringing" }, event)).toEqual({ v: "ringing" });
      expect(step({ v: "home" }, event)).toEqual({ v: "home" });
    }
  });

  it("cancelling before the answer ends with 0 seconds", () => {
    expect(run([{ t: "call" }, { t: "hangup", at: 5 }])).toEqual({ v: "ended", seconds: 0 });
    expect(run([{ t: "call" }, { t: "permitted" }, { t: "hangup", at: 5 }])).toEqual({
      v: "ended",
      seconds: 0,
    });
  });

  it("fails with the cause from any in-call state, or from home (checks before dialling)", () => {
    expect(run([{ t: "call" }, { t: "fail", cause: "mic-denied" }])).toEqual({
      v: "failed",
      cause: "mic-denied",
    });
    expect(run([{ t: "fail", cause: "insecure" }])).toEqual({ v: "failed", cause: "insecure" });
    expect(
      run([{ t: "call" }, { t: "permitted" }, { t: "answered", at: 0 }, { t: "fail", cause: "offline" }]),
    ).toEqual({
      v: "failed",
      cause: "offline",
    });
    // Once ended, a late failure report changes nothing.
    expect(step({ v: "ended", seconds: 3 }, { t: "fail", cause: "generic" })).toEqual({
      v: "ended",
      seconds: 3,
    });
  });

  it("retries from failed or ended, and resets home from anywhere", () => {
    expect(step({ v: "failed", cause: "generic" }, { t: "call" })).toEqual({ v: "permission" });
    expect(step({ v: "ended", seconds: 0 }, { t: "call" })).toEqual({ v: "permission" });
    expect(step({ v: "connecting" }, { t: "call" })).toEqual({ v: "connecting" });
    expect(step({ v: "sent" }, { t: "reset" })).toEqual({ v: "home" });
  });

  it("shows the callback confirmation only from home", () => {
    expect(step({ v: "home" }, { t: "sent" })).toEqual({ v: "sent" });
    expect(step({ v: "ringing" }, { t: "sent" })).toEqual({ v: "ringing" });
  });

  it("knows which states are a call in progress", () => {
    expect(["permission", "connecting", "ringing"].every((v) => inCall({ v } as CallView))).toBe(true);
    expect(inCall({ v: "connected", since: 0, muted: false, keypad: false, digits: "" })).toBe(true);
    expect(["home", "sent"].some((v) => inCall({ v } as CallView))).toBe(false);
  });

  it("formats durations", () => {
    expect(formatDuration(0)).toBe("0:00");
    expect(formatDuration(75)).toBe("1:15");
    expect(formatDuration(3725)).toBe("1:02:05");
  });
});
