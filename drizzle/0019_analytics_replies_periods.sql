ALTER TABLE "analytics_counters" ADD COLUMN "replied" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics_deltas" ADD COLUMN "replied" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics_enrollment_steps" ADD COLUMN "replied" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics_subscribers" ADD COLUMN "stage_sent_at" timestamp with time zone[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics_subscribers" ADD COLUMN "last_staged_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "analytics_subscribers_last_staged_at_index" ON "analytics_subscribers" USING btree ("last_staged_at");