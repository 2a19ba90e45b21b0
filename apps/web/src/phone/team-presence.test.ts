import { describe, expect, it } from "vitest";
import { applyNotice } from "./team-presence";

const member = (userId: string, reachable: boolean, available = reachable) => ({
  userId,
  name: userId,
  email: `${userId}@example.com`,
  role: "agent" as const,
  available,
  reachable,
  joinedAt: new Date(0),
});

describe("applyNotice (a presence notice on the team as read)", () => {
  it("changes that member's reachability only; reachable implies available", () => {
    const team = [member("dana", false, false), member("lee", true)];
    expect(applyNotice(team, { type: "member", userId: "dana", reachable: true })).toEqual([
      member("dana", true, true),
      member("lee", true),
    ]);
    // Not reachable says nothing of the switch: it stays as read until the team is read again.
    expect(applyNotice(team, { type: "member", userId: "lee", reachable: false })).toEqual([
      member("dana", false, false),
      member("lee", false, true),
    ]);
  });

  it("drops a removed member", () => {
    const team = [member("dana", true), member("lee", true)];
    expect(applyNotice(team, { type: "member", userId: "lee", reachable: false, removed: true })).toEqual([
      member("dana", true),
    ]);
  });
});
