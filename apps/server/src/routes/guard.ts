import type { Context, Limits, PortalOrigin, Ports, SessionAuth, Settings } from "@cac/core";
import {
  AppError,
  httpStatusOf,
  requireAdmin,
  requireOwner,
  requirePortalOrigin,
  requireSession,
} from "@cac/core";
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HTTPMethods,
  RouteGenericInterface,
} from "fastify";
import { createRequestContext } from "../context";

/**
 * The guard layer of the portal's plain Fastify routes (a download, an upload: what a procedure
 * cannot carry). They are held to the same rules as procedures, built from the same checks
 * (`@cac/core` services/access.ts, which the tRPC tiers use too), and a refusal answers with the
 * status its code maps to (`httpStatusOf`, the same table tRPC's errors follow).
 */
type RouteGuard = {
  /** Like the procedure tiers: any member, an owner or admin, or an owner. */
  tier: "authed" | "admin" | "owner";
  /** "required" for a change (an upload); "foreign-refused" for a download opened by navigation. */
  origin: PortalOrigin;
  /** What a request from elsewhere is told (403). */
  foreignOrigin: string;
  /** What a member whose role is not enough is told (403), for an admin or owner route. */
  notOwner?: string;
  /** The form field a refusal is shown on in the portal, if any. */
  field?: string;
  /** A page opened by navigation: signed out, the browser is sent to log in and come back (303). */
  loginRedirect?: boolean;
};

/**
 * Every guarded route, by "METHOD /path". Routes are registered from this table
 * (registerPortalRoute), and the access-control suite keys its rows by it, so a new route without
 * a row fails typecheck.
 */
export const portalRoutes = {
  "POST /uploads/logo": {
    tier: "admin",
    origin: "required",
    foreignOrigin: "This upload did not come from the portal.",
    field: "file",
  },
  "GET /exports/calls.csv": {
    tier: "admin",
    origin: "foreign-refused",
    foreignOrigin: "This export did not come from the portal.",
    notOwner: "Only the account's owners and admins can export the call log.",
  },
  // A button's test page (services/try-page.ts): opened from the portal, by a link or in a new tab.
  "GET /try/:publicId": {
    tier: "authed",
    origin: "foreign-refused",
    foreignOrigin: "This test page did not come from the portal.",
    loginRedirect: true,
  },
  "GET /exports/account.json": {
    tier: "owner",
    origin: "foreign-refused",
    foreignOrigin: "This download did not come from the portal.",
    notOwner: "Only the account owner can download the account's data.",
  },
} as const satisfies Record<string, RouteGuard>;

export type PortalRoute = keyof typeof portalRoutes;

export type RouteDeps = { ports: Ports; settings: Settings; limits: Limits };

/** What a guarded handler gets: the request's context (ports, settings, HTTP) and its session. */
export type Guarded = { ctx: Context; auth: SessionAuth };

/** A browser opening the page (not a script's fetch), which can follow a redirect to log in. */
function isNavigation(req: FastifyRequest): boolean {
  const mode = req.headers["sec-fetch-mode"];
  if (mode) return mode === "navigate";
  return (req.headers.accept ?? "").includes("text/html");
}

/** A refusal as the portal reads it: `{ error, fieldErrors? }`, never cached. */
export function refuse(
  reply: FastifyReply,
  status: number,
  message: string,
  fieldErrors?: Record<string, string[]>,
): FastifyReply {
  return reply
    .code(status)
    .header("Cache-Control", "no-store")
    .send({ error: message, ...(fieldErrors ? { fieldErrors } : {}) });
}

/**
 * Registers one route of `portalRoutes`: its guards run first (Origin, session, owner), then the
 * handler. An AppError from either (a guard's, or a service's) becomes its status and message;
 * anything else is a 500 whose cause stays in the log.
 */
export function registerPortalRoute<T extends RouteGenericInterface = RouteGenericInterface>(
  app: FastifyInstance,
  deps: RouteDeps,
  route: PortalRoute,
  handle: (req: FastifyRequest<T>, reply: FastifyReply, guarded: Guarded) => Promise<unknown>,
): void {
  const guard: RouteGuard = portalRoutes[route];
  const [method, url] = route.split(" ") as [HTTPMethods, string];
  app.route({
    method,
    url,
    handler: async (req, reply) => {
      const ctx = createRequestContext(deps.ports, deps.settings, deps.limits, req, reply);
      try {
        requirePortalOrigin(ctx, guard.origin, guard.foreignOrigin);
        const auth = await requireSession(ctx);
        if (guard.tier === "owner") requireOwner(auth, guard.notOwner);
        if (guard.tier === "admin") requireAdmin(auth, guard.notOwner);
        // `T` only types what the handler reads (its query); no schema checks it, the handler does.
        return await handle(req as FastifyRequest<T>, reply, { ctx, auth });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        if (guard.loginRedirect && error.appCode === "UNAUTHENTICATED" && isNavigation(req)) {
          const next = encodeURIComponent(req.url);
          return reply.header("Cache-Control", "no-store").redirect(`/login?next=${next}`, 303);
        }
        if (error.retryAfterSeconds) reply.header("Retry-After", String(error.retryAfterSeconds));
        const fieldErrors =
          error.fieldErrors ?? (guard.field ? { [guard.field]: [error.message] } : undefined);
        return refuse(reply, httpStatusOf(error.appCode), error.message, fieldErrors);
      }
    },
  });
}
