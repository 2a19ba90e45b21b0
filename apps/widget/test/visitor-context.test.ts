// @vitest-environment happy-dom
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { localTime, visitorContext } from "../src/visitor-context";
import { visitorInNewYork } from "./helpers";

visitorInNewYork({ beforeAll, afterAll });

afterEach(() => {
  sessionStorage.clear();
  vi.unstubAllGlobals();
});

const landing = (referrer: string, query: string) => {
  sessionStorage.cc = `${referrer} ${query}`;
};

describe("visitorContext", () => {
  it("sends the landing's campaign parameters, the cross-origin referrer, the device and the local time", () => {
    landing(
      "https://www.google.com/search?q=plumber",
      "?utm_source=google&utm_medium=cpc&utm_campaign=spring-sale&utm_term=emergency+plumber&utm_content=ad%201&gclid=Cj0K&x=1",
    );
    vi.stubGlobal("matchMedia", () => ({ matches: true }));
    const context = visitorContext({ collectContext: true });
    expect(context).toMatchObject({
      referrer: "https://www.google.com/search?q=plumber",
      utmSource: "google",
      utmMedium: "cpc",
      utmCampaign: "spring-sale",
      utmTerm: "emergency plumber",
      utmContent: "ad 1",
      gclid: "Cj0K",
      device: "mobile",
    });
    expect(context?.localTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  });

  it("sends nothing when the button does not collect it", () => {
    landing("https://www.google.com/", "?utm_source=google");
    expect(visitorContext({ collectContext: false })).toBeUndefined();
    expect(visitorContext({})).toBeUndefined();
  });

  it("leaves out a same-origin referrer, and works with nothing kept", () => {
    landing(`${location.origin}/pricing`, "");
    vi.stubGlobal("matchMedia", () => ({ matches: false }));
    vi.stubGlobal("innerWidth", 1280);
    expect(visitorContext({ collectContext: true })).toEqual({
      device: "desktop",
      localTime: expect.any(String),
    });
    sessionStorage.clear();
    expect(Object.keys(visitorContext({ collectContext: true }) ?? {}).sort()).toEqual([
      "device",
      "localTime",
    ]);
  });

  it("cuts values to the server's caps and drops control characters, so a call is never refused for them", () => {
    landing(
      `https://ads.example.com/${"p".repeat(200)}?${"q".repeat(600)}`,
      `?utm_campaign=${"c".repeat(150)}&utm_term=spring%00%1Bsale&gclid=${"g".repeat(300)}`,
    );
    const context = visitorContext({ collectContext: true });
    expect(context?.referrer).toBe(`https://ads.example.com/${"p".repeat(200)}`);
    expect(context?.utmCampaign).toHaveLength(100);
    expect(context?.utmTerm).toBe("springsale");
    expect(context?.gclid).toHaveLength(200);
  });
});

describe("localTime", () => {
  it("writes the wall clock with its offset", () => {
    // 14:14 UTC is 9:14 in New York (EST, -05:00).
    expect(localTime(new Date("2026-03-02T14:14:05Z"))).toBe("2026-03-02T09:14:05-05:00");
  });
});
