ALTER TABLE "blocking_keys" ADD COLUMN "golden_id" uuid;--> statement-breakpoint
ALTER TABLE "blocking_keys" ADD COLUMN "active" boolean DEFAULT true NOT NULL;--> statement-breakpoint
-- Written by hand after drizzle-kit's statements: the copy of each record's golden record and status, filled
-- in for the keys already stored, and the trigger that keeps it in step (drizzle-kit does not model triggers).
UPDATE "blocking_keys" b SET "golden_id" = s."golden_id", "active" = (s."status" = 'active') FROM "source_records" s WHERE s."id" = b."source_record_id";--> statement-breakpoint
CREATE INDEX "blocking_keys_hits_idx" ON "blocking_keys" USING btree ("key","source_record_id","golden_id") WHERE "blocking_keys"."active";--> statement-breakpoint
CREATE FUNCTION "blocking_keys_follow_record"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "blocking_keys" SET "golden_id" = NEW."golden_id", "active" = (NEW."status" = 'active')
  WHERE "source_record_id" = NEW."id" AND ("golden_id" IS DISTINCT FROM NEW."golden_id" OR "active" IS DISTINCT FROM (NEW."status" = 'active'));
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "blocking_keys_follow_record" AFTER UPDATE OF "golden_id", "status" ON "source_records" FOR EACH ROW
  WHEN (OLD."golden_id" IS DISTINCT FROM NEW."golden_id" OR OLD."status" IS DISTINCT FROM NEW."status")
  EXECUTE FUNCTION "blocking_keys_follow_record"();
