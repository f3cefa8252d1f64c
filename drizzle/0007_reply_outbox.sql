CREATE TYPE "public"."reply_status" AS ENUM('pending', 'sent', 'failed');--> statement-breakpoint
CREATE TABLE "reply_outbox" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "reply_outbox_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"subscriber_id" bigint NOT NULL,
	"chat_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"method" text NOT NULL,
	"params" jsonb NOT NULL,
	"status" "reply_status" DEFAULT 'pending' NOT NULL,
	"available_at" timestamp with time zone NOT NULL,
	"lease_owner" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"sent_at" timestamp with time zone,
	"message_id" bigint,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "reply_outbox" ADD CONSTRAINT "reply_outbox_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "reply_outbox_due" ON "reply_outbox" USING btree ("available_at") WHERE "reply_outbox"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "reply_outbox_chat_pending" ON "reply_outbox" USING btree ("chat_id","id") WHERE "reply_outbox"."status" = 'pending';