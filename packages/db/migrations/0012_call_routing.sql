CREATE TABLE "button_routing" (
	"button_id" uuid PRIMARY KEY NOT NULL,
	"account_id" uuid NOT NULL,
	"who" text DEFAULT 'all' NOT NULL,
	"strategy" text DEFAULT 'ring-all' NOT NULL,
	"step_seconds" integer DEFAULT 20 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "button_routing_members" (
	"button_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"ring_seconds" integer,
	CONSTRAINT "button_routing_members_button_id_user_id_pk" PRIMARY KEY("button_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "call_ring_steps" (
	"call_id" uuid NOT NULL,
	"step" integer NOT NULL,
	"user_id" uuid,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"outcome" text DEFAULT 'ringing' NOT NULL,
	CONSTRAINT "call_ring_steps_step_check" CHECK ("call_ring_steps"."step" >= 0)
);
--> statement-breakpoint
ALTER TABLE "call_sessions" ADD COLUMN "ring_plan" jsonb;--> statement-breakpoint
ALTER TABLE "call_sessions" ADD COLUMN "ring_step" integer;--> statement-breakpoint
ALTER TABLE "button_routing" ADD CONSTRAINT "button_routing_button_id_buttons_id_fk" FOREIGN KEY ("button_id") REFERENCES "public"."buttons"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "button_routing" ADD CONSTRAINT "button_routing_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "button_routing_members" ADD CONSTRAINT "button_routing_members_button_id_buttons_id_fk" FOREIGN KEY ("button_id") REFERENCES "public"."buttons"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "button_routing_members" ADD CONSTRAINT "button_routing_members_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "button_routing_members" ADD CONSTRAINT "button_routing_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "call_ring_steps" ADD CONSTRAINT "call_ring_steps_call_id_call_sessions_id_fk" FOREIGN KEY ("call_id") REFERENCES "public"."call_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "call_ring_steps" ADD CONSTRAINT "call_ring_steps_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "button_routing_members_user_idx" ON "button_routing_members" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "call_ring_steps_call_step_user_key" ON "call_ring_steps" USING btree ("call_id","step","user_id");--> statement-breakpoint
CREATE INDEX "call_ring_steps_user_idx" ON "call_ring_steps" USING btree ("user_id");