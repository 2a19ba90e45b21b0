CREATE TABLE "callback_email_windows" (
	"button_id" uuid PRIMARY KEY NOT NULL,
	"emailed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
DROP INDEX "callback_requests_account_idx";--> statement-breakpoint
ALTER TABLE "security_events" ADD COLUMN "count" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "security_events" ADD COLUMN "minute" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "callback_requests" ADD COLUMN "emailed_at" timestamp with time zone;--> statement-breakpoint
-- Requests stored before this migration were emailed when they came in.
UPDATE "callback_requests" SET "emailed_at" = "created_at";--> statement-breakpoint
ALTER TABLE "callback_email_windows" ADD CONSTRAINT "callback_email_windows_button_id_buttons_id_fk" FOREIGN KEY ("button_id") REFERENCES "public"."buttons"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "security_events_refusal_key" ON "security_events" USING btree ("ip","kind","minute");--> statement-breakpoint
CREATE INDEX "callback_requests_unemailed_idx" ON "callback_requests" USING btree ("button_id","created_at") WHERE "callback_requests"."emailed_at" is null;--> statement-breakpoint
CREATE INDEX "callback_requests_account_idx" ON "callback_requests" USING btree ("account_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);