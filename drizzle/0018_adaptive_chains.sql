ALTER TYPE "public"."enrollment_end_reason" ADD VALUE 'loop';--> statement-breakpoint
ALTER TABLE "broadcasts" ADD COLUMN "audience_pending" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "chain_steps" ADD COLUMN "on_sent" jsonb;--> statement-breakpoint
ALTER TABLE "chain_steps" ADD COLUMN "variants" jsonb;