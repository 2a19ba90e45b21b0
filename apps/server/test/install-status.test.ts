import { purgeOldOrigins } from "@cac/core";
import { buttonOrigins } from "@cac/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  expectTrpcError,
  type Harness,
  LIFTED,
  signupVerified,
  startHarness,
  type TestClient,
  uniqueEmail,
  uniqueIp,
} from "./harness";

const DAY = 24 * 60 * 60 * 1000;

describe("install status: the origins a button's widget was loaded from", () => {
  let h: Harness;
  let owner: TestClient;
  let button: { id: string; publicId: string };
  beforeAll(async () => {
    // No background jobs: the origin log is flushed by hand, so "nothing written yet" holds.
    h = await startHarness({ limits: { "config.ip": LIFTED }, build: { jobs: false } });
    owner = (await signupVerified(h)).client;
    button = await owner.trpc.buttons.create.mutate(
      validButton({ hours: alwaysOpen, allowedDomains: ["shop.test"] }),
    );
  });
  afterAll(() => h.close());

  const load = (origin: string, ip = uniqueIp()) =>
    fetch(`${h.url}/widget/config/${button.publicId}`, { headers: { origin, "x-forwarded-for": ip } });
  const rows = () => h.db.db.select().from(buttonOrigins).where(eq(buttonOrigins.buttonId, button.id));
  const installsOf = async (client = owner) =>
    (await client.trpc.buttons.installs.query()).find((b) => b.buttonId === button.id);

  it("counts loads in memory and writes them in one flush: allowed with last seen, refused with a count", async () => {
    const ip = uniqueIp();
    for (let i = 0; i < 5; i++) expect((await load("https://shop.test", ip)).status).toBe(200);
    for (let i = 0; i < 7; i++) expect((await load("https://other-site.test", ip)).status).toBe(403);
    // Nothing is written per request: the config route stays free of database writes.
    expect(await rows()).toEqual([]);
    await h.originLog.flush();
    const stored = await rows();
    expect(stored.map((r) => [r.origin, r.refusedCount, r.lastAllowedAt !== null]).sort()).toEqual([
      ["https://other-site.test", 7, false],
      ["https://shop.test", 0, true],
    ]);
    // Origins only: neither the visitor's IP nor anything else of the request is kept.
    expect(JSON.stringify(stored)).not.toContain(ip);
    expect(Object.keys(stored[0] ?? {}).sort()).toEqual(
      ["buttonId", "lastAllowedAt", "lastSeenAt", "origin", "refusedCount"].sort(),
    );

    // A second flush adds to the counts of the same rows.
    await load("https://other-site.test");
    await h.originLog.flush();
    const other = (await rows()).find((r) => r.origin === "https://other-site.test");
    expect(other?.refusedCount).toBe(8);
  });

  it("writes an allowed site at most once a minute: loads in between are not counted again", async () => {
    const seen = async () => (await rows()).find((r) => r.origin === "https://shop.test")?.lastSeenAt;
    const first = await seen();
    h.clock.advance(5000);
    await load("https://shop.test");
    await h.originLog.flush();
    expect(await seen()).toEqual(first);
    // A minute of flushes later, the next load is written with its time.
    for (let i = 0; i < 12; i++) await h.originLog.flush();
    await load("https://shop.test");
    await h.originLog.flush();
    expect(await seen()).toEqual(h.clock.now());
  });

  it("keeps the origin only, never a path, and ignores the portal's own pages and opaque origins", async () => {
    await load("https://paths.test/secret/page?visitor=1");
    await load("null");
    await load(h.portalOrigin);
    await h.originLog.flush();
    const origins = (await rows()).map((r) => r.origin);
    expect(origins).toContain("https://paths.test");
    expect(origins.join(" ")).not.toMatch(/secret|visitor|null/);
    expect(origins).not.toContain(h.portalOrigin);
  });

  it("shows the install status to the account, and one update of the allowed domains allows a refused site", async () => {
    const before = await installsOf();
    expect(before?.installed.map((o) => o.host)).toEqual(["shop.test"]);
    expect(before?.installed[0]?.lastSeenAt).toBeInstanceOf(Date);
    expect(before?.refused[0]).toMatchObject({ host: "other-site.test", refusedCount: 8 });

    await owner.trpc.buttons.update.mutate({
      id: button.id,
      fields: validButton({ hours: alwaysOpen, allowedDomains: ["shop.test", "other-site.test"] }),
    });
    const after = await installsOf();
    expect(after?.installed.map((o) => o.host).sort()).toEqual(["other-site.test", "shop.test"]);
    expect(after?.refused.map((o) => o.host)).not.toContain("other-site.test");
    expect((await load("https://other-site.test")).status).toBe(200);

    // Another account sees none of it.
    const stranger = (await signupVerified(h)).client;
    expect(JSON.stringify(await stranger.trpc.buttons.installs.query())).not.toContain("other-site.test");
  });

  it("keeps at most 100 origins per button, whatever a page forges", async () => {
    for (let i = 0; i < 110; i++) await load(`https://forged-${i}.test`);
    await h.originLog.flush();
    expect((await rows()).length).toBe(100);
  });

  it("deletes the origins not seen for 30 days, and keeps the others", async () => {
    const kept = await owner.trpc.buttons.create.mutate(validButton({ name: "Second site", enabled: false }));
    const now = h.clock.now();
    await h.db.db.insert(buttonOrigins).values([
      { buttonId: kept.id, origin: "https://old.test", lastSeenAt: new Date(now.getTime() - 31 * DAY) },
      { buttonId: kept.id, origin: "https://recent.test", lastSeenAt: new Date(now.getTime() - 29 * DAY) },
    ]);
    const result = await purgeOldOrigins(h.ports, { batchSize: 1 });
    expect(result.outcome).toBe("done");
    const left = await h.db.db.select().from(buttonOrigins).where(eq(buttonOrigins.buttonId, kept.id));
    expect(left.map((r) => r.origin)).toEqual(["https://recent.test"]);
  });
});

