// npm run bench -- call-log [--reseed] [--iterations 200]
//
// The portal's call log on 1,000,000 call sessions in real Postgres. Seeds a dedicated
// database `cac_bench` (on the server of TEST_DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/test) with the committed migrations and one
// `insert … select generate_series` statement, then times the call-log service functions (the
// exact queries the procedures run) next to a `select 1` round trip measured in the same run,
// and prints `EXPLAIN (ANALYZE, BUFFERS)` of each query.
// Goals: p95 ≤ 20 ms for a page, ≤ 100 ms for an aggregate.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  callLogCharts,
  callLogContextOptions,
  callLogTotals,
  createSession,
  encodeCursor,
  listCallLog,
  liveCalls,
  resolveCallLogFilter,
} from "@cac/core";
import { accounts, buttons, createDb, type Db, memberships, users } from "@cac/db";
import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";

// CALL_LOG_BENCH_DB names another database, e.g. for a branch whose migrations differ.
export const BENCH_DB = process.env.CALL_LOG_BENCH_DB ?? "cac_bench";
/** Call sessions of the measured account; three other accounts get NOISE_ROWS more in all. */
export const MAIN_ROWS = 1_000_000;
export const NOISE_ROWS = 300_000;
const DAYS = 365;
const MAIN_EMAIL = "bench-owner@clickandcall.test";
const TIMEZONE = "America/New_York";

