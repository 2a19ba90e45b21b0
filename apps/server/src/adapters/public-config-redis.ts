import type { Logger, PublicConfigEntry } from "@cac/core";
import type { SharedConfigStore } from "./public-config-cache";
import { connectRedis, luaScript, whenReady } from "./redis-client";

/** A read that waits longer than this falls back to the database (Redis down or slow). */
const COMMAND_TIMEOUT_MS = 250;
const CONNECT_WAIT_MS = 100;
/** An entry serves one hour of windows; kept a little longer, for clocks that differ a little. */
const ENTRY_TTL_SECONDS = 65 * 60;
/** Keys per script run (a bulk edit may change thousands of buttons at once). */
const CHUNK = 500;

/**
 * An entry as one string: its version first (so a script can compare it), then the fields the
 * checks need, then the body exactly as served, so a read parses only the small header.
 */
function encode(entry: PublicConfigEntry): string {
  const { version, json, ...header } = entry;
  return `${version}\n${JSON.stringify(header)}\n${json}`;
}

function decode(value: string): PublicConfigEntry | undefined {
  const first = value.indexOf("\n");
  const second = value.indexOf("\n", first + 1);
  if (first < 0 || second < 0) return undefined;
  const header = JSON.parse(value.slice(first + 1, second)) as Omit<PublicConfigEntry, "version" | "json">;
  return { version: Number(value.slice(0, first)), ...header, json: value.slice(second + 1) };
}

/** Deletes each key whose entry was made from another version than its argument. */
const removeOtherVersionsScript = luaScript(`
for i, key in ipairs(KEYS) do
  local value = redis.call('GET', key)
  if value and string.match(value, '^(%d+)') ~= ARGV[i] then redis.call('DEL', key) end
end
return 0
`);

/** Public configs in Redis, one key per button, shared by every instance of the deployment. */
export function createRedisConfigStore(url: string, log: Logger, keyPrefix: string): SharedConfigStore {
  const client = connectRedis(url, {
    enableOfflineQueue: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
  });
  client.on("error", (error) => log.warn({ err: error }, "redis public config connection error"));
  const key = (publicId: string) => `${keyPrefix}:config:${publicId}`;
  const ready = () => whenReady(client, CONNECT_WAIT_MS);
  return {
    mode: "redis",
    async read(publicId) {
      await ready();
      const value = await client.get(key(publicId));
      return value === null ? undefined : decode(value);
    },
    async write(publicId, entry) {
      await ready();
      await client.set(key(publicId), encode(entry), "EX", ENTRY_TTL_SECONDS);
    },
    async remove(publicIds) {
      await ready();
      await client.del(...publicIds.map(key));
    },
    async removeOtherVersions(changes) {
      await ready();
      for (let start = 0; start < changes.length; start += CHUNK) {
        const chunk = changes.slice(start, start + CHUNK);
        await removeOtherVersionsScript(
          client,
          chunk.map((change) => key(change.publicId)),
          chunk.map((change) => String(change.version)),
        );
      }
    },
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
