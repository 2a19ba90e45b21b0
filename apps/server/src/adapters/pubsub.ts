import { EventEmitter } from "node:events";
import {
  compareEventIds,
  EVENT_LOG_MAX_LENGTH,
  EVENT_RETENTION_MS,
  FIRST_EVENT_ID,
  type LoggedEvent,
  type Logger,
  nextEventId,
  type PubSub,
} from "@cac/core";
import { connectRedis, luaScript, whenReady } from "./redis-client";

/** How long a publish or subscribe waits for a connection being (re)made before it fails. */
const CONNECT_WAIT_MS = 400;
/** A command Redis has not answered by then fails (a hung server, a dropped network). */
const COMMAND_TIMEOUT_MS = 500;

/** In-process fan-out, with a ring buffer per channel: enough for one server instance. */
export function createMemoryPubSub(): PubSub {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  // Notices go on an emitter of their own: a channel's notices never reach its event subscribers.
  const notices = new EventEmitter();
  notices.setMaxListeners(0);
  const logs = new Map<string, ChannelLog>();
  // A channel's events go EVENT_RETENTION_MS after its last one, as Redis expires its stream.
  const expiry = setInterval(() => {
    const now = Date.now();
    for (const [channel, log] of logs) if (now - log.writtenAt > EVENT_RETENTION_MS) logs.delete(channel);
  }, EVENT_RETENTION_MS / 4);
  expiry.unref();
  return {
    mode: "memory",
    async publish(channel, message) {
      const now = Date.now();
      let log = logs.get(channel);
      if (!log) {
        log = { events: [], added: 0, lastId: FIRST_EVENT_ID, writtenAt: now };
        logs.set(channel, log);
      }
      log.lastId = nextEventId(log.lastId, now);
      log.writtenAt = now;
      log.added++;
      // A copy, so subscribers see what another instance would see after JSON.
      const event: LoggedEvent = { id: log.lastId, message: JSON.parse(JSON.stringify(message)) };
      log.events.push(event);
      const oldest = now - EVENT_RETENTION_MS;
      let drop = Math.max(0, log.events.length - EVENT_LOG_MAX_LENGTH);
      while (drop < log.events.length && Number(log.events[drop]?.id.split("-")[0]) < oldest) drop++;
      if (drop) log.events.splice(0, drop);
      emitter.emit(channel, event);
      return event.id;
    },
    async subscribe(channel, onEvent) {
      emitter.on(channel, onEvent);
      return async () => {
        emitter.off(channel, onEvent);
      };
    },
    async latest(channel) {
      return logs.get(channel)?.events.at(-1)?.id ?? FIRST_EVENT_ID;
    },
    async readAfter(channel, afterId) {
      const log = logs.get(channel);
      if (!log) return { events: [], complete: afterId === FIRST_EVENT_ID };
      return {
        events: log.events.filter((event) => compareEventIds(event.id, afterId) > 0),
        complete: heldAllAfter(afterId, log.events[0]?.id, log.added === log.events.length),
      };
    },
    async notify(channel, message) {
      notices.emit(channel, JSON.parse(JSON.stringify(message)));
    },
    async listen(channel, onMessage) {
      notices.on(channel, onMessage);
      return async () => {
        notices.off(channel, onMessage);
      };
    },
    async check() {},
    async close() {
      clearInterval(expiry);
      emitter.removeAllListeners();
      notices.removeAllListeners();
      logs.clear();
    },
  };
}

type ChannelLog = { events: LoggedEvent[]; added: number; lastId: string; writtenAt: number };

/**
 * Whether a log still holds every event after `afterId`: it drops its oldest first, so it does
 * when `afterId` is at or past its first event, or when it never dropped any.
 */
function heldAllAfter(afterId: string, firstId: string | undefined, neverDropped: boolean): boolean {
  return neverDropped || (firstId !== undefined && compareEventIds(afterId, firstId) >= 0);
}

/**
 * Appends an event to a channel's Stream, trims it (by age exactly, by length roughly), keeps the
 * key only as long as its newest event, and publishes `<id> <json>` on the channel: one atomic
 * step, so live messages go out in the order of their ids.
 */
const appendScript = luaScript(`
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'm', ARGV[1])
local ms = tonumber(string.match(id, '^(%d+)-'))
redis.call('XTRIM', KEYS[1], 'MINID', string.format('%d', ms - tonumber(ARGV[3])))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', KEYS[1], id .. ' ' .. ARGV[1])
return id
`);

/**
 * A channel's events after an id, with what says whether the Stream dropped any (its length
 * against the entries ever added, and its first id): nil when the key is gone.
 */
const readScript = luaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local length, added, first = 0, -1, ''
for i = 1, #info, 2 do
  if info[i] == 'length' then length = info[i + 1]
  elseif info[i] == 'entries-added' then added = info[i + 1]
  elseif info[i] == 'first-entry' and info[i + 1] then first = info[i + 1][1] end
