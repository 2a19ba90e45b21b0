import {
  accounts,
  authSessions,
  billingRecords,
  buttonRouting,
  buttonRoutingMembers,
  buttons,
  callbackNotes,
  callbackRequests,
  callNotes,
  callRingSteps,
  callSessions,
  invitations,
  memberHours,
  memberships,
  notificationPreferences,
  pushSubscriptions,
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
 * their hashes, email-token and invitation-token hashes, and the widget's per-call capability hashes.
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
      role: memberships.role,
      emailVerifiedAt: users.emailVerifiedAt,
      ageConfirmedAt: users.ageConfirmedAt,
      agentAvailable: memberships.available,
      createdAt: users.createdAt,
      updatedAt: users.updatedAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.accountId, accountId))
    .orderBy(asc(memberships.createdAt), asc(users.createdAt));
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
        // The members' logins in this account; those working in another account are that one's.
        .where(
          and(
            eq(authSessions.activeAccountId, accountId),
            inArray(
              authSessions.userId,
              people.map((p) => p.id),
            ),
          ),
        )
        .orderBy(asc(authSessions.createdAt))
    : [];
  // The members' push devices (their endpoints and keys are secrets, as session ids are) and their
  // notification choices in this account.
  const pushDevices = people.length
    ? await deps.db
        .select({
          userId: pushSubscriptions.userId,
          label: pushSubscriptions.label,
          createdAt: pushSubscriptions.createdAt,
          lastActiveAt: pushSubscriptions.lastActiveAt,
        })
        .from(pushSubscriptions)
        .where(
          inArray(
            pushSubscriptions.userId,
            people.map((p) => p.id),
          ),
        )
        .orderBy(asc(pushSubscriptions.createdAt))
    : [];
  const choices = await deps.db
    .select()
    .from(notificationPreferences)
    .where(eq(notificationPreferences.accountId, accountId));
  const buttonRows = await deps.db
    .select()
    .from(buttons)
    .where(eq(buttons.accountId, accountId))
    .orderBy(asc(buttons.createdAt));
  const routings = await deps.db.select().from(buttonRouting).where(eq(buttonRouting.accountId, accountId));
  const routedMembers = await deps.db
    .select()
    .from(buttonRoutingMembers)
    .where(eq(buttonRoutingMembers.accountId, accountId))
    .orderBy(asc(buttonRoutingMembers.position));
  const routingOf = (buttonId: string) => {
    const routing = routings.find((r) => r.buttonId === buttonId);
    if (!routing) return null;
    return {
      who: routing.who,
      strategy: routing.strategy,
      stepSeconds: routing.stepSeconds,
      members: routedMembers
        .filter((m) => m.buttonId === buttonId)
        .map((m) => ({ userId: m.userId, ringSeconds: m.ringSeconds })),
      updatedAt: routing.updatedAt,
    };
  };
  const callbacks = await deps.db
    .select({
      id: callbackRequests.id,
      buttonId: callbackRequests.buttonId,
      name: callbackRequests.name,
      phone: callbackRequests.phone,
      message: callbackRequests.message,
      ip: callbackRequests.ip,
      status: callbackRequests.status,
      assigneeId: callbackRequests.assigneeId,
      handledAt: callbackRequests.handledAt,
      createdAt: callbackRequests.createdAt,
      ...visitorContextOf(callbackRequests),
    })
    .from(callbackRequests)
    .where(eq(callbackRequests.accountId, accountId))
    .orderBy(asc(callbackRequests.createdAt));
  const callbackNoteRows = await deps.db
    .select({
      callbackRequestId: callbackNotes.callbackRequestId,
      authorId: callbackNotes.authorId,
      body: callbackNotes.body,
      createdAt: callbackNotes.createdAt,
    })
    .from(callbackNotes)
    .where(eq(callbackNotes.accountId, accountId))
    .orderBy(asc(callbackNotes.createdAt), asc(callbackNotes.id));
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
  // The invitations the account sent (the invitee's address is personal data it holds), never the link's hash.
  const invitationRows = await deps.db
    .select({
      email: invitations.email,
      role: invitations.role,
      invitedBy: invitations.invitedBy,
      createdAt: invitations.createdAt,
      expiresAt: invitations.expiresAt,
      acceptedAt: invitations.acceptedAt,
      revokedAt: invitations.revokedAt,
    })
    .from(invitations)
    .where(eq(invitations.accountId, accountId))
    .orderBy(asc(invitations.createdAt), asc(invitations.email));
  const now = deps.clock.now();

  return {
    format: DATA_EXPORT_FORMAT,
    exportedAt: now,
    account: account ?? null,
    users: people.map((person) => ({
      ...person,
      workingHours: hoursOf.get(person.id) ?? null,
      sessions: loginSessions
        .filter((s) => s.userId === person.id)
        .map(({ userId: _userId, ...session }) => session),
      pushDevices: pushDevices
        .filter((d) => d.userId === person.id)
        .map(({ userId: _userId, ...device }) => device),
      notificationPreferences:
        choices
          .filter((c) => c.userId === person.id)
          .map(({ accountId: _accountId, userId: _userId, ...chosen }) => chosen)[0] ?? null,
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
      routing: routingOf(b.id),
      createdAt: b.createdAt,
      updatedAt: b.updatedAt,
    })),
    callbackRequests: callbacks.map((request) => ({
      ...request,
      notes: callbackNoteRows
        .filter((n) => n.callbackRequestId === request.id)
        .map(({ callbackRequestId: _id, ...note }) => note),
    })),
    invitations: invitationRows.map((invitation) => ({
      ...invitation,
      status: invitation.acceptedAt
        ? ("accepted" as const)
        : invitation.revokedAt
          ? ("revoked" as const)
          : invitation.expiresAt <= now
            ? ("expired" as const)
            : ("pending" as const),
    })),
    subscription: subscription ?? null,
    billingRecords: billing,
  };
}

