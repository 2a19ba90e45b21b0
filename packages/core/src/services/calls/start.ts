import { type Button, callSessions } from "@cac/db";
import type { Context } from "../../context";
import { closedCallMessage, isOpenAt } from "../../domain/schedule";
import {
  type VisitorContext,
  type VisitorContextColumns,
  visitorContextColumns,
} from "../../domain/visitor-context";
import { AppError } from "../../errors";
import { recordRefusal } from "../abuse";
import { detectAbuseAtCallStart } from "../abuse-detection";
import { announceRing } from "../notifications/events";
import { planRing } from "../routing";
import { newOpaqueToken } from "../sessions";
import { reservableMinutes } from "../usage";
import { ipBlockedError, refusalKind } from "../widget-guards";
import type { CallFacts } from "../widget-visit";
import { type AgentEvent, channels, ringVisitor, type VisitorEvent } from "./channels";
import { armDeadline } from "./deadline-timers";
import { type CallIceConfig, callIceConfig } from "./ice-servers";
import { endCall } from "./lifecycle";
import { createCallSession, overQuota } from "./reserve";
import { planSeconds, publishRing } from "./ring-steps";

export type StartCallInput = {
  pageUrl?: string | undefined;
  /** The language the widget spoke to the visitor ("en" | "es"), shown with the call in the log. */
  language?: string | undefined;
  /** What the widget tells about the visitor; kept only when the button collects it. */
  context?: VisitorContext | undefined;
  /** From the button's test page (try-page.ts): logged as a test call, outside the quota. */
  test?: boolean | undefined;
};

export type StartCallResult =
  | ({
      transport: "webrtc";
      sessionId: string;
      token: string;
      ringTimeoutSeconds: number;
    } & CallIceConfig)
  | { transport: "twilio"; sessionId: string; token: string; accessToken: string; maxCallSeconds: number };

/** Why a call that could not ring is kept as failed (the call log shows it). */
const LIVE_EVENTS_DOWN = "The call could not ring: live events were unavailable.";

function liveUnavailable(cause: unknown) {
  return new AppError(
    "LIVE_UNAVAILABLE",
    "We can't connect calls right now because of a problem on our side. Please try again in a few minutes.",
    { cause },
  );
}

async function requireLiveEvents(ctx: Context) {
  try {
    await ctx.pubsub.check();
  } catch (error) {
    ctx.log.error({ err: error }, "calls.start refused: live events (pubsub) unavailable");
    throw liveUnavailable(error);
  }
}

/**
 * `call.start` after the widget tier and its entry guards (services/widget-guards.ts) let the
 * visitor through. The call's own checks run in order, and nothing is created until all pass.
 * `facts` were read with the button (services/widget-visit.ts): the account's usage this period
 * and the visitor IP's recent calls, as of `facts.now`, the call's start.
 */
