DROP INDEX "call_sessions_account_started_idx";--> statement-breakpoint
DROP INDEX "call_sessions_button_started_idx";--> statement-breakpoint
CREATE INDEX "call_sessions_account_started_idx" ON "call_sessions" USING btree ("account_id","started_at" DESC NULLS FIRST,"id" DESC NULLS FIRST,"button_id","status","duration_seconds","answered_at");--> statement-breakpoint
CREATE INDEX "call_sessions_button_started_idx" ON "call_sessions" USING btree ("button_id","started_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);