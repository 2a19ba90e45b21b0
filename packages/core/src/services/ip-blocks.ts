import { abuseFlags, callSessions } from "@cac/db";
import { and, desc, eq } from "drizzle-orm";
import { ipKey } from "../domain/ip";
import { AppError, fieldError } from "../errors";
import type { Ports } from "../ports";
import { flagInForce, recordSecurityEvent } from "./abuse";
import { returned } from "./rows";

// A customer's own blocks: source "customer" with their account id, so they refuse calls to that
// account only. Every query here is scoped by the account from the session. A block is kept by
// ipKey: blocking an IPv6 address blocks its /64, which is what the list then shows.

type Deps = Pick<Ports, "db" | "clock">;

export type IpBlock = { id: string; ip: string; reason: string; createdAt: Date };

/** The columns of an IpBlock, read back the same way when listed, found or just created. */
const blockColumns = {
  id: abuseFlags.id,
  ip: abuseFlags.ip,
  reason: abuseFlags.reason,
  createdAt: abuseFlags.createdAt,
};

/** At most this many blocks are listed; an account with more has a problem blocks will not solve. */
export const IP_BLOCKS_LISTED = 500;

const DEFAULT_REASON = "Blocked from the call log.";

function activeBlocksOf(accountId: string, now: Date) {
  return and(eq(abuseFlags.accountId, accountId), eq(abuseFlags.source, "customer"), flagInForce(now));
}

/** The visitor IP of one of the account's calls (NOT_FOUND for another account's call), keyed. */
async function ipOfCall(deps: Deps, accountId: string, callId: string): Promise<string> {
  const [call] = await deps.db
    .select({ visitorIp: callSessions.visitorIp })
    .from(callSessions)
    .where(and(eq(callSessions.id, callId), eq(callSessions.accountId, accountId)));
  if (!call) throw new AppError("NOT_FOUND", "This call does not exist.");
  if (!call.visitorIp) {
    throw fieldError(
      "callId",
      "This call's visitor IP was removed (IPs are kept for 12 months), so it cannot be blocked.",
    );
  }
  return ipKey(call.visitorIp);
}

/**
 * Blocks an IP from calling this account's buttons, by the IP or by one of the account's calls.
 * Blocking an IP already blocked returns the existing block.
 */
export async function blockIp(
  deps: Deps,
  accountId: string,
  input: { ip?: string | undefined; callId?: string | undefined; reason?: string | undefined },
): Promise<IpBlock & { created: boolean }> {
  const now = deps.clock.now();
  const ip = input.callId ? await ipOfCall(deps, accountId, input.callId) : input.ip && ipKey(input.ip);
  if (!ip) throw fieldError("ip", "Choose a call or enter an IP address to block.");
  const [existing] = await deps.db
    .select(blockColumns)
    .from(abuseFlags)
    .where(and(activeBlocksOf(accountId, now), eq(abuseFlags.ip, ip)))
    .limit(1);
  if (existing) return { ...existing, created: false };
  const rows = await deps.db
    .insert(abuseFlags)
    .values({
      ip,
      reason: input.reason || DEFAULT_REASON,
      source: "customer",
      accountId,
      createdAt: now,
    })
    .returning(blockColumns);
  const block = returned(rows, "ip block");
  await recordSecurityEvent(deps, {
    ip,
    kind: "ip_blocked_by_customer",
    accountId,
    detail: { flagId: block.id },
  });
  return { ...block, created: true };
}

/** Lifts the account's block of an IP, or of its /64 for IPv6 (no-op when there is none). */
export async function unblockIp(
  deps: Deps,
  accountId: string,
  address: string,
): Promise<{ cleared: number }> {
  const now = deps.clock.now();
  const ip = ipKey(address);
  const rows = await deps.db
    .update(abuseFlags)
    .set({ clearedAt: now })
    .where(and(activeBlocksOf(accountId, now), eq(abuseFlags.ip, ip)))
    .returning({ id: abuseFlags.id });
  if (rows.length) {
    await recordSecurityEvent(deps, {
      ip,
      kind: "ip_unblocked_by_customer",
      accountId,
      detail: { flagIds: rows.map((r) => r.id) },
    });
  }
  return { cleared: rows.length };
}

/** The account's active blocks, newest first. */
export async function listIpBlocks(deps: Deps, accountId: string): Promise<IpBlock[]> {
  return deps.db
    .select(blockColumns)
    .from(abuseFlags)
    .where(activeBlocksOf(accountId, deps.clock.now()))
    .orderBy(desc(abuseFlags.createdAt), desc(abuseFlags.id))
    .limit(IP_BLOCKS_LISTED);
}
