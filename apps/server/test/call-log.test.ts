import { accounts, callSessions } from "@cac/db";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validButton } from "./fixtures/buttons";
import { expectTrpcError, type Harness, signupVerified, startHarness, type TestClient } from "./harness";

type NewCall = typeof callSessions.$inferInsert;

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

type Owner = { client: TestClient; accountId: string; userId: string };

async function owner(h: Harness): Promise<Owner> {
  const { client } = await signupVerified(h);
  const me = await client.trpc.account.me.query();
  return { client, accountId: me!.account.id, userId: me!.user.id };
}

async function insertCalls(h: Harness, calls: NewCall[]): Promise<string[]> {
  const rows = await h.db.db.insert(callSessions).values(calls).returning({ id: callSessions.id });
  return rows.map((r) => r.id);
}

/** A finished call: answered and completed when it has a duration, else no-answer. */
function call(
  accountId: string,
  buttonId: string | null,
  startedAt: string,
  durationSeconds = 0,
  extra: Partial<NewCall> = {},
): NewCall {
  const start = new Date(startedAt);
  return {
    accountId,
    buttonId,
    transport: "webrtc",
    status: durationSeconds > 0 ? "completed" : "no-answer",
    visitorIp: "198.51.100.20",
    pageUrl: "https://shop.test/",
    startedAt: start,
    answeredAt: durationSeconds > 0 ? new Date(+start + 5000) : null,
    endedAt: new Date(+start + 5000 + durationSeconds * 1000),
    durationSeconds,
    ...extra,
  };
}

/** Every id of a listing, following `nextCursor` to the end. */
async function listAll(client: TestClient, input: Record<string, unknown>, limit: number) {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: { items: Array<{ id: string }>; nextCursor: string | null } =
      await client.trpc.callLog.list.query({
        ...input,
        limit,
        cursor,
      });
    ids.push(...page.items.map((r) => r.id));
    expect(page.items.length).toBeLessThanOrEqual(limit);
    if (page.nextCursor) expect(page.items.length).toBe(limit);
    cursor = page.nextCursor;
    pages++;
    if (pages > 1000) throw new Error("the cursor does not advance");
  } while (cursor);
  return { ids, pages };
}

async function expectedOrder(h: Harness, accountId: string, where = sql`true`) {
  const result = await h.db.db.execute(
    sql`select id from call_sessions where account_id = ${accountId} and ${where} order by started_at desc, id desc`,
  );
  return rowsOf<{ id: string }>(result).map((r) => r.id);
}

