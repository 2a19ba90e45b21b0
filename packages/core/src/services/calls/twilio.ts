import { buttons, type CallSession, callSessions, memberships, type RingOutcome, users } from "@cac/db";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Ports } from "../../ports";
import { isUniqueViolation } from "../db-errors";
import { currentPlan } from "../plan-limits";
import { ringPlanFor } from "../routing";
import { allowedCallSeconds, getUsage } from "../usage";
import { type AgentEvent, channels, type VisitorEvent } from "./channels";
import { type EndStatus, endCall } from "./lifecycle";
import { closeRingSteps, recordPhoneStep, recordRingStep } from "./ring-step-rows";
import { nextReachableStep, planSeconds } from "./ring-steps";

type Deps = Pick<Ports, "db" | "pubsub" | "clock" | "log" | "onCallEnded" | "presence">;

/**
 * A phone call's `<Client>` legs reach open portal panels only (no push is sent for them), so a
 * member reachable only by push does not count here: ringing them would only delay the number.
 */
function panelsOnly(
  deps: Pick<Ports, "db" | "clock" | "presence">,
): Pick<Ports, "db" | "clock" | "presence"> {
  return { db: deps.db, clock: deps.clock, presence: deps.presence };
}

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

/**
 * One `<Dial>` of a phone call's routing: a step of the button's routed members (`<Client>`), or,
 * at the routing's end, the button's number (its fallback). Twilio asks the Dial's action what to
 * do next when it ends unanswered: the next step's Dial, until the number has rung.
 */
export type DialDecision = {
  action: "dial";
  sessionId: string;
  callerId: string;
  /** The number stored for the button, dialed on the last step only; never anything the client sent. */
  number: string | null;
  /** Seconds the call may last: the minutes it reserved at its start. */
  timeLimit: number;
  /** Seconds this step rings before giving up. */
  timeout: number;
  /** Portal agents this step rings. */
  clients: Array<{ identity: string; parameters: Record<string, string> }>;
  /** Where Twilio reports the dialed legs' progress. */
  statusUrl: string;
  /** The Dial's action (its outcome, DialCallStatus): the status webhook, naming the step. */
  actionUrl: string;
};

export type VoiceDecision = { action: "reject"; reason: string } | DialDecision;

export type VoiceWebhookOptions = {
  callerId: string;
  /** Absolute public URL of the status webhook. */
  statusUrl: string;
  /** How long the button's number rings (and a ring-all step of the members). */
  ringTimeoutSeconds: number;
};

/** The Dial's action URL for step `step`: its callback says which step ended, so a replay moves nothing. */
export function dialActionUrl(statusUrl: string, step: number): string {
  return `${statusUrl}?step=${step}`;
}

const reject = (reason: string): VoiceDecision => ({ action: "reject", reason });

/**
 * Decides what Twilio does with a visitor's call from the widget (`Device.connect({ params:
 * { session } })`), after the webhook's signature was checked: the first step of the button's
 * routing (its reachable members' panels), or its number when nobody routed is reachable. The only
 * number ever dialed is the one stored for the session's button; `To` and any other client
 * parameter are ignored. The session is claimed for this CallSid, so it is used once; its routing
 * is fixed here (`ring_plan`), and each Dial's action moves it on (applyStatusCallback).
 */
