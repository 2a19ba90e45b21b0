import { createHash } from "node:crypto";
import { authSessions, users } from "@cac/db";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  rawTrpc,
  signupVerified,
  startHarness,
  uniqueIp,
} from "./harness";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

function parseSetCookie(line: string) {
  const [pair, ...attributes] = line.split(";").map((part) => part.trim());
  const [name, ...rest] = pair!.split("=");
  const flags = new Map<string, string>();
  for (const attribute of attributes) {
    const [key, ...value] = attribute.split("=");
    flags.set(key!.toLowerCase(), value.join("="));
  }
  return { name: name!, value: rest.join("="), flags };
}

async function rawLogin(h: Harness, email: string, password: string) {
  const res = await rawTrpc(h, "auth.login", {
    input: { email, password },
    headers: { "x-forwarded-for": uniqueIp(), "user-agent": "session-test" },
  });
  expect(res.status, res.text).toBe(200);
  const lines = res.headers.getSetCookie();
  expect(lines).toHaveLength(1);
  return parseSetCookie(lines[0]!);
}

async function sessionRow(h: Harness, id: string) {
  const [row] = await h.db.db.select().from(authSessions).where(eq(authSessions.id, id));
  return row;
}

describe("sessions over http://localhost", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  it("sets the cookie HttpOnly, SameSite=Lax, Path=/, without Secure on http", async () => {
    const { email, password } = await signupVerified(h);
    const cookie = await rawLogin(h, email, password);
    expect(cookie.name).toBe("cac_session");
    expect(cookie.flags.has("httponly")).toBe(true);
    expect(cookie.flags.get("samesite")?.toLowerCase()).toBe("lax");
    expect(cookie.flags.get("path")).toBe("/");
    expect(cookie.flags.has("secure")).toBe(false);
    expect(Number(cookie.flags.get("max-age"))).toBe(10 * 24 * 60 * 60);
  });

  it("hands out an id.secret token and stores only a hash of the secret", async () => {
    const { email, password } = await signupVerified(h);
    const cookie = await rawLogin(h, email, password);
    const token = decodeURIComponent(cookie.value);
    const parts = token.split(".");
    expect(parts).toHaveLength(2);
    const [id, secret] = parts as [string, string];
    expect(id).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32,}$/);

    const row = await sessionRow(h, id);
    expect(row).toBeDefined();
    expect(row!.secretHash).toBe(createHash("sha256").update(secret).digest("hex"));
    expect(row!.userAgent).toBe("session-test");
    // The raw secret and the whole token appear nowhere in the table.
    const dump = JSON.stringify(await h.db.db.select().from(authSessions));
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(token);
  });

  it("refuses a token with the right id and a wrong secret", async () => {
    const { email, password } = await signupVerified(h);
    const cookie = await rawLogin(h, email, password);
    const [id] = decodeURIComponent(cookie.value).split(".");
    for (const forged of [`${id}.${"A".repeat(32)}`, `${id}`, `${id}.x.y`, "garbage"]) {
      const res = await rawTrpc(h, "account.sessions", {
        method: "GET",
        headers: { cookie: `cac_session=${encodeURIComponent(forged)}` },
      });
      expect(res.status).toBe(401);
    }
    // The real session is untouched by the forgeries.
    expect(await sessionRow(h, id!)).toBeDefined();
  });

  it("a new login makes a new session; it does not reuse one", async () => {
    const { client, email, password } = await signupVerified(h);
    const before = (await client.trpc.account.sessions.query()).find((s) => s.current)!.id;
    await client.trpc.auth.login.mutate({ email, password });
    const sessions = await client.trpc.account.sessions.query();
    const current = sessions.find((s) => s.current)!.id;
    expect(current).not.toBe(before);
    expect(sessions.map((s) => s.id)).toContain(before);
  });

  it("writes back use after an hour and re-sets the cookie; not before", async () => {
    const { client } = await signupVerified(h);
    const [session] = await client.trpc.account.sessions.query();
    const created = (await sessionRow(h, session!.id))!.lastVerifiedAt;

    h.clock.advance(30 * 60 * 1000);
    const early = await client.fetch(`${h.url}/trpc/account.me`);
    expect(early.headers.getSetCookie()).toEqual([]);
    expect((await sessionRow(h, session!.id))!.lastVerifiedAt.getTime()).toBe(created.getTime());

    h.clock.advance(90 * 60 * 1000);
    const res = await client.fetch(`${h.url}/trpc/account.me`);
    expect(res.status).toBe(200);
    const [line] = res.headers.getSetCookie();
    expect(line).toBeDefined();
    const cookie = parseSetCookie(line!);
    expect(cookie.name).toBe("cac_session");
    expect(Number(cookie.flags.get("max-age"))).toBe(10 * 24 * 60 * 60);
    expect(cookie.flags.has("httponly")).toBe(true);
    const row = await sessionRow(h, session!.id);
    expect(row!.lastVerifiedAt.getTime()).toBe(h.clock.now().getTime());
    expect(row!.lastVerifiedAt.getTime() - created.getTime()).toBe(2 * HOUR);
  });

  it("renewal extends the window: used every 9 days, a session outlives 10 days", async () => {
    const { client, email } = await signupVerified(h);
    for (let i = 0; i < 3; i++) {
      h.clock.advance(9 * DAY);
      expect((await client.trpc.account.me.query())?.user.email).toBe(email);
    }
  });

  it("ends 30 days after login however active it is; the renewed cookie never outlives that", async () => {
    const { client, email } = await signupVerified(h);
    const [session] = await client.trpc.account.sessions.query();
    for (let i = 0; i < 3; i++) {
      h.clock.advance(9 * DAY);
      expect((await client.trpc.account.me.query())?.user.email).toBe(email);
    }
    // Day 27 + 2: renewed, but the cookie expires with the session, a day later.
    h.clock.advance(2 * DAY);
    const renewed = await client.fetch(`${h.url}/trpc/account.me`);
    const cookie = parseSetCookie(renewed.headers.getSetCookie()[0]!);
    expect(cookie.name).toBe("cac_session");
    expect(Number(cookie.flags.get("max-age"))).toBe(DAY / 1000);

    h.clock.advance(DAY);
    const res = await client.fetch(`${h.url}/trpc/account.sessions`);
    expect(res.status).toBe(401);
    expect(await sessionRow(h, session!.id)).toBeUndefined();
    expect(await client.trpc.account.me.query()).toBeNull();
  });

  it("logs out after 10 days idle and deletes the row", async () => {
    const { client } = await signupVerified(h);
    const [session] = await client.trpc.account.sessions.query();
    h.clock.advance(11 * DAY);
    const res = await client.fetch(`${h.url}/trpc/account.sessions`);
    expect(res.status).toBe(401);
    // The browser is told to drop the cookie.
    const cleared = res.headers
      .getSetCookie()
      .map(parseSetCookie)
      .find((c) => c.name === "cac_session");
    expect(cleared?.value).toBe("");
    expect(await sessionRow(h, session!.id)).toBeUndefined();
    expect(await client.trpc.account.me.query()).toBeNull();
  });

  it("logout ends the session: the old cookie gets UNAUTHORIZED", async () => {
    const { client } = await signupVerified(h);
    const cookie = `cac_session=${client.jar.get("cac_session")}`;
    const [session] = await client.trpc.account.sessions.query();
    await client.trpc.auth.logout.mutate();
    expect(client.jar.has("cac_session")).toBe(false);
    expect(await sessionRow(h, session!.id)).toBeUndefined();
    const replay = await rawTrpc(h, "account.sessions", { method: "GET", headers: { cookie } });
    expect(replay.status).toBe(401);
    expect(replay.json.error.json.data.code).toBe("UNAUTHORIZED");
  });

  it("revoking a session from another device ends it", async () => {
    const { client: laptop, email, password } = await signupVerified(h);
    const phone = h.client({ ip: uniqueIp() });
    await phone.trpc.auth.login.mutate({ email, password });
    const phoneSession = (await phone.trpc.account.sessions.query()).find((s) => s.current)!;

    const listed = await laptop.trpc.account.sessions.query();
    expect(listed.map((s) => s.id)).toContain(phoneSession.id);
    await expect(laptop.trpc.account.revokeSession.mutate({ sessionId: phoneSession.id })).resolves.toEqual({
      ok: true,
      current: false,
    });
    const error = await expectTrpcError(phone.trpc.account.sessions.query());
    expect(error.data?.code).toBe("UNAUTHORIZED");
    // Revoking it again: not found.
    const again = await expectTrpcError(
      laptop.trpc.account.revokeSession.mutate({ sessionId: phoneSession.id }),
    );
    expect(again.data?.code).toBe("NOT_FOUND");
    expect((await laptop.trpc.account.me.query())?.user.email).toBe(email);
  });

  it("revoking the other sessions keeps the current one", async () => {
    const { client: laptop, email, password } = await signupVerified(h);
    const phone = h.client({ ip: uniqueIp() });
    await phone.trpc.auth.login.mutate({ email, password });
    await laptop.trpc.account.revokeOtherSessions.mutate();
    expect((await expectTrpcError(phone.trpc.account.sessions.query())).data?.code).toBe("UNAUTHORIZED");
    const remaining = await laptop.trpc.account.sessions.query();
    expect(remaining).toHaveLength(1);
    expect(remaining[0]!.current).toBe(true);
  });

  it("lists only the caller's own sessions", async () => {
    const a = await signupVerified(h);
    const b = await signupVerified(h);
    const aSessions = await a.client.trpc.account.sessions.query();
    const [bUser] = await h.db.db.select().from(users).where(eq(users.email, b.email));
    const bIds = (await h.db.db.select().from(authSessions).where(eq(authSessions.userId, bUser!.id))).map(
      (s) => s.id,
    );
    expect(bIds.length).toBeGreaterThan(0);
    for (const s of aSessions) expect(bIds).not.toContain(s.id);
    const count = await h.db.db
      .select({ n: sql<number>`count(*)::int` })
      .from(authSessions)
      .where(eq(authSessions.userId, bUser!.id));
    expect(Number(count[0]!.n)).toBe(bIds.length);
  });
});

describe("sessions behind https PUBLIC_URL", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { PUBLIC_URL: "https://calls.example.test" } });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  it("sets the cookie Secure", async () => {
    const { email, password } = await signupVerified(h);
    const cookie = await rawLogin(h, email, password);
    expect(cookie.flags.has("secure")).toBe(true);
    expect(cookie.flags.has("httponly")).toBe(true);
    expect(cookie.flags.get("samesite")?.toLowerCase()).toBe("lax");
    expect(cookie.flags.get("path")).toBe("/");
  });
});
