import { createHash } from "node:crypto";
import { memberships, pushSubscriptions } from "@cac/db";
import { and, desc, eq } from "drizzle-orm";
import { AppError } from "../../errors";
import type { Ports } from "../../ports";

export type SubscribeInput = {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  label: string;
};

/** A device as its owner's list shows it: never its endpoint or keys (they let anyone push to it). */
export type PushDevice = {
  id: string;
  label: string;
  createdAt: string;
  lastActiveAt: string;
  /** Lowercase hex SHA-256 of the endpoint: the portal recognizes "this device" by it. */
  endpointHash: string;
};

export const PUSH_OFF_MESSAGE = "Push notifications are off on this server.";

/** The SHA-256 of an endpoint, hex: how a device is recognized without sending its endpoint back. */
export function endpointHash(endpoint: string): string {
  return createHash("sha256").update(endpoint).digest("hex");
}

/** Where a push goes, for the logs: the push service's origin, never the device's path. */
export function endpointOrigin(endpoint: string): string {
  try {
    return new URL(endpoint).origin;
  } catch {
    return "(invalid endpoint)";
  }
}

/** Who is reachable by push may have changed in each of the user's accounts. */
async function bumpAccountsOf(deps: Pick<Ports, "db" | "presence">, userId: string) {
  const rows = await deps.db
    .select({ accountId: memberships.accountId })
    .from(memberships)
    .where(eq(memberships.userId, userId));
  await Promise.all(rows.map((row) => deps.presence.bump(row.accountId)));
}

/**
 * Stores a browser's subscription for the user, or refreshes it: one row per endpoint, which moves
 * to this user if another user had subscribed that browser before (a shared computer).
 */
export async function subscribePush(
  deps: Pick<Ports, "db" | "clock" | "push" | "presence">,
  userId: string,
  input: SubscribeInput,
): Promise<{ id: string }> {
  if (deps.push.mode === "off") throw new AppError("BAD_INPUT", PUSH_OFF_MESSAGE);
  const now = deps.clock.now();
  const fields = {
    userId,
    p256dh: input.keys.p256dh,
    auth: input.keys.auth,
    label: input.label,
    lastActiveAt: now,
  };
  const [row] = await deps.db
    .insert(pushSubscriptions)
    .values({ endpoint: input.endpoint, createdAt: now, ...fields })
    .onConflictDoUpdate({ target: pushSubscriptions.endpoint, set: fields })
    .returning({ id: pushSubscriptions.id });
  if (!row) throw new Error("the push subscription was not stored");
  await bumpAccountsOf(deps, userId);
  return { id: row.id };
}

/** The portal on this device is open: the device counts as recently active (PUSH_ACTIVE_MS). */
export async function touchPushDevice(
  deps: Pick<Ports, "db" | "clock">,
  userId: string,
  endpoint: string,
): Promise<{ ok: true }> {
  const [row] = await deps.db
    .update(pushSubscriptions)
    .set({ lastActiveAt: deps.clock.now() })
    .where(and(eq(pushSubscriptions.endpoint, endpoint), eq(pushSubscriptions.userId, userId)))
    .returning({ id: pushSubscriptions.id });
  // The push service may have expired it (and we deleted it): the portal subscribes again.
  if (!row) throw new AppError("NOT_FOUND", "This device is not subscribed to notifications.");
  return { ok: true };
}

/** Removes one of the user's own devices; another user's is NOT_FOUND, as a missing one. */
export async function unsubscribePush(
  deps: Pick<Ports, "db" | "presence">,
  userId: string,
  id: string,
): Promise<{ ok: true }> {
  const removed = await deps.db
    .delete(pushSubscriptions)
    .where(and(eq(pushSubscriptions.id, id), eq(pushSubscriptions.userId, userId)))
    .returning({ id: pushSubscriptions.id });
  if (removed.length === 0) throw new AppError("NOT_FOUND", "This device is not in your list.");
  await bumpAccountsOf(deps, userId);
  return { ok: true };
}

/** The user's subscribed devices, most recently active first. */
export async function listPushDevices(deps: Pick<Ports, "db">, userId: string): Promise<PushDevice[]> {
  const rows = await deps.db
    .select()
    .from(pushSubscriptions)
    .where(eq(pushSubscriptions.userId, userId))
    .orderBy(desc(pushSubscriptions.lastActiveAt), desc(pushSubscriptions.id));
  return rows.map((row) => ({
    id: row.id,
    label: row.label,
    createdAt: row.createdAt.toISOString(),
    lastActiveAt: row.lastActiveAt.toISOString(),
    endpointHash: endpointHash(row.endpoint),
  }));
}
