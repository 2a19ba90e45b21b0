import { newPublicId, publicConfigSweeper } from "@cac/core";
import type { PublicButtonConfig } from "@cac/core/domain";
import { accounts, buttons, type DbHandle } from "@cac/db";
import { createTestDb } from "@cac/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Lru } from "../src/adapters/lru";
import { createMemoryPubSub } from "../src/adapters/pubsub";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  HARNESS_TIMEOUT_MS,
  type Harness,
  LIFTED,
  signupVerified,
  startHarness,
  type TestClient,
  unique,
} from "./harness";

const SHOP = "https://shop.test";

const getConfig = (h: Harness, publicId: string, headers: Record<string, string> = {}) =>
  fetch(`${h.url}/widget/config/${publicId}`, { headers: { origin: SHOP, ...headers } });

/** Every way a service reaches the database; none may be used to serve a kept config. */
function spyOnDatabase(h: Harness) {
  const db = h.ports.db;
  return (["select", "selectDistinct", "execute", "insert", "update", "delete", "transaction"] as const).map(
    (method) => vi.spyOn(db, method),
  );
}

/** A signed-up owner on the Pro plan, so the suite may turn on many buttons (50). */
async function proOwner(h: Harness): Promise<TestClient> {
  const { client } = await signupVerified(h);
  const me = await client.trpc.account.me.query();
  await h.db.db.update(accounts).set({ plan: "pro" }).where(eq(accounts.id, me!.account.id));
  return client;
}

/** `count` live buttons of the owner's account, written straight into the database. */
async function seedButtons(h: Harness, owner: TestClient, count: number): Promise<string[]> {
  const me = await owner.trpc.account.me.query();
  const fields = validButton({ hours: alwaysOpen });
  const rows = Array.from({ length: count }, (_, i) => ({
    ...fields,
    name: `Seeded ${i}`,
    accountId: me!.account.id,
    publicId: newPublicId(),
  }));
  await h.db.db.insert(buttons).values(rows);
  return rows.map((row) => row.publicId);
}

