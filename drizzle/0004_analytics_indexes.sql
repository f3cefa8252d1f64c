DROP INDEX "events_chain_id_type_occurred_at_index";--> statement-breakpoint
CREATE INDEX "enrollments_chain_id_enrolled_at_index" ON "enrollments" USING btree ("chain_id","enrolled_at");--> statement-breakpoint
CREATE INDEX "events_chain_id_type_occurred_at_enrollment_id_step_id_index" ON "events" USING btree ("chain_id","type","occurred_at","enrollment_id","step_id");--> statement-breakpoint
CREATE INDEX "subscribers_created_at_index" ON "subscribers" USING btree ("created_at");