export function benchUrls() {
  const server = new URL(process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test");
  const bench = new URL(server);
  bench.pathname = `/${BENCH_DB}`;
  return { server: server.toString(), bench: bench.toString() };
}

/** A Postgres array literal (drizzle would expand a JS array into a parameter list). */
const pgArray = (values: string[]) => `{${values.join(",")}}`;

export type Seeded = {
  url: string;
  account: { id: string; timezone: string };
  buttonIds: string[];
  userId: string;
  /** The instant the seeded log ends at (its newest calls). */
  anchor: Date;
  seededNow: boolean;
  seedSeconds: number | null;
};

/**
 * Creates (or, when already seeded with the same shape, reuses) the bench database: migrated
 * with the committed migrations, 1,000,000 calls for the measured account over the last year,
 * plus other accounts' calls interleaved in the same table, then VACUUM ANALYZE.
 */
export async function seedCallLog(
  options: { reseed?: boolean; log?: (line: string) => void } = {},
): Promise<Seeded> {
  const log = options.log ?? ((line: string) => console.log(line));
  const urls = benchUrls();
  const admin = postgres(urls.server, { max: 1, onnotice: () => {} });
  const exists = (await admin`select 1 from pg_database where datname = ${BENCH_DB}`).length > 0;
  if (exists && options.reseed) await admin.unsafe(`drop database ${BENCH_DB} with (force)`);
  if (!exists || options.reseed) await admin.unsafe(`create database ${BENCH_DB}`);
  await admin.end();

  const handle = await createDb({ url: urls.bench, maxConnections: 2 });
  // Always: a migration committed since the last seed (an index) is applied to the seeded data.
  await handle.migrate();
  const db = handle.db;
  try {
    const [main] = await db
      .select({ id: users.id, accountId: memberships.accountId })
      .from(users)
      .innerJoin(memberships, eq(memberships.userId, users.id))
      .where(eq(users.email, MAIN_EMAIL));
    if (main) {
      const [count] = (await db.execute(
        sql`select count(*)::int as n from call_sessions where account_id = ${main.accountId}`,
      )) as unknown as Array<{ n: number }>;
      if (count?.n === MAIN_ROWS) {
        const mainButtons = await db
          .select({ id: buttons.id })
          .from(buttons)
          .where(eq(buttons.accountId, main.accountId));
        const [newest] = (await db.execute(
          sql`select max(started_at) as at from call_sessions where account_id = ${main.accountId}`,
        )) as unknown as Array<{ at: string }>;
        log(
          `  reusing ${BENCH_DB}: ${MAIN_ROWS.toLocaleString("en-US")} calls already seeded (--reseed to start over)`,
        );
        await seedWorkItems(db, main.accountId, log);
        await seedVisitorContext(db, main.accountId, log);
        await db.execute(sql`analyze call_sessions`);
        return {
          url: urls.bench,
          account: { id: main.accountId, timezone: TIMEZONE },
          buttonIds: mainButtons.map((b) => b.id),
          userId: main.id,
          anchor: new Date(newest!.at),
          seededNow: false,
          seedSeconds: null,
        };
      }
      throw new Error(`${BENCH_DB} holds another data set; run with --reseed`);
    }

    const started = performance.now();
    const style = {
      background: "#1d4ed8",
      text: "#ffffff",
      size: "medium",
      shape: "pill",
      position: "bottom-right",
      icon: "phone",
    } as const;
    const accountIds: string[] = [];
    const buttonIds: string[][] = [];
    for (let a = 0; a < 4; a++) {
      const [account] = await db
        .insert(accounts)
        .values({
          companyName: `Bench Company ${a}`,
          websiteUrl: `shop${a}.example.test`,
          phone: "+12025550143",
          timezone: TIMEZONE,
        })
        .returning({ id: accounts.id });
      accountIds.push(account!.id);
      const count = a === 0 ? 8 : 2;
      const rows = await db
        .insert(buttons)
        .values(
          Array.from({ length: count }, (_, i) => ({
            accountId: account!.id,
            publicId: `b_bench_${a}_${i}`,
            name: `Button ${i + 1} of company ${a}`,
            label: "Call us",
            style,
            timezone: TIMEZONE,
            hours: [],
            allowedDomains: [`shop${a}.example.test`],
          })),
        )
        .returning({ id: buttons.id });
      buttonIds.push(rows.map((r) => r.id));
    }
    const [user] = await db
      .insert(users)
      .values({
        email: MAIN_EMAIL,
        name: "Bench Owner",
        // Never used to log in: the benches create their sessions directly.
        passwordHash: "!",
        emailVerifiedAt: new Date(),
        ageConfirmedAt: new Date(),
      })
      .returning({ id: users.id });
    await db.insert(memberships).values({ accountId: accountIds[0]!, userId: user!.id, role: "owner" });

    const total = MAIN_ROWS + NOISE_ROWS;
    // 10 rows in 13 belong to the measured account, the rest to the three others, interleaved as
    // production inserts them. Calls are spread evenly over the last year in insertion order
    // (with jitter), started_at truncated to the second so equal timestamps occur.
    const anchor = new Date(Math.floor(Date.now() / 1000) * 1000);
    log(`  seeding ${total.toLocaleString("en-US")} call sessions in ${BENCH_DB} ...`);
    const seedSql = sql`
      insert into call_sessions (account_id, button_id, transport, status, visitor_ip, page_url, failure_reason,
        started_at, answered_at, ended_at, duration_seconds)
      select account_id, button_id, transport, status, visitor_ip, page_url,
        case when status = 'failed' then 'The phone network did not connect the call.' end,
        started_at,
        case when status in ('completed', 'in-progress') then started_at + interval '8 seconds' end,
        case when status in ('initiated', 'ringing', 'in-progress') then null
          else started_at + interval '8 seconds' + duration_seconds * interval '1 second' end,
        duration_seconds
      from (
        select
          (${pgArray(accountIds)}::uuid[])[case when g % 13 < 10 then 1 else g % 13 - 8 end] as account_id,
          case when r_button < 0.01 then null
            when g % 13 < 10 then (${pgArray(buttonIds[0]!)}::uuid[])[1 + floor(r_button * 8)::int]
            else (${pgArray(buttonIds.slice(1).flat())}::uuid[])[(g % 13 - 10) * 2 + 1 + floor(r_button * 2)::int] end as button_id,
          case when g % 5 = 0 then 'twilio' else 'webrtc' end as transport,
          case when g > ${total} - 40 then (array['initiated', 'ringing', 'in-progress'])[1 + g % 3]
            when r_status < 0.70 then 'completed' when r_status < 0.82 then 'no-answer'
            when r_status < 0.90 then 'canceled' when r_status < 0.95 then 'failed'
            when r_status < 0.98 then 'busy' else 'completed' end as status,
          case when g > ${total} - 40 or r_status >= 0.70 and r_status < 0.98 then 0
            else 15 + floor(r_duration * r_duration * 1200)::int end as duration_seconds,
          '198.51.' || (g % 256) || '.' || ((g / 256) % 256) as visitor_ip,
          'https://shop' || (g % 13) || '.example.test/' ||
            (array['', 'pricing', 'contact', 'products/widget?ref=ad,spring'])[1 + g % 4] as page_url,
          date_trunc('second', ${anchor.toISOString()}::timestamptz
            - ${DAYS} * interval '1 day' * (1 - g::float8 / ${total}) - r_jitter * interval '20 minutes') as started_at
        from (
          select g, random() as r_button, random() as r_status, random() as r_duration, random() as r_jitter
          from generate_series(1, ${total}) g
        ) numbered
      ) calls`;
    await db.transaction(async (tx) => {
      await tx.execute(sql`select setseed(0.42)`);
      await tx.execute(seedSql);
    });
    await seedWorkItems(db, accountIds[0]!, log);
    await seedVisitorContext(db, accountIds[0]!, log);
    log("  vacuum analyze ...");
    await db.execute(sql`vacuum analyze call_sessions`);
    const seedSeconds = (performance.now() - started) / 1000;
    log(`  seeded in ${seedSeconds.toFixed(1)} s`);
    return {
      url: urls.bench,
      account: { id: accountIds[0]!, timezone: TIMEZONE },
      buttonIds: buttonIds[0]!,
      userId: user!.id,
      anchor,
      seededNow: true,
      seedSeconds,
    };
  } finally {
    await handle.close();
  }
}

/** Members of the measured account who answer its calls (the owner is the first). */
const ANSWERERS = 5;

/**
 * The team's work on the measured account's calls, as a busy team leaves it: every answered call
 * has who answered it (one of five members), 1 in 100 calls carries the tag "quote", 1 in 1,000
 * "vip", and 1 in 50 has notes. Once per database (skipped when the tags are there already).
 */
async function seedWorkItems(db: Db, accountId: string, log: (line: string) => void) {
  const [tagged] = (await db.execute(
    sql`select exists (select 1 from call_sessions where account_id = ${accountId} and tags <> '{}') as done`,
  )) as unknown as Array<{ done: boolean }>;
  if (tagged?.done) return;
  log("  seeding answerers, tags and notes ...");
  const members = (
    await db.select({ id: memberships.userId }).from(memberships).where(eq(memberships.accountId, accountId))
  ).map((m) => m.id);
  for (let i = members.length; i < ANSWERERS; i++) {
    const [member] = await db
      .insert(users)
      .values({
        email: `bench-agent-${i}@clickandcall.test`,
        name: `Bench Agent ${i}`,
        passwordHash: "!",
        emailVerifiedAt: new Date(),
        ageConfirmedAt: new Date(),
      })
      .returning({ id: users.id });
    await db.insert(memberships).values({ accountId, userId: member!.id, role: "agent" });
    members.push(member!.id);
  }
  await db.execute(sql`
    update call_sessions set
      answered_by = case when answered_at is not null
        then (${pgArray(members)}::uuid[])[1 + abs(hashtext(id::text)) % ${members.length}] end,
      tags = case when abs(hashtext(id::text || 't')) % 1000 = 0 then array['quote', 'vip']
        when abs(hashtext(id::text || 't')) % 100 = 0 then array['quote'] else '{}' end,
      last_note_at = case when abs(hashtext(id::text || 'n')) % 50 = 0 then started_at + interval '5 minutes' end
    where account_id = ${accountId}`);
}

/**
 * Where the measured account's calls came from (visitor context), as a year of campaigns leaves
 * it: calls older than 180 days have none (from before the widget sent it); of the others 30%
 * "Google Ads" over 8 campaigns, 15% "Google (organic)", 10% "Facebook" over 2 campaigns, 5%
 * "yelp.com", 1% "Newsletter" with its one campaign, the rest "Direct" (so about half the calls
 * have a source). Once per database.
 */
async function seedVisitorContext(db: Db, accountId: string, log: (line: string) => void) {
  const [done] = (await db.execute(
    sql`select exists (select 1 from call_sessions where account_id = ${accountId} and source is not null) as done`,
  )) as unknown as Array<{ done: boolean }>;
  if (done?.done) return;
  log("  seeding visitor context (source, campaign) ...");
  await db.execute(sql`
    update call_sessions set source = v.source, utm_campaign = v.campaign
    from (
      select id, case when b < 30 then 'Google Ads' when b < 45 then 'Google (organic)'
          when b < 55 then 'Facebook' when b < 60 then 'yelp.com' when b < 61 then 'Newsletter' else 'Direct' end as source,
        case when b < 30 then 'google-campaign-' || (b % 8) when b >= 45 and b < 55 then 'fb-campaign-' || (b % 2)
          when b = 60 then 'december-newsletter' end as campaign
      from (select id, abs(hashtext(id::text || 's')) % 100 as b from call_sessions
        where account_id = ${accountId} and started_at > now() - interval '180 days') picked
    ) v
    where call_sessions.id = v.id`);
}

/** A session cookie for the bench owner (created directly: the bench user has no password). */
export async function benchSessionCookie(seeded: Seeded): Promise<string> {
  const handle = await createDb({ url: seeded.url, maxConnections: 1 });
  try {
    const { token } = await createSession(
      { db: handle.db, clock: { now: () => new Date() } },
      seeded.userId,
      {},
    );
    return `cac_session=${encodeURIComponent(token)}`;
  } finally {
    await handle.close();
  }
}

// --- Timing ----------------------------------------------------------------------------------

export type Timing = { n: number; p50: number; p95: number; p99: number; mean: number; min: number };

export async function timeIt(
  run: () => Promise<unknown>,
  iterations: number,
  warmup: number,
): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await run();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.ceil(q * samples.length) - 1)]!;
  return {
    n: samples.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
    min: samples[0]!,
  };
}

