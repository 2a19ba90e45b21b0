/**
 * Migration 0009 starts the usage totals of a running deployment from its call log: each account's
 * usage so far in its current period (the subscription's, else the calendar month), as the scan
 * of the call log counted it before, and the calls still open counted in that period.
 */
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { migrationsFolder } from "../src/client";
import { availableBackends } from "../src/testing";
import { freshDatabase, migrationsBefore } from "./migration-steps";

it.each(availableBackends)(
  "0009 starts each account's total from the calls of its current period (%s)",
  async (backend) => {
    const db = await freshDatabase(backend);
    await db.migrate(migrationsBefore("0009_"));
    const account = async (name: string) => {
      const [row] = await db.rows<{ id: string }>(
        sql`insert into accounts (company_name, website_url, phone) values (${name}, 'https://a.test', '+12025550123') returning id`,
      );
      return row!.id;
    };
    const monthly = await account("Monthly");
    const subscribed = await account("Subscribed");
    const quiet = await account("Quiet");
    // The subscription's period began 3 days ago and runs 27 more.
    await db.rows(sql`insert into subscriptions (account_id, plan, status, current_period_start, current_period_end)
    values (${subscribed}, 'starter', 'active', now() - interval '3 days', now() + interval '27 days')`);
    const call = (accountId: string, startedAt: ReturnType<typeof sql>, status: string, seconds: number) =>
      db.rows(sql`insert into call_sessions (account_id, transport, status, started_at, duration_seconds)
      values (${accountId}, 'webrtc', ${status}, ${startedAt}, ${seconds})`);
    // This month: 61 s (2 minutes) and 120 s (2 minutes), and one still ringing. Last month: not counted.
    await call(monthly, sql`now()`, "completed", 61);
    await call(monthly, sql`now()`, "completed", 120);
    await call(monthly, sql`now()`, "ringing", 0);
    await call(monthly, sql`date_trunc('month', now()) - interval '1 day'`, "completed", 600);
    // Within the subscription's period: 5 minutes; before it: not counted.
    await call(subscribed, sql`now() - interval '1 day'`, "completed", 300);
    await call(subscribed, sql`now() - interval '4 days'`, "completed", 900);
    await call(quiet, sql`date_trunc('month', now()) - interval '1 day'`, "completed", 60);

    await db.migrate(migrationsFolder);
    const totals = await db.rows<{
      account_id: string;
      in_month: boolean;
      period_start_ok: boolean;
      calls: number;
      used_minutes: number;
      reserved_minutes: number;
    }>(sql`select account_id, calls, used_minutes, reserved_minutes,
      period_start = date_trunc('month', now() at time zone 'UTC') at time zone 'UTC' as in_month,
      period_start = (select current_period_start from subscriptions s where s.account_id = t.account_id) as period_start_ok
    from usage_totals t order by calls desc`);
    expect(totals).toEqual([
      {
        account_id: monthly,
        calls: 3,
        used_minutes: 4,
        reserved_minutes: 0,
        in_month: true,
        period_start_ok: null,
      },
      {
        account_id: subscribed,
        calls: 1,
        used_minutes: 5,
        reserved_minutes: 0,
        in_month: false,
        period_start_ok: true,
      },
    ]);
    // The open call ends into its period's total; the ended ones keep no period of their own.
    const attributed = await db.rows<{ status: string; attributed: boolean }>(
      sql`select status, usage_period_start is not null as attributed from call_sessions where account_id = ${monthly} order by status, started_at`,
    );
    expect(attributed).toEqual([
      { status: "completed", attributed: false },
      { status: "completed", attributed: false },
      { status: "completed", attributed: false },
      { status: "ringing", attributed: true },
    ]);
    await db.close();
  },
);
