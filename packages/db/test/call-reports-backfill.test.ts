/**
 * Migration 0020 fills the calls-by-page-and-source rollup from the calls already stored, and from
 * then on its triggers keep it: the rollup equals a GROUP BY of the calls after the migration,
 * and after a call added and one answered later.
 */
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { migrationsFolder } from "../src/client";
import { availableBackends } from "../src/testing";
import { freshDatabase, migrationsBefore } from "./migration-steps";

it.each(availableBackends)(
  "0020 fills the rollup from the stored calls (%s)",
  async (backend) => {
    const db = await freshDatabase(backend);
    try {
      await db.migrate(migrationsBefore("0020_"));
      const [acct] = await db.rows<{ id: string }>(
        sql`insert into accounts (company_name, website_url, phone) values ('Acme', 'https://acme.test', '+12025550123') returning id`,
      );
      const accountId = acct!.id;
      const call = (startedAt: string, status: string, source: string | null, pageUrl: string | null) =>
        db.rows(sql`insert into call_sessions (account_id, transport, status, started_at, answered_at, source, page_url)
        values (${accountId}, 'webrtc', ${status}, ${startedAt}::timestamptz,
          case when ${status} = 'completed' then ${startedAt}::timestamptz end, ${source}, ${pageUrl})`);
      await call("2026-11-01T23:59:59Z", "completed", "Google Ads", "https://acme.test/pricing?a=1");
      await call("2026-11-02T00:00:00Z", "completed", "Google Ads", "https://ACME.test/pricing#x");
      await call("2026-11-02T10:00:00Z", "no-answer", "Google Ads", "https://acme.test/pricing");
      await call("2026-11-02T11:00:00Z", "ringing", null, null);

      await db.migrate(migrationsFolder);
      const rollup = async () => ({
        pages: await db.rows(sql`
          select to_char(day, 'YYYY-MM-DD') as day, page, calls, answered from call_daily_pages
          where account_id = ${accountId} order by day, page`),
        sources: await db.rows(sql`
          select to_char(day, 'YYYY-MM-DD') as day, source, calls, answered from call_daily_sources
          where account_id = ${accountId} order by day, source`),
      });
      expect(await rollup()).toEqual({
        pages: [
          { day: "2026-11-01", page: "acme.test/pricing", calls: 1, answered: 1 },
          { day: "2026-11-02", page: "", calls: 1, answered: 0 },
          { day: "2026-11-02", page: "acme.test/pricing", calls: 2, answered: 1 },
        ],
        sources: [
          { day: "2026-11-01", source: "Google Ads", calls: 1, answered: 1 },
          { day: "2026-11-02", source: "", calls: 1, answered: 0 },
          { day: "2026-11-02", source: "Google Ads", calls: 2, answered: 1 },
        ],
      });

      // Kept from now on: a new call counts, and the ringing one is answered.
      await call("2026-11-02T12:00:00Z", "no-answer", "Direct", "https://acme.test/");
      await db.rows(
        sql`update call_sessions set status = 'in-progress', answered_at = now() where account_id = ${accountId} and status = 'ringing'`,
      );
      expect(await rollup()).toEqual({
        pages: [
          { day: "2026-11-01", page: "acme.test/pricing", calls: 1, answered: 1 },
          { day: "2026-11-02", page: "", calls: 1, answered: 1 },
          { day: "2026-11-02", page: "acme.test/", calls: 1, answered: 0 },
          { day: "2026-11-02", page: "acme.test/pricing", calls: 2, answered: 1 },
        ],
        sources: [
          { day: "2026-11-01", source: "Google Ads", calls: 1, answered: 1 },
          { day: "2026-11-02", source: "", calls: 1, answered: 1 },
          { day: "2026-11-02", source: "Direct", calls: 1, answered: 0 },
          { day: "2026-11-02", source: "Google Ads", calls: 2, answered: 1 },
        ],
      });
    } finally {
      await db.close();
    }
  },
  180_000,
);
