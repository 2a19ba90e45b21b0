import {
  AGENT_PRESENCE_MS,
  availableAgents,
  CONNECTION_LOST_MS,
  type Presence,
  recordHeartbeats,
  SEEN_COPY_EVERY_MS,
  setAgentAvailable,
  sweepStaleCalls,
  touchAgent,
  touchCall,
} from "@cac/core";
import { accounts, callSessions, type DbHandle, memberships, users } from "@cac/db";
import { createTestDb } from "@cac/db/testing";
import { eq, sql } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryPresence, createRedisPresence } from "../src/adapters/presence";
import { createMemoryPubSub } from "../src/adapters/pubsub";
import { TestClock, unique } from "./harness";
import { redisForSuite } from "./redis-server";

const silent = pino({ level: "silent" });
const HEARTBEAT_MS = 10_000;

type Store = { name: string; make(): Presence; cluster: boolean };

let redis: { url: string; stop(): Promise<void> };
let prefix = "";
const stores: Store[] = [
  { name: "in-process", make: () => createMemoryPresence(), cluster: false },
  // Every instance made here shares the suite's Redis keys, as instances of one deployment do.
  { name: "Redis", make: () => createRedisPresence(redis.url, silent, prefix), cluster: true },
];

let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
  redis = await redisForSuite();
  // A database trigger records every write of an agent's last-seen time: what reached it, counted
  // by the database itself.
  await handle.db.execute(sql`create table seen_writes (user_id uuid not null, seen_at timestamptz)`);
  await handle.db.execute(sql`create function log_seen_write() returns trigger language plpgsql as $$
    begin insert into seen_writes values (new.user_id, new.seen_at); return new; end $$`);
  await handle.db.execute(sql`create trigger seen_write after update of seen_at on memberships
    for each row execute function log_seen_write()`);
});
afterAll(async () => {
  await handle?.close();
  await redis?.stop();
});

async function account(agents: number, available = true) {
  const [row] = await handle.db
    .insert(accounts)
    .values({ companyName: "Shop", websiteUrl: "shop.test", phone: "+12025550101" })
    .returning({ id: accounts.id });
  const accountId = row?.id ?? "";
  const ids = await handle.db
    .insert(users)
    .values(
      Array.from({ length: agents }, (_, i) => ({
        email: `${unique("agent")}-${i}@shop.test`,
        name: `Agent ${i}`,
        passwordHash: "x",
        ageConfirmedAt: new Date(),
      })),
    )
    .returning({ id: users.id });
  await handle.db
    .insert(memberships)
    .values(ids.map(({ id: userId }) => ({ accountId, userId, role: "agent" as const, available })));
  return { accountId, ids: ids.map((user) => user.id) };
}

async function writesOf(userIds: string[]) {
  const rows = (await handle.db.execute(
    sql`select user_id, count(*)::int as n from seen_writes where user_id = any(${`{${userIds.join(",")}}`}::uuid[]) group by user_id`,
  )) as unknown;
  const list = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as Array<{
    user_id: string;
    n: number;
  }>;
  return new Map(list.map((row) => [row.user_id, Number(row.n)]));
}

/** A call answered now by the one agent of a new account, whose heartbeat the database copied then. */
async function answeredCall(store: Store) {
  const clock = new TestClock();
  const presence = store.make();
  const pubsub = createMemoryPubSub();
  const deps = { db: handle.db, clock, presence, pubsub, log: silent, onCallEnded: async () => {} };
  const { accountId, ids } = await account(1);
  const [agent] = ids as [string];
  const answeredAt = clock.now();
  await recordHeartbeats(deps, [agent]);
  const [call] = await handle.db
    .insert(callSessions)
    .values({
      accountId,
      transport: "webrtc",
      status: "in-progress",
      answeredBy: agent,
      startedAt: answeredAt,
      answeredAt,
      lastActivityAt: answeredAt,
    })
    .returning({ id: callSessions.id });
  return { clock, presence, pubsub, deps, agent, sessionId: call?.id ?? "", answeredAt };
}