describe("emailing the install instructions to a developer", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ limits: { "install-email.user": { points: 2, durationSeconds: 3600 } } });
  });
  afterAll(() => h.close());

  it("sends the snippet, the steps and the CSP note, saying who sent it", async () => {
    const { client, email } = await signupVerified(h, { name: "Dana Owner", companyName: "Acme Plumbing" });
    const button = await client.trpc.buttons.create.mutate(validButton());
    const dev = uniqueEmail("dev");
    expect(
      await client.trpc.buttons.emailInstructions.mutate({ id: button.id, to: dev, platform: "shopify" }),
    ).toEqual({ ok: true });
    const [mail] = await h.outbox(dev);
    expect(mail?.subject).toBe("Dana Owner asked you to add a call button to Acme Plumbing's website");
    expect(mail?.text).toContain(`Dana Owner (${email}) of Acme Plumbing`);
    expect(mail?.text).toContain(button.snippet);
    expect(mail?.text).toContain("theme.liquid");
    expect(mail?.text).toContain(`script-src ${h.portalOrigin}`);
    expect(mail?.text).toContain(`connect-src ${h.portalOrigin}`);
  });

  it("refuses a bad address with a reason for the field, and a third email in the hour with 429", async () => {
    const { client } = await signupVerified(h);
    const button = await client.trpc.buttons.create.mutate(validButton());
    const bad = await expectTrpcError(
      client.trpc.buttons.emailInstructions.mutate({ id: button.id, to: "not-an-address", platform: "html" }),
    );
    expect(bad.data?.code).toBe("BAD_REQUEST");
    expect(bad.data?.fieldErrors?.to?.[0]).toMatch(/valid email/);

    const to = uniqueEmail("dev");
    for (let i = 0; i < 2; i++) {
      await client.trpc.buttons.emailInstructions.mutate({ id: button.id, to, platform: "html" });
    }
    const res = await client.fetch(`${h.url}/trpc/buttons.emailInstructions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: { id: button.id, to, platform: "html" } }),
    });
    expect(res.status).toBe(429);
    expect(await res.text()).toMatch(/Too many attempts\. Please wait/);
    expect(await h.outbox(to)).toHaveLength(2);
  });
});
