CREATE TYPE "public"."chain_kind" AS ENUM('chain', 'broadcast');--> statement-breakpoint
CREATE TABLE "broadcasts" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "broadcasts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"chain_id" integer NOT NULL,
	"segment_id" integer,
	"segment_slug" text,
	"scheduled_at" timestamp with time zone NOT NULL,
	"recipients" integer NOT NULL,
	"cancelled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "broadcasts_chainId_unique" UNIQUE("chain_id")
);
--> statement-breakpoint
CREATE TABLE "segment_members" (
	"segment_id" integer NOT NULL,
	"subscriber_id" bigint NOT NULL,
	"entered_at" timestamp with time zone NOT NULL,
	CONSTRAINT "segment_members_segment_id_subscriber_id_pk" PRIMARY KEY("segment_id","subscriber_id")
);
--> statement-breakpoint
CREATE TABLE "segments" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "segments_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"match" text DEFAULT 'all' NOT NULL,
	"rules" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "segments_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "subscriber_rfm" (
	"subscriber_id" bigint PRIMARY KEY NOT NULL,
	"last_purchase_at" timestamp with time zone NOT NULL,
	"purchases" integer NOT NULL,
	"revenue" numeric(16, 2) NOT NULL,
	"recency" smallint NOT NULL,
	"frequency" smallint NOT NULL,
	"monetary" smallint NOT NULL,
	"computed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "chains" ADD COLUMN "kind" "chain_kind" DEFAULT 'chain' NOT NULL;--> statement-breakpoint
ALTER TABLE "broadcasts" ADD CONSTRAINT "broadcasts_chain_id_chains_id_fk" FOREIGN KEY ("chain_id") REFERENCES "public"."chains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcasts" ADD CONSTRAINT "broadcasts_segment_id_segments_id_fk" FOREIGN KEY ("segment_id") REFERENCES "public"."segments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segment_members" ADD CONSTRAINT "segment_members_segment_id_segments_id_fk" FOREIGN KEY ("segment_id") REFERENCES "public"."segments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segment_members" ADD CONSTRAINT "segment_members_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriber_rfm" ADD CONSTRAINT "subscriber_rfm_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "subscriber_rfm_recency_frequency_monetary_index" ON "subscriber_rfm" USING btree ("recency","frequency","monetary");