describe("call log", () => {
  let h: Harness;
  let a: Owner;
  let b: Owner;
  let aMain: string;
  let aShop: string;
  let bButton: string;
  const bCalls: string[] = [];

  beforeAll(async () => {
    // No sweeper: the open calls of the live list stay open.
    h = await startHarness({ build: { jobs: false } });
    a = await owner(h);
    b = await owner(h);
    aMain = (await a.client.trpc.buttons.create.mutate(validButton({ name: "Main site", enabled: false })))
      .id;
    aShop = (await a.client.trpc.buttons.create.mutate(validButton({ name: "Shop", enabled: false }))).id;
    bButton = (await b.client.trpc.buttons.create.mutate(validButton({ name: "B's button", enabled: false })))
      .id;
    // B has calls at the same moments as A's, so any leak would show.
    for (const at of [
      "2026-02-10T15:00:00Z",
      "2026-03-08T05:30:00Z",
      "2026-03-08T16:00:00Z",
      "2026-03-09T03:30:00Z",
    ]) {
      bCalls.push(...(await insertCalls(h, [call(b.accountId, bButton, at, 90)])));
    }
    bCalls.push(
      ...(await insertCalls(h, [
        call(b.accountId, bButton, "2026-03-01T11:59:00Z", 0, {
          status: "ringing",
          answeredAt: null,
          endedAt: null,
        }),
      ])),
    );
  });
  afterAll(() => h?.close());

  /** Gives A a fresh log for one test. */
  async function resetA() {
    await h.db.db.delete(callSessions).where(eq(callSessions.accountId, a.accountId));
  }

  it("refuses anonymous callers", async () => {
    const anonymous = h.client();
    for (const run of [
      () => anonymous.trpc.callLog.list.query({}),
      () => anonymous.trpc.callLog.totals.query({}),
      () => anonymous.trpc.callLog.charts.query({}),
      () => anonymous.trpc.callLog.live.query(),
    ]) {
      const e = await expectTrpcError(run());
      expect(e.data?.httpStatus).toBe(401);
    }
  });

  it("lists rows newest first with the button, the account's timezone, and 'Deleted button' once it is gone", async () => {
    await resetA();
    const doomed = (
      await a.client.trpc.buttons.create.mutate(validButton({ name: "Old campaign", enabled: false }))
    ).id;
    const [first, second, third] = await insertCalls(h, [
      call(a.accountId, aMain, "2026-02-20T10:00:00Z", 125, {
        visitorIp: "203.0.113.5",
        pageUrl: "https://shop.test/pricing",
        answeredBy: a.userId,
      }),
      call(a.accountId, doomed, "2026-02-21T10:00:00Z", 0, {
        status: "failed",
        transport: "twilio",
        failureReason: "The phone network did not connect the call.",
        visitorIp: null,
        pageUrl: null,
      }),
      call(a.accountId, aShop, "2026-02-22T10:00:00Z", 30),
    ]);
    await a.client.trpc.buttons.delete.mutate({ id: doomed });
    const page = await a.client.trpc.callLog.list.query({});
    expect(page.timezone).toBe("America/New_York");
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((r) => r.id)).toEqual([third, second, first]);
    expect(page.items[2]).toEqual({
      id: first,
      startedAt: new Date("2026-02-20T10:00:00Z"),
      button: { id: aMain, name: "Main site" },
      durationSeconds: 125,
      status: "completed",
      transport: "webrtc",
      visitorIp: "203.0.113.5",
      pageUrl: "https://shop.test/pricing",
      failureReason: null,
      answeredBy: "Dana Owner",
      tags: [],
      hasNotes: false,
      // A call from a customer's site, not from the button's test page.
      test: false,
      // Made without a language (the widget said none).
      language: null,
      // The widget sent no visitor context with it.
      source: null,
      campaign: null,
    });
    expect(page.items[1]).toMatchObject({
      button: { id: null, name: "Deleted button" },
      status: "failed",
      transport: "twilio",
      failureReason: "The phone network did not connect the call.",
      visitorIp: null,
      pageUrl: null,
      answeredBy: null,
    });
    expect(page.items[0]!.startedAt).toBeInstanceOf(Date);
  });

  it("filters by button, by one or more statuses, and by both", async () => {
    await resetA();
    const ids = await insertCalls(h, [
      call(a.accountId, aMain, "2026-02-01T10:00:00Z", 60),
      call(a.accountId, aMain, "2026-02-02T10:00:00Z", 0),
      call(a.accountId, aShop, "2026-02-03T10:00:00Z", 60),
      call(a.accountId, aShop, "2026-02-04T10:00:00Z", 0, { status: "failed" }),
      call(a.accountId, aShop, "2026-02-05T10:00:00Z", 0, { status: "busy" }),
    ]);
    const list = async (input: Record<string, unknown>) =>
      (await a.client.trpc.callLog.list.query(input)).items.map((r) => r.id);
    expect(await list({ buttonId: aMain })).toEqual([ids[1], ids[0]]);
    expect(await list({ statuses: ["completed"] })).toEqual([ids[2], ids[0]]);
    expect(await list({ statuses: ["failed", "busy"] })).toEqual([ids[4], ids[3]]);
    expect(await list({ buttonId: aShop, statuses: ["completed", "no-answer"] })).toEqual([ids[2]]);
    expect(await list({ buttonId: aMain, statuses: ["busy"] })).toEqual([]);

    const badStatus = await expectTrpcError(
      a.client.trpc.callLog.list.query({ statuses: ["lost" as "busy"] }),
    );
    expect(badStatus.data?.httpStatus).toBe(400);
    expect(badStatus.data?.fieldErrors?.statuses?.[0]).toMatch(/status is one of/);
    const noStatus = await expectTrpcError(a.client.trpc.callLog.list.query({ statuses: [] }));
    expect(noStatus.data?.httpStatus).toBe(400);
  });

  it("reads dates as days in the account's timezone; instants are exact (from inclusive, to exclusive)", async () => {
    await resetA();
    // New York: 2026-03-08 starts at 05:00Z (EST) and ends at 04:00Z on the 9th (EDT, a 23-hour day).
    const [before, startOfDay, lateEvening, nextDay] = await insertCalls(h, [
      call(a.accountId, aMain, "2026-03-08T04:59:59Z", 10), // 2026-03-07 23:59:59 local
      call(a.accountId, aMain, "2026-03-08T05:00:00Z", 10), // 2026-03-08 00:00 local
      call(a.accountId, aMain, "2026-03-09T03:59:59Z", 10), // 2026-03-08 23:59:59 local (EDT)
      call(a.accountId, aMain, "2026-03-09T04:00:00Z", 10), // 2026-03-09 00:00 local
    ]);
    const list = async (input: Record<string, unknown>) =>
      (await a.client.trpc.callLog.list.query(input)).items.map((r) => r.id);
    expect(await list({ from: "2026-03-08", to: "2026-03-08" })).toEqual([lateEvening, startOfDay]);
    expect(await list({ from: "2026-03-08" })).toEqual([nextDay, lateEvening, startOfDay]);
    expect(await list({ to: "2026-03-07" })).toEqual([before]);
    expect(await list({ from: "2026-03-08T05:00:00Z", to: "2026-03-09T04:00:00Z" })).toEqual([
      lateEvening,
      startOfDay,
    ]);
    expect(await list({ from: "2026-03-08T00:00:00-05:00", to: "2026-03-09T00:00:00-04:00" })).toEqual([
      lateEvening,
      startOfDay,
    ]);
    // Dates sent as Date objects (superjson) are instants too; `to` is exclusive.
    expect(
      await list({ from: new Date("2026-03-08T05:00:00Z"), to: new Date("2026-03-09T03:59:59Z") }),
    ).toEqual([startOfDay]);

    // The same days mean other instants in another timezone: Honolulu is UTC-10 all year.
    await h.db.db.update(accounts).set({ timezone: "Pacific/Honolulu" }).where(eq(accounts.id, a.accountId));
    try {
      const honolulu = await a.client.trpc.callLog.list.query({ from: "2026-03-08", to: "2026-03-08" });
      expect(honolulu.timezone).toBe("Pacific/Honolulu");
      // 2026-03-08 in Honolulu runs 10:00Z on the 8th to 10:00Z on the 9th.
      expect(honolulu.items.map((r) => r.id)).toEqual([nextDay, lateEvening]);
    } finally {
      await h.db.db
        .update(accounts)
        .set({ timezone: "America/New_York" })
        .where(eq(accounts.id, a.accountId));
    }

    const reversed = await expectTrpcError(
      a.client.trpc.callLog.list.query({ from: "2026-03-09", to: "2026-03-08" }),
    );
    expect(reversed.data?.httpStatus).toBe(400);
    expect(reversed.data?.fieldErrors?.to?.[0]).toMatch(/after its start/);
    for (const bad of ["2026-02-30", "yesterday", "2026-03-08T05:00:00", "2026-03-08 05:00Z"]) {
      const e = await expectTrpcError(a.client.trpc.callLog.list.query({ from: bad }));
      expect(e.data?.httpStatus, bad).toBe(400);
      expect(e.data?.fieldErrors?.from?.[0], bad).toMatch(/YYYY-MM-DD/);
    }
  });

  it("pages with a keyset cursor: no duplicates or gaps, stable with equal timestamps down to the microsecond", async () => {
    await resetA();
    // 137 calls in groups sharing one timestamp, plus calls a microsecond apart (JavaScript dates
    // cannot tell those apart; the cursor must).
    const calls: NewCall[] = [];
    for (let i = 0; i < 137; i++) {
      calls.push(
        call(
          a.accountId,
          i % 2 ? aMain : aShop,
          new Date(Date.UTC(2026, 1, 10, 12, Math.floor(i / 7))).toISOString(),
          i % 3 ? 60 : 0,
        ),
      );
    }
    await insertCalls(h, calls);
    await h.db.db.execute(sql`
      insert into call_sessions (account_id, button_id, transport, status, started_at, duration_seconds)
      select ${a.accountId}, ${aMain}, 'webrtc', 'completed', '2026-02-10 13:00:00.123456+00'::timestamptz + (g % 3) * interval '1 microsecond', 60
      from generate_series(1, 12) g`);
    const expected = await expectedOrder(h, a.accountId);
    expect(expected).toHaveLength(149);

    for (const limit of [1, 7, 10, 50, 200]) {
      const { ids, pages } = await listAll(a.client, {}, limit);
      expect(new Set(ids).size, `limit ${limit}`).toBe(ids.length);
      expect(ids, `limit ${limit}`).toEqual(expected);
      expect(pages).toBe(Math.ceil(149 / limit));
    }
    // With filters too.
    const filtered = await listAll(a.client, { buttonId: aMain, statuses: ["completed"] }, 4);
    expect(filtered.ids).toEqual(
      await expectedOrder(h, a.accountId, sql`button_id = ${aMain} and status = 'completed'`),
    );

    // Default page size 50, at most 200.
    const first = await a.client.trpc.callLog.list.query();
    expect(first.items).toHaveLength(50);
    expect((await expectTrpcError(a.client.trpc.callLog.list.query({ limit: 201 }))).data?.httpStatus).toBe(
      400,
    );
    expect((await expectTrpcError(a.client.trpc.callLog.list.query({ limit: 0 }))).data?.httpStatus).toBe(
      400,
    );

    // A call that starts while the owner pages does not shift the pages already fetched.
    await insertCalls(h, [call(a.accountId, aMain, "2026-02-28T00:00:00Z", 5)]);
    const second = await a.client.trpc.callLog.list.query({ cursor: first.nextCursor });
    expect(second.items.map((r) => r.id)).toEqual(expected.slice(50, 100));

    for (const cursor of [
      "garbage",
      Buffer.from("12.not-a-uuid").toString("base64url"),
      "",
      "a".repeat(150),
    ]) {
      if (cursor === "") continue;
      const e = await expectTrpcError(a.client.trpc.callLog.list.query({ cursor }));
      expect(e.data?.httpStatus).toBe(400);
      expect(e.data?.fieldErrors?.cursor?.[0]).toMatch(/no longer valid/);
    }
  });

  it("totals the filtered set: calls, answered, durations and billed minutes rounded up per call", async () => {
    await resetA();
    await insertCalls(h, [
      call(a.accountId, aMain, "2026-02-01T10:00:00Z", 61), // 2 billed minutes
      call(a.accountId, aMain, "2026-02-02T10:00:00Z", 60), // 1
      call(a.accountId, aMain, "2026-02-03T10:00:00Z", 1), // 1
      call(a.accountId, aMain, "2026-02-04T10:00:00Z", 0), // no answer, 0
      call(a.accountId, aShop, "2026-02-05T10:00:00Z", 3600), // 60
      call(a.accountId, aShop, "2026-02-06T10:00:00Z", 0, { status: "failed" }),
      // Answered, still talking: counts as answered, no duration yet.
      call(a.accountId, aShop, "2026-02-07T10:00:00Z", 0, {
        status: "in-progress",
        answeredAt: new Date("2026-02-07T10:00:05Z"),
        endedAt: null,
      }),
    ]);
    expect(await a.client.trpc.callLog.totals.query()).toEqual({
      timezone: "America/New_York",
      calls: 7,
      answered: 5,
      answerRate: 5 / 7,
      totalDurationSeconds: 61 + 60 + 1 + 3600,
      avgDurationSeconds: Math.round((61 + 60 + 1 + 3600) / 5),
      minutes: 2 + 1 + 1 + 60,
    });
    expect(
      await a.client.trpc.callLog.totals.query({ buttonId: aMain, from: "2026-02-02", to: "2026-02-04" }),
    ).toMatchObject({
      calls: 3,
      answered: 2,
      totalDurationSeconds: 61,
      avgDurationSeconds: 31,
      minutes: 2,
    });
    expect(await a.client.trpc.callLog.totals.query({ statuses: ["busy"] })).toEqual({
      timezone: "America/New_York",
      calls: 0,
      answered: 0,
      answerRate: null,
      totalDurationSeconds: 0,
      avgDurationSeconds: null,
      minutes: 0,
    });
  });

  it("charts per local day in one round trip: DST days bucketed by local midnight, days without calls are zeros", async () => {
    await resetA();
    await insertCalls(h, [
      call(a.accountId, aMain, "2026-03-07T05:30:00Z", 0), // 03-07 00:30 EST
      call(a.accountId, aMain, "2026-03-08T05:30:00Z", 61), // 03-08 00:30 EST
      call(a.accountId, aMain, "2026-03-08T07:30:00Z", 0), // 03-08 03:30 EDT (after the jump)
      call(a.accountId, aMain, "2026-03-09T03:30:00Z", 120), // 03-08 23:30 EDT, still the 8th
      call(a.accountId, aShop, "2026-03-09T04:30:00Z", 30), // 03-09 00:30 EDT
      call(a.accountId, aMain, "2026-03-11T12:00:00Z", 0, { status: "failed" }),
      // Fall back: 2026-11-01 is a 25-hour day in New York.
      call(a.accountId, aMain, "2026-11-01T04:30:00Z", 10), // 11-01 00:30 EDT
      call(a.accountId, aMain, "2026-11-02T04:30:00Z", 10), // 11-01 23:30 EST, still the 1st
      call(a.accountId, aMain, "2026-11-02T05:30:00Z", 10), // 11-02 00:30 EST
    ]);
    const march = await a.client.trpc.callLog.charts.query({ from: "2026-03-06", to: "2026-03-12" });
    expect(march).toEqual({
      timezone: "America/New_York",
      from: "2026-03-06",
      to: "2026-03-12",
      days: [
        "2026-03-06",
        "2026-03-07",
        "2026-03-08",
        "2026-03-09",
        "2026-03-10",
        "2026-03-11",
        "2026-03-12",
      ],
      dayStarts: [
        "2026-03-06T05:00:00Z",
        "2026-03-07T05:00:00Z",
        "2026-03-08T05:00:00Z",
        "2026-03-09T04:00:00Z",
        "2026-03-10T04:00:00Z",
        "2026-03-11T04:00:00Z",
        "2026-03-12T04:00:00Z",
      ].map((iso) => Date.parse(iso) / 1000),
      calls: [0, 1, 3, 1, 0, 1, 0],
      minutes: [0, 0, 2 + 0 + 2, 1, 0, 0, 0],
      answerRate: [null, 0, 2 / 3, 1, null, 0, null],
    });

    const november = await a.client.trpc.callLog.charts.query({ from: "2026-10-31", to: "2026-11-02" });
    expect(november.days).toEqual(["2026-10-31", "2026-11-01", "2026-11-02"]);
    expect(november.calls).toEqual([0, 2, 1]);
    expect(november.dayStarts[2]! - november.dayStarts[1]!).toBe(25 * 3600);

    // Filters apply to the charts as to the list.
    const shopOnly = await a.client.trpc.callLog.charts.query({
      buttonId: aShop,
      from: "2026-03-08",
      to: "2026-03-09",
    });
    expect(shopOnly.calls).toEqual([0, 1]);
    const failedOnly = await a.client.trpc.callLog.charts.query({
      statuses: ["failed"],
      from: "2026-03-10",
      to: "2026-03-11",
    });
    expect(failedOnly.calls).toEqual([0, 1]);

    // An instant range draws the local days it touches, counting only calls inside it.
    const partial = await a.client.trpc.callLog.charts.query({
      from: "2026-03-08T06:00:00Z",
      to: "2026-03-09T04:00:00Z",
    });
    expect(partial.days).toEqual(["2026-03-08"]);
    expect(partial.calls).toEqual([2]);

    // Kathmandu is UTC+5:45: local days start at 18:15Z, on a quarter hour like every offset.
    await resetA();
    await insertCalls(h, [
      call(a.accountId, aMain, "2026-03-10T18:14:59Z", 10), // 03-10 23:59:59 local
      call(a.accountId, aMain, "2026-03-10T18:15:00Z", 10), // 03-11 00:00 local
      call(a.accountId, aMain, "2026-03-11T18:14:00Z", 10), // 03-11 23:59 local
    ]);
    await h.db.db.update(accounts).set({ timezone: "Asia/Kathmandu" }).where(eq(accounts.id, a.accountId));
    try {
      const kathmandu = await a.client.trpc.callLog.charts.query({ from: "2026-03-10", to: "2026-03-11" });
      expect(kathmandu.timezone).toBe("Asia/Kathmandu");
      expect(kathmandu.calls).toEqual([1, 2]);
      expect(kathmandu.dayStarts).toEqual([
        Date.parse("2026-03-09T18:15:00Z") / 1000,
        Date.parse("2026-03-10T18:15:00Z") / 1000,
      ]);
    } finally {
      await h.db.db
        .update(accounts)
        .set({ timezone: "America/New_York" })
        .where(eq(accounts.id, a.accountId));
    }
  });

  it("charts default to the last 30 days up to today, and refuse more than 366 days", async () => {
    await resetA();
    // The harness clock is 2026-03-01T12:00Z, 07:00 in New York.
    await insertCalls(h, [
      call(a.accountId, aMain, "2026-03-01T06:00:00Z", 60), // 03-01 01:00 local: today
      call(a.accountId, aMain, "2026-01-31T12:00:00Z", 60), // the first day of the window
      call(a.accountId, aMain, "2026-01-30T12:00:00Z", 60), // outside it
    ]);
    const charts = await a.client.trpc.callLog.charts.query();
    expect(charts.days).toHaveLength(30);
    expect(charts.from).toBe("2026-01-31");
    expect(charts.to).toBe("2026-03-01");
    expect(charts.calls.reduce((x, y) => x + y, 0)).toBe(2);
    expect(charts.calls[0]).toBe(1);
    expect(charts.calls.at(-1)).toBe(1);

    const year = await a.client.trpc.callLog.charts.query({ from: "2025-03-02", to: "2026-03-02" });
    expect(year.days).toHaveLength(366);
    const tooLong = await expectTrpcError(
      a.client.trpc.callLog.charts.query({ from: "2025-03-01", to: "2026-03-02" }),
    );
    expect(tooLong.data?.httpStatus).toBe(400);
    expect(tooLong.data?.fieldErrors?.from?.[0]).toMatch(/at most 366 days/);
  });

  it("lists the calls in progress of the account only", async () => {
    await resetA();
    const now = h.clock.now();
    const [initiated, ringing, talking] = await insertCalls(h, [
      call(a.accountId, aMain, new Date(+now - 60_000).toISOString(), 0, {
        status: "initiated",
        transport: "twilio",
        answeredAt: null,
        endedAt: null,
      }),
      call(a.accountId, aShop, new Date(+now - 20_000).toISOString(), 0, {
        status: "ringing",
        answeredAt: null,
        endedAt: null,
        pageUrl: "https://shop.test/cart",
      }),
      call(a.accountId, aMain, new Date(+now - 30_000).toISOString(), 0, {
        status: "in-progress",
        answeredAt: new Date(+now - 25_000),
        endedAt: null,
      }),
      call(a.accountId, aMain, new Date(+now - 10_000).toISOString(), 12),
    ]);
    const live = await a.client.trpc.callLog.live.query();
    expect(live.timezone).toBe("America/New_York");
    expect(live.items.map((c) => c.id)).toEqual([ringing, talking, initiated]);
    expect(live.items[0]).toEqual({
      id: ringing,
      startedAt: new Date(+now - 20_000),
      answeredAt: null,
      status: "ringing",
      transport: "webrtc",
      button: { id: aShop, name: "Shop" },
      visitorIp: "198.51.100.20",
      pageUrl: "https://shop.test/cart",
    });
    expect(live.items[1]!.answeredAt).toEqual(new Date(+now - 25_000));
  });

  describe("another account's button and calls", () => {
    it("every procedure refuses B's button id with NOT_FOUND, like an id that does not exist", async () => {
      for (const buttonId of [bButton, "00000000-0000-4000-8000-000000000000"]) {
        for (const run of [
          () => a.client.trpc.callLog.list.query({ buttonId }),
          () => a.client.trpc.callLog.totals.query({ buttonId }),
          () => a.client.trpc.callLog.charts.query({ buttonId }),
        ]) {
          const e = await expectTrpcError(run());
          expect(e.data?.code).toBe("NOT_FOUND");
          expect(e.message).toBe("This button does not exist or was deleted.");
        }
      }
      const notUuid = await expectTrpcError(a.client.trpc.callLog.list.query({ buttonId: "b_123" }));
      expect(notUuid.data?.httpStatus).toBe(400);
    });

    it("never returns B's calls, whatever the filters", async () => {
      await resetA();
      const mine = await insertCalls(h, [
        call(a.accountId, aMain, "2026-03-08T16:00:00Z", 30),
        call(a.accountId, aMain, "2026-03-01T11:58:00Z", 0, {
          status: "ringing",
          answeredAt: null,
          endedAt: null,
        }),
      ]);
      const everything = await listAll(a.client, {}, 1);
      expect(everything.ids.sort()).toEqual([...mine].sort());
      const list = await a.client.trpc.callLog.list.query({
        from: "2026-01-01",
        to: "2026-12-31",
        limit: 200,
      });
      const totals = await a.client.trpc.callLog.totals.query({ from: "2026-03-08", to: "2026-03-08" });
      expect(totals.calls).toBe(1);
      const charts = await a.client.trpc.callLog.charts.query({ from: "2026-03-01", to: "2026-03-10" });
      expect(charts.calls.reduce((x, y) => x + y, 0)).toBe(2);
      const live = await a.client.trpc.callLog.live.query();
      expect(live.items.map((c) => c.id)).toEqual([mine[1]]);
      const answers = JSON.stringify([list, totals, charts, live]);
      for (const id of [...bCalls, bButton, b.accountId, "B's button"]) expect(answers).not.toContain(id);
      // B sees its own.
      const bList = await b.client.trpc.callLog.list.query({});
      expect(bList.items.map((r) => r.id).sort()).toEqual([...bCalls].sort());
      const bRows = await h.db.db
        .select({ id: callSessions.id })
        .from(callSessions)
        .where(and(eq(callSessions.accountId, b.accountId), eq(callSessions.buttonId, bButton)));
      expect(bRows).toHaveLength(bCalls.length);
    });
  });
});
