CREATE TABLE "public_configs" (
	"public_id" text PRIMARY KEY NOT NULL,
	"version" bigint NOT NULL,
	"hour" bigint NOT NULL,
	"context" text NOT NULL,
	"allowed_domains" jsonb NOT NULL,
	"etag" text NOT NULL,
	"body" text NOT NULL,
	"stored_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "public_configs" ADD CONSTRAINT "public_configs_public_id_buttons_public_id_fk" FOREIGN KEY ("public_id") REFERENCES "public"."buttons"("public_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "buttons_updated_idx" ON "buttons" USING btree ("updated_at");