describe("public config cache, one instance", () => {
  let h: Harness;
  let owner: TestClient;
  beforeAll(async () => {
    // Jobs off: the sweep reads the database, so this suite runs it by hand.
    h = await startHarness({
      limits: { "config.ip": LIFTED },
      env: { PUBLIC_CONFIG_CACHE_ENTRIES: "100" },
      build: { jobs: false },
    });
    owner = await proOwner(h);
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("serves a kept config with no database work, however long the button stays unchanged", async () => {
    const { publicId } = await owner.trpc.buttons.create.mutate(validButton());
    const first = await getConfig(h, publicId);
    expect(first.status).toBe(200);
    const body = await first.text();

    const spies = spyOnDatabase(h);
    // Minutes later (the widget is on every page view of the site), still the same hour.
    const now = Date.now();
    vi.spyOn(Date, "now").mockReturnValue(now + 5 * 60 * 1000);
    const again = await getConfig(h, publicId);
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(body);
    expect(again.headers.get("etag")).toBe(first.headers.get("etag"));
    for (const spy of spies) expect(spy, spy.getMockName()).not.toHaveBeenCalled();
  });

  it("still checks the Origin of every request against the kept allowed domains", async () => {
    const { publicId } = await owner.trpc.buttons.create.mutate(validButton());
    expect((await getConfig(h, publicId)).status).toBe(200);
    const spies = spyOnDatabase(h);
    const denied = await getConfig(h, publicId, { origin: "https://evil.test" });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ host: "evil.test" });
    expect(denied.headers.get("cache-control")).toBe("no-store");
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it("holds at most PUBLIC_CONFIG_CACHE_ENTRIES in memory, and serves the others from the shared store", async () => {
    // An account of their own: these are past any plan's limit, which the API would refuse.
    const ids = await seedButtons(h, (await signupVerified(h)).client, 150);
    for (const id of ids) {
      const res = await getConfig(h, id);
      expect(res.status).toBe(200);
      expect(((await res.json()) as PublicButtonConfig).id).toBe(id);
      expect(h.publicConfig.localSize).toBeLessThanOrEqual(100);
    }
    // The first ones left this instance's memory; their bodies come back the same.
    const evicted = ids[0]!;
    expect(h.publicConfig.peek(evicted)).toBeUndefined();
    const shared = await h.publicConfig.load(evicted);
    expect(shared).toMatchObject({ etag: expect.stringMatching(/^".+"$/) });
    const res = await getConfig(h, evicted);
    expect(res.headers.get("etag")).toBe(shared!.etag);
    expect(h.publicConfig.localSize).toBeLessThanOrEqual(100);
  });

  it("answers 304 to a matching If-None-Match, and 200 with a new ETag once the button changed", async () => {
    const created = await owner.trpc.buttons.create.mutate(validButton());
    const etag = (await getConfig(h, created.publicId)).headers.get("etag")!;
    const revalidated = await getConfig(h, created.publicId, { "if-none-match": etag });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe("");

    await owner.trpc.buttons.update.mutate({ id: created.id, fields: validButton({ label: "Ring us" }) });
    const changed = await getConfig(h, created.publicId, { "if-none-match": etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    expect(((await changed.json()) as PublicButtonConfig).label).toBe("Ring us");
  });

  it("a change made without forgetting the config (a plan's webhook turning a button off) goes at the next sweep", async () => {
    const created = await owner.trpc.buttons.create.mutate(validButton());
    expect((await getConfig(h, created.publicId)).status).toBe(200);
    // What a downgrade's webhook does: the button goes off, in the database only.
    await h.db.db
      .update(buttons)
      .set({ enabled: false, updatedAt: new Date(h.clock.now().getTime() + 1000) })
      .where(eq(buttons.id, created.id));
    expect((await getConfig(h, created.publicId)).status).toBe(200);
    await publicConfigSweeper(h.ports)();
    expect((await getConfig(h, created.publicId)).status).toBe(404);
  });
});

describe("public config cache, two instances of one deployment", () => {
  let shared: DbHandle;
  let a: Harness;
  let b: Harness;
  let owner: TestClient;
  beforeAll(async () => {
    shared = await createTestDb();
    // One database; and one pubsub: Redis under a prefix of their own in CI, else one in memory.
    const db = { ...shared, close: async () => {} };
    // Jobs off: only the forget message can carry an edit to the other instance within the test.
    const build = process.env.REDIS_URL
      ? { jobs: false, pubsubKeyPrefix: unique("cac-test") }
      : { jobs: false, pubsub: createMemoryPubSub() };
    a = await startHarness({ db, build, limits: { "config.ip": LIFTED } });
    b = await startHarness({ db, build, limits: { "config.ip": LIFTED } });
    owner = await proOwner(a);
  }, HARNESS_TIMEOUT_MS);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await shared?.close();
  }, HARNESS_TIMEOUT_MS);

  /** Polls briefly: a message through Redis takes a moment; a sweep would take seconds. */
  async function labelOn(h: Harness, publicId: string, label: string) {
    const deadline = Date.now() + 1000;
    for (;;) {
      const body = (await (await getConfig(h, publicId)).json()) as PublicButtonConfig;
      if (body.label === label || Date.now() > deadline) return body.label;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it("an edit on one instance shows at once on the other, which held the old config", async () => {
    const created = await owner.trpc.buttons.create.mutate(validButton({ label: "Call us" }));
    expect(await labelOn(b, created.publicId, "Call us")).toBe("Call us");
    expect(b.publicConfig.peek(created.publicId)).toBeTruthy();

    await owner.trpc.buttons.update.mutate({ id: created.id, fields: validButton({ label: "Call now" }) });
    expect(await labelOn(b, created.publicId, "Call now")).toBe("Call now");

    await owner.trpc.buttons.setEnabled.mutate({ id: created.id, enabled: false });
    const deadline = Date.now() + 1000;
    let status = 200;
    while (status !== 404 && Date.now() < deadline) status = (await getConfig(b, created.publicId)).status;
    expect(status).toBe(404);
  });

  it("both instances serve the same body and ETag, so a CDN's revalidation holds whichever answers", async () => {
    const created = await owner.trpc.buttons.create.mutate(validButton());
    const fromA = await getConfig(a, created.publicId);
    const etag = fromA.headers.get("etag")!;
    const fromB = await getConfig(b, created.publicId);
    expect(fromB.headers.get("etag")).toBe(etag);
    expect(await fromB.text()).toBe(await fromA.text());
    expect((await getConfig(b, created.publicId, { "if-none-match": etag })).status).toBe(304);
  });
});

describe("the LRU", () => {
  it("drops the least recently used entry past its capacity", () => {
    const lru = new Lru<string, number>(3);
    lru.set("a", 1);
    lru.set("b", 2);
    lru.set("c", 3);
    expect(lru.get("a")).toBe(1);
    lru.set("d", 4);
    expect(lru.size).toBe(3);
    expect(lru.peek("b")).toBeUndefined();
    expect([lru.peek("a"), lru.peek("c"), lru.peek("d")]).toEqual([1, 3, 4]);
    // A peek is not a use: "c" is now the oldest.
    lru.peek("c");
    lru.get("a");
    lru.set("e", 5);
    expect(lru.peek("c")).toBeUndefined();
    expect(lru.size).toBe(3);
  });
});
