/**
 * The email queue: every email is a row in `email_queue` first, delivered by a worker after the
 * answer; signup and reset requests are completed there too, so their answers do the same work
 * whether or not the address has an account. Deliveries go through the real Resend SDK to a local
 * stand-in that can hang, refuse or be down.
 */
import { randomUUID } from "node:crypto";
import type { MailMessage } from "@cac/core";
import {
  CLAIM_LEASE_MS,
  FAILED_RETENTION_MS,
  purgeEmailQueue,
  RETRY_MAX_MS,
  SENT_RETENTION_MS,
} from "@cac/core";
import { emailQueue, users } from "@cac/db";
import { createTestDb, type TestDbHandle } from "@cac/db/testing";
import { eq, sql } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { systemClock } from "../src/adapters/clock";
import { createEmailQueue, createQueuedMailer } from "../src/adapters/queued-mailer";
import { type Cluster, clusterSkipReason, startCluster } from "./cluster/cluster";
import { queueDelivered } from "./cluster/owner";
import {
  countRows,
  HARNESS_TIMEOUT_MS,
  type Harness,
  rawTrpc,
  signupVerified,
  startHarness,
  uniqueEmail,
  uniqueIp,
  validSignup,
} from "./harness";
import { RESEND_TEST_KEY, type ResendStandIn, startResendStandIn } from "./resend-stand-in";

const resendEnv = (resend: ResendStandIn, extra: Record<string, string> = {}) => ({
  RESEND_API_KEY: RESEND_TEST_KEY,
  RESEND_BASE_URL: resend.url,
  ...extra,
});

/** The queue's rows, oldest first. */
async function queueRows(h: Harness) {
  const rows = await h.db.db.select().from(emailQueue);
  return rows.sort((a, b) => +a.createdAt - +b.createdAt);
}

function message(to: string, n: number): MailMessage {
  return {
    to,
    subject: `Message ${n}`,
    text: `Body ${n}: https://portal.example.test/x?token=secret-${n}`,
    html: `<p>Body ${n}</p>`,
  };
}

/** Resend's requests grouped by Idempotency-Key: how many times each queued message was posted. */
function postsByKey(resend: ResendStandIn) {
  const byKey = new Map<string, number>();
  for (const request of resend.requests) {
    const key = String(request.headers["idempotency-key"]);
    byKey.set(key, (byKey.get(key) ?? 0) + 1);
  }
  return byKey;
}

