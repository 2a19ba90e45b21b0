import { describe, expect, it } from "vitest";
import { visitorContextColumns, visitorContextSchema, visitorSource } from "../src/domain";

describe("visitorSource", () => {
  it("names paid Google traffic Google Ads, by gclid or by utm_medium cpc/ppc from google", () => {
    expect(visitorSource({ gclid: "EAIaIQobChMI" })).toBe("Google Ads");
    expect(visitorSource({ gclid: "abc", utmSource: "newsletter" })).toBe("Google Ads");
    expect(visitorSource({ utmSource: "google", utmMedium: "cpc" })).toBe("Google Ads");
    expect(visitorSource({ utmSource: "Google", utmMedium: "PPC" })).toBe("Google Ads");
    expect(visitorSource({ utmSource: "bing", utmMedium: "cpc" })).toBe("Microsoft Ads");
  });

  it("names a utm_source: known ones pretty, others as sent", () => {
    expect(visitorSource({ utmSource: "google", utmMedium: "organic" })).toBe("Google");
    expect(visitorSource({ utmSource: "facebook" })).toBe("Facebook");
    expect(visitorSource({ utmSource: "fb", referrer: "https://www.google.com/" })).toBe("Facebook");
    expect(visitorSource({ utmSource: "newsletter" })).toBe("Newsletter");
    expect(visitorSource({ utmSource: "bing" })).toBe("Bing");
    expect(visitorSource({ utmSource: " spring-flyer " })).toBe("spring-flyer");
  });

  it("names a search engine's referrer organic search, and any other referrer by its host", () => {
    expect(visitorSource({ referrer: "https://www.google.com/" })).toBe("Google (organic)");
    expect(visitorSource({ referrer: "https://www.google.co.uk/search?q=plumber" })).toBe("Google (organic)");
    expect(visitorSource({ referrer: "https://www.bing.com/search?q=x" })).toBe("Bing (organic)");
    expect(visitorSource({ referrer: "https://duckduckgo.com/" })).toBe("DuckDuckGo (organic)");
    expect(visitorSource({ referrer: "https://www.yelp.com/biz/acme" })).toBe("yelp.com");
    expect(visitorSource({ referrer: "https://blog.example.org/post" })).toBe("blog.example.org");
    // Not a search engine, only a look-alike host.
    expect(visitorSource({ referrer: "https://notgoogle.com/" })).toBe("notgoogle.com");
  });

  it("says Direct when nothing tells where the visit came from", () => {
    expect(visitorSource({})).toBe("Direct");
    expect(visitorSource({ referrer: "", utmSource: "  " })).toBe("Direct");
    expect(visitorSource({ referrer: "not a url" })).toBe("Direct");
  });
});

describe("visitorContextSchema", () => {
  const valid = {
    referrer: "https://www.google.com/",
    utmSource: "google",
    utmMedium: "cpc",
    utmCampaign: "spring-sale",
    utmTerm: "emergency plumber",
    utmContent: "ad-1",
    gclid: "EAIaIQobChMI",
    device: "mobile",
    localTime: "2026-12-02T09:14:00-05:00",
  };

  it("accepts a full context, and an empty one", () => {
    expect(visitorContextSchema.parse(valid)).toEqual(valid);
    expect(visitorContextSchema.parse({})).toEqual({});
  });

  it("caps the lengths: referrer 512, utm_* 100, gclid 200", () => {
    const referrer = `https://example.com/${"a".repeat(512 - 20)}`;
    expect(referrer).toHaveLength(512);
    expect(visitorContextSchema.safeParse({ referrer }).success).toBe(true);
    expect(visitorContextSchema.safeParse({ referrer: `${referrer}a` }).success).toBe(false);
    for (const key of ["utmSource", "utmMedium", "utmCampaign", "utmTerm", "utmContent"]) {
      expect(visitorContextSchema.safeParse({ [key]: "x".repeat(100) }).success).toBe(true);
      const refused = visitorContextSchema.safeParse({ [key]: "x".repeat(101) });
      expect(refused.success).toBe(false);
      expect(refused.error?.issues[0]?.message).toMatch(/too long \(at most 100/);
    }
    expect(visitorContextSchema.safeParse({ gclid: "g".repeat(200) }).success).toBe(true);
    expect(visitorContextSchema.safeParse({ gclid: "g".repeat(201) }).success).toBe(false);
  });

  it("refuses a referrer that is not an http(s) URL, an unknown device and a local time without offset", () => {
    expect(visitorContextSchema.safeParse({ referrer: "javascript:alert(1)" }).success).toBe(false);
    expect(visitorContextSchema.safeParse({ referrer: "nonsense" }).success).toBe(false);
    expect(visitorContextSchema.safeParse({ device: "tablet" }).success).toBe(false);
    expect(visitorContextSchema.safeParse({ localTime: "2026-12-02T09:14:00" }).success).toBe(false);
    expect(visitorContextSchema.safeParse({ localTime: "yesterday" }).success).toBe(false);
    expect(visitorContextSchema.safeParse({ localTime: "2026-13-45T09:14:00+01:00" }).success).toBe(false);
    expect(visitorContextSchema.safeParse({ localTime: "2026-12-02T09:14:00.123+05:30" }).success).toBe(true);
  });

  it("refuses control characters, like every text input", () => {
    expect(visitorContextSchema.safeParse({ utmCampaign: "spring\u0000sale" }).success).toBe(false);
    expect(visitorContextSchema.safeParse({ referrer: "https://a.com/\u001b[31m" }).success).toBe(false);
  });
});

describe("visitorContextColumns", () => {
  it("maps what was sent to the columns, with the derived source", () => {
    expect(
      visitorContextColumns({
        utmSource: "google",
        utmMedium: "cpc",
        utmCampaign: "spring-sale",
        device: "mobile",
        localTime: "2026-12-02T09:14:00-05:00",
      }),
    ).toEqual({
      referrer: null,
      utmSource: "google",
      utmMedium: "cpc",
      utmCampaign: "spring-sale",
      utmTerm: null,
      utmContent: null,
      gclid: null,
      device: "mobile",
      visitorLocalTime: "2026-12-02T09:14:00-05:00",
      source: "Google Ads",
    });
  });

  it("stores an empty context as Direct, and no context as unknown (all null)", () => {
    expect(visitorContextColumns({}).source).toBe("Direct");
    expect(Object.values(visitorContextColumns(undefined)).every((v) => v === null)).toBe(true);
  });
});
