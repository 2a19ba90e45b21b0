import { describe, expect, it } from "vitest";
import { applicationServerKey, deviceLabel, subscriptionInput } from "./device";

describe("the label a device gets in the list", () => {
  it("names the browser and system from the user agent", () => {
    expect(
      deviceLabel(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        false,
      ),
    ).toBe("Chrome on Linux");
    expect(
      deviceLabel(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        true,
      ),
    ).toBe("Safari on iOS (app)");
    expect(
      deviceLabel("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", false),
    ).toBe("Firefox on Windows");
    expect(
      deviceLabel(
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
        false,
      ),
    ).toBe("Chrome on Android");
  });

  it("says 'This browser' for one it does not recognize, within the server's 100 characters", () => {
    expect(deviceLabel("curl/8.0", false)).toBe("This browser");
    expect(deviceLabel("", false)).toBe("This browser");
    expect(deviceLabel("x".repeat(300), true).length).toBeLessThanOrEqual(100);
  });
});

describe("the subscription as the server takes it", () => {
  it("decodes the VAPID public key (base64url, unpadded) to its 65 bytes", () => {
    const bytes = new Uint8Array(65).map((_, i) => (i * 37 + 4) % 256);
    const base64url = Buffer.from(bytes).toString("base64url");
    expect([...applicationServerKey(base64url)]).toEqual([...bytes]);
  });

  it("passes the endpoint and keys, and refuses an incomplete subscription", () => {
    const endpoint = "https://push.example.test/send/abc";
    expect(subscriptionInput({ endpoint, keys: { p256dh: "BP", auth: "au" } })).toEqual({
      endpoint,
      keys: { p256dh: "BP", auth: "au" },
    });
    expect(() => subscriptionInput({ endpoint, keys: { p256dh: "BP" } })).toThrow(/incomplete/);
  });
});
