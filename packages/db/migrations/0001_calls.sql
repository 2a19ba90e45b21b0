ALTER TABLE "users" ADD COLUMN "agent_seen_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "call_sessions" ADD COLUMN "visitor_token_hash" text;--> statement-breakpoint
ALTER TABLE "call_sessions" ADD COLUMN "answered_by" uuid;--> statement-breakpoint
ALTER TABLE "call_sessions" ADD COLUMN "last_activity_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "call_sessions" ADD CONSTRAINT "call_sessions_answered_by_users_id_fk" FOREIGN KEY ("answered_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "call_sessions_open_idx" ON "call_sessions" USING btree ("status","started_at") WHERE "call_sessions"."status" in ('initiated', 'ringing', 'in-progress');