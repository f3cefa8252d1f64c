ALTER TYPE "public"."enrollment_end_reason" ADD VALUE 'loop';--> statement-breakpoint
ALTER TABLE "chain_steps" ADD COLUMN "on_sent" jsonb;--> statement-breakpoint
ALTER TABLE "chain_steps" ADD COLUMN "variants" jsonb;