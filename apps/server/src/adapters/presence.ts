import { randomUUID } from "node:crypto";
import type { CallableEntry, Logger, Member, Presence } from "@cac/core";
import { connectRedis, luaScript, whenReady } from "./redis-client";

/**
 * How long an instance's claim that a member holds a live stream lasts unless renewed: it is
 * renewed every LIVE_RENEW_MS while the stream is open, and dropped at once when it closes, so
 * this only bounds how long an instance that died keeps its panels' members reachable.
 */
export const LIVE_STREAM_TTL_MS = 30_000;
const LIVE_RENEW_MS = 10_000;

const memberKey = (m: Member) => `${m.accountId}:${m.userId}`;

/**
 * This instance's open phone panel streams, counted per member: `changed` runs when a member's
 * first stream here opens or their last one closes.
 */
function heldStreams(changed: (member: Member, holding: boolean) => void) {
  const held = new Map<string, { member: Member; count: number }>();
  return {
    hold(member: Member) {
      const key = memberKey(member);
      const known = held.get(key);
      if (known) known.count += 1;
      else {
        held.set(key, { member, count: 1 });
        changed(member, true);
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const now = held.get(key);
        if (!now) return;
        now.count -= 1;
        if (now.count > 0) return;
        held.delete(key);
        changed(member, false);
      };
    },
    has: (member: Member) => held.has(memberKey(member)),
    members: () => [...held.values()].map((h) => h.member),
  };
}

/** Who hears of a member's streams changing here (Presence.watchStreams). */
function streamWatchers() {
  const listeners = new Set<(member: Member, holding: boolean) => void>();
  return {
    add(listener: (member: Member, holding: boolean) => void) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    tell(member: Member, holding: boolean) {
      for (const listener of listeners) listener(member, holding);
    },
  };
}

/** Cached "callable now" answers and presence versions, in this process. */
function memoryCallables() {
  const versions = new Map<string, number>();
  const entries = new Map<string, { entry: CallableEntry; until: number }>();
  return {
    bump(accountId: string) {
      versions.set(accountId, (versions.get(accountId) ?? 0) + 1);
    },
    read(buttonId: string, accountId: string) {
      const kept = entries.get(buttonId);
      if (kept && kept.until <= Date.now()) entries.delete(buttonId);
      const entry = kept && kept.until > Date.now() ? kept.entry : null;
      return { entry, version: versions.get(accountId) ?? 0 };
    },
    keep(buttonId: string, entry: CallableEntry, ttlMs: number) {
      entries.set(buttonId, { entry, until: Date.now() + ttlMs });
    },
    sweep() {
      const now = Date.now();
      for (const [id, kept] of entries) if (kept.until <= now) entries.delete(id);
    },
  };
}

/**
 * How long an agent not heard from stays known. Far past the presence window (45 s) and the copy
 * period (60 s): after it, the database's copy answers for them.
 */
const RETAIN_MS = 10 * 60_000;
/** Keys per Redis command: a batch of thousands of agents goes in a few round trips. */
const BATCH = 1000;
const CONNECT_WAIT_MS = 400;
const COMMAND_TIMEOUT_MS = 500;

type Known = { seenAt: number; copiedAt: number | null; touched: number };

/** In this process: enough for one server instance (the default). */
export function createMemoryPresence(): Presence {
  const agents = new Map<string, Known>();
  const callables = memoryCallables();
  const watchers = streamWatchers();
  const streams = heldStreams((member, holding) => {
    callables.bump(member.accountId);
    watchers.tell(member, holding);
  });
  // Agents gone for a while are forgotten (by real time: tests move their clocks freely).
  const forget = setInterval(() => {
    const before = Date.now() - RETAIN_MS;
    for (const [id, known] of agents) if (known.touched < before) agents.delete(id);
    callables.sweep();
  }, RETAIN_MS / 4);
  forget.unref();
  const seenAt = (id: string) => {
    const known = agents.get(id);
    return known ? new Date(known.seenAt) : null;
  };
  return {
    mode: "memory",
    holdStream: (member) => streams.hold(member),
    async holdingStreams(members) {
      return members.map((member) => streams.has(member));
    },
    async reachability(members) {
      return members.map((member) => ({ seenAt: seenAt(member.userId), holding: streams.has(member) }));
    },
    watchStreams: (listener) => watchers.add(listener),
    async bump(accountId) {
      callables.bump(accountId);
    },
    async readCallable(buttonId, accountId) {
      return callables.read(buttonId, accountId);
    },
    async keepCallable(buttonId, entry, ttlMs) {
      callables.keep(buttonId, entry, ttlMs);
    },
    async beat(userIds, at) {
      const seenAt = at.getTime();
      const touched = Date.now();
      for (const id of userIds) {
        const known = agents.get(id);
        if (known) {
          known.seenAt = Math.max(known.seenAt, seenAt);
          known.touched = touched;
        } else agents.set(id, { seenAt, copiedAt: null, touched });
      }
    },
    async lastSeen(userIds) {
      return userIds.map(seenAt);
    },
    async claimCopies(userIds, at, everyMs) {
      const now = at.getTime();
      return userIds.filter((id) => {
        const known = agents.get(id);
        if (!known || (known.copiedAt !== null && now - known.copiedAt < everyMs)) return false;
        known.copiedAt = now;
        return true;
      });
    },
    async close() {
      clearInterval(forget);
      agents.clear();
    },
  };
}