async function until(check: () => boolean | Promise<boolean>, what: string) {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("signup and password reset answer before any work that depends on the account", () => {
  let h: Harness;
  let known: string;
  beforeAll(async () => {
    // The worker's loops stay off: the queue is worked by hand (flushEmail), so what a request did
    // by the time it answered can be seen on its own.
    h = await startHarness({
      build: { emailWorker: false },
      limits: { "signup.ip": { points: 1000, durationSeconds: 60 } },
    });
    known = (await signupVerified(h)).email;
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  it("a reset request for a known or an unknown email answers the same and only queues the request", async () => {
    const unknown = uniqueEmail("nobody");
    const tokensAtStart = await countRows(h, "email_tokens");
    const answers = [];
    for (const email of [known, unknown]) {
      const tokensBefore = await countRows(h, "email_tokens", { flush: false });
      const mailsBefore = await countRows(h, "outbox_messages", { flush: false });
      const res = await rawTrpc(h, "auth.requestPasswordReset", {
        input: { email },
        headers: { "x-forwarded-for": uniqueIp() },
      });
      answers.push(res.text);
      // Answered: the request is queued, and nothing that depends on the account has happened.
      const rows = (await queueRows(h)).filter((row) => row.status === "queued");
      expect(rows.map((row) => [row.kind, row.payload])).toEqual([["password-reset", { email }]]);
      expect(await countRows(h, "email_tokens", { flush: false })).toBe(tokensBefore);
      expect(await countRows(h, "outbox_messages", { flush: false })).toBe(mailsBefore);
      await h.flushEmail();
    }
    expect(answers[1]).toBe(answers[0]);
    // Then, after the answers: the known address got its link, the unknown one nothing.
    expect((await h.outbox(known)).at(-1)?.subject).toBe("Reset your Click & Call password");
    expect(await h.outbox(unknown)).toEqual([]);
    expect(await countRows(h, "email_tokens")).toBe(tokensAtStart + 1);
    // Completed requests leave no row; the email that went out is kept as sent, without its body.
    const rows = await queueRows(h);
    expect(rows.filter((row) => row.kind !== "email")).toEqual([]);
    expect(rows.at(-1)).toMatchObject({
      kind: "email",
      status: "sent",
      attempts: 1,
      payload: { to: known, subject: "Reset your Click & Call password" },
    });
  });

  it("a signup with a taken or a new email answers the same and only queues the request", async () => {
    const fresh = uniqueEmail("fresh");
    const usersAtStart = await countRows(h, "users");
    const answers = [];
    for (const email of [known, fresh]) {
      const before = {
        users: await countRows(h, "users", { flush: false }),
        accounts: await countRows(h, "accounts", { flush: false }),
      };
      const res = await rawTrpc(h, "auth.signup", {
        input: { ...validSignup, email },
        headers: { "x-forwarded-for": uniqueIp() },
      });
      answers.push({ status: res.status, text: res.text, cookie: res.headers.get("set-cookie") });
      const rows = (await queueRows(h)).filter((row) => row.status === "queued");
      expect(rows.map((row) => [row.kind, (row.payload as { email: string }).email])).toEqual([
        ["signup", email],
      ]);
      // The password is kept only as its hash, and only until the worker has the account created.
      expect(JSON.stringify(rows[0]!.payload)).not.toContain(validSignup.password);
      expect(await countRows(h, "users", { flush: false })).toBe(before.users);
      expect(await countRows(h, "accounts", { flush: false })).toBe(before.accounts);
      await h.flushEmail();
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(await countRows(h, "users")).toBe(usersAtStart + 1);
    expect((await h.outbox(known)).at(-1)?.subject).toMatch(/tried to sign up/i);
    expect((await h.outbox(fresh)).map((m) => m.subject)).toEqual(["Confirm your email for Click & Call"]);
    expect((await queueRows(h)).filter((row) => row.kind !== "email")).toEqual([]);
  });

  it("two queued signups for one new email make one account: the second gets the notice", async () => {
    const email = uniqueEmail("twice");
    for (let i = 0; i < 2; i++) {
      await rawTrpc(h, "auth.signup", {
        input: { ...validSignup, email },
        headers: { "x-forwarded-for": uniqueIp() },
      });
    }
    await h.flushEmail();
    expect(await h.db.db.select().from(users).where(eq(users.email, email))).toHaveLength(1);
    // Whichever the workers completed first made the account; the other got the notice.
    expect((await h.outbox(email)).map((m) => m.subject).sort()).toEqual([
      "Confirm your email for Click & Call",
      "Someone tried to sign up with your email",
    ]);
  });
});

/** A Resend stand-in and an app that sends through it, for the describe block it is called in. */
function resendApp(env: Record<string, string> = {}) {
  const app = {} as { resend: ResendStandIn; h: Harness };
  beforeAll(async () => {
    app.resend = await startResendStandIn();
    app.h = await startHarness({ env: resendEnv(app.resend, env) });
  }, HARNESS_TIMEOUT_MS);
  afterAll(async () => {
    await app.h?.close();
    await app.resend?.close();
  }, HARNESS_TIMEOUT_MS);
  return app;
}

describe("email through Resend, from the queue", () => {
  const app = resendApp();
  let known: string;
  beforeAll(async () => {
    known = uniqueEmail("owner");
    await app.h.client({ ip: uniqueIp() }).trpc.auth.signup.mutate({ ...validSignup, email: known });
    await app.h.flushEmail();
  }, HARNESS_TIMEOUT_MS);

  it("a hung Resend does not hold the answer; the message goes out once Resend answers", async () => {
    const { h, resend } = app;
    resend.hold();
    try {
      const before = resend.sent(known).length;
      const answer = await h
        .client({ ip: uniqueIp() })
        .trpc.auth.requestPasswordReset.mutate({ email: known });
      expect(answer.message).toMatch(/If an account uses that email/);
      // Answered, while the worker's request to Resend is still unanswered.
      await until(() => resend.held() === 1, "the worker's request to Resend");
      expect(resend.sent(known)).toHaveLength(before);
      const [sending] = (await queueRows(h)).filter((row) => row.status === "sending");
      expect(sending).toMatchObject({ kind: "email", attempts: 1 });

      // A callback, contact message or webhook email (any mailer.send) does not wait either.
      await h.ports.mailer.send(message(known, 1));
      expect((await queueRows(h)).filter((row) => row.status !== "sent")).toHaveLength(2);

      resend.release();
      await h.flushEmail();
      const subjects = resend
        .sent(known)
        .slice(before)
        .map((m) => m.subject);
      expect(subjects.sort()).toEqual(["Message 1", "Reset your Click & Call password"]);
      expect((await queueRows(h)).filter((row) => row.status !== "sent")).toEqual([]);
    } finally {
      resend.release();
    }
  });

  it("a Resend outage, then recovery: every message goes out exactly once", async () => {
    const { h, resend } = app;
    const warn = vi.spyOn(h.ports.log, "warn");
    try {
      const to = uniqueEmail("outage");
      const startedRequests = resend.requests.length;
      resend.failAll({ status: 503, error: { name: "internal_server_error", message: "Resend is down." } });
      for (let n = 0; n < 5; n++) await h.ports.mailer.send(message(to, n));
      await h.client({ ip: uniqueIp() }).trpc.auth.requestPasswordReset.mutate({ email: known });
      await h.flushEmail();
      let pending = (await queueRows(h)).filter((row) => row.status !== "sent");
      expect(pending).toHaveLength(6);
      for (const row of pending) {
        expect(row).toMatchObject({ status: "queued", attempts: 1 });
        expect(row.lastError).toContain("Resend is down.");
        expect(+row.runAfter).toBe(+h.clock.now() + 30_000);
      }
      expect(warn.mock.calls.filter((args) => args[1] === "email delivery failed; will retry")).toHaveLength(
        6,
      );

      // Still down at the first retry; the next waits twice as long.
      h.clock.advance(30_000);
      await h.flushEmail();
      pending = (await queueRows(h)).filter((row) => row.status !== "sent");
      expect(pending.map((row) => row.attempts)).toEqual([2, 2, 2, 2, 2, 2]);
      expect(pending.every((row) => +row.runAfter === +h.clock.now() + 60_000)).toBe(true);

      resend.failAll(null);
      h.clock.advance(60_000);
      await h.flushEmail();
      expect((await queueRows(h)).filter((row) => row.status !== "sent")).toEqual([]);
      expect(
        resend
          .sent(to)
          .map((m) => m.subject)
          .sort(),
      ).toEqual(["Message 0", "Message 1", "Message 2", "Message 3", "Message 4"]);
      // Three posts of each message (two refused, one accepted), always under its own key.
      const keys = postsByKey({ ...resend, requests: resend.requests.slice(startedRequests) });
      expect([...keys.values()]).toEqual([3, 3, 3, 3, 3, 3]);
    } finally {
      warn.mockRestore();
      resend.failAll(null);
    }
  });
});

describe("retries end after EMAIL_MAX_ATTEMPTS, with the cause kept", () => {
  const app = resendApp({ EMAIL_MAX_ATTEMPTS: "3" });

  it("gives up after the third refusal, logs it, keeps the cause and drops the body", async () => {
    const { h, resend } = app;
    const logged = vi.spyOn(h.ports.log, "error");
    try {
      resend.failAll({ status: 422, error: { name: "validation_error", message: "Invalid `to` field." } });
      await h.ports.mailer.send(message("bounce@example.test", 7));
      for (let i = 0; i < 6; i++) {
        await h.flushEmail();
        h.clock.advance(RETRY_MAX_MS);
      }
      expect(resend.requests).toHaveLength(3);
      const [row] = await queueRows(h);
      expect(row).toMatchObject({
        status: "failed",
        attempts: 3,
        claimToken: null,
        payload: { to: "bounce@example.test", subject: "Message 7" },
      });
      expect(row!.lastError).toBe(
        "Resend did not accept the email: Invalid `to` field. (validation_error, HTTP 422)",
      );
      expect(row!.finishedAt).not.toBeNull();
      const call = logged.mock.calls.find((args) =>
        String(args[1]).startsWith("email given up after 3 attempts"),
      );
      expect(call?.[0]).toMatchObject({ to: "bounce@example.test", attempt: 3 });
    } finally {
      logged.mockRestore();
      resend.failAll(null);
    }
  });
});

describe("a restart loses nothing", () => {
  let resend: ResendStandIn;
  let db: TestDbHandle;
  beforeAll(async () => {
    resend = await startResendStandIn();
    db = await createTestDb();
  }, HARNESS_TIMEOUT_MS);
  afterAll(async () => {
    await db?.close();
    await resend?.close();
  }, HARNESS_TIMEOUT_MS);

  it("a new app on the same database delivers what was queued, in flight, or left by a dead worker", async () => {
    const first = await startHarness({ db, env: resendEnv(resend) });
    // Queued while Resend is down: they wait in the table for their retry.
    resend.failAll({ status: 503, error: { name: "internal_server_error", message: "Resend is down." } });
    await first.ports.mailer.send(message("a@example.test", 1));
    await first.ports.mailer.send(message("b@example.test", 2));
    await first.flushEmail();
    resend.failAll(null);
    // One in flight when the server stops: the worker aborts it and gives it back to the queue.
    resend.hold();
    await first.ports.mailer.send(message("c@example.test", 3));
    await until(() => resend.held() === 1, "the in-flight request");
    await first.app.close();
    // Resend saw the request go away unanswered (its client was aborted).
    await until(() => resend.held() === 0, "the aborted request to close");
    resend.release();
    const inFlight = (
      await db.db.select().from(emailQueue).where(sql`${emailQueue.payload}->>'to' = 'c@example.test'`)
    )[0];
    expect(inFlight).toMatchObject({ status: "queued", attempts: 0, claimToken: null });
    // And one claimed by a worker that died mid-send: its claim is never finished, and its lease
    // (a minute) runs out.
    await db.db.insert(emailQueue).values({
      kind: "email",
      payload: message("d@example.test", 4),
      status: "sending",
      attempts: 1,
      claimToken: randomUUID(),
      runAfter: new Date(first.clock.now().getTime() + CLAIM_LEASE_MS),
    });
    expect(resend.sent()).toEqual([]);

    const second = await startHarness({ db, env: resendEnv(resend) });
    try {
      // The retries are due (the second app's clock is past them); the dead worker's claim is
      // taken over once its lease has run out.
      second.clock.advance(CLAIM_LEASE_MS);
      await second.flushEmail();
      expect(
        resend
          .sent()
          .map((m) => m.subject)
          .sort(),
      ).toEqual(["Message 1", "Message 2", "Message 3", "Message 4"]);
      expect((await db.db.select().from(emailQueue)).every((row) => row.status === "sent")).toBe(true);
      // The aborted post and the one after the restart carried the same key: Resend sends it once.
      const inFlightPosts = resend.requests.filter((r) => r.body.to === "c@example.test");
      expect(inFlightPosts.map((r) => r.headers["idempotency-key"])).toEqual([
        `cac-email/${inFlight!.id}`,
        `cac-email/${inFlight!.id}`,
      ]);
    } finally {
      await second.app.close();
    }
  });
});

const skip = clusterSkipReason();
if (skip) console.warn(`email-queue.test.ts: the two-process suite is skipped: ${skip}`);

describe.skipIf(skip !== null)("two server processes' workers on one database", () => {
  let resend: ResendStandIn;
  let cluster: Cluster;
  beforeAll(async () => {
    resend = await startResendStandIn();
    // Each process signs its emails with its own name, so the test sees which one sent what.
    cluster = await startCluster({
      instances: 2,
      env: resendEnv(resend),
      envOf: (name) => ({ EMAIL_FROM: `Click & Call <${name}@clickandcall.test>` }),
    });
  }, 240_000);
  afterAll(async () => {
    await cluster?.close();
    await resend?.close();
  }, 60_000);

  it("never send a message twice", async () => {
    // Slow enough that one worker alone would take seconds: both are then taking rows at once.
    resend.setDelay(400);
    // Queued as an instance's mailer queues them; each process's worker finds due rows on its
    // next poll (a few seconds), then takes them until the queue is empty.
    const queue = createEmailQueue(cluster.db, systemClock, () => {});
    const mailer = createQueuedMailer(queue, "resend", pino({ level: "silent" }));
    await Promise.all(Array.from({ length: 40 }, (_, n) => mailer.send(message(`n${n}@example.test`, n))));
    await queueDelivered(cluster, 60_000);
    const rows = await cluster.db.select().from(emailQueue);
    expect(rows).toHaveLength(40);
    expect(rows.every((row) => row.status === "sent" && row.attempts === 1)).toBe(true);
    expect(resend.sent()).toHaveLength(40);
    expect(new Set(resend.sent().map((m) => m.to)).size).toBe(40);
    expect([...postsByKey(resend).values()].every((posts) => posts === 1)).toBe(true);
    // Both processes delivered some: the rows were raced for, not taken by one alone.
    const senders = new Set(resend.requests.map((r) => String(r.body.from)));
    expect([...senders].sort()).toEqual([
      "Click & Call <instance-a@clickandcall.test>",
      "Click & Call <instance-b@clickandcall.test>",
    ]);
  });
});

describe("retention of the queue's rows", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ build: { jobs: false } });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  it("deletes sent rows a day after sending and failed rows a week after; never queued ones", async () => {
    const now = h.clock.now();
    const at = (ms: number) => new Date(now.getTime() - ms);
    const summary = { to: "x@example.test", subject: "S" };
    await h.db.db.insert(emailQueue).values([
      {
        kind: "email",
        payload: summary,
        status: "sent",
        runAfter: at(0),
        finishedAt: at(SENT_RETENTION_MS + 1000),
      },
      {
        kind: "email",
        payload: summary,
        status: "sent",
        runAfter: at(0),
        finishedAt: at(SENT_RETENTION_MS - 60_000),
      },
      {
        kind: "email",
        payload: summary,
        status: "failed",
        runAfter: at(0),
        finishedAt: at(FAILED_RETENTION_MS + 1000),
      },
      {
        kind: "email",
        payload: summary,
        status: "failed",
        runAfter: at(0),
        finishedAt: at(SENT_RETENTION_MS + 1000),
      },
      {
        kind: "email",
        payload: message("q@example.test", 1),
        status: "queued",
        runAfter: at(30 * 24 * 3600_000),
      },
    ]);
    const result = await purgeEmailQueue(h.ports);
    expect(result).toEqual({ outcome: "done", counts: { queuedEmailsDeleted: 2 } });
    // Left: the recent sent and failed rows, and the queued one (which a worker may be sending).
    const left = await queueRows(h);
    expect(left.map((row) => (row.payload as { to: string }).to).sort()).toEqual([
      "q@example.test",
      "x@example.test",
      "x@example.test",
    ]);
    // The queued one is due, so the running worker may deliver it at any moment: only the two
    // finished rows are asked about.
    expect(
      left
        .filter((row) => (row.payload as { to: string }).to === "x@example.test")
        .map((row) => row.status)
        .sort(),
    ).toEqual(["failed", "sent"]);
    // The queued one is still there, and gets delivered.
    await h.flushEmail();
    expect((await h.outbox("q@example.test")).map((m) => m.subject)).toEqual(["Message 1"]);
  });

  it("a delivered message keeps neither its body nor its links", async () => {
    await h.ports.mailer.send(message("links@example.test", 9));
    await h.flushEmail();
    const rows = await h.db.db
      .select()
      .from(emailQueue)
      .where(sql`${emailQueue.payload}->>'to' = 'links@example.test'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.payload).toEqual({ to: "links@example.test", subject: "Message 9" });
    expect(JSON.stringify(rows[0])).not.toContain("secret-9");
  });
});
