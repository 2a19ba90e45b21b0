import { type Button, callSessions, users } from "@cac/db";
import { and, eq, gt } from "drizzle-orm";
import type { Context } from "../../context";
import { ipKey } from "../../domain/ip";
import { isOpenAt } from "../../domain/schedule";
import { AppError } from "../../errors";
import type { LimitName } from "../../limits";
import { findActiveBlock, recordSecurityEvent } from "../abuse";
import { detectAbuseAtCallStart } from "../abuse-detection";
import { throttle } from "../auth";
import { requireCaptcha } from "../captcha";
import { returned } from "../rows";
import { newOpaqueToken } from "../sessions";
import { allowedCallSeconds, getUsage } from "../usage";
import { type AgentEvent, channels, type VisitorEvent } from "./channels";
import { endCall, setCallTimer } from "./lifecycle";

/** An agent counts as available while their phone panel is open (heartbeat) and set available. */
export const AGENT_PRESENCE_MS = 45_000;

export type StartCallInput = { pageUrl?: string | undefined; captchaToken?: string | undefined };

export type StartCallResult =
  | {
      transport: "webrtc";
      sessionId: string;
      token: string;
      iceServers: Context["settings"]["calls"]["iceServers"];
      ringTimeoutSeconds: number;
    }
  | { transport: "twilio"; sessionId: string; token: string; accessToken: string; maxCallSeconds: number };

export async function availableAgents(deps: Pick<Context, "db" | "clock">, accountId: string) {
  return deps.db
    .select({ id: users.id })
    .from(users)
    .where(
      and(
        eq(users.accountId, accountId),
        eq(users.agentAvailable, true),
        gt(users.agentSeenAt, new Date(deps.clock.now().getTime() - AGENT_PRESENCE_MS)),
      ),
    );
}

function originHost(origin: string | undefined): string[] {
  try {
    return origin ? [new URL(origin).hostname] : [];
  } catch {
    return [];
  }
}

function ipBlocked() {
  return new AppError(
    "IP_BLOCKED",
    "Calls from your network are blocked. If this is a mistake, contact the business another way.",
  );
}

/** A limit of call.start; a refusal is kept as a security event (floods show up by IP). */
async function throttleCallStart(
  ctx: Context,
  name: LimitName,
  key: string,
  visitor: { ip: string; button: Button },
) {
  try {
    await throttle(ctx, name, key);
  } catch (error) {
    if (error instanceof AppError && error.appCode === "RATE_LIMITED") {
      await recordSecurityEvent(ctx, {
        ip: visitor.ip,
        kind: "call_refused_rate_limited",
        accountId: visitor.button.accountId,
        detail: {
          limit: name,
          button: visitor.button.publicId,
          retryAfterSeconds: error.retryAfterSeconds ?? null,
        },
      });
    }
    throw error;
  }
}

/**
 * `call.start` after the widget tier has resolved the button and checked the Origin. The
 * remaining checks run in order, and nothing is created until all of them pass.
 */
export async function startCall(
  ctx: Context,
  button: Button,
  visitorIp: string,
  input: StartCallInput,
): Promise<StartCallResult> {
  const now = ctx.clock.now();
  const schedule = { timezone: button.timezone, hours: button.hours, holidays: button.holidays };
  if (!isOpenAt(schedule, now)) {
    throw new AppError("BUTTON_CLOSED", "We're closed right now. Please call again when we're open.");
  }
  const block = await findActiveBlock(ctx, visitorIp, button.accountId, now);
  if (block) {
    await recordSecurityEvent(ctx, {
      ip: visitorIp,
      kind: "call_refused_blocked_ip",
      accountId: button.accountId,
      detail: { flagId: block.id, source: block.source, button: button.publicId },
    });
    throw ipBlocked();
  }
  await throttleCallStart(ctx, "call.ip", ipKey(visitorIp), { ip: visitorIp, button });
  await throttleCallStart(ctx, "call.button", button.id, { ip: visitorIp, button });
  const flagged = await detectAbuseAtCallStart(ctx, visitorIp, button.accountId, now);
  if (flagged) {
    await recordSecurityEvent(ctx, {
      ip: visitorIp,
      kind: "call_refused_blocked_ip",
      accountId: button.accountId,
      detail: { flagId: flagged.id, source: "auto", rule: flagged.rule, button: button.publicId },
    });
    throw ipBlocked();
  }
  const usage = await getUsage(ctx, button.accountId);
  const maxCallSeconds = allowedCallSeconds(usage);
  if (maxCallSeconds <= 0) {
    throw new AppError(
      "OVER_QUOTA",
      "This business can't take calls through the website right now. Please try again later.",
    );
  }
  // The challenge ran on the customer's page, whose Origin the widget tier matched to the button.
  await requireCaptcha(
    ctx,
    input.captchaToken,
    { ip: visitorIp, action: "call", hostnames: originHost(ctx.http.origin) },
    "We couldn't verify this call. Please try again.",
  );

  const useTwilio = ctx.voice.mode === "twilio" && button.phoneNumber !== null && usage.plan.canRingPhone;
  if (!useTwilio && !button.ringPortal) {
    throw new AppError("UNAVAILABLE", "This line can't take calls from the browser right now.");
  }
  if (!useTwilio && (await availableAgents(ctx, button.accountId)).length === 0) {
    throw new AppError(
      "NO_AGENT_AVAILABLE",
      "No one is available to answer right now. Leave your number and we'll call you back.",
    );
  }

  const { token, hash } = newOpaqueToken();
  const sessionRows = await ctx.db
    .insert(callSessions)
    .values({
      accountId: button.accountId,
      buttonId: button.id,
      transport: useTwilio ? "twilio" : "webrtc",
      status: useTwilio ? "initiated" : "ringing",
      visitorIp,
      pageUrl: input.pageUrl?.slice(0, 2048) ?? null,
      visitorTokenHash: hash,
      startedAt: now,
      lastActivityAt: now,
    })
    .returning();
  const session = returned(sessionRows, "call session");
  const sessionId = session.id;

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
    },
  };
  const ringing: VisitorEvent = { type: "ringing" };
  await ctx.pubsub.publish(channels.accountPhone(button.accountId), ring);
  await ctx.pubsub.publish(channels.visitor(sessionId), ringing);
  const ringTimeoutSeconds = ctx.settings.calls.ringTimeoutSeconds;
  setCallTimer(
    sessionId,
    ringTimeoutSeconds * 1000,
    () => endCall(ctx, sessionId, "no-answer", "No one answered in time."),
    ctx.log,
  );
  return {
    transport: "webrtc",
    sessionId,
    token,
    iceServers: ctx.settings.calls.iceServers,
    ringTimeoutSeconds,
  };
}
