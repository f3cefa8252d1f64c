-- A process that records touches (an enrollment, a broadcast from the command line) tells every
-- running dispatcher at once, instead of leaving them to find the touches at their next tick.
-- Once per statement, not per row: a broadcast's thousands of rows make one wake-up.
CREATE OR REPLACE FUNCTION touchchains_notify_work() RETURNS trigger AS $$
BEGIN
	PERFORM pg_notify('touchchains_work', TG_ARGV[0]);
	RETURN NULL;
END $$ LANGUAGE plpgsql;--> statement-breakpoint
CREATE TRIGGER touches_notify_work AFTER INSERT ON "touches"
	FOR EACH STATEMENT EXECUTE FUNCTION touchchains_notify_work('touches');
