CREATE TYPE "public"."journey_stage" AS ENUM('awareness', 'interest', 'choice', 'purchase', 'loyalty');--> statement-breakpoint
CREATE TYPE "public"."enrollment_end_reason" AS ENUM('goal_reached', 'completed', 'max_touches', 'max_days', 'unsubscribed', 'blocked', 'moved', 'manual', 'chain_disabled');--> statement-breakpoint
CREATE TYPE "public"."enrollment_status" AS ENUM('active', 'paused', 'converted', 'completed', 'exited');--> statement-breakpoint
CREATE TYPE "public"."subscriber_status" AS ENUM('active', 'unsubscribed', 'blocked');--> statement-breakpoint
CREATE TYPE "public"."admin_role" AS ENUM('owner', 'manager');--> statement-breakpoint
CREATE TYPE "public"."touch_status" AS ENUM('pending', 'sent', 'failed', 'skipped', 'cancelled');--> statement-breakpoint
CREATE TABLE "chain_steps" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "chain_steps_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"chain_id" integer NOT NULL,
	"key" text NOT NULL,
	"position" integer NOT NULL,
	"name" text,
	"wait" jsonb NOT NULL,
	"message" jsonb NOT NULL,
	"condition" jsonb,
	"important" boolean DEFAULT false NOT NULL,
	"stage" "journey_stage",
	"deleted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "chain_steps_chainId_key_unique" UNIQUE("chain_id","key")
);
--> statement-breakpoint
CREATE TABLE "chains" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "chains_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"enabled" boolean DEFAULT true NOT NULL,
	"stage" "journey_stage",
	"trigger" jsonb NOT NULL,
	"reentry" jsonb NOT NULL,
	"exit" jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "chains_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "enrollments" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "enrollments_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"subscriber_id" bigint NOT NULL,
	"chain_id" integer NOT NULL,
	"status" "enrollment_status" DEFAULT 'active' NOT NULL,
	"next_step_id" integer,
	"next_due_at" timestamp with time zone,
	"touches_sent" integer DEFAULT 0 NOT NULL,
	"source" text,
	"enrolled_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_touch_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"end_reason" "enrollment_end_reason"
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"subscriber_id" bigint,
	"type" text NOT NULL,
	"chain_id" integer,
	"step_id" integer,
	"enrollment_id" bigint,
	"touch_id" bigint,
	"value" numeric(14, 2),
	"currency" char(3),
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"idempotency_key" text,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "events_idempotencyKey_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "lead_magnets" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "lead_magnets_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"slug" text NOT NULL,
	"title" text NOT NULL,
	"chain_id" integer,
	"is_default" boolean DEFAULT false NOT NULL,
	"intro" text,
	"consent" text,
	"questions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"deliverable" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lead_magnets_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "subscriber_sources" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "subscriber_sources_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"subscriber_id" bigint NOT NULL,
	"source" text,
	"lead_magnet_id" integer,
	"payload" text,
	"arrived_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "subscribers" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "subscribers_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"telegram_id" bigint NOT NULL,
	"username" text,
	"first_name" text,
	"last_name" text,
	"language_code" text,
	"phone" text,
	"email" text,
	"external_id" text,
	"answers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"fields" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"status" "subscriber_status" DEFAULT 'active' NOT NULL,
	"timezone" text,
	"lead_score" integer DEFAULT 0 NOT NULL,
	"first_source" text,
	"last_source" text,
	"first_lead_magnet_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status_changed_at" timestamp with time zone,
	"last_interaction_at" timestamp with time zone,
	CONSTRAINT "subscribers_telegramId_unique" UNIQUE("telegram_id"),
	CONSTRAINT "subscribers_externalId_unique" UNIQUE("external_id")
);
--> statement-breakpoint
CREATE TABLE "admins" (
	"telegram_id" bigint PRIMARY KEY NOT NULL,
	"role" "admin_role" NOT NULL,
	"name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "conversation_states" (
	"key" text PRIMARY KEY NOT NULL,
	"state" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "processed_updates" (
	"update_id" bigint PRIMARY KEY NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "touches" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "touches_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"subscriber_id" bigint NOT NULL,
	"enrollment_id" bigint,
	"chain_id" integer,
	"step_id" integer,
	"status" "touch_status" DEFAULT 'pending' NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"available_at" timestamp with time zone NOT NULL,
	"lease_owner" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"sent_at" timestamp with time zone,
	"telegram_message_id" bigint,
	"outcome" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "chain_steps" ADD CONSTRAINT "chain_steps_chain_id_chains_id_fk" FOREIGN KEY ("chain_id") REFERENCES "public"."chains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrollments" ADD CONSTRAINT "enrollments_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrollments" ADD CONSTRAINT "enrollments_chain_id_chains_id_fk" FOREIGN KEY ("chain_id") REFERENCES "public"."chains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrollments" ADD CONSTRAINT "enrollments_next_step_id_chain_steps_id_fk" FOREIGN KEY ("next_step_id") REFERENCES "public"."chain_steps"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lead_magnets" ADD CONSTRAINT "lead_magnets_chain_id_chains_id_fk" FOREIGN KEY ("chain_id") REFERENCES "public"."chains"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriber_sources" ADD CONSTRAINT "subscriber_sources_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriber_sources" ADD CONSTRAINT "subscriber_sources_lead_magnet_id_lead_magnets_id_fk" FOREIGN KEY ("lead_magnet_id") REFERENCES "public"."lead_magnets"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscribers" ADD CONSTRAINT "subscribers_first_lead_magnet_id_lead_magnets_id_fk" FOREIGN KEY ("first_lead_magnet_id") REFERENCES "public"."lead_magnets"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "touches" ADD CONSTRAINT "touches_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "touches" ADD CONSTRAINT "touches_enrollment_id_enrollments_id_fk" FOREIGN KEY ("enrollment_id") REFERENCES "public"."enrollments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "touches" ADD CONSTRAINT "touches_chain_id_chains_id_fk" FOREIGN KEY ("chain_id") REFERENCES "public"."chains"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "touches" ADD CONSTRAINT "touches_step_id_chain_steps_id_fk" FOREIGN KEY ("step_id") REFERENCES "public"."chain_steps"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "chain_steps_chain_id_position_index" ON "chain_steps" USING btree ("chain_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "enrollments_one_running" ON "enrollments" USING btree ("subscriber_id","chain_id") WHERE "enrollments"."status" in ('active', 'paused');--> statement-breakpoint
CREATE INDEX "enrollments_chain_id_status_index" ON "enrollments" USING btree ("chain_id","status");--> statement-breakpoint
CREATE INDEX "enrollments_subscriber_id_enrolled_at_index" ON "enrollments" USING btree ("subscriber_id","enrolled_at");--> statement-breakpoint
CREATE INDEX "events_subscriber_id_occurred_at_index" ON "events" USING btree ("subscriber_id","occurred_at");--> statement-breakpoint
CREATE INDEX "events_chain_id_type_occurred_at_index" ON "events" USING btree ("chain_id","type","occurred_at");--> statement-breakpoint
CREATE INDEX "events_type_occurred_at_index" ON "events" USING btree ("type","occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "lead_magnets_one_default" ON "lead_magnets" USING btree ("is_default") WHERE "lead_magnets"."is_default";--> statement-breakpoint
CREATE INDEX "subscriber_sources_subscriber_id_arrived_at_index" ON "subscriber_sources" USING btree ("subscriber_id","arrived_at");--> statement-breakpoint
CREATE INDEX "subscriber_sources_source_index" ON "subscriber_sources" USING btree ("source");--> statement-breakpoint
CREATE INDEX "subscribers_status_index" ON "subscribers" USING btree ("status");--> statement-breakpoint
CREATE INDEX "subscribers_first_source_index" ON "subscribers" USING btree ("first_source");--> statement-breakpoint
CREATE INDEX "subscribers_tags_index" ON "subscribers" USING gin ("tags");--> statement-breakpoint
CREATE INDEX "subscribers_phone_index" ON "subscribers" USING btree ("phone");--> statement-breakpoint
CREATE INDEX "subscribers_email_index" ON "subscribers" USING btree ("email");--> statement-breakpoint
CREATE INDEX "touches_claimable" ON "touches" USING btree ("available_at") WHERE "touches"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "touches_enrollment_id_index" ON "touches" USING btree ("enrollment_id");--> statement-breakpoint
CREATE INDEX "touches_subscriber_id_sent_at_index" ON "touches" USING btree ("subscriber_id","sent_at");