export function writeResult(name: string, data: unknown): string {
  const dir = fileURLToPath(new URL("./results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const startedAt = new Date().toISOString();
  const file = join(dir, `${name}-${startedAt.replace(/[:.]/g, "-")}.json`);
  const machine = {
    node: process.version,
    platform: process.platform,
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
  };
  writeFileSync(file, `${JSON.stringify({ startedAt, machine, ...(data as object) }, null, 2)}\n`);
  return file;
}

// --- The call-log benchmark ------------------------------------------------------------------

type Captured = { sql: string; params: unknown[] };
type CaseKind = "baseline" | "page" | "aggregate" | "info";
type Case = { name: string; kind: CaseKind; run: (deps: Deps) => Promise<unknown> };
type Deps = { db: Db; clock: { now(): Date } };
type Result = {
  name: string;
  kind: CaseKind;
  timing: Timing;
  /** CPU the Postgres backend spent per run (from /proc), which a busy machine does not inflate. */
  backendCpuMs: number | null;
  goalMs: number | null;
  indexes: string[];
  plan: string[];
};

/** The indexes of call_sessions before migration 0002 (the "before" of the comparison). */
const INDEXES_BEFORE_0002 = [
  "drop index call_sessions_account_started_idx",
  "drop index call_sessions_button_started_idx",
  "create index call_sessions_account_started_idx on call_sessions using btree (account_id, started_at desc nulls last)",
  "create index call_sessions_button_started_idx on call_sessions using btree (button_id, started_at desc nulls last)",
];

/** The indexes migration 0011 added for the call log's work-item filters. */
const WORK_ITEM_INDEXES = [
  "call_sessions_account_noted_idx",
  "call_sessions_account_answerer_idx",
  "call_sessions_tags_idx",
];

const isSetting = (q: Captured) => /^set /i.test(q.sql);

/** Reads the CPU time of the Postgres backend serving `connection` (Postgres on this machine). */
async function backendCpuReader(connection: postgres.Sql | postgres.ReservedSql) {
  const [backend] = await connection`select pg_backend_pid() as pid`;
  return (): number | null => {
    try {
      const fields = readFileSync(`/proc/${backend!.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      return null;
    }
  };
}

/** EXPLAIN (ANALYZE, BUFFERS) of a case's statements, its settings (SET LOCAL) applied first. */
async function explain(connection: postgres.TransactionSql | postgres.ReservedSql, queries: Captured[]) {
  const plan: string[] = [];
  for (const q of queries) {
    if (isSetting(q)) {
      await connection.unsafe(q.sql, q.params as never[]);
      continue;
    }
    const rows = await connection.unsafe(
      `explain (analyze, buffers, costs off) ${q.sql}`,
      q.params as never[],
    );
    plan.push(...rows.map((r) => String(r["QUERY PLAN"])));
  }
  return plan;
}

function result(c: Case, timing: Timing, backendCpuMs: number | null, plan: string[]): Result {
  const indexes = [
    ...new Set([...plan.join("\n").matchAll(/ (?:using|Index Scan on) (\w+)/g)].map((m) => m[1]!)),
  ];
  const goalMs = c.kind === "page" ? 20 : c.kind === "aggregate" ? 100 : null;
  return { name: c.name, kind: c.kind, timing, backendCpuMs, goalMs, indexes, plan };
}

/**
 * Times each case through the services, as the procedures run it, on one connection, and
 * captures the statements it sends (for EXPLAIN, and to replay them against other indexes).
 */
async function measureCases(
  client: postgres.Sql,
  anchor: Date,
  cases: Case[],
  iterations: number,
  warmup: number,
): Promise<{ results: Result[]; statements: Map<string, Captured[]> }> {
  let capture: Captured[] | null = null;
  const db = drizzle(client, {
    casing: "snake_case",
    logger: { logQuery: (query, params) => capture?.push({ sql: query, params }) },
  }) as unknown as Db;
  const deps: Deps = { db, clock: { now: () => anchor } };
  const cpu = await backendCpuReader(client);
  const results: Result[] = [];
  const statements = new Map<string, Captured[]>();
  for (const c of cases) {
    const cpuBefore = cpu();
    const timing = await timeIt(() => c.run(deps), iterations, warmup);
    const cpuAfter = cpu();
    capture = [];
    await c.run(deps);
    const queries: Captured[] = capture;
    capture = null;
    statements.set(c.name, queries);
    const plan = c.kind === "baseline" ? [] : await client.begin((tx) => explain(tx, queries));
    const cpuMs =
      cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / (iterations + warmup);
    results.push(result(c, timing, cpuMs, plan));
  }
  return { results, statements };
}

/**
 * Replays each case's statements on a connection inside an open transaction (used with the
 * indexes as they were before migration 0002, then rolled back).
 */
async function replayCases(
  connection: postgres.ReservedSql,
  cases: Case[],
  statements: Map<string, Captured[]>,
  iterations: number,
  warmup: number,
): Promise<Result[]> {
  const cpu = await backendCpuReader(connection);
  const results: Result[] = [];
  for (const c of cases) {
    const queries = statements.get(c.name) ?? [];
    // Each case gets the settings its service asks for, and only those.
    await connection`set local max_parallel_workers_per_gather to default`;
    await connection`set local jit to default`;
    const run = async () => {
      for (const q of queries) await connection.unsafe(q.sql, q.params as never[]);
    };
    const cpuBefore = cpu();
    const timing = await timeIt(run, iterations, warmup);
    const cpuAfter = cpu();
    const plan = c.kind === "baseline" ? [] : await explain(connection, queries);
    const cpuMs =
      cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / (iterations + warmup);
    results.push(result(c, timing, cpuMs, plan));
  }
  return results;
}

function printTable(title: string, results: Result[], before?: Result[]) {
  const baseline = results[0]!.timing.p50;
  console.log(`\n${title}`);
  const header = [
    "query",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "p50 / select 1",
    "pg cpu ms",
    "goal p95",
    "",
    ...(before ? ["before: p50", "p95", "pg cpu"] : []),
  ];
  const lines = results.map((r) => {
    const b = before?.find((x) => x.name === r.name);
    return [
      r.name,
      r.timing.p50.toFixed(2),
      r.timing.p95.toFixed(2),
      r.timing.p99.toFixed(2),
      `${(r.timing.p50 / baseline).toFixed(1)}x`,
      r.backendCpuMs === null ? "-" : r.backendCpuMs.toFixed(1),
      r.goalMs ? `≤ ${r.goalMs}` : "-",
      r.goalMs ? (r.timing.p95 <= r.goalMs ? "ok" : "MISSED") : "",
      ...(before
        ? [
            b ? b.timing.p50.toFixed(1) : "-",
            b ? b.timing.p95.toFixed(1) : "-",
            b?.backendCpuMs == null ? "-" : b.backendCpuMs.toFixed(1),
          ]
        : []),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(fmt(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const l of lines) console.log(fmt(l));
}

function printPlans(title: string, results: Result[]) {
  console.log(`\n${title}`);
  for (const r of results.slice(1)) {
    console.log(`\n== ${r.name}  [indexes used: ${r.indexes.join(", ") || "NONE"}]`);
    for (const line of r.plan) console.log(`   ${line}`);
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      reseed: { type: "boolean", default: false },
      iterations: { type: "string", default: "200" },
      warmup: { type: "string", default: "20" },
      "skip-before": { type: "boolean", default: false },
      "before-iterations": { type: "string", default: "20" },
    },
  });
  const iterations = Number(values.iterations);
  const warmup = Number(values.warmup);
  console.log(
    `Call log on ${MAIN_ROWS.toLocaleString("en-US")} call sessions of one account (real Postgres)`,
  );
  const seeded = await seedCallLog({ reseed: values.reseed });

  const client = postgres(seeded.url, { max: 1, onnotice: () => {} });
  const plainDb = drizzle(client, { casing: "snake_case" }) as unknown as Db;
  const plain: Deps = { db: plainDb, clock: { now: () => seeded.anchor } };
  const [server] = await client`select version() as v`;
  console.log(
    `  ${String(server!.v).split(" on ")[0]}, ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}; ${iterations} runs each after ${warmup} warmup runs`,
  );

  const account = seeded.account;
  const day = (offset: number) => new Date(+seeded.anchor + offset * 86_400_000).toISOString().slice(0, 10);
  const last90 = { from: day(-89), to: day(0) };
  const button = seeded.buttonIds[2]!;
  const all = await resolveCallLogFilter(plain, account, {});
  const deepRows = Math.floor(MAIN_ROWS / 2);
  const [deepRow] = await client`
    select id, (extract(epoch from started_at) * 1000000)::bigint::text as micros from call_sessions
    where account_id = ${account.id} order by started_at desc, id desc offset ${deepRows - 1} limit 1`;
  const deepCursor = encodeCursor({ micros: deepRow!.micros as string, id: deepRow!.id as string });
  const filtered = await resolveCallLogFilter(plain, account, {
    buttonId: button,
    statuses: ["failed", "busy"],
    ...last90,
  });
  const filteredCommon = await resolveCallLogFilter(plain, account, {
    buttonId: button,
    statuses: ["completed"],
    from: day(-29),
    to: day(0),
  });
  const range90 = await resolveCallLogFilter(plain, account, last90);
  const tagCommon = await resolveCallLogFilter(plain, account, { tag: "quote" });
  const tagRare = await resolveCallLogFilter(plain, account, { tag: "vip" });
  const tagMissing = await resolveCallLogFilter(plain, account, { tag: "no-such-tag" });
  const noted = await resolveCallLogFilter(plain, account, { hasNotes: true });
  const [answerer] = await client`
    select u.id from users u join memberships m on m.user_id = u.id
    where m.account_id = ${account.id} and u.email like 'bench-agent-%' order by u.email limit 1`;
  const answeredBy = await resolveCallLogFilter(plain, account, { answeredBy: answerer!.id as string });
  const answeredByNoted = await resolveCallLogFilter(plain, account, {
    answeredBy: answerer!.id as string,
    hasNotes: true,
    ...last90,
  });
  const range90Button = await resolveCallLogFilter(plain, account, { buttonId: button, ...last90 });
  const sourceCommon = await resolveCallLogFilter(plain, account, { source: "Google Ads" });
  const sourceRare = await resolveCallLogFilter(plain, account, { source: "Newsletter" });
  const sourceRare90 = await resolveCallLogFilter(plain, account, { source: "Newsletter", ...last90 });
  const campaign = await resolveCallLogFilter(plain, account, { campaign: "google-campaign-3" });
  const campaignMissing = await resolveCallLogFilter(plain, account, { campaign: "no-such-campaign" });
  const source90 = await resolveCallLogFilter(plain, account, { source: "Google Ads", ...last90 });

  // The visitor-context filters (source and campaign: migration 0019's indexes) and their options.
  const contextCases: Case[] = [
    {
      name: "list: source on 15% of calls",
      kind: "page",
      run: (d) => listCallLog(d, sourceCommon, { limit: 50 }),
    },
    {
      name: "list: source on 0.5% of calls",
      kind: "page",
      run: (d) => listCallLog(d, sourceRare, { limit: 50 }),
    },
    {
      name: "list: rare source + 90 days",
      kind: "page",
      run: (d) => listCallLog(d, sourceRare90, { limit: 50 }),
    },
    { name: "list: a campaign (2%)", kind: "page", run: (d) => listCallLog(d, campaign, { limit: 50 }) },
    {
      name: "list: a campaign no call has",
      kind: "page",
      run: (d) => listCallLog(d, campaignMissing, { limit: 50 }),
    },
    { name: "totals: source + 90 days", kind: "aggregate", run: (d) => callLogTotals(d, source90) },
    { name: "context options: 90 days", kind: "page", run: (d) => callLogContextOptions(d, range90) },
    { name: "context options: all time", kind: "page", run: (d) => callLogContextOptions(d, all) },
  ];

  // The work-item filters (tag, notes, who answered), measured again without their indexes below.
  const workCases: Case[] = [
    { name: "list: tag on 1% of calls", kind: "page", run: (d) => listCallLog(d, tagCommon, { limit: 50 }) },
    { name: "list: tag on 0.1% of calls", kind: "page", run: (d) => listCallLog(d, tagRare, { limit: 50 }) },
    { name: "list: a tag no call has", kind: "page", run: (d) => listCallLog(d, tagMissing, { limit: 50 }) },
    { name: "list: has notes (2%)", kind: "page", run: (d) => listCallLog(d, noted, { limit: 50 }) },
    {
      name: "list: answered by a member",
      kind: "page",
      run: (d) => listCallLog(d, answeredBy, { limit: 50 }),
    },
    {
      name: "list: answered by + notes + 90 days",
      kind: "page",
      run: (d) => listCallLog(d, answeredByNoted, { limit: 50 }),
    },
    { name: "totals: tag on 1%, all time", kind: "aggregate", run: (d) => callLogTotals(d, tagCommon) },
  ];

  const cases: Case[] = [
    { name: "select 1 (round trip baseline)", kind: "baseline", run: (d) => d.db.execute(sql`select 1`) },
    { name: "list: first page (50)", kind: "page", run: (d) => listCallLog(d, all, { limit: 50 }) },
    {
      name: "list: button + failed,busy + 90 days",
      kind: "page",
      run: (d) => listCallLog(d, filtered, { limit: 50 }),
    },
    {
      name: "list: button + completed + 30 days",
      kind: "page",
      run: (d) => listCallLog(d, filteredCommon, { limit: 50 }),
    },
    {
      name: `list: deep cursor (after row ${deepRows.toLocaleString("en-US")})`,
      kind: "page",
      run: (d) => listCallLog(d, all, { limit: 50, cursor: deepCursor }),
    },
    { name: "list: first page (200)", kind: "page", run: (d) => listCallLog(d, all, { limit: 200 }) },
    { name: "live: calls in progress", kind: "page", run: (d) => liveCalls(d, account) },
    ...workCases,
    ...contextCases,
    { name: "totals: 90 days", kind: "aggregate", run: (d) => callLogTotals(d, range90) },
    { name: "charts: 90 days", kind: "aggregate", run: (d) => callLogCharts(d, range90) },
    { name: "totals: button + 90 days", kind: "aggregate", run: (d) => callLogTotals(d, range90Button) },
    { name: "charts: button + 90 days", kind: "aggregate", run: (d) => callLogCharts(d, range90Button) },
    { name: "totals: all time (1M rows, no goal)", kind: "info", run: (d) => callLogTotals(d, all) },
    // The query shapes these replaced, for comparison in the same run (no goal).
    {
      name: "previous totals: 90 days, parallel workers allowed",
      kind: "info",
      run: (d) =>
        d.db.execute(sql`select count(*)::int, count(*) filter (where answered_at is not null or status in ('in-progress', 'completed'))::int,
          coalesce(sum(duration_seconds), 0)::float8, coalesce(sum((duration_seconds + 59) / 60), 0)::float8
          from call_sessions where account_id = ${account.id} and started_at >= ${range90.from!.toISOString()} and started_at < ${range90.to!.toISOString()}`),
    },
    {
      name: "previous charts: 90 days, per quarter hour, then local days",
      kind: "info",
      run: (d) =>
        d.db.transaction(async (tx) => {
          await tx.execute(sql`set local max_parallel_workers_per_gather = 0`);
          return tx.execute(sql`with per_quarter as (
              select date_bin('15 minutes', started_at, '2000-01-01T00:00:00Z') as quarter, count(*) as calls,
                sum((duration_seconds + 59) / 60) as minutes,
                count(*) filter (where answered_at is not null or status in ('in-progress', 'completed')) as answered
              from call_sessions where account_id = ${account.id} and started_at >= ${range90.from!.toISOString()} and started_at < ${range90.to!.toISOString()}
              group by 1),
            per_day as (
              select (quarter at time zone ${account.timezone})::date as day, sum(calls)::int as calls,
                sum(minutes)::int as minutes, sum(answered)::int as answered
              from per_quarter group by 1)
            select to_char(d.day, 'YYYY-MM-DD') as day, extract(epoch from (d.day at time zone ${account.timezone}))::float8 as start,
              coalesce(p.calls, 0) as calls, coalesce(p.minutes, 0) as minutes, coalesce(p.answered, 0) as answered
            from generate_series(${last90.from}::timestamp, ${last90.to}::timestamp, interval '1 day') as d(day)
            left join per_day p on p.day = d.day::date
            order by d.day`);
        }),
    },
    {
      name: "previous charts: 90 days, each call to local time (grouping only)",
      kind: "info",
      run: (d) =>
        d.db.execute(sql`select (started_at at time zone ${account.timezone})::date as day, count(*)::int,
          sum((duration_seconds + 59) / 60)::int, (count(*) filter (where answered_at is not null or status in ('in-progress', 'completed')))::int
          from call_sessions where account_id = ${account.id} and started_at >= ${range90.from!.toISOString()} and started_at < ${range90.to!.toISOString()}
          group by 1`),
    },
  ];

  const count = async (f: typeof all) => (await callLogTotals(plain, f)).calls.toLocaleString("en-US");
  console.log(
    `  rows read: all ${await count(all)}, 90 days ${await count(range90)}, button + 90 days ${await count(range90Button)}, button + failed,busy + 90 days ${await count(filtered)}`,
  );

  const { results: after, statements } = await measureCases(client, seeded.anchor, cases, iterations, warmup);
  printTable("With the committed migrations (indexes of 0002):", after);

  // The same cases with the indexes as they were before migration 0002, in a transaction that is
  // rolled back (the table is locked meanwhile; nothing else uses the bench database).
  let before: Result[] | undefined;
  if (!values["skip-before"]) {
    console.log("\n  measuring the indexes before migration 0002 (in a rolled-back transaction) ...");
    const reserved = await client.reserve();
    try {
      await reserved`begin`;
      for (const statement of INDEXES_BEFORE_0002) await reserved.unsafe(statement);
      const n = Number(values["before-iterations"]);
      before = await replayCases(reserved, cases, statements, n, Math.min(3, n));
    } finally {
      await reserved`rollback`;
      reserved.release();
    }
  }
  // The work-item filters without the indexes migration 0011 added for them (rolled back too).
  let withoutWorkIndexes: Result[] | undefined;
  if (!values["skip-before"]) {
    console.log("\n  measuring the work-item filters without their indexes (rolled-back transaction) ...");
    const reserved = await client.reserve();
    try {
      await reserved`begin`;
      for (const index of WORK_ITEM_INDEXES) await reserved.unsafe(`drop index ${index}`);
      const n = Number(values["before-iterations"]);
      withoutWorkIndexes = await replayCases(
        reserved,
        [cases[0]!, ...workCases],
        statements,
        n,
        Math.min(3, n),
      );
    } finally {
      await reserved`rollback`;
      reserved.release();
    }
  }
  await client.end();

  if (withoutWorkIndexes) {
    printTable(
      "The work-item filters, next to the same queries without their indexes (same run):",
      [after[0]!, ...after.filter((r) => workCases.some((c) => c.name === r.name))],
      withoutWorkIndexes,
    );
    printPlans(
      "EXPLAIN (ANALYZE, BUFFERS) of the work-item filters without their indexes:",
      withoutWorkIndexes,
    );
  }
  if (before)
    printTable("With the committed migrations, next to the indexes before 0002 (same run):", after, before);
  printPlans("EXPLAIN (ANALYZE, BUFFERS) with the committed migrations:", after);
  if (before) printPlans("EXPLAIN (ANALYZE, BUFFERS) before 0002:", before);
  const missed = after.filter((r) => r.goalMs && r.timing.p95 > r.goalMs);
  console.log(missed.length ? `\nMissed goals: ${missed.map((r) => r.name).join("; ")}` : "\nAll goals met.");
  console.log(
    `Written: ${writeResult("call-log", { seeded: { ...seeded, url: undefined }, iterations, warmup, load: loadavg(), after, before, withoutWorkIndexes })}`,
  );
  return missed.length ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
