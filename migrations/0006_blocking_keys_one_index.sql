DROP INDEX "blocking_keys_hits_idx";--> statement-breakpoint
-- Written by hand after drizzle-kit's statement (drizzle-kit does not model INCLUDE): the primary key carries the
-- copies of the record's golden record and status, so that it alone answers the candidate query.
ALTER TABLE "blocking_keys" DROP CONSTRAINT "blocking_keys_key_source_record_id_pk";--> statement-breakpoint
ALTER TABLE "blocking_keys" ADD CONSTRAINT "blocking_keys_key_source_record_id_pk" PRIMARY KEY ("key", "source_record_id") INCLUDE ("golden_id", "active");
