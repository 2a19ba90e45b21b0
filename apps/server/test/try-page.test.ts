import { get as httpGet } from "node:http";
import { callSessions, usageTotals } from "@cac/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readyToAnswer } from "./call-clients";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  HARNESS_TIMEOUT_MS,
  type Harness,
  LIFTED,
  rawTrpc,
  signupVerified,
  startHarness,
  type TestClient,
  uniqueIp,
} from "./harness";

/**
 * A button's test page, /try/<publicId>: served to its account's members, allowed without being in
 * the domain list (for that button, from that page only), its calls logged as test calls, outside
 * the quota and the usage totals, and still rate-limited.
 */
describe("the test page", () => {
  let h: Harness;
  let owner: TestClient;
  let button: { id: string; publicId: string };
  let other: { id: string; publicId: string };
  let accountId: string;
  let drop: () => void;
  beforeAll(async () => {
    h = await startHarness({
      // Two calls per visitor address and minute: enough to see the limit hold on the test page.
      limits: { "call.ip": { points: 2, durationSeconds: 60 }, "call.button": LIFTED, "callable.ip": LIFTED },
      build: { jobs: false },
      // Not localhost, which outside production every button allows: the product's origin is then
      // in no button's list, as in production.
      env: { PUBLIC_URL: "http://portal.example.test" },
    });
    owner = (await signupVerified(h)).client;
    accountId = (await owner.trpc.account.me.query())!.account.id;
    // The product's own origin is in neither button's list.
    button = await owner.trpc.buttons.create.mutate(
      validButton({ hours: alwaysOpen, allowedDomains: ["shop.example.test"] }),
    );
    other = await owner.trpc.buttons.create.mutate(
      validButton({ name: "Other", enabled: false, allowedDomains: ["shop.example.test"] }),
    );
    drop = (await readyToAnswer(h.url, owner)).drop;
  }, HARNESS_TIMEOUT_MS);
  afterAll(async () => {
    drop?.();
    await h?.close();
  });

  const tryUrl = (publicId: string) => `${h.portalOrigin}/try/${publicId}`;
  const start = (publicId: string, headers: Record<string, string>, ip = uniqueIp()) =>
    rawTrpc(h, "calls.start", {
      input: { button: publicId },
      headers: { "x-forwarded-for": ip, ...headers },
    });

  it("is a plain page marked as a test page, with the button's snippet, that no other site can frame", async () => {
    const page = await owner.fetch(`${h.url}/try/${button.publicId}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    const html = await page.text();
    expect(html).toContain('<p class="tag">Test page</p>');
    expect(html).toContain(
      `<script src="${h.portalOrigin}/widget.js" data-button="${button.publicId}" async>`,
    );

    // Logged out, or another account's member: nothing to see.
    expect((await fetch(`${h.url}/try/${button.publicId}`)).status).toBe(401);
    // A browser opening the link signed out is sent to log in, and back here after.
    const opened = await navigate(`${h.url}/try/${button.publicId}?from=mail`);
    expect(opened.status).toBe(303);
    expect(opened.location).toBe(`/login?next=${encodeURIComponent(`/try/${button.publicId}?from=mail`)}`);
    const stranger = (await signupVerified(h)).client;
    const foreign = await stranger.fetch(`${h.url}/try/${button.publicId}`);
    expect(foreign.status).toBe(404);
    expect(await foreign.text()).not.toContain(button.publicId);
  });

  it("lets the widget call from its own test page only: never another origin, page or button", async () => {
    const own = await start(button.publicId, { origin: h.portalOrigin, referer: tryUrl(button.publicId) });
    expect(own.status, own.text).toBe(200);
    const [row] = await h.db.db
      .select()
      .from(callSessions)
      .where(eq(callSessions.id, own.json.result.data.json.sessionId));
    expect(row).toMatchObject({ test: true, usagePeriodStart: null, reservedMinutes: 5, status: "ringing" });

    const refusals: Array<Record<string, string>> = [
      // The portal's other pages.
      { origin: h.portalOrigin, referer: `${h.portalOrigin}/buttons` },
      { origin: h.portalOrigin },
      // Another button's test page.
      { origin: h.portalOrigin, referer: tryUrl(other.publicId) },
      // A customer's site naming the test page: its Origin is its own.
      { origin: "https://evil.example.test", referer: tryUrl(button.publicId) },
    ];
    for (const headers of refusals) {
      const answer = await start(button.publicId, headers);
      expect(answer.status, JSON.stringify(headers)).toBe(403);
      expect(answer.json.error.json.data.appCode).toBe("ORIGIN_NOT_ALLOWED");
    }
    // A same-origin GET carries no Origin: the page's address alone identifies it.
    const input = encodeURIComponent(JSON.stringify({ json: { button: button.publicId } }));
    const callable = await fetch(`${h.url}/trpc/widget.callable?input=${input}`, {
      headers: { referer: tryUrl(button.publicId), "x-forwarded-for": uniqueIp() },
    });
    expect(callable.status).toBe(200);
    const plain = await fetch(`${h.url}/trpc/widget.callable?input=${input}`, {
      headers: { referer: `${h.portalOrigin}/`, "x-forwarded-for": uniqueIp() },
    });
    expect(plain.status).toBe(403);
  });

  it("keeps test calls out of the quota and the usage totals, and still rate-limits them", async () => {
    // A real call opens the period's totals; then the account's minutes are all used: real calls
    // are refused, test calls still ring.
    const opened = await start(button.publicId, { origin: "https://shop.example.test" });
    expect(opened.status, opened.text).toBe(200);
    await rawTrpc(h, "calls.hangUp", {
      input: { button: button.publicId, ...opened.json.result.data.json },
      headers: { origin: "https://shop.example.test", "x-forwarded-for": uniqueIp() },
    });
    await h.db.db
      .update(usageTotals)
      .set({ usedMinutes: 100_000 })
      .where(eq(usageTotals.accountId, accountId));
    const totalsBefore = await h.db.db.select().from(usageTotals).where(eq(usageTotals.accountId, accountId));
    const real = await start(button.publicId, { origin: "https://shop.example.test" });
    expect(real.json?.error?.json?.data?.appCode).toBe("OVER_QUOTA");

    const ip = uniqueIp();
    const headers = { origin: h.portalOrigin, referer: tryUrl(button.publicId) };
    const first = await start(button.publicId, headers, ip);
    expect(first.status, first.text).toBe(200);
    // The call ends: it adds nothing to the period's minutes.
    await rawTrpc(h, "calls.hangUp", {
      input: { button: button.publicId, ...first.json.result.data.json },
      headers: { ...headers, "x-forwarded-for": ip },
    });
    expect(await h.db.db.select().from(usageTotals).where(eq(usageTotals.accountId, accountId))).toEqual(
      totalsBefore,
    );

    expect((await start(button.publicId, headers, ip)).status).toBe(200);
    const limited = await start(button.publicId, headers, ip);
    expect(limited.status).toBe(429);

    // The call log marks them.
    const log = await owner.trpc.callLog.list.query({});
    expect(log.items.filter((item) => item.test).length).toBeGreaterThanOrEqual(3);
    expect(log.items.every((item) => typeof item.test === "boolean")).toBe(true);
  });
});

/** A browser's page load (fetch cannot send `Sec-Fetch-Mode: navigate`; it sets its own). */
function navigate(url: string): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { headers: { "sec-fetch-mode": "navigate", accept: "text/html" } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, location: res.headers.location });
    });
    req.on("error", reject);
  });
}
