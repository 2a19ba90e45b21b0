import { accounts, emailTokens, memberships, users } from "@cac/db";
import { hash, verify } from "@node-rs/argon2";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Context, Settings } from "../context";
import { DEFAULT_ACCOUNT_TIMEZONE } from "../domain/account-timezone";
import { ipKey } from "../domain/ip";
import { emails } from "../email/templates";
import { AppError } from "../errors";
import { loginDelayMs } from "../limits";
import type { MailMessage, Ports, SignupRequest } from "../ports";
import { portalHostnames, requireCaptcha } from "./captcha";
import { isUniqueViolation } from "./db-errors";
import { returned } from "./rows";
import {
  invalidateSession,
  invalidateUserSessions,
  newOpaqueToken,
  SESSION_COOKIE,
  sessionCookieOptions,
  sha256,
  startSession,
} from "./sessions";
import { throttle } from "./throttle";

/** OWASP's argon2id settings: 19 MiB, 2 iterations, 1 lane. Algorithm 2 is argon2id. */
const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
const VERIFY_TTL_MS = 24 * 60 * 60 * 1000;
const RESET_TTL_MS = 60 * 60 * 1000;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

// Verified against when the email is unknown, so both paths cost the same.
let dummyHash: Promise<string> | undefined;
function getDummyHash() {
  dummyHash ??= hashPassword("not-a-real-password-for-timing");
  return dummyHash;
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

function link(ctx: { settings: Pick<Settings, "publicUrl"> }, path: string, token?: string) {
  const url = new URL(path, ctx.settings.publicUrl);
  if (token) url.searchParams.set("token", token);
  return url.toString();
}

async function issueEmailToken(
  deps: Pick<Ports, "db" | "clock">,
  userId: string,
  purpose: "verify_email" | "reset_password",
  ttlMs: number,
): Promise<string> {
  const { token, hash: tokenHash } = newOpaqueToken();
  // A new link replaces any earlier one of the same purpose.
  await deps.db
    .delete(emailTokens)
    .where(and(eq(emailTokens.userId, userId), eq(emailTokens.purpose, purpose), isNull(emailTokens.usedAt)));
  await deps.db.insert(emailTokens).values({
    userId,
    purpose,
    tokenHash,
    expiresAt: new Date(deps.clock.now().getTime() + ttlMs),
  });
  return token;
}

/** Marks a token used and returns its user, or null when it is unknown, used or expired. */
async function consumeEmailToken(
  deps: Pick<Ports, "db" | "clock">,
  token: string,
  purpose: "verify_email" | "reset_password",
): Promise<string | null> {
  const now = deps.clock.now();
  const [row] = await deps.db
    .update(emailTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(emailTokens.tokenHash, sha256(token)),
        eq(emailTokens.purpose, purpose),
        isNull(emailTokens.usedAt),
        gt(emailTokens.expiresAt, now),
      ),
    )
    .returning({ userId: emailTokens.userId });
  return row?.userId ?? null;
}

function findUserByEmail(deps: Pick<Ports, "db">, email: string) {
  return deps.db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, email.toLowerCase()))
    .limit(1)
    .then((rows) => rows[0]);
}

export type SignupInput = {
  name: string;
  email: string;
  companyName: string;
  websiteUrl: string;
  phone: string;
  password: string;
  ageConfirmed: true;
  timezone?: string | undefined;
  captchaToken?: string | undefined;
};

export const SIGNUP_RESPONSE = {
  message: "Check your inbox: we sent a link to confirm your email address.",
} as const;

/**
 * Checks the request (limits, captcha), hashes the password and queues the signup; the answer is
 * the same for every address. Whether the email already has an account is looked at only after
 * the answer, by the email queue's worker (completeSignup), so the answer's time does not tell
 * either. The queue is a table, so a restart loses no signup.
 */
export async function signup(ctx: Context, input: SignupInput) {
  await throttle(ctx, "signup.ip", ipKey(ctx.http.ip));
  await throttle(ctx, "signup.email", input.email);
  await requireCaptcha(ctx, input.captchaToken, {
    ip: ctx.http.ip,
    action: "signup",
    hostnames: portalHostnames(ctx),
  });
  const passwordHash = await hashPassword(input.password);
  await ctx.emailQueue.enqueue({
    kind: "signup",
    payload: {
      name: input.name,
      email: input.email,
      companyName: input.companyName,
      websiteUrl: input.websiteUrl,
      phone: input.phone,
      passwordHash,
      ageConfirmedAt: ctx.clock.now().toISOString(),
      ...(input.timezone ? { timezone: input.timezone } : {}),
    },
  });
  return SIGNUP_RESPONSE;
}

