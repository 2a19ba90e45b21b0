import type { Button } from "@cac/db";
import type { Ports } from "../../ports";
import { reachableMembers } from "./presence";

/**
 * How long a "callable now" answer is reused: on the server (shared by every instance) and then by
 * the visitor's browser (Cache-Control), each at most this long, so a widget's answer is never more
 * than twice this old: 10 s. A change of who is reachable (a panel closed, a switch flipped) makes
 * the server's copy stale at once (presence versions); only the browser's copy then lags.
 */
export const CALLABLE_TTL_MS = 5_000;
export const CALLABLE_MAX_AGE_SECONDS = CALLABLE_TTL_MS / 1000;

type CallableButton = Pick<Button, "id" | "accountId" | "phoneNumber" | "ringPortal">;

/**
 * Whether the button can take a call now: someone reachable in the portal, or its phone number
 * (when Twilio is on). Only yes or no: never who, nor how many.
 */
export async function callableNow(
  deps: Pick<Ports, "db" | "clock" | "presence" | "voice">,
  button: CallableButton,
): Promise<{ callable: boolean }> {
  if (deps.voice.mode === "twilio" && button.phoneNumber !== null) return { callable: true };
  if (!button.ringPortal) return { callable: false };
  const now = deps.clock.now();
  const { entry, version } = await deps.presence.readCallable(button.id, button.accountId);
  if (entry && entry.version === version && version >= 0 && now.getTime() - entry.at < CALLABLE_TTL_MS) {
    return { callable: entry.callable };
  }
  // The version read before the answer is made: a change meanwhile leaves the kept answer stale.
  const callable = (await reachableMembers(deps, button.accountId, now)).length > 0;
  if (version >= 0) {
    await deps.presence.keepCallable(button.id, { callable, at: now.getTime(), version }, CALLABLE_TTL_MS);
  }
  return { callable };
}

/**
 * Who is reachable in the account may have changed through a person's action (the availability
 * switch): the next "callable now" answer is made afresh. Never rejects.
 */
export async function presenceChanged(deps: Pick<Ports, "presence" | "log">, accountId: string) {
  await deps.presence.bump(accountId).catch((error) => deps.log.warn({ err: error }, "presence change lost"));
}
