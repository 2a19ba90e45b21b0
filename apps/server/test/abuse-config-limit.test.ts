import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import { HARNESS_TIMEOUT_MS, type Harness, signupVerified, startHarness } from "./harness";

describe("public button config: rate limits per IP (its /64 for IPv6), not per button", () => {
  let h: Harness;
  let publicId: string;
  let otherId: string;
  beforeAll(async () => {
    h = await startHarness({
      limits: { "config.ip": { points: 3, durationSeconds: 60 } },
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

  it("an IPv6 visitor is one visitor per /64: rotating addresses inside it reaches the same limit", async () => {
    // Four addresses of one /64 against a limit of 3 per IP.
    const statuses = [];
    for (const ip of [
      "2001:db8:c0f:1::1",
      "2001:db8:c0f:1::2",
      "2001:db8:c0f:1:ffff::1",
      "2001:db8:c0f:1:abcd:ef01:2345:6789",
    ]) {
      statuses.push((await get(publicId, ip)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    // The next /64 is someone else.
    expect((await get(publicId, "2001:db8:c0f:2::1")).status).toBe(200);
  });

  it("a flood from many IPs does not refuse the button's other visitors (no per-button limit)", async () => {
    // The flood the issue measured: 12,000 requests in seconds from rotating addresses used to
    // spend a per-button budget of 12,000 a minute and give every visitor 429 for the rest of it.
    const flood = 12_100;
    const statuses = new Map<number, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < flood) {
          const n = next++;
          const res = await get(publicId, `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`);
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      }),
    );
    expect(Object.fromEntries(statuses)).toEqual({ 200: flood });
    const visitor = await get(publicId, "198.51.100.40");
    expect(visitor.status).toBe(200);
    expect((await get(otherId, "198.51.100.41")).status).toBe(200);
  });

  it("made-up button ids answer 404", async () => {
    const res = await get("btn_doesnotexist", "198.51.100.30");
    expect(res.status).toBe(404);
    expect(((await res.json()) as Refusal).error).toMatch(/does not exist/);
  });
});
