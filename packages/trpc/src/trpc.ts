import {
  AppError,
  type Context,
  findButtonByPublicId,
  fromTryPage,
  guardWidgetEntry,
  loadWidgetVisit,
  type PublicButton,
  requireAdmin,
  requireJson,
  requireOperator,
  requireOwner,
  requirePortalOrigin,
  requireSession,
  type WidgetEntry,
  type WidgetVisit,
} from "@cac/core";
import { isOriginAllowed, text } from "@cac/core/domain";
import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError, z } from "zod";
import { appErrorOf, toTRPCError, withDomainErrors } from "./errors";
import { untilAborted } from "./streams";
import { transformer } from "./transformer";

/** What a procedure declares about itself; read by the middlewares of its tier. */
export type Meta = {
  /** Set by `widgetEntryProcedure`: which entry point's limits, captcha action and words apply. */
  widgetEntry?: WidgetEntry;
};

/**
 * Keeps SSE subscriptions (call signaling) alive through proxies and lets clients notice drops. The
 * server's own phone panel streams (apps/server/src/live) follow the same settings.
 */
export const sseOptions = {
  ping: { enabled: true, intervalMs: 10_000 },
  client: { reconnectAfterInactivityMs: 25_000 },
} as const;

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    transformer,
    sse: sseOptions,
    errorFormatter({ shape, error }) {
      const zodFields =
        error.cause instanceof ZodError
          ? (z.flattenError(error.cause).fieldErrors as Record<string, string[]>)
          : undefined;
      const appError = appErrorOf(error);
      const appFields = appError?.fieldErrors;
      const fieldErrors = zodFields || appFields ? { ...zodFields, ...appFields } : null;
      return {
        ...shape,
        // Internal errors keep their cause in the logs only.
        message:
          error.code === "INTERNAL_SERVER_ERROR"
            ? "Something went wrong on our side. Please try again."
            : error.cause instanceof ZodError
              ? "Some fields need your attention."
              : shape.message,
        data: {
          ...shape.data,
          stack: undefined,
          appCode: appError?.appCode ?? null,
          retryAfterSeconds: appError?.retryAfterSeconds ?? null,
          fieldErrors,
        },
      };
    },
  });

/**
 * Services throw AppErrors (packages/core knows nothing of tRPC): each becomes the tRPC error its
 * code maps to, whether the procedure threw it or a subscription's stream ended with it.
 *
 * Every subscription also ends when the server shuts down, as an abort: tRPC then closes the SSE
 * stream without its "return" event, so the client reconnects instead of treating it as finished.
 */
const domainErrorsAndShutdown = t.middleware(async ({ ctx, type, next }) => {
  const result = await next();
  if (!result.ok) {
    return result.error.cause instanceof AppError
      ? { ...result, error: toTRPCError(result.error.cause) }
      : result;
  }
  if (type !== "subscription") return result;
  const events = withDomainErrors(result.data as AsyncIterable<unknown>);
  return { ...result, data: untilAborted(events, ctx.http.serverClosing) };
});

/** The root of every tier. */
const baseProcedure = t.procedure.use(domainErrorsAndShutdown);

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/**
 * Portal CSRF guard: mutations must be JSON (a form or text/plain post cannot set that without
 * a CORS preflight) and come from the portal's own origin.
 */
const portalCsrf = t.middleware(({ ctx, type, next }) => {
  if (type !== "mutation") return next();
  requireJson(ctx);
  requirePortalOrigin(ctx, "required");
  return next();
});

export const publicProcedure = baseProcedure.use(portalCsrf);

/**
 * Any member of the session's active account (owner, admin or agent): `ctx.account` is that
 * account, `ctx.user.accountId` its id and `ctx.user.role` the member's role in it.
 */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const auth = await requireSession(ctx);
  return next({ ctx: { ...ctx, session: auth.session, user: auth.user, account: auth.account } });
});

/** Owners and admins: buttons, routing, the team (the roles table in DESIGN.md). */
export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  requireAdmin(ctx);
  return next();
});

/** Owners only: billing, closure, data export, making owners. */
export const ownerProcedure = authedProcedure.use(({ ctx, next }) => {
  requireOwner(ctx);
  return next();
});