describe.each(stores)("presence ($name)", (store) => {
  beforeAll(() => {
    prefix = unique("cac-presence");
  });

  it("an available agent counts while heard from, and not once the last heartbeat is 45 s old", async () => {
    const presence = store.make();
    const clock = new TestClock();
    const deps = { db: handle.db, clock, presence };
    const { accountId, ids } = await account(2);
    const [heard, away] = ids as [string, string];
    await setAgentAvailable(deps, away, false);
    expect(await availableAgents(deps, accountId)).toEqual([]);
    // Both panels beat; only the agent set available counts.
    await Promise.all([touchAgent(deps, heard), touchAgent(deps, away)]);
    expect(await availableAgents(deps, accountId)).toEqual([{ id: heard }]);
    clock.advance(AGENT_PRESENCE_MS - 1000);
    expect(await availableAgents(deps, accountId)).toEqual([{ id: heard }]);
    clock.advance(2000);
    expect(await availableAgents(deps, accountId)).toEqual([]);
    // The panel comes back: its first heartbeat counts at once.
    await touchAgent(deps, heard);
    expect(await availableAgents(deps, accountId)).toEqual([{ id: heard }]);
    // None of these heartbeats was written to the database.
    expect(await writesOf([heard])).toEqual(new Map());
    await presence.close();
  });

  it("writes each agent's heartbeat to the database at most once a minute, however many instances beat it", async () => {
    const clock = new TestClock();
    // Two instances of a deployment, each with all the panels open (Redis); one in-process.
    const instances = store.cluster ? [store.make(), store.make()] : [store.make()];
    const { accountId, ids } = await account(50);
    const minutes = 5;
    for (let at = 0; at <= minutes * 60_000; at += HEARTBEAT_MS) {
      for (const presence of instances) await recordHeartbeats({ db: handle.db, clock, presence }, ids);
      // Still present throughout: the store has every heartbeat.
      if (at % 60_000 === 0) {
        const present = await availableAgents(
          { db: handle.db, clock, presence: instances[0] as Presence },
          accountId,
        );
        expect(present).toHaveLength(ids.length);
      }
      clock.advance(HEARTBEAT_MS);
    }
    const writes = await writesOf(ids);
    // At 0, 60, …, 300 s: one write per agent per minute, never one per heartbeat or per instance.
    for (const id of ids) expect(writes.get(id)).toBe(minutes + 1);
    // The copy is never older than a minute and a heartbeat.
    const [row] = await handle.db
      .select({ seen: memberships.seenAt })
      .from(memberships)
      .where(eq(memberships.userId, ids[0] ?? ""));
    expect(clock.now().getTime() - (row?.seen?.getTime() ?? 0)).toBeLessThanOrEqual(
      SEEN_COPY_EVERY_MS + HEARTBEAT_MS,
    );
    for (const presence of instances) await presence.close();
  });

  it("when the store has lost an agent's heartbeats, the database's copy answers, never for longer", async () => {
    const clock = new TestClock();
    const before = store.make();
    const { accountId, ids } = await account(1);
    const [agent] = ids as [string];
    await recordHeartbeats({ db: handle.db, clock, presence: before }, [agent]);
    const copiedAt = clock.now().getTime();
    clock.advance(30_000);
    await touchAgent({ clock, presence: before }, agent);
    await before.close();
    // A new store knows nothing (in-process: a restart; Redis: its keys are gone).
    prefix = unique("cac-presence");
    const after = store.make();
    const deps = { db: handle.db, clock, presence: after };
    clock.advance(10_000);
    expect(await availableAgents(deps, accountId)).toEqual([{ id: agent }]);
    // The copy is older than the last heartbeat: the agent looks away sooner, never later.
    clock.advance(copiedAt + AGENT_PRESENCE_MS - clock.now().getTime() + 1);
    expect(await availableAgents(deps, accountId)).toEqual([]);
    await after.close();
  });

  it.each(["agent", "visitor"] as const)(
    "a call whose %s vanishes first ends at that party's last heartbeat, to the second",
    async (first) => {
      // Answered at T; the agent's heartbeat copied to the database then, and not since.
      const { clock, presence, pubsub, deps, agent, sessionId, answeredAt } = await answeredCall(store);
      // Both are heard from for a while (the agent's heartbeats reach only the store), then the
      // first party vanishes at 17 s and the other at 23 s.
      const last = { [first]: 17_000, [first === "agent" ? "visitor" : "agent"]: 23_000 } as Record<
        string,
        number
      >;
      for (let at = 1000; at <= 23_000; at += 1000) {
        clock.advance(1000);
        if (at <= (last.agent ?? 0)) await touchAgent(deps, agent);
        if (at <= (last.visitor ?? 0)) await touchCall(deps, sessionId);
      }
      // Nobody sweeps until long after.
      clock.advance(CONNECTION_LOST_MS + 60_000);
      expect(await sweepStaleCalls(deps, 30)).toBe(1);
      const [row] = await handle.db.select().from(callSessions).where(eq(callSessions.id, sessionId));
      expect(row).toMatchObject({
        status: "completed",
        failureReason: "The connection was lost.",
        durationSeconds: 17,
      });
      expect(row?.endedAt).toEqual(new Date(answeredAt.getTime() + 17_000));
      await presence.close();
      await pubsub.close();
    },
  );

  it("a call whose agent's panel is still heard from stays up, though the database's copy is old", async () => {
    const { clock, presence, pubsub, deps, agent, sessionId } = await answeredCall(store);
    for (let at = 0; at < 3 * CONNECTION_LOST_MS; at += HEARTBEAT_MS) {
      clock.advance(HEARTBEAT_MS);
      await touchAgent(deps, agent);
      await touchCall(deps, sessionId);
      expect(await sweepStaleCalls(deps, 30)).toBe(0);
    }
    // Hung up, so no later test's sweep finds it.
    await handle.db.update(callSessions).set({ status: "completed" }).where(eq(callSessions.id, sessionId));
    await presence.close();
    await pubsub.close();
  });
});

