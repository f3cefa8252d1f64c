CREATE TABLE "dispatch_workers" (
	"worker_id" text PRIMARY KEY NOT NULL,
	"beat_at" timestamp (6) with time zone NOT NULL
);
