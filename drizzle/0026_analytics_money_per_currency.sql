-- Money per currency in the analytics counters: 1,000 RUB and 10 USD are two figures, never 1,010.
-- Each enrollment's purchases are kept per currency (analytics_enrollment_money), and the counters
-- and the dashboard's days keep revenue on rows of its own currency ('' on the rows of counts).
-- The schema part is drizzle-kit's (schema/analytics.ts) with the primary key added after its
-- column; the functions of 0017 and 0020 that touch money are restated below.
CREATE TABLE "analytics_enrollment_money" (
	"enrollment_id" bigint NOT NULL,
	"currency" text NOT NULL,
	"revenue" numeric(16, 2) NOT NULL,
	CONSTRAINT "analytics_enrollment_money_enrollment_id_currency_pk" PRIMARY KEY("enrollment_id","currency")
);
--> statement-breakpoint
DROP INDEX "analytics_counters_key";--> statement-breakpoint
ALTER TABLE "analytics_daily" DROP CONSTRAINT "analytics_daily_day_chain_id_pk";--> statement-breakpoint
ALTER TABLE "analytics_counters" ADD COLUMN "currency" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD COLUMN "currency" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics_daily_deltas" ADD COLUMN "currency" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics_deltas" ADD COLUMN "currency" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD CONSTRAINT "analytics_daily_day_chain_id_currency_pk" PRIMARY KEY("day","chain_id","currency");--> statement-breakpoint
CREATE UNIQUE INDEX "analytics_counters_key" ON "analytics_counters" USING btree ("chain_id","step_id","day","source","status","end_reason","currency");--> statement-breakpoint
ALTER TABLE "analytics_enrollments" DROP COLUMN "revenue";
--> statement-breakpoint
-- An enrollment's contribution taken away (o) and added (n): its row of counts, a row of money per
-- currency it bought in, and where interest was lost.
CREATE OR REPLACE FUNCTION analytics_emit_change(o analytics_enrollments, n analytics_enrollments)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO analytics_deltas (chain_id, step_id, enrolled_at, source, status, end_reason,
                                enrolled, purchases, clicked_any, drop_off)
  SELECT f.chain_id, 0, f.enrolled_at, f.source, f.status, f.end_reason, s.sign,
         s.sign * f.purchases, s.sign * f.clicked_any::integer, 0
  FROM (VALUES (o, -1), (n, 1)) AS s(f, sign) CROSS JOIN LATERAL (SELECT (s.f).*) f
  WHERE f.enrollment_id IS NOT NULL
  UNION ALL
  SELECT f.chain_id, f.last_step_id, f.enrolled_at, f.source, '', '', 0, 0, 0, s.sign
  FROM (VALUES (o, -1), (n, 1)) AS s(f, sign) CROSS JOIN LATERAL (SELECT (s.f).*) f
  WHERE f.enrollment_id IS NOT NULL AND f.status IN ('completed', 'exited')
    AND f.last_step_id IS NOT NULL;
  -- Both sides read the money as it is now: a purchase (counted where it is recorded) cancels out.
  IF greatest(coalesce(o.purchases, 0), coalesce(n.purchases, 0)) = 0 THEN RETURN; END IF;
  INSERT INTO analytics_deltas (chain_id, step_id, enrolled_at, source, status, end_reason,
                                currency, revenue)
  SELECT f.chain_id, 0, f.enrolled_at, f.source, f.status, f.end_reason, m.currency,
         s.sign * m.revenue
  FROM (VALUES (o, -1), (n, 1)) AS s(f, sign) CROSS JOIN LATERAL (SELECT (s.f).*) f
  JOIN analytics_enrollment_money m ON m.enrollment_id = f.enrollment_id
  WHERE f.enrollment_id IS NOT NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION analytics_replace(o analytics_enrollments, n analytics_enrollments)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF o IS NOT DISTINCT FROM n THEN RETURN; END IF;
  -- A new last step changes nothing while the enrollment runs: only an ended one counts it.
  IF (o.chain_id, o.source, o.enrolled_at, o.status, o.end_reason, o.purchases,
      o.clicked_any, CASE WHEN o.status IN ('completed', 'exited') THEN o.last_step_id END)
     IS DISTINCT FROM
     (n.chain_id, n.source, n.enrolled_at, n.status, n.end_reason, n.purchases,
      n.clicked_any, CASE WHEN n.status IN ('completed', 'exited') THEN n.last_step_id END) THEN
    PERFORM analytics_emit_change(o, n);
  END IF;
  IF (o.chain_id, o.source, o.enrolled_at) IS DISTINCT FROM (n.chain_id, n.source, n.enrolled_at) THEN
    PERFORM analytics_emit_steps(o, -1);
    PERFORM analytics_emit_steps(n, 1);
  END IF;
  UPDATE analytics_enrollments
  SET chain_id = n.chain_id, source = n.source, enrolled_at = n.enrolled_at, status = n.status,
      end_reason = n.end_reason, purchases = n.purchases, clicked_any = n.clicked_any,
      last_step_id = n.last_step_id, last_sent_at = n.last_sent_at
  WHERE enrollment_id = o.enrollment_id;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION analytics_on_enrollment() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  o analytics_enrollments;
  n analytics_enrollments;
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM analytics_running_add(NEW.subscriber_id,
                                  (NEW.status IN ('active', 'paused'))::integer, true);
    INSERT INTO analytics_enrollments (enrollment_id, chain_id, source, enrolled_at, status,
                                       end_reason, purchases, clicked_any)
    VALUES (NEW.id, NEW.chain_id, coalesce(NEW.source, ''), NEW.enrolled_at, NEW.status::text,
            coalesce(NEW.end_reason::text, ''), 0, false)
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
    DELETE FROM analytics_enrollment_money WHERE enrollment_id = o.enrollment_id;
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
-- One event, as 0020 counted it; a purchase's value goes to its currency's row.
CREATE OR REPLACE FUNCTION analytics_event_row(e events) RETURNS void
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
    IF e.value IS NOT NULL THEN
      -- Counted here, once: analytics_replace below takes away and adds the same money.
      INSERT INTO analytics_enrollment_money AS m (enrollment_id, currency, revenue)
      VALUES (e.enrollment_id, coalesce(e.currency, 'XXX'), e.value)
      ON CONFLICT (enrollment_id, currency) DO UPDATE SET revenue = m.revenue + excluded.revenue;
      INSERT INTO analytics_deltas (chain_id, step_id, enrolled_at, source, status, end_reason,
                                    currency, revenue)
      VALUES (o.chain_id, 0, o.enrolled_at, o.source, o.status, o.end_reason,
              coalesce(e.currency, 'XXX'), e.value);
    END IF;
  END IF;
  PERFORM analytics_replace(o, n);
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION analytics_on_daily_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  e events;
  sign integer;
