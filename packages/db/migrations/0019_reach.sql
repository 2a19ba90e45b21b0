CREATE TABLE "notification_preferences" (
	"account_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"push_incoming_call" boolean DEFAULT true NOT NULL,
	"push_missed_call" boolean DEFAULT true NOT NULL,
	"push_callback" boolean DEFAULT true NOT NULL,
	"email_missed_call" boolean DEFAULT true NOT NULL,
	"email_callback" boolean DEFAULT true NOT NULL,
	"email_daily_summary" boolean DEFAULT false NOT NULL,
	"summary_sent_on" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_preferences_account_id_user_id_pk" PRIMARY KEY("account_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "push_subscriptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"endpoint" text NOT NULL,
	"p256dh" text NOT NULL,
	"auth" text NOT NULL,
	"label" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_active_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "push_subscriptions_endpoint_unique" UNIQUE("endpoint")
);
--> statement-breakpoint
ALTER TABLE "buttons" ADD COLUMN "language" text DEFAULT 'auto' NOT NULL;--> statement-breakpoint
ALTER TABLE "buttons" ADD COLUMN "texts" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "buttons" ADD COLUMN "collect_context" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "buttons" ADD COLUMN "conversion_events" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "call_sessions" ADD COLUMN "language" text;--> statement-breakpoint
ALTER TABLE "call_sessions" ADD COLUMN "referrer" text;--> statement-breakpoint
ALTER TABLE "call_sessions" ADD COLUMN "utm_source" text;--> statement-breakpoint
ALTER TABLE "call_sessions" ADD COLUMN "utm_medium" text;--> statement-breakpoint
ALTER TABLE "call_sessions" ADD COLUMN "utm_campaign" text;--> statement-breakpoint
ALTER TABLE "call_sessions" ADD COLUMN "utm_term" text;--> statement-breakpoint
ALTER TABLE "call_sessions" ADD COLUMN "utm_content" text;--> statement-breakpoint
ALTER TABLE "call_sessions" ADD COLUMN "gclid" text;--> statement-breakpoint
ALTER TABLE "call_sessions" ADD COLUMN "device" text;--> statement-breakpoint
ALTER TABLE "call_sessions" ADD COLUMN "visitor_local_time" text;--> statement-breakpoint
ALTER TABLE "call_sessions" ADD COLUMN "source" text;--> statement-breakpoint
ALTER TABLE "callback_requests" ADD COLUMN "language" text;--> statement-breakpoint
ALTER TABLE "callback_requests" ADD COLUMN "referrer" text;--> statement-breakpoint
ALTER TABLE "callback_requests" ADD COLUMN "utm_source" text;--> statement-breakpoint
ALTER TABLE "callback_requests" ADD COLUMN "utm_medium" text;--> statement-breakpoint
ALTER TABLE "callback_requests" ADD COLUMN "utm_campaign" text;--> statement-breakpoint
ALTER TABLE "callback_requests" ADD COLUMN "utm_term" text;--> statement-breakpoint
ALTER TABLE "callback_requests" ADD COLUMN "utm_content" text;--> statement-breakpoint
ALTER TABLE "callback_requests" ADD COLUMN "gclid" text;--> statement-breakpoint
ALTER TABLE "callback_requests" ADD COLUMN "device" text;--> statement-breakpoint
ALTER TABLE "callback_requests" ADD COLUMN "visitor_local_time" text;--> statement-breakpoint
ALTER TABLE "callback_requests" ADD COLUMN "source" text;--> statement-breakpoint
ALTER TABLE "notification_preferences" ADD CONSTRAINT "notification_preferences_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_preferences" ADD CONSTRAINT "notification_preferences_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "push_subscriptions" ADD CONSTRAINT "push_subscriptions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "push_subscriptions_user_idx" ON "push_subscriptions" USING btree ("user_id","last_active_at");--> statement-breakpoint
CREATE INDEX "call_sessions_account_source_idx" ON "call_sessions" USING btree ("account_id","source","started_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "call_sessions"."source" is not null;--> statement-breakpoint
CREATE INDEX "call_sessions_account_campaign_idx" ON "call_sessions" USING btree ("account_id","utm_campaign","started_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "call_sessions"."utm_campaign" is not null;