end
return { length == added and 1 or 0, first, redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+') }
`);

type StreamEntry = [id: string, fields: string[]];

function entryEvent([id, fields]: StreamEntry): LoggedEvent {
  return { id, message: JSON.parse(fields[1] ?? "null") };
}

/**
 * Redis fan-out shared by every server instance: one connection publishes (and reads the logs),
 * one listens (a Redis connection in subscriber mode can do nothing else). Each channel's log is a
 * Redis Stream under the same name. While Redis is down, publish and subscribe fail within about a
 * second: no offline queue (a queued ring would reach agents long after the caller was told the
 * call failed), a short wait for a reconnect, and a command timeout.
 */
export function createRedisPubSub(url: string, log: Logger, keyPrefix = "cac"): PubSub {
  const options = { enableOfflineQueue: false, commandTimeout: COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 1 };
  const publisher = connectRedis(url, options);
  const subscriber = connectRedis(url, options);
  const ready = (client: typeof publisher) => whenReady(client, CONNECT_WAIT_MS);
  for (const client of [publisher, subscriber]) {
    client.on("error", (error) => log.warn({ err: error }, "redis pubsub connection error"));
  }
  const handlers = new Map<string, Set<(event: LoggedEvent) => void>>();
  const noticeHandlers = new Map<string, Set<(message: unknown) => void>>();
  subscriber.on("message", (channel: string, raw: string) => {
    const notified = noticeHandlers.get(channel);
    if (notified) {
      let message: unknown;
      try {
        message = JSON.parse(raw);
      } catch (error) {
        log.warn({ err: error, channel }, "ignored a malformed notice");
        return;
      }
      for (const handler of notified) handler(message);
      return;
    }
    const set = handlers.get(channel);
    if (!set) return;
    const space = raw.indexOf(" ");
    let event: LoggedEvent;
    try {
      event = { id: raw.slice(0, space), message: JSON.parse(raw.slice(space + 1)) };
    } catch (error) {
      log.warn({ err: error, channel }, "ignored a malformed pubsub message");
      return;
    }
    for (const handler of set) handler(event);
  });
  // Channels whose SUBSCRIBE Redis has not confirmed yet: a second handler waits for it too.
  const subscribing = new Map<string, Promise<unknown>>();
  /** One Redis subscription per channel name, shared by its handlers here. */
  async function join<H>(registry: Map<string, Set<H>>, k: string, handler: H) {
    if (!registry.has(k)) await ready(subscriber);
    let set = registry.get(k);
    if (!set) {
      set = new Set();
      registry.set(k, set);
      const confirmed = subscriber.subscribe(k);
      subscribing.set(k, confirmed);
      try {
        await confirmed;
      } catch (error) {
        registry.delete(k);
        throw error;
      } finally {
        subscribing.delete(k);
      }
    } else await subscribing.get(k);
    set.add(handler);
    return async () => {
      const current = registry.get(k);
      if (!current) return;
      current.delete(handler);
      if (current.size === 0) {
        registry.delete(k);
        await subscriber.unsubscribe(k).catch(() => {});
      }
    };
  }
  const key = (channel: string) => `${keyPrefix}:${channel}`;
  // Notices (a plain PUBLISH, no Stream) under names no logged channel has.
  const noticeKey = (channel: string) => `${keyPrefix}:notice:${channel}`;
  return {
    mode: "redis",
    async publish(channel, message) {
      await ready(publisher);
      const args = [JSON.stringify(message), EVENT_LOG_MAX_LENGTH, EVENT_RETENTION_MS];
      return String(await appendScript(publisher, [key(channel)], args));
    },
    subscribe: (channel, onEvent) => join(handlers, key(channel), onEvent),
    async latest(channel) {
      await ready(publisher);
      const [last] = (await publisher.xrevrange(key(channel), "+", "-", "COUNT", 1)) as StreamEntry[];
      return last?.[0] ?? FIRST_EVENT_ID;
    },
    async readAfter(channel, afterId) {
      await ready(publisher);
      const read = (await readScript(publisher, [key(channel)], [afterId])) as
        | [neverDropped: number, firstId: string, entries: StreamEntry[]]
        | null;
      if (!read) return { events: [], complete: afterId === FIRST_EVENT_ID };
      const [neverDropped, firstId, entries] = read;
      return {
        events: entries.map(entryEvent),
        complete: heldAllAfter(afterId, firstId || undefined, neverDropped === 1),
      };
    },
    async notify(channel, message) {
      await ready(publisher);
      await publisher.publish(noticeKey(channel), JSON.stringify(message));
    },
    listen: (channel, onMessage) => join(noticeHandlers, noticeKey(channel), onMessage),
    async check() {
      await Promise.all([ready(publisher), ready(subscriber)]);
      await publisher.ping();
    },
    async close() {
      handlers.clear();
      noticeHandlers.clear();
      // QUIT cannot be sent while Redis is down; then drop the connection (and its reconnects).
      await Promise.all(
        [publisher, subscriber].map((client) => client.quit().catch(() => client.disconnect())),
      );
    },
  };
}