/** What completing a queued request needs; `db` is the transaction that also queues its emails. */
export type QueuedRequestDeps = Pick<Ports, "db" | "clock"> & { settings: Pick<Settings, "publicUrl"> };

/**
 * Completes a queued signup, after its answer: creates the account and its owner and returns the
 * confirmation email, or, when the email has an account, the notice to that account's user.
 */
export async function completeSignup(
  deps: QueuedRequestDeps,
  request: SignupRequest,
): Promise<MailMessage[]> {
  const notice = (email: string) =>
    emails.signupAttemptOnExisting(email, link(deps, "/login"), link(deps, "/forgot-password"));
  const existing = await findUserByEmail(deps, request.email);
  if (existing) return [notice(existing.email)];
  // A savepoint: a concurrent signup for the same email that won the race ends only this part.
  const user = await deps.db
    .transaction(async (tx) => {
      const accountRows = await tx
        .insert(accounts)
        .values({
          companyName: request.companyName,
          websiteUrl: request.websiteUrl,
          phone: request.phone,
          timezone: request.timezone ?? DEFAULT_ACCOUNT_TIMEZONE,
        })
        .returning();
      const userRows = await tx
        .insert(users)
        .values({
          email: request.email,
          name: request.name,
          passwordHash: request.passwordHash,
          ageConfirmedAt: new Date(request.ageConfirmedAt),
        })
        .returning();
      const user = returned(userRows, "user");
      await tx
        .insert(memberships)
        .values({ accountId: returned(accountRows, "account").id, userId: user.id, role: "owner" });
      return user;
    })
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) return null;
      throw error;
    });
  if (!user) {
    const winner = await findUserByEmail(deps, request.email);
    return winner ? [notice(winner.email)] : [];
  }
  const token = await issueEmailToken(deps, user.id, "verify_email", VERIFY_TTL_MS);
  return [emails.verifyEmail(user.email, user.name, link(deps, "/verify-email", token))];
}

/** Confirms the email from the emailed link and logs the user in. */
export async function verifyEmail(ctx: Context, token: string) {
  const userId = await consumeEmailToken(ctx, token, "verify_email");
  if (!userId) {
    throw new AppError(
      "INVALID_TOKEN",
      "This confirmation link is invalid or has expired. Log in to send a new one.",
    );
  }
  await ctx.db
    .update(users)
    .set({ emailVerifiedAt: ctx.clock.now(), updatedAt: ctx.clock.now() })
    .where(eq(users.id, userId));
  await startSession(ctx, userId);
  return { verified: true as const };
}

export async function resendVerification(
  ctx: Context,
  user: { id: string; email: string; name: string; emailVerifiedAt: Date | null },
) {
  if (user.emailVerifiedAt) return { sent: false as const };
  await throttle(ctx, "verify.user", user.id);
  const token = await issueEmailToken(ctx, user.id, "verify_email", VERIFY_TTL_MS);
  await ctx.mailer.send(emails.verifyEmail(user.email, user.name, link(ctx, "/verify-email", token)));
  return { sent: true as const };
}

const LOGIN_FAILED = "The email or password is incorrect.";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Attempts on one account past its threshold ("login.email", from any IP) are challenged, never
 * refused: the captcha when it is configured, else a doubling wait before the password is checked.
 * So guesses from elsewhere cannot lock the owner out, while the guessing IPs themselves are
 * refused ("login.ip", "login.ip_email").
 */
async function challengeBusyAccount(ctx: Context, email: string, captchaToken: string | undefined) {
  const policy = ctx.limits["login.email"];
  const attempt = await ctx.limiter.consume("login.email", policy, email);
  if (attempt.allowed) return;
  if (ctx.captcha.mode !== "off") {
    await requireCaptcha(ctx, captchaToken, {
      ip: ctx.http.ip,
      action: "login",
      hostnames: portalHostnames(ctx),
    });
    return;
  }
  await sleep(loginDelayMs(attempt.consumed - policy.points));
}

export async function login(
  ctx: Context,
  input: { email: string; password: string; captchaToken?: string | undefined },
) {
  const clientKey = ipKey(ctx.http.ip);
  const ipAndEmail = `${clientKey} ${input.email}`;
  await throttle(ctx, "login.ip", clientKey);
  await throttle(ctx, "login.ip_email", ipAndEmail);
  await challengeBusyAccount(ctx, input.email, input.captchaToken);
  const user = await findUserByEmail(ctx, input.email);
  const ok = user
    ? await verifyPassword(user.passwordHash, input.password)
    : await verifyPassword(await getDummyHash(), input.password).then(() => false);
  if (!user || !ok) {
    ctx.log.info({ ip: ctx.http.ip }, "login failed");
    throw new AppError("UNAUTHENTICATED", LOGIN_FAILED);
  }
  await ctx.limiter.reset("login.ip_email", ctx.limits["login.ip_email"], ipAndEmail);
  await startSession(ctx, user.id);
  return { ok: true as const };
}

