import { memberships, pushSubscriptions } from "@cac/db";
import { and, eq, inArray } from "drizzle-orm";
import { PUSH_NOTICE_TTL_SECONDS, type PushPayload } from "../../domain/push";
import { AppError } from "../../errors";
import type { Logger, Ports, PushOptions } from "../../ports";
import { type NotificationPreference, preferenceOn } from "./preferences";
import { endpointOrigin, PUSH_OFF_MESSAGE } from "./subscriptions";

type Device = { id: string; userId: string; endpoint: string; p256dh: string; auth: string };
export type PushDeps = Pick<Ports, "db" | "push" | "log">;
export type PushTally = { sent: number; removed: number };

/**
 * Sends one payload to every device at once. A device the push service no longer knows (404/410)
 * is deleted; any other failure is logged and left for the next event. Never rejects.
 */
export async function pushToDevices(
  deps: PushDeps,
  devices: readonly Device[],
  payload: PushPayload,
  options: PushOptions,
): Promise<PushTally> {
  if (deps.push.mode === "off" || devices.length === 0) return { sent: 0, removed: 0 };
  const body = JSON.stringify(payload);
  const outcomes = await Promise.all(
    devices.map(async (device) => {
      const outcome = await deps.push.send(
        { endpoint: device.endpoint, keys: { p256dh: device.p256dh, auth: device.auth } },
        body,
        options,
      );
      if (outcome.ok) return "sent" as const;
      const where = {
        subscriptionId: device.id,
        pushService: endpointOrigin(device.endpoint),
        type: payload.type,
      };
      if (!outcome.gone) {
        deps.log.warn({ ...where, status: outcome.status, reason: outcome.reason }, "push not delivered");
        return "failed" as const;
      }
      // Only this row as it was: the browser may have subscribed again with the same endpoint.
      await deps.db
        .delete(pushSubscriptions)
        .where(and(eq(pushSubscriptions.id, device.id), eq(pushSubscriptions.endpoint, device.endpoint)))
        .catch((error: unknown) =>
          deps.log.warn({ err: error, ...where }, "expired push subscription not deleted"),
        );
      deps.log.info({ ...where, status: outcome.status }, "push subscription expired; deleted");
      return "removed" as const;
    }),
  );
  return {
    sent: outcomes.filter((o) => o === "sent").length,
    removed: outcomes.filter((o) => o === "removed").length,
  };
}

/** The devices of these members of the account who have `which` on. */
export async function devicesOf(
  deps: Pick<Ports, "db">,
  accountId: string,
  userIds: readonly string[],
  which: NotificationPreference,
): Promise<Device[]> {
  if (userIds.length === 0) return [];
  return deps.db
    .select({
      id: pushSubscriptions.id,
      userId: pushSubscriptions.userId,
      endpoint: pushSubscriptions.endpoint,
      p256dh: pushSubscriptions.p256dh,
      auth: pushSubscriptions.auth,
    })
    .from(pushSubscriptions)
    .innerJoin(memberships, eq(memberships.userId, pushSubscriptions.userId))
    .where(
      and(
        eq(memberships.accountId, accountId),
        inArray(memberships.userId, [...new Set(userIds)]),
        preferenceOn(which),
      ),
    );
}

/** Pushes to every device of the members concerned who have `which` on. Never rejects. */
export async function pushToMembers(
  deps: PushDeps,
  target: { accountId: string; userIds: readonly string[]; which: NotificationPreference },
  payload: PushPayload,
  options: PushOptions,
): Promise<PushTally> {
  if (deps.push.mode === "off") return { sent: 0, removed: 0 };
  try {
    const devices = await devicesOf(deps, target.accountId, target.userIds, target.which);
    return await pushToDevices(deps, devices, payload, options);
  } catch (error) {
    deps.log.warn({ err: error, type: payload.type, accountId: target.accountId }, "push not sent");
    return { sent: 0, removed: 0 };
  }
}

/**
 * Runs a push without holding up the caller (a call's start, its answer): what it costs happens
 * after the response, and a failure is only logged.
 */
export function inBackground(log: Logger, what: string, work: () => Promise<unknown>): void {
  setImmediate(() => {
    work().catch((error: unknown) => log.warn({ err: error }, `${what} failed`));
  });
}

/** "Test notification" to every device of the user (whatever their preferences). */
export async function sendTestPush(deps: PushDeps, accountId: string, userId: string): Promise<PushTally> {
  if (deps.push.mode === "off") throw new AppError("BAD_INPUT", PUSH_OFF_MESSAGE);
  const devices = await deps.db
    .select({
      id: pushSubscriptions.id,
      userId: pushSubscriptions.userId,
      endpoint: pushSubscriptions.endpoint,
      p256dh: pushSubscriptions.p256dh,
      auth: pushSubscriptions.auth,
    })
    .from(pushSubscriptions)
    .where(eq(pushSubscriptions.userId, userId));
  return pushToDevices(
    deps,
    devices,
    {
      type: "test",
      title: "Test notification",
      body: "Notifications from Click & Call reach this device.",
      tag: "test",
      url: "/",
      accountId,
    },
    { ttlSeconds: PUSH_NOTICE_TTL_SECONDS, urgency: "normal" },
  );
}
