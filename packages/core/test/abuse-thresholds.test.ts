import { describe, expect, it } from "vitest";
import { abuseThresholdsWith, defaultAbuseThresholds } from "../src/domain/abuse-thresholds";

describe("automatic abuse flagging thresholds", () => {
  it("the defaults are named constants the server merges its overrides into", () => {
    expect(abuseThresholdsWith()).toEqual(defaultAbuseThresholds);
    expect(abuseThresholdsWith({ flagSeconds: 60 }).callStarts).toEqual(defaultAbuseThresholds.callStarts);
    expect(defaultAbuseThresholds.flagSeconds).toBe(24 * 60 * 60);
  });
});
