import type { Button } from "@cac/db";
import type { Context } from "../context";
import { ipKey } from "../domain/ip";
import { AppError } from "../errors";
import type { LimitName } from "../limits";
import { recordRefusal } from "./abuse";
import { captchaFailed, captchaRefusal } from "./captcha";
import { rateLimitedError } from "./throttle";

/**
 * The widget's public entry points: each starts something for an anonymous visitor on a
 * customer's site (a call, a callback request). Each has its own limits, captcha action (the
 * Turnstile `action` the widget renders with) and words for a blocked visitor.
 */
export const widgetEntries = {
  call: {
    ipLimit: "call.ip",
    buttonLimit: "call.button",
    blocked: "Calls from your network are blocked. If this is a mistake, contact the business another way.",
    captchaMessage: "We couldn't verify this call. Please try again.",
    captcha: true,
  },
  callback: {
    ipLimit: "callback.ip",
    buttonLimit: "callback.button",
    blocked:
      "Requests from your network are blocked. If this is a mistake, contact the business another way.",
    captchaMessage: undefined,
    captcha: true,
  },
  // Whether the button can take a call now, asked by the widget before it offers one. It starts
  // nothing and answers yes or no, so it asks no captcha (the visitor has not acted yet).
  callable: {
    ipLimit: "callable.ip",
    buttonLimit: "callable.button",
    blocked: "Calls from your network are blocked. If this is a mistake, contact the business another way.",
    captchaMessage: undefined,
    captcha: false,
  },
} as const satisfies Record<
  string,
  {
    ipLimit: LimitName;
    buttonLimit: LimitName;
    blocked: string;
    captchaMessage: string | undefined;
    captcha: boolean;
  }
>;

export type WidgetEntry = keyof typeof widgetEntries;

/**
 * The visitor a widget entry point serves: the button the tier resolved, the visitor's IP, and the
 * block in force against that IP for the button's account (read with the button: widget-visit.ts).
 */
export type WidgetVisitor = {
  button: Button;
  ip: string;
  block: { id: string; source: "auto" | "operator" | "customer" } | null;
};

/** The security event kind of a refusal: `call_refused_blocked_ip`, `callback_refused_captcha`… */
export function refusalKind(entry: WidgetEntry, why: "blocked_ip" | "rate_limited" | "captcha") {
  return `${entry}_refused_${why}`;
}

/** The host of the page the visitor is on, where a widget's captcha was solved. */
function originHost(origin: string | undefined): string[] {
  try {
    return origin ? [new URL(origin).hostname] : [];
  } catch {
    return [];
  }
}

export function ipBlockedError(entry: WidgetEntry) {
  return new AppError("IP_BLOCKED", widgetEntries[entry].blocked);
}

/**
 * Consumes the limits in order, one attempt each, and stops at the first refusal, so the limits
 * after a refused one are not spent. A refusal is counted as a security event.
 */
async function throttleEntry(
  ctx: Context,
  entry: WidgetEntry,
  limits: Array<[LimitName, string]>,
  v: WidgetVisitor,
) {
  const result = await ctx.limiter.consumeInOrder(
    limits.map(([name, key]) => ({ policyName: name, policy: ctx.limits[name], key })),
  );
  if (result.allowed) return;
  await recordRefusal(ctx, {
    ip: v.ip,
    kind: refusalKind(entry, "rate_limited"),
    accountId: v.button.accountId,
    detail: {
      limit: limits[result.step]?.[0] ?? null,
      button: v.button.publicId,
      retryAfterSeconds: result.retryAfterSeconds,
    },
  });
  throw rateLimitedError(result.retryAfterSeconds);
}

/**
 * The guards every widget entry point passes, after the widget tier found the button enabled and
 * the page's Origin allowed, in this order: the IP is not blocked, the per-IP limit, the captcha
 * (when configured), and only then the per-button limit, so anonymous attempts that fail the
 * captcha never spend the business's budget. Each refusal is counted as a security event.
 */
export async function guardWidgetEntry(
  ctx: Context,
  entry: WidgetEntry,
  visitor: WidgetVisitor,
  captchaToken: string | undefined,
) {
  const { button, ip, block } = visitor;
  const policy = widgetEntries[entry];
  if (block) {
    await recordRefusal(ctx, {
      ip,
      kind: refusalKind(entry, "blocked_ip"),
      accountId: button.accountId,
      detail: { flagId: block.id, source: block.source, button: button.publicId },
    });
    throw ipBlockedError(entry);
  }
  const ipLimit: [LimitName, string] = [policy.ipLimit, ipKey(ip)];
  const buttonLimit: [LimitName, string] = [policy.buttonLimit, button.id];
  if (ctx.captcha.mode === "off" || !policy.captcha) {
    // Nothing stands between the two limits: both in one round trip, the IP's first.
    await throttleEntry(ctx, entry, [ipLimit, buttonLimit], visitor);
    return;
  }
  await throttleEntry(ctx, entry, [ipLimit], visitor);
  // The challenge ran on the customer's page, whose Origin the widget tier matched to the button.
  const refusal = await captchaRefusal(ctx, captchaToken, {
    ip,
    action: entry,
    hostnames: originHost(ctx.http.origin),
  });
  if (refusal) {
    // Siteverify being unreachable is our outage, not the visitor's doing.
    if (refusal.kind !== "unavailable") {
      await recordRefusal(ctx, {
        ip,
        kind: refusalKind(entry, "captcha"),
        accountId: button.accountId,
        detail: { reason: refusal.kind, button: button.publicId },
      });
    }
    throw captchaFailed(refusal, policy.captchaMessage);
  }
  await throttleEntry(ctx, entry, [buttonLimit], visitor);
}
