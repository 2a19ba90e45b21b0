import { accounts, buttons, callbackRequests, type DbHandle, memberships, users } from "@cac/db";
import { createTestDb } from "@cac/db/testing";
import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { MailMessage } from "../src/ports";
import { CALLBACK_EMAIL_WINDOW_MS, emailDueCallbacks } from "../src/services/callback-emails";
import { requestCallback } from "../src/services/callbacks";

let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(() => handle.close());

const sent: MailMessage[] = [];
const mailer = { mode: "outbox" as const, send: async (m: MailMessage) => void sent.push(m) };
let now = new Date("2026-03-02T15:00:00Z");
const clock = { now: () => new Date(now) };
const settings = { publicUrl: new URL("https://portal.example.test") };
const log = pino({ level: "silent" });

async function seedButton() {
  const [account] = await handle.db
    .insert(accounts)
    .values({ companyName: "Acme", websiteUrl: "acme.test", phone: "+12025550101" })
    .returning();
  const [owner] = await handle.db
    .insert(users)
    .values({
      email: `owner-${account!.id}@acme.test`,
      name: "Owner",
      passwordHash: "x",
      ageConfirmedAt: now,
      emailVerifiedAt: now,
    })
    .returning();
  await handle.db.insert(memberships).values({ accountId: account!.id, userId: owner!.id, role: "owner" });
  const [button] = await handle.db
    .insert(buttons)
    .values({
      accountId: account!.id,
      publicId: `b_${account!.id.slice(0, 8)}`,
      name: "Main site",
      label: "Call us",
      style: {
        background: "#000000",
        text: "#ffffff",
        size: "medium",
        shape: "pill",
        position: "bottom-right",
        icon: "phone",
      },
      timezone: "America/New_York",
      hours: [[], [], [], [], [], [], []],
    })
    .returning();
  return button!;
}

it("a request whose email cannot be sent now is still stored and accepted; the job sends it later", async () => {
  const button = await seedButton();
  // The database refuses the email's transaction (an outage between the insert and the email).
  const failing = new Proxy(handle.db, {
    get: (db, key) =>
      key === "transaction"
        ? async () => {
            throw new Error("connection lost");
          }
        : Reflect.get(db, key, db),
  });
  const input = { name: "Val", phone: "+12025550188" };
  const answer = await requestCallback(
    { db: failing, mailer, clock, log, settings },
    button,
    input,
    "203.0.113.5",
  );
  expect(answer).toEqual({ ok: true });
  const rows = await handle.db
    .select()
    .from(callbackRequests)
    .where(eq(callbackRequests.buttonId, button.id));
  expect(rows.map((r) => r.emailedAt)).toEqual([null]);
  expect(sent).toHaveLength(0);

  expect(await emailDueCallbacks({ db: handle.db, mailer, clock, log, settings })).toBe(1);
  expect(sent.map((m) => m.subject)).toEqual(["Callback request from Val"]);
  // Its window started then: a request within it waits, one after it goes out at once.
  const deps = { db: handle.db, mailer, clock, log, settings };
  await requestCallback(deps, button, { ...input, name: "Sam" }, "203.0.113.6");
  expect(sent).toHaveLength(1);
  now = new Date(now.getTime() + CALLBACK_EMAIL_WINDOW_MS);
  await requestCallback(deps, button, { ...input, name: "Kim" }, "203.0.113.7");
  expect(sent.map((m) => m.subject)).toEqual([
    "Callback request from Val",
    '2 callback requests on "Main site"',
  ]);
  expect(sent[1]?.text).toContain("• Sam, +12025550188");
  expect(sent[1]?.text).toContain("• Kim, +12025550188");
});
