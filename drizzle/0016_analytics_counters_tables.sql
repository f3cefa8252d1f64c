CREATE TABLE "analytics_counters" (
	"chain_id" integer NOT NULL,
	"step_id" integer NOT NULL,
	"day" date NOT NULL,
	"source" text NOT NULL,
	"status" text NOT NULL,
	"end_reason" text NOT NULL,
	"enrolled" integer DEFAULT 0 NOT NULL,
	"purchases" integer DEFAULT 0 NOT NULL,
	"revenue" numeric(16, 2) DEFAULT '0' NOT NULL,
	"clicked_any" integer DEFAULT 0 NOT NULL,
	"reached" integer DEFAULT 0 NOT NULL,
	"clicked" integer DEFAULT 0 NOT NULL,
	"drop_off" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_daily" (
	"day" date NOT NULL,
	"chain_id" integer NOT NULL,
	"leads" integer DEFAULT 0 NOT NULL,
	"enrolled" integer DEFAULT 0 NOT NULL,
	"converted" integer DEFAULT 0 NOT NULL,
	"revenue" numeric(16, 2) DEFAULT '0' NOT NULL,
	CONSTRAINT "analytics_daily_day_chain_id_pk" PRIMARY KEY("day","chain_id")
);
--> statement-breakpoint
CREATE TABLE "analytics_daily_deltas" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "analytics_daily_deltas_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone NOT NULL,
	"chain_id" integer NOT NULL,
	"leads" integer DEFAULT 0 NOT NULL,
	"enrolled" integer DEFAULT 0 NOT NULL,
	"converted" integer DEFAULT 0 NOT NULL,
	"revenue" numeric(16, 2) DEFAULT '0' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_deltas" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "analytics_deltas_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"chain_id" integer NOT NULL,
	"step_id" integer NOT NULL,
	"enrolled_at" timestamp with time zone NOT NULL,
	"source" text NOT NULL,
	"status" text NOT NULL,
	"end_reason" text NOT NULL,
	"enrolled" integer DEFAULT 0 NOT NULL,
	"purchases" integer DEFAULT 0 NOT NULL,
	"revenue" numeric(16, 2) DEFAULT '0' NOT NULL,
	"clicked_any" integer DEFAULT 0 NOT NULL,
	"reached" integer DEFAULT 0 NOT NULL,
	"clicked" integer DEFAULT 0 NOT NULL,
	"drop_off" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_enrollment_steps" (
	"enrollment_id" bigint NOT NULL,
	"step_id" integer NOT NULL,
	"reached" boolean NOT NULL,
	"clicked" boolean NOT NULL,
	"sent_at" timestamp with time zone,
	CONSTRAINT "analytics_enrollment_steps_enrollment_id_step_id_pk" PRIMARY KEY("enrollment_id","step_id")
);
--> statement-breakpoint
CREATE TABLE "analytics_enrollments" (
	"enrollment_id" bigint PRIMARY KEY NOT NULL,
	"chain_id" integer NOT NULL,
	"source" text NOT NULL,
	"enrolled_at" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"end_reason" text NOT NULL,
	"purchases" integer NOT NULL,
	"revenue" numeric(16, 2) NOT NULL,
	"clicked_any" boolean NOT NULL,
	"last_step_id" integer,
	"last_sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "analytics_journey" (
	"stage_rank" integer PRIMARY KEY NOT NULL,
	"people" integer NOT NULL,
	"idle" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_journey_deltas" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "analytics_journey_deltas_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"stage_rank" integer NOT NULL,
	"people" integer NOT NULL,
	"idle" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_state" (
	"id" integer PRIMARY KEY NOT NULL,
	"timezone" text NOT NULL,
	"rebuilt_at" timestamp with time zone NOT NULL,
	"journey_stale" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_subscribers" (
	"subscriber_id" bigint PRIMARY KEY NOT NULL,
	"stage_rank" integer,
	"running" integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "analytics_counters_key" ON "analytics_counters" USING btree ("chain_id","step_id","day","source","status","end_reason");--> statement-breakpoint
CREATE INDEX "analytics_counters_chain_id_day_index" ON "analytics_counters" USING btree ("chain_id","day");