export async function decideVoiceCall(
  deps: Deps,
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

  // Who rings, step by step: the button's routed members reachable now, in its routing's order,
  // then the number. Nobody reachable (or a button that does not ring the portal): the number only.
  const steps = button.ringPortal
    ? await ringPlanFor(panelsOnly(deps), button, options.ringTimeoutSeconds)
    : [];
  // The network rings through every step, then a call answered at the last moment may run its full
  // `timeLimit`: the latest this call can still be live. The answer narrows it (below).
  const ringDeadlineAt = new Date(now.getTime() + (planSeconds(steps) + options.ringTimeoutSeconds) * 1000);
  const limitEndsAt = new Date(ringDeadlineAt.getTime() + timeLimit * 1000);
  let claimed: CallSession | undefined;
  try {
    [claimed] = await deps.db
      .update(callSessions)
      .set({
        providerCallId: callSid,
        status: "ringing",
        lastActivityAt: now,
        ringDeadlineAt,
        limitEndsAt,
        ringPlan: steps,
        ringStep: 0,
      })
      .where(
        and(
          eq(callSessions.id, session.id),
          eq(callSessions.status, "initiated"),
          isNull(callSessions.providerCallId),
        ),
      )
      .returning();
  } catch (error) {
    // This CallSid already belongs to another session: a replay, never a second call.
    if (isUniqueViolation(error)) return reject("CallSid already used");
    throw error;
  }
  if (!claimed) return reject("session already used");

  const first = steps[0];
  const at: DialAt = { call: claimed, buttonName: button.name, timeLimit, options, now };
  const dial = first
    ? await memberDial(deps, at, 0, first.userIds, first.seconds)
    : await phoneDial(deps, at, 0, button.phoneNumber);
  const ringing: VisitorEvent = { type: "ringing" };
  await deps.pubsub.publish(channels.visitor(session.id), ringing);
  return dial;
}

/** What every Dial of one call is made from. */
type DialAt = {
  call: Pick<CallSession, "id" | "pageUrl">;
  buttonName: string;
  timeLimit: number;
  options: VoiceWebhookOptions;
  now: Date;
};

function dialOf(at: DialAt, step: number, fields: Pick<DialDecision, "number" | "timeout" | "clients">) {
  return {
    action: "dial",
    sessionId: at.call.id,
    callerId: at.options.callerId,
    timeLimit: at.timeLimit,
    statusUrl: at.options.statusUrl,
    actionUrl: dialActionUrl(at.options.statusUrl, step),
    ...fields,
  } satisfies DialDecision;
}

/** A step ringing members' phone panels (`<Client>`), recorded as their ring. */
async function memberDial(
  deps: Pick<Ports, "db">,
  at: DialAt,
  step: number,
  userIds: string[],
  seconds: number,
): Promise<DialDecision> {
  await recordRingStep(deps, at.call.id, step, userIds, at.now);
  const parameters = {
    session: at.call.id,
    button: at.buttonName,
    ...(at.call.pageUrl ? { page: at.call.pageUrl } : {}),
  };
  return dialOf(at, step, {
    number: null,
    timeout: seconds,
    clients: userIds.map((id) => ({ identity: agentIdentity(id), parameters })),
  });
}

/** The routing's last step: the button's number (its fallback), recorded as a phone step. */
async function phoneDial(deps: Pick<Ports, "db">, at: DialAt, step: number, number: string) {
  await recordPhoneStep(deps, at.call.id, step, number, at.now);
  return dialOf(at, step, { number, timeout: at.options.ringTimeoutSeconds, clients: [] });
}

type StatusEvent =
  | { kind: "ringing" }
  /** A member's `<Client>` (byUserId), the button's number (byPhone), or a leg we cannot tell. */
  | { kind: "answered"; byUserId: string | null; byPhone: boolean }
  | { kind: "end"; status: EndStatus; reason: string | null; durationSeconds?: number };

export type StatusResult = {
  sessionId: string | null;
  applied: string | null;
  /** The Dial's action moved the call on: the next step's Dial, for Twilio to run now. */
  next?: DialDecision;
};

/** Which Dial a Dial's action reports, and how the next one is made. */
export type DialAction = { step: string | undefined; options: VoiceWebhookOptions };

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
        const to = params.To ?? "";
        const agent = /^client:agent:(.+)$/.exec(to)?.[1];
        return {
          kind: "answered",
          byUserId: agent && uuid.safeParse(agent).success ? agent : null,
          byPhone: usNumber.test(to),
        };
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
 * late callback changes nothing. The Dial's action of a routing step nobody answered (`action`, its
 * step from the query) returns the next step's Dial instead of ending the call.
 */
