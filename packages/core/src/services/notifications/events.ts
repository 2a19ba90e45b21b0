import { type CallSession, callRingSteps, memberships } from "@cac/db";
import { and, eq, isNotNull } from "drizzle-orm";
import {
  callTag,
  PUSH_CALL_TTL_SECONDS,
  PUSH_COLD_START_SECONDS,
  PUSH_NOTICE_TTL_SECONDS,
  pageLabel,
} from "../../domain/push";
import type { Ports } from "../../ports";
import { inBackground, type PushDeps, type PushTally, pushToMembers } from "./dispatch";

/** What the portal needs to offer push (contract: `notifications.config`). */
export function notificationsConfig(deps: Pick<Ports, "push">) {
  return {
    enabled: deps.push.mode === "web-push",
    publicKey: deps.push.publicKey,
    coldStartSeconds: PUSH_COLD_START_SECONDS,
  };
}

type RingingCall = Pick<CallSession, "id" | "accountId" | "pageUrl"> &
  Partial<Pick<CallSession, "source" | "utmCampaign" | "device">>;

/** "from Google Ads, campaign spring-sale, on mobile": the visitor's context, when the call has some. */
function contextLine(call: RingingCall): string | null {
  const parts = [
    call.source ? `from ${call.source}` : null,
    call.utmCampaign ? `campaign ${call.utmCampaign}` : null,
    call.device ? `on ${call.device}` : null,
  ].filter((part): part is string => part !== null);
  return parts.length ? parts.join(", ") : null;
}

/** The members a call rang (every step so far). */
async function rungMembers(deps: Pick<Ports, "db">, callId: string): Promise<string[]> {
  const rows = await deps.db
    .selectDistinct({ userId: callRingSteps.userId })
    .from(callRingSteps)
    .where(and(eq(callRingSteps.callId, callId), isNotNull(callRingSteps.userId)));
  return rows.flatMap((row) => (row.userId ? [row.userId] : []));
}

/** "Call from acme-plumbing.com/pricing" to the devices of the members a call rings now. */
export async function pushIncomingCall(
  deps: PushDeps,
  call: RingingCall,
  buttonName: string,
  userIds: readonly string[],
): Promise<PushTally> {
  const page = pageLabel(call.pageUrl);
  const context = contextLine(call);
  return pushToMembers(
    deps,
    { accountId: call.accountId, userIds, which: "pushIncomingCall" },
    {
      type: "incoming_call",
      title: page ? `Call from ${page}` : `Call on ${buttonName}`,
      body: context ? `${buttonName}\n${context}` : buttonName,
      tag: callTag(call.id),
      url: `/?answer=${encodeURIComponent(call.id)}&account=${encodeURIComponent(call.accountId)}`,
      callId: call.id,
      accountId: call.accountId,
      actions: [
        { action: "answer", title: "Answer" },
        { action: "decline", title: "Decline" },
      ],
    },
    { ttlSeconds: PUSH_CALL_TTL_SECONDS, urgency: "high" },
  );
}

/** The ring's push, after the caller's response: the call's start does not wait for it. */
export function announceRing(
  deps: Partial<Pick<Ports, "push">> & Pick<Ports, "db" | "log">,
  call: RingingCall,
  buttonName: string,
  userIds: readonly string[],
): void {
  const { push } = deps;
  if (!push || push.mode === "off" || userIds.length === 0) return;
  inBackground(deps.log, "incoming-call push", () =>
    pushIncomingCall({ ...deps, push }, call, buttonName, userIds),
  );
}

/**
 * The call no longer rings these members' devices: its notification (same tag) is replaced by who
 * took it, or by its end. Sent to the members it rang who have incoming-call pushes on.
 */
export async function pushCallTaken(
  deps: PushDeps,
  call: Pick<CallSession, "id" | "accountId">,
  body: string,
  only?: readonly string[],
): Promise<PushTally> {
  const userIds = only ?? (await rungMembers(deps, call.id));
  return pushToMembers(
    deps,
    { accountId: call.accountId, userIds, which: "pushIncomingCall" },
    {
      type: "call_taken",
      title: "Call taken",
      body,
      tag: callTag(call.id),
      url: "/calls",
      callId: call.id,
      accountId: call.accountId,
    },
    { ttlSeconds: PUSH_CALL_TTL_SECONDS, urgency: "high" },
  );
}

/** `pushCallTaken` after the caller's response (an answer, an end, a step that rang out). */
export function announceTaken(
  deps: Partial<Pick<Ports, "push">> & Pick<Ports, "db" | "log">,
  call: Pick<CallSession, "id" | "accountId">,
  body: string,
  only?: readonly string[],
): void {
  const { push } = deps;
  if (!push || push.mode === "off") return;
  inBackground(deps.log, "call-taken push", () => pushCallTaken({ ...deps, push }, call, body, only));
}

/**
 * A call ended while still ringing (nobody answered, the visitor hung up, a decline): the ring's
 * notification on every device it reached is replaced. Answered calls were replaced at the answer.
 */
export function announceCallEnded(deps: Pick<Ports, "db" | "log" | "push">, call: CallSession): void {
  if (call.answeredAt !== null || call.transport !== "webrtc" || !call.ringPlan) return;
  announceTaken(deps, call, "This call has ended.");
}

/** A missed call, to the owners and the members it rang, who have missed-call pushes on. */
export async function pushMissedCall(
  deps: PushDeps,
  call: Pick<CallSession, "id" | "accountId">,
  buttonName: string,
): Promise<PushTally> {
  const owners = await deps.db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.accountId, call.accountId), eq(memberships.role, "owner")));
  const userIds = [...owners.map((row) => row.userId), ...(await rungMembers(deps, call.id))];
  return pushToMembers(
    deps,
    { accountId: call.accountId, userIds, which: "pushMissedCall" },
    {
      type: "missed_call",
      title: "Missed call",
      body: `Nobody answered a call on ${buttonName}.`,
      tag: `missed-${call.id}`,
      url: "/calls",
      callId: call.id,
      accountId: call.accountId,
    },
    { ttlSeconds: PUSH_NOTICE_TTL_SECONDS, urgency: "normal" },
  );
}

/** A new callback request, to every member of the account with callback pushes on. */
export async function pushCallbackRequest(
  deps: PushDeps,
  request: { accountId: string; buttonId: string; name: string },
  buttonName: string,
): Promise<PushTally> {
  const members = await deps.db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(eq(memberships.accountId, request.accountId));
  return pushToMembers(
    deps,
    { accountId: request.accountId, userIds: members.map((row) => row.userId), which: "pushCallback" },
    {
      type: "callback",
      title: "Callback request",
      body: `${request.name} asked to be called back (${buttonName}).`,
      tag: `callback-${request.buttonId}`,
      url: "/callbacks",
      accountId: request.accountId,
    },
    { ttlSeconds: PUSH_NOTICE_TTL_SECONDS, urgency: "normal" },
  );
}
