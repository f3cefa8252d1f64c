ALTER TYPE "public"."enrollment_end_reason" ADD VALUE 'series_stopped';--> statement-breakpoint
ALTER TYPE "public"."enrollment_end_reason" ADD VALUE 'forgotten';--> statement-breakpoint
CREATE TABLE "imported_leads" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "imported_leads_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"external_id" text,
	"phone" text,
	"email" text,
	"first_name" text,
	"last_name" text,
	"fields" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"imported_at" timestamp with time zone NOT NULL,
	CONSTRAINT "imported_leads_externalId_unique" UNIQUE("external_id")
);
--> statement-breakpoint
ALTER TABLE "chains" ADD COLUMN "unsubscribe" jsonb DEFAULT '{"button":"policy","series":false}'::jsonb NOT NULL;--> statement-breakpoint
CREATE INDEX "imported_leads_phone_index" ON "imported_leads" USING btree ("phone");--> statement-breakpoint
CREATE INDEX "imported_leads_email_index" ON "imported_leads" USING btree ("email");