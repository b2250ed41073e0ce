CREATE TABLE "authorities" (
	"id" serial PRIMARY KEY NOT NULL,
	"namespace" text,
	"oid" text,
	"name" text,
	"trust_rank" integer DEFAULT 0 NOT NULL,
	"origin" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dedup_key" text,
	"sender" text,
	"receiver" text,
	"control_id" text,
	"message_type" text,
	"event" text,
	"version" text,
	"charset" text,
	"content_hash" text NOT NULL,
	"raw" text NOT NULL,
	"truncated" boolean DEFAULT false NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"ack_code" text,
	"ack" text,
	"error_code" integer,
	"error" text,
	"remote_address" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"applied_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "source_records" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"authority_id" integer NOT NULL,
	"identifier" text NOT NULL,
	"identifier_type" text,
	"status" text DEFAULT 'active' NOT NULL,
	"merged_into_id" bigint,
	"golden_id" uuid,
	"sender" text,
	"demographics" jsonb NOT NULL,
	"family" text,
	"given" text,
	"birth_date" date,
	"sex" text,
	"last_message_id" bigint,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "golden_records" (
	"id" uuid PRIMARY KEY NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"merged_into_id" uuid,
	"demographics" jsonb,
	"provenance" jsonb,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "links" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"source_record_id" bigint NOT NULL,
	"golden_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"score" real,
	"model_version" integer,
	"message_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"removed_at" timestamp with time zone,
	"removed_reason" text
);
--> statement-breakpoint
CREATE TABLE "outbox_events" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"id" uuid NOT NULL,
	"type" text NOT NULL,
	"subject" text,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"entity_type" text,
	"entity_id" text,
	"message_id" bigint,
	"detail" jsonb
);
--> statement-breakpoint
ALTER TABLE "source_records" ADD CONSTRAINT "source_records_authority_id_authorities_id_fk" FOREIGN KEY ("authority_id") REFERENCES "public"."authorities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "authorities_oid_uq" ON "authorities" USING btree ("oid") WHERE "authorities"."oid" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "authorities_namespace_uq" ON "authorities" USING btree ("namespace") WHERE "authorities"."namespace" is not null and "authorities"."oid" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "messages_dedup_uq" ON "messages" USING btree ("dedup_key");--> statement-breakpoint
CREATE INDEX "messages_status_idx" ON "messages" USING btree ("status","id");--> statement-breakpoint
CREATE UNIQUE INDEX "source_records_key_uq" ON "source_records" USING btree ("authority_id","identifier");--> statement-breakpoint
CREATE INDEX "source_records_golden_idx" ON "source_records" USING btree ("golden_id");--> statement-breakpoint
CREATE INDEX "source_records_merged_into_idx" ON "source_records" USING btree ("merged_into_id") WHERE "source_records"."merged_into_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "links_current_uq" ON "links" USING btree ("source_record_id") WHERE "links"."removed_at" is null;--> statement-breakpoint
CREATE INDEX "links_golden_idx" ON "links" USING btree ("golden_id");--> statement-breakpoint
CREATE INDEX "outbox_unpublished_idx" ON "outbox_events" USING btree ("seq") WHERE "outbox_events"."published_at" is null;--> statement-breakpoint
CREATE INDEX "audit_entity_idx" ON "audit_log" USING btree ("entity_type","entity_id");--> statement-breakpoint
CREATE INDEX "audit_message_idx" ON "audit_log" USING btree ("message_id");