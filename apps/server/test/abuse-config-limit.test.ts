import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import { HARNESS_TIMEOUT_MS, type Harness, signupVerified, startHarness } from "./harness";

describe("public button config: rate limits per IP and per button", () => {
  let h: Harness;
  let publicId: string;
  let otherId: string;
  beforeAll(async () => {
    h = await startHarness({
      limits: {
        "config.ip": { points: 3, durationSeconds: 60 },
        "config.button": { points: 5, durationSeconds: 60 },
      },
    });
    const owner = (await signupVerified(h)).client;
    publicId = (await owner.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }))).publicId;
    // The Free plan has one active button: the other button is another business's.
    const other = (await signupVerified(h)).client;
    otherId = (await other.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }))).publicId;
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  type Refusal = { error: string; reason: string; retryAfterSeconds: number };
  const get = (id: string, ip: string, headers: Record<string, string> = {}) =>
    fetch(`${h.url}/widget/config/${id}`, {
      headers: { origin: "https://shop.test", "x-forwarded-for": ip, ...headers },
    });

  it("answers 429 with Retry-After and a JSON reason once an IP passes its limit; 304s count and still work", async () => {
    const ip = "198.51.100.10";
    const first = await get(publicId, ip);
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag")!;
    expect((await get(publicId, ip, { "if-none-match": etag })).status).toBe(304);
    expect((await get(otherId, ip)).status).toBe(200);

    const refused = await get(publicId, ip);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get("cache-control")).toBe("no-store");
    // The widget on the customer's site can read why.
    expect(refused.headers.get("access-control-allow-origin")).toBe("https://shop.test");
    const body = (await refused.json()) as Refusal;
    expect(body).toMatchObject({ reason: "rate_limited", retryAfterSeconds: retryAfter });
    expect(body.error).toMatch(/too many requests/i);

    // Another visitor is not affected.
    expect((await get(publicId, "198.51.100.11")).status).toBe(200);
  });

  it("limits one button across many IPs, without touching other buttons", async () => {
    // Per-button count so far: 3 (first test). Two more from fresh IPs reach the limit of 5.
    expect((await get(publicId, "198.51.100.20")).status).toBe(200);
    expect((await get(publicId, "198.51.100.21")).status).toBe(200);
    const refused = await get(publicId, "198.51.100.22");
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as Refusal).reason).toBe("rate_limited");
    expect((await get(otherId, "198.51.100.23")).status).toBe(200);
  });

  it("made-up button ids answer 404", async () => {
    const res = await get("btn_doesnotexist", "198.51.100.30");
    expect(res.status).toBe(404);
    expect(((await res.json()) as Refusal).error).toMatch(/does not exist/);
  });
});
