CREATE TABLE "non_matches" (
	"record_a" bigint NOT NULL,
	"record_b" bigint NOT NULL,
	"fingerprint_a" text NOT NULL,
	"fingerprint_b" text NOT NULL,
	"review_item_id" bigint,
	"decided_by" text NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "non_matches_record_a_record_b_pk" PRIMARY KEY("record_a","record_b")
);
--> statement-breakpoint
DROP INDEX "review_items_status_idx";--> statement-breakpoint
CREATE INDEX "non_matches_record_b_idx" ON "non_matches" USING btree ("record_b");--> statement-breakpoint
CREATE INDEX "outbox_merge_id_idx" ON "outbox_events" USING btree ("id") WHERE "outbox_events"."type" = 'golden.merged';--> statement-breakpoint
CREATE INDEX "outbox_merge_from_idx" ON "outbox_events" USING btree (("payload"->'data'->>'from')) WHERE "outbox_events"."type" = 'golden.merged';--> statement-breakpoint
CREATE INDEX "review_items_status_age_idx" ON "review_items" USING btree ("status","created_at","id");--> statement-breakpoint
CREATE INDEX "review_items_status_score_idx" ON "review_items" USING btree ("status","probability","id");