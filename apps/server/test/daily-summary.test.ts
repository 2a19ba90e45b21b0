/**
 * The daily summary email: yesterday's numbers in the account's timezone, once per member and day,
 * however many instances run the job at once (two connection pools race the claim on PostgreSQL).
 */
import { sendDailySummaries, yesterdayIn } from "@cac/core";
import { callbackRequests, callSessions } from "@cac/db";
import { createTestDb, type TestDbHandle } from "@cac/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validButton } from "./fixtures/buttons";
import { HARNESS_TIMEOUT_MS, type Harness, signupVerified, startHarness, unique } from "./harness";
import { type SecondPool, secondPool } from "./second-pool";

let h: Harness;
let db: TestDbHandle;
let other: SecondPool;

beforeAll(async () => {
  db = await createTestDb();
  h = await startHarness({ db, build: { jobs: false } });
  other = await secondPool(h, db, unique("summary"));
}, HARNESS_TIMEOUT_MS);
afterAll(async () => {
  await other?.close();
  await h?.close();
}, HARNESS_TIMEOUT_MS);

const summaries = async (to: string) =>
  (await h.outbox(to)).filter((mail) => mail.text.includes("Callback requests:"));

describe("daily summary", () => {
  it("emails yesterday's numbers once per day to members who opted in, whichever instance runs it", async () => {
    const { client, email } = await signupVerified(h, { timezone: "America/Chicago" });
    const me = await client.trpc.account.me.query();
    const accountId = me?.account.id ?? "";
    const button = await client.trpc.buttons.create.mutate(validButton({ enabled: false }));
    const settings = { publicUrl: new URL(h.portalOrigin) };

    // Off by default: nothing is sent.
    expect(await sendDailySummaries({ ...h.ports, settings })).toBe(0);
    await client.trpc.notifications.updatePreferences.mutate({ emailDailySummary: true });

    const day = yesterdayIn("America/Chicago", h.clock.now());
    const at = (minutes: number) => new Date(day.start.getTime() + minutes * 60_000);
    const call = { accountId, buttonId: button.id, transport: "webrtc", visitorIp: "203.0.113.7" } as const;
    await h.db.db.insert(callSessions).values([
      { ...call, status: "completed", startedAt: at(60), answeredAt: at(61), endedAt: at(65) },
      { ...call, status: "no-answer", startedAt: at(120), endedAt: at(121) },
      { ...call, status: "unavailable", startedAt: at(180), endedAt: at(180) },
      // Not yesterday's (today's), and a test call: neither is counted.
      { ...call, status: "no-answer", startedAt: day.end, endedAt: day.end },
      { ...call, status: "no-answer", startedAt: at(200), endedAt: at(201), test: true },
    ]);
    await h.db.db.insert(callbackRequests).values({
      accountId,
      buttonId: button.id,
      name: "Pat",
      phone: "+12025550100",
      ip: "203.0.113.7",
      createdAt: at(300),
    });

    // Two instances at once: one claims the member's day, the other finds it taken.
    const sent = await Promise.all([
      sendDailySummaries({ ...h.ports, settings }),
      sendDailySummaries({ ...other.deps, settings }),
    ]);
    expect(sent[0] + sent[1]).toBe(1);
    const [mail, ...more] = await summaries(email);
    expect(more).toEqual([]);
    expect(mail?.text).toContain("Calls: 3\nAnswered: 1\nMissed: 2\nCallback requests: 1");

    // Later the same day: nothing more. The next day: the next summary.
    h.clock.advance(60 * 60_000);
    expect(await sendDailySummaries({ ...h.ports, settings })).toBe(0);
    h.clock.advance(24 * 60 * 60_000);
    expect(await sendDailySummaries({ ...h.ports, settings })).toBe(1);
    expect(await summaries(email)).toHaveLength(2);

    // Opted out: no more.
    await client.trpc.notifications.updatePreferences.mutate({ emailDailySummary: false });
    h.clock.advance(24 * 60 * 60_000);
    expect(await sendDailySummaries({ ...h.ports, settings })).toBe(0);
  });
});
