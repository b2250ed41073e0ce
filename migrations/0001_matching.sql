CREATE TABLE "blocking_keys" (
	"key" text NOT NULL,
	"source_record_id" bigint NOT NULL,
	CONSTRAINT "blocking_keys_key_source_record_id_pk" PRIMARY KEY("key","source_record_id")
);
--> statement-breakpoint
CREATE TABLE "review_items" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"source_record_id" bigint NOT NULL,
	"candidate_golden_id" uuid NOT NULL,
	"candidate_record_id" bigint NOT NULL,
	"probability" real NOT NULL,
	"weight" real NOT NULL,
	"model_version" integer NOT NULL,
	"reasons" jsonb NOT NULL,
	"explanation" jsonb NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"decision" text,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"note" text,
	"message_id" bigint,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "match_models" (
	"version" integer PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"document" jsonb NOT NULL,
	"active" boolean DEFAULT false NOT NULL,
	"source" text NOT NULL,
	"training" jsonb,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"activated_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "source_records" ADD COLUMN "link_kind" text;--> statement-breakpoint
CREATE INDEX "blocking_keys_record_idx" ON "blocking_keys" USING btree ("source_record_id");--> statement-breakpoint
CREATE UNIQUE INDEX "review_items_open_uq" ON "review_items" USING btree ("source_record_id","candidate_golden_id") WHERE "review_items"."status" = 'open';--> statement-breakpoint
CREATE INDEX "review_items_status_idx" ON "review_items" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "review_items_golden_idx" ON "review_items" USING btree ("candidate_golden_id");--> statement-breakpoint
CREATE UNIQUE INDEX "match_models_active_uq" ON "match_models" USING btree ("active") WHERE "match_models"."active";--> statement-breakpoint
UPDATE "source_records" s SET "link_kind" = l."kind" FROM "links" l WHERE l."source_record_id" = s."id" AND l."removed_at" IS NULL;
