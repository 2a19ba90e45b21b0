import type { Context, Settings } from "../context";
import { AppError } from "../errors";
import { type SessionAuth, validateSession } from "./sessions";

/**
 * The access checks behind every portal entry: the tRPC tiers (packages/trpc) and the plain
 * Fastify routes (apps/server routes/guard.ts) are both built from these functions, so a download
 * or an upload is held to the same rules as a procedure.
 */

/** Whether this verified email is one of Click & Call's operators (OPERATOR_EMAILS). */
export function isOperator(settings: Pick<Settings, "operatorEmails">, email: string, verified: boolean) {
  return verified && settings.operatorEmails.includes(email.toLowerCase());
}

function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(";")[0]?.trim().toLowerCase();
}

/** A request that changes something must be JSON: a foreign form cannot send that without a preflight. */
export function requireJson(ctx: Pick<Context, "http">): void {
  if (mediaType(ctx.http.contentType) !== "application/json") {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Requests must be sent as application/json.");
  }
}

/** How a portal request proves it comes from the portal (CSRF). */
export type PortalOrigin =
  /** A change (a mutation, an upload): the portal's Origin is required. */
  | "required"
  /**
   * A read (a download by navigation, which sends no Origin): a browser's Origin other than the
   * portal's is refused, and none is accepted (the SameSite=Lax cookie stays off cross-site subrequests).
   */
  | "foreign-refused";

/** Refuses a request that did not come from the portal's own pages. */
export function requirePortalOrigin(
  ctx: Pick<Context, "http" | "settings">,
  rule: PortalOrigin,
  message = "This request did not come from the Click & Call portal.",
): void {
  const origin = ctx.http.origin;
  if (origin === ctx.settings.publicUrl.origin) return;
  if (rule === "foreign-refused" && !origin) return;
  throw new AppError("FORBIDDEN", message);
}

/** The request's session, or UNAUTHENTICATED. */
export async function requireSession(ctx: Context): Promise<SessionAuth> {
  const auth = await validateSession(ctx);
  if (!auth) throw new AppError("UNAUTHENTICATED", "Please log in to continue.");
  return auth;
}

/** An owner or an admin of the active account (buttons, routing, the team), else FORBIDDEN. */
export function requireAdmin(
  auth: SessionAuth,
  message = "Only the account's owners and admins can do this.",
): void {
  if (auth.user.role !== "owner" && auth.user.role !== "admin") throw new AppError("FORBIDDEN", message);
}

/** Only an owner of the active account, else FORBIDDEN. */
export function requireOwner(auth: SessionAuth, message = "Only the account owner can do this."): void {
  if (auth.user.role !== "owner") throw new AppError("FORBIDDEN", message);
}

/** Only an operator (a verified email listed in OPERATOR_EMAILS), else FORBIDDEN. */
export function requireOperator(ctx: Pick<Context, "settings">, auth: SessionAuth): void {
  if (!isOperator(ctx.settings, auth.user.email, auth.user.emailVerifiedAt !== null)) {
    throw new AppError("FORBIDDEN", "This page is for Click & Call operators.");
  }
}
