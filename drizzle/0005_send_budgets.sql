CREATE TABLE "send_budgets" (
	"key" text PRIMARY KEY NOT NULL,
	"next_slot" timestamp (6) with time zone NOT NULL
);