export async function startCall(
  ctx: Context,
  button: Button,
  visitorIp: string,
  input: StartCallInput,
  facts: CallFacts,
): Promise<StartCallResult> {
  const { now, usage } = facts;
  const context = visitorContextColumns(button.collectContext ? input.context : undefined);
  const schedule = { timezone: button.timezone, hours: button.hours, holidays: button.holidays };
  if (!isOpenAt(schedule, now)) {
    throw new AppError("BUTTON_CLOSED", closedCallMessage(schedule, now));
  }
  // The owner calling their own test page is not an abuse pattern to flag (the entry guards'
  // limits still apply to it).
  const flagged = input.test
    ? null
    : await detectAbuseAtCallStart(ctx, visitorIp, button.accountId, now, facts.activity);
  if (flagged) {
    await recordRefusal(ctx, {
      ip: visitorIp,
      kind: refusalKind("call", "blocked_ip"),
      accountId: button.accountId,
      detail: { flagId: flagged.id, source: "auto", rule: flagged.rule, button: button.publicId },
    });
    throw ipBlockedError("call");
  }
  if (!input.test && reservableMinutes(usage) <= 0) throw overQuota();

  const useTwilio = ctx.voice.mode === "twilio" && button.phoneNumber !== null && usage.plan.canRingPhone;
  if (!useTwilio && !button.ringPortal) {
    throw new AppError("UNAVAILABLE", "This line can't take calls from the browser right now.");
  }
  // Who rings, step by step, among the routed members reachable now; nobody: the fallback, which is
  // the phone number when Twilio rings it, else the callback form the refusal leads the visitor to.
  // Its facts were read with the button; only the presence store is asked (once) here.
  const plan = useTwilio
    ? []
    : await planRing(ctx, button.accountId, facts.ring, ctx.settings.calls.ringTimeoutSeconds, now);
  if (!useTwilio && plan.length === 0) {
    // The widget asked first (callableNow), so this is a change in between: the attempt is kept.
    await logUnavailable(ctx, button, visitorIp, input, context, now);
    throw new AppError(
      "NO_AGENT_AVAILABLE",
      "No one is available to answer right now. Leave your number and we'll call you back.",
    );
  }

  // A browser call rings only through live events: without them no one would hear it, and its
  // ring timeout would later report a "missed" call that never rang. Checked before anything is
  // stored (a Twilio call rings through the phone network instead).
  if (!useTwilio) await requireLiveEvents(ctx);

  const { token, hash } = newOpaqueToken();
  // The visitor waits through every step at most; the ring deadline is the first step's end.
  const ringTimeoutSeconds = useTwilio ? ctx.settings.calls.ringTimeoutSeconds : planSeconds(plan);
  const first = plan[0];
  // A Twilio call's ring is timed by the phone network, from its dial (decideVoiceCall).
  const ringDeadlineAt = first ? new Date(now.getTime() + first.seconds * 1000) : null;
  const session = await createCallSession(ctx, usage, {
    accountId: button.accountId,
    buttonId: button.id,
    transport: useTwilio ? "twilio" : "webrtc",
    status: useTwilio ? "initiated" : "ringing",
    visitorIp,
    pageUrl: input.pageUrl?.slice(0, 2048) ?? null,
    language: input.language ?? null,
    visitorTokenHash: hash,
    startedAt: now,
    ringDeadlineAt,
    ...(first ? { ringPlan: plan, ringStep: 0 } : {}),
    test: input.test === true,
    context,
  });
  const sessionId = session.id;
  const maxCallSeconds = session.reservedMinutes * 60;

  if (ctx.voice.mode === "twilio" && useTwilio) {
    return {
      transport: "twilio",
      sessionId,
      token,
      accessToken: ctx.voice.createAccessToken(sessionId, 300),
      maxCallSeconds,
    };
  }

  const ring: AgentEvent = {
    type: "ring",
    call: {
      sessionId,
      buttonId: button.id,
      buttonName: button.name,
      pageUrl: session.pageUrl,
      startedAt: now.toISOString(),
      visitor: ringVisitor(context),
    },
  };
  const ringing: VisitorEvent = { type: "ringing" };
  // The first step's members were recorded as rung with the session (createCallSession).
  const rung = first?.userIds ?? [];
  try {
    await publishRing(ctx, rung, ring);
    await ctx.pubsub.publish(channels.visitor(sessionId), ringing);
  } catch (error) {
    // Redis went away since the check: the call never rang, so it failed (it was not missed).
    ctx.log.error({ err: error, sessionId }, "calls.start: the ring could not be published");
    await endCall(ctx, sessionId, "failed", LIVE_EVENTS_DOWN, { onlyFrom: ["ringing"] });
    throw liveUnavailable(error);
  }
  // Any instance ends the call at its ring deadline; this one's timer is usually first.
  if (ringDeadlineAt) armDeadline(ctx, sessionId, "ring", ringDeadlineAt);
  // Devices of the rung members who asked for it, after this response (never awaited here).
  announceRing(
    ctx,
    { id: sessionId, accountId: button.accountId, pageUrl: session.pageUrl, ...context },
    button.name,
    rung,
  );
  return {
    transport: "webrtc",
    sessionId,
    token,
    ...callIceConfig(ctx, sessionId),
    ringTimeoutSeconds,
  };
}

/**
 * A call nobody could take (no one reachable, no phone to fall back on) is kept in the call log as
 * `unavailable`, already ended, with no minutes reserved; the owners are told as for a missed call.
 */
async function logUnavailable(
  ctx: Context,
  button: Button,
  visitorIp: string,
  input: StartCallInput,
  context: VisitorContextColumns,
  now: Date,
) {
  const [row] = await ctx.db
    .insert(callSessions)
    .values({
      accountId: button.accountId,
      buttonId: button.id,
      transport: "webrtc",
      status: "unavailable",
      visitorIp,
      pageUrl: input.pageUrl?.slice(0, 2048) ?? null,
      language: input.language ?? null,
      failureReason: "No one was available to answer.",
      test: input.test === true,
      startedAt: now,
      endedAt: now,
      ...context,
    })
    .returning();
  if (row) await ctx.onCallEnded(row);
}
