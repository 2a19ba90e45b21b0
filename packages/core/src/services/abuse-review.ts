import { abuseFlags, accounts, securityEvents } from "@cac/db";
import { and, count, desc, eq, isNotNull, isNull, lte, type SQL, sql } from "drizzle-orm";
import { ipKey } from "../domain/ip";
import { AppError, fieldError } from "../errors";
import type { Ports } from "../ports";
import { flagInForce, ipKeyOf, recordSecurityEvent } from "./abuse";
import { flagIp } from "./abuse-detection";

// The operators' view of abuse: every flag and block (site-wide and customers'), and the security
// events by IP. Offset pages: operators browse a few pages, and the totals say how many there are.

type Deps = Pick<Ports, "db" | "clock">;

export type FlagStatus = "active" | "expired" | "cleared" | "all";

export type FlagRow = {
  id: string;
  ip: string;
  reason: string;
  source: "auto" | "operator" | "customer";
  /** The customer whose own block this is; null for a site-wide flag. */
  account: { id: string; companyName: string } | null;
  status: "active" | "expired" | "cleared";
  createdAt: Date;
  expiresAt: Date | null;
  clearedAt: Date | null;
};

/** `like` pattern for "starts with", with the pattern characters of the text escaped. */
function startsWith(text: string) {
  return `${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function statusWhere(status: FlagStatus, now: Date): SQL | undefined {
  switch (status) {
    case "active":
      return flagInForce(now);
    case "expired":
      return and(isNull(abuseFlags.clearedAt), lte(abuseFlags.expiresAt, now));
    case "cleared":
      return isNotNull(abuseFlags.clearedAt);
    case "all":
      return undefined;
  }
}

export async function listFlags(
  deps: Deps,
  query: { status: FlagStatus; ip?: string | undefined; page: number; pageSize: number },
): Promise<{ items: FlagRow[]; total: number; page: number; pageSize: number }> {
  const now = deps.clock.now();
  const where = and(
    statusWhere(query.status, now),
    query.ip ? sql`${abuseFlags.ip} like ${startsWith(query.ip)}` : undefined,
  );
  const [rows, [totals]] = await Promise.all([
    deps.db
      .select({
        id: abuseFlags.id,
        ip: abuseFlags.ip,
        reason: abuseFlags.reason,
        source: abuseFlags.source,
        accountId: abuseFlags.accountId,
        companyName: accounts.companyName,
        createdAt: abuseFlags.createdAt,
        expiresAt: abuseFlags.expiresAt,
        clearedAt: abuseFlags.clearedAt,
      })
      .from(abuseFlags)
      .leftJoin(accounts, eq(accounts.id, abuseFlags.accountId))
      .where(where)
      .orderBy(desc(abuseFlags.createdAt), desc(abuseFlags.id))
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize),
    deps.db.select({ n: count() }).from(abuseFlags).where(where),
  ]);
  return {
    items: rows.map((r) => ({
      id: r.id,
      ip: r.ip,
      reason: r.reason,
      source: r.source,
      account: r.accountId ? { id: r.accountId, companyName: r.companyName ?? "" } : null,
      status: r.clearedAt ? "cleared" : r.expiresAt && r.expiresAt <= now ? "expired" : "active",
      createdAt: r.createdAt,
      expiresAt: r.expiresAt,
      clearedAt: r.clearedAt,
    })),
    total: Number(totals?.n ?? 0),
    page: query.page,
    pageSize: query.pageSize,
  };
}

/** Clears a flag or block, so the IP may call again; clearing a cleared flag changes nothing. */
export async function clearFlag(
  deps: Deps,
  flagId: string,
  operator: { email: string },
): Promise<{ id: string; clearedAt: Date; alreadyCleared: boolean }> {
  const now = deps.clock.now();
  const [cleared] = await deps.db
    .update(abuseFlags)
    .set({ clearedAt: now })
    .where(and(eq(abuseFlags.id, flagId), isNull(abuseFlags.clearedAt)))
    .returning({ id: abuseFlags.id, ip: abuseFlags.ip, accountId: abuseFlags.accountId });
  if (cleared) {
    await recordSecurityEvent(deps, {
      ip: cleared.ip,
      kind: "flag_cleared",
      accountId: cleared.accountId,
      detail: { flagId, by: operator.email },
    });
    return { id: cleared.id, clearedAt: now, alreadyCleared: false };
  }
  const [existing] = await deps.db
    .select({ id: abuseFlags.id, clearedAt: abuseFlags.clearedAt })
    .from(abuseFlags)
    .where(eq(abuseFlags.id, flagId));
  if (!existing?.clearedAt) throw new AppError("NOT_FOUND", "This flag does not exist.");
  return { id: existing.id, clearedAt: existing.clearedAt, alreadyCleared: true };
}

/**
 * An operator's site-wide block of an IP (of its /64 for IPv6), for good or until `expiresInHours`
 * have passed.
 */
export async function addManualBlock(
  deps: Deps,
  input: { ip: string; reason: string; expiresInHours?: number | undefined },
  operator: { email: string },
): Promise<{ id: string }> {
  const now = deps.clock.now();
  const expiresAt = input.expiresInHours ? new Date(now.getTime() + input.expiresInHours * 3_600_000) : null;
  const flag = await flagIp(deps, { ip: input.ip, reason: input.reason, source: "operator", expiresAt }, now);
  if (!flag.created) {
    throw fieldError("ip", "This IP is already blocked. Clear its flag first to block it again.");
  }
  await recordSecurityEvent(deps, {
    ip: ipKey(input.ip),
    kind: "ip_blocked_by_operator",
    detail: { flagId: flag.id, by: operator.email, reason: input.reason },
  });
  return { id: flag.id };
}

export type SecurityEventRow = {
  id: string;
  ip: string | null;
  kind: string;
  account: { id: string; companyName: string } | null;
  detail: Record<string, unknown>;
  /** How many times it happened: repeated refusals within a minute share one row. */
  count: number;
  createdAt: Date;
};

/**
 * Security events, newest first, of one IP (every address of its /64 for IPv6, as flags are kept)
 * or of all; `hasMore` says whether a next page exists.
 */
export async function listSecurityEvents(
  deps: Deps,
  query: { ip?: string | undefined; page: number; pageSize: number },
): Promise<{ items: SecurityEventRow[]; page: number; pageSize: number; hasMore: boolean }> {
  const rows = await deps.db
    .select({
      id: securityEvents.id,
      ip: securityEvents.ip,
      kind: securityEvents.kind,
      accountId: securityEvents.accountId,
      companyName: accounts.companyName,
      detail: securityEvents.detail,
      count: securityEvents.count,
      createdAt: securityEvents.createdAt,
    })
    .from(securityEvents)
    .leftJoin(accounts, eq(accounts.id, securityEvents.accountId))
    .where(query.ip ? eq(ipKeyOf(securityEvents.ip), ipKey(query.ip)) : undefined)
    .orderBy(desc(securityEvents.createdAt), desc(securityEvents.id))
    .limit(query.pageSize + 1)
    .offset((query.page - 1) * query.pageSize);
  return {
    items: rows.slice(0, query.pageSize).map((r) => ({
      id: r.id,
      ip: r.ip,
      kind: r.kind,
      account: r.accountId ? { id: r.accountId, companyName: r.companyName ?? "" } : null,
      detail: r.detail,
      count: r.count,
      createdAt: r.createdAt,
    })),
    page: query.page,
    pageSize: query.pageSize,
    hasMore: rows.length > query.pageSize,
  };
}
