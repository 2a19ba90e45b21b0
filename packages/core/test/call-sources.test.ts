/**
 * "Where calls come from" (callLogSources) and its rollup (call_daily_sources, kept by the
 * triggers of migration 0020): after inserts, answers, a button's deletion and retention's
 * deletes, the rollup equals a GROUP BY over the calls, and the report equals the same counts
 * worked out here from the calls, for date ranges in the account's timezone, exact instants, a
 * button, and a filter the rollup does not keep. Two accounts never see each other's calls.
 */
import {
  accounts,
  buttons,
  callDailyButtonPages,
  callDailyButtonSources,
  callDailyPages,
  callDailySources,
  callSessions,
} from "@cac/db";
import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CallLogFilterParams,
  type CallStatus,
  resolveCallLogFilter,
  rowsOf,
} from "../src/services/call-log/filters";
import { type CallSources, callLogSources, callPage, SOURCES_TOP } from "../src/services/call-log/reports";
import { HARNESS_TIMEOUT_MS, insertAccount, type ServiceHarness, startServiceHarness } from "./harness";

const DAY = 24 * 60 * 60 * 1000;
const TIMEZONE = "America/Chicago";
// A fixed "now": calls are spread over the 10 days before it.
const NOW = Date.parse("2026-11-20T15:00:00Z");

type Seeded = {
  id: string;
  buttonId: string | null;
  status: CallStatus;
  startedAt: Date;
  answeredAt: Date | null;
  pageUrl: string | null;
  source: string | null;
};

const STATUSES: CallStatus[] = [
  "completed",
  "no-answer",
  "canceled",
  "failed",
  "busy",
  "ringing",
  "in-progress",
];