describe.each(stores)("live panel streams ($name)", (store) => {
  const member = () => ({ accountId: crypto.randomUUID(), userId: crypto.randomUUID() });
  const eventually = async (check: () => Promise<boolean>) => {
    for (let i = 0; !(await check()); i++) {
      if (i > 100) throw new Error("condition not met");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it("a member holds a stream while one of their panels is open here, per account", async () => {
    const presence = store.make();
    try {
      const m = member();
      const elsewhere = { ...m, accountId: crypto.randomUUID() };
      expect(await presence.holdingStreams([m])).toEqual([false]);
      const first = presence.holdStream(m);
      const second = presence.holdStream(m);
      expect(await presence.holdingStreams([m, elsewhere])).toEqual([true, false]);
      first();
      first();
      expect(await presence.holdingStreams([m])).toEqual([true]);
      second();
      await eventually(async () => !(await presence.holdingStreams([m]))[0]);
    } finally {
      await presence.close();
    }
  });

  it("reachability answers lastSeen and holdingStreams together, in the order asked", async () => {
    const presence = store.make();
    try {
      const [heard, holding, neither] = [member(), member(), member()];
      const at = new Date("2026-03-02T10:00:00Z");
      await presence.beat([heard.userId], at);
      const release = presence.holdStream(holding);
      const members = [heard, holding, neither];
      expect(await presence.reachability(members)).toEqual([
        { seenAt: at, holding: false },
        { seenAt: null, holding: true },
        { seenAt: null, holding: false },
      ]);
      expect((await presence.reachability(members)).map((m) => m.seenAt)).toEqual(
        await presence.lastSeen(members.map((m) => m.userId)),
      );
      expect((await presence.reachability(members)).map((m) => m.holding)).toEqual(
        await presence.holdingStreams(members),
      );
      expect(await presence.reachability([])).toEqual([]);
      release();
    } finally {
      await presence.close();
    }
  });

  it("each change of who holds a stream makes the account's cached answers stale", async () => {
    const presence = store.make();
    try {
      const m = member();
      const before = (await presence.readCallable("button", m.accountId)).version;
      await presence.keepCallable("button", { callable: false, at: 1, version: before }, 5_000);
      expect((await presence.readCallable("button", m.accountId)).entry).toEqual({
        callable: false,
        at: 1,
        version: before,
      });
      const release = presence.holdStream(m);
      await eventually(async () => (await presence.readCallable("button", m.accountId)).version > before);
      const held = (await presence.readCallable("button", m.accountId)).version;
      release();
      await eventually(async () => (await presence.readCallable("button", m.accountId)).version > held);
      await presence.bump(m.accountId);
      expect((await presence.readCallable("button", m.accountId)).version).toBeGreaterThan(held + 1);
    } finally {
      await presence.close();
    }
  });
});

describe("live panel streams across instances (Redis)", () => {
  beforeAll(() => {
    prefix = unique("cac-presence-live");
  });

  it("another instance sees the stream at once, and its end", async () => {
    const make = () => createRedisPresence(redis.url, silent, prefix);
    const [a, b] = [make(), make()];
    try {
      const m = { accountId: crypto.randomUUID(), userId: crypto.randomUUID() };
      const release = a.holdStream(m);
      for (let i = 0; !(await b.holdingStreams([m]))[0]; i++) {
        if (i > 100) throw new Error("B never saw A's stream");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // What a call start on B reads of A's member, in one round trip: the stream and the heartbeat.
      const at = new Date();
      await a.beat([m.userId], at);
      expect(await b.reachability([m])).toEqual([{ seenAt: at, holding: true }]);
      release();
      for (let i = 0; (await b.holdingStreams([m]))[0]; i++) {
        if (i > 100) throw new Error("B never saw A's stream end");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await b.reachability([m])).toEqual([{ seenAt: at, holding: false }]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