/** The later of a heartbeat kept in Redis (ms, as text) and this instance's own, or null for neither. */
function newest(shared: string | null | undefined, own: Date | null | undefined): Date | null {
  const sharedMs = shared ? Number(shared) : 0;
  const ownMs = own?.getTime() ?? 0;
  return sharedMs || ownMs ? new Date(Math.max(sharedMs, ownMs)) : null;
}

/** Whether an HVALS of a member's live key (a pipeline result) names an instance still holding a stream. */
function liveIn(result: [Error | null, unknown] | undefined, now: number): boolean {
  const [error, until] = result ?? [null, []];
  return !error && (until as string[]).some((ms) => Number(ms) > now);
}

/** Sets every key to ARGV[1] (a time in ms) unless it holds a later one, each for ARGV[2] ms. */
const beatScript = luaScript(`
for i = 1, #KEYS do
  local held = tonumber(redis.call('GET', KEYS[i]))
  if not held or held < tonumber(ARGV[1]) then
    redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[2])
  else
    redis.call('PEXPIRE', KEYS[i], ARGV[2])
  end
end
return 0
`);

/**
 * Claims the keys whose last copy (the time each holds) is ARGV[2] ms or more before ARGV[1]:
 * sets them to ARGV[1] and returns their 1-based indexes. Atomic, so one instance claims each.
 */
const claimScript = luaScript(`
local claimed = {}
for i = 1, #KEYS do
  local copied = tonumber(redis.call('GET', KEYS[i]))
  if not copied or tonumber(ARGV[1]) - copied >= tonumber(ARGV[2]) then
    redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[3])
    claimed[#claimed + 1] = i
  end
end
return claimed
`);

/**
 * In Redis, shared by every instance: an agent's panel may reconnect to any of them, and a call
 * may start on any. This instance also keeps its own record, which answers while Redis cannot
 * (its heartbeats only, and copies claimed per instance): presence degrades, calls still start.
 */