/** A small deterministic generator, so a failure can be replayed. */
function lcg(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const pick = <T>(random: () => number, values: readonly T[]): T =>
  values[Math.floor(random() * values.length)]!;

describe("where calls come from", () => {
  let h: ServiceHarness;
  beforeAll(async () => {
    h = await startServiceHarness();
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  async function account(host: string) {
    const { accountId } = await insertAccount(h);
    await h.db.db.update(accounts).set({ timezone: TIMEZONE }).where(eq(accounts.id, accountId));
    const made = await h.db.db
      .insert(buttons)
      .values(
        [1, 2].map((i) => ({
          accountId,
          publicId: `b_${accountId.slice(0, 8)}_${i}`,
          name: `Button ${i}`,
          label: "Call us",
          style: {
            background: "#1d4ed8",
            text: "#ffffff",
            size: "medium",
            shape: "pill",
            position: "bottom-right",
            icon: "phone",
          } as const,
          timezone: TIMEZONE,
          hours: [],
          allowedDomains: [host],
        })),
      )
      .returning({ id: buttons.id });
    return { accountId, host, buttonIds: made.map((b) => b.id) };
  }

  /** `count` calls over the 10 days before NOW, many near UTC and Chicago midnights. */
  async function seedCalls(
    acct: { accountId: string; host: string; buttonIds: string[] },
    count: number,
    seed: number,
  ): Promise<Seeded[]> {
    const random = lcg(seed);
    const pages = [
      `https://${acct.host}/`,
      `https://${acct.host}/pricing?utm_source=google`,
      `https://${acct.host.toUpperCase()}/Pricing#plans`,
      `https://${acct.host}/contact`,
      null,
    ];
    const sources = ["Google Ads", "Direct", `news.${acct.host}`, "facebook.com", null];
    const values = Array.from({ length: count }, () => {
      const day = Math.floor(random() * 10);
      // A third near midnight UTC, a third near midnight in Chicago (06:00 UTC), the rest anywhere.
      const kind = random();
      const base = Math.floor(NOW / DAY) * DAY - day * DAY;
      const jitter = (random() - 0.5) * 2 * 60 * 60 * 1000;
      const startedAt = new Date(
        kind < 0.33 ? base + jitter : kind < 0.66 ? base + 6 * 3600_000 + jitter : base + random() * DAY,
      );
      const status = pick(random, STATUSES);
      return {
        accountId: acct.accountId,
        buttonId: random() < 0.1 ? null : pick(random, acct.buttonIds),
        transport: "webrtc" as const,
        status,
        startedAt,
        answeredAt: status === "completed" || status === "in-progress" ? new Date(+startedAt + 5000) : null,
        pageUrl: pick(random, pages),
        source: pick(random, sources),
      };
    });
    const rows = await h.db.db.insert(callSessions).values(values).returning({
      id: callSessions.id,
      buttonId: callSessions.buttonId,
      status: callSessions.status,
      startedAt: callSessions.startedAt,
      answeredAt: callSessions.answeredAt,
      pageUrl: callSessions.pageUrl,
      source: callSessions.source,
    });
    return rows;
  }

  /** The four rollups' rows, and GROUP BYs of the calls in the same shapes, for one account. */
  async function rollupAndRaw(accountId: string) {
    const read = async (query: ReturnType<typeof sql>) =>
      rowsOf<{ day: string; button: string; key: string; calls: number; answered: number }>(
        await h.db.db.execute(query),
      )
        .map((r) => ({ ...r, calls: Number(r.calls), answered: Number(r.answered) }))
        .sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    const counted = (key: string, perButton: boolean) => sql`
      select to_char((started_at at time zone 'UTC')::date, 'YYYY-MM-DD') as day,
        ${sql.raw(perButton ? "coalesce(button_id, '00000000-0000-0000-0000-000000000000'::uuid)::text" : "''")} as button,
        ${sql.raw(key)} as key, count(*)::int as calls,
        (count(*) filter (where answered_at is not null or status in ('in-progress', 'completed')))::int as answered
      from call_sessions where account_id = ${accountId} group by 1, 2, 3`;
    const rolled = (table: string, key: string, perButton: boolean) =>
      sql`select to_char(day, 'YYYY-MM-DD') as day, ${sql.raw(perButton ? "button_id::text" : "''")} as button,
        ${sql.raw(key)} as key, calls, answered
        from ${sql.raw(table)} where account_id = ${accountId}`;
    const page = "call_page(page_url)";
    const source = "coalesce(source, '')";
    return {
      rollup: {
        pages: await read(rolled("call_daily_pages", "page", false)),
        sources: await read(rolled("call_daily_sources", "source", false)),
        buttonPages: await read(rolled("call_daily_button_pages", "page", true)),
        buttonSources: await read(rolled("call_daily_button_sources", "source", true)),
      },
      raw: {
        pages: await read(counted(page, false)),
        sources: await read(counted(source, false)),
        buttonPages: await read(counted(page, true)),
        buttonSources: await read(counted(source, true)),
      },
    };
  }

  /** The report worked out here from the calls: every page and source (fewer than the top 10). */
  function expected(calls: Seeded[], keep: (call: Seeded) => boolean) {
    const tally = (key: (call: Seeded) => string) => {
      const map = new Map<string, { calls: number; answered: number }>();
      for (const call of calls.filter(keep)) {
        const entry = map.get(key(call)) ?? { calls: 0, answered: 0 };
        entry.calls += 1;
        if (call.answeredAt || call.status === "completed" || call.status === "in-progress")
          entry.answered += 1;
        map.set(key(call), entry);
      }
      return [...map].map(([k, v]) => ({ key: k || null, ...v, answerRate: v.answered / v.calls }));
    };
    return {
      byPage: sortByKey(tally((c) => callPage(c.pageUrl))),
      bySource: sortByKey(tally((c) => c.source ?? "")),
    };
  }

  function sortByKey<T extends { key: string | null }>(rows: T[]): T[] {
    return [...rows].sort((a, b) => String(a.key).localeCompare(String(b.key)));
  }

  function shape(report: CallSources) {
    return {
      byPage: sortByKey(report.byPage.map(({ page, ...rest }) => ({ key: page, ...rest }))),
      bySource: sortByKey(report.bySource.map(({ source, ...rest }) => ({ key: source, ...rest }))),
    };
  }

  async function report(accountId: string, input: CallLogFilterParams) {
    const filter = await resolveCallLogFilter(h.ports, { id: accountId, timezone: TIMEZONE }, input);
    return callLogSources(h.ports, filter);
  }

  const localDay = (ms: number) =>
    new Intl.DateTimeFormat("en-CA", { timeZone: TIMEZONE, dateStyle: "short" }).format(new Date(ms));

  it(
    "equals a count of the calls for ranges, instants, a button and a status filter, kept through answers, moves and deletes",
    async () => {
      const a = await account("acme-plumbing.test");
      const b = await account("bolt-electric.test");
      const callsA = await seedCalls(a, 400, 7);
      const callsB = await seedCalls(b, 150, 11);

      const check = async () => {
        for (const acct of [a, b]) {
          const { rollup, raw } = await rollupAndRaw(acct.accountId);
          expect(rollup).toEqual(raw);
        }
        const first = localDay(NOW - 8 * DAY);
        const last = localDay(NOW - 2 * DAY);
        const inDays = (c: Seeded) => localDay(+c.startedAt) >= first && localDay(+c.startedAt) <= last;
        const from = new Date(NOW - 5 * DAY - 3 * 3600_000);
        const to = new Date(NOW - 5 * DAY + 7 * 3600_000);
        const longFrom = new Date(NOW - 7 * DAY + 1234);
        const longTo = new Date(NOW - DAY - 4321);
        const cases: Array<[CallLogFilterParams, (c: Seeded) => boolean, boolean]> = [
          [{}, () => true, true],
          [{ from: first, to: last }, inDays, true],
          [
            { from: first, to: last, buttonId: a.buttonIds[0] },
            (c) => inDays(c) && c.buttonId === a.buttonIds[0],
            true,
          ],
          // Shorter than a UTC day: read from the calls.
          [
            { from: from.toISOString(), to: to.toISOString() },
            (c) => c.startedAt >= from && c.startedAt < to,
            false,
          ],
          [
            { from: longFrom.toISOString(), to: longTo.toISOString() },
            (c) => c.startedAt >= longFrom && c.startedAt < longTo,
            true,
          ],
          [{ from: first }, (c) => localDay(+c.startedAt) >= first, true],
          // A status filter is not in the rollup's key: read from the calls.
          [
            { from: first, to: last, statuses: ["completed", "busy"] },
            (c) => inDays(c) && (c.status === "completed" || c.status === "busy"),
            false,
          ],
        ];
        for (const [input, keep, rolledUp] of cases) {
          const got = await report(a.accountId, input);
          expect(got.rolledUp, JSON.stringify(input)).toBe(rolledUp);
          expect(shape(got), JSON.stringify(input)).toEqual(expected(callsA, keep));
        }
        // Nothing of B's in A's report, and B's own is B's calls.
        const all = await report(a.accountId, {});
        expect(JSON.stringify(all)).not.toMatch(/bolt-electric/);
        expect(shape(await report(b.accountId, {}))).toEqual(expected(callsB, () => true));
      };

      await check();

      // Answers: ringing calls are answered (as answerCall does), one by one.
      const ringing = callsA.filter((c) => c.status === "ringing").slice(0, 5);
      expect(ringing.length).toBeGreaterThan(0);
      for (const call of ringing) {
        const answeredAt = new Date(+call.startedAt + 9000);
        await h.db.db
          .update(callSessions)
          .set({ status: "in-progress", answeredAt })
          .where(eq(callSessions.id, call.id));
        call.status = "in-progress";
        call.answeredAt = answeredAt;
      }
      // The end of an answered call changes nothing counted; a heartbeat neither.
      const talking = callsA.find((c) => c.status === "in-progress")!;
      await h.db.db
        .update(callSessions)
        .set({ status: "completed", lastActivityAt: new Date(NOW) })
        .where(eq(callSessions.id, talking.id));
      talking.status = "completed";
      // A source and a page set after the start move the call to their row.
      const moved = callsA.find((c) => c.source === null)!;
      await h.db.db
        .update(callSessions)
        .set({ source: "Bing Ads", pageUrl: "https://acme-plumbing.test/offers?x=1" })
        .where(eq(callSessions.id, moved.id));
      moved.source = "Bing Ads";
      moved.pageUrl = "https://acme-plumbing.test/offers?x=1";
      await check();

      // A deleted button: its calls keep counting, under no button.
      await h.db.db.delete(buttons).where(eq(buttons.id, a.buttonIds[1]!));
      for (const call of callsA) if (call.buttonId === a.buttonIds[1]) call.buttonId = null;
      await check();

      // Retention deletes calls in batches of ids.
      const gone = callsA.splice(0, 120).map((c) => c.id);
      await h.db.db.delete(callSessions).where(inArray(callSessions.id, gone.slice(0, 60)));
      await h.db.db.delete(callSessions).where(inArray(callSessions.id, gone.slice(60)));
      await check();

      // Deleting an account takes its rollup with it; the other's stays whole.
      await h.db.db.delete(accounts).where(eq(accounts.id, b.accountId));
      for (const table of [callDailyPages, callDailySources, callDailyButtonPages, callDailyButtonSources]) {
        const left = await h.db.db
          .select({ n: sql<number>`count(*)::int` })
          .from(table)
          .where(eq(table.accountId, b.accountId));
        expect(Number(left[0]?.n)).toBe(0);
      }
      const { rollup, raw } = await rollupAndRaw(a.accountId);
      expect(rollup).toEqual(raw);
      // Every call of A deleted: no row left counting nothing.
      await h.db.db.delete(callSessions).where(eq(callSessions.accountId, a.accountId));
      expect((await rollupAndRaw(a.accountId)).rollup).toEqual({
        pages: [],
        sources: [],
        buttonPages: [],
        buttonSources: [],
      });
      expect(await report(a.accountId, {})).toEqual({ byPage: [], bySource: [], rolledUp: true });
    },
    HARNESS_TIMEOUT_MS,
  );

  it(
    "lists the top 10, most calls first, with answer rates",
    async () => {
      const a = await account("top-ten.test");
      const values = [];
      // Source i has 13 - i calls, i of them answered.
      for (let i = 0; i < 12; i++) {
        for (let n = 0; n < 13 - i; n++) {
          values.push({
            accountId: a.accountId,
            buttonId: a.buttonIds[0]!,
            transport: "webrtc" as const,
            status: (n < i ? "completed" : "no-answer") as CallStatus,
            startedAt: new Date(NOW - DAY),
            answeredAt: n < i ? new Date(NOW - DAY + 3000) : null,
            pageUrl: `https://top-ten.test/page-${i}`,
            source: `source ${String(i).padStart(2, "0")}`,
          });
        }
      }
      await h.db.db.insert(callSessions).values(values);
      const got = await report(a.accountId, {});
      expect(got.bySource).toHaveLength(SOURCES_TOP);
      expect(got.bySource.map((r) => r.source)).toEqual(
        Array.from({ length: 10 }, (_, i) => `source ${String(i).padStart(2, "0")}`),
      );
      expect(got.bySource[3]).toEqual({ source: "source 03", calls: 10, answered: 3, answerRate: 0.3 });
      expect(got.byPage[0]).toEqual({ page: "top-ten.test/page-0", calls: 13, answered: 0, answerRate: 0 });
      expect(got.byPage).toHaveLength(SOURCES_TOP);
    },
    HARNESS_TIMEOUT_MS,
  );

  it("groups pages by host and path, as the SQL function does", async () => {
    const urls = [
      "https://Acme.TEST/Pricing?x=1#top",
      "http://acme.test/",
      "acme.test/contact",
      "",
      null,
      `https://acme.test/${"é".repeat(400)}`,
    ];
    const rows = rowsOf<{ page: string }>(
      await h.db.db.execute(
        sql`select call_page(u) as page from unnest(${`{${urls.map((u) => (u === null ? "NULL" : `"${u}"`)).join(",")}}`}::text[]) with ordinality as t(u, i) order by i`,
      ),
    );
    expect(rows.map((r) => r.page)).toEqual(urls.map((u) => callPage(u)));
    expect(callPage("https://Acme.TEST/Pricing?x=1#top")).toBe("acme.test/Pricing");
  });
});
