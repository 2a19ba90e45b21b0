ALTER TABLE "call_sessions" ADD COLUMN "ring_deadline_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "call_sessions" ADD COLUMN "limit_ends_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "call_sessions_ring_deadline_idx" ON "call_sessions" USING btree ("ring_deadline_at") WHERE "call_sessions"."status" = 'ringing';--> statement-breakpoint
CREATE INDEX "call_sessions_limit_ends_idx" ON "call_sessions" USING btree ("limit_ends_at") WHERE "call_sessions"."status" = 'in-progress';