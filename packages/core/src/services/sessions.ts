import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { type Account, authSessions, type MemberRole, memberships, type User } from "@cac/db";
import { and, asc, eq, ne } from "drizzle-orm";
import type { Context, CookieOptions } from "../context";
import { AppError } from "../errors";
import type { Ports } from "../ports";
import { findSessionRow, markSessionUsed } from "./session-rows";

/** Sessions follow Lucia's "Sessions" guide: token `id.secret`, SHA-256(secret) stored. */
export const SESSION_COOKIE = "cac_session";
/** A session unused for this long is over. */
export const INACTIVITY_TIMEOUT_MS = 10 * 24 * 60 * 60 * 1000;
/** A session ends this long after login however active it is: a stolen cookie does not last forever. */
export const ABSOLUTE_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;
/** How often use of a session is written back (and the cookie renewed). */
export const ACTIVITY_CHECK_INTERVAL_MS = 60 * 60 * 1000;

/**
 * The person behind a session, as a member of the session's active account: `accountId` is that
 * account and `role` their role in it (a person may belong to several accounts).
 */
export type SessionUser = User & { accountId: string; role: MemberRole };

export type SessionAuth = {
  session: { id: string; createdAt: Date; lastVerifiedAt: Date };
  user: SessionUser;
  account: Account;
};

/** A session as its lookup finds it: with whether the account is verified (`account.me` shows it). */
export type ValidSession = SessionAuth & {
  /** An owner of the account confirmed their email (until then its buttons are in test mode). */
  accountVerified: boolean;
};

function randomToken(bytes: number): string {
  return randomBytes(bytes).toString("base64url");
}

export function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

function constantTimeEqualHex(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The session cookie's attributes. It lasts the inactivity timeout, and never past the session's
 * absolute end when `lifetimeLeftMs` (what is left of it) is given.
 */
export function sessionCookieOptions(ctx: Pick<Context, "settings">, lifetimeLeftMs?: number): CookieOptions {
  const maxAgeMs = Math.min(INACTIVITY_TIMEOUT_MS, lifetimeLeftMs ?? INACTIVITY_TIMEOUT_MS);
  return {
    httpOnly: true,
    secure: ctx.settings.publicUrl.protocol === "https:",
    sameSite: "lax",
    path: "/",
    maxAgeSeconds: Math.max(0, Math.floor(maxAgeMs / 1000)),
  };
}

/** Whether a session is over at `now`: idle past the timeout, or past its absolute lifetime. */
export function sessionExpired(session: { createdAt: Date; lastVerifiedAt: Date }, now: number): boolean {
  return (
    now - session.lastVerifiedAt.getTime() >= INACTIVITY_TIMEOUT_MS ||
    now - session.createdAt.getTime() >= ABSOLUTE_LIFETIME_MS
  );
}

/** The account a new session of this user starts in: the one they joined first. */
export async function defaultAccountOf(deps: Pick<Ports, "db">, userId: string): Promise<string> {
  const [first] = await deps.db
    .select({ accountId: memberships.accountId })
    .from(memberships)
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt), asc(memberships.accountId))
    .limit(1);
  if (!first) {
    throw new AppError(
      "FORBIDDEN",
      "This login is not a member of any account. Ask an owner to invite you again.",
    );
  }
  return first.accountId;
}

/** Creates a session row and returns the token for the cookie. */
export async function createSession(
  deps: Pick<Ports, "db" | "clock">,
  userId: string,
  meta: { ip?: string | undefined; userAgent?: string | undefined; accountId?: string | undefined },
): Promise<{ token: string; id: string }> {
  const id = randomToken(18);
  const secret = randomToken(24);
  const now = deps.clock.now();
  const activeAccountId = meta.accountId ?? (await defaultAccountOf(deps, userId));
  await deps.db.insert(authSessions).values({
    id,
    userId,
    activeAccountId,
    secretHash: sha256(secret),
    ip: meta.ip ?? null,
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
    createdAt: now,
    lastVerifiedAt: now,
  });
  return { token: `${id}.${secret}`, id };
}

/** Starts a session and sets the cookie: used by login, email verification and password reset. */
export async function startSession(ctx: Context, userId: string, accountId?: string): Promise<void> {
  const { token } = await createSession(ctx, userId, {
    ip: ctx.http.ip,
    userAgent: ctx.http.userAgent,
    accountId,
  });
  ctx.http.setCookie(SESSION_COOKIE, token, sessionCookieOptions(ctx));
}

/**
 * Checks a token. An expired session (idle too long, or older than its absolute lifetime) is
 * deleted; a session last used over an hour ago is marked used now, which extends its inactivity
 * window, never its absolute end.
 */
export async function validateSessionToken(
  deps: Pick<Ports, "db" | "clock">,
  token: string,
): Promise<(ValidSession & { renewed: boolean }) | null> {
  const [id, secret, extra] = token.split(".");
  if (!id || !secret || extra !== undefined) return null;
  // Batched with the lookups of the same moment (a reconnect storm), each checked on its own.
  const row = await findSessionRow(deps.db, id);
  if (!row) return null;
  if (!constantTimeEqualHex(sha256(secret), row.session.secretHash)) return null;
  const now = deps.clock.now().getTime();
  if (sessionExpired(row.session, now)) {
    await deps.db.delete(authSessions).where(eq(authSessions.id, id));
    return null;
  }
  const idle = now - row.session.lastVerifiedAt.getTime();
  let renewed = false;
  let lastVerifiedAt = row.session.lastVerifiedAt;
  if (idle >= ACTIVITY_CHECK_INTERVAL_MS) {
    lastVerifiedAt = new Date(now);
    await markSessionUsed(deps.db, id, lastVerifiedAt);
    renewed = true;
  }
  return {
    session: { id, createdAt: row.session.createdAt, lastVerifiedAt },
    user: { ...row.user, accountId: row.account.id, role: row.role },
    account: row.account,
    accountVerified: Boolean(row.accountVerified),
    renewed,
  };
}

/** Resolves the request's session once per request, refreshing the cookie when it was renewed. */
export async function validateSession(ctx: Context): Promise<ValidSession | null> {
  const token = ctx.http.getCookie(SESSION_COOKIE);
  if (!token) return null;
  const result = await validateSessionToken(ctx, token);
  if (!result) {
    ctx.http.clearCookie(SESSION_COOKIE, sessionCookieOptions(ctx));
    return null;
  }
  if (result.renewed) {
    const lifetimeLeft =
      result.session.createdAt.getTime() + ABSOLUTE_LIFETIME_MS - ctx.clock.now().getTime();
    ctx.http.setCookie(SESSION_COOKIE, token, sessionCookieOptions(ctx, lifetimeLeft));
  }
  return result;
}

export async function invalidateSession(deps: Pick<Ports, "db">, sessionId: string) {
  await deps.db.delete(authSessions).where(eq(authSessions.id, sessionId));
}

/** Drops every session of a user, except `keepSessionId` when given. */
export async function invalidateUserSessions(
  deps: Pick<Ports, "db">,
  userId: string,
  keepSessionId?: string,
) {
  await deps.db
    .delete(authSessions)
    .where(
      keepSessionId
        ? and(eq(authSessions.userId, userId), ne(authSessions.id, keepSessionId))
        : eq(authSessions.userId, userId),
    );
}

export function newOpaqueToken(): { token: string; hash: string } {
  const token = randomToken(32);
  return { token, hash: sha256(token) };
}
