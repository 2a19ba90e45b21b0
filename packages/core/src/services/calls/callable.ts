import type { Button } from "@cac/db";
import type { Ports } from "../../ports";
import { currentPlan } from "../plan-limits";
import { ringPlanFor } from "../routing";

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
 * Whether the button can take a call now, as a call start would decide it (start.ts): its phone
 * number when Twilio rings it and the plan allows phones, or someone its routing rings reachable in
 * the portal. Only yes or no: never who, nor how many.
 */
export async function callableNow(
  deps: Pick<Ports, "db" | "clock" | "presence" | "voice">,
  button: CallableButton,
): Promise<{ callable: boolean }> {
  const now = deps.clock.now();
  const { entry, version } = await deps.presence.readCallable(button.id, button.accountId);
  if (entry && entry.version === version && version >= 0 && now.getTime() - entry.at < CALLABLE_TTL_MS) {
    return { callable: entry.callable };
  }
  // The version read before the answer is made: a change meanwhile leaves the kept answer stale.
  const callable = (await ringsPhone(deps, button)) || (await ringsSomeone(deps, button));
  if (version >= 0) {
    await deps.presence.keepCallable(button.id, { callable, at: now.getTime(), version }, CALLABLE_TTL_MS);
  }
  return { callable };
}

async function ringsPhone(deps: Pick<Ports, "db" | "voice">, button: CallableButton) {
  if (deps.voice.mode !== "twilio" || button.phoneNumber === null) return false;
  return (await currentPlan(deps, button.accountId)).canRingPhone;
}

/** Someone the button's routing rings is reachable (the ring time does not matter here). */
async function ringsSomeone(deps: Pick<Ports, "db" | "clock" | "presence">, button: CallableButton) {
  if (!button.ringPortal) return false;
  return (await ringPlanFor(deps, button, 1)).length > 0;
}

/**
 * Who is reachable in the account may have changed through a person's action (the availability
 * switch): the next "callable now" answer is made afresh. Never rejects.
 */
export async function presenceChanged(deps: Pick<Ports, "presence" | "log">, accountId: string) {
  await deps.presence.bump(accountId).catch((error) => deps.log.warn({ err: error }, "presence change lost"));
}
