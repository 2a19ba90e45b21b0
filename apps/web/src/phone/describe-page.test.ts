import { describe, expect, it } from "vitest";
import { describeVisitor } from "./describe-page";

describe("describeVisitor", () => {
  it("says where the visitor came from, the campaign, the device and their own clock", () => {
    expect(
      describeVisitor({
        source: "Google Ads",
        campaign: "spring-sale",
        device: "mobile",
        localTime: "2026-12-02T09:14:00-05:00",
      }),
    ).toBe("from Google Ads, campaign spring-sale, on mobile, 9:14 AM their time");
    expect(
      describeVisitor({
        source: "Direct",
        campaign: null,
        device: "desktop",
        localTime: "2026-12-02T21:05:09+01:00",
      }),
    ).toBe("a direct visit, on desktop, 9:05 PM their time");
    expect(
      describeVisitor({
        source: "yelp.com",
        campaign: null,
        device: null,
        localTime: "2026-12-02T00:30:00Z",
      }),
    ).toBe("from yelp.com, 12:30 AM their time");
  });

  it("says nothing when the widget sent nothing", () => {
    expect(describeVisitor(null)).toBeNull();
    expect(describeVisitor(undefined)).toBeNull();
  });
});