BEGIN
  IF TG_OP = 'INSERT' THEN e := NEW; sign := 1; ELSE e := OLD; sign := -1; END IF;
  IF e.type = 'purchase' THEN
    IF e.value IS NULL THEN RETURN NULL; END IF;
    INSERT INTO analytics_daily_deltas (at, chain_id, currency, revenue)
    VALUES (e.occurred_at, coalesce(e.chain_id, 0), coalesce(e.currency, 'XXX'), sign * e.value);
    RETURN NULL;
  END IF;
  INSERT INTO analytics_daily_deltas (at, chain_id, enrolled, converted)
  VALUES (e.occurred_at, coalesce(e.chain_id, 0),
          sign * (e.type = 'enrolled')::integer, sign * (e.type = 'goal_reached')::integer);
  RETURN NULL;
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
  INSERT INTO analytics_daily AS a (day, chain_id, currency, leads, enrolled, converted, revenue)
  SELECT (at AT TIME ZONE zone)::date, chain_id, currency, sum(leads), sum(enrolled),
         sum(converted), sum(revenue)
  FROM d GROUP BY 1, 2, 3
  ON CONFLICT (day, chain_id, currency) DO UPDATE
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
                                         currency, enrolled, purchases, revenue, clicked_any,
                                         reached, clicked, replied, drop_off)
    SELECT chain_id, step_id, (enrolled_at AT TIME ZONE zone)::date, source, status, end_reason,
           currency, sum(enrolled), sum(purchases), sum(revenue), sum(clicked_any), sum(reached),
           sum(clicked), sum(replied), sum(drop_off)
    FROM d GROUP BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (chain_id, step_id, day, source, status, end_reason, currency) DO UPDATE
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
  TRUNCATE analytics_deltas, analytics_counters, analytics_enrollment_steps, analytics_enrollments,
           analytics_enrollment_money;
  DROP TABLE IF EXISTS analytics_rebuild_events;
  CREATE TEMPORARY TABLE analytics_rebuild_events ON COMMIT DROP AS
    SELECT e.enrollment_id, e.type, e.step_id, e.value, coalesce(e.currency, 'XXX') AS currency,
           e.occurred_at
    FROM events e JOIN enrollments n ON n.id = e.enrollment_id AND n.chain_id = e.chain_id
    WHERE e.type IN ('touch_sent', 'clicked', 'replied', 'purchase');
  INSERT INTO analytics_enrollment_steps (enrollment_id, step_id, reached, clicked, replied, sent_at)
    SELECT enrollment_id, step_id, bool_or(type = 'touch_sent'), bool_or(type = 'clicked'),
           bool_or(type = 'replied'), max(occurred_at) FILTER (WHERE type = 'touch_sent')
    FROM analytics_rebuild_events
    WHERE type IN ('touch_sent', 'clicked', 'replied') AND step_id IS NOT NULL
    GROUP BY 1, 2;
  INSERT INTO analytics_enrollment_money (enrollment_id, currency, revenue)
    SELECT enrollment_id, currency, sum(value) FROM analytics_rebuild_events
    WHERE type = 'purchase' AND value IS NOT NULL
    GROUP BY 1, 2;
  INSERT INTO analytics_enrollments (enrollment_id, chain_id, source, enrolled_at, status,
                                     end_reason, purchases, clicked_any, last_step_id, last_sent_at)
    SELECT n.id, n.chain_id, coalesce(n.source, ''), n.enrolled_at, n.status::text,
           coalesce(n.end_reason::text, ''), coalesce(m.purchases, 0),
           coalesce(m.clicked, false), l.step_id, l.occurred_at
    FROM enrollments n
    LEFT JOIN (
      SELECT enrollment_id, count(*) FILTER (WHERE type = 'purchase') AS purchases,
             bool_or(type = 'clicked') AS clicked
      FROM analytics_rebuild_events WHERE type IN ('purchase', 'clicked') GROUP BY 1
    ) m ON m.enrollment_id = n.id
    LEFT JOIN (
      SELECT DISTINCT ON (enrollment_id) enrollment_id, step_id, occurred_at
      FROM analytics_rebuild_events WHERE type = 'touch_sent' AND step_id IS NOT NULL
      ORDER BY enrollment_id, occurred_at DESC, step_id DESC
    ) l ON l.enrollment_id = n.id;
  INSERT INTO analytics_counters (chain_id, step_id, day, source, status, end_reason, currency,
                                  enrolled, purchases, revenue, clicked_any, reached, clicked,
                                  replied, drop_off)
    SELECT chain_id, step_id, day, source, status, end_reason, currency, sum(enrolled),
           sum(purchases), sum(revenue), sum(clicked_any), sum(reached), sum(clicked),
           sum(replied), sum(drop_off)
    FROM (
      SELECT chain_id, 0 AS step_id, (enrolled_at AT TIME ZONE zone)::date AS day, source, status,
             end_reason, '' AS currency, 1 AS enrolled, purchases, 0 AS revenue,
             clicked_any::integer AS clicked_any, 0 AS reached, 0 AS clicked, 0 AS replied,
             0 AS drop_off
      FROM analytics_enrollments
      UNION ALL
      SELECT f.chain_id, 0, (f.enrolled_at AT TIME ZONE zone)::date, f.source, f.status,
             f.end_reason, m.currency, 0, 0, m.revenue, 0, 0, 0, 0, 0
      FROM analytics_enrollment_money m JOIN analytics_enrollments f USING (enrollment_id)
      UNION ALL
      SELECT f.chain_id, s.step_id, (f.enrolled_at AT TIME ZONE zone)::date, f.source, '', '', '',
             0, 0, 0, 0, s.reached::integer, s.clicked::integer, s.replied::integer, 0
      FROM analytics_enrollment_steps s JOIN analytics_enrollments f USING (enrollment_id)
      UNION ALL
      SELECT chain_id, last_step_id, (enrolled_at AT TIME ZONE zone)::date, source, '', '', '',
             0, 0, 0, 0, 0, 0, 0, 1
      FROM analytics_enrollments
      WHERE status IN ('completed', 'exited') AND last_step_id IS NOT NULL
    ) parts
    GROUP BY 1, 2, 3, 4, 5, 6, 7;
  TRUNCATE analytics_daily_deltas, analytics_daily;
  INSERT INTO analytics_daily (day, chain_id, currency, leads, enrolled, converted, revenue)
    SELECT day, chain_id, currency, sum(leads), sum(enrolled), sum(converted), sum(revenue) FROM (
      SELECT (created_at AT TIME ZONE zone)::date AS day, 0 AS chain_id, '' AS currency,
             count(*) AS leads, 0 AS enrolled, 0 AS converted, 0 AS revenue
      FROM subscribers GROUP BY 1
      UNION ALL
      SELECT (occurred_at AT TIME ZONE zone)::date, coalesce(chain_id, 0), '', 0,
             count(*) FILTER (WHERE type = 'enrolled'), count(*) FILTER (WHERE type = 'goal_reached'),
             0
      FROM events WHERE type IN ('enrolled', 'goal_reached') GROUP BY 1, 2
      UNION ALL
      SELECT (occurred_at AT TIME ZONE zone)::date, coalesce(chain_id, 0),
             coalesce(currency, 'XXX'), 0, 0, 0, sum(value)
      FROM events WHERE type = 'purchase' AND value IS NOT NULL GROUP BY 1, 2, 3
    ) parts
    GROUP BY 1, 2, 3;
  INSERT INTO analytics_state (id, timezone, rebuilt_at) VALUES (1, zone, now())
  ON CONFLICT (id) DO UPDATE SET timezone = excluded.timezone, rebuilt_at = excluded.rebuilt_at;
  PERFORM analytics_rebuild_journey();
END $$;
--> statement-breakpoint
-- The counters are counted again per currency: until the bot's rebuild at its next start (or
-- `npm run analytics -- rebuild`), reports read the events.
TRUNCATE analytics_deltas, analytics_counters, analytics_enrollment_steps, analytics_enrollments,
         analytics_daily_deltas, analytics_daily;
--> statement-breakpoint
DELETE FROM analytics_state;
