import { callSessions } from "@cac/db";
import { type SQL, sql } from "drizzle-orm";
import { fieldError } from "../../errors";

// Postgres keeps microseconds, JavaScript dates milliseconds: the cursor carries the exact
// microseconds since the epoch (read in SQL) and the id, so equal timestamps never skip or repeat.

export type Keyset = { micros: bigint; id: string; inclusive?: boolean };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const startedMicros = sql<string>`(extract(epoch from ${callSessions.startedAt}) * 1000000)::bigint::text`;

export function encodeCursor(key: { micros: bigint | string; id: string }): string {
  return Buffer.from(`${key.micros}.${key.id}`).toString("base64url");
}

export function decodeCursor(
  cursor: string,
  invalid = "This page of the call log is no longer valid. Start again from the first page.",
): Keyset {
  const [micros, id, extra] = Buffer.from(cursor, "base64url").toString("utf8").split(".");
  if (!micros || !/^\d{1,17}$/.test(micros) || !id || !UUID.test(id) || extra !== undefined) {
    throw fieldError("cursor", invalid);
  }
  return { micros: BigInt(micros), id };
}

/**
 * A page out of `limit + 1` rows read in keyset order: the first `limit`, and the cursor of the
 * last of them when there was more (null on the last page).
 */
export function keysetPage<T extends { micros: string; id: string }>(rows: T[], limit: number) {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items.at(-1);
  return { items, nextCursor: more && last ? encodeCursor({ micros: last.micros, id: last.id }) : null };
}

/** An exact timestamptz literal (microseconds) for a keyset bound. */
export function microsToTimestamp(micros: bigint): string {
  const ms = micros / 1000n;
  const rest = (micros % 1000n).toString().padStart(3, "0");
  return new Date(Number(ms)).toISOString().replace("Z", `${rest}Z`);
}

export function keysetWhere(key: Keyset | undefined): SQL | undefined {
  if (!key) return undefined;
  const at = microsToTimestamp(key.micros);
  return key.inclusive
    ? sql`(${callSessions.startedAt}, ${callSessions.id}) <= (${at}::timestamptz, ${key.id}::uuid)`
    : sql`(${callSessions.startedAt}, ${callSessions.id}) < (${at}::timestamptz, ${key.id}::uuid)`;
}
