CREATE TYPE "public"."update_status" AS ENUM('pending', 'done', 'failed');--> statement-breakpoint
CREATE TABLE "update_inbox" (
	"update_id" bigint PRIMARY KEY NOT NULL,
	"chat_key" bigint,
	"payload" jsonb,
	"status" "update_status" DEFAULT 'pending' NOT NULL,
	"available_at" timestamp with time zone NOT NULL,
	"lease_owner" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
-- Ids handled before the inbox existed stay known, so a late re-send is still recognised.
INSERT INTO "update_inbox" ("update_id", "status", "available_at", "received_at", "finished_at")
	SELECT "update_id", 'done', "processed_at", "processed_at", "processed_at" FROM "processed_updates";--> statement-breakpoint
DROP TABLE "processed_updates" CASCADE;--> statement-breakpoint
ALTER TABLE "reply_outbox" ALTER COLUMN "subscriber_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "reply_outbox" ADD COLUMN "update_id" bigint;--> statement-breakpoint
CREATE INDEX "update_inbox_due" ON "update_inbox" USING btree ("available_at") WHERE "update_inbox"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "update_inbox_chat_pending" ON "update_inbox" USING btree ("chat_key","update_id") WHERE "update_inbox"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "update_inbox_finished" ON "update_inbox" USING btree ("finished_at");--> statement-breakpoint
CREATE UNIQUE INDEX "reply_outbox_once" ON "reply_outbox" USING btree ("update_id","kind");