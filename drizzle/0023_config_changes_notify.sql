-- What every /start reads (lead magnets, chains and their steps) is cached in each process; any
-- change to those tables tells every process at once to forget its copy. Once per statement, on
-- the same channel as new touches, with 'config' as the payload.
CREATE TRIGGER lead_magnets_notify_config AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "lead_magnets"
	FOR EACH STATEMENT EXECUTE FUNCTION touchchains_notify_work('config');--> statement-breakpoint
CREATE TRIGGER chains_notify_config AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "chains"
	FOR EACH STATEMENT EXECUTE FUNCTION touchchains_notify_work('config');--> statement-breakpoint
CREATE TRIGGER chain_steps_notify_config AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "chain_steps"
	FOR EACH STATEMENT EXECUTE FUNCTION touchchains_notify_work('config');
