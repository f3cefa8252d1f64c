ALTER TYPE "public"."enrollment_end_reason" ADD VALUE 'undelivered';--> statement-breakpoint
ALTER TABLE "touches" ADD COLUMN "first_failed_at" timestamp with time zone;