CREATE TABLE "tracked_links" (
	"code" text PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"subscriber_id" bigint NOT NULL,
	"touch_id" bigint,
	"enrollment_id" bigint,
	"chain_id" integer,
	"step_id" integer,
	"button" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tracked_links" ADD CONSTRAINT "tracked_links_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tracked_links_touch_id_index" ON "tracked_links" USING btree ("touch_id");