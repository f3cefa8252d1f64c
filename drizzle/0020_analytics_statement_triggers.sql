-- The counters' event triggers fire once per statement, not once per row (0017 had two row
-- triggers on every send): the dispatcher records a batch of sends in one INSERT, and its usual
-- sends (a running enrollment, one event of it in the statement) are counted with a few set-based
-- statements. Everything else an event can mean goes through the row logic of 0017, in id order.
-- Also: replies counted per step like clicks, and per person the latest send of each stage, from
-- which the journey map of a period that ends now is counted without the event log.
DROP TRIGGER analytics_event_added ON events;
--> statement-breakpoint
DROP TRIGGER analytics_staged_touch ON events;
--> statement-breakpoint
DROP FUNCTION analytics_on_staged_touch();
--> statement-breakpoint
DROP FUNCTION analytics_on_event();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION analytics_emit_steps(f analytics_enrollments, sign integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO analytics_deltas (chain_id, step_id, enrolled_at, source, status, end_reason,
                                reached, clicked, replied)
  SELECT f.chain_id, s.step_id, f.enrolled_at, f.source, '', '',
         sign * s.reached::integer, sign * s.clicked::integer, sign * s.replied::integer
  FROM analytics_enrollment_steps s WHERE s.enrollment_id = f.enrollment_id;
END $$;
--> statement-breakpoint
-- One event, as 0017's row trigger counted it: a send, a click, a reply or a purchase.
CREATE FUNCTION analytics_event_row(e events) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  o analytics_enrollments;
  n analytics_enrollments;
  first_reach boolean;
BEGIN
  SELECT * INTO o FROM analytics_enrollments WHERE enrollment_id = e.enrollment_id FOR UPDATE;
  IF NOT FOUND OR o.chain_id IS DISTINCT FROM e.chain_id THEN RETURN; END IF;
  n := o;
  IF e.type = 'touch_sent' AND e.step_id IS NOT NULL THEN
    INSERT INTO analytics_enrollment_steps (enrollment_id, step_id, reached, clicked, sent_at)
    VALUES (e.enrollment_id, e.step_id, true, false, e.occurred_at)
    ON CONFLICT (enrollment_id, step_id) DO NOTHING;
    IF FOUND THEN
      first_reach := true;
    ELSE
      UPDATE analytics_enrollment_steps SET reached = true
      WHERE enrollment_id = e.enrollment_id AND step_id = e.step_id AND NOT reached;
      first_reach := FOUND;
      UPDATE analytics_enrollment_steps SET sent_at = e.occurred_at
      WHERE enrollment_id = e.enrollment_id AND step_id = e.step_id
        AND (sent_at IS NULL OR sent_at < e.occurred_at);
    END IF;
    IF first_reach THEN
      INSERT INTO analytics_deltas (chain_id, step_id, enrolled_at, source, status, end_reason, reached)
      VALUES (o.chain_id, e.step_id, o.enrolled_at, o.source, '', '', 1);
    END IF;
    -- The last step sent counts only once the enrollment has ended.
    IF o.status NOT IN ('completed', 'exited') THEN RETURN; END IF;
    IF o.last_sent_at IS NULL OR e.occurred_at > o.last_sent_at
       OR (e.occurred_at = o.last_sent_at AND e.step_id > o.last_step_id) THEN
      n.last_step_id := e.step_id;
      n.last_sent_at := e.occurred_at;
    END IF;
  ELSIF e.type IN ('clicked', 'replied') THEN
    -- A step clicked, or answered, counts once for each.
    IF e.step_id IS NOT NULL THEN
      INSERT INTO analytics_enrollment_steps AS s
        (enrollment_id, step_id, reached, clicked, sent_at, replied)
      VALUES (e.enrollment_id, e.step_id, false, e.type = 'clicked', NULL, e.type = 'replied')
      ON CONFLICT (enrollment_id, step_id) DO UPDATE
      SET clicked = s.clicked OR excluded.clicked, replied = s.replied OR excluded.replied
      WHERE (excluded.clicked AND NOT s.clicked) OR (excluded.replied AND NOT s.replied);
      IF FOUND THEN
        INSERT INTO analytics_deltas (chain_id, step_id, enrolled_at, source, status, end_reason,
                                      clicked, replied)
        VALUES (o.chain_id, e.step_id, o.enrolled_at, o.source, '', '',
                (e.type = 'clicked')::integer, (e.type = 'replied')::integer);
      END IF;
    END IF;
    -- A reply changes nothing else of the enrollment's.
    IF e.type = 'replied' THEN RETURN; END IF;
    n.clicked_any := true;
  ELSIF e.type = 'purchase' THEN
    n.purchases := o.purchases + 1;
    n.revenue := o.revenue + coalesce(e.value, 0);
  END IF;
  PERFORM analytics_replace(o, n);
END $$;
--> statement-breakpoint
CREATE FUNCTION analytics_on_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  -- Usual sends (below): enrollment, step, time, and the enrollment's chain, start and source.
  u_enr bigint[];
  u_step integer[];
  u_at timestamptz[];
  u_chain integer[];
  u_enrolled timestamptz[];
  u_source text[];
  -- Of those, the steps the enrollment has a row for already, and whether it was reached.
  had boolean[];
  was_reached boolean[];
  other_ids bigint[];
  e events;
  -- Staged sends: person, stage rank, time; then each person once, and their row before.
  sids bigint[];
  ranks integer[];
  ats timestamptz[];
  people bigint[];
  found_people bigint[];
  old_ranks integer[];
  old_running integer[];
BEGIN
  -- The facts rows of the enrollments named, locked in one order (then people's rows, below):
  -- the same order as the enrollments' triggers, so no deadlock.
  PERFORM 1 FROM analytics_enrollments a
  WHERE a.enrollment_id IN (SELECT i.enrollment_id FROM inserted i
                            WHERE i.enrollment_id IS NOT NULL
                              AND i.type IN ('touch_sent', 'clicked', 'replied', 'purchase'))
  ORDER BY a.enrollment_id FOR UPDATE;
  -- A usual send: to a running enrollment of its chain, its only event in the statement. The
  -- statements below work on arrays, planned for their real length, through primary keys.
  SELECT array_agg(r.enrollment_id) FILTER (WHERE r.usual),
         array_agg(r.step_id) FILTER (WHERE r.usual),
         array_agg(r.occurred_at) FILTER (WHERE r.usual),
         array_agg(r.chain_id) FILTER (WHERE r.usual),
         array_agg(r.enrolled_at) FILTER (WHERE r.usual),
         array_agg(r.source) FILTER (WHERE r.usual),
         array_agg(r.has_step) FILTER (WHERE r.usual),
         array_agg(r.step_reached) FILTER (WHERE r.usual),
         array_agg(r.id ORDER BY r.id) FILTER (WHERE NOT r.usual)
  INTO u_enr, u_step, u_at, u_chain, u_enrolled, u_source, had, was_reached, other_ids
  FROM (
    SELECT i.id, i.enrollment_id, i.step_id, i.occurred_at, a.chain_id, a.enrolled_at, a.source,
           s.enrollment_id IS NOT NULL AS has_step, coalesce(s.reached, false) AS step_reached,
           coalesce(i.type = 'touch_sent' AND i.step_id IS NOT NULL AND a.chain_id = i.chain_id
                    AND a.status NOT IN ('completed', 'exited')
                    AND count(*) OVER (PARTITION BY i.enrollment_id) = 1, false) AS usual
    FROM inserted i
    LEFT JOIN analytics_enrollments a ON a.enrollment_id = i.enrollment_id
    LEFT JOIN analytics_enrollment_steps s
      ON i.type = 'touch_sent' AND s.enrollment_id = i.enrollment_id AND s.step_id = i.step_id
    WHERE i.enrollment_id IS NOT NULL AND i.type IN ('touch_sent', 'clicked', 'replied', 'purchase')
  ) r;
  IF u_enr IS NOT NULL THEN
    -- A step's first send to the enrollment: one insert (the lock above keeps others out).
    INSERT INTO analytics_enrollment_steps (enrollment_id, step_id, reached, clicked, sent_at)
    SELECT u.e, u.st, true, false, u.at
    FROM unnest(u_enr, u_step, u_at, had) AS u(e, st, at, had) WHERE NOT u.had;
    -- A step with a row already: clicked or answered before it was sent, or sent again.
    IF true = ANY (had) THEN
      UPDATE analytics_enrollment_steps s
      SET reached = true, sent_at = greatest(s.sent_at, u.at)
      FROM unnest(u_enr, u_step, u_at, had) AS u(e, st, at, had)
      WHERE u.had AND s.enrollment_id = u.e AND s.step_id = u.st
        AND (NOT s.reached OR s.sent_at IS NULL OR s.sent_at < u.at);
    END IF;
    -- Each step reached for the first time counts once.
    INSERT INTO analytics_deltas (chain_id, step_id, enrolled_at, source, status, end_reason, reached)
    SELECT u.chain, u.st, u.enrolled, u.source, '', '', count(*)
    FROM unnest(u_chain, u_step, u_enrolled, u_source, was_reached)
           AS u(chain, st, enrolled, source, was_reached)
    WHERE NOT u.was_reached
    GROUP BY u.chain, u.st, u.enrolled, u.source;
  END IF;
  IF other_ids IS NOT NULL THEN
    FOR e IN SELECT i.* FROM inserted i JOIN unnest(other_ids) AS oi(id) ON oi.id = i.id
             ORDER BY i.id LOOP
      PERFORM analytics_event_row(e);
    END LOOP;
  END IF;

  -- The journey map: staged sends move a person's furthest stage and their latest send of it.
  SELECT array_agg(x.sid), array_agg(x.rank), array_agg(x.at),
         array_agg(DISTINCT x.sid)
  INTO sids, ranks, ats, people
  FROM (
    SELECT i.subscriber_id AS sid, i.occurred_at AS at,
           array_position(array['awareness', 'interest', 'choice', 'purchase', 'loyalty'],
                          coalesce(st.stage, ch.stage)::text) AS rank
    FROM inserted i JOIN chain_steps st ON st.id = i.step_id JOIN chains ch ON ch.id = st.chain_id
    WHERE i.type = 'touch_sent' AND i.subscriber_id IS NOT NULL
      AND coalesce(st.stage, ch.stage) IS NOT NULL
  ) x;
  IF sids IS NULL THEN RETURN NULL; END IF;
  -- People's rows locked in one order, read as they were before these sends.
  SELECT array_agg(p.subscriber_id), array_agg(p.stage_rank), array_agg(p.running)
  INTO found_people, old_ranks, old_running
  FROM (SELECT s.subscriber_id, s.stage_rank, s.running FROM analytics_subscribers s
        WHERE s.subscriber_id IN (SELECT unnest(people))
        ORDER BY s.subscriber_id FOR UPDATE) p;
  IF coalesce(cardinality(found_people), 0) < cardinality(people) THEN
    -- A person's row starts with their first enrollment; one sent a touch outside any has none yet.
    INSERT INTO analytics_subscribers (subscriber_id, stage_rank, running)
    SELECT p.sid, NULL,
           (SELECT count(*) FROM enrollments
            WHERE subscriber_id = p.sid AND status IN ('active', 'paused'))
    FROM unnest(people) AS p(sid)
    WHERE NOT EXISTS (SELECT 1 FROM analytics_subscribers s WHERE s.subscriber_id = p.sid)
    ORDER BY p.sid
    ON CONFLICT (subscriber_id) DO NOTHING;
    SELECT array_agg(p.subscriber_id), array_agg(p.stage_rank), array_agg(p.running)
    INTO found_people, old_ranks, old_running
    FROM (SELECT s.subscriber_id, s.stage_rank, s.running FROM analytics_subscribers s
          WHERE s.subscriber_id IN (SELECT unnest(people))
          ORDER BY s.subscriber_id FOR UPDATE) p;
  END IF;
  WITH sent AS (SELECT * FROM unnest(sids, ranks, ats) AS b(sid, rank, at)),
  per_person AS (
    SELECT sid, max(rank) AS rank, max(at) AS at,
           max(at) FILTER (WHERE rank = 1) AS a1, max(at) FILTER (WHERE rank = 2) AS a2,
           max(at) FILTER (WHERE rank = 3) AS a3, max(at) FILTER (WHERE rank = 4) AS a4,
           max(at) FILTER (WHERE rank = 5) AS a5
    FROM sent GROUP BY sid),
  before AS (
    SELECT * FROM unnest(found_people, old_ranks, old_running) AS b(sid, rank, running)),
  moved AS (
    UPDATE analytics_subscribers s
    SET stage_rank = greatest(s.stage_rank, p.rank),
        last_staged_at = greatest(s.last_staged_at, p.at),
        stage_sent_at = array[greatest(s.stage_sent_at[1], p.a1), greatest(s.stage_sent_at[2], p.a2),
                              greatest(s.stage_sent_at[3], p.a3), greatest(s.stage_sent_at[4], p.a4),
                              greatest(s.stage_sent_at[5], p.a5)]
    FROM per_person p WHERE s.subscriber_id = p.sid)
  -- Only a higher stage than the one before moves a person on the map.
  INSERT INTO analytics_journey_deltas (stage_rank, people, idle)
  SELECT rank, sum(sign), sum(sign * idle) FROM (
    SELECT b.rank, -1 AS sign, (b.running = 0)::integer AS idle
    FROM before b JOIN per_person p ON p.sid = b.sid WHERE b.rank < p.rank
    UNION ALL
    SELECT p.rank, 1, (b.running = 0)::integer
    FROM before b JOIN per_person p ON p.sid = b.sid WHERE b.rank IS NULL OR b.rank < p.rank
  ) d
  GROUP BY rank
  HAVING sum(sign) <> 0 OR sum(sign * idle) <> 0;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER analytics_events_added AFTER INSERT ON events
REFERENCING NEW TABLE AS inserted
FOR EACH STATEMENT EXECUTE FUNCTION analytics_on_events();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION analytics_rebuild_journey() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE enrollments, events, subscribers IN SHARE MODE;
  TRUNCATE analytics_journey_deltas, analytics_journey, analytics_subscribers;
  INSERT INTO analytics_subscribers (subscriber_id, stage_rank, running, stage_sent_at, last_staged_at)
    SELECT sid, max(rank), sum(running),
           array[max(at) FILTER (WHERE rank = 1), max(at) FILTER (WHERE rank = 2),
                 max(at) FILTER (WHERE rank = 3), max(at) FILTER (WHERE rank = 4),
                 max(at) FILTER (WHERE rank = 5)],
           max(at)
    FROM (
      SELECT e.subscriber_id AS sid,
             array_position(array['awareness', 'interest', 'choice', 'purchase', 'loyalty'],
                            coalesce(st.stage, ch.stage)::text) AS rank,
             0 AS running, e.occurred_at AS at
      FROM events e JOIN chain_steps st ON st.id = e.step_id JOIN chains ch ON ch.id = st.chain_id
      WHERE e.type = 'touch_sent' AND e.subscriber_id IS NOT NULL
        AND coalesce(st.stage, ch.stage) IS NOT NULL
      UNION ALL
      SELECT subscriber_id, NULL, (status IN ('active', 'paused'))::integer, NULL FROM enrollments
    ) parts
    GROUP BY sid;
  INSERT INTO analytics_journey
    SELECT stage_rank, count(*), count(*) FILTER (WHERE running = 0)
    FROM analytics_subscribers WHERE stage_rank IS NOT NULL GROUP BY 1;
  -- Fresh statistics, so a period's map plans for the people it reads, not a guess.
  ANALYZE analytics_subscribers;
  UPDATE analytics_state SET journey_stale = false WHERE id = 1;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION analytics_fold() RETURNS integer
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
                                         clicked, replied, drop_off)
    SELECT chain_id, step_id, (enrolled_at AT TIME ZONE zone)::date, source, status, end_reason,
           sum(enrolled), sum(purchases), sum(revenue), sum(clicked_any), sum(reached),
           sum(clicked), sum(replied), sum(drop_off)
    FROM d GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (chain_id, step_id, day, source, status, end_reason) DO UPDATE
    SET enrolled = c.enrolled + excluded.enrolled, purchases = c.purchases + excluded.purchases,
        revenue = c.revenue + excluded.revenue, clicked_any = c.clicked_any + excluded.clicked_any,
        reached = c.reached + excluded.reached, clicked = c.clicked + excluded.clicked,
        replied = c.replied + excluded.replied, drop_off = c.drop_off + excluded.drop_off
    RETURNING 1)
  SELECT count(*) INTO folded FROM summed;
  RETURN folded;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION analytics_rebuild(zone text) RETURNS void
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
    WHERE e.type IN ('touch_sent', 'clicked', 'replied', 'purchase');
  INSERT INTO analytics_enrollment_steps (enrollment_id, step_id, reached, clicked, replied, sent_at)
    SELECT enrollment_id, step_id, bool_or(type = 'touch_sent'), bool_or(type = 'clicked'),
           bool_or(type = 'replied'), max(occurred_at) FILTER (WHERE type = 'touch_sent')
    FROM analytics_rebuild_events
    WHERE type IN ('touch_sent', 'clicked', 'replied') AND step_id IS NOT NULL
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
                                  purchases, revenue, clicked_any, reached, clicked, replied,
                                  drop_off)
    SELECT chain_id, step_id, day, source, status, end_reason, sum(enrolled), sum(purchases),
           sum(revenue), sum(clicked_any), sum(reached), sum(clicked), sum(replied), sum(drop_off)
    FROM (
      SELECT chain_id, 0 AS step_id, (enrolled_at AT TIME ZONE zone)::date AS day, source, status,
             end_reason, 1 AS enrolled, purchases, revenue, clicked_any::integer AS clicked_any,
             0 AS reached, 0 AS clicked, 0 AS replied, 0 AS drop_off
      FROM analytics_enrollments
      UNION ALL
      SELECT f.chain_id, s.step_id, (f.enrolled_at AT TIME ZONE zone)::date, f.source, '', '',
             0, 0, 0, 0, s.reached::integer, s.clicked::integer, s.replied::integer, 0
      FROM analytics_enrollment_steps s JOIN analytics_enrollments f USING (enrollment_id)
      UNION ALL
      SELECT chain_id, last_step_id, (enrolled_at AT TIME ZONE zone)::date, source, '', '',
             0, 0, 0, 0, 0, 0, 0, 1
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
--> statement-breakpoint
-- Replies and each person's latest send of each stage are counted from the events once more: until
-- the bot's rebuild at its next start (or `npm run analytics -- rebuild`), reports read the events.
DELETE FROM analytics_state;
