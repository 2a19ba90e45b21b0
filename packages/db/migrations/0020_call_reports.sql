CREATE TABLE "call_daily_button_pages" (
	"account_id" uuid NOT NULL,
	"day" date NOT NULL,
	"calls" integer DEFAULT 0 NOT NULL,
	"answered" integer DEFAULT 0 NOT NULL,
	"button_id" uuid NOT NULL,
	"page" text NOT NULL,
	CONSTRAINT "call_daily_button_pages_account_id_button_id_day_page_pk" PRIMARY KEY("account_id","button_id","day","page")
);
--> statement-breakpoint
CREATE TABLE "call_daily_button_sources" (
	"account_id" uuid NOT NULL,
	"day" date NOT NULL,
	"calls" integer DEFAULT 0 NOT NULL,
	"answered" integer DEFAULT 0 NOT NULL,
	"button_id" uuid NOT NULL,
	"source" text NOT NULL,
	CONSTRAINT "call_daily_button_sources_account_id_button_id_day_source_pk" PRIMARY KEY("account_id","button_id","day","source")
);
--> statement-breakpoint
CREATE TABLE "call_daily_pages" (
	"account_id" uuid NOT NULL,
	"day" date NOT NULL,
	"calls" integer DEFAULT 0 NOT NULL,
	"answered" integer DEFAULT 0 NOT NULL,
	"page" text NOT NULL,
	CONSTRAINT "call_daily_pages_account_id_day_page_pk" PRIMARY KEY("account_id","day","page")
);
--> statement-breakpoint
CREATE TABLE "call_daily_sources" (
	"account_id" uuid NOT NULL,
	"day" date NOT NULL,
	"calls" integer DEFAULT 0 NOT NULL,
	"answered" integer DEFAULT 0 NOT NULL,
	"source" text NOT NULL,
	CONSTRAINT "call_daily_sources_account_id_day_source_pk" PRIMARY KEY("account_id","day","source")
);
--> statement-breakpoint
ALTER TABLE "call_daily_button_pages" ADD CONSTRAINT "call_daily_button_pages_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "call_daily_button_sources" ADD CONSTRAINT "call_daily_button_sources_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "call_daily_pages" ADD CONSTRAINT "call_daily_pages_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "call_daily_sources" ADD CONSTRAINT "call_daily_sources_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- The page a call came from, as the report groups it: host (lower case) and path, without the
-- scheme, query or fragment, capped so the rollups' keys stay far below a btree entry's limit.
-- '' when the call has no page. Mirrors callPage in packages/core/src/services/call-log/reports.ts.
-- One expression of plain string functions (no regular expression, no FROM), so the planner
-- inlines it: the report applies it to the calls at a range's edges.
CREATE FUNCTION call_page(url text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT left(lower(split_part(CASE WHEN strpos(split_part(split_part(coalesce(url, ''), '#', 1), '?', 1), '://') > 0 THEN substr(split_part(split_part(coalesce(url, ''), '#', 1), '?', 1), strpos(split_part(split_part(coalesce(url, ''), '#', 1), '?', 1), '://') + 3) ELSE split_part(split_part(coalesce(url, ''), '#', 1), '?', 1) END, '/', 1)) || substr(CASE WHEN strpos(split_part(split_part(coalesce(url, ''), '#', 1), '?', 1), '://') > 0 THEN substr(split_part(split_part(coalesce(url, ''), '#', 1), '?', 1), strpos(split_part(split_part(coalesce(url, ''), '#', 1), '?', 1), '://') + 3) ELSE split_part(split_part(coalesce(url, ''), '#', 1), '?', 1) END, length(split_part(CASE WHEN strpos(split_part(split_part(coalesce(url, ''), '#', 1), '?', 1), '://') > 0 THEN substr(split_part(split_part(coalesce(url, ''), '#', 1), '?', 1), strpos(split_part(split_part(coalesce(url, ''), '#', 1), '?', 1), '://') + 3) ELSE split_part(split_part(coalesce(url, ''), '#', 1), '?', 1) END, '/', 1)) + 1), 300)
$$;--> statement-breakpoint
-- Adds the inserted calls to their rows (one grouped upsert per statement and table, in key
-- order, so two bulk writers lock rows in the same order).
CREATE FUNCTION call_daily_rollups_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO call_daily_pages AS r (account_id, day, page, calls, answered)
  SELECT account_id, (started_at AT TIME ZONE 'UTC')::date, call_page(page_url), count(*), count(*) FILTER (WHERE answered_at IS NOT NULL OR status IN ('in-progress', 'completed'))
  FROM added GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (account_id, day, page)
  DO UPDATE SET calls = r.calls + excluded.calls, answered = r.answered + excluded.answered;
  INSERT INTO call_daily_sources AS r (account_id, day, source, calls, answered)
  SELECT account_id, (started_at AT TIME ZONE 'UTC')::date, left(coalesce(source, ''), 100), count(*), count(*) FILTER (WHERE answered_at IS NOT NULL OR status IN ('in-progress', 'completed'))
  FROM added GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (account_id, day, source)
  DO UPDATE SET calls = r.calls + excluded.calls, answered = r.answered + excluded.answered;
  INSERT INTO call_daily_button_pages AS r (account_id, button_id, day, page, calls, answered)
  SELECT account_id, coalesce(button_id, '00000000-0000-0000-0000-000000000000'::uuid), (started_at AT TIME ZONE 'UTC')::date, call_page(page_url), count(*), count(*) FILTER (WHERE answered_at IS NOT NULL OR status IN ('in-progress', 'completed'))
  FROM added GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
  ON CONFLICT (account_id, button_id, day, page)
  DO UPDATE SET calls = r.calls + excluded.calls, answered = r.answered + excluded.answered;
  INSERT INTO call_daily_button_sources AS r (account_id, button_id, day, source, calls, answered)
  SELECT account_id, coalesce(button_id, '00000000-0000-0000-0000-000000000000'::uuid), (started_at AT TIME ZONE 'UTC')::date, left(coalesce(source, ''), 100), count(*), count(*) FILTER (WHERE answered_at IS NOT NULL OR status IN ('in-progress', 'completed'))
  FROM added GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
  ON CONFLICT (account_id, button_id, day, source)
  DO UPDATE SET calls = r.calls + excluded.calls, answered = r.answered + excluded.answered;
  RETURN NULL;
END
$$;--> statement-breakpoint
-- Takes deleted calls (retention, an account's deletion) out of their rows; a row left counting
-- no call is removed.
CREATE FUNCTION call_daily_rollups_remove() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE call_daily_pages r SET calls = r.calls - g.calls, answered = r.answered - g.answered
  FROM (
    SELECT account_id, (started_at AT TIME ZONE 'UTC')::date AS day,
      call_page(page_url) AS page, count(*) AS calls, count(*) FILTER (WHERE answered_at IS NOT NULL OR status IN ('in-progress', 'completed')) AS answered
    FROM removed GROUP BY 1, 2, 3
  ) g
  WHERE r.account_id = g.account_id AND r.day = g.day AND r.page = g.page;
  DELETE FROM call_daily_pages r
  USING (SELECT DISTINCT account_id, (started_at AT TIME ZONE 'UTC')::date AS day FROM removed) g
  WHERE r.account_id = g.account_id AND r.day = g.day AND r.calls <= 0;
  UPDATE call_daily_sources r SET calls = r.calls - g.calls, answered = r.answered - g.answered
  FROM (
    SELECT account_id, (started_at AT TIME ZONE 'UTC')::date AS day,
      left(coalesce(source, ''), 100) AS source, count(*) AS calls, count(*) FILTER (WHERE answered_at IS NOT NULL OR status IN ('in-progress', 'completed')) AS answered
    FROM removed GROUP BY 1, 2, 3
  ) g
  WHERE r.account_id = g.account_id AND r.day = g.day AND r.source = g.source;
  DELETE FROM call_daily_sources r
  USING (SELECT DISTINCT account_id, (started_at AT TIME ZONE 'UTC')::date AS day FROM removed) g
  WHERE r.account_id = g.account_id AND r.day = g.day AND r.calls <= 0;
  UPDATE call_daily_button_pages r SET calls = r.calls - g.calls, answered = r.answered - g.answered
  FROM (
    SELECT account_id, coalesce(button_id, '00000000-0000-0000-0000-000000000000'::uuid) AS button_id, (started_at AT TIME ZONE 'UTC')::date AS day,
      call_page(page_url) AS page, count(*) AS calls, count(*) FILTER (WHERE answered_at IS NOT NULL OR status IN ('in-progress', 'completed')) AS answered
    FROM removed GROUP BY 1, 2, 3, 4
  ) g
  WHERE r.account_id = g.account_id AND r.button_id = g.button_id AND r.day = g.day AND r.page = g.page;
  DELETE FROM call_daily_button_pages r
  USING (SELECT DISTINCT account_id, (started_at AT TIME ZONE 'UTC')::date AS day FROM removed) g
  WHERE r.account_id = g.account_id AND r.day = g.day AND r.calls <= 0;
  UPDATE call_daily_button_sources r SET calls = r.calls - g.calls, answered = r.answered - g.answered
  FROM (
    SELECT account_id, coalesce(button_id, '00000000-0000-0000-0000-000000000000'::uuid) AS button_id, (started_at AT TIME ZONE 'UTC')::date AS day,
      left(coalesce(source, ''), 100) AS source, count(*) AS calls, count(*) FILTER (WHERE answered_at IS NOT NULL OR status IN ('in-progress', 'completed')) AS answered
    FROM removed GROUP BY 1, 2, 3, 4
  ) g
  WHERE r.account_id = g.account_id AND r.button_id = g.button_id AND r.day = g.day AND r.source = g.source;
  DELETE FROM call_daily_button_sources r
  USING (SELECT DISTINCT account_id, (started_at AT TIME ZONE 'UTC')::date AS day FROM removed) g
  WHERE r.account_id = g.account_id AND r.day = g.day AND r.calls <= 0;
  RETURN NULL;
END
$$;--> statement-breakpoint
-- Moves one call whose counted fields changed (answered; its button deleted; its source or page
-- set): out of the rows it was counted in, into the ones it counts in now.
CREATE FUNCTION call_daily_rollups_move() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  was_answered int := (OLD.answered_at IS NOT NULL OR OLD.status IN ('in-progress', 'completed'))::int;
  is_answered int := (NEW.answered_at IS NOT NULL OR NEW.status IN ('in-progress', 'completed'))::int;
  old_day date := (OLD.started_at AT TIME ZONE 'UTC')::date;
  new_day date := (NEW.started_at AT TIME ZONE 'UTC')::date;
  old_button uuid := coalesce(OLD.button_id, '00000000-0000-0000-0000-000000000000'::uuid);
  new_button uuid := coalesce(NEW.button_id, '00000000-0000-0000-0000-000000000000'::uuid);
  old_key text;
  new_key text;
BEGIN
  old_key := call_page(OLD.page_url);
  new_key := call_page(NEW.page_url);
  IF (OLD.account_id, old_day, old_key) = (NEW.account_id, new_day, new_key) THEN
    IF was_answered <> is_answered THEN
      UPDATE call_daily_pages SET answered = answered + is_answered - was_answered WHERE account_id = NEW.account_id AND day = new_day AND page = new_key;
    END IF;
  ELSE
    UPDATE call_daily_pages SET calls = calls - 1, answered = answered - was_answered WHERE account_id = OLD.account_id AND day = old_day AND page = old_key;
    DELETE FROM call_daily_pages WHERE account_id = OLD.account_id AND day = old_day AND page = old_key AND calls <= 0;
    INSERT INTO call_daily_pages AS r (account_id, day, page, calls, answered) VALUES (NEW.account_id, new_day, new_key, 1, is_answered)
    ON CONFLICT (account_id, day, page) DO UPDATE SET calls = r.calls + 1, answered = r.answered + excluded.answered;
  END IF;
  old_key := left(coalesce(OLD.source, ''), 100);
  new_key := left(coalesce(NEW.source, ''), 100);
  IF (OLD.account_id, old_day, old_key) = (NEW.account_id, new_day, new_key) THEN
    IF was_answered <> is_answered THEN
      UPDATE call_daily_sources SET answered = answered + is_answered - was_answered WHERE account_id = NEW.account_id AND day = new_day AND source = new_key;
    END IF;
  ELSE
    UPDATE call_daily_sources SET calls = calls - 1, answered = answered - was_answered WHERE account_id = OLD.account_id AND day = old_day AND source = old_key;
    DELETE FROM call_daily_sources WHERE account_id = OLD.account_id AND day = old_day AND source = old_key AND calls <= 0;
    INSERT INTO call_daily_sources AS r (account_id, day, source, calls, answered) VALUES (NEW.account_id, new_day, new_key, 1, is_answered)
    ON CONFLICT (account_id, day, source) DO UPDATE SET calls = r.calls + 1, answered = r.answered + excluded.answered;
  END IF;
  old_key := call_page(OLD.page_url);
  new_key := call_page(NEW.page_url);
  IF (OLD.account_id, old_button, old_day, old_key) = (NEW.account_id, new_button, new_day, new_key) THEN
    IF was_answered <> is_answered THEN
      UPDATE call_daily_button_pages SET answered = answered + is_answered - was_answered WHERE account_id = NEW.account_id AND button_id = new_button AND day = new_day AND page = new_key;
    END IF;
  ELSE
    UPDATE call_daily_button_pages SET calls = calls - 1, answered = answered - was_answered WHERE account_id = OLD.account_id AND button_id = old_button AND day = old_day AND page = old_key;
    DELETE FROM call_daily_button_pages WHERE account_id = OLD.account_id AND button_id = old_button AND day = old_day AND page = old_key AND calls <= 0;
    INSERT INTO call_daily_button_pages AS r (account_id, button_id, day, page, calls, answered) VALUES (NEW.account_id, new_button, new_day, new_key, 1, is_answered)
    ON CONFLICT (account_id, button_id, day, page) DO UPDATE SET calls = r.calls + 1, answered = r.answered + excluded.answered;
  END IF;
  old_key := left(coalesce(OLD.source, ''), 100);
  new_key := left(coalesce(NEW.source, ''), 100);
  IF (OLD.account_id, old_button, old_day, old_key) = (NEW.account_id, new_button, new_day, new_key) THEN
    IF was_answered <> is_answered THEN
      UPDATE call_daily_button_sources SET answered = answered + is_answered - was_answered WHERE account_id = NEW.account_id AND button_id = new_button AND day = new_day AND source = new_key;
    END IF;
  ELSE
    UPDATE call_daily_button_sources SET calls = calls - 1, answered = answered - was_answered WHERE account_id = OLD.account_id AND button_id = old_button AND day = old_day AND source = old_key;
    DELETE FROM call_daily_button_sources WHERE account_id = OLD.account_id AND button_id = old_button AND day = old_day AND source = old_key AND calls <= 0;
    INSERT INTO call_daily_button_sources AS r (account_id, button_id, day, source, calls, answered) VALUES (NEW.account_id, new_button, new_day, new_key, 1, is_answered)
    ON CONFLICT (account_id, button_id, day, source) DO UPDATE SET calls = r.calls + 1, answered = r.answered + excluded.answered;
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE FUNCTION call_daily_rollups_clear() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE call_daily_pages, call_daily_sources, call_daily_button_pages, call_daily_button_sources;
  RETURN NULL;
END
$$;--> statement-breakpoint
-- The triggers first: creating them locks call_sessions against writes until this migration
-- commits, so no call falls between the backfill below and the triggers.
CREATE TRIGGER call_daily_rollups_add AFTER INSERT ON call_sessions
REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION call_daily_rollups_add();--> statement-breakpoint
CREATE TRIGGER call_daily_rollups_remove AFTER DELETE ON call_sessions
REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION call_daily_rollups_remove();--> statement-breakpoint
-- Row by row, and only when a counted field changed: heartbeats, notes, tags and the sweeper's
-- other updates never run it (the WHEN is checked without calling the function).
CREATE TRIGGER call_daily_rollups_move AFTER UPDATE OF account_id, started_at, button_id, source, page_url, status, answered_at
ON call_sessions FOR EACH ROW
WHEN (
  OLD.account_id IS DISTINCT FROM NEW.account_id OR OLD.started_at IS DISTINCT FROM NEW.started_at
  OR OLD.button_id IS DISTINCT FROM NEW.button_id OR OLD.source IS DISTINCT FROM NEW.source
  OR OLD.page_url IS DISTINCT FROM NEW.page_url
  OR (OLD.answered_at IS NOT NULL OR OLD.status IN ('in-progress', 'completed')) IS DISTINCT FROM (NEW.answered_at IS NOT NULL OR NEW.status IN ('in-progress', 'completed'))
)
EXECUTE FUNCTION call_daily_rollups_move();--> statement-breakpoint
CREATE TRIGGER call_daily_rollups_clear AFTER TRUNCATE ON call_sessions
FOR EACH STATEMENT EXECUTE FUNCTION call_daily_rollups_clear();--> statement-breakpoint
-- The calls stored so far.
INSERT INTO call_daily_pages (account_id, day, page, calls, answered)
SELECT account_id, (started_at AT TIME ZONE 'UTC')::date, call_page(page_url), count(*), count(*) FILTER (WHERE answered_at IS NOT NULL OR status IN ('in-progress', 'completed'))
FROM call_sessions GROUP BY 1, 2, 3;--> statement-breakpoint
INSERT INTO call_daily_sources (account_id, day, source, calls, answered)
SELECT account_id, (started_at AT TIME ZONE 'UTC')::date, left(coalesce(source, ''), 100), count(*), count(*) FILTER (WHERE answered_at IS NOT NULL OR status IN ('in-progress', 'completed'))
FROM call_sessions GROUP BY 1, 2, 3;--> statement-breakpoint
INSERT INTO call_daily_button_pages (account_id, button_id, day, page, calls, answered)
SELECT account_id, coalesce(button_id, '00000000-0000-0000-0000-000000000000'::uuid), (started_at AT TIME ZONE 'UTC')::date, call_page(page_url), count(*), count(*) FILTER (WHERE answered_at IS NOT NULL OR status IN ('in-progress', 'completed'))
FROM call_sessions GROUP BY 1, 2, 3, 4;--> statement-breakpoint
INSERT INTO call_daily_button_sources (account_id, button_id, day, source, calls, answered)
SELECT account_id, coalesce(button_id, '00000000-0000-0000-0000-000000000000'::uuid), (started_at AT TIME ZONE 'UTC')::date, left(coalesce(source, ''), 100), count(*), count(*) FILTER (WHERE answered_at IS NOT NULL OR status IN ('in-progress', 'completed'))
FROM call_sessions GROUP BY 1, 2, 3, 4;
