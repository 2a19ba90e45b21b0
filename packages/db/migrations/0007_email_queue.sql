CREATE TABLE "email_queue" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"run_after" timestamp with time zone NOT NULL,
	"claim_token" uuid,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "email_queue_due_idx" ON "email_queue" USING btree ("run_after") WHERE "email_queue"."status" in ('queued', 'sending');--> statement-breakpoint
CREATE INDEX "email_queue_finished_idx" ON "email_queue" USING btree ("finished_at") WHERE "email_queue"."status" in ('sent', 'failed');