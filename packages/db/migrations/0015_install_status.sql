CREATE TABLE "button_origins" (
	"button_id" uuid NOT NULL,
	"origin" text NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"last_allowed_at" timestamp with time zone,
	"refused_count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "button_origins_button_id_origin_pk" PRIMARY KEY("button_id","origin")
);
--> statement-breakpoint
ALTER TABLE "buttons" ALTER COLUMN "closed_behavior" SET DEFAULT 'callback';--> statement-breakpoint
ALTER TABLE "button_origins" ADD CONSTRAINT "button_origins_button_id_buttons_id_fk" FOREIGN KEY ("button_id") REFERENCES "public"."buttons"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "button_origins_seen_idx" ON "button_origins" USING btree ("last_seen_at");