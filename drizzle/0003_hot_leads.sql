CREATE TYPE "public"."lead_alert_status" AS ENUM('open', 'taken', 'won', 'lost');--> statement-breakpoint
CREATE TYPE "public"."manager_outbox_status" AS ENUM('pending', 'sent', 'failed');--> statement-breakpoint
CREATE TABLE "lead_alerts" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "lead_alerts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"subscriber_id" bigint NOT NULL,
	"reason" text NOT NULL,
	"score" integer NOT NULL,
	"status" "lead_alert_status" DEFAULT 'open' NOT NULL,
	"chat_id" bigint NOT NULL,
	"message_id" bigint,
	"taken_by" bigint,
	"taken_by_name" text,
	"taken_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lead_messages" (
	"chat_id" bigint NOT NULL,
	"message_id" bigint NOT NULL,
	"subscriber_id" bigint NOT NULL,
	CONSTRAINT "lead_messages_chat_id_message_id_pk" PRIMARY KEY("chat_id","message_id")
);
--> statement-breakpoint
CREATE TABLE "manager_outbox" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "manager_outbox_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"chat_id" bigint NOT NULL,
	"method" text NOT NULL,
	"params" jsonb NOT NULL,
	"subscriber_id" bigint,
	"alert_id" integer,
	"status" "manager_outbox_status" DEFAULT 'pending' NOT NULL,
	"available_at" timestamp with time zone NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"sent_at" timestamp with time zone,
	"message_id" bigint,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "handoff_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "manager_thread_id" bigint;--> statement-breakpoint
ALTER TABLE "lead_alerts" ADD CONSTRAINT "lead_alerts_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lead_messages" ADD CONSTRAINT "lead_messages_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "manager_outbox" ADD CONSTRAINT "manager_outbox_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "manager_outbox" ADD CONSTRAINT "manager_outbox_alert_id_lead_alerts_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."lead_alerts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "lead_alerts_subscriber_id_created_at_index" ON "lead_alerts" USING btree ("subscriber_id","created_at");--> statement-breakpoint
CREATE INDEX "manager_outbox_due" ON "manager_outbox" USING btree ("available_at") WHERE "manager_outbox"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "manager_outbox_chat_id_sent_at_index" ON "manager_outbox" USING btree ("chat_id","sent_at");