import { policyDismissals, policyNotices } from "@cac/db";
import { and, count, desc, eq } from "drizzle-orm";
import { AppError } from "../errors";
import type { Ports } from "../ports";
import { isUniqueViolation } from "./db-errors";
import { returned } from "./rows";

export type PublishNoticeInput = { version: string; summary: string; effectiveAt: Date };

export type PolicyNotice = {
  id: string;
  version: string;
  summary: string;
  effectiveAt: Date;
  publishedAt: Date;
};

const noticeColumns = {
  id: policyNotices.id,
  version: policyNotices.version,
  summary: policyNotices.summary,
  effectiveAt: policyNotices.effectiveAt,
  publishedAt: policyNotices.publishedAt,
};

/** Publishes a new version of the privacy policy notice; account holders see it until dismissed. */
export async function publishNotice(
  deps: Pick<Ports, "db" | "clock" | "log">,
  input: PublishNoticeInput,
): Promise<PolicyNotice> {
  try {
    const rows = await deps.db
      .insert(policyNotices)
      .values({ ...input, publishedAt: deps.clock.now() })
      .returning(noticeColumns);
    const notice = returned(rows, "policy notice");
    deps.log.info({ noticeId: notice.id, version: notice.version }, "policy notice published");
    return notice;
  } catch (error) {
    if (isUniqueViolation(error)) {
      const message = `Version “${input.version}” is already published. Give this update a new version.`;
      throw new AppError("CONFLICT", message, { fieldErrors: { version: [message] } });
    }
    throw error;
  }
}

/** Every published notice, newest first, with how many people dismissed each (for operators). */
export function listNotices(deps: Pick<Ports, "db">) {
  return deps.db
    .select({ ...noticeColumns, dismissals: count(policyDismissals.userId) })
    .from(policyNotices)
    .leftJoin(policyDismissals, eq(policyDismissals.noticeId, policyNotices.id))
    .groupBy(policyNotices.id)
    .orderBy(desc(policyNotices.publishedAt), desc(policyNotices.version));
}

/**
 * The newest published notice, unless this user dismissed it. An older notice is never shown once
 * a newer one is out: the newer one describes the policy in effect.
 */
export async function currentNotice(deps: Pick<Ports, "db">, userId: string): Promise<PolicyNotice | null> {
  const [newest] = await deps.db
    .select({ ...noticeColumns, dismissedAt: policyDismissals.dismissedAt })
    .from(policyNotices)
    .leftJoin(
      policyDismissals,
      and(eq(policyDismissals.noticeId, policyNotices.id), eq(policyDismissals.userId, userId)),
    )
    .orderBy(desc(policyNotices.publishedAt), desc(policyNotices.version))
    .limit(1);
  if (!newest || newest.dismissedAt !== null) return null;
  const { dismissedAt: _, ...notice } = newest;
  return notice;
}

/** Records that this user has read or dismissed the notice; dismissing twice is harmless. */
export async function dismissNotice(
  deps: Pick<Ports, "db" | "clock">,
  userId: string,
  noticeId: string,
): Promise<{ ok: true }> {
  const [notice] = await deps.db
    .select({ id: policyNotices.id })
    .from(policyNotices)
    .where(eq(policyNotices.id, noticeId));
  if (!notice) throw new AppError("NOT_FOUND", "This notice does not exist.");
  await deps.db
    .insert(policyDismissals)
    .values({ noticeId, userId, dismissedAt: deps.clock.now() })
    .onConflictDoNothing();
  return { ok: true };
}
