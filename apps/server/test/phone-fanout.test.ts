import { randomBytes } from "node:crypto";
import { ringingNow, sha256 } from "@cac/core";
import { accounts, authSessions, callSessions, type DbHandle, memberships, users } from "@cac/db";
import { createTestDb } from "@cac/db/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DELIVERY_CHUNK } from "../src/live/hub";
import { availableOwner } from "./call-clients";
import { HARNESS_TIMEOUT_MS, type Harness, startHarness, uniqueIp } from "./harness";
import { readSse, type SseStream, subscriptionUrl } from "./sse-reader";

const SHOP = "https://shop.test";
type AgentEvent = { type: string; sessionId?: string; call?: { sessionId: string } };

/** Agents of the account added as rows, each logged in: their session cookies. */
async function addAgents(h: Harness, accountId: string, count: number) {
  const rows = Array.from({ length: count }, (_, i) => ({
    email: `agent-${i}-${randomBytes(4).toString("hex")}@shop.test`,
    name: `Agent ${i}`,
    passwordHash: "x",
    emailVerifiedAt: new Date(),
    ageConfirmedAt: new Date(),
  }));
  const ids = await h.db.db.insert(users).values(rows).returning({ id: users.id });
  await h.db.db
    .insert(memberships)
    .values(ids.map(({ id: userId }) => ({ accountId, userId, role: "agent" as const, available: true })));
  const now = h.clock.now();
  const sessions = ids.map(({ id: userId }) => {
    const id = randomBytes(18).toString("base64url");
    const secret = randomBytes(24).toString("base64url");
    return {
      cookie: `cac_session=${id}.${secret}`,
      row: {
        id,
        userId,
        activeAccountId: accountId,
        secretHash: sha256(secret),
        createdAt: now,
        lastVerifiedAt: now,
      },
    };
  });
  await h.db.db.insert(authSessions).values(sessions.map((session) => session.row));
  return { ids: ids.map((row) => row.id), cookies: sessions.map((session) => session.cookie) };
}

const rowsOf = <T>(result: unknown) =>
  (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];

describe("a ring fans out to every phone panel of the account", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { SSE_STREAMS_PER_IP: "1000" } });
    // Every write of an agent's last-seen time, recorded by the database itself.
    await h.db.db.execute(sql`create table seen_writes (user_id uuid not null)`);
    await h.db.db.execute(sql`create function log_seen_write() returns trigger language plpgsql as $$
      begin insert into seen_writes values (new.user_id); return new; end $$`);
    await h.db.db.execute(sql`create trigger seen_write after update of seen_at on memberships
      for each row execute function log_seen_write()`);
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  it("every panel gets the ring and its end once, in order; another account's gets nothing; reconnects write nothing", async () => {
    const { owner, button } = await availableOwner(h);
    const me = await owner.trpc.account.me.query();
    const count = DELIVERY_CHUNK + 50;
    const agents = await addAgents(h, me?.account.id ?? "", count);
    const other = await availableOwner(h);
    const url = subscriptionUrl(h.url, "phone.events");
    const open = (cookie: string) => readSse(url, { headers: { cookie } });

    // The panels open, drop and reconnect, as after a restart.
    let panels: SseStream[] = [];
    for (let round = 0; round < 2; round++) {
      for (const panel of panels) panel.drop();
      panels = await Promise.all(agents.cookies.map(open));
    }
    expect(panels.every((panel) => panel.status === 200)).toBe(true);
    const otherCookie = [...other.owner.jar].map(([name, value]) => `${name}=${value}`).join("; ");
    const otherPanel = await open(otherCookie);

    const visitor = h.client({ origin: SHOP, ip: uniqueIp() });
    const started = await visitor.trpc.calls.start.mutate({ button: button.publicId });
    await Promise.all(panels.map((panel) => panel.waitFor(1, 30_000)));
    await visitor.trpc.calls.hangUp.mutate({
      button: button.publicId,
      sessionId: started.sessionId,
      token: started.token,
    });
    await Promise.all(panels.map((panel) => panel.waitFor(2, 30_000)));
    for (const panel of panels) {
      const events = panel.data() as AgentEvent[];
      expect(events.map((event) => event.type)).toEqual(["ring", "ended"]);
      expect(events[0]?.call?.sessionId).toBe(started.sessionId);
      expect(events[1]?.sessionId).toBe(started.sessionId);
    }
    expect(otherPanel.status).toBe(200);
    expect(otherPanel.data()).toEqual([]);

    // Opening a panel beats the presence store only: through a round of reconnects, at most the
    // one copy a minute reached the database (the clock here does not move).
    const writes = rowsOf<{ user_id: string; n: number }>(
      await h.db.db.execute(sql`select user_id, count(*)::int as n from seen_writes group by user_id`),
    );
    expect(writes.filter((row) => agents.ids.includes(row.user_id) && Number(row.n) > 1)).toEqual([]);
    for (const panel of [...panels, otherPanel]) panel.drop();
  }, 120_000);
});

