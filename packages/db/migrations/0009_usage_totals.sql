CREATE TABLE "usage_totals" (
	"account_id" uuid NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"calls" integer DEFAULT 0 NOT NULL,
	"used_minutes" integer DEFAULT 0 NOT NULL,
	"reserved_minutes" integer DEFAULT 0 NOT NULL,
	"reconciled_at" timestamp with time zone,
	CONSTRAINT "usage_totals_account_id_period_start_pk" PRIMARY KEY("account_id","period_start")
);
--> statement-breakpoint
ALTER TABLE "call_sessions" ADD COLUMN "usage_period_start" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "call_sessions" ADD COLUMN "reserved_minutes" integer;--> statement-breakpoint
ALTER TABLE "usage_totals" ADD CONSTRAINT "usage_totals_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Each account's usage so far in its current period, from the call log (what getUsage summed until
-- now): the subscription's current period, else the calendar month (UTC).
INSERT INTO "usage_totals" ("account_id", "period_start", "period_end", "calls", "used_minutes", "reserved_minutes")
SELECT p.account_id, p.period_start, p.period_end, count(c.id)::int,
  coalesce(sum(ceil(c.duration_seconds / 60.0)), 0)::int, 0
FROM (
  SELECT a.id AS account_id,
    CASE WHEN s.current_period_start <= now() AND now() < s.current_period_end THEN s.current_period_start
      ELSE date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' END AS period_start,
    CASE WHEN s.current_period_start <= now() AND now() < s.current_period_end THEN s.current_period_end
      ELSE (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC' END AS period_end
  FROM "accounts" a LEFT JOIN "subscriptions" s ON s.account_id = a.id
) p
JOIN "call_sessions" c ON c.account_id = p.account_id AND c.started_at >= p.period_start
GROUP BY p.account_id, p.period_start, p.period_end;
--> statement-breakpoint
-- Calls still open count in that period too: their end adds their minutes to it (they reserved none).
UPDATE "call_sessions" c SET "usage_period_start" = t.period_start
FROM "usage_totals" t
WHERE c.account_id = t.account_id AND c.started_at >= t.period_start
  AND c.status IN ('initiated', 'ringing', 'in-progress');
