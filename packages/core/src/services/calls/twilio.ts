import { buttons, callSessions, memberships, users } from "@cac/db";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Ports } from "../../ports";
import { isUniqueViolation } from "../db-errors";
import { currentPlan } from "../plan-limits";
import { ringPlanFor } from "../routing";
import { allowedCallSeconds, getUsage } from "../usage";
import { type AgentEvent, channels, type VisitorEvent } from "./channels";
import { type EndStatus, endCall } from "./lifecycle";

type Deps = Pick<Ports, "db" | "pubsub" | "clock" | "log" | "onCallEnded">;

/** Form parameters of a Twilio webhook, as signed by Twilio. */
export type TwilioParams = Record<string, string>;

/** Lifetime of the visitor's Access Token; a session not connected within it is expired. */
export const TWILIO_TOKEN_TTL_SECONDS = 300;

/** The Voice SDK identity of a portal agent, rung by `<Client>` when the button rings the portal. */
export function agentIdentity(userId: string): string {
  return `agent:${userId}`;
}

/** Lifetime of a portal agent's Access Token; the portal renews it before it runs out. */
export const AGENT_TOKEN_TTL_SECONDS = 3600;

export type AgentVoiceLine =
  | { mode: "webrtc" }
  | { mode: "twilio"; identity: string; token: string; ttlSeconds: number };

/**
 * How the portal's phone panel receives calls: over the live feed and WebRTC, or, with Twilio,
 * also through the Voice SDK, which `<Client>` rings under the agent's identity.
 */
export function agentVoiceLine(deps: Pick<Ports, "voice">, userId: string): AgentVoiceLine {
  if (deps.voice.mode !== "twilio") return { mode: "webrtc" };
  const identity = agentIdentity(userId);
  return {
    mode: "twilio",
    identity,
    token: deps.voice.createAgentAccessToken(identity, AGENT_TOKEN_TTL_SECONDS),
    ttlSeconds: AGENT_TOKEN_TTL_SECONDS,
  };
}

/** Only +1 numbers are ever dialed (the service is US-only). */
const usNumber = /^\+1\d{10}$/;
const uuid = z.uuid();

export type DialDecision = {
  action: "dial";
  sessionId: string;
  callerId: string;
  /** The number stored for the button; never anything the client sent. */
  number: string;
  /** Seconds the call may last: the minutes it reserved at its start. */
  timeLimit: number;
  /** Seconds to ring before giving up. */
  timeout: number;
  /** Portal agents rung at the same time as the number. */
  clients: Array<{ identity: string; parameters: Record<string, string> }>;
  /** Where Twilio reports the dialed legs' progress and, as the Dial's action, its outcome. */
  statusUrl: string;
};

export type VoiceDecision = { action: "reject"; reason: string } | DialDecision;

export type VoiceWebhookOptions = {
  callerId: string;
  /** Absolute public URL of the status webhook. */
  statusUrl: string;
  ringTimeoutSeconds: number;
};

const reject = (reason: string): VoiceDecision => ({ action: "reject", reason });

/**
 * Decides what Twilio does with a visitor's call from the widget (`Device.connect({ params:
 * { session } })`), after the webhook's signature was checked. It dials only the number stored
 * for the session's button, and claims the session for this CallSid so it is used once. `To` and
 * any other client parameter are ignored.
 */