export async function applyStatusCallback(
  deps: Deps,
  params: TwilioParams,
  action?: DialAction,
): Promise<StatusResult> {
  const callSid = params.ParentCallSid || params.CallSid;
  if (!callSid) return { sessionId: null, applied: null };
  const [session] = await deps.db.select().from(callSessions).where(eq(callSessions.providerCallId, callSid));
  if (!session) return { sessionId: null, applied: null };
  const handover = action ? await nextStep(deps, session, params, action) : null;
  if (handover === "stale") return { sessionId: session.id, applied: null };
  if (handover) return { sessionId: session.id, applied: `step ${handover.step}`, next: handover.dial };
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
    const answerer = byUserId ?? (event.byPhone ? { phone: true as const } : undefined);
    await closeRingSteps(deps, session.id, "taken", now, answerer);
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

/** How a step's Dial ended for its members when nobody answered and the caller is still on the line. */
function rangOutAs(params: TwilioParams): RingOutcome | null {
  // The caller's own leg: still ringing (answerOnBridge answers it only at the bridge) or up.
  if (params.CallStatus !== "ringing" && params.CallStatus !== "in-progress") return null;
  switch (params.DialCallStatus) {
    case "no-answer":
    case "failed":
      return "no-answer";
    case "busy":
      // A member's panel rejected the ring.
      return "declined";
    default:
      return null;
  }
}

/**
 * The Dial's action for one of the routing's member steps that nobody answered: the call moves on
 * to the next step with a member reachable now, or, with nobody left, to the button's number (its
 * fallback), by one conditional update on the step it was on, so a replayed action moves nothing
 * ("stale"). Null when the Dial's outcome is final: the number's own step, an answer, the caller
 * gone, or nobody left and no number to ring; the call then ends by that outcome.
 */
async function nextStep(
  deps: Deps,
  call: CallSession,
  params: TwilioParams,
  action: DialAction,
): Promise<{ step: number; dial: DialDecision } | "stale" | null> {
  const outcome = rangOutAs(params);
  const step = action.step !== undefined && /^\d{1,3}$/.test(action.step) ? Number(action.step) : null;
  const plan = call.ringPlan;
  if (!outcome || step === null || !plan || call.status !== "ringing") return null;
  if (call.ringStep !== step) return "stale";
  if (step >= plan.length) return null;
  const now = deps.clock.now();
  const [button] = call.buttonId
    ? await deps.db.select().from(buttons).where(eq(buttons.id, call.buttonId))
    : [];
  const number =
    button?.enabled && button.phoneNumber && usNumber.test(button.phoneNumber) ? button.phoneNumber : null;
  const found = await nextReachableStep(panelsOnly(deps), call.accountId, plan, step, now);
  // Members left in order first; then the number, dialed last (its step numbered after every member's).
  const target = found ?? (number ? { next: plan.length, number } : null);
  if (!target) return null;
  const next = target.next;
  const [moved] = await deps.db
    .update(callSessions)
    .set({ ringStep: next, lastActivityAt: now })
    .where(
      and(eq(callSessions.id, call.id), eq(callSessions.status, "ringing"), eq(callSessions.ringStep, step)),
    )
    .returning({ id: callSessions.id });
  if (!moved) return "stale";
  // Only the update that moved the step gets here: each step is recorded once.
  await closeRingSteps(deps, call.id, outcome, now);
  // The Dial's time limit, as the first Dial set it (stored as the gap after the ring deadline).
  const timeLimit =
    call.limitEndsAt && call.ringDeadlineAt
      ? Math.max(1, Math.round((call.limitEndsAt.getTime() - call.ringDeadlineAt.getTime()) / 1000))
      : 1;
  const at: DialAt = {
    call,
    buttonName: button?.name ?? "Deleted button",
    timeLimit,
    options: action.options,
    now,
  };
  const dial =
    "number" in target
      ? await phoneDial(deps, at, next, target.number)
      : await memberDial(deps, at, next, target.rung, target.step.seconds);
  return { step: next, dial };
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