export const operatorProcedure = authedProcedure.use(({ ctx, next }) => {
  requireOperator(ctx, ctx);
  return next();
});

/**
 * Widget tier: called from third-party sites, never with cookies. It resolves the button from
 * the input's public id, checks it is enabled and the page's Origin is allowed, and knows the
 * visitor's IP. A button of an account whose email nobody confirmed yet is in test mode: it works
 * from the portal's own origin (PUBLIC_URL) only, never on a customer's site.
 *
 * On its own this tier is for a call already started (authorized by the call's capability
 * token). Anything that starts something for a visitor is a public entry point and is built with
 * `widgetEntryProcedure` below, which adds the entry guards.
 */
export const widgetProcedure = baseProcedure
  .input(z.object({ button: text().trim().min(1, "The button id is missing.").max(64) }))
  .use(async ({ ctx, input, meta, type, next }) => {
    if (type === "mutation") requireJson(ctx);
    // An entry point reads, with its button, what its guards and its own checks need (one round
    // trip); they still decide in their order, after the checks below.
    const visit = meta?.widgetEntry
      ? await loadWidgetVisit(ctx, input.button, { ip: ctx.http.ip, entry: meta.widgetEntry })
      : undefined;
    const button = meta?.widgetEntry ? visit?.button : await findButtonByPublicId(ctx, input.button);
    if (!button?.enabled) {
      throw new AppError("NOT_FOUND", "This call button does not exist or is turned off.");
    }
    // The button's own test page on the product's origin (services/try-page.ts) is allowed without
    // being in the domain list, for this button only; its calls are test calls.
    const tryPage = fromTryPage(ctx.settings, ctx.http, button.publicId);
    if (!tryPage && !button.accountVerified) {
      if (ctx.http.origin !== ctx.settings.publicUrl.origin) {
        throw new AppError(
          "ACCOUNT_UNVERIFIED",
          "This call button is in test mode until its owner confirms their email address.",
        );
      }
    } else if (
      !tryPage &&
      !isOriginAllowed(ctx.http.origin, button.allowedDomains, ctx.settings.production)
    ) {
      throw new AppError("ORIGIN_NOT_ALLOWED", "This call button is not allowed on this website.");
    }
    return next({ ctx: { ...ctx, button, visitorIp: ctx.http.ip, visit: visit ?? null, tryPage } });
  });

/** A widget entry point's captcha token (Turnstile), checked when the captcha is configured. */
const captchaTokenInput = z.object({ captchaToken: text().max(4096).optional() });

/**
 * The entry guards (services/widget-guards.ts): IP not blocked, per-IP limit, captcha, per-button
 * limit. One middleware for every entry point, which names itself in its meta; it runs after the
 * procedure's own input is validated, so a typo never spends the visitor's captcha token.
 */
export const widgetEntryGuards = t.middleware(async ({ ctx, meta, input, next }) => {
  const { button, visitorIp, visit } = ctx as typeof ctx & {
    button?: PublicButton;
    visitorIp?: string;
    visit?: WidgetVisit | null;
  };
  if (!meta?.widgetEntry || !button || visitorIp === undefined || !visit) {
    throw new Error("widgetEntryGuards runs only in procedures built with widgetEntryProcedure");
  }
  const { captchaToken } = input as { captchaToken?: string | undefined };
  await guardWidgetEntry(ctx, meta.widgetEntry, { button, ip: visitorIp, block: visit.block }, captchaToken);
  return next();
});

/**
 * A public entry point of the widget (`calls.start`, `widget.requestCallback`): the widget tier,
 * its inputs (an optional `captchaToken` and the procedure's own), then the entry guards. There is
 * no other way to build one, so no entry point can skip a guard; the access-control suite checks
 * that every widget procedure either is built here or acts on a call by its capability token.
 */
export function widgetEntryProcedure<I extends z.ZodObject>(entry: WidgetEntry, input: I) {
  const base = widgetProcedure.meta({ widgetEntry: entry }).input(captchaTokenInput);
  // `.input` cannot check a generic schema; the call site's concrete schema types the builder.
  const withInput = (base.input as unknown as (schema: I) => ReturnType<typeof base.input<I>>).call(
    base,
    input,
  );
  return withInput.use(widgetEntryGuards);
}

export { TRPCError };