export async function decideVoiceCall(
  deps: Deps & Pick<Ports, "presence">,
  params: TwilioParams,
  options: VoiceWebhookOptions,
): Promise<VoiceDecision> {
  const callSid = params.CallSid ?? "";
  const sessionId = params.session ?? "";
  if (!callSid) return reject("no CallSid");
  if (!uuid.safeParse(sessionId).success) return reject("unknown session");
  // The Access Token's identity is the session id, so a widget can only connect its own session.
  if (params.From && params.From !== `client:${sessionId}`)
    return reject("caller is not the session's identity");

  const [session] = await deps.db.select().from(callSessions).where(eq(callSessions.id, sessionId));
  if (session?.transport !== "twilio") return reject("unknown session");
  if (session.status !== "initiated" || session.providerCallId !== null)
    return reject("session already used");
  const now = deps.clock.now();
  if (now.getTime() - session.startedAt.getTime() > TWILIO_TOKEN_TTL_SECONDS * 1000)
    return reject("session expired");

  // From here the session is real and unused: a refusal ends it with its reason.
  const fail = async (reason: string, logReason: string) => {
    await endCall(deps, session.id, "failed", reason, { onlyFrom: ["initiated"] });
    return reject(logReason);
  };
  const [button] = session.buttonId
    ? await deps.db.select().from(buttons).where(eq(buttons.id, session.buttonId))
    : [];
  if (!button?.enabled) return fail("The call button was turned off.", "button gone or disabled");
  if (!button.phoneNumber || !usNumber.test(button.phoneNumber)) {
    return fail("The call button has no US phone number to ring.", "no +1 number stored for the button");
  }
  const plan = await currentPlan(deps, session.accountId);
  if (!plan.canRingPhone)
    return fail("The business's plan does not ring phone numbers.", "plan cannot ring phones");
  // The minutes the call reserved at its start (within the plan's longest call, should the plan
  // have changed since); a call started before calls reserved minutes gets the minutes left now.
  const timeLimit =
    session.reservedMinutes === null
      ? allowedCallSeconds(await getUsage(deps, session.accountId))
      : Math.min(plan.maxCallSeconds, session.reservedMinutes * 60);
  if (timeLimit <= 0) return fail("The business has no call minutes left this month.", "over quota");

  // The network rings for `timeout` seconds, then a call answered at the last moment may run its
  // full `timeLimit`: the latest this call can still be live. The answer narrows it (below).
  const ringDeadlineAt = new Date(now.getTime() + options.ringTimeoutSeconds * 1000);
  const limitEndsAt = new Date(ringDeadlineAt.getTime() + timeLimit * 1000);
  let claimed: { id: string } | undefined;
  try {
    [claimed] = await deps.db
      .update(callSessions)
      .set({ providerCallId: callSid, status: "ringing", lastActivityAt: now, ringDeadlineAt, limitEndsAt })
      .where(
        and(
          eq(callSessions.id, session.id),
          eq(callSessions.status, "initiated"),
          isNull(callSessions.providerCallId),
        ),
      )
      .returning({ id: callSessions.id });
  } catch (error) {
    // This CallSid already belongs to another session: a replay, never a second call.
    if (isUniqueViolation(error)) return reject("CallSid already used");
    throw error;
  }
  if (!claimed) return reject("session already used");

  // The portal rings the button's routed members who are reachable, with the number (its fallback).
  const routed = button.ringPortal ? await ringPlanFor(deps, button, options.ringTimeoutSeconds) : [];
  const agents = [...new Set(routed.flatMap((step) => step.userIds))].map((id) => ({ id }));
  const ringing: VisitorEvent = { type: "ringing" };
  await deps.pubsub.publish(channels.visitor(session.id), ringing);
  return {
    action: "dial",
    sessionId: session.id,
    callerId: options.callerId,
    number: button.phoneNumber,
    timeLimit,
    timeout: options.ringTimeoutSeconds,
    clients: agents.map((agent) => ({
      identity: agentIdentity(agent.id),
      parameters: {
        session: session.id,
        button: button.name,
        ...(session.pageUrl ? { page: session.pageUrl } : {}),
      },
    })),
    statusUrl: options.statusUrl,
  };
}

type StatusEvent =
  | { kind: "ringing" }
  | { kind: "answered"; byUserId: string | null }
  | { kind: "end"; status: EndStatus; reason: string | null; durationSeconds?: number };

export type StatusResult = { sessionId: string | null; applied: string | null };

const endReasons: Record<EndStatus, string | null> = {
  completed: null,
  canceled: "The caller hung up before anyone answered.",
  "no-answer": "No one answered in time.",
  busy: "The line was busy.",
  failed: "The phone network could not connect the call.",
};

function seconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,7}$/.test(value)) return undefined;
  return Number(value);
}

function ending(status: EndStatus, params: TwilioParams, durationSeconds?: number): StatusEvent {
  const base = endReasons[status];
  const code = params.ErrorCode && /^\d{1,6}$/.test(params.ErrorCode) ? params.ErrorCode : null;
  const reason = base && code ? `${base} (Twilio error ${code})` : base;
  return durationSeconds === undefined
    ? { kind: "end", status, reason }
    : { kind: "end", status, reason, durationSeconds };
}