export function createRedisPresence(url: string, log: Logger, keyPrefix = "cac"): Presence {
  const redis = connectRedis(url, {
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
  });
  redis.on("error", (error) => log.warn({ err: error }, "redis presence connection error"));
  const local = createMemoryPresence();
  const seenKey = (id: string) => `${keyPrefix}:presence:seen:${id}`;
  const copiedKey = (id: string) => `${keyPrefix}:presence:copied:${id}`;
  // Per member, a hash of the instances holding one of their streams: instance -> valid until (ms).
  const liveKey = (m: Member) => `${keyPrefix}:presence:live:${m.accountId}:${m.userId}`;
  const versionKey = (accountId: string) => `${keyPrefix}:presence:version:${accountId}`;
  const callableKey = (buttonId: string) => `${keyPrefix}:callable:${buttonId}`;
  const instance = randomUUID();
  const claim = (pipeline: ReturnType<typeof redis.pipeline>, member: Member) =>
    pipeline
      .hset(liveKey(member), instance, String(Date.now() + LIVE_STREAM_TTL_MS))
      .pexpire(liveKey(member), LIVE_STREAM_TTL_MS);
  const bump = async (accountId: string) => {
    try {
      await whenReady(redis, CONNECT_WAIT_MS);
      await redis.incr(versionKey(accountId));
    } catch (error) {
      log.warn({ err: error }, "redis unreachable: presence change not shared");
    }
  };
  const watchers = streamWatchers();
  /** Tells the other instances at once; this one's own record answers meanwhile. */
  const announce = (member: Member, holding: boolean) => {
    void (async () => {
      try {
        await whenReady(redis, CONNECT_WAIT_MS);
        const pipeline = redis.pipeline();
        if (holding) claim(pipeline, member);
        else pipeline.hdel(liveKey(member), instance);
        await pipeline.incr(versionKey(member.accountId)).exec();
      } catch (error) {
        log.warn({ err: error }, "redis unreachable: a live stream kept on this instance only");
      }
      // Recorded (or, in an outage, known here only): what every instance reads now says so.
      watchers.tell(member, holding);
    })();
  };
  const streams = heldStreams(announce);
  // Each instance renews its claims in one round trip, well before they lapse.
  const renew = setInterval(() => {
    const members = streams.members();
    if (members.length === 0) return;
    const pipeline = redis.pipeline();
    for (const member of members) claim(pipeline, member);
    pipeline.exec().catch((error) => log.warn({ err: error }, "redis unreachable: live streams not renewed"));
  }, LIVE_RENEW_MS);
  renew.unref();
  /** Runs `command` on each batch of ids, once connected; what it answers, in order. */
  const batched = async <T>(ids: readonly string[], command: (batch: string[]) => Promise<T[]>) => {
    if (ids.length === 0) return [];
    await whenReady(redis, CONNECT_WAIT_MS);
    const results: T[] = [];
    for (let i = 0; i < ids.length; i += BATCH) results.push(...(await command(ids.slice(i, i + BATCH))));
    return results;
  };
  return {
    mode: "redis",
    holdStream: (member) => streams.hold(member),
    watchStreams: (listener) => watchers.add(listener),
    async holdingStreams(members) {
      const mine = members.map((member) => streams.has(member));
      try {
        await whenReady(redis, CONNECT_WAIT_MS);
        const pipeline = redis.pipeline();
        for (const member of members) pipeline.hvals(liveKey(member));
        const results = (await pipeline.exec()) ?? [];
        const now = Date.now();
        return members.map((_, i) => mine[i] || liveIn(results[i], now));
      } catch (error) {
        log.warn({ err: error }, "redis unreachable: live streams read from this instance");
        return mine;
      }
    },
    async reachability(members) {
      if (members.length === 0) return [];
      const ids = members.map((member) => member.userId);
      const mine = await local.lastSeen(ids);
      const holding = members.map((member) => streams.has(member));
      let seen: Array<string | null> = [];
      let live: Array<[Error | null, unknown]> = [];
      try {
        await whenReady(redis, CONNECT_WAIT_MS);
        // One pipeline: the heartbeats (MGET, in batches) then each member's live streams (HVALS).
        const pipeline = redis.pipeline();
        for (let i = 0; i < ids.length; i += BATCH) pipeline.mget(ids.slice(i, i + BATCH).map(seenKey));
        for (const member of members) pipeline.hvals(liveKey(member));
        const results = (await pipeline.exec()) ?? [];
        const gets = Math.ceil(ids.length / BATCH);
        seen = results
          .slice(0, gets)
          .flatMap(([error, values]) => (error ? [] : (values as Array<string | null>)));
        live = results.slice(gets);
      } catch (error) {
        log.warn({ err: error }, "redis unreachable: reachability read from this instance");
      }
      const now = Date.now();
      return members.map((_, i) => ({
        seenAt: newest(seen[i], mine[i]),
        holding: Boolean(holding[i]) || liveIn(live[i], now),
      }));
    },
    async bump(accountId) {
      await local.bump(accountId);
      await bump(accountId);
    },
    async readCallable(buttonId, accountId) {
      try {
        await whenReady(redis, CONNECT_WAIT_MS);
        const [entry, version] = await redis.mget(callableKey(buttonId), versionKey(accountId));
        return { entry: entry ? (JSON.parse(entry) as CallableEntry) : null, version: Number(version ?? 0) };
      } catch (error) {
        log.warn({ err: error }, "redis unreachable: callable answers computed afresh");
        // No shared version to trust: nothing cached is reused.
        return { entry: null, version: -1 };
      }
    },
    async keepCallable(buttonId, entry, ttlMs) {
      try {
        await whenReady(redis, CONNECT_WAIT_MS);
        await redis.set(callableKey(buttonId), JSON.stringify(entry), "PX", ttlMs);
      } catch (error) {
        log.warn({ err: error }, "redis unreachable: callable answer not kept");
      }
    },
    async beat(userIds, at) {
      await local.beat(userIds, at);
      try {
        await batched(userIds, async (batch) => {
          await beatScript(redis, batch.map(seenKey), [at.getTime(), RETAIN_MS]);
          return [];
        });
      } catch (error) {
        log.warn(
          { err: error, agents: userIds.length },
          "redis unreachable: heartbeats kept on this instance only",
        );
      }
    },
    async lastSeen(userIds) {
      // This instance's own heartbeats count too: one Redis missed in an outage is still known.
      const mine = await local.lastSeen(userIds);
      let held: Array<string | null> = [];
      try {
        held = await batched(userIds, (batch) => redis.mget(batch.map(seenKey)));
      } catch (error) {
        log.warn({ err: error }, "redis unreachable: presence read from this instance's heartbeats");
      }
      return userIds.map((_, i) => newest(held[i], mine[i]));
    },
    async claimCopies(userIds, at, everyMs) {
      try {
        const claimed = await batched(userIds, async (batch) => {
          const indexes = (await claimScript(redis, batch.map(copiedKey), [
            at.getTime(),
            everyMs,
            RETAIN_MS,
          ])) as number[];
          return indexes.map((index) => batch[index - 1] ?? "");
        });
        return claimed.filter(Boolean);
      } catch (error) {
        log.warn({ err: error }, "redis unreachable: heartbeat copies claimed by this instance alone");
        return local.claimCopies(userIds, at, everyMs);
      }
    },
    async close() {
      clearInterval(renew);
      await local.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
