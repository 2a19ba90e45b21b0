// npm run bench -- call-reports [--reseed] [--iterations 60] [--warmup 5]
//
// "Where calls come from" (callLog.sources) on 1,000,000 calls in real Postgres, as ratios against
// the call log's first page measured in the same run. Seeds its own database (CALL_LOG_BENCH_DB,
// default cac_bench_reports, on the server of TEST_DATABASE_URL) with the call-log bench's seeding
// (bench/call-log.ts: 1,000,000 calls over a year for the measured account, 300,000 for three
// others), then gives the measured account's calls sources, once. The cases run round-robin, one
// sample of each per round, so a change in the machine's load touches them all alike.
// Goal: p95 ≤ 100 ms (the call log's aggregates' budget).
import { execSync } from "node:child_process";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import {
  callLogCharts,
  callLogSources,
  callLogTotals,
  listCallLog,
  localDate,
  resolveCallLogFilter,
} from "@cac/core";
import { callStatuses, createDb, type Db } from "@cac/db";
import { sql } from "drizzle-orm";

// The rollup's triggers would otherwise reach the call-log bench's own database.
process.env.CALL_LOG_BENCH_DB ??= "cac_bench_reports";
const { seedCallLog, writeResult } = await import("./call-log");

const GOAL_MS = 100;

const { values } = parseArgs({
  options: {
    reseed: { type: "boolean", default: false },
    iterations: { type: "string", default: "60" },
    warmup: { type: "string", default: "5" },
  },
});
const iterations = Number(values.iterations);
const warmup = Number(values.warmup);

/**
 * The measured account's calls get sources, as calls.start derives them (weighted: most calls
 * direct or from Google, a long tail of referrers). Once per database. The rollups' row trigger is
 * off for the bulk update and the sources rollups are rebuilt after it, as the migration fills them.
 */
async function seedSources(db: Db, accountId: string) {
  const [done] = (await db.execute(
    sql`select exists (select 1 from call_sessions where account_id = ${accountId} and source is not null) as done`,
  )) as unknown as Array<{ done: boolean }>;
  if (done?.done) return;
  console.log("  giving the calls sources ...");
  await db.transaction(async (tx) => {
    await tx.execute(sql`alter table call_sessions disable trigger call_daily_rollups_move`);
    await tx.execute(sql`
      update call_sessions set source = case
        when r < 30 then 'Direct' when r < 50 then 'Google Ads' when r < 62 then 'google.com'
        when r < 70 then 'facebook.com' when r < 75 then 'bing.com' when r < 80 then 'newsletter / email'
        when r < 84 then 'instagram.com' when r < 88 then 'yelp.com' when r < 91 then 'Facebook Ads'
        when r < 93 then 'reddit.com' when r < 95 then 'linkedin.com' when r < 96 then 'duckduckgo.com'
        when r < 97 then 'Bing Ads' when r < 98 then 'nextdoor.com' when r < 99 then 't.co'
        else 'spring-sale / email' end
      from (select id as rid, abs(hashtext(id::text || 's')) % 100 as r from call_sessions where account_id = ${accountId}) s
      where id = s.rid`);
    await tx.execute(sql`alter table call_sessions enable trigger call_daily_rollups_move`);
    await tx.execute(sql`delete from call_daily_sources where account_id = ${accountId}`);
    await tx.execute(sql`delete from call_daily_button_sources where account_id = ${accountId}`);
    const answered = sql`count(*) filter (where answered_at is not null or status in ('in-progress', 'completed'))`;
    await tx.execute(sql`
      insert into call_daily_sources (account_id, day, source, calls, answered)
      select account_id, (started_at at time zone 'UTC')::date, left(coalesce(source, ''), 100), count(*), ${answered}
      from call_sessions where account_id = ${accountId} group by 1, 2, 3`);
    await tx.execute(sql`
      insert into call_daily_button_sources (account_id, button_id, day, source, calls, answered)
      select account_id, coalesce(button_id, '00000000-0000-0000-0000-000000000000'::uuid),
        (started_at at time zone 'UTC')::date, left(coalesce(source, ''), 100), count(*), ${answered}
      from call_sessions where account_id = ${accountId} group by 1, 2, 3, 4`);
  });
  console.log("  vacuum analyze ...");
  await db.execute(sql`vacuum analyze call_sessions`);
  for (const table of [
    "call_daily_pages",
    "call_daily_sources",
    "call_daily_button_pages",
    "call_daily_button_sources",
  ]) {
    await db.execute(sql.raw(`vacuum analyze ${table}`));
  }
}

type Sample = { name: string; kind: "baseline" | "report" | "info"; run: () => Promise<unknown> };

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