/** What one callback means for the session, by which leg sent it. */
function classify(params: TwilioParams): StatusEvent | null {
  const status = params.CallStatus ?? "";
  if (params.DialCallStatus !== undefined) {
    // The <Dial>'s action: the outcome of the whole dial, whichever leg answered.
    const duration = seconds(params.DialCallDuration);
    switch (params.DialCallStatus) {
      case "completed":
      case "answered":
        return ending("completed", params, duration ?? 0);
      case "busy":
      case "no-answer":
      case "failed":
      case "canceled":
        return ending(params.DialCallStatus, params, 0);
      default:
        return null;
    }
  }
  if (params.ParentCallSid) {
    // One dialed leg: the <Number>, or a portal agent's <Client>.
    switch (status) {
      case "ringing":
        return { kind: "ringing" };
      case "answered":
      case "in-progress": {
        const agent = /^client:agent:(.+)$/.exec(params.To ?? "")?.[1];
        return { kind: "answered", byUserId: agent && uuid.safeParse(agent).success ? agent : null };
      }
      case "completed":
        // A leg completes only after it was answered: the conversation is over.
        return ending("completed", params, seconds(params.CallDuration) ?? 0);
      default:
        // busy, no-answer, failed, canceled, queued, initiated: one leg of perhaps several; the
        // Dial's action reports the outcome.
        return null;
    }
  }
  // The visitor's own leg (the TwiML App's status callback, when configured).
  switch (status) {
    case "completed":
    case "busy":
    case "no-answer":
    case "failed":
    case "canceled":
      return ending(status, params);
    default:
      return null;
  }
}

/**
 * Applies a signed status callback (or the Dial's action) to the call session it belongs to,
 * found by the caller's CallSid (ParentCallSid for a dialed leg). Statuses only move forward
 * (initiated < ringing < in-progress < ended) and an ended call is final, so a replayed or
 * late callback changes nothing.
 */
export async function applyStatusCallback(deps: Deps, params: TwilioParams): Promise<StatusResult> {
  const callSid = params.ParentCallSid || params.CallSid;
  if (!callSid) return { sessionId: null, applied: null };
  const [session] = await deps.db
    .select({ id: callSessions.id, accountId: callSessions.accountId })
    .from(callSessions)
    .where(eq(callSessions.providerCallId, callSid));
  if (!session) return { sessionId: null, applied: null };
  const event = classify(params);
  if (!event) return { sessionId: session.id, applied: null };
  const now = deps.clock.now();

  if (event.kind === "ringing") {
    const rows = await deps.db
      .update(callSessions)
      .set({ status: "ringing", lastActivityAt: now })
      .where(and(eq(callSessions.id, session.id), eq(callSessions.status, "initiated")))
      .returning({ id: callSessions.id });
    return { sessionId: session.id, applied: rows.length ? "ringing" : null };
  }

  if (event.kind === "answered") {
    let byUserId = event.byUserId;
    let byName: string | null = null;
    if (byUserId) {
      const [agent] = await deps.db
        .select({ id: memberships.userId, name: users.name })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(and(eq(memberships.userId, byUserId), eq(memberships.accountId, session.accountId)));
      byUserId = agent ? agent.id : null;
      byName = agent?.name ?? null;
    }
    const rows = await deps.db
      .update(callSessions)
      .set({
        status: "in-progress",
        answeredAt: now,
        lastActivityAt: now,
        // The Dial's timeLimit runs from the answer: the dial stored it as the gap between the two.
        limitEndsAt: sql`${now.toISOString()}::timestamptz + (${callSessions.limitEndsAt} - ${callSessions.ringDeadlineAt})`,
        ...(byUserId ? { answeredBy: byUserId } : {}),
      })
      .where(and(eq(callSessions.id, session.id), inArray(callSessions.status, ["initiated", "ringing"])))
      .returning({ id: callSessions.id });
    if (!rows.length) return { sessionId: session.id, applied: null };
    const answered: VisitorEvent = { type: "answered" };
    await deps.pubsub.publish(channels.visitor(session.id), answered);
    if (byUserId) {
      const taken: AgentEvent = { type: "taken", sessionId: session.id, byUserId, byName };
      await deps.pubsub.publish(channels.accountPhone(session.accountId), taken);
    }
    return { sessionId: session.id, applied: "in-progress" };
  }

  const end = await endCall(
    deps,
    session.id,
    event.status,
    event.reason,
    event.durationSeconds === undefined ? {} : { measuredSeconds: event.durationSeconds },
  );
  return { sessionId: session.id, applied: end ? end.status : null };
}

/**
 * The widget reports that its Voice SDK (or browser) could not set up the call, e.g. Twilio is
 * unreachable. Only a call nobody answered yet is ended this way; an answered call ends by hang-up
 * or by the phone network's callbacks.
 */
export async function reportClientFailure(
  deps: Deps,
  sessionId: string,
  reason: string,
): Promise<{ ok: true; ended: boolean }> {
  const clean = reason.replace(/\s+/g, " ").trim().slice(0, 200) || "The call could not be connected.";
  const end = await endCall(deps, sessionId, "failed", clean, { onlyFrom: ["initiated", "ringing"] });
  return { ok: true, ended: end !== null };
}