export async function logout(ctx: Context, sessionId: string) {
  await invalidateSession(ctx, sessionId);
  ctx.http.clearCookie(SESSION_COOKIE, sessionCookieOptions(ctx));
  return { ok: true as const };
}

export const RESET_REQUEST_RESPONSE = {
  message: "If an account uses that email, we sent it a link to reset the password.",
} as const;

/**
 * Queues the request and answers the same for every address: whether it has an account is looked
 * at only after the answer (completePasswordReset), so the answer's time does not tell either.
 */
export async function requestPasswordReset(ctx: Context, email: string) {
  await throttle(ctx, "reset.ip", ipKey(ctx.http.ip));
  await throttle(ctx, "reset.email", email);
  await ctx.emailQueue.enqueue({ kind: "password-reset", payload: { email } });
  return RESET_REQUEST_RESPONSE;
}

/** Completes a queued reset request, after its answer: the link for a known address, else nothing. */
export async function completePasswordReset(
  deps: QueuedRequestDeps,
  request: { email: string },
): Promise<MailMessage[]> {
  const user = await findUserByEmail(deps, request.email);
  if (!user) return [];
  const token = await issueEmailToken(deps, user.id, "reset_password", RESET_TTL_MS);
  return [emails.resetPassword(user.email, link(deps, "/reset-password", token))];
}

/** Sets a new password from an emailed link, ends every session, and logs in afresh. */
export async function resetPassword(ctx: Context, input: { token: string; password: string }) {
  // Throttled like the request: each attempt costs an argon2 hash, even with a bad link.
  await throttle(ctx, "reset.ip", ipKey(ctx.http.ip));
  const passwordHash = await hashPassword(input.password);
  const userId = await consumeEmailToken(ctx, input.token, "reset_password");
  if (!userId) {
    throw new AppError(
      "INVALID_TOKEN",
      "This reset link is invalid, already used or expired. Ask for a new one.",
    );
  }
  // The link proves the user reads this mailbox, so it also confirms the email.
  const user = await storeNewPassword(ctx, userId, passwordHash, { confirmEmail: true });
  if (user) await ctx.mailer.send(emails.passwordChanged(user.email));
  await startSession(ctx, userId);
  return { ok: true as const };
}

/**
 * Stores a new password and ends what the old one let in, in one transaction: every session (but
 * `keepSessionId`, the one changing it) and every reset link still outstanding, so a link mailed
 * before the change cannot undo it.
 */
async function storeNewPassword(
  deps: Pick<Ports, "db" | "clock">,
  userId: string,
  passwordHash: string,
  options: { keepSessionId?: string; confirmEmail?: boolean },
) {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [user] = await tx
      .update(users)
      .set({
        passwordHash,
        updatedAt: now,
        // postgres.js cannot bind a Date inside a raw sql fragment (PGlite can): pass it as text.
        ...(options.confirmEmail
          ? { emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now.toISOString()}::timestamptz)` }
          : {}),
      })
      .where(eq(users.id, userId))
      .returning();
    await tx
      .delete(emailTokens)
      .where(
        and(
          eq(emailTokens.userId, userId),
          eq(emailTokens.purpose, "reset_password"),
          isNull(emailTokens.usedAt),
        ),
      );
    await invalidateUserSessions({ db: tx }, userId, options.keepSessionId);
    return user;
  });
}

export async function changePassword(
  ctx: Context,
  auth: { userId: string; email: string; passwordHash: string; sessionId: string },
  input: { currentPassword: string; newPassword: string },
) {
  // A password guess through this session; guesses at the login form do not count here.
  await throttle(ctx, "password.session", auth.sessionId);
  if (!(await verifyPassword(auth.passwordHash, input.currentPassword))) {
    throw new AppError("WRONG_PASSWORD", "Your current password is not correct.", {
      fieldErrors: { currentPassword: ["Your current password is not correct."] },
    });
  }
  const passwordHash = await hashPassword(input.newPassword);
  await storeNewPassword(ctx, auth.userId, passwordHash, { keepSessionId: auth.sessionId });
  await ctx.mailer.send(emails.passwordChanged(auth.email));
  return { ok: true as const };
}
