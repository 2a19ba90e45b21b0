import {
  accounts,
  authSessions,
  billingRecords,
  buttons,
  callbackRequests,
  callSessions,
  memberHours,
  subscriptions,
  users,
} from "@cac/db";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Ports } from "../ports";

/** Bumped when the shape of the file changes, so a reader can tell versions apart. */
export const DATA_EXPORT_FORMAT = "click-and-call-data-export/1";

/**
 * Everything the account holds except its call sessions (which may be many, so they are read
 * in batches by `exportCallSessions`). Secrets are left out: password hashes, session ids and
 * their hashes, email-token hashes, and the widget's per-call capability hashes.
 */
export async function exportAccountData(
  deps: Pick<Ports, "db" | "clock">,
  accountId: string,
  origin: string,
) {
  const [account] = await deps.db
    .select({
      id: accounts.id,
      companyName: accounts.companyName,
      websiteUrl: accounts.websiteUrl,
      phone: accounts.phone,
      timezone: accounts.timezone,
      plan: accounts.plan,
      status: accounts.status,
      closedAt: accounts.closedAt,
      deleteAfter: accounts.deleteAfter,
      createdAt: accounts.createdAt,
      updatedAt: accounts.updatedAt,
    })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  const people = await deps.db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      emailVerifiedAt: users.emailVerifiedAt,
      ageConfirmedAt: users.ageConfirmedAt,
      agentAvailable: users.agentAvailable,
      createdAt: users.createdAt,
      updatedAt: users.updatedAt,
    })
    .from(users)
    .where(eq(users.accountId, accountId))
    .orderBy(asc(users.createdAt));
  const loginSessions = people.length
    ? await deps.db
        .select({
          userId: authSessions.userId,
          ip: authSessions.ip,
          userAgent: authSessions.userAgent,
          createdAt: authSessions.createdAt,
          lastUsedAt: authSessions.lastVerifiedAt,
        })
        .from(authSessions)
        .where(
          inArray(
            authSessions.userId,
            people.map((p) => p.id),
          ),
        )
        .orderBy(asc(authSessions.createdAt))
    : [];
  const buttonRows = await deps.db
    .select()
    .from(buttons)
    .where(eq(buttons.accountId, accountId))
    .orderBy(asc(buttons.createdAt));
  const callbacks = await deps.db
    .select({
      id: callbackRequests.id,
      buttonId: callbackRequests.buttonId,
      name: callbackRequests.name,
      phone: callbackRequests.phone,
      message: callbackRequests.message,
      ip: callbackRequests.ip,
      handledAt: callbackRequests.handledAt,
      createdAt: callbackRequests.createdAt,
    })
    .from(callbackRequests)
    .where(eq(callbackRequests.accountId, accountId))
    .orderBy(asc(callbackRequests.createdAt));
  const billing = await deps.db
    .select({
      id: billingRecords.id,
      stripeInvoiceId: billingRecords.stripeInvoiceId,
      amountCents: billingRecords.amountCents,
      currency: billingRecords.currency,
      status: billingRecords.status,
      description: billingRecords.description,
      invoiceUrl: billingRecords.invoiceUrl,
      occurredAt: billingRecords.occurredAt,
    })
    .from(billingRecords)
    .where(eq(billingRecords.accountId, accountId))
    .orderBy(asc(billingRecords.occurredAt));
  const [subscription] = await deps.db
    .select({
      plan: subscriptions.plan,
      status: subscriptions.status,
      currentPeriodStart: subscriptions.currentPeriodStart,
      currentPeriodEnd: subscriptions.currentPeriodEnd,
      cancelAtPeriodEnd: subscriptions.cancelAtPeriodEnd,
    })
    .from(subscriptions)
    .where(eq(subscriptions.accountId, accountId));

  // Each member's own working hours in this account (the presence settings they chose).
  const hoursRows = await deps.db
    .select({ userId: memberHours.userId, hours: memberHours.hours })
    .from(memberHours)
    .where(eq(memberHours.accountId, accountId));
  const hoursOf = new Map(hoursRows.map((row) => [row.userId, row.hours]));

  return {
    format: DATA_EXPORT_FORMAT,
    exportedAt: deps.clock.now(),
    account: account ?? null,
    users: people.map((person) => ({
      ...person,
      workingHours: hoursOf.get(person.id) ?? null,
      sessions: loginSessions
        .filter((s) => s.userId === person.id)
        .map(({ userId: _userId, ...session }) => session),
    })),
    buttons: buttonRows.map((b) => ({
      id: b.id,
      publicId: b.publicId,
      name: b.name,
      label: b.label,
      enabled: b.enabled,
      style: b.style,
      logoUrl: b.logoKey ? `${origin}/uploads/${b.logoKey}` : null,
      phoneNumber: b.phoneNumber,
      ringPortal: b.ringPortal,
      timezone: b.timezone,
      hours: b.hours,
      holidays: b.holidays,
      closedBehavior: b.closedBehavior,
      allowedDomains: b.allowedDomains,
      createdAt: b.createdAt,
      updatedAt: b.updatedAt,
    })),
    callbackRequests: callbacks,
    subscription: subscription ?? null,
    billingRecords: billing,
  };
}

const callColumns = {
  id: callSessions.id,
  buttonId: callSessions.buttonId,
  transport: callSessions.transport,
  status: callSessions.status,
  visitorIp: callSessions.visitorIp,
  pageUrl: callSessions.pageUrl,
  providerCallId: callSessions.providerCallId,
  answeredBy: callSessions.answeredBy,
  failureReason: callSessions.failureReason,
  startedAt: callSessions.startedAt,
  answeredAt: callSessions.answeredAt,
  endedAt: callSessions.endedAt,
  durationSeconds: callSessions.durationSeconds,
};

/**
 * The account's call sessions, oldest first, in batches read by keyset. The cursor keeps the
 * start time as Postgres text, so microseconds survive (a JS Date would round them and could
 * skip or repeat a call).
 */
export async function* exportCallSessions(deps: Pick<Ports, "db">, accountId: string, batchSize = 2000) {
  let cursor: { at: string; id: string } | null = null;
  for (;;) {
    const rows: Array<Record<string, unknown> & { cursorAt: string; id: string }> = await deps.db
      .select({ ...callColumns, cursorAt: sql<string>`${callSessions.startedAt}::text` })
      .from(callSessions)
      .where(
        and(
          eq(callSessions.accountId, accountId),
          cursor
            ? sql`(${callSessions.startedAt}, ${callSessions.id}) > (${cursor.at}::timestamptz, ${cursor.id}::uuid)`
            : undefined,
        ),
      )
      .orderBy(asc(callSessions.startedAt), asc(callSessions.id))
      .limit(batchSize);
    const last = rows.at(-1);
    if (!last) return;
    cursor = { at: last.cursorAt, id: last.id };
    yield rows.map(({ cursorAt: _cursorAt, ...row }) => row);
    if (rows.length < batchSize) return;
  }
}