describe("what does not open a phone panel's stream is answered as tRPC answers it", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  it("no session, a forged session, an id this server never gave", async () => {
    const { owner } = await availableOwner(h);
    const cookie = [...owner.jar].map(([name, value]) => `${name}=${value}`).join("; ");
    const refusal = async (input: unknown, headers: Record<string, string>) => {
      const stream = await readSse(subscriptionUrl(h.url, "phone.events", input), { headers });
      await stream.ended;
      return stream.events.find((event) => event.event === "serialized-error")?.data;
    };
    expect(await refusal(undefined, {})).toMatchObject({ json: { data: { code: "UNAUTHORIZED" } } });
    expect(await refusal(undefined, { cookie: "cac_session=forged.secret" })).toMatchObject({
      json: { data: { code: "UNAUTHORIZED" } },
    });
    expect(await refusal({ lastEventId: "not-an-id" }, { cookie })).toMatchObject({
      json: { data: { code: "BAD_REQUEST" } },
    });
    expect(await refusal(undefined, { cookie, "last-event-id": "99-x" })).toMatchObject({
      json: { data: { code: "BAD_REQUEST" } },
    });
  });
});

describe("panels opening together share one read of the calls ringing now", () => {
  let handle: DbHandle;
  beforeAll(async () => {
    handle = await createTestDb();
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => handle?.close());

  it("a burst of panels costs one or two reads, and a panel asking after a ring sees it", async () => {
    const [account] = await handle.db
      .insert(accounts)
      .values({ companyName: "Shop", websiteUrl: "shop.test", phone: "+12025550101" })
      .returning({ id: accounts.id });
    const accountId = account?.id ?? "";
    const ring = () =>
      handle.db
        .insert(callSessions)
        .values({ accountId, transport: "webrtc", status: "ringing" })
        .returning({ id: callSessions.id })
        .then((rows) => rows[0]?.id ?? "");
    const first = await ring();
    // Calls from before routing ring every member's panel.
    const agentId = "00000000-0000-4000-8000-000000000001";
    let reads = 0;
    const db = new Proxy(handle.db, {
      get(target, property, receiver) {
        if (property === "select") reads++;
        const value = Reflect.get(target, property, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const rung = (entries: Awaited<ReturnType<typeof ringingNow>>) =>
      entries.map((entry) => (entry.event.type === "ring" ? entry.event.call.sessionId : ""));
    const burst = await Promise.all(
      Array.from({ length: 50 }, () => ringingNow({ db }, accountId, agentId, "0-0_0-0")),
    );
    expect(burst.map(rung)).toEqual(Array.from({ length: 50 }, () => [first]));
    expect(reads).toBeLessThanOrEqual(2);

    // A read in flight when a call starts ringing never answers a panel that asks after it.
    const early = ringingNow({ db }, accountId, agentId, "0-0_0-0");
    const second = await ring();
    const late = await ringingNow({ db }, accountId, agentId, "0-0_0-0");
    expect(rung(late).sort()).toEqual([first, second].sort());
    expect(rung(await early)).toContain(first);
  });
});