/** What the widget told about the visit, kept with a call or a callback request. */
function visitorContextOf(t: typeof callSessions | typeof callbackRequests) {
  return {
    source: t.source,
    referrer: t.referrer,
    utmSource: t.utmSource,
    utmMedium: t.utmMedium,
    utmCampaign: t.utmCampaign,
    utmTerm: t.utmTerm,
    utmContent: t.utmContent,
    gclid: t.gclid,
    device: t.device,
    visitorLocalTime: t.visitorLocalTime,
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
  tags: callSessions.tags,
  ...visitorContextOf(callSessions),
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
      .select({
        ...callColumns,
        lastNoteAt: callSessions.lastNoteAt,
        cursorAt: sql<string>`${callSessions.startedAt}::text`,
      })
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
    const ids = rows.map((row) => row.id);
    // Who each call rang, step by step (routing), read for the whole batch at once.
    const steps = await deps.db
      .select()
      .from(callRingSteps)
      .where(inArray(callRingSteps.callId, ids))
      .orderBy(asc(callRingSteps.step), asc(callRingSteps.startedAt));
    const stepsOf = new Map<string, Array<Omit<(typeof steps)[number], "callId">>>();
    for (const { callId, ...step } of steps) stepsOf.set(callId, [...(stepsOf.get(callId) ?? []), step]);
    // The batch's notes in one query, by the calls that have any.
    const noted = rows.filter((r) => r.lastNoteAt !== null).map((r) => r.id);
    const notes = noted.length
      ? await deps.db
          .select({
            callSessionId: callNotes.callSessionId,
            authorId: callNotes.authorId,
            body: callNotes.body,
            createdAt: callNotes.createdAt,
          })
          .from(callNotes)
          .where(inArray(callNotes.callSessionId, noted))
          .orderBy(asc(callNotes.createdAt), asc(callNotes.id))
      : [];
    const notesByCall = new Map<string, Array<Omit<(typeof notes)[number], "callSessionId">>>();
    for (const { callSessionId, ...note } of notes) {
      notesByCall.set(callSessionId, [...(notesByCall.get(callSessionId) ?? []), note]);
    }
    yield rows.map(({ cursorAt: _cursorAt, lastNoteAt: _lastNoteAt, ...row }) => ({
      ...row,
      ringSteps: stepsOf.get(row.id) ?? [],
      notes: notesByCall.get(row.id) ?? [],
    }));
    if (rows.length < batchSize) return;
  }
}