async function main() {
  const uptime = () => execSync("uptime").toString().trim();
  console.log(`call-reports: ${uptime()}`);
  const seeded = await seedCallLog({ reseed: values.reseed });
  const handle = await createDb({ url: seeded.url, maxConnections: 1 });
  const db = handle.db;
  await seedSources(db, seeded.account.id);
  const deps = { db, clock: { now: () => seeded.anchor } };
  const account = seeded.account;
  const today = localDate(seeded.anchor, account.timezone);
  const daysBack = (n: number) => localDate(+seeded.anchor - (n - 1) * 86_400_000, account.timezone);
  const range = (days: number, extra: Record<string, unknown> = {}) =>
    resolveCallLogFilter(deps, account, { from: daysBack(days), to: today, ...extra });
  const all = await resolveCallLogFilter(deps, account, {});
  const last30 = await range(30);
  const last90 = await range(90);
  const last365 = await range(365);
  const button90 = await range(90, { buttonId: seeded.buttonIds[0] });
  const status30 = await range(30, { statuses: ["completed"] });

  const rollupRows = (await db.execute(sql`
    select (select count(*) from call_daily_pages where account_id = ${account.id})::int as pages,
      (select count(*) from call_daily_sources where account_id = ${account.id})::int as sources,
      (select count(*) from call_daily_button_pages where account_id = ${account.id})::int as button_pages,
      (select count(*) from call_daily_button_sources where account_id = ${account.id})::int as button_sources`)) as unknown as Array<{
    pages: number;
    sources: number;
    button_pages: number;
    button_sources: number;
  }>;
  console.log(
    `  rollup rows of the measured account: ${rollupRows[0]?.pages} by page, ${rollupRows[0]?.sources} by source; per button ${rollupRows[0]?.button_pages} and ${rollupRows[0]?.button_sources}`,
  );

  const cases: Sample[] = [
    {
      name: "call log: first page (50), the baseline",
      kind: "baseline",
      run: () => listCallLog(deps, all, { limit: 50 }),
    },
    { name: "sources: 30 days", kind: "report", run: () => callLogSources(deps, last30) },
    { name: "sources: 90 days", kind: "report", run: () => callLogSources(deps, last90) },
    { name: "sources: a year", kind: "report", run: () => callLogSources(deps, last365) },
    { name: "sources: button + 90 days", kind: "report", run: () => callLogSources(deps, button90) },
    // The call log's own aggregates over the same range, under the same budget, for comparison.
    { name: "call log totals: 90 days (reference)", kind: "info", run: () => callLogTotals(deps, last90) },
    { name: "call log charts: 90 days (reference)", kind: "info", run: () => callLogCharts(deps, last90) },
    // A filter the rollups do not keep: the calls are read (no goal).
    { name: "sources: completed + 30 days (raw)", kind: "info", run: () => callLogSources(deps, status30) },
  ];
  // A sanity check that the rollups answer what the calls say, on the measured data.
  const viaRollup = await callLogSources(deps, last90);
  const viaCalls = await callLogSources(deps, { ...last90, statuses: [...callStatuses] });
  if (JSON.stringify({ ...viaRollup, rolledUp: 0 }) !== JSON.stringify({ ...viaCalls, rolledUp: 0 })) {
    throw new Error("the rollups and the calls disagree on 90 days");
  }

  for (let i = 0; i < warmup; i++) for (const c of cases) await c.run();
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let i = 0; i < iterations; i++) {
    for (const c of cases) {
      const t = performance.now();
      await c.run();
      samples.get(c.name)?.push(performance.now() - t);
    }
  }
  const stats = cases.map((c) => {
    const sorted = [...(samples.get(c.name) ?? [])].sort((a, b) => a - b);
    return { name: c.name, kind: c.kind, p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95) };
  });
  const base = stats[0]!;
  console.log(
    `\n  ${iterations} rounds (after ${warmup} warm-up rounds), round-robin; ms and ratio to the baseline`,
  );
  console.log(
    `  ${"case".padEnd(44)} ${"p50".padStart(8)} ${"p95".padStart(8)} ${"p50 ×".padStart(8)} ${"p95 ×".padStart(8)}  goal`,
  );
  for (const s of stats) {
    const goal = s.kind === "report" ? (s.p95 <= GOAL_MS ? "met" : "MISSED") : "";
    console.log(
      `  ${s.name.padEnd(44)} ${s.p50.toFixed(1).padStart(8)} ${s.p95.toFixed(1).padStart(8)} ${(s.p50 / base.p50).toFixed(1).padStart(8)} ${(s.p95 / base.p95).toFixed(1).padStart(8)}  ${goal}`,
    );
  }
  const plan = (await db.execute(
    sql`explain (analyze, buffers, costs off) select page, sum(calls) from call_daily_pages where account_id = ${account.id} and day >= ${localDate(last365.from!, "UTC")} group by 1`,
  )) as unknown as Array<Record<string, string>>;
  console.log(
    `\n  EXPLAIN of a year of the pages rollup:\n${plan.map((r) => `    ${r["QUERY PLAN"]}`).join("\n")}`,
  );
  console.log(`\n  ${uptime()}`);
  const missed = stats.filter((s) => s.kind === "report" && s.p95 > GOAL_MS);
  console.log(missed.length ? `Missed goals: ${missed.map((s) => s.name).join("; ")}` : "All goals met.");
  console.log(
    `Written: ${writeResult("call-reports", { seeded: { ...seeded, url: undefined }, iterations, warmup, load: loadavg(), rollupRows: rollupRows[0], stats })}`,
  );
  await handle.close();
  return missed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
