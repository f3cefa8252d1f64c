-- Analytics counters kept in the same transaction as the enrollments and events that change them
-- (tables: 0016_analytics_counters_tables). Each enrollment has one row of facts in
-- analytics_enrollments; any change to it is counted as the old row taken away and the new one
-- added, as insert-only rows in analytics_deltas. Triggers never update a shared counter, so
-- concurrent senders never wait on one another; analytics_fold() later moves the deltas into
-- analytics_counters with DELETE ... RETURNING, which takes exactly the rows committed when it
-- runs: a transaction that commits later (whatever its ids) leaves its rows for the next fold, so
-- nothing is skipped and nothing is counted twice. Readers sum counters and pending deltas in one
-- statement, so the figures are exact at every moment. Events are append-only (only their data is
-- ever edited); an event counts for its enrollment when both name the same chain. Until the first
-- analytics_rebuild (the bot runs it at start for DEFAULT_TIMEZONE) reports read the raw events.
-- An enrollment's contribution taken away (o) and added (n), either may be null, in one statement:
-- the enrollment itself as step 0, and where interest was lost (the last step sent of one that
-- ended without converting).
CREATE FUNCTION analytics_emit_change(o analytics_enrollments, n analytics_enrollments) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO analytics_deltas (chain_id, step_id, enrolled_at, source, status, end_reason,
                                enrolled, purchases, revenue, clicked_any, drop_off)
  SELECT f.chain_id, 0, f.enrolled_at, f.source, f.status, f.end_reason, s.sign,
         s.sign * f.purchases, s.sign * f.revenue, s.sign * f.clicked_any::integer, 0
  FROM (VALUES (o, -1), (n, 1)) AS s(f, sign) CROSS JOIN LATERAL (SELECT (s.f).*) f
  WHERE f.enrollment_id IS NOT NULL
  UNION ALL
  SELECT f.chain_id, f.last_step_id, f.enrolled_at, f.source, '', '', 0, 0, 0, 0, s.sign
  FROM (VALUES (o, -1), (n, 1)) AS s(f, sign) CROSS JOIN LATERAL (SELECT (s.f).*) f
  WHERE f.enrollment_id IS NOT NULL AND f.status IN ('completed', 'exited')
    AND f.last_step_id IS NOT NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION analytics_emit(f analytics_enrollments, sign integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM analytics_emit_change(CASE WHEN sign < 0 THEN f END, CASE WHEN sign > 0 THEN f END);
END $$;
--> statement-breakpoint
-- The steps an enrollment reached and clicked, counted once more with `sign`.
CREATE FUNCTION analytics_emit_steps(f analytics_enrollments, sign integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO analytics_deltas (chain_id, step_id, enrolled_at, source, status, end_reason,
                                reached, clicked)
  SELECT f.chain_id, s.step_id, f.enrolled_at, f.source, '', '',
         sign * s.reached::integer, sign * s.clicked::integer
  FROM analytics_enrollment_steps s WHERE s.enrollment_id = f.enrollment_id;
END $$;
--> statement-breakpoint
CREATE FUNCTION analytics_replace(o analytics_enrollments, n analytics_enrollments) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF o IS NOT DISTINCT FROM n THEN RETURN; END IF;
  -- A new last step changes nothing while the enrollment runs: only an ended one counts it.
  IF (o.chain_id, o.source, o.enrolled_at, o.status, o.end_reason, o.purchases, o.revenue,
      o.clicked_any, CASE WHEN o.status IN ('completed', 'exited') THEN o.last_step_id END)
     IS DISTINCT FROM
     (n.chain_id, n.source, n.enrolled_at, n.status, n.end_reason, n.purchases, n.revenue,
      n.clicked_any, CASE WHEN n.status IN ('completed', 'exited') THEN n.last_step_id END) THEN
    PERFORM analytics_emit_change(o, n);
  END IF;
  IF (o.chain_id, o.source, o.enrolled_at) IS DISTINCT FROM (n.chain_id, n.source, n.enrolled_at) THEN
    PERFORM analytics_emit_steps(o, -1);
    PERFORM analytics_emit_steps(n, 1);
  END IF;
  UPDATE analytics_enrollments
  SET chain_id = n.chain_id, source = n.source, enrolled_at = n.enrolled_at, status = n.status,
      end_reason = n.end_reason, purchases = n.purchases, revenue = n.revenue,
      clicked_any = n.clicked_any, last_step_id = n.last_step_id, last_sent_at = n.last_sent_at
  WHERE enrollment_id = o.enrollment_id;
END $$;
--> statement-breakpoint
-- The journey map: per person the furthest stage sent (analytics_subscribers), counted as people
-- per stage and idle ones (in no running enrollment) through the same insert-only deltas.
CREATE FUNCTION analytics_journey_emit(f analytics_subscribers, sign integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF f.stage_rank IS NOT NULL THEN
    INSERT INTO analytics_journey_deltas (stage_rank, people, idle)
    VALUES (f.stage_rank, sign, sign * (f.running = 0)::integer);
  END IF;
END $$;
--> statement-breakpoint
-- A person's old contribution taken away and the new one added, in one statement.
CREATE FUNCTION analytics_journey_change(o analytics_subscribers, n analytics_subscribers)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO analytics_journey_deltas (stage_rank, people, idle)
  SELECT r, sign, sign * idle FROM (VALUES (o.stage_rank, -1, (o.running = 0)::integer),
                                           (n.stage_rank, 1, (n.running = 0)::integer)) v(r, sign, idle)
  WHERE r IS NOT NULL;
END $$;
--> statement-breakpoint
-- One more (or fewer) running enrollment for a person; `create` makes their row if missing.
CREATE FUNCTION analytics_running_add(sid bigint, d integer, "create" boolean) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  o analytics_subscribers;
  n analytics_subscribers;
BEGIN
  SELECT * INTO o FROM analytics_subscribers WHERE subscriber_id = sid FOR UPDATE;
  IF NOT FOUND THEN
    IF NOT "create" THEN RETURN; END IF;
    -- A person's row starts with their first enrollment: nothing staged yet, nothing to count.
    INSERT INTO analytics_subscribers VALUES (sid, NULL, d) ON CONFLICT (subscriber_id) DO NOTHING;
    IF FOUND THEN RETURN; END IF;
    SELECT * INTO o FROM analytics_subscribers WHERE subscriber_id = sid FOR UPDATE;
  END IF;
  IF d = 0 THEN RETURN; END IF;
  n := o;
  n.running := o.running + d;
  IF (o.running = 0) <> (n.running = 0) THEN
    PERFORM analytics_journey_change(o, n);
  END IF;
  UPDATE analytics_subscribers SET running = n.running WHERE subscriber_id = sid;
END $$;
--> statement-breakpoint
CREATE FUNCTION analytics_on_enrollment() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  o analytics_enrollments;
  n analytics_enrollments;
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM analytics_running_add(NEW.subscriber_id,
                                  (NEW.status IN ('active', 'paused'))::integer, true);
    INSERT INTO analytics_enrollments
    VALUES (NEW.id, NEW.chain_id, coalesce(NEW.source, ''), NEW.enrolled_at, NEW.status::text,
            coalesce(NEW.end_reason::text, ''), 0, 0, false, NULL, NULL)
    RETURNING * INTO n;
    PERFORM analytics_emit(n, 1);
    RETURN NULL;
  END IF;
  -- Locks in one order everywhere (the enrollment's row, then the person's), so no deadlock.
  SELECT * INTO o FROM analytics_enrollments WHERE enrollment_id = OLD.id FOR UPDATE;
  IF TG_OP = 'DELETE' THEN
    PERFORM analytics_running_add(OLD.subscriber_id,
                                  -(OLD.status IN ('active', 'paused'))::integer, false);
  ELSE
    PERFORM analytics_running_add(NEW.subscriber_id,
                                  (NEW.status IN ('active', 'paused'))::integer
                                  - (OLD.status IN ('active', 'paused'))::integer, false);
  END IF;
  IF o.enrollment_id IS NULL THEN RETURN NULL; END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM analytics_emit(o, -1);
    PERFORM analytics_emit_steps(o, -1);
    DELETE FROM analytics_enrollment_steps WHERE enrollment_id = o.enrollment_id;
    DELETE FROM analytics_enrollments WHERE enrollment_id = o.enrollment_id;
    RETURN NULL;
  END IF;
  n := o;
  n.chain_id := NEW.chain_id;
  n.source := coalesce(NEW.source, '');
  n.enrolled_at := NEW.enrolled_at;
  n.status := NEW.status::text;
  n.end_reason := coalesce(NEW.end_reason::text, '');
  IF n.status IS DISTINCT FROM o.status THEN
    SELECT s.step_id, s.sent_at INTO n.last_step_id, n.last_sent_at
    FROM analytics_enrollment_steps s
    WHERE s.enrollment_id = o.enrollment_id AND s.reached
    ORDER BY s.sent_at DESC, s.step_id DESC LIMIT 1;
  END IF;
  PERFORM analytics_replace(o, n);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION analytics_on_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  o analytics_enrollments;
  n analytics_enrollments;
  first_reach boolean;
BEGIN
  SELECT * INTO o FROM analytics_enrollments WHERE enrollment_id = NEW.enrollment_id FOR UPDATE;
  IF NOT FOUND OR o.chain_id IS DISTINCT FROM NEW.chain_id THEN RETURN NULL; END IF;
  n := o;
  IF NEW.type = 'touch_sent' AND NEW.step_id IS NOT NULL THEN
    -- The usual send, a step's first: one insert. A step sent again only moves its time.
    INSERT INTO analytics_enrollment_steps
    VALUES (NEW.enrollment_id, NEW.step_id, true, false, NEW.occurred_at)
    ON CONFLICT (enrollment_id, step_id) DO NOTHING;
    IF FOUND THEN
      first_reach := true;
    ELSE
      UPDATE analytics_enrollment_steps SET reached = true
      WHERE enrollment_id = NEW.enrollment_id AND step_id = NEW.step_id AND NOT reached;
      first_reach := FOUND;
      UPDATE analytics_enrollment_steps SET sent_at = NEW.occurred_at
      WHERE enrollment_id = NEW.enrollment_id AND step_id = NEW.step_id
        AND (sent_at IS NULL OR sent_at < NEW.occurred_at);
    END IF;
    IF first_reach THEN
      INSERT INTO analytics_deltas (chain_id, step_id, enrolled_at, source, status, end_reason, reached)
      VALUES (o.chain_id, NEW.step_id, o.enrolled_at, o.source, '', '', 1);
    END IF;
    -- The last step sent counts only once the enrollment has ended (it is taken from the steps'
    -- times when it ends): a running enrollment's send changes nothing more.
    IF o.status NOT IN ('completed', 'exited') THEN RETURN NULL; END IF;
    IF o.last_sent_at IS NULL OR NEW.occurred_at > o.last_sent_at
       OR (NEW.occurred_at = o.last_sent_at AND NEW.step_id > o.last_step_id) THEN
      n.last_step_id := NEW.step_id;
      n.last_sent_at := NEW.occurred_at;
    END IF;
  ELSIF NEW.type = 'clicked' THEN
    IF NEW.step_id IS NOT NULL THEN
      INSERT INTO analytics_enrollment_steps AS s
      VALUES (NEW.enrollment_id, NEW.step_id, false, true, NULL)
      ON CONFLICT (enrollment_id, step_id) DO UPDATE SET clicked = true WHERE NOT s.clicked;
      IF FOUND THEN
        INSERT INTO analytics_deltas (chain_id, step_id, enrolled_at, source, status, end_reason, clicked)
        VALUES (o.chain_id, NEW.step_id, o.enrolled_at, o.source, '', '', 1);
      END IF;
    END IF;
    n.clicked_any := true;
  ELSIF NEW.type = 'purchase' THEN
    n.purchases := o.purchases + 1;
    n.revenue := o.revenue + coalesce(NEW.value, 0);
  END IF;
  PERFORM analytics_replace(o, n);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER analytics_enrollment_added AFTER INSERT ON enrollments
FOR EACH ROW EXECUTE FUNCTION analytics_on_enrollment();
--> statement-breakpoint
-- Only the columns counters are keyed by: the dispatcher's updates of every send do not fire it.
CREATE TRIGGER analytics_enrollment_changed
AFTER UPDATE OF chain_id, source, enrolled_at, status, end_reason ON enrollments
FOR EACH ROW WHEN (OLD.chain_id IS DISTINCT FROM NEW.chain_id OR OLD.source IS DISTINCT FROM NEW.source
  OR OLD.enrolled_at IS DISTINCT FROM NEW.enrolled_at OR OLD.status IS DISTINCT FROM NEW.status
  OR OLD.end_reason IS DISTINCT FROM NEW.end_reason)
EXECUTE FUNCTION analytics_on_enrollment();
--> statement-breakpoint
CREATE TRIGGER analytics_enrollment_removed AFTER DELETE ON enrollments
FOR EACH ROW EXECUTE FUNCTION analytics_on_enrollment();
--> statement-breakpoint
CREATE TRIGGER analytics_event_added AFTER INSERT ON events
FOR EACH ROW WHEN (NEW.enrollment_id IS NOT NULL AND NEW.type IN ('touch_sent', 'clicked', 'purchase'))
EXECUTE FUNCTION analytics_on_event();
--> statement-breakpoint
-- A staged touch sent: the person's furthest stage may move on (a touch's stage is its step's,
-- else its chain's; the order is STAGES in db/spec/chainSpec.ts).
CREATE FUNCTION analytics_on_staged_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  r integer;
  o analytics_subscribers;
  n analytics_subscribers;
BEGIN
  SELECT array_position(array['awareness', 'interest', 'choice', 'purchase', 'loyalty'],
                        coalesce(st.stage, ch.stage)::text)
  INTO r FROM chain_steps st JOIN chains ch ON ch.id = st.chain_id WHERE st.id = NEW.step_id;
  IF r IS NULL THEN RETURN NULL; END IF;
  SELECT * INTO o FROM analytics_subscribers WHERE subscriber_id = NEW.subscriber_id FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO analytics_subscribers
    VALUES (NEW.subscriber_id, r,
            (SELECT count(*) FROM enrollments
             WHERE subscriber_id = NEW.subscriber_id AND status IN ('active', 'paused')))
    ON CONFLICT (subscriber_id) DO NOTHING
    RETURNING * INTO n;
    IF n.subscriber_id IS NOT NULL THEN
      PERFORM analytics_journey_emit(n, 1);
      RETURN NULL;
    END IF;
    SELECT * INTO o FROM analytics_subscribers WHERE subscriber_id = NEW.subscriber_id FOR UPDATE;
  END IF;
  IF o.stage_rank IS NULL OR r > o.stage_rank THEN
    n := o;
    n.stage_rank := r;
    PERFORM analytics_journey_change(o, n);
    UPDATE analytics_subscribers SET stage_rank = r WHERE subscriber_id = o.subscriber_id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER analytics_staged_touch AFTER INSERT ON events
FOR EACH ROW WHEN (NEW.type = 'touch_sent' AND NEW.subscriber_id IS NOT NULL AND NEW.step_id IS NOT NULL)
EXECUTE FUNCTION analytics_on_staged_touch();
--> statement-breakpoint
-- A deleted person leaves the map (their enrollments' triggers, which run first, leave the row).
CREATE FUNCTION analytics_on_subscriber_removed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  o analytics_subscribers;
BEGIN
  DELETE FROM analytics_subscribers WHERE subscriber_id = OLD.id RETURNING * INTO o;
  IF FOUND THEN PERFORM analytics_journey_emit(o, -1); END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER analytics_subscriber_removed AFTER DELETE ON subscribers
FOR EACH ROW EXECUTE FUNCTION analytics_on_subscriber_removed();
--> statement-breakpoint
-- A stage edited, or steps deleted with their chain, changes which stage past touches count for:
-- the next fold recounts the map (until then reports read the raw events).
CREATE FUNCTION analytics_journey_stale() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE analytics_state SET journey_stale = true WHERE id = 1 AND NOT journey_stale;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER analytics_chain_stage AFTER UPDATE OF stage ON chains
FOR EACH ROW WHEN (OLD.stage IS DISTINCT FROM NEW.stage)
EXECUTE FUNCTION analytics_journey_stale();
--> statement-breakpoint
CREATE TRIGGER analytics_step_stage AFTER UPDATE OF stage ON chain_steps
FOR EACH ROW WHEN (OLD.stage IS DISTINCT FROM NEW.stage)
EXECUTE FUNCTION analytics_journey_stale();
--> statement-breakpoint
CREATE TRIGGER analytics_steps_removed AFTER DELETE ON chain_steps
FOR EACH STATEMENT EXECUTE FUNCTION analytics_journey_stale();
--> statement-breakpoint
-- The journey map again from events and enrollments (writers of both wait meanwhile).
CREATE FUNCTION analytics_rebuild_journey() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE enrollments, events, subscribers IN SHARE MODE;
  TRUNCATE analytics_journey_deltas, analytics_journey, analytics_subscribers;
  INSERT INTO analytics_subscribers
    SELECT sid, max(rank), sum(running) FROM (
      SELECT e.subscriber_id AS sid,
             array_position(array['awareness', 'interest', 'choice', 'purchase', 'loyalty'],
                            coalesce(st.stage, ch.stage)::text) AS rank,
             0 AS running
      FROM events e JOIN chain_steps st ON st.id = e.step_id JOIN chains ch ON ch.id = st.chain_id
      WHERE e.type = 'touch_sent' AND e.subscriber_id IS NOT NULL
      UNION ALL
      SELECT subscriber_id, NULL, (status IN ('active', 'paused'))::integer FROM enrollments
    ) parts
    GROUP BY sid;
  INSERT INTO analytics_journey
    SELECT stage_rank, count(*), count(*) FILTER (WHERE running = 0)
    FROM analytics_subscribers WHERE stage_rank IS NOT NULL GROUP BY 1;
  UPDATE analytics_state SET journey_stale = false WHERE id = 1;
END $$;
--> statement-breakpoint
-- The dashboard's days: new subscribers, enrollments and conversions of a chain, purchases' value,
-- at the instant they count for; deleted ones are taken away. Kept per chain, so a report joins
-- chains for what is a chain (not a broadcast, not deleted), as the raw query does.
CREATE FUNCTION analytics_on_daily_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  e events;
  sign integer;
BEGIN
  IF TG_OP = 'INSERT' THEN e := NEW; sign := 1; ELSE e := OLD; sign := -1; END IF;
  INSERT INTO analytics_daily_deltas (at, chain_id, enrolled, converted, revenue)
  VALUES (e.occurred_at, coalesce(e.chain_id, 0),
          sign * (e.type = 'enrolled')::integer, sign * (e.type = 'goal_reached')::integer,
          CASE WHEN e.type = 'purchase' THEN sign * coalesce(e.value, 0) ELSE 0 END);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER analytics_daily_event_added AFTER INSERT ON events
FOR EACH ROW WHEN (NEW.type IN ('enrolled', 'goal_reached', 'purchase'))
EXECUTE FUNCTION analytics_on_daily_event();
--> statement-breakpoint
CREATE TRIGGER analytics_daily_event_removed AFTER DELETE ON events
FOR EACH ROW WHEN (OLD.type IN ('enrolled', 'goal_reached', 'purchase'))
EXECUTE FUNCTION analytics_on_daily_event();
--> statement-breakpoint
CREATE FUNCTION analytics_on_lead() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO analytics_daily_deltas (at, chain_id, leads) VALUES (OLD.created_at, 0, -1);
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO analytics_daily_deltas (at, chain_id, leads) VALUES (NEW.created_at, 0, 1);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER analytics_lead_added AFTER INSERT ON subscribers
FOR EACH ROW EXECUTE FUNCTION analytics_on_lead();
--> statement-breakpoint
CREATE TRIGGER analytics_lead_moved AFTER UPDATE OF created_at ON subscribers
FOR EACH ROW WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at)
EXECUTE FUNCTION analytics_on_lead();
--> statement-breakpoint
CREATE TRIGGER analytics_lead_removed AFTER DELETE ON subscribers
FOR EACH ROW EXECUTE FUNCTION analytics_on_lead();
--> statement-breakpoint
-- Moves the pending deltas into the counters, by calendar day in the state's zone.
CREATE FUNCTION analytics_fold() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  zone text;
  folded integer;
BEGIN
  SELECT timezone INTO zone FROM analytics_state WHERE id = 1;
  IF zone IS NULL THEN RETURN 0; END IF;
  IF (SELECT journey_stale FROM analytics_state WHERE id = 1) THEN
    PERFORM analytics_rebuild_journey();
  END IF;
  WITH d AS (DELETE FROM analytics_daily_deltas RETURNING *)
  INSERT INTO analytics_daily AS a (day, chain_id, leads, enrolled, converted, revenue)
  SELECT (at AT TIME ZONE zone)::date, chain_id, sum(leads), sum(enrolled), sum(converted),
         sum(revenue)
  FROM d GROUP BY 1, 2
  ON CONFLICT (day, chain_id) DO UPDATE
  SET leads = a.leads + excluded.leads, enrolled = a.enrolled + excluded.enrolled,
      converted = a.converted + excluded.converted, revenue = a.revenue + excluded.revenue;
  WITH d AS (DELETE FROM analytics_journey_deltas RETURNING *)
  INSERT INTO analytics_journey AS j (stage_rank, people, idle)
  SELECT stage_rank, sum(people), sum(idle) FROM d GROUP BY 1
  ON CONFLICT (stage_rank) DO UPDATE
  SET people = j.people + excluded.people, idle = j.idle + excluded.idle;
  WITH d AS (DELETE FROM analytics_deltas RETURNING *),
  summed AS (
    INSERT INTO analytics_counters AS c (chain_id, step_id, day, source, status, end_reason,
                                         enrolled, purchases, revenue, clicked_any, reached,
                                         clicked, drop_off)
    SELECT chain_id, step_id, (enrolled_at AT TIME ZONE zone)::date, source, status, end_reason,
           sum(enrolled), sum(purchases), sum(revenue), sum(clicked_any), sum(reached),
           sum(clicked), sum(drop_off)
    FROM d GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (chain_id, step_id, day, source, status, end_reason) DO UPDATE
    SET enrolled = c.enrolled + excluded.enrolled, purchases = c.purchases + excluded.purchases,
        revenue = c.revenue + excluded.revenue, clicked_any = c.clicked_any + excluded.clicked_any,
        reached = c.reached + excluded.reached, clicked = c.clicked + excluded.clicked,
        drop_off = c.drop_off + excluded.drop_off
    RETURNING 1)
  SELECT count(*) INTO folded FROM summed;
  RETURN folded;
END $$;
--> statement-breakpoint
-- Everything again from enrollments and events, with calendar days in `zone`. Writers of both
-- wait meanwhile, so no change falls between the recount and the triggers.
CREATE FUNCTION analytics_rebuild(zone text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 'now'::timestamptz AT TIME ZONE zone; -- an unknown zone fails here, before any change
  LOCK TABLE enrollments, events, subscribers IN SHARE MODE;
  LOCK TABLE analytics_state, analytics_deltas, analytics_counters IN EXCLUSIVE MODE;
  TRUNCATE analytics_deltas, analytics_counters, analytics_enrollment_steps, analytics_enrollments;
  DROP TABLE IF EXISTS analytics_rebuild_events;
  CREATE TEMPORARY TABLE analytics_rebuild_events ON COMMIT DROP AS
    SELECT e.enrollment_id, e.type, e.step_id, e.value, e.occurred_at
    FROM events e JOIN enrollments n ON n.id = e.enrollment_id AND n.chain_id = e.chain_id
    WHERE e.type IN ('touch_sent', 'clicked', 'purchase');
  INSERT INTO analytics_enrollment_steps
    SELECT enrollment_id, step_id, bool_or(type = 'touch_sent'), bool_or(type = 'clicked'),
           max(occurred_at) FILTER (WHERE type = 'touch_sent')
    FROM analytics_rebuild_events
    WHERE type IN ('touch_sent', 'clicked') AND step_id IS NOT NULL
    GROUP BY 1, 2;
  INSERT INTO analytics_enrollments
    SELECT n.id, n.chain_id, coalesce(n.source, ''), n.enrolled_at, n.status::text,
           coalesce(n.end_reason::text, ''), coalesce(m.purchases, 0), coalesce(m.revenue, 0),
           coalesce(m.clicked, false), l.step_id, l.occurred_at
    FROM enrollments n
    LEFT JOIN (
      SELECT enrollment_id, count(*) FILTER (WHERE type = 'purchase') AS purchases,
             coalesce(sum(value) FILTER (WHERE type = 'purchase'), 0) AS revenue,
             bool_or(type = 'clicked') AS clicked
      FROM analytics_rebuild_events WHERE type IN ('purchase', 'clicked') GROUP BY 1
    ) m ON m.enrollment_id = n.id
    LEFT JOIN (
      SELECT DISTINCT ON (enrollment_id) enrollment_id, step_id, occurred_at
      FROM analytics_rebuild_events WHERE type = 'touch_sent' AND step_id IS NOT NULL
      ORDER BY enrollment_id, occurred_at DESC, step_id DESC
    ) l ON l.enrollment_id = n.id;
  INSERT INTO analytics_counters (chain_id, step_id, day, source, status, end_reason, enrolled,
                                  purchases, revenue, clicked_any, reached, clicked, drop_off)
    SELECT chain_id, step_id, day, source, status, end_reason, sum(enrolled), sum(purchases),
           sum(revenue), sum(clicked_any), sum(reached), sum(clicked), sum(drop_off)
    FROM (
      SELECT chain_id, 0 AS step_id, (enrolled_at AT TIME ZONE zone)::date AS day, source, status,
             end_reason, 1 AS enrolled, purchases, revenue, clicked_any::integer AS clicked_any,
             0 AS reached, 0 AS clicked, 0 AS drop_off
      FROM analytics_enrollments
      UNION ALL
      SELECT f.chain_id, s.step_id, (f.enrolled_at AT TIME ZONE zone)::date, f.source, '', '',
             0, 0, 0, 0, s.reached::integer, s.clicked::integer, 0
      FROM analytics_enrollment_steps s JOIN analytics_enrollments f USING (enrollment_id)
      UNION ALL
      SELECT chain_id, last_step_id, (enrolled_at AT TIME ZONE zone)::date, source, '', '',
             0, 0, 0, 0, 0, 0, 1
      FROM analytics_enrollments
      WHERE status IN ('completed', 'exited') AND last_step_id IS NOT NULL
    ) parts
    GROUP BY 1, 2, 3, 4, 5, 6;
  TRUNCATE analytics_daily_deltas, analytics_daily;
  INSERT INTO analytics_daily (day, chain_id, leads, enrolled, converted, revenue)
    SELECT day, chain_id, sum(leads), sum(enrolled), sum(converted), sum(revenue) FROM (
      SELECT (created_at AT TIME ZONE zone)::date AS day, 0 AS chain_id, count(*) AS leads,
             0 AS enrolled, 0 AS converted, 0 AS revenue
      FROM subscribers GROUP BY 1
      UNION ALL
      SELECT (occurred_at AT TIME ZONE zone)::date, coalesce(chain_id, 0), 0,
             count(*) FILTER (WHERE type = 'enrolled'), count(*) FILTER (WHERE type = 'goal_reached'),
             coalesce(sum(value) FILTER (WHERE type = 'purchase'), 0)
      FROM events WHERE type IN ('enrolled', 'goal_reached', 'purchase') GROUP BY 1, 2
    ) parts
    GROUP BY 1, 2;
  INSERT INTO analytics_state (id, timezone, rebuilt_at) VALUES (1, zone, now())
  ON CONFLICT (id) DO UPDATE SET timezone = excluded.timezone, rebuilt_at = excluded.rebuilt_at;
  PERFORM analytics_rebuild_journey();